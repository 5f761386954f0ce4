"""Prosody features (pitch, loudness, rate, voicing, pauses) and a heuristic arousal score.

F0 comes from a vectorised YIN (de Cheveigne & Kawahara 2002): cumulative-mean-normalised
difference function per 40 ms frame (10 ms hop), first dip under ``yin_threshold``, parabolic
refinement. Speaking rate counts syllable nuclei: peaks of the smoothed frame energy that rise
``nucleus_prominence_db`` above their surroundings, lie in voiced frames and are at least
``min_syllable_gap_s`` apart (the idea of de Jong & Wempe's Praat script).

Arousal mapping (documented, not learned; each term is clipped to [-1, 1]):
    loud  = (energy_db - (-26)) / 12                  energy of voiced frames, dBFS
    range = (f0_range_st - 5) / 5                     5th-95th percentile F0 span, semitones
    rate  = (speaking_rate - 4) / 2                   syllables per second
    level = f0_vs_baseline_st / 4                     mean F0 vs the session's running median
    arousal = tanh(0.9*loud + 0.6*range + 0.4*rate + 0.6*level)
Louder, wider-ranged, faster and higher-pitched speech reads as more aroused; the centres
are typical of calm read speech. The weights were set by hand, not fitted to labels.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import find_peaks


@dataclass
class ProsodyConfig:
    """Prosody analysis settings (flat fields, usable as ROS parameters)."""

    f0_min_hz: float = 60.0  # 40 ms frames hold two periods of 50 Hz
    f0_max_hz: float = 400.0
    yin_threshold: float = 0.15
    frame_ms: float = 40.0
    hop_ms: float = 10.0
    silence_db: float = -50.0  # frames quieter than this (dBFS) are silence
    min_pause_s: float = 0.2
    nucleus_prominence_db: float = 2.0
    min_syllable_gap_s: float = 0.1
    window_s: float = 2.0  # streaming prosody window length
    window_hop_s: float = 1.0

    def __post_init__(self) -> None:
        if not 20.0 <= self.f0_min_hz < self.f0_max_hz <= 1000.0:
            raise ValueError(f"need 20 <= f0_min_hz < f0_max_hz <= 1000, got "
                             f"{self.f0_min_hz}, {self.f0_max_hz}")
        if self.frame_ms < 2000.0 / self.f0_min_hz:
            raise ValueError(f"frame_ms={self.frame_ms} must cover two periods of f0_min_hz "
                             f"({2000.0 / self.f0_min_hz:.1f} ms)")
        if self.hop_ms <= 0 or self.window_hop_s <= 0 or self.window_s < self.window_hop_s:
            raise ValueError("hop_ms and window_hop_s must be > 0 and window_s >= window_hop_s")
        if not 0.01 <= self.yin_threshold <= 0.5:
            raise ValueError(f"yin_threshold must be in [0.01, 0.5], got {self.yin_threshold}")


@dataclass(frozen=True)
class ProsodyFeatures:
    """Features of one stretch of audio. F0 fields are NaN when nothing was voiced."""

    start: float
    end: float
    f0_mean_hz: float
    f0_range_st: float  # 5th-95th percentile span in semitones
    f0_slope_st_per_s: float  # linear trend of voiced F0 in semitones per second
    energy_db: float  # mean energy of non-silent frames, dBFS
    energy_range_db: float
    speaking_rate_sps: float  # syllable nuclei per second of non-pause time
    voiced_ratio: float  # voiced frames / non-silent frames
    pause_count: int
    pause_ratio: float  # time in pauses (>= min_pause_s) / duration
    arousal: float  # in [-1, 1]; see module docstring

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class FrameTrack:
    """Per-frame analysis: F0 (0 where unvoiced) and energy in dBFS."""

    f0: np.ndarray
    energy_db: np.ndarray
    hop_s: float


def _frames(x: np.ndarray, size: int, hop: int) -> np.ndarray:
    n = 1 + max(0, len(x) - size) // hop if len(x) >= size else 0
    if n == 0:
        return np.zeros((0, size))
    idx = np.arange(n)[:, None] * hop + np.arange(size)[None, :]
    return x[idx]


def analyse_frames(x: np.ndarray, sample_rate: int, cfg: ProsodyConfig) -> FrameTrack:
    """YIN F0 and energy for every frame of ``x``."""
    hop = int(round(sample_rate * cfg.hop_ms / 1000))
    size = int(round(sample_rate * cfg.frame_ms / 1000))
    tau_max = min(size // 2, int(sample_rate / cfg.f0_min_hz) + 1)
    tau_min = max(2, int(sample_rate / cfg.f0_max_hz))
    fr = _frames(np.asarray(x, dtype=np.float64), size, hop)
    if len(fr) == 0:
        return FrameTrack(np.zeros(0), np.zeros(0), hop / sample_rate)
    energy_db = 10 * np.log10(np.mean(fr ** 2, axis=1) + 1e-12)
    w = size - tau_max  # integration window of the difference function
    n_fft = 1 << int(np.ceil(np.log2(size + w)))
    spec_full = np.fft.rfft(fr, n_fft, axis=1)
    spec_head = np.fft.rfft(fr[:, :w], n_fft, axis=1)
    cross = np.fft.irfft(spec_full * np.conj(spec_head), n_fft, axis=1)[:, :tau_max + 1]
    sq = np.cumsum(np.concatenate([np.zeros((len(fr), 1)), fr ** 2], axis=1), axis=1)
    taus = np.arange(tau_max + 1)
    energy_shift = sq[:, taus + w] - sq[:, taus]  # sum of x[j+tau]^2 over the window
    d = sq[:, w:w + 1] + energy_shift - 2 * cross
    d[:, 0] = 0.0
    cum = np.cumsum(d[:, 1:], axis=1) / np.arange(1, tau_max + 1)
    cmnd = np.ones_like(d)
    cmnd[:, 1:] = d[:, 1:] / np.maximum(cum, 1e-12)
    f0 = np.zeros(len(fr))
    below = cmnd[:, tau_min:tau_max] < cfg.yin_threshold
    rows = np.flatnonzero(below.any(axis=1) & (energy_db > cfg.silence_db))
    if len(rows):
        c = cmnd[rows]
        first = tau_min + np.argmax(below[rows], axis=1)
        # Walk from the first dip under the threshold to its bottom (next non-descent).
        lag = np.arange(tau_max + 1)[None, :]
        rising = np.ones_like(c, dtype=bool)
        rising[:, :-1] = c[:, 1:] >= c[:, :-1]
        t = np.argmax(rising & (lag >= first[:, None]), axis=1)
        t = np.clip(t, 1, tau_max - 1)
        r = np.arange(len(rows))
        a, b, cc = c[r, t - 1], c[r, t], c[r, t + 1]
        denom = a - 2 * b + cc
        safe = np.abs(denom) > 1e-12
        shift = np.where(safe, 0.5 * (a - cc) / np.where(safe, denom, 1.0), 0.0)
        f0[rows] = sample_rate / (t + np.clip(shift, -1, 1))
    return FrameTrack(f0, energy_db, hop / sample_rate)


def features_from_track(track: FrameTrack, start: float, cfg: ProsodyConfig,
                        f0_baseline_hz: float = float("nan")) -> ProsodyFeatures:
    """Summarise a frame track covering [start, start + len * hop]."""
    n = len(track.f0)
    dur = n * track.hop_s
    sounding = track.energy_db > cfg.silence_db
    voiced = (track.f0 > 0) & sounding
    nan = float("nan")
    if voiced.sum() >= 3:
        st = 12 * np.log2(track.f0[voiced] / 100.0)
        f0_mean = float(np.mean(track.f0[voiced]))
        lo, hi = np.percentile(st, [5, 95])
        t = np.flatnonzero(voiced) * track.hop_s
        slope = float(np.polyfit(t, st, 1)[0]) if np.ptp(t) > 0 else 0.0
        f0_range = float(hi - lo)
    else:
        f0_mean = f0_range = slope = nan
    if sounding.any():
        e = track.energy_db[sounding]
        energy, e_range = float(np.mean(e)), float(np.percentile(e, 95) - np.percentile(e, 5))
    else:
        energy, e_range = float(cfg.silence_db), 0.0
    # Pauses: runs of silent frames at least min_pause_s long, not at the window edges.
    pauses, pause_time = 0, 0.0
    run = 0
    first_sound = int(np.argmax(sounding)) if sounding.any() else n
    last_sound = n - int(np.argmax(sounding[::-1])) if sounding.any() else 0
    for i in range(first_sound, last_sound):
        if not sounding[i]:
            run += 1
            continue
        if run * track.hop_s >= cfg.min_pause_s:
            pauses += 1
            pause_time += run * track.hop_s
        run = 0
    smooth = uniform_filter1d(track.energy_db, size=5, mode="nearest")
    gap = max(1, int(round(cfg.min_syllable_gap_s / track.hop_s)))
    peaks, _ = find_peaks(smooth, prominence=cfg.nucleus_prominence_db, distance=gap)
    nuclei = int(np.sum(voiced[peaks])) if len(peaks) else 0
    speech_time = max(0.0, (last_sound - first_sound) * track.hop_s - pause_time)
    rate = nuclei / speech_time if speech_time > 0.1 else 0.0
    voiced_ratio = float(voiced.sum() / sounding.sum()) if sounding.any() else 0.0
    level = 12 * math.log2(f0_mean / f0_baseline_hz) if math.isfinite(f0_mean) and \
        math.isfinite(f0_baseline_hz) and f0_baseline_hz > 0 else 0.0
    arousal = arousal_score(energy, f0_range, rate, level) if sounding.any() else -1.0
    return ProsodyFeatures(start, start + dur, f0_mean, f0_range, slope, energy, e_range,
                           rate, voiced_ratio, pauses, pause_time / dur if dur else 0.0,
                           arousal)


def arousal_score(energy_db: float, f0_range_st: float, rate_sps: float,
                  f0_vs_baseline_st: float = 0.0) -> float:
    """The documented arousal mapping (module docstring); NaN inputs count as neutral."""
    def term(v: float, centre: float, scale: float) -> float:
        return 0.0 if not math.isfinite(v) else float(np.clip((v - centre) / scale, -1, 1))
    z = (0.9 * term(energy_db, -26.0, 12.0) + 0.6 * term(f0_range_st, 5.0, 5.0)
         + 0.4 * term(rate_sps, 4.0, 2.0) + 0.6 * term(f0_vs_baseline_st, 0.0, 4.0))
    return float(math.tanh(z))


def prosody(x: np.ndarray, sample_rate: int, start: float = 0.0,
            config: ProsodyConfig | None = None,
            f0_baseline_hz: float = float("nan")) -> ProsodyFeatures:
    """Prosody features of a whole segment of audio."""
    cfg = config or ProsodyConfig()
    return features_from_track(analyse_frames(x, sample_rate, cfg), start, cfg, f0_baseline_hz)


class ProsodyWindower:
    """Streaming prosody from a frame track that analyses every frame exactly once.

    Every ``window_hop_s`` the last ``window_s`` of track is summarised; finished speech
    segments are summarised from the same track (:meth:`segment`). A running median of
    voiced F0 over the windows is the speaker's baseline for the arousal term.
    """

    def __init__(self, config: ProsodyConfig, sample_rate: int = 16000,
                 keep_s: float = 120.0) -> None:
        self.config = config
        self.sample_rate = int(sample_rate)
        self._hop = int(round(sample_rate * config.hop_ms / 1000))
        self._size = int(round(sample_rate * config.frame_ms / 1000))
        self._win_frames = int(round(config.window_s * 1000 / config.hop_ms))
        self._step_frames = int(round(config.window_hop_s * 1000 / config.hop_ms))
        self._keep = int(round(keep_s * 1000 / config.hop_ms))
        self.reset()

    def reset(self, t0: float = 0.0) -> None:
        self._t0 = float(t0)
        self._buf = np.zeros(0, dtype=np.float32)  # samples from frame _n_frames onwards
        self._n_frames = 0  # frames analysed since the stream began
        self._f0 = np.zeros(0)
        self._energy = np.zeros(0)
        self._first = 0  # stream index of the first frame kept in _f0/_energy
        self._next_window = self._win_frames
        self._f0_hist: list[float] = []

    @property
    def baseline_hz(self) -> float:
        return float(np.median(self._f0_hist)) if self._f0_hist else float("nan")

    def _summary(self, a: int, b: int, start: float) -> ProsodyFeatures:
        a, b = max(a, self._first), min(b, self._n_frames)
        track = FrameTrack(self._f0[a - self._first:b - self._first],
                           self._energy[a - self._first:b - self._first],
                           self._hop / self.sample_rate)
        return features_from_track(track, start, self.config, self.baseline_hz)

    def process(self, samples: np.ndarray) -> list[ProsodyFeatures]:
        """Add 16 kHz samples; return the windows that completed."""
        self._buf = np.concatenate([self._buf, np.asarray(samples, dtype=np.float32)])
        n_new = (len(self._buf) - self._size) // self._hop + 1 if len(self._buf) >= \
            self._size else 0
        if n_new > 0:
            used = (n_new - 1) * self._hop + self._size
            track = analyse_frames(self._buf[:used], self.sample_rate, self.config)
            self._f0 = np.concatenate([self._f0, track.f0])
            self._energy = np.concatenate([self._energy, track.energy_db])
            self._n_frames += n_new
            self._buf = self._buf[n_new * self._hop:]
            drop = max(0, len(self._f0) - self._keep)
            self._f0, self._energy = self._f0[drop:], self._energy[drop:]
            self._first += drop
        out = []
        while self._n_frames >= self._next_window:
            b = self._next_window
            a = b - self._win_frames
            feats = self._summary(a, b, self._t0 + a * self._hop / self.sample_rate)
            if math.isfinite(feats.f0_mean_hz):
                self._f0_hist = (self._f0_hist + [feats.f0_mean_hz])[-120:]
            out.append(feats)
            self._next_window += self._step_frames
        return out

    def segment(self, start: float, end: float) -> ProsodyFeatures:
        """Features of [start, end] (stream seconds) from the frames already analysed."""
        fps = self.sample_rate / self._hop
        a = int(round((start - self._t0) * fps))
        b = int(round((end - self._t0) * fps - self._size / self._hop)) + 1
        a = max(a, self._first)
        return self._summary(a, max(a, b), self._t0 + a / fps)
