"""Voice stages on real espeak-ng speech: resampling, VAD, McAdams, prosody, configs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from emo_perception.voice.capture import StreamResampler
from emo_perception.voice.mcadams import ALPHA_RANGE, McAdamsConfig, McAdamsStream, anonymise
from emo_perception.voice.metrics import speaker_similarity
from emo_perception.voice.pipeline import VoiceConfig
from emo_perception.voice.prosody import ProsodyConfig, prosody
from emo_perception.voice.synth import SAMPLE_RATE, SENTENCES, conversation, espeak
from emo_perception.voice.vad import SileroVad, VadConfig

VOICES = ("en-us", "en+f3", "en-gb-scotland")
SR = SAMPLE_RATE


@pytest.fixture(scope="module")
def takes() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Two different sentences per voice."""
    return {v: (espeak(SENTENCES[0], v), espeak(SENTENCES[1], v)) for v in VOICES}


@pytest.fixture(scope="module")
def dialogue():
    return conversation([(SENTENCES[i], v) for i, v in enumerate(VOICES)], gap_s=1.0)


def _chunked(fn, x: np.ndarray, sizes: list[int]) -> np.ndarray:
    out, i, k = [], 0, 0
    while i < len(x):
        n = sizes[k % len(sizes)]
        out.append(fn(x[i:i + n]))
        i, k = i + n, k + 1
    return np.concatenate(out)


@pytest.mark.parametrize("rate_in", [8000, 22050, 44100, 48000])
def test_stream_resampler_equals_whole_signal_resample_poly(rate_in: int) -> None:
    x = np.random.default_rng(rate_in).standard_normal(rate_in).astype(np.float32)
    r = StreamResampler(rate_in, SR)
    y = np.concatenate([_chunked(r.process, x, [0, 1, 937, 64, 4410]), r.flush()])
    ref = resample_poly(x, r.up, r.down)
    assert len(y) == len(ref)
    np.testing.assert_allclose(y, ref, atol=1e-5)


def test_vad_finds_each_sentence_within_about_100ms(dialogue) -> None:
    """Starts within 100 ms; ends within 120 ms (silero's decision lags the speech tail)."""
    audio, truth = dialogue
    vad = SileroVad(VadConfig())
    vad.reset(t0=10.0)  # stream clock offset must carry into the segment times
    segs = []
    for i in range(0, len(audio), 1600):
        segs += vad.process(audio[i:i + 1600])[1]
    segs += vad.flush()[1]
    assert len(segs) == len(truth), (segs, truth)
    errors = []
    for seg, utt in zip(segs, truth):
        errors += [abs(seg.start - 10.0 - utt.start), abs(seg.end - 10.0 - utt.end)]
        assert errors[-2] <= 0.1 and errors[-1] <= 0.12, (seg, utt)
    assert np.mean(errors) <= 0.08, errors


def test_vad_ignores_silence_and_faint_noise() -> None:
    noise = np.random.default_rng(0).normal(0, 1e-3, 3 * SR).astype(np.float32)
    vad = SileroVad(VadConfig())
    updates, segs = vad.process(np.concatenate([np.zeros(SR, np.float32), noise]))
    assert segs == [] and updates == [] and vad.flush() == ([], [])


def test_mcadams_alpha_one_is_identity(takes) -> None:
    x = takes["en-us"][0]
    np.testing.assert_allclose(anonymise(x, SR, alpha=1.0), x, atol=1e-5)


def test_mcadams_streaming_equals_offline(takes) -> None:
    x = takes["en+f3"][0]
    offline = anonymise(x, SR, alpha=0.8)
    stream = McAdamsStream(McAdamsConfig(alpha=0.8), SR)
    sizes = [1600, 0, 1, 333, 160, 4000, 7]
    online = np.concatenate([_chunked(stream.process, x, sizes), stream.flush()])
    assert len(online) == len(offline) == len(x)
    np.testing.assert_allclose(online, offline, atol=1e-6)


def test_mcadams_latency_is_about_one_frame(takes) -> None:
    x = takes["en-us"][0]
    stream = McAdamsStream(McAdamsConfig(), SR)
    fed = produced = 0
    for i in range(0, len(x), 480):
        produced += len(stream.process(x[i:i + 480]))
        fed += len(x[i:i + 480])
        assert fed - produced <= stream.latency_samples == int(0.02 * SR)


def _envelope_db(x: np.ndarray) -> np.ndarray:
    fr = x[:len(x) // 320 * 320].reshape(-1, 320).astype(np.float64)
    return 10 * np.log10(np.mean(fr ** 2, axis=1) + 1e-10)


def test_anonymised_speech_keeps_duration_and_energy_envelope(takes) -> None:
    for voice, (x, _) in takes.items():
        y = anonymise(x, SR, alpha=0.8)
        assert len(y) == len(x) and np.all(np.isfinite(y))
        ex, ey = _envelope_db(x), _envelope_db(y)
        loud = ex > ex.max() - 40
        corr = np.corrcoef(ex[loud], ey[loud])[0, 1]
        assert corr > 0.9, (voice, corr)
        assert not np.allclose(x, y, atol=0.05)


def test_anonymisation_changes_the_speaker_but_not_a_second_take(takes) -> None:
    """Speaker similarity = cosine of mean MFCCs (see emo_perception.voice.metrics)."""
    for voice, (a, b) in takes.items():
        same_voice = speaker_similarity(a, b, SR)
        anon = speaker_similarity(a, anonymise(a, SR, alpha=0.8), SR)
        anon_other_take = speaker_similarity(b, anonymise(a, SR, alpha=0.8), SR)
        assert same_voice >= 0.9, (voice, same_voice)
        assert anon <= 0.8 and same_voice - anon >= 0.15, (voice, same_voice, anon)
        assert anon_other_take <= 0.85, (voice, anon_other_take)
    # A stronger warp (smaller alpha) moves the voice further.
    a = takes["en-us"][0]
    sims = [speaker_similarity(a, anonymise(a, SR, alpha=al), SR) for al in (0.9, 0.8, 0.6)]
    assert sims[0] > sims[1] > sims[2], sims


def test_random_alpha_is_seeded_and_in_range() -> None:
    cfg = McAdamsConfig(random_alpha=True, seed=7)
    draws = {McAdamsConfig(random_alpha=True, seed=s).session_alpha() for s in range(20)}
    assert cfg.session_alpha() == McAdamsConfig(random_alpha=True, seed=7).session_alpha()
    assert len(draws) == 20 and all(ALPHA_RANGE[0] <= d <= ALPHA_RANGE[1] for d in draws)
    assert McAdamsConfig(alpha=0.7).session_alpha() == 0.7


def test_prosody_pitch_of_tones_and_glide() -> None:
    t = np.arange(SR) / SR
    for f in (75.0, 150.0, 300.0):
        feats = prosody(0.3 * np.sin(2 * np.pi * f * t), SR)
        assert abs(feats.f0_mean_hz - f) < 1.0 and feats.voiced_ratio > 0.9
    glide = 0.3 * np.sin(2 * np.pi * (100 * t + 50 * t ** 2))  # 100 -> 200 Hz: 12 st/s
    feats = prosody(glide, SR)
    assert 10.0 < feats.f0_slope_st_per_s < 14.0 and 10.0 < feats.f0_range_st < 13.0
    silent = prosody(np.zeros(SR), SR)
    assert np.isnan(silent.f0_mean_hz) and silent.arousal == -1.0


def test_prosody_rate_pauses_and_arousal_on_speech() -> None:
    text = "We will meet again tomorrow morning at the station"
    slow = espeak(text, "en-us", speed_wpm=110, pitch=35) * 0.3
    fast = espeak(text, "en-us", speed_wpm=230, pitch=75)
    f_slow, f_fast = prosody(slow, SR), prosody(fast, SR)
    assert f_fast.speaking_rate_sps > 1.3 * f_slow.speaking_rate_sps
    assert 1.5 < f_slow.speaking_rate_sps < 8.0
    assert f_fast.energy_db > f_slow.energy_db + 6
    assert f_fast.arousal > f_slow.arousal + 0.3
    assert -1.0 <= f_slow.arousal <= 1.0 and -1.0 <= f_fast.arousal <= 1.0
    gap = np.zeros(int(0.6 * SR), np.float32)
    paused = prosody(np.concatenate([fast, gap, fast]), SR)
    assert paused.pause_count == 1 and 0.1 < paused.pause_ratio < 0.3


@pytest.mark.parametrize("make, field", [
    (lambda: McAdamsConfig(alpha=0.0), "alpha"),
    (lambda: McAdamsConfig(frame_ms=30.0), "frame_ms"),
    (lambda: VadConfig(threshold=1.2), "threshold"),
    (lambda: ProsodyConfig(f0_min_hz=300.0, f0_max_hz=200.0), "f0_min_hz"),
    (lambda: VoiceConfig(mcadams_alpha=-1.0), "alpha"),
    (lambda: VoiceConfig(asr_compute_type="float16"), "compute_type"),
    (lambda: VoiceConfig(clip_level=0.0), "clip_level"),
])
def test_configs_reject_bad_values_with_a_named_field(make, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        make()
