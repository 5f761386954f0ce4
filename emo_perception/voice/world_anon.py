"""Source-filter voice anonymisation with the WORLD vocoder, per-utterance random pseudo-voice.

The signal is analysed with WORLD (Morise et al. 2016; ``pyworld``: DIO + StoneMask for F0,
CheapTrick for the spectral envelope, D4C for aperiodicity) and resynthesised with
  * a target F0 contour: the original contour times ``target / reference``, where ``target``
    is a pseudo-speaker median F0 drawn per utterance and ``reference`` is the running
    (log-domain) median of the speaker's own F0. Pitch level, a strong speaker cue, is
    replaced; pitch movement in semitones (intonation, what emotion needs) is kept exactly;
  * a normalised, then frequency-warped spectral envelope. Normalisation: the running mean
    of the log envelope over voiced frames (the speaker's long-term timbre, and the
    microphone's colouring) is replaced by a fixed generic curve (flat to 500 Hz, then
    -6 dB per octave), like cepstral mean normalisation; what is left is the phonetic
    detail. Warp: a bilinear (all-pass) frequency warp with ``alpha`` (formant ratios
    change: low formants move more than high ones), then sp'(f) = sp(f / beta)
    (vocal-tract-length warping, every formant moves by ``beta``). ``beta`` is log-uniform
    over [warp_min, warp_max] less the band (1/warp_exclude, warp_exclude) around 1, so no
    draw leaves the formants near the speaker's own; ``alpha`` ~ U(-bilinear_max,
    bilinear_max);
  * a pseudo-speaker long-term envelope: the generic curve times a random smooth curve
    (6 cosines on a mel axis, ``timbre_db`` spread), the envelope-domain analogue of
    VoicePrivacy's pseudo x-vector;
  * the original aperiodicity raised towards noise by a random ``breath`` in
    [0, breath_max] (ap' = 1 - (1 - ap)(1 - breath): a breathier or clearer voice quality),
    the original timing and per-frame energy.
All factors are drawn for every utterance, so the same speaker gets a different
pseudo-voice each time: an attacker who anonymises its own enrolment speech with this public
transform (the VoicePrivacy "lazy-informed" attacker) cannot reproduce the pseudo-voice of a
trial.

Streaming: blocks of ``block_ms`` are analysed with ``context_ms`` of audio on each side
(WORLD's analysis windows reach a few pitch periods), resynthesised, and cross-faded over
``crossfade_ms`` with sin^2 ramps that sum to one. A sample leaves at most
``block_ms + context_ms`` after it arrived (plus compute). An utterance ends after
``redraw_silence_ms`` of silence; the next voiced block draws new factors. Draws come from
the generator the caller passes (one per session: seeded when replays must be reproducible).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from emo_perception.voice.mcadams import ChunkStream


def _meta(help_text: str, lo: float | None = None, hi: float | None = None) -> dict:
    m: dict = {"help": help_text}
    if lo is not None:
        m["range"] = (lo, hi)
    return m


@dataclass
class WorldAnonConfig:
    """Parameters of the WORLD anonymiser (flat fields, usable as ROS parameters)."""

    f0_target_min_hz: float = field(default=95.0, metadata=_meta(
        "lowest pseudo-speaker median F0 drawn per utterance", 50.0, 400.0))
    f0_target_max_hz: float = field(default=230.0, metadata=_meta(
        "highest pseudo-speaker median F0 drawn per utterance", 50.0, 400.0))
    warp_min: float = field(default=0.7, metadata=_meta(
        "smallest formant (envelope frequency) warp factor drawn per utterance", 0.6, 1.0))
    warp_max: float = field(default=1.4, metadata=_meta(
        "largest formant warp factor drawn per utterance", 1.0, 1.6))
    block_ms: float = field(default=160.0, metadata=_meta(
        "streaming block; latency is block_ms + context_ms", 40.0, 1000.0))
    context_ms: float = field(default=60.0, metadata=_meta(
        "analysis context each side of a block", 20.0, 200.0))
    crossfade_ms: float = field(default=20.0, metadata=_meta(
        "cross-fade between resynthesised blocks", 5.0, 60.0))
    normalise_envelope: bool = field(default=True, metadata=_meta(
        "replace the speaker's long-term envelope by a generic curve"))
    redraw_silence_ms: float = field(default=300.0, metadata=_meta(
        "silence that ends an utterance (new pseudo-voice after it)", 50.0, 5000.0))
    silence_db: float = field(default=-45.0, metadata=_meta(
        "blocks quieter than this (dBFS) count as silence", -90.0, -10.0))
    warp_exclude: float = field(default=1.15, metadata=_meta(
        "formant warps closer to 1 than this factor are not drawn (1 = none excluded)",
        1.0, 1.3))
    bilinear_max: float = field(default=0.1, metadata=_meta(
        "largest |alpha| of a random bilinear (all-pass) frequency warp drawn per utterance",
        0.0, 0.3))
    timbre_db: float = field(default=6.0, metadata=_meta(
        "spread (dB) of a random smooth pseudo-speaker envelope drawn per utterance", 0.0, 12.0))
    breath_max: float = field(default=0.2, metadata=_meta(
        "largest random aperiodicity raise per utterance (0 = original breathiness)",
        0.0, 0.8))
    f0_range_min: float = field(default=1.0, metadata=_meta(
        "smallest factor on the pitch movement (semitones from the speaker's median) drawn "
        "per utterance; 1 with f0_range_max 1 keeps the intonation exactly", 0.3, 1.0))
    f0_range_max: float = field(default=1.0, metadata=_meta(
        "largest factor on the pitch movement drawn per utterance", 1.0, 2.5))
    frame_period_ms: float = 5.0

    def __post_init__(self) -> None:
        if not 50.0 <= self.f0_target_min_hz <= self.f0_target_max_hz <= 400.0:
            raise ValueError(f"need 50 <= f0_target_min_hz <= f0_target_max_hz <= 400, got "
                             f"{self.f0_target_min_hz}, {self.f0_target_max_hz}")
        if not 0.6 <= self.warp_min <= self.warp_max <= 1.6:
            raise ValueError(f"need 0.6 <= warp_min <= warp_max <= 1.6, got "
                             f"{self.warp_min}, {self.warp_max}")
        if not 0.3 <= self.f0_range_min <= 1.0 <= self.f0_range_max <= 2.5:
            raise ValueError(f"need 0.3 <= f0_range_min <= 1 <= f0_range_max <= 2.5, got "
                             f"{self.f0_range_min}, {self.f0_range_max}")
        if not 1.0 <= self.warp_exclude <= 1.3:
            raise ValueError(f"need 1 <= warp_exclude <= 1.3, got {self.warp_exclude}")
        if not 0.0 <= self.bilinear_max <= 0.3:
            raise ValueError(f"bilinear_max must be in [0, 0.3], got {self.bilinear_max}")
        if not 2 * self.crossfade_ms <= self.block_ms:
            raise ValueError(f"block_ms ({self.block_ms}) must be at least twice "
                             f"crossfade_ms ({self.crossfade_ms})")
        if self.context_ms < self.crossfade_ms:
            raise ValueError("context_ms must be >= crossfade_ms")
        if self.frame_period_ms not in (5.0, 10.0):
            raise ValueError("frame_period_ms must be 5 or 10")


def load_pyworld():
    """The pyworld extension module. pyworld 0.3.5's ``__init__`` imports ``pkg_resources``
    (only for its version string), which setuptools >= 81 no longer ships; the compiled
    module it re-exports is then loaded directly."""
    try:
        import pyworld
        return pyworld
    except ModuleNotFoundError as exc:
        if exc.name != "pkg_resources":
            raise RuntimeError("pyworld is not installed (pip install pyworld): needed by "
                               "the 'world' voice anonymiser") from None
    import importlib.util
    import pathlib

    spec = importlib.util.find_spec("pyworld")
    so = next(pathlib.Path(spec.submodule_search_locations[0]).glob("pyworld*.so"))
    ext = importlib.util.spec_from_file_location("pyworld", so)
    module = importlib.util.module_from_spec(ext)
    ext.loader.exec_module(module)
    return module


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi)))) if hi > lo else float(lo)


def warp_source(n: int, beta: float, alpha: float = 0.0) -> np.ndarray:
    """Fractional source bin of every output bin: the inverse of a bilinear (all-pass) warp
    with ``alpha`` (alpha > 0 moves low frequencies up) after a linear scale by ``beta``."""
    w = np.minimum(np.arange(n) / beta, n - 1.0) * (np.pi / (n - 1))
    if alpha:
        # Inverse bilinear warp: the same map with -alpha.
        w = w - 2.0 * np.arctan2(alpha * np.sin(w), 1.0 + alpha * np.cos(w))
    return np.clip(w * ((n - 1) / np.pi), 0.0, n - 1.0)


def warp_envelope(sp: np.ndarray, beta: float, alpha: float = 0.0,
                  src: np.ndarray | None = None) -> np.ndarray:
    """sp'(f) = sp(g^-1(f)) along the frequency axis (linear interpolation, edge held);
    g = linear scale by ``beta`` after a bilinear warp with ``alpha``."""
    n = sp.shape[1]
    if src is None:
        src = warp_source(n, beta, alpha)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    frac = src - lo
    return np.ascontiguousarray(sp[:, lo] * (1.0 - frac) + sp[:, hi] * frac)


class WorldAnonStream(ChunkStream):
    """Chunk in, chunk out; after :meth:`flush` the output length equals the input length."""

    def __init__(self, config: WorldAnonConfig, sample_rate: int,
                 rng: np.random.Generator | None = None) -> None:
        self._pw = load_pyworld()  # runtime dependency of this method only
        self.config = config
        self.sample_rate = int(sample_rate)
        self.rng = rng if rng is not None else np.random.default_rng()
        fp = int(round(self.sample_rate * config.frame_period_ms / 1000.0))
        self._fp = fp
        # Block, context and cross-fade as whole WORLD frames.
        self.block = max(1, int(round(config.block_ms / config.frame_period_ms))) * fp
        self.context = max(1, int(round(config.context_ms / config.frame_period_ms))) * fp
        self.xfade = max(1, int(round(config.crossfade_ms / config.frame_period_ms))) * fp
        ramp = np.sin(0.5 * np.pi * (np.arange(2 * self.xfade) + 0.5) / (2 * self.xfade)) ** 2
        self._ramp_in, self._ramp_out = ramp, ramp[::-1]
        self._dither = np.random.default_rng(12345)  # fixed: output reproducible per input
        self.utterances = 0  # pseudo-voices drawn so far
        self.f0_factor = 1.0
        self.beta = 1.0
        self.alpha = 0.0  # bilinear warp
        self.breath = 0.0
        self.f0_range = 1.0  # factor on semitones from the speaker's median
        self._timbre: np.ndarray | None = None  # log-power pseudo-speaker curve
        self._timbre_coef = np.zeros(0)
        self._src: np.ndarray | None = None
        self.target_f0 = float("nan")
        self._ref_logf0: float | None = None
        self._ref_n = 0
        self._mu_env: np.ndarray | None = None  # running mean log envelope (voiced frames)
        self._mu_n = 0
        self._generic: np.ndarray | None = None
        self._reset_stream()

    def _reset_stream(self) -> None:
        # Input buffer starts ``context`` samples before the next block (zeros at the start);
        # the first block's fade-in starts xfade before sample 0.
        self._start(self.context, self.xfade)
        self._carry = np.zeros(2 * self.xfade)  # faded-out tail of the previous block
        self._silent_s = math.inf  # silence so far: the first voiced block draws a voice

    @property
    def latency_samples(self) -> int:
        """Worst-case delay between a sample arriving and leaving (block + context)."""
        return self.block + self.context + self.xfade

    def _draw(self) -> None:
        c = self.config
        self.target_f0 = _log_uniform(self.rng, c.f0_target_min_hz, c.f0_target_max_hz)
        self.beta = self._draw_warp()
        self.alpha = (float(self.rng.uniform(-c.bilinear_max, c.bilinear_max))
                      if c.bilinear_max > 0 else 0.0)
        self.breath = float(self.rng.uniform(0.0, c.breath_max)) if c.breath_max > 0 else 0.0
        self.f0_range = (_log_uniform(self.rng, c.f0_range_min, c.f0_range_max)
                         if c.f0_range_max > c.f0_range_min else c.f0_range_min)
        self._timbre_coef = (self.rng.standard_normal(6) * c.timbre_db / math.sqrt(3.0)
                             if c.timbre_db > 0 else np.zeros(0))
        self._timbre = None
        self._src = None
        self.utterances += 1

    def _draw_warp(self) -> float:
        """Log-uniform over [warp_min, warp_max] less (1/warp_exclude, warp_exclude)."""
        c = self.config
        lo, hi, ex = math.log(c.warp_min), math.log(c.warp_max), math.log(c.warp_exclude)
        neg, pos = max(0.0, min(hi, -ex) - lo), max(0.0, hi - max(lo, ex))
        if neg + pos <= 0:
            return _log_uniform(self.rng, c.warp_min, c.warp_max)
        u = float(self.rng.uniform(0.0, neg + pos))
        return math.exp(lo + u if u < neg else max(lo, ex) + (u - neg))

    def _timbre_curve(self, n: int) -> np.ndarray:
        """Random smooth log-power curve on a mel axis (zero mean over the bins)."""
        if self._timbre is None or len(self._timbre) != n:
            if len(self._timbre_coef) == 0:
                self._timbre = np.zeros(n)
            else:
                f = np.arange(n) * (self.sample_rate / 2) / (n - 1)
                m = np.log1p(f / 700.0) / math.log1p(self.sample_rate / 2 / 700.0)
                k = np.arange(1, len(self._timbre_coef) + 1)
                db = np.cos(np.pi * np.outer(m, k)) @ self._timbre_coef
                self._timbre = db * (math.log(10) / 10) - (db * (math.log(10) / 10)).mean()
        return self._timbre

    def _analyse(self, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pw, fs = self._pw, self.sample_rate
        x = seg + self._dither.standard_normal(len(seg)) * 1e-5  # WORLD dislikes exact zeros
        fp = self.config.frame_period_ms
        f0, t = pw.dio(x, fs, f0_floor=60.0, f0_ceil=500.0, frame_period=fp)
        f0 = pw.stonemask(x, f0, t, fs)
        sp = pw.cheaptrick(x, f0, t, fs)
        ap = pw.d4c(x, f0, t, fs)
        return f0, sp, ap

    def _block(self, seg: np.ndarray) -> np.ndarray:
        """Resynthesise one analysis segment (context + block + context); return the block
        plus xfade samples each side, already multiplied by the cross-fade window."""
        c = self.config
        core = seg[self.context:self.context + self.block]
        rms_db = 10 * math.log10(float(np.mean(core * core)) + 1e-20)
        if rms_db < c.silence_db:
            self._silent_s += self.block / self.sample_rate
        else:
            if self._silent_s * 1000.0 >= c.redraw_silence_ms:
                self._draw()
            self._silent_s = 0.0
        f0, sp, ap = self._analyse(seg)
        a, b = self.context // self._fp, (self.context + self.block) // self._fp
        voiced = f0[a:b][f0[a:b] > 0]
        if len(voiced):
            m = float(np.median(np.log(voiced)))
            # Running log-median of the speaker's F0 (weighted by voiced frames).
            if self._ref_logf0 is None:
                self._ref_logf0, self._ref_n = m, len(voiced)
            else:
                w = len(voiced) / (self._ref_n + len(voiced))
                self._ref_logf0 += w * (m - self._ref_logf0)
                self._ref_n = min(self._ref_n + len(voiced), 2000)
        if self._ref_logf0 is not None and math.isfinite(self.target_f0):
            self.f0_factor = self.target_f0 / math.exp(self._ref_logf0)
        if self.f0_range != 1.0 and self._ref_logf0 is not None:
            # Scale the movement around the speaker's median before moving the median.
            ref = math.exp(self._ref_logf0)
            f0 = np.where(f0 > 0, ref * (np.maximum(f0, 1e-6) / ref) ** self.f0_range, 0.0)
        f0n = np.where(f0 > 0, np.clip(f0 * self.f0_factor, 40.0, 700.0), 0.0)
        spn = self._normalise(sp, f0, a, b) if c.normalise_envelope else sp
        if self.beta != 1.0 or self.alpha != 0.0:
            if self._src is None or len(self._src) != spn.shape[1]:
                self._src = warp_source(spn.shape[1], self.beta, self.alpha)
            spn = warp_envelope(spn, self.beta, src=self._src)
        if len(self._timbre_coef):
            spn = spn * np.exp(self._timbre_curve(spn.shape[1]))[None, :]
        if self.breath > 0:
            ap = np.ascontiguousarray(1.0 - (1.0 - ap) * (1.0 - self.breath))
        # Each frame keeps its original energy: the loudness envelope (a prosodic cue) stays.
        gain = sp.sum(axis=1) / np.maximum(spn.sum(axis=1), 1e-30)
        spn = np.ascontiguousarray(spn * gain[:, None])
        y = self._pw.synthesize(f0n, spn, ap, self.sample_rate, c.frame_period_ms)
        if len(y) < len(seg):
            y = np.concatenate([y, np.zeros(len(seg) - len(y))])
        piece = y[self.context - self.xfade:self.context + self.block + self.xfade].copy()
        piece[:2 * self.xfade] *= self._ramp_in
        piece[-2 * self.xfade:] *= self._ramp_out
        return piece

    def _normalise(self, sp: np.ndarray, f0: np.ndarray, a: int, b: int) -> np.ndarray:
        """Swap the running mean log envelope (voiced frames of this block's core update it)
        for the generic curve at the same mean level."""
        logsp = np.log(sp + 1e-20)
        core = logsp[a:b][f0[a:b] > 0]
        if len(core):
            m = core.mean(axis=0)
            if self._mu_env is None:
                self._mu_env, self._mu_n = m, len(core)
            else:
                w = len(core) / (self._mu_n + len(core))
                self._mu_env = self._mu_env + w * (m - self._mu_env)
                self._mu_n = min(self._mu_n + len(core), 2000)
        if self._mu_env is None:
            return sp
        if self._generic is None:
            freqs = np.arange(sp.shape[1]) * (self.sample_rate / 2) / (sp.shape[1] - 1)
            g = -math.log(10) * 0.6 * np.log2(np.maximum(freqs, 500.0) / 500.0)
            self._generic = g - g.mean()
        shift = self._generic + self._mu_env.mean() - self._mu_env
        return np.ascontiguousarray(np.exp(logsp + shift[None, :]))

    def _run(self) -> np.ndarray:
        seg_len = self.block + 2 * self.context
        outs = []
        while len(self._buf) >= seg_len:
            piece = self._block(self._buf[:seg_len])
            piece[:2 * self.xfade] += self._carry
            outs.append(piece[:-2 * self.xfade])
            self._carry = piece[-2 * self.xfade:]
            self._buf = self._buf[self.block:]
        return self._drop_lead(np.concatenate(outs) if outs else np.zeros(0))

    def _finish(self) -> np.ndarray:
        pad = (-(len(self._buf) - self.context)) % self.block + self.block + self.context
        self._buf = np.concatenate([self._buf, np.zeros(pad)])
        return np.concatenate([self._run(), self._carry])


def anonymise_world(samples: np.ndarray, sample_rate: int,
                    config: WorldAnonConfig | None = None,
                    rng: np.random.Generator | None = None) -> np.ndarray:
    """Offline: one utterance (one pseudo-voice), output as long as the input."""
    s = WorldAnonStream(config or WorldAnonConfig(), sample_rate, rng)
    return np.concatenate([s.process(samples), s.flush()])
