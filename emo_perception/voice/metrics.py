"""Evaluation helpers: word error rate and a speaker-similarity score from MFCCs.

Speaker similarity (used to check anonymisation): the cosine between the mean MFCC
vectors (coefficients 1-19 of 20, 25 ms frames, 10 ms hop, 40 mel bands up to 8 kHz,
frames within 35 dB of the loudest only) of two recordings. The mean cepstrum over many
frames averages out the phonetic content and keeps the long-term spectral envelope, which
is what the vocal tract (and the McAdams warp) shape; c0 (loudness) is left out. It is a
simple stand-in for a speaker-verification embedding, not a replacement for one.
"""

from __future__ import annotations

import re

import numpy as np
from scipy.fft import dct


def _mel(f: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + f / 700.0)


def mel_filterbank(n_mels: int, n_fft: int, sample_rate: int) -> np.ndarray:
    """Triangular mel filters, shape (n_mels, n_fft // 2 + 1)."""
    hz = 700.0 * (10 ** (np.linspace(0, _mel(np.array(sample_rate / 2)), n_mels + 2) / 2595.0)
                  - 1.0)
    bins = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    fb = np.zeros((n_mels, len(bins)))
    for m in range(n_mels):
        lo, mid, hi = hz[m], hz[m + 1], hz[m + 2]
        fb[m] = np.clip(np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)), 0, None)
    return fb


def mfcc(x: np.ndarray, sample_rate: int, n_mfcc: int = 20, n_mels: int = 40,
         frame_ms: float = 25.0, hop_ms: float = 10.0, floor_db: float = 35.0) -> np.ndarray:
    """MFCCs (frames, n_mfcc) of the frames within ``floor_db`` of the loudest frame."""
    size = int(sample_rate * frame_ms / 1000)
    hop = int(sample_rate * hop_ms / 1000)
    x = np.asarray(x, dtype=np.float64)
    if len(x) < size:
        return np.zeros((0, n_mfcc))
    n = 1 + (len(x) - size) // hop
    frames = x[np.arange(n)[:, None] * hop + np.arange(size)[None, :]] * np.hamming(size)
    n_fft = 1 << int(np.ceil(np.log2(size)))
    power = np.abs(np.fft.rfft(frames, n_fft, axis=1)) ** 2
    energy = 10 * np.log10(power.sum(axis=1) + 1e-12)
    keep = energy > energy.max() - floor_db
    logmel = np.log(power[keep] @ mel_filterbank(n_mels, n_fft, sample_rate).T + 1e-10)
    return dct(logmel, type=2, norm="ortho", axis=1)[:, :n_mfcc]


def speaker_similarity(a: np.ndarray, b: np.ndarray, sample_rate: int) -> float:
    """Cosine of the mean MFCC vectors (c1..c19) of two recordings; see module docstring."""
    ma = mfcc(a, sample_rate)[:, 1:].mean(axis=0)
    mb = mfcc(b, sample_rate)[:, 1:].mean(axis=0)
    return float(ma @ mb / (np.linalg.norm(ma) * np.linalg.norm(mb) + 1e-12))


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation (hyphens split words)."""
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words (Levenshtein on words)."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)
