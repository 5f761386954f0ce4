"""Test and benchmark audio: espeak-ng sentences laid out with known silences.

espeak-ng (Debian package) is a formant synthesiser: real speech-like audio with exactly
known text, several voices and no recording needed. The true speech boundaries are where
the trimmed synthesis was placed.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np

from emo_perception.voice.capture import StreamResampler, read_wav

SAMPLE_RATE = 16000
SENTENCES = (
    "Please bring the blue folder to the meeting room this afternoon",
    "My sister planted tomato plants in the garden yesterday",
    "The train to the airport leaves early every morning",
    "I would like a cup of hot tea with milk and honey",
)


@dataclass(frozen=True)
class Utterance:
    text: str
    voice: str
    start: float  # seconds in the composed signal
    end: float


def espeak(text: str, voice: str = "en-us", speed_wpm: int = 160,
           pitch: int = 50) -> np.ndarray:
    """Synthesise ``text`` at 16 kHz with leading/trailing silence trimmed (40 dB below peak)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng not found (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory(prefix="emo_espeak_") as tmp:
        wav = pathlib.Path(tmp) / "s.wav"
        subprocess.run([exe, "-v", voice, "-s", str(speed_wpm), "-p", str(pitch), "-w",
                        str(wav), text], check=True, capture_output=True)
        x, rate = read_wav(wav)
    r = StreamResampler(rate, SAMPLE_RATE)
    x = np.concatenate([r.process(x), r.flush()])
    frames = x[:len(x) // 160 * 160].reshape(-1, 160)
    db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    on = np.flatnonzero(db > db.max() - 40.0)
    return x[on[0] * 160:(on[-1] + 1) * 160].astype(np.float32)


def conversation(parts: list[tuple[str, str]], gap_s: float = 1.0,
                 lead_s: float = 0.8) -> tuple[np.ndarray, list[Utterance]]:
    """(text, voice) pairs separated by ``gap_s`` of silence; returns audio and truth."""
    out = [np.zeros(int(lead_s * SAMPLE_RATE), dtype=np.float32)]
    truth = []
    t = lead_s
    for text, voice in parts:
        x = espeak(text, voice)
        truth.append(Utterance(text, voice, t, t + len(x) / SAMPLE_RATE))
        out += [x, np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.float32)]
        t += len(x) / SAMPLE_RATE + gap_s
    return np.concatenate(out), truth
