"""Speaker-independent anonymisation by recognition and resynthesis (ASR + TTS).

The idea of the VoicePrivacy 2024 baseline B3 (Meyer et al.): recognise what was said and
say it again with a voice that carries nothing of the speaker. Here the words come from the
pipeline's own Whisper tiny.en results (one ASR model, no second one), and a TTS program
run as a subprocess speaks them (offline, Debian packages):

- ``engine="flite"`` (the default): CMU Flite with a **pseudo-voice drawn per utterance**
  (each segment handed to :meth:`ResynthStream.submit`) from the session generator: one of
  ``voices`` (Flite's built-in slt, rms, awb, kal16), its mean F0 moved by a random
  ``±pitch_jitter_st`` semitones and its duration stretched by a random factor in
  ``stretch_min``..``stretch_max``. :func:`draw_voice` takes only the generator and the
  configuration, so the voice cannot depend on the input; with ``deterministic`` (a seeded
  generator) replays draw the same voices. The point: the voice is random with respect to
  the speaker, so an attacker's enrolment and trial rarely share a voice, which drowns the
  cue that content and duration leave. The speaker's timing reaches the output only when the
  re-spoken speech would run more than 25 % longer than the segment: it is then sped up to
  fit, never below ``stretch_min``.
- ``engine="espeak"``: espeak-ng (formant synthesis) in one fixed voice (``voice``,
  ``pitch``, word gap), timed to the segment's duration (rate clipped to ``rate_min_wpm``..
  ``rate_max_wpm``); nothing is drawn. The first version; Whisper recognises it worse.

Streaming (:class:`ResynthStream`): ``process(x)`` returns ``len(x)`` samples, never any of
``x``: while a segment is open, and whenever nothing resynthesised is waiting, it returns
silence (zeros). When the pipeline hands over a recognised segment (``submit``), a worker
thread runs the TTS (with a timeout), resamples to 16 kHz and queues the result; the
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
import tempfile
import time
from dataclasses import dataclass

import numpy as np
from scipy.signal import resample_poly

from emo_perception.voice.worker import QueueWorker

SAMPLE_RATE = 16000
ENGINES = ("flite", "espeak")
DEFAULT_BINARY = {"flite": "flite", "espeak": "espeak-ng"}
INSTALL_HINT = {"flite": "apt-get install flite", "espeak": "apt-get install espeak-ng"}
# Flite's built-in voices and their own median F0 [Hz] on a test sentence (measured with
# pyworld harvest, flite 2.2): the pitch jitter moves the voice's target mean around it.
# rms ignores int_f0_target_mean (its F0 stays ~101 Hz whatever is set).
FLITE_VOICES = {"slt": 172.0, "rms": 101.0, "awb": 131.0, "kal16": 95.0, "kal": 95.0}


@dataclass
class ResynthConfig:
    """TTS engine, its pseudo-voice (drawn per utterance with flite) and the stream's limits."""

    engine: str = "flite"  # "flite" or "espeak"
    tts_binary: str = ""  # a name on PATH or a path; "" = flite / espeak-ng
    # flite: the pseudo-voice drawn per utterance
    voices: tuple[str, ...] = ("slt", "rms", "awb", "kal16")
    pitch_jitter_st: float = 3.0  # mean F0 moved by U(-j, +j) semitones
    stretch_min: float = 0.9  # duration_stretch drawn from U(stretch_min, stretch_max)
    stretch_max: float = 1.15
    # espeak: one fixed voice, timed to the segment
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
        if self.engine not in ENGINES:
            raise ValueError(f"resynth engine must be one of {', '.join(ENGINES)}, got "
                             f"{self.engine!r}")
        if isinstance(self.voices, str):
            self.voices = tuple(v.strip() for v in self.voices.split(",") if v.strip())
        self.voices = tuple(self.voices)
        if self.engine == "flite":
            bad = [v for v in self.voices if v not in FLITE_VOICES]
            if not self.voices or bad:
                raise ValueError(f"resynth flite voices must be a non-empty list of "
                                 f"{', '.join(FLITE_VOICES)}, got {','.join(self.voices)!r}")
        if not 0.0 <= self.pitch_jitter_st <= 12.0:
            raise ValueError(f"resynth pitch_jitter_st must be in 0..12, got "
                             f"{self.pitch_jitter_st}")
        if not 0.5 <= self.stretch_min <= self.stretch_max <= 2.0:
            raise ValueError(f"need 0.5 <= stretch_min <= stretch_max <= 2, got "
                             f"{self.stretch_min}, {self.stretch_max}")
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

    @property
    def binary(self) -> str:
        return self.tts_binary or DEFAULT_BINARY[self.engine]


@dataclass(frozen=True)
class PseudoVoice:
    """The voice one utterance is re-spoken with (flite; espeak uses its fixed voice)."""

    voice: str
    f0_mean_hz: float  # target mean F0 (flite int_f0_target_mean)
    stretch: float  # flite duration_stretch (> 1 = slower)


def draw_voice(rng: np.random.Generator, config: ResynthConfig) -> PseudoVoice:
    """One utterance's pseudo-voice. Its only inputs are the session generator and the
    configuration: nothing of the speech can reach it. Always three draws per call, so the
    k-th utterance of a seeded session gets the same voice whatever came before."""
    k = int(rng.integers(len(config.voices)))
    st = float(rng.uniform(-config.pitch_jitter_st, config.pitch_jitter_st))
    stretch = float(rng.uniform(config.stretch_min, config.stretch_max))
    name = config.voices[k]
    return PseudoVoice(name, FLITE_VOICES.get(name, 120.0) * 2.0 ** (st / 12.0), stretch)


class TtsError(RuntimeError):
    """The TTS program cannot be used (one-line message)."""


def _parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV (espeak-ng's --stdout size fields are placeholders: not read)."""
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


def _find_program(config: ResynthConfig) -> str:
    exe = config.binary
    path = exe if os.sep in exe else shutil.which(exe)
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise TtsError(f"resynth TTS program {exe!r} not found or not executable "
                       f"({INSTALL_HINT[config.engine]}, or set voice.resynth_tts_binary)")
    return path


def _to16k(x: np.ndarray, rate: int) -> np.ndarray:
    if rate != SAMPLE_RATE:
        g = np.gcd(rate, SAMPLE_RATE)
        x = resample_poly(x, SAMPLE_RATE // g, rate // g).astype(np.float32)
    return np.clip(x, -1.0, 1.0).astype(np.float32)


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class EspeakTts:
    """espeak-ng as a subprocess (text on stdin, WAV on stdout), output at 16 kHz, in one
    fixed voice (the ``voice`` argument of :meth:`speak` is ignored)."""

    def __init__(self, config: ResynthConfig) -> None:
        self.config = config
        self.path = _find_program(config)
        try:  # the voice must exist: fail at construction, not on the first segment
            self.synthesize("test", config.rate_wpm, timeout=max(10.0, config.tts_timeout_s))
        except (OSError, subprocess.SubprocessError, TtsError) as exc:
            raise TtsError(f"resynth TTS {config.binary!r} with voice {config.voice!r} does "
                           f"not work: {_first_line(exc)}") from None

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
        return _to16k(*_parse_wav(res.stdout))

    def speak(self, text: str, duration_s: float,
              voice: PseudoVoice | None = None) -> np.ndarray:
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


class FliteTts:
    """CMU Flite as a subprocess (text from a file, WAV to a file in a private temporary
    folder), output at 16 kHz, speaking with the :class:`PseudoVoice` it is given."""

    FIT = 1.25  # re-spoken speech longer than FIT x the segment is sped up to fit

    def __init__(self, config: ResynthConfig) -> None:
        self.config = config
        self.path = _find_program(config)
        for v in config.voices:  # every voice must work: fail at construction
            try:
                self.synthesize("test", PseudoVoice(v, FLITE_VOICES[v], 1.0),
                                timeout=max(10.0, config.tts_timeout_s))
            except (OSError, subprocess.SubprocessError, TtsError) as exc:
                raise TtsError(f"resynth TTS {config.binary!r} with voice {v!r} does not "
                               f"work: {_first_line(exc)}") from None

    def synthesize(self, text: str, voice: PseudoVoice,
                   timeout: float | None = None) -> np.ndarray:
        """``text`` in ``voice``, 16 kHz mono float32. Raises on any failure."""
        c = self.config
        with tempfile.TemporaryDirectory(prefix="resynth-") as tmp:
            txt, wav = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.wav")
            with open(txt, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            cmd = [self.path, "-voice", voice.voice, "-f", txt, "-o", wav,
                   "--setf", f"duration_stretch={voice.stretch:.4f}",
                   "--setf", f"int_f0_target_mean={voice.f0_mean_hz:.2f}"]
            res = subprocess.run(cmd, capture_output=True, check=False,
                                 timeout=c.tts_timeout_s if timeout is None else timeout)
            if res.returncode != 0:
                err = (res.stderr or res.stdout).decode("utf-8", "replace").strip().splitlines()
                raise TtsError(f"exit status {res.returncode}" + (f": {err[0]}" if err else ""))
            try:
                with open(wav, "rb") as fh:
                    data = fh.read()
            except FileNotFoundError:
                raise TtsError("flite wrote no WAV file (unknown voice?)") from None
        return _to16k(*_parse_wav(data))

    def speak(self, text: str, duration_s: float,
              voice: PseudoVoice | None = None) -> np.ndarray:
        """``text`` in ``voice`` at its drawn stretch; sped up (not below ``stretch_min``)
        only when that runs longer than ``FIT`` x ``duration_s``."""
        c = self.config
        if voice is None:
            voice = PseudoVoice(c.voices[0], FLITE_VOICES[c.voices[0]], 1.0)
        y = self.synthesize(text, voice)
        n_fit = self.FIT * duration_s * SAMPLE_RATE
        if duration_s > 0 and len(y) > n_fit and voice.stretch > c.stretch_min:
            faster = max(c.stretch_min, voice.stretch * n_fit / len(y))
            y = self.synthesize(text, PseudoVoice(voice.voice, voice.f0_mean_hz, faster))
        return y


def make_tts(config: ResynthConfig) -> EspeakTts | FliteTts:
    """The configured engine; raises :class:`TtsError` (one line) when it cannot be used."""
    return FliteTts(config) if config.engine == "flite" else EspeakTts(config)


@dataclass
class ResynthCounters:
    spoken: int = 0  # segments re-spoken
    failed: int = 0  # TTS failed or timed out: silence
    empty: int = 0  # recognition gave no words: silence
    late: int = 0  # recognition came back after asr_timeout_s: silence
    dropped: int = 0  # texts dropped from the full synthesis queue: silence
    backlog_dropped_samples: int = 0  # resynthesised samples dropped beyond max_backlog_s


class ResynthStream(QueueWorker):
    """Streaming output of the resynthesis anonymiser (see the module docstring)."""

    def __init__(self, config: ResynthConfig | None = None, sample_rate: int = SAMPLE_RATE,
                 rng: np.random.Generator | None = None) -> None:
        if sample_rate != SAMPLE_RATE:
            raise ValueError(f"ResynthStream runs at {SAMPLE_RATE} Hz, got {sample_rate}")
        self.config = config or ResynthConfig()
        self.tts = make_tts(self.config)  # raises TtsError with one line
        # The session generator (seeded for deterministic replays); flite draws one
        # pseudo-voice from it per submitted segment, in submission order.
        self.rng = rng if rng is not None else np.random.default_rng()
        self.voices: collections.deque[PseudoVoice] = collections.deque(maxlen=256)
        self.counters = ResynthCounters()
        self.last_error = ""
        self.tts_seconds: list[float] = []  # wall time of each synthesis (diagnostics)
        self._play: collections.deque = collections.deque()
        self._play_len = 0
        self._out = 0  # samples returned by process/drain since the stream started
        self._head_started = False
        # Output sample index at which each re-spoken segment began to play (diagnostics:
        # latency = play start - segment end on the stream clock; resynth_bench).
        self.play_starts: collections.deque[int] = collections.deque(maxlen=4096)
        self._start_worker("resynth", self.config.queue_size)

    @property
    def utterances(self) -> int:
        return self.counters.spoken

    @property
    def backlog_s(self) -> float:
        with self._cond:
            return self._play_len / SAMPLE_RATE

    def submit(self, text: str, duration_s: float, submitted_at: float | None = None) -> None:
        """A recognised segment to re-speak (never blocks). ``submitted_at``: when the
        segment went to recognition (``time.monotonic()``), for the late check. With flite,
        every call draws the next pseudo-voice (also for segments that end up silent), so
        the k-th segment's voice is the k-th draw of the session generator."""
        with self._cond:
            voice = draw_voice(self.rng, self.config) if self.config.engine == "flite" \
                else None
            if voice is not None:
                self.voices.append(voice)
            if submitted_at is not None and \
                    time.monotonic() - submitted_at > self.config.asr_timeout_s:
                self.counters.late += 1
                return
            if not text.strip():
                self.counters.empty += 1
                return
            if self._put((text.strip(), float(duration_s), voice)):
                self.counters.dropped += 1

    def _work(self, job: tuple[str, float, PseudoVoice | None]) -> None:
        text, duration, voice = job
        t0 = time.monotonic()
        try:
            y = self.tts.speak(text, duration, voice)
            err = "" if len(y) else "TTS returned no audio"
        except (OSError, subprocess.SubprocessError, TtsError, ValueError) as exc:
            y, err = np.zeros(0, np.float32), _first_line(exc)
        with self._cond:
            self.tts_seconds.append(time.monotonic() - t0)
            if err:
                self.counters.failed += 1
                self.last_error = err
                return
            self.counters.spoken += 1
            self._play.append(y)
            self._play_len += len(y)
            cap = int(self.config.max_backlog_s * SAMPLE_RATE)
            while self._play_len > cap and len(self._play) > 1:
                old = self._play.popleft()
                self._head_started = False
                self._play_len -= len(old)
                self.counters.backlog_dropped_samples += len(old)

    def _take(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.float32)
        k = 0
        with self._cond:
            while k < n and self._play:
                head = self._play[0]
                if not self._head_started:
                    self.play_starts.append(self._out + k)
                    self._head_started = True
                m = min(n - k, len(head))
                out[k:k + m] = head[:m]
                k += m
                if m == len(head):
                    self._play.popleft()
                    self._head_started = False
                else:
                    self._play[0] = head[m:]
                self._play_len -= m
            self._out += n
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

    def close(self) -> None:
        self._stop_worker(timeout=30)
