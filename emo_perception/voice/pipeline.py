"""The streaming voice chain: chunks in -> anonymised audio, activity, prosody, speech.

``VoicePipeline.process(samples, sample_rate, stamp)`` accepts any chunk (any rate, mono or
(n, channels), float or integer PCM, including empty, NaN-filled or clipped ones) and returns
a :class:`VoiceOutput`. Everything runs at 16 kHz; other rates are resampled exactly as a
whole-signal ``resample_poly`` would. The stream clock starts at the first chunk's stamp and
then advances by sample count (stamp jumps are counted, not followed), so segment times and
anonymised audio stay consistent. Recognition runs in a background thread; its results come
back in later outputs (or through ``on_speech``). Bad input is counted in ``counters``.
"""

from __future__ import annotations

import collections
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.perception.types import StageStats
from emo_perception.voice.asr import AsrConfig, AsrWorker, SpeechResult
from emo_perception.voice.capture import AudioChunk, StreamResampler, to_mono_float32
from emo_perception.voice.mcadams import McAdamsConfig, McAdamsStream
from emo_perception.voice.resynth import ResynthConfig, ResynthStream
from emo_perception.voice.world_anon import WorldAnonConfig, WorldAnonStream
from emo_perception.voice.prosody import ProsodyConfig, ProsodyFeatures, ProsodyWindower
from emo_perception.voice.vad import ActivityUpdate, SileroVad, SpeechSegment, VadConfig

SAMPLE_RATE = 16000
MAX_INPUT_RATE = 384000
ANONYMISER_METHODS = ("world", "mcadams", "resynth")


@dataclass
class VoiceConfig:
    """All voice settings as flat fields (names mirror the voice node's ROS parameters)."""

    anonymise: bool = setting(True, "publish anonymised audio on voice/deid_audio")
    anonymiser_method: str = setting("resynth",
                                     "'resynth' (Whisper's words re-spoken by flite in a "
                                     "pseudo-voice drawn per utterance; silence until a "
                                     "segment is recognised; needs asr_enabled), 'world' "
                                     "(WORLD resynthesis, new random pseudo-voice per "
                                     "utterance) or 'mcadams'; measured EERs in "
                                     "docs/voice.md",
                                     choices=ANONYMISER_METHODS)
    mcadams_alpha: float = setting(0.8, "McAdams coefficient (0.8 classic; lower = stronger)",
                                   range=(0.05, 1.5))
    mcadams_random_alpha: bool = setting(False,
                                         "McAdams: draw alpha from U(0.5, 0.9) for every "
                                         "utterance")
    world_f0_min_hz: float = setting(95.0,
                                     "WORLD: lowest pseudo-speaker median F0 drawn per utterance",
                                     range=(50.0, 400.0))
    world_f0_max_hz: float = setting(230.0,
                                     "WORLD: highest pseudo-speaker median F0 drawn per utterance",
                                     range=(50.0, 400.0))
    world_warp_min: float = setting(0.7, "WORLD: smallest formant warp factor drawn per utterance",
                                    range=(0.6, 1.0))
    world_warp_max: float = setting(1.4, "WORLD: largest formant warp factor drawn per utterance",
                                    range=(1.0, 1.6))
    world_warp_exclude: float = setting(1.15,
                                        "WORLD: formant warps closer to 1 than this factor "
                                        "are not drawn (1 = none excluded)",
                                        range=(1.0, 1.3))
    world_bilinear_max: float = setting(0.1,
                                        "WORLD: largest |alpha| of a random bilinear frequency "
                                        "warp drawn per utterance", range=(0.0, 0.3))
    world_timbre_db: float = setting(6.0,
                                     "WORLD: spread of a random pseudo-speaker envelope "
                                     "curve drawn per utterance [dB]", range=(0.0, 12.0))
    world_breath_max: float = setting(0.2,
                                      "WORLD: largest random breathiness (aperiodicity) raise "
                                      "per utterance (0 = the speaker's own)",
                                      range=(0.0, 0.8))
    world_block_ms: float = setting(160.0,
                                    "WORLD: streaming block (latency = block + 60 ms context)",
                                    range=(40.0, 1000.0))
    resynth_engine: str = setting("flite",
                                  "resynth: 'flite' (a pseudo-voice drawn per utterance) or "
                                  "'espeak' (espeak-ng in one fixed voice)",
                                  choices=("flite", "espeak"))
    resynth_tts_binary: str = setting("",
                                      "resynth: the TTS program, a name on PATH or a path "
                                      "('' = flite / espeak-ng)")
    resynth_voices: str = setting("slt,rms,awb,kal16",
                                  "resynth flite: comma-separated voices, one drawn per "
                                  "utterance (slt, rms, awb, kal16, kal)")
    resynth_pitch_jitter_st: float = setting(3.0,
                                             "resynth flite: the voice's mean F0 is moved by "
                                             "U(-j, +j) semitones per utterance",
                                             range=(0.0, 12.0))
    resynth_stretch_min: float = setting(0.9,
                                         "resynth flite: shortest duration stretch drawn per "
                                         "utterance (< 1 = faster)", range=(0.5, 2.0))
    resynth_stretch_max: float = setting(1.15,
                                         "resynth flite: longest duration stretch drawn per "
                                         "utterance", range=(0.5, 2.0))
    resynth_voice: str = setting("en-us+m3", "resynth espeak: espeak-ng voice "
                                 "(language+variant), the same for every speaker")
    resynth_pitch: int = setting(40, "resynth espeak: espeak-ng pitch (0-99)", range=(0, 99))
    resynth_word_gap_ms: float = setting(80.0, "resynth espeak: pause between words [ms]",
                                         range=(0.0, 500.0))
    resynth_rate_min_wpm: float = setting(120.0,
                                          "resynth espeak: slowest speaking rate when timing "
                                          "the "
                                          "speech to the segment [words/min]",
                                          range=(80.0, 450.0))
    resynth_rate_max_wpm: float = setting(190.0,
                                          "resynth espeak: fastest speaking rate [words/min]",
                                          range=(80.0, 450.0))
    resynth_tts_timeout_s: float = setting(5.0,
                                           "resynth: a synthesis taking longer fails (the "
                                           "segment stays silent, counted)",
                                           range=(0.001, 60.0))
    resynth_asr_timeout_s: float = setting(15.0,
                                           "resynth: recognition results later than this "
                                           "after the segment are not spoken (counted)",
                                           range=(0.1, 300.0))
    seed: int = setting(-1, "seed of the per-utterance anonymiser draws (-1 = fresh each session)")
    deterministic: bool = setting(False, "reproducible replays: with seed -1 the draws use "
                                  "seed 0; Whisper decodes greedily (no sampling fallback)")
    vad_model_path: str = setting("",
                                  "silero VAD ONNX file ('' = the one bundled with "
                                  "faster-whisper)")
    vad_threshold: float = setting(0.5, "speech probability threshold of silero VAD",
                                   range=(0.01, 0.99))
    vad_min_silence_ms: float = setting(200.0, "silence that ends a speech segment [ms]")
    vad_speech_pad_ms: float = setting(30.0,
                                       "padding added before and after each speech segment [ms]")
    vad_end_pad_ms: float = setting(0.0, "extra padding after a segment's end [ms]")
    vad_min_speech_ms: float = setting(120.0, "shorter speech is dropped as noise [ms]")
    prosody_window_s: float = setting(2.0, "sliding prosody window [s]", range=(0.1, 60.0))
    prosody_hop_s: float = setting(1.0, "hop between sliding prosody windows [s]",
                                   range=(0.05, 60.0))
    f0_min_hz: float = setting(60.0, "lowest pitch tracked [Hz]", range=(20.0, 1000.0))
    f0_max_hz: float = setting(400.0, "highest pitch tracked [Hz]", range=(20.0, 2000.0))
    asr_enabled: bool = setting(True, "recognise speech (Whisper tiny.en by default)")
    asr_model_path: str = setting("", "CTranslate2 Whisper folder ('' = the bundled tiny.en)")
    asr_language: str = setting("en", "Whisper language code")
    asr_compute_type: str = setting("int8", "CTranslate2 compute type (int8, float32, ...)")
    asr_beam_size: int = setting(1, "Whisper beam size (1 = greedy)", range=(1, 16))
    asr_queue_size: int = setting(8,
                                  "speech segments waiting for recognition; the oldest is dropped "
                                  "(counted) when full",
                                  range=(1, 1000))
    asr_max_segment_s: float = setting(30.0,
                                       "longer speech is recognised in pieces of this length",
                                       range=(1.0, 30.0))
    asr_on_anonymised: bool = setting(False,
                                      "recognise the anonymised audio instead of the raw audio")
    num_threads: int = setting(1, "onnxruntime and CTranslate2 threads", range=(1, 64))
    clip_level: float = setting(0.999, "|sample| at or above this counts as clipped",
                                range=(0.01, 1.0))
    silent_chunk_db: float = setting(-60.0, "chunks below this level [dBFS] count as silent",
                                     range=(-200.0, 0.0))
    stamp_jump_s: float = setting(0.1,
                                  "larger disagreement between stamp and sample clock is counted",
                                  range=(0.001, 60.0))

    def __post_init__(self) -> None:
        check_settings(self)
        # Building the stage configs validates their fields with their own messages.
        self.mcadams_config()
        self.world_config()
        if self.anonymiser_method == "resynth":
            self.resynth_config()
            if self.anonymise and not self.asr_enabled:
                raise ValueError("VoiceConfig.anonymiser_method 'resynth' re-speaks the "
                                 "recognised words: it needs asr_enabled true")
            if self.asr_on_anonymised:
                raise ValueError("VoiceConfig.asr_on_anonymised cannot be used with "
                                 "anonymiser_method 'resynth' (its output is the ASR's words)")
        self.vad_config()
        self.prosody_config()
        self.asr_config()

    def mcadams_config(self) -> McAdamsConfig:
        return McAdamsConfig(alpha=self.mcadams_alpha, random_alpha=self.mcadams_random_alpha,
                             seed=self.seed)

    def world_config(self) -> WorldAnonConfig:
        return WorldAnonConfig(f0_target_min_hz=self.world_f0_min_hz,
                               f0_target_max_hz=self.world_f0_max_hz,
                               warp_min=self.world_warp_min, warp_max=self.world_warp_max,
                               warp_exclude=self.world_warp_exclude,
                               bilinear_max=self.world_bilinear_max,
                               timbre_db=self.world_timbre_db,
                               breath_max=self.world_breath_max,
                               block_ms=self.world_block_ms)

    def resynth_config(self) -> ResynthConfig:
        rate = min(max(150.0, self.resynth_rate_min_wpm), self.resynth_rate_max_wpm)
        return ResynthConfig(engine=self.resynth_engine, tts_binary=self.resynth_tts_binary,
                             voices=self.resynth_voices,
                             pitch_jitter_st=self.resynth_pitch_jitter_st,
                             stretch_min=self.resynth_stretch_min,
                             stretch_max=self.resynth_stretch_max, voice=self.resynth_voice,
                             pitch=self.resynth_pitch, word_gap_ms=self.resynth_word_gap_ms,
                             rate_wpm=rate, rate_min_wpm=self.resynth_rate_min_wpm,
                             rate_max_wpm=self.resynth_rate_max_wpm,
                             tts_timeout_s=self.resynth_tts_timeout_s,
                             asr_timeout_s=self.resynth_asr_timeout_s,
                             max_backlog_s=max(30.0, 2 * self.asr_max_segment_s),
                             queue_size=self.asr_queue_size)

    def session_seed(self) -> int | None:
        """Seed of the session generator for per-utterance draws (None = fresh entropy)."""
        if self.seed >= 0:
            return self.seed
        return 0 if self.deterministic else None

    def vad_config(self) -> VadConfig:
        return VadConfig(model_path=self.vad_model_path, threshold=self.vad_threshold,
                         min_silence_ms=self.vad_min_silence_ms,
                         speech_pad_ms=self.vad_speech_pad_ms, end_pad_ms=self.vad_end_pad_ms,
                         min_speech_ms=self.vad_min_speech_ms, num_threads=self.num_threads)

    def prosody_config(self) -> ProsodyConfig:
        return ProsodyConfig(f0_min_hz=self.f0_min_hz, f0_max_hz=self.f0_max_hz,
                             window_s=self.prosody_window_s, window_hop_s=self.prosody_hop_s)

    def asr_config(self) -> AsrConfig:
        return AsrConfig(enabled=self.asr_enabled, model_path=self.asr_model_path,
                         language=self.asr_language, compute_type=self.asr_compute_type,
                         cpu_threads=self.num_threads, beam_size=self.asr_beam_size,
                         queue_size=self.asr_queue_size, max_segment_s=self.asr_max_segment_s,
                         temperature_fallback=not self.deterministic)


@dataclass
class VoiceCounters:
    """Diagnostics since the pipeline started (all monotonically increasing)."""

    chunks: int = 0
    samples_in: int = 0  # at the chunk's own rate
    empty_chunks: int = 0
    rejected_chunks: int = 0  # unusable shape, dtype or sample rate; dropped and counted
    nan_chunks: int = 0
    nan_samples: int = 0  # replaced by zeros
    clipped_chunks: int = 0
    clipped_samples: int = 0
    silent_chunks: int = 0
    anon_clipped_samples: int = 0  # anonymised samples beyond [-1, 1], clipped on output
    resampled_chunks: int = 0
    rate_changes: int = 0
    stamp_jumps: int = 0
    segments: int = 0
    asr_submitted: int = 0
    asr_completed: int = 0
    asr_dropped: int = 0  # oldest segments dropped from the full recognition queue
    asr_errors: int = 0
    asr_skipped_short: int = 0  # speech pieces shorter than Whisper's useful minimum
    bad_stamps: int = 0  # non-finite stamps (the sample clock is used instead)
    # resynth: every segment not counted in resynth_spoken stayed silent
    resynth_spoken: int = 0  # segments re-spoken
    resynth_failed: int = 0  # TTS failed or timed out
    resynth_empty: int = 0  # recognition returned no words
    resynth_late: int = 0  # recognition came back after resynth_asr_timeout_s
    resynth_dropped: int = 0  # dropped from the full synthesis queue
    resynth_backlog_dropped_samples: int = 0  # re-spoken audio beyond the playout backlog

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class SegmentReport:
    """A finished speech segment with its prosody."""

    segment: SpeechSegment
    prosody: ProsodyFeatures


@dataclass
class VoiceOutput:
    """What one ``process`` call produced. Times are seconds on the stream clock."""

    anonymised: AudioChunk | None = None  # 16 kHz; None when anonymisation is off
    activity: list[ActivityUpdate] = field(default_factory=list)
    segments: list[SegmentReport] = field(default_factory=list)
    prosody: list[ProsodyFeatures] = field(default_factory=list)  # sliding windows
    speech: list[SpeechResult] = field(default_factory=list)
    speaking: bool = False
    speech_probability: float = 0.0
    warning: str = ""  # one line when this chunk was rejected or repaired


class _History:
    """The last ``capacity`` samples of a stream, kept as chunks (appending copies nothing)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._parts: collections.deque[np.ndarray] = collections.deque()
        self._kept = 0
        self.total = 0  # samples appended since the start

    def append(self, x: np.ndarray) -> None:
        if len(x) == 0:
            return
        self._parts.append(x)
        self._kept += len(x)
        self.total += len(x)
        while self._kept - len(self._parts[0]) >= self.capacity:
            self._kept -= len(self._parts.popleft())

    def cut(self, a: int, b: int) -> np.ndarray:
        """Samples [a, b) in stream indices (clipped to what is still kept)."""
        first = self.total - self._kept
        if not self._parts:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(self._parts)[max(0, a - first):max(0, b - first)]


def make_anonymiser_stream(config: VoiceConfig
                           ) -> McAdamsStream | WorldAnonStream | ResynthStream:
    """The configured anonymiser at 16 kHz, drawing from one session generator (resynth
    with flite draws its pseudo-voices from it; with espeak it draws nothing)."""
    rng = np.random.default_rng(config.session_seed())
    if config.anonymiser_method == "resynth":
        return ResynthStream(config.resynth_config(), SAMPLE_RATE, rng=rng)
    if config.anonymiser_method == "mcadams":
        return McAdamsStream(config.mcadams_config(), SAMPLE_RATE, rng=rng)
    return WorldAnonStream(config.world_config(), SAMPLE_RATE, rng=rng)


class VoicePipeline:
    """Streaming voice chain; one instance per audio stream."""

    def __init__(self, config: VoiceConfig | None = None,
                 on_speech: Callable[[SpeechResult], None] | None = None) -> None:
        self.config = config or VoiceConfig()
        self.counters = VoiceCounters()
        self._vad = SileroVad(self.config.vad_config())
        self._anon = make_anonymiser_stream(self.config) if self.config.anonymise else None
        self._prosody_cfg = self.config.prosody_config()
        self._windows = ProsodyWindower(self._prosody_cfg, SAMPLE_RATE)
        asr_cfg = self.config.asr_config()
        self._asr = AsrWorker(asr_cfg, on_speech) if asr_cfg.enabled else None
        self._resampler: StreamResampler | None = None
        self._rate: int | None = None
        self._t0: float | None = None
        self._n_in = 0.0  # input time consumed, seconds (sum of chunk durations)
        self._n16 = 0  # 16 kHz samples produced by resampling
        self._n_anon = 0
        # Recent raw (and anonymised) 16 kHz audio, to cut finished segments from.
        hist_len = int((asr_cfg.max_segment_s + 5.0) * SAMPLE_RATE)
        self._raw = _History(hist_len)
        self._anon_hist = _History(hist_len)
        self._asr_cursor: float | None = None  # open segment recognised up to here
        self._asr_sent: dict[float, float] = {}  # resynth: segment start -> submit time
        # resynth with deterministic: wait for recognition and synthesis of each segment
        self._resynth_sync = isinstance(self._anon, ResynthStream) and self.config.deterministic
        self._last_error = ""  # newest of: rejected chunk, ASR error, TTS failure
        self._seen_errors = ("", "")  # (ASR, TTS) last_error already taken over

    def stage_stats(self) -> StageStats:
        """The stage protocol's snapshot (``perception.types.Stage``), from the counters:
        ``processed`` chunks with samples, ``skipped`` empty chunks, ``rejected`` unusable
        ones (shape, dtype, sample rate), ``errors`` recognition errors plus failed
        syntheses (``resynth``), ``last_error`` the newest of those (one line)."""
        c = self.counters
        self._note_errors()
        return StageStats(processed=c.chunks - c.empty_chunks - c.rejected_chunks,
                          skipped=c.empty_chunks, rejected=c.rejected_chunks,
                          errors=c.asr_errors + c.resynth_failed, last_error=self._last_error)

    def forget(self, track_id: str) -> None:
        """Stage protocol: voice holds no per-person track state (one stream, no person
        tracks), so there is nothing to drop; any id is accepted."""

    def _note_errors(self) -> None:
        asr = self._asr.last_error if self._asr is not None else self._seen_errors[0]
        tts = self._anon.last_error if isinstance(self._anon, ResynthStream) \
            else self._seen_errors[1]
        for new, old in ((asr, self._seen_errors[0]), (tts, self._seen_errors[1])):
            if new and new != old:
                self._last_error = new[:300]
        self._seen_errors = (asr, tts)

    @property
    def alpha(self) -> float:
        """McAdams: the current alpha (per utterance with random alpha); WORLD: NaN."""
        if isinstance(self._anon, McAdamsStream):
            return self._anon.alpha
        if self._anon is None and self.config.anonymiser_method == "mcadams":
            return float(self.config.mcadams_alpha)
        return float("nan")

    @property
    def anonymiser_state(self) -> dict[str, float]:
        """What the anonymiser currently uses (diagnostics; never the speaker's values)."""
        a = self._anon
        if isinstance(a, WorldAnonStream):
            return {"utterances": a.utterances, "target_f0_hz": a.target_f0,
                    "formant_warp": a.beta}
        if isinstance(a, McAdamsStream):
            return {"utterances": a.utterances, "alpha": a.alpha}
        if isinstance(a, ResynthStream):
            return {"utterances": a.utterances, "backlog_s": a.backlog_s}
        return {}

    @property
    def asr_pending(self) -> int:
        return self._asr.pending if self._asr else 0

    def _clean(self, samples: np.ndarray, sample_rate: int) -> tuple[np.ndarray | None, str]:
        c = self.counters
        try:
            rate = int(sample_rate)
            if not 0 < rate <= MAX_INPUT_RATE:
                raise ValueError(f"sample rate {sample_rate} outside (0, {MAX_INPUT_RATE}]")
            x = to_mono_float32(np.asarray(samples))
        except (TypeError, ValueError, OverflowError) as exc:
            c.rejected_chunks += 1
            self._last_error = f"chunk rejected: {exc}".splitlines()[0][:300]
            return None, f"chunk rejected: {exc}"
        warning = ""
        bad = ~np.isfinite(x)
        if bad.any():
            c.nan_chunks += 1
            c.nan_samples += int(bad.sum())
            x = np.where(bad, 0.0, x).astype(np.float32)
            warning = f"{int(bad.sum())} non-finite samples replaced by zeros"
        clipped = np.abs(x) >= self.config.clip_level
        if clipped.any():
            c.clipped_chunks += 1
            c.clipped_samples += int(clipped.sum())
            x = np.clip(x, -1.0, 1.0)
            warning = warning or f"{int(clipped.sum())} clipped samples"
        if len(x) and 10 * math.log10(float(np.mean(x.astype(np.float64) ** 2)) + 1e-20) \
                < self.config.silent_chunk_db:
            c.silent_chunks += 1
        return x, warning

    def process(self, samples: np.ndarray, sample_rate: int, stamp: float) -> VoiceOutput:
        """Feed one chunk; return what it completed (never raises on bad audio)."""
        c = self.counters
        c.chunks += 1
        x, warning = self._clean(samples, sample_rate)
        if x is None:
            return self._finish(np.zeros(0, dtype=np.float32), warning)
        if len(x) == 0:
            c.empty_chunks += 1
            return self._finish(x, warning)
        rate = int(sample_rate)
        c.samples_in += len(x)
        try:
            stamp = float(stamp)
        except (TypeError, ValueError):
            stamp = float("nan")
        if not math.isfinite(stamp):
            c.bad_stamps += 1
            stamp = 0.0 if self._t0 is None else self._t0 + self._n_in
        if self._t0 is None:
            self._t0 = float(stamp)
            self._vad.reset(self._t0)
            self._windows.reset(self._t0)
        elif abs(float(stamp) - (self._t0 + self._n_in)) > self.config.stamp_jump_s:
            c.stamp_jumps += 1
        if rate != self._rate:
            prefix = np.zeros(0, dtype=np.float32)
            if self._resampler is not None:
                c.rate_changes += 1
                prefix = self._resampler.flush()
            self._rate = rate
            self._resampler = StreamResampler(rate, SAMPLE_RATE)
        else:
            prefix = np.zeros(0, dtype=np.float32)
        if rate != SAMPLE_RATE:
            c.resampled_chunks += 1
        self._n_in += len(x) / rate
        x16 = np.concatenate([prefix, self._resampler.process(x)])
        return self._finish(x16, warning)

    def _finish(self, x16: np.ndarray, warning: str, final: bool = False) -> VoiceOutput:
        out = VoiceOutput(warning=warning)
        if self._t0 is None:
            out.speech = self._poll()
            return out
        self._n16 += len(x16)
        self._raw.append(x16)
        if self._anon is not None:
            y = self._anon.process(x16)
            if final:
                y = np.concatenate([y, self._anon.flush()])
            over = np.abs(y) > 1.0
            if over.any():  # the warp can raise peaks; published audio stays in range
                self.counters.anon_clipped_samples += int(over.sum())
                y = np.clip(y, -1.0, 1.0)
            out.anonymised = AudioChunk(y, SAMPLE_RATE, self._t0 + self._n_anon / SAMPLE_RATE)
            self._n_anon += len(y)
            self._anon_hist.append(y)
        updates, segments = self._vad.process(x16)
        if final:
            more_u, more_s = self._vad.flush()
            updates, segments = updates + more_u, segments + more_s
        out.activity = updates
        out.speaking = self._vad.speaking
        out.speech_probability = self._vad.last_probability
        out.prosody = self._windows.process(x16)
        sent = self.counters.asr_submitted
        for seg in segments:
            out.segments.append(self._segment(seg))
        self._long_speech()
        if self.counters.asr_submitted > sent and self._resynth_sync:
            # deterministic replays: the segment's words are re-spoken before the next chunk,
            # so where they land in the output does not depend on compute speed
            self._asr.wait_idle(self.config.resynth_asr_timeout_s)
            out.speech = self._poll()
            self._anon.wait_idle(2 * self.config.resynth_tts_timeout_s + 1.0)
            self._sync_resynth()
        else:
            out.speech = self._poll()
        return out

    def _cut(self, hist: _History, seg: SpeechSegment) -> np.ndarray:
        a = int(round((seg.start - self._t0) * SAMPLE_RATE))
        b = int(round((seg.end - self._t0) * SAMPLE_RATE))
        return hist.cut(a, b)

    def _submit(self, start: float, end: float) -> None:
        """Queue [start, end) of the stream for recognition (raw or anonymised audio)."""
        assert self._asr is not None
        if end - start < self._asr.config.min_segment_s:
            self.counters.asr_skipped_short += 1
            return
        piece = SpeechSegment(start, end)
        hist = self._anon_hist if self.config.asr_on_anonymised and self._anon is not None \
            else self._raw
        self._asr.submit(self._cut(hist, piece), start)
        self.counters.asr_submitted += 1
        if isinstance(self._anon, ResynthStream):
            now = time.monotonic()
            limit = 4 * self.config.resynth_asr_timeout_s
            for k in [k for k, t in self._asr_sent.items() if now - t > limit]:
                del self._asr_sent[k]  # results that never came (dropped, errors)
            self._asr_sent[round(start, 6)] = now

    def _segment(self, seg: SpeechSegment) -> SegmentReport:
        self.counters.segments += 1
        feats = self._windows.segment(seg.start, seg.end)
        if self._asr is not None:
            begin = seg.start
            if self._asr_cursor is not None and self._asr_cursor > seg.start:
                begin = self._asr_cursor  # the earlier part went out while it was spoken
            self._submit(begin, seg.end)
        self._asr_cursor = None
        return SegmentReport(seg, feats)

    def _long_speech(self) -> None:
        """Send Whisper-sized pieces of speech that is still going on."""
        since = self._vad.open_since
        if self._asr is None or since is None:
            return
        step = self._asr.config.max_segment_s
        cursor = since if self._asr_cursor is None else max(self._asr_cursor, since)
        now = self._t0 + self._n16 / SAMPLE_RATE
        while now - cursor >= step:
            self._submit(cursor, cursor + step)
            cursor += step
        self._asr_cursor = cursor if cursor > since else None

    def _poll(self) -> list[SpeechResult]:
        if self._asr is None:
            return []
        results = self._asr.poll()
        self.counters.asr_completed += len(results)
        self.counters.asr_dropped = self._asr.dropped
        self.counters.asr_errors = self._asr.errors
        if isinstance(self._anon, ResynthStream):
            for r in results:
                sent = self._asr_sent.pop(round(r.start, 6), None)
                self._anon.submit(r.text, r.end - r.start, sent)
            self._sync_resynth()
        return results

    def _sync_resynth(self) -> None:
        assert isinstance(self._anon, ResynthStream)
        rc, c = self._anon.counters, self.counters
        c.resynth_spoken, c.resynth_failed, c.resynth_empty = rc.spoken, rc.failed, rc.empty
        c.resynth_late, c.resynth_dropped = rc.late, rc.dropped
        c.resynth_backlog_dropped_samples = rc.backlog_dropped_samples

    def poll_speech(self) -> list[SpeechResult]:
        """Recognition results finished since the last output (for a timer-driven node)."""
        return self._poll()

    def flush(self, wait_asr: bool = True, timeout: float = 120.0) -> VoiceOutput:
        """End of stream: drain resampler, anonymiser and VAD; optionally wait for ASR.

        The pipeline stays usable: the next chunk starts a new stream whose clock begins at
        that chunk's stamp. Counters keep counting.
        """
        tail = self._resampler.flush() if self._resampler is not None else \
            np.zeros(0, dtype=np.float32)
        out = self._finish(tail, "", final=True)
        if isinstance(self._anon, ResynthStream) and wait_asr and self._asr is not None:
            # Re-speak the last segments now, as the end of this stream's output.
            self._asr.wait_idle(timeout)
            out.speech += self._poll()
            self._anon.wait_idle(timeout)
            self._sync_resynth()
            rest = self._anon.drain()
            if len(rest) and out.anonymised is not None:
                out.anonymised = AudioChunk(np.concatenate([out.anonymised.samples, rest]),
                                            SAMPLE_RATE, out.anonymised.stamp)
                self._n_anon += len(rest)
                self._anon_hist.append(rest)
        # The stream has ended: the next chunk starts a new one (new clock from its stamp).
        self._t0, self._rate, self._resampler = None, None, None
        self._n_in, self._n16, self._n_anon = 0.0, 0, 0
        self._raw = _History(self._raw.capacity)
        self._anon_hist = _History(self._anon_hist.capacity)
        self._asr_cursor = None
        if wait_asr and self._asr is not None:
            self._asr.wait_idle(timeout)
            out.speech += self._poll()
        return out

    def close(self) -> None:
        """Stop the recognition thread (queued segments are finished first)."""
        if self._asr is not None:
            self._asr.close()
            self._asr = None
        if isinstance(self._anon, ResynthStream):
            self._anon.close()
