"""Voice privacy audit: speaker verification EER (Resemblyzer) and word recall (Whisper).

Follows the VoicePrivacy Challenge evaluation plan, scaled to what packages ship:

* Speaker pool. Real people recorded in Debian and PyPI packages (the ALSA channel
  announcer in ``alsa-utils``; the "cards" speaker and the LibriVox reader in
  ``pocketsphinx-testdata``; the two labelled speakers of the ``pyannote.audio`` 3.3.2 sample
  recording, cut along its RTTM) plus synthetic voices (espeak-ng variants, festival). The
  pool is derived once into ``.cache/voice_pool/`` (16 kHz WAV + ``index.json``).
* Attacker: Resemblyzer's pretrained GE2E speaker encoder (weights ship in its wheel),
  scores = cosine between a trial embedding and the mean embedding of a speaker's
  enrolment utterances. Per speaker the first half of its utterances (at least one) enrols,
  the rest are trials; every trial is scored against every speaker model.
* Conditions: ``original`` (enrolment and trials untouched), ``ignorant`` (trials
  anonymised, enrolment original), ``lazy_informed`` (the attacker anonymises its
  enrolment with the same public anonymiser, its own random draws). EER: 50 % = chance.
* Utility: word recall (reference words found, by word alignment) and WER of our Whisper
  (``voice/asr.py``) on utterances with a known text; F0 contour correlation between
  original and anonymised (VoicePrivacy's rho_F0) and the correlation of the prosody features
  emotion uses.
* A secondary figure, the mean-MFCC cosine of ``voice/metrics.py``: an envelope distance,
  not a speaker-verification score.

Nothing here depends on ROS.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from emo_perception.voice.capture import StreamResampler, read_wav, write_wav
from emo_perception.voice.metrics import normalise_words, speaker_similarity

SAMPLE_RATE = 16000
POOL_VERSION = 3
DEFAULT_CACHE = pathlib.Path(".cache/voice_pool")
ALSA_DIR = pathlib.Path("/usr/share/sounds/alsa")
PS_DIR = pathlib.Path("/usr/share/pocketsphinx/test/data")
CODEC2_DIR = pathlib.Path("/usr/share/codec2")
# codec2-examples recordings of one person each (8 kHz unless named otherwise), cut at pauses
# into 2-5 s pieces. Left out: all.wav (a medley), m2400 / f2400 (codec output of morig /
# forig), hts.raw (hts1 + hts2 joined), the short clips of one utterance (hts1a, hts2a,
# morig, forig, mmt1, g3plx, big_dog, cross, kristoff, cq_ref: a speaker needs two), and
# since pool version 3 david4.wav and vk2tpm_004.wav: they are off-air FreeDV modem signals
# (2020 and 700D; codec2 uses them to test its OFDM demodulator), not speech: a constant
# envelope (frame level spread 2-4 dB) in a flat 0.7-2.3 / 1.0-2.0 kHz band; silero VAD
# scores them below 0.1 and Whisper hears no words (docs/voice.md, "Voice activity").
CODEC2_SPEAKERS = (("hts1", "raw/hts1.raw"), ("hts2", "raw/hts2.raw"),
                   ("ve9qrp", "wav/ve9qrp.wav"), ("vk5qi", "wav/vk5qi.wav"),
                   ("speech16k", "raw/speech_orig_16k.wav"))
MAX_PIECES = 6  # per long recording
TEXTS = (
    "Please bring the blue folder to the meeting room this afternoon",
    "My sister planted tomato plants in the garden yesterday",
    "The train to the airport leaves early every morning",
    "I would like a cup of hot tea with milk and honey",
    "We walked along the river until the sun went down",
    "Could you call the doctor and ask about the results",
)
# espeak-ng voices (language+variant) used as synthetic speakers, then festival.
ESPEAK_VOICES = ("en-us", "en+f3", "en-gb-scotland", "en+m3", "en+f5", "en-gb-x-rp",
                 "en+m7", "en-029", "en-us-nyc+f2", "en-gb-x-gbclan+m2", "en+f4",
                 "en-gb+klatt2", "en-us+whisper", "en+croak", "en-gb-x-gbcwmd+f1",
                 "en+m1", "en-us+f1", "en+aunty")
TARGETS = {"lazy_informed_eer": 0.30, "ignorant_eer": 0.40, "relative_word_recall": 0.85}


class AuditError(RuntimeError):
    """The audit cannot run (one-line message)."""


@dataclass
class Utterance:
    speaker: str
    kind: str  # "real" or "synthetic"
    audio: np.ndarray = field(repr=False)
    text: str = ""  # reference words; "" when unknown
    source: str = ""


def _to16k(x: np.ndarray, rate: int) -> np.ndarray:
    if rate == SAMPLE_RATE:
        return x.astype(np.float32)
    r = StreamResampler(rate, SAMPLE_RATE)
    return np.concatenate([r.process(x), r.flush()]).astype(np.float32)


def _wav(path: pathlib.Path) -> np.ndarray:
    x, rate = read_wav(path)
    return _to16k(x, rate)


def _real_sources() -> list[Utterance]:
    """Real recorded speakers found in installed packages (missing ones are skipped)."""
    out: list[Utterance] = []
    for p in sorted(ALSA_DIR.glob("*.wav")):
        if p.stem == "Noise":
            continue
        out.append(Utterance("alsa_announcer", "real", _wav(p), p.stem.replace("_", " "),
                             f"alsa-utils:{p.name}"))
    cards = PS_DIR / "cards"
    refs = _sphinx_transcription(cards / "cards.transcription")
    for p in sorted(cards.glob("*.wav")):
        out.append(Utterance("ps_cards", "real", _wav(p), refs.get(p.stem, ""),
                             f"pocketsphinx-testdata:cards/{p.name}"))
    refs = _sphinx_transcription(PS_DIR / "librivox" / "transcription")
    for p in sorted((PS_DIR / "librivox").glob("*.wav")):
        out.append(Utterance("ps_librivox", "real", _wav(p), refs.get(p.stem, ""),
                             f"pocketsphinx-testdata:librivox/{p.name}"))
    # pocketsphinx's own test speaker (raw 16 kHz; the three clips embed alike).
    for name, text in (("goforward", "go forward ten meters"), ("numbers", ""),
                       ("something", "")):
        p = PS_DIR / f"{name}.raw"
        if p.is_file():
            out.append(Utterance("ps_raw", "real", _raw(p, SAMPLE_RATE), text,
                                 f"pocketsphinx-testdata:{p.name}"))
    out += _pyannote_sample()
    out += _codec2_sources()
    return out


def _sphinx_transcription(path: pathlib.Path) -> dict[str, str]:
    refs: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            m = re.match(r"<s>(.*)</s>\s*\(([\w.-]+)\)", line.strip())
            if m:
                refs[m.group(2)] = m.group(1).strip()
    return refs


def _raw(path: pathlib.Path, rate: int) -> np.ndarray:
    """Headerless 16-bit little-endian mono PCM."""
    return _to16k(np.fromfile(path, dtype="<i2").astype(np.float32) / 32768.0, rate)


def split_at_pauses(x: np.ndarray, min_s: float = 2.0, max_s: float = 5.0,
                    floor_db: float = 30.0) -> list[np.ndarray]:
    """Cut a long recording into pieces of ``min_s``..``max_s`` seconds at its quietest
    10 ms frames (a pause); pieces shorter than ``min_s`` at the end are dropped."""
    hop = SAMPLE_RATE // 100
    n = len(x) // hop
    db = 10 * np.log10(np.mean(x[:n * hop].astype(np.float64).reshape(n, hop) ** 2, axis=1)
                       + 1e-12)
    quiet = db < db.max() - floor_db
    lo, hi = int(min_s * 100), int(max_s * 100)
    pieces, a = [], 0
    while n - a >= lo:
        if n - a <= hi:
            b = n
        else:
            win = np.arange(a + lo, a + hi)
            q = win[quiet[win]]
            b = int(q[len(q) // 2]) if len(q) else int(win[np.argmin(db[win])])
        pieces.append(_trim(x[a * hop:b * hop]))
        a = b
    return [p for p in pieces if len(p) >= SAMPLE_RATE]


def _codec2_sources() -> list[Utterance]:
    out = []
    for who, rel in CODEC2_SPEAKERS:
        p = CODEC2_DIR / rel
        if not p.is_file():
            continue
        x = _wav(p) if p.suffix == ".wav" else _raw(p, 8000)
        for k, piece in enumerate(split_at_pauses(x)[:MAX_PIECES]):
            out.append(Utterance(f"codec2_{who}", "real", piece, "",
                                 f"codec2-examples:{rel}#{k}"))
    return out


def _pyannote_sample() -> list[Utterance]:
    """Turns of the two speakers of pyannote.audio's sample (no overlap, >= 1 s)."""
    import importlib.util

    spec = importlib.util.find_spec("pyannote")
    roots = list(spec.submodule_search_locations) if spec and \
        spec.submodule_search_locations else []
    for root in roots:
        d = pathlib.Path(root) / "audio" / "sample"
        if (d / "sample.wav").is_file() and (d / "sample.rttm").is_file():
            break
    else:
        return []
    x = _wav(d / "sample.wav")
    turns = []
    for line in (d / "sample.rttm").read_text().splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "SPEAKER":
            turns.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    out = []
    for a, b, who in turns:
        # Keep only the part no other speaker overlaps.
        for a2, b2, who2 in turns:
            if who2 != who and a2 < b and b2 > a:
                if a2 <= a:
                    a = max(a, b2)
                else:
                    b = min(b, a2)
        if b - a >= 1.0:
            out.append(Utterance(f"pyannote_{who}", "real",
                                 x[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)], "",
                                 f"pyannote.audio-3.3.2:sample.wav[{a:.2f},{b:.2f}]"))
    return out


def _trim(x: np.ndarray, floor_db: float = 40.0) -> np.ndarray:
    frames = x[:len(x) // 160 * 160].reshape(-1, 160)
    db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    on = np.flatnonzero(db > db.max() - floor_db)
    return x[on[0] * 160:(on[-1] + 1) * 160] if len(on) else x


def _synth(voice: str, text: str) -> np.ndarray:
    with tempfile.TemporaryDirectory(prefix="emo_pool_") as tmp:
        wav = pathlib.Path(tmp) / "s.wav"
        if voice == "festival":
            exe = shutil.which("text2wave")
            if exe is None:
                raise AuditError("festival's text2wave not found (apt-get install festival)")
            txt = pathlib.Path(tmp) / "s.txt"
            txt.write_text(text + ".\n")
            subprocess.run([exe, str(txt), "-o", str(wav)], check=True, capture_output=True)
        else:
            exe = shutil.which("espeak-ng")
            if exe is None:
                raise AuditError("espeak-ng not found (apt-get install espeak-ng)")
            subprocess.run([exe, "-v", voice, "-s", "160", "-w", str(wav), text], check=True,
                           capture_output=True)
        return _trim(_wav(wav))


def _synthetic_sources(n_voices: int, n_texts: int) -> list[Utterance]:
    voices = list(ESPEAK_VOICES[:max(0, n_voices - 1)])
    if n_voices > 0 and shutil.which("text2wave"):
        voices.append("festival")
    out = []
    for v in voices:
        for t in TEXTS[:n_texts]:
            out.append(Utterance(f"synth_{v}", "synthetic", _synth(v, t), t, f"tts:{v}"))
    return out


def build_pool(cache_dir: str | pathlib.Path = DEFAULT_CACHE, n_voices: int = 19,
               n_texts: int = 4, real: bool = True, rebuild: bool = False) -> list[Utterance]:
    """The speaker pool, derived from packages once and cached as 16 kHz WAV files."""
    cache = pathlib.Path(cache_dir)
    index = cache / "index.json"
    key = {"version": POOL_VERSION, "n_voices": n_voices, "n_texts": n_texts, "real": real}
    if index.is_file() and not rebuild:
        doc = json.loads(index.read_text())
        if doc.get("key") == key:
            return [Utterance(u["speaker"], u["kind"], _wav(cache / u["file"]), u["text"],
                              u["source"]) for u in doc["utterances"]]
    utts = (_real_sources() if real else []) + _synthetic_sources(n_voices, n_texts)
    cache.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, u in enumerate(utts):
        name = f"{i:03d}_{re.sub(r'[^A-Za-z0-9_]+', '_', u.speaker)}.wav"
        write_wav(cache / name, u.audio, SAMPLE_RATE)
        entries.append({"speaker": u.speaker, "kind": u.kind, "text": u.text,
                        "source": u.source, "file": name})
    index.write_text(json.dumps({"key": key, "utterances": entries}, indent=1))
    return [Utterance(e["speaker"], e["kind"], _wav(cache / e["file"]), e["text"], e["source"])
            for e in entries]


# ---- anonymisers under audit -------------------------------------------------------------

Anonymiser = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def make_anonymiser(method: str) -> Anonymiser:
    """``method``: ``mcadams`` (alpha 0.8), ``mcadams_random`` (alpha ~ U(0.5, 0.9) per
    utterance), ``world`` (the default WORLD pseudo-voice), ``world_plain`` (WORLD without
    the identity-free warp, bilinear warp, random timbre and breathiness), ``resynth``
    (ASR + espeak-ng resynthesis, run through the streaming pipeline)."""
    from emo_perception.voice.mcadams import ALPHA_RANGE, McAdamsConfig, anonymise
    from emo_perception.voice.world_anon import WorldAnonConfig, anonymise_world

    if method == "mcadams":
        return lambda x, rng: anonymise(x, SAMPLE_RATE, config=McAdamsConfig(alpha=0.8))
    if method == "mcadams_random":
        return lambda x, rng: anonymise(
            x, SAMPLE_RATE, config=McAdamsConfig(alpha=float(rng.uniform(*ALPHA_RANGE))))
    if method == "resynth":
        return _resynth_anonymiser()
    base, *overrides = method.split("+")
    if base in ("world", "world_plain"):
        # world_plain: the first WORLD pseudo-voice (F0 target, normalised envelope, linear
        # warp only), kept for comparison.
        cfg = WorldAnonConfig() if base == "world" else WorldAnonConfig(
            warp_exclude=1.0, bilinear_max=0.0, timbre_db=0.0, breath_max=0.0)
        if overrides:
            cfg = _world_overrides(cfg, overrides, method)
        return lambda x, rng: anonymise_world(x, SAMPLE_RATE, cfg, rng)
    raise AuditError(f"unknown anonymisation method {method!r} "
                     "(mcadams, mcadams_random, world, world_plain, resynth; "
                     "world+KEY=VALUE+... changes WorldAnonConfig fields)")


def _resynth_anonymiser(chunk: int = 1600) -> Anonymiser:
    """``resynth``: the product's own path, a :class:`VoicePipeline` with
    ``anonymiser_method: resynth`` (silero VAD segments, our Whisper, flite with a
    pseudo-voice drawn per segment), fed the utterance in 100 ms chunks and flushed; its
    published output with the silence at both ends trimmed (the stream is silent while a
    segment is open). One pipeline per generator the audit passes (the trial side and the
    attacker each have their own), seeded from it with ``deterministic``: so the attacker's
    enrolment voices are drawn independently of the trials', as by a second user of the
    public method. An output with no speech at all (the VAD found none) is 0.5 s of zeros."""
    from emo_perception.voice.pipeline import VoiceConfig, VoicePipeline

    # id(rng) -> (rng, its pipeline); holding the generator keeps its id from being reused
    pipes: dict[int, tuple[np.random.Generator, VoicePipeline]] = {}

    def pipeline(rng: np.random.Generator) -> VoicePipeline:
        if id(rng) not in pipes:
            try:
                pipes[id(rng)] = (rng, VoicePipeline(VoiceConfig(
                    anonymiser_method="resynth", deterministic=True, num_threads=1,
                    seed=int(rng.integers(2 ** 31)))))
            except (RuntimeError, ValueError, FileNotFoundError) as exc:
                raise AuditError(f"resynth: {str(exc).splitlines()[0]}") from None
        return pipes[id(rng)][1]

    pipeline(np.random.default_rng(0)).close()  # fail early (TTS missing), one line
    pipes.clear()

    def run(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        pipe = pipeline(rng)
        ys = []
        for a in range(0, len(x), chunk):
            out = pipe.process(x[a:a + chunk], SAMPLE_RATE, a / SAMPLE_RATE)
            if out.anonymised is not None:
                ys.append(out.anonymised.samples)
        out = pipe.flush(wait_asr=True)
        if out.anonymised is not None:
            ys.append(out.anonymised.samples)
        y = np.concatenate(ys) if ys else np.zeros(0, np.float32)
        on = np.flatnonzero(y)
        return y[on[0]:on[-1] + 1] if len(on) else np.zeros(SAMPLE_RATE // 2, np.float32)

    return run


def _world_overrides(cfg: Any, items: list[str], method: str) -> Any:
    """``world+timbre_db=9+f0_range_max=1.4``: the WORLD method with some fields changed,
    to audit a setting before making it the default."""
    known = {f.name: f for f in dataclasses.fields(cfg)}
    changes: dict[str, float] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or key not in known:
            raise AuditError(f"method {method!r}: {item!r} is not KEY=VALUE with KEY a "
                             f"WorldAnonConfig field ({', '.join(known)})")
        try:
            changes[key] = type(getattr(cfg, key))(raw) if not isinstance(
                getattr(cfg, key), bool) else raw.lower() in ("1", "true", "yes")
        except ValueError:
            raise AuditError(f"method {method!r}: {key} wants a number, got {raw!r}") from None
    try:
        return dataclasses.replace(cfg, **changes)
    except ValueError as exc:
        raise AuditError(f"method {method!r}: {exc}") from None


# ---- scoring -----------------------------------------------------------------------------

def eer(target: np.ndarray, nontarget: np.ndarray) -> float:
    """Equal error rate: where the miss rate equals the false-alarm rate (interpolated)."""
    t, n = np.sort(np.asarray(target, float)), np.sort(np.asarray(nontarget, float))
    if len(t) == 0 or len(n) == 0:
        return float("nan")
    thr = np.unique(np.concatenate([t, n, [-np.inf, np.inf]]))
    miss = np.searchsorted(t, thr, side="left") / len(t)  # targets below threshold
    fa = 1.0 - np.searchsorted(n, thr, side="left") / len(n)  # non-targets at or above
    d = miss - fa
    i = int(np.flatnonzero(d >= 0)[0])
    if i == 0 or d[i] == 0:
        return float((miss[i] + fa[i]) / 2)
    # Linear interpolation between the two thresholds around the crossing.
    w = d[i] / (d[i] - d[i - 1])
    return float(w * (miss[i - 1] + fa[i - 1]) / 2 + (1 - w) * (miss[i] + fa[i]) / 2)


class SpeakerEncoder:
    """Resemblyzer's GE2E encoder on the CPU (weights from its wheel, nothing downloaded)."""

    def __init__(self) -> None:
        try:
            from resemblyzer import VoiceEncoder, preprocess_wav
        except ModuleNotFoundError as exc:
            raise AuditError(f"the voice audit needs the audit extra ({exc.name} missing): "
                             "pip install -r requirements/audit.txt && pip install --no-deps "
                             "-r requirements/audit-nodeps.txt") from None
        import torch

        torch.set_num_threads(1)  # a small LSTM: threads only fight over a shared machine
        self._pre = preprocess_wav
        self._enc = VoiceEncoder("cpu", verbose=False)

    def embed(self, x: np.ndarray) -> np.ndarray:
        w = self._pre(np.asarray(x, dtype=np.float32), source_sr=SAMPLE_RATE)
        if len(w) < SAMPLE_RATE // 4:  # Resemblyzer's VAD cut nearly everything
            w = np.asarray(x, dtype=np.float32)
        return self._enc.embed_utterance(w)


def _split(utts: list[Utterance]) -> tuple[dict[str, list[int]], list[int]]:
    """Enrolment indices per speaker (first half, at least one) and trial indices."""
    by: dict[str, list[int]] = {}
    for i, u in enumerate(utts):
        by.setdefault(u.speaker, []).append(i)
    enrol, trials = {}, []
    for spk, idx in by.items():
        if len(idx) < 2:
            continue
        k = max(1, len(idx) // 2)
        enrol[spk] = idx[:k]
        trials += idx[k:]
    return enrol, trials


def verification(emb_enrol: np.ndarray, emb_trial: np.ndarray, utts: list[Utterance],
                 subset: str | Callable[[Utterance], bool] | None = None) -> dict[str, Any]:
    """EER of trials (``emb_trial``) against speaker models (``emb_enrol``); ``subset``: a
    kind ("real", "synthetic") or a predicate on utterances (speakers and trials kept)."""
    enrol, trials = _split(utts)
    if subset:
        keep = subset if callable(subset) else (lambda u, k=subset: u.kind == k)
        enrol = {s: i for s, i in enrol.items() if keep(utts[i[0]])}
        trials = [i for i in trials if keep(utts[i])]
    speakers = sorted(enrol)
    models = np.stack([emb_enrol[enrol[s]].mean(axis=0) for s in speakers])
    models /= np.linalg.norm(models, axis=1, keepdims=True)
    tgt, non = [], []
    for i in trials:
        e = emb_trial[i] / np.linalg.norm(emb_trial[i])
        scores = models @ e
        for s, sc in zip(speakers, scores):
            (tgt if s == utts[i].speaker else non).append(float(sc))
    return {"eer": eer(np.array(tgt), np.array(non)), "speakers": len(speakers),
            "target_trials": len(tgt), "nontarget_trials": len(non),
            "mean_target_score": float(np.mean(tgt)) if tgt else float("nan"),
            "mean_nontarget_score": float(np.mean(non)) if non else float("nan")}


def word_hits(reference: str, hypothesis: str) -> tuple[int, int, int]:
    """(reference words matched by the alignment, reference words, word edits)."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    n, m = len(ref), len(hyp)
    d = np.zeros((n + 1, m + 1), dtype=int)
    d[:, 0], d[0, :] = np.arange(n + 1), np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1,
                          d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]))
    i, j, hits = n, m, 0  # backtrace, counting exact matches on the diagonal
    while i > 0 and j > 0:
        if ref[i - 1] == hyp[j - 1] and d[i, j] == d[i - 1, j - 1]:
            hits += 1
            i, j = i - 1, j - 1
        elif d[i, j] == d[i - 1, j - 1] + 1:
            i, j = i - 1, j - 1
        elif d[i, j] == d[i - 1, j] + 1:
            i -= 1
        else:
            j -= 1
    return hits, n, int(d[n, m])


def _corr(a: list[float], b: list[float]) -> float:
    a_, b_ = np.asarray(a, float), np.asarray(b, float)
    ok = np.isfinite(a_) & np.isfinite(b_)
    if ok.sum() < 3 or np.std(a_[ok]) == 0 or np.std(b_[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(a_[ok], b_[ok])[0, 1])


PROSODY_FEATURES = ("f0_range_st", "f0_slope_st_per_s", "energy_db", "speaking_rate_sps",
                    "arousal")


def prosody_consistency(orig: list[np.ndarray], anon: list[np.ndarray]) -> dict[str, Any]:
    """rho_F0 (per-utterance F0 contour correlation on frames voiced in both, mean) and the
    across-utterance correlation of each emotion prosody feature, original vs anonymised."""
    from emo_perception.voice.prosody import ProsodyConfig, analyse_frames, prosody

    cfg = ProsodyConfig()
    rhos = []
    fo: dict[str, list[float]] = {k: [] for k in PROSODY_FEATURES}
    fa: dict[str, list[float]] = {k: [] for k in PROSODY_FEATURES}
    for x, y in zip(orig, anon):
        ta, tb = analyse_frames(x, SAMPLE_RATE, cfg), analyse_frames(y, SAMPLE_RATE, cfg)
        n = min(len(ta.f0), len(tb.f0))
        both = (ta.f0[:n] > 0) & (tb.f0[:n] > 0)
        if both.sum() >= 10:
            r = _corr(list(np.log(ta.f0[:n][both])), list(np.log(tb.f0[:n][both])))
            if math.isfinite(r):
                rhos.append(r)
        po, pa = prosody(x, SAMPLE_RATE).as_dict(), prosody(y, SAMPLE_RATE).as_dict()
        for k in PROSODY_FEATURES:
            fo[k].append(po[k])
            fa[k].append(pa[k])
    return {"rho_f0": float(np.mean(rhos)) if rhos else float("nan"),
            "feature_correlation": {k: _corr(fo[k], fa[k]) for k in PROSODY_FEATURES}}


# ---- the audit ---------------------------------------------------------------------------

@dataclass
class AuditConfig:
    methods: tuple[str, ...] = ("world", "mcadams", "mcadams_random")
    n_voices: int = 19  # synthetic voices (espeak-ng variants, then festival)
    n_texts: int = 4  # sentences per synthetic voice
    real: bool = True
    cache_dir: str = str(DEFAULT_CACHE)
    seed: int = 0  # anonymiser draws (trials; the attacker's enrolment uses seed + 1)
    asr: bool = True
    max_utterances: int = 0  # per speaker; 0 = all (a tiny CI pool uses 2-3)
    # Real-speaker EERs also reported for speakers from these packages and for the rest
    # (e.g. the packages an anonymiser was tuned on vs the held-out ones).
    split_sources: tuple[str, ...] = ()


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 4) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


def run_audit(cfg: AuditConfig, log: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    """Run every method of ``cfg`` on the pool; JSON-ready report (see module docstring)."""
    t_start = time.monotonic()
    utts = build_pool(cfg.cache_dir, cfg.n_voices, cfg.n_texts, cfg.real)
    if cfg.max_utterances > 0:
        kept, count = [], {}
        for u in utts:
            count[u.speaker] = count.get(u.speaker, 0) + 1
            if count[u.speaker] <= cfg.max_utterances:
                kept.append(u)
        utts = kept
    kinds = sorted({u.kind for u in utts})
    speakers = {k: sorted({u.speaker for u in utts if u.kind == k}) for k in kinds}
    log(f"pool: {len(utts)} utterances, " + ", ".join(
        f"{len(v)} {k} speakers" for k, v in speakers.items()))
    enc = SpeakerEncoder()
    orig_emb = np.stack([enc.embed(u.audio) for u in utts])
    asr = None
    if cfg.asr:
        from emo_perception.voice.asr import AsrConfig, WhisperAsr

        asr = WhisperAsr(AsrConfig(cpu_threads=1))

    def recall(audios: list[np.ndarray]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in kinds + ["all"]:
            hits = n = edits = 0
            for u, a in zip(utts, audios):
                if u.text and (k == "all" or u.kind == k):
                    h, r, e = word_hits(u.text, asr.transcribe(a).text if asr else "")
                    hits, n, edits = hits + h, n + r, edits + e
            if n:
                out[k] = {"word_recall": hits / n, "wer": edits / n, "reference_words": n}
        return out

    def eers(enrol: np.ndarray, trial: np.ndarray) -> dict[str, Any]:
        res = {k: verification(enrol, trial, utts, k) for k in kinds}
        res["all"] = verification(enrol, trial, utts)
        if cfg.split_sources and "real" in kinds:
            def named(u: Utterance) -> bool:
                return u.source.split(":")[0] in cfg.split_sources
            tag = "+".join(cfg.split_sources)
            res[f"real:{tag}"] = verification(enrol, trial, utts,
                                              lambda u: u.kind == "real" and named(u))
            res["real:others"] = verification(enrol, trial, utts,
                                              lambda u: u.kind == "real" and not named(u))
        return res

    report: dict[str, Any] = {
        "pool": {"utterances": len(utts), "speakers": speakers,
                 "sources": sorted({u.source.split(":")[0] for u in utts}),
                 "speech_s": sum(len(u.audio) for u in utts) / SAMPLE_RATE},
        "attacker": "Resemblyzer 0.1.4 GE2E (pretrained.pt in the wheel), cosine to the "
                    "mean enrolment embedding",
        "original": {"eer": eers(orig_emb, orig_emb)},
        "methods": {}, "targets": TARGETS,
    }
    orig_asr = recall([u.audio for u in utts]) if asr else {}
    report["original"]["asr"] = orig_asr
    log("original: EER " + ", ".join(f"{k} {v['eer']:.3f}"
                                     for k, v in report["original"]["eer"].items()))
    for method in cfg.methods:
        anon_fn = make_anonymiser(method)
        t0 = time.process_time()
        rng_trial = np.random.default_rng(cfg.seed)
        trial_audio = [anon_fn(u.audio, rng_trial) for u in utts]
        cpu = time.process_time() - t0
        rng_attacker = np.random.default_rng(cfg.seed + 1)
        enrol_audio = [anon_fn(u.audio, rng_attacker) for u in utts]
        trial_emb = np.stack([enc.embed(a) for a in trial_audio])
        enrol_emb = np.stack([enc.embed(a) for a in enrol_audio])
        res: dict[str, Any] = {
            "ignorant": eers(orig_emb, trial_emb),
            "lazy_informed": eers(enrol_emb, trial_emb),
            "rtf_cpu": cpu / report["pool"]["speech_s"],
            "mfcc_similarity_secondary": {
                "what": "cosine of mean MFCCs (voice/metrics.py), an envelope distance, not "
                        "a speaker-verification score",
                "mean_orig_vs_anon": float(np.mean([
                    speaker_similarity(u.audio, a, SAMPLE_RATE)
                    for u, a in zip(utts, trial_audio)]))},
            "prosody": prosody_consistency([u.audio for u in utts], trial_audio),
        }
        if asr:
            res["asr"] = recall(trial_audio)
        real_key = "real" if "real" in kinds else "all"
        checks = {"lazy_informed_eer": res["lazy_informed"][real_key]["eer"],
                  "ignorant_eer": res["ignorant"][real_key]["eer"]}
        if asr and real_key in res["asr"] and real_key in orig_asr:
            checks["relative_word_recall"] = (res["asr"][real_key]["word_recall"]
                                              / max(orig_asr[real_key]["word_recall"], 1e-9))
        res["checks_on"] = real_key
        res["checks"] = checks
        res["meets_targets"] = all(v >= TARGETS[k] for k, v in checks.items())
        report["methods"][method] = res
        log(f"{method}: EER ignorant {checks['ignorant_eer']:.3f}, lazy-informed "
            f"{checks['lazy_informed_eer']:.3f} ({real_key}); "
            + (f"relative word recall {checks['relative_word_recall']:.3f}; "
               if "relative_word_recall" in checks else "")
            + f"RTF {res['rtf_cpu']:.3f}")
    report["elapsed_s"] = time.monotonic() - t_start
    return _json_safe(report)


def audit_config_from(**kw: Any) -> AuditConfig:
    names = {f.name for f in dataclasses.fields(AuditConfig)}
    return AuditConfig(**{k: v for k, v in kw.items() if k in names})
