"""Speaker-independent anonymisation by recognition and resynthesis (ASR + TTS).

The idea of the VoicePrivacy 2024 baseline B3 (Meyer et al.): recognise what was said and
say it again with a voice that carries nothing of the speaker. Here the words come from the
pipeline's own Whisper tiny.en results (one ASR model, no second one), and the voice is
espeak-ng (a formant synthesiser, Debian package, offline) speaking with one fixed
pseudo-voice: voice variant, pitch and word gap are settings, identical for every speaker
and every session. Only two things of the original reach the output: the words, and the
segment's duration, which sets the speaking rate (clipped to ``rate_min_wpm``..
``rate_max_wpm``, so it can only say "slow" or "fast", within a range every speaker shares).

Why one fixed voice rather than a random one per utterance or per session: the voice does
not depend on the speaker either way, and a fixed one gives an attacker nothing to learn
about the session; an attacker who runs this public transform over its own enrolment speech
gets the same voice for everyone, so verification has only content and duration to go on.
Randomness would only add variance to the recognition rate. So nothing here is drawn and
``deterministic`` replays are identical by construction (tested).

Streaming (:class:`ResynthStream`): ``process(x)`` returns ``len(x)`` samples, never any of
``x``: while a segment is open, and whenever nothing resynthesised is waiting, it returns
silence (zeros). When the pipeline hands over a recognised segment (``submit``), a worker
thread runs espeak-ng (with a timeout), resamples to 16 kHz and queues the result; the
following ``process`` calls play it out. Latency from a segment's end is the VAD's end
decision (``vad_min_silence_ms``), recognition and synthesis; a segment is at most
``asr_max_segment_s`` long. Fail closed: a synthesis that fails, times out or gets no words
produces silence and is counted (``failed``, ``empty``; ``late`` for recognition that comes
back after ``asr_timeout_s``); queued speech beyond ``max_backlog_s`` is dropped and counted.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

import numpy as np
from scipy.signal import resample_poly

SAMPLE_RATE = 16000


@dataclass
class ResynthConfig:
    """espeak-ng pseudo-voice and the stream's limits."""

    tts_binary: str = "espeak-ng"  # a name on PATH or a path
    voice: str = "en-us+m3"  # espeak-ng language + variant
    pitch: int = 40  # espeak-ng -p, 0..99
    word_gap_ms: float = 80.0  # pause between words (espeak-ng -g, 10 ms units)
    rate_wpm: float = 150.0  # speaking rate of the first, timing pass
    rate_min_wpm: float = 120.0
    rate_max_wpm: float = 190.0
    tts_timeout_s: float = 5.0  # one synthesis; longer = failed (silence, counted)
    asr_timeout_s: float = 15.0  # recognition results older than this are not spoken
    max_backlog_s: float = 30.0  # resynthesised speech waiting to be played out
    queue_size: int = 8  # texts waiting for synthesis; the oldest is dropped (counted)

    def __post_init__(self) -> None:
        if not 0 <= self.pitch <= 99:
            raise ValueError(f"resynth pitch must be in 0..99, got {self.pitch}")
        if not 80.0 <= self.rate_min_wpm <= self.rate_wpm <= self.rate_max_wpm <= 450.0:
            raise ValueError(f"need 80 <= rate_min_wpm <= rate_wpm <= rate_max_wpm <= 450, got "
                             f"{self.rate_min_wpm}, {self.rate_wpm}, {self.rate_max_wpm}")
        if not (self.tts_timeout_s > 0 and self.asr_timeout_s > 0 and self.max_backlog_s > 0):
            raise ValueError("tts_timeout_s, asr_timeout_s and max_backlog_s must be > 0")
        if not self.voice or any(c.isspace() for c in self.voice):
            raise ValueError(f"resynth voice must be one espeak-ng voice name, got "
                             f"{self.voice!r}")


class TtsError(RuntimeError):
    """The TTS program cannot be used (one-line message)."""


def _parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    """espeak-ng's --stdout WAV (its size fields are placeholders when streaming)."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise TtsError("TTS output is not a WAV stream")
    rate = int.from_bytes(data[24:28], "little")
    bits = int.from_bytes(data[34:36], "little")
    k = data.find(b"data", 12)
    if k < 0 or bits != 16 or rate <= 0:
        raise TtsError("TTS output is not 16-bit PCM WAV")
    pcm = data[k + 8:]
    x = np.frombuffer(pcm[:len(pcm) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
    return x, rate


class EspeakTts:
    """espeak-ng as a subprocess (text on stdin, WAV on stdout), output at 16 kHz."""

    def __init__(self, config: ResynthConfig) -> None:
        self.config = config
        exe = config.tts_binary
        path = exe if os.sep in exe else shutil.which(exe)
        if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
            raise TtsError(f"resynth TTS program {exe!r} not found or not executable "
                           "(apt-get install espeak-ng, or set voice.resynth_tts_binary)")
        self.path = path
        try:  # the voice must exist: fail at construction, not on the first segment
            self.synthesize("test", config.rate_wpm, timeout=max(10.0, config.tts_timeout_s))
        except (OSError, subprocess.SubprocessError, TtsError) as exc:
            raise TtsError(f"resynth TTS {exe!r} with voice {config.voice!r} does not work: "
                           f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                           ) from None

    def synthesize(self, text: str, rate_wpm: float, timeout: float | None = None) -> np.ndarray:
        """``text`` spoken at ``rate_wpm``, 16 kHz mono float32. Raises on any failure."""
        c = self.config
        cmd = [self.path, "-v", c.voice, "-p", str(int(c.pitch)), "-s", str(int(round(rate_wpm))),
               "-g", str(int(round(c.word_gap_ms / 10.0))), "--stdin", "--stdout"]
        res = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True,
                             timeout=c.tts_timeout_s if timeout is None else timeout, check=False)
        if res.returncode != 0:
            err = res.stderr.decode("utf-8", "replace").strip().splitlines()
            raise TtsError(f"exit status {res.returncode}" + (f": {err[0]}" if err else ""))
        x, rate = _parse_wav(res.stdout)
        if rate != SAMPLE_RATE:
            g = np.gcd(rate, SAMPLE_RATE)
            x = resample_poly(x, SAMPLE_RATE // g, rate // g).astype(np.float32)
        return np.clip(x, -1.0, 1.0).astype(np.float32)

    def speak(self, text: str, duration_s: float) -> np.ndarray:
        """``text`` timed to about ``duration_s``: a first pass at ``rate_wpm`` measures the
        length, a second at the rate that fits (clipped to the allowed range) if it differs
        by more than 10 %."""
        c = self.config
        y = self.synthesize(text, c.rate_wpm)
        if duration_s > 0 and len(y):
            rate = float(np.clip(c.rate_wpm * (len(y) / SAMPLE_RATE) / duration_s,
                                 c.rate_min_wpm, c.rate_max_wpm))
            if abs(rate / c.rate_wpm - 1.0) > 0.1:
                y = self.synthesize(text, rate)
        return y


@dataclass
class ResynthCounters:
    spoken: int = 0  # segments re-spoken
    failed: int = 0  # TTS failed or timed out: silence
    empty: int = 0  # recognition gave no words: silence
    late: int = 0  # recognition came back after asr_timeout_s: silence
    dropped: int = 0  # texts dropped from the full synthesis queue: silence
    backlog_dropped_samples: int = 0  # resynthesised samples dropped beyond max_backlog_s


class ResynthStream:
    """Streaming output of the resynthesis anonymiser (see the module docstring)."""

    def __init__(self, config: ResynthConfig | None = None,
                 sample_rate: int = SAMPLE_RATE) -> None:
        if sample_rate != SAMPLE_RATE:
            raise ValueError(f"ResynthStream runs at {SAMPLE_RATE} Hz, got {sample_rate}")
        self.config = config or ResynthConfig()
        self.tts = EspeakTts(self.config)  # raises TtsError with one line
        self.counters = ResynthCounters()
        self.last_error = ""
        self.tts_seconds: list[float] = []  # wall time of each synthesis (diagnostics)
        self._todo: collections.deque = collections.deque()
        self._play: collections.deque = collections.deque()
        self._play_len = 0
        self._cond = threading.Condition()
        self._busy = False
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="resynth", daemon=True)
        self._thread.start()

    @property
    def utterances(self) -> int:
        return self.counters.spoken

    @property
    def backlog_s(self) -> float:
        with self._cond:
            return self._play_len / SAMPLE_RATE

    def submit(self, text: str, duration_s: float, submitted_at: float | None = None) -> None:
        """A recognised segment to re-speak (never blocks). ``submitted_at``: when the
        segment went to recognition (``time.monotonic()``), for the late check."""
        with self._cond:
            if submitted_at is not None and \
                    time.monotonic() - submitted_at > self.config.asr_timeout_s:
                self.counters.late += 1
                return
            if not text.strip():
                self.counters.empty += 1
                return
            if len(self._todo) >= self.config.queue_size:
                self._todo.popleft()
                self.counters.dropped += 1
            self._todo.append((text.strip(), float(duration_s)))
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._todo and not self._stop:
                    self._cond.wait()
                if self._stop and not self._todo:
                    return
                text, duration = self._todo.popleft()
                self._busy = True
            t0 = time.monotonic()
            try:
                y = self.tts.speak(text, duration)
                err = "" if len(y) else "TTS returned no audio"
            except (OSError, subprocess.SubprocessError, TtsError, ValueError) as exc:
                msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                y, err = np.zeros(0, np.float32), msg
            with self._cond:
                self.tts_seconds.append(time.monotonic() - t0)
                if err:
                    self.counters.failed += 1
                    self.last_error = err
                else:
                    self.counters.spoken += 1
                    self._play.append(y)
                    self._play_len += len(y)
                    cap = int(self.config.max_backlog_s * SAMPLE_RATE)
                    while self._play_len > cap and len(self._play) > 1:
                        old = self._play.popleft()
                        self._play_len -= len(old)
                        self.counters.backlog_dropped_samples += len(old)
                self._busy = False
                self._cond.notify_all()

    def _take(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.float32)
        k = 0
        with self._cond:
            while k < n and self._play:
                head = self._play[0]
                m = min(n - k, len(head))
                out[k:k + m] = head[:m]
                k += m
                if m == len(head):
                    self._play.popleft()
                else:
                    self._play[0] = head[m:]
                self._play_len -= m
        return out

    def process(self, x: np.ndarray) -> np.ndarray:
        """As many samples as ``x`` has: queued resynthesised speech, else silence."""
        return self._take(len(x))

    def flush(self) -> np.ndarray:
        """Nothing is held back from the input (the output never contains it)."""
        return np.zeros(0, dtype=np.float32)

    def drain(self) -> np.ndarray:
        """Everything resynthesised and not yet played out (end of stream)."""
        with self._cond:
            n = self._play_len
        return self._take(n)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until every submitted text is synthesised (offline use, tests)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._todo or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=30)
