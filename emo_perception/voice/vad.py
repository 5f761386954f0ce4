"""Streaming voice activity detection with the Silero VAD ONNX model (onnxruntime, CPU).

The model scores 512-sample windows of 16 kHz audio (32 ms) with 64 samples of left
context and a recurrent state. Segmentation follows silero's own streaming iterator:
speech starts when the probability reaches ``threshold``; it ends after
``min_silence_ms`` below ``threshold - 0.15``; starts are moved ``speech_pad_ms`` earlier,
ends ``end_pad_ms`` later.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

import numpy as np

from emo_perception.voice.models import ModelNotFoundError, silero_vad_onnx_path

SAMPLE_RATE = 16000
WINDOW = 512
CONTEXT = 64


@dataclass
class VadConfig:
    """Silero VAD settings (flat fields, usable as ROS parameters)."""

    model_path: str = ""  # empty = the model bundled in the silero-vad package
    threshold: float = 0.5
    min_silence_ms: float = 200.0
    speech_pad_ms: float = 30.0  # added before each segment's start
    end_pad_ms: float = 0.0  # added after the end; the model's own ~50-130 ms hangover
    # already covers the speech tail (measured on espeak-ng speech, docs/voice.md)
    min_speech_ms: float = 120.0  # shorter bursts are reported as activity but not segments
    num_threads: int = 1

    def __post_init__(self) -> None:
        if not 0.05 <= self.threshold <= 0.95:
            raise ValueError(f"VAD threshold must be in [0.05, 0.95], got {self.threshold}")
        for name in ("min_silence_ms", "speech_pad_ms", "end_pad_ms", "min_speech_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0 ms, got {getattr(self, name)}")
        if self.num_threads < 1:
            raise ValueError(f"num_threads must be >= 1, got {self.num_threads}")


@dataclass(frozen=True)
class SpeechSegment:
    """A finished stretch of speech; times in seconds on the stream clock."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class ActivityUpdate:
    """Speech started (``speaking`` True) or stopped, with the probability that decided it."""

    stamp: float
    speaking: bool
    probability: float


class SileroVad:
    """Silero VAD over a 16 kHz stream. ``process`` takes any chunk length."""

    def __init__(self, config: VadConfig | None = None) -> None:
        import onnxruntime as ort

        self.config = config or VadConfig()
        path = pathlib.Path(self.config.model_path) if self.config.model_path \
            else silero_vad_onnx_path()
        if not path.is_file():
            raise ModelNotFoundError(f"silero VAD model not found: {path}")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.config.num_threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), sess_options=opts,
                                             providers=["CPUExecutionProvider"])
        self._sr = np.array(SAMPLE_RATE, dtype=np.int64)
        self.reset()

    def reset(self, t0: float = 0.0) -> None:
        """Start a new stream whose first sample is at time ``t0``."""
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._n = 0  # samples scored so far
        self._t0 = float(t0)
        self._speaking = False
        self._start = 0
        self._temp_end = 0
        self.last_probability = 0.0
        self.probabilities: list[float] = []  # per window, for diagnostics and tests

    @property
    def speaking(self) -> bool:
        return self._speaking

    @property
    def open_since(self) -> float | None:
        """Start time of the segment in progress, or None during silence."""
        return self._t(self._start) if self._speaking else None

    def _score(self, window: np.ndarray) -> float:
        x = np.concatenate([self._context, window])[None, :]
        prob, self._state = self._session.run(
            None, {"input": x, "state": self._state, "sr": self._sr})
        self._context = window[-CONTEXT:]
        return float(prob[0, 0])

    def _t(self, sample: int) -> float:
        return self._t0 + sample / SAMPLE_RATE

    def process(self, samples: np.ndarray) -> tuple[list[ActivityUpdate], list[SpeechSegment]]:
        """Score the complete windows in ``samples`` (16 kHz); return updates and segments."""
        cfg = self.config
        pad = int(cfg.speech_pad_ms * SAMPLE_RATE / 1000)
        end_pad = int(cfg.end_pad_ms * SAMPLE_RATE / 1000)
        min_sil = int(cfg.min_silence_ms * SAMPLE_RATE / 1000)
        updates: list[ActivityUpdate] = []
        segments: list[SpeechSegment] = []
        buf = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        n_win = len(buf) // WINDOW
        for k in range(n_win):
            prob = self._score(buf[k * WINDOW:(k + 1) * WINDOW])
            self.probabilities.append(prob)
            self.last_probability = prob
            self._n += WINDOW
            if prob >= cfg.threshold:
                self._temp_end = 0
                if not self._speaking:
                    self._speaking = True
                    self._start = max(0, self._n - WINDOW - pad)
                    updates.append(ActivityUpdate(self._t(self._start), True, prob))
            elif prob < cfg.threshold - 0.15 and self._speaking:
                if not self._temp_end:
                    self._temp_end = self._n - WINDOW
                if self._n - self._temp_end >= min_sil:
                    seg = self._close(min(self._temp_end + end_pad, self._n))
                    updates.append(ActivityUpdate(seg.end, False, prob))
                    if seg.duration * 1000 >= cfg.min_speech_ms:
                        segments.append(seg)
        self._pending = buf[n_win * WINDOW:]
        return updates, segments

    def _close(self, end: int) -> SpeechSegment:
        seg = SpeechSegment(self._t(self._start), self._t(end))
        self._speaking = False
        self._temp_end = 0
        return seg

    def flush(self) -> tuple[list[ActivityUpdate], list[SpeechSegment]]:
        """End of stream: close an open segment at the last sample received."""
        end = self._n + len(self._pending)
        if not self._speaking:
            return [], []
        seg = self._close(end)
        update = ActivityUpdate(seg.end, False, self.last_probability)
        keep = seg.duration * 1000 >= self.config.min_speech_ms
        return [update], [seg] if keep else []
