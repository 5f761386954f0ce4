"""McAdams-coefficient voice anonymisation (VoicePrivacy baseline B2), offline and streaming.

Per frame (20 ms, hop 10 ms, square-root Hann so analysis x synthesis windows overlap-add to
one): LPC of order 20 by the autocorrelation method, poles of the LPC polynomial, each complex
pole's angle phi -> phi**alpha (magnitude kept, conjugates mirrored, real poles unchanged), the
frame's residual through the original inverse filter is resynthesised through the modified
all-pole filter, scaled to the input frame's energy, windowed again and overlap-added.
Frames are independent, so the streaming transform (which batches whatever frames a chunk
completes) equals the offline one.

With ``random_alpha`` a new alpha is drawn from U(0.5, 0.9) for every utterance (a voiced
frame after ``redraw_silence_ms`` of silent frames starts one), from the generator the caller
passes (one per session; seeded for reproducible replays).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

ALPHA_RANGE = (0.5, 0.9)


@dataclass
class McAdamsConfig:
    """Parameters of the transform (flat fields, usable as ROS parameters)."""

    alpha: float = 0.8  # McAdams coefficient; 1.0 leaves formants where they are
    random_alpha: bool = False  # draw alpha from U(0.5, 0.9) for every utterance
    seed: int = -1  # seed for random_alpha when no generator is passed; -1 = nondeterministic
    frame_ms: float = 20.0
    hop_ms: float = 10.0
    lpc_order: int = 20
    redraw_silence_ms: float = 300.0  # silence that ends an utterance (random_alpha)
    silence_db: float = -45.0  # frames quieter than this (dBFS) count as silence

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha <= 1.5:
            raise ValueError(f"alpha must be in (0, 1.5], got {self.alpha}; 0.8 is the classic "
                             "value, 1.0 disables the warp")
        if self.hop_ms <= 0 or abs(self.frame_ms - 2 * self.hop_ms) > 1e-9:
            raise ValueError(f"frame_ms must be twice hop_ms (sqrt-Hann overlap-add), got "
                             f"frame_ms={self.frame_ms}, hop_ms={self.hop_ms}")
        if not 2 <= self.lpc_order <= 60:
            raise ValueError(f"lpc_order must be in [2, 60], got {self.lpc_order}")

    def session_alpha(self) -> float:
        """The first alpha a stream built without a generator uses (``alpha``, or the first
        draw from ``seed`` when ``random_alpha`` is set)."""
        if not self.random_alpha:
            return float(self.alpha)
        return float(self.generator().uniform(*ALPHA_RANGE))

    def generator(self) -> np.random.Generator:
        return np.random.default_rng(None if self.seed < 0 else self.seed)


def _frame_sizes(cfg: McAdamsConfig, sample_rate: int) -> tuple[int, int]:
    hop = int(round(sample_rate * cfg.hop_ms / 1000.0))
    return 2 * hop, hop


def _sqrt_hann(n: int) -> np.ndarray:
    # Periodic Hann: its 50 %-overlapped copies sum to exactly one.
    return np.sqrt(0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n))


def _lpc(frames: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    """LPC polynomials (n, order+1) by the autocorrelation method; mask of usable frames."""
    n_fft = 1 << int(np.ceil(np.log2(2 * frames.shape[1])))
    spec = np.fft.rfft(frames, n_fft, axis=1)
    r = np.fft.irfft(np.abs(spec) ** 2, n_fft, axis=1)[:, :order + 1]
    ok = r[:, 0] > 1e-10 * frames.shape[1]  # near-silent frames are passed through
    a = np.zeros((frames.shape[0], order + 1))
    a[:, 0] = 1.0
    if not ok.any():
        return a, ok
    rr = r[ok].copy()
    rr[:, 0] *= 1.0 + 1e-9  # white-noise floor keeps the recursion well posed
    # Levinson-Durbin, all frames at once (the loop runs over the order only).
    aa = np.zeros((len(rr), order + 1))
    aa[:, 0] = 1.0
    err = rr[:, 0].copy()
    for i in range(1, order + 1):
        acc = np.einsum("fj,fj->f", aa[:, :i], rr[:, i:0:-1])
        k = -acc / err
        aa[:, 1:i + 1] = aa[:, 1:i + 1] + k[:, None] * aa[:, i - 1::-1][:, :i]
        err = err * (1.0 - k * k)
    a[ok] = aa
    return a, ok


def _warp_poles(a: np.ndarray, alpha: float) -> np.ndarray:
    """Move every complex pole's angle phi to phi**alpha; rebuild real polynomials."""
    n, p1 = a.shape
    order = p1 - 1
    comp = np.zeros((n, order, order))
    comp[:, 0, :] = -a[:, 1:]
    comp[:, np.arange(1, order), np.arange(order - 1)] = 1.0
    poles = np.linalg.eigvals(comp)
    phi = np.angle(poles)
    is_complex = np.abs(poles.imag) > 1e-10
    new_phi = np.where(is_complex, np.sign(phi) * np.abs(phi) ** alpha, phi)
    new_poles = np.where(is_complex, np.abs(poles) * np.exp(1j * new_phi), poles)
    poly = np.zeros((n, p1), dtype=complex)
    poly[:, 0] = 1.0
    for k in range(order):  # multiply in (1 - p z^-1) for every pole, all frames at once
        poly[:, 1:] = poly[:, 1:] - new_poles[:, k:k + 1] * poly[:, :-1]
    return poly.real


def transform_frames(frames: np.ndarray, alpha: float, order: int) -> np.ndarray:
    """Anonymise already-windowed frames (n, frame_len); returns them re-windowed-ready."""
    if frames.shape[0] == 0:
        return frames
    a, ok = _lpc(frames, order)
    out = frames.copy()
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return out
    b = _warp_poles(a[idx], alpha)
    x = frames[idx]
    # Residual through the inverse (FIR) filter, vectorised over frames and taps.
    residual = x * a[idx, :1]
    for k in range(1, a.shape[1]):
        residual[:, k:] += a[idx, k:k + 1] * x[:, :-k]
    for j, i in enumerate(idx):  # the all-pole resynthesis is recursive: one call per frame
        out[i] = lfilter([1.0], b[j], residual[j])
    # Moving the poles changes the filter gain; matching each frame's energy keeps the
    # loudness envelope (prosody) and keeps peaks from overshooting, frame-locally.
    e_in = np.sum(frames[idx] ** 2, axis=1)
    e_out = np.sum(out[idx] ** 2, axis=1)
    out[idx] *= np.sqrt(e_in / np.maximum(e_out, 1e-20))[:, None]
    return out


class ChunkStream:
    """Chunk-in, chunk-out bookkeeping shared by the streaming anonymisers.

    A subclass keeps its unconsumed input in ``_buf`` and implements ``_run()`` (consume what
    whole frames or blocks ``_buf`` holds and return the finished output), ``_finish()``
    (pad ``_buf`` so everything left is consumed and return the rest) and ``_reset_stream()``
    (state for a new stream, calling :meth:`_start`). Leading output samples that belong to
    the zero padding before sample 0 are dropped by :meth:`_drop_lead`; after :meth:`flush`
    the output is exactly as long as the input.
    """

    _buf: np.ndarray

    def _start(self, lead: int, skip: int) -> None:
        self._buf = np.zeros(lead)  # the stream starts with ``lead`` zeros of history
        self._skip = skip  # output samples that belong to that padding
        self._n_in = 0
        self._n_out = 0

    def _drop_lead(self, out: np.ndarray) -> np.ndarray:
        if self._skip:
            cut = min(self._skip, len(out))
            out = out[cut:]
            self._skip -= cut
        return out

    def _run(self) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _finish(self) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _reset_stream(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Feed a chunk (any length, including zero); return the finished output samples."""
        x = np.asarray(samples, dtype=np.float64).reshape(-1)
        self._n_in += len(x)
        self._buf = np.concatenate([self._buf, x])
        out = self._run()
        self._n_out += len(out)
        return out.astype(np.float32)

    def flush(self) -> np.ndarray:
        """Finish the stream: output up to the input length, then reset for a new stream
        (the next stream starts a new utterance; the session generator continues)."""
        missing = self._n_in - self._n_out
        out = self._finish()[:max(0, missing)]
        self._reset_stream()
        return out.astype(np.float32)


def anonymise(samples: np.ndarray, sample_rate: int, alpha: float | None = None,
              config: McAdamsConfig | None = None,
              rng: np.random.Generator | None = None) -> np.ndarray:
    """Offline (whole-signal) McAdams transform; output has the input's length.

    ``alpha`` given: that fixed alpha. Otherwise the config's (``config.alpha``, or per
    utterance draws with ``config.random_alpha``); no config and no alpha: 0.8.
    """
    cfg = config or McAdamsConfig(alpha=0.8 if alpha is None else alpha)
    stream = McAdamsStream(cfg, sample_rate, alpha=alpha, rng=rng)
    head = stream.process(samples)
    return np.concatenate([head, stream.flush()])


class McAdamsStream(ChunkStream):
    """Chunk in, chunk out. Output lags input by one hop plus what a frame still lacks.

    The input is preceded by one hop of zeros so the first samples get their full pair of
    overlapping frames; after :meth:`flush` the total output length equals the input length.
    """

    def __init__(self, config: McAdamsConfig, sample_rate: int,
                 alpha: float | None = None, rng: np.random.Generator | None = None) -> None:
        self.config = config
        self.sample_rate = int(sample_rate)
        # A fixed alpha (argument, or the config's without random_alpha), or per-utterance
        # draws from ``rng`` (default: a generator seeded from ``config.seed``).
        self.random = alpha is None and config.random_alpha
        self.rng = rng if rng is not None else config.generator()
        self.alpha = float(alpha) if alpha is not None else float(config.alpha)
        if self.random:
            self.alpha = float(self.rng.uniform(*ALPHA_RANGE))
        self.utterances = 1 if self.random else 0
        self._silent_frames = 0
        self._started = False  # a voiced frame has been seen since the last draw
        self.frame, self.hop = _frame_sizes(config, self.sample_rate)
        self._redraw_frames = max(1, int(round(config.redraw_silence_ms / config.hop_ms)))
        self._silence_energy = self.frame * 0.5 * 10 ** (config.silence_db / 10.0)
        self.window = _sqrt_hann(self.frame)
        self._reset_stream()

    def _reset_stream(self) -> None:
        # Unconsumed input starts at the next frame: one hop of zeros at the start.
        self._start(self.hop, self.hop)
        self._tail = np.zeros(self.hop)  # overlap-add carry into the next hop

    @property
    def latency_samples(self) -> int:
        """Worst-case delay between a sample arriving and leaving (one frame)."""
        return self.frame

    def _run(self) -> np.ndarray:
        n_frames = (len(self._buf) - self.frame) // self.hop + 1
        if n_frames <= 0:
            return np.zeros(0)
        idx = np.arange(n_frames)[:, None] * self.hop + np.arange(self.frame)[None, :]
        frames = self._buf[idx] * self.window
        if self.random:
            syn = np.empty_like(frames)
            alphas = self._frame_alphas(frames)
            start = 0
            for k in range(1, n_frames + 1):  # one call per run of equal alpha
                if k == n_frames or alphas[k] != alphas[start]:
                    syn[start:k] = transform_frames(frames[start:k], alphas[start],
                                                    self.config.lpc_order)
                    start = k
            syn *= self.window
        else:
            syn = transform_frames(frames, self.alpha, self.config.lpc_order) * self.window
        out = np.empty(n_frames * self.hop)
        tail = self._tail
        for k in range(n_frames):
            out[k * self.hop:(k + 1) * self.hop] = tail + syn[k, :self.hop]
            tail = syn[k, self.hop:]
        self._tail = tail
        self._buf = self._buf[n_frames * self.hop:]
        return self._drop_lead(out)

    def _frame_alphas(self, frames: np.ndarray) -> np.ndarray:
        """Alpha of every frame; a voiced frame after enough silent ones draws a new one."""
        energy = np.sum(frames * frames, axis=1)  # windowed: mean of sqrt-Hann^2 is 0.5
        out = np.empty(len(frames))
        for k, e in enumerate(energy):
            if e < self._silence_energy:
                self._silent_frames += 1
            else:
                if self._started and self._silent_frames >= self._redraw_frames:
                    self.alpha = float(self.rng.uniform(*ALPHA_RANGE))
                    self.utterances += 1
                self._started = True
                self._silent_frames = 0
            out[k] = self.alpha
        return out

    def _finish(self) -> np.ndarray:
        self._buf = np.concatenate([self._buf, np.zeros(self.frame)])
        out = self._run()
        self._silent_frames = self._redraw_frames  # the next stream is a new utterance
        return out
