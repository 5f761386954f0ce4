"""The resynthesis anonymiser (anonymiser_method: resynth): real espeak-ng speech in, the
real silero VAD and Whisper tiny.en, the real flite (default engine) or espeak-ng binary
out. Nothing is mocked."""

from __future__ import annotations

import dataclasses
import inspect
import time

import numpy as np
import pytest

from emo_perception.audit.voice import word_hits
from emo_perception.voice.asr import AsrConfig, WhisperAsr
from emo_perception.voice.pipeline import VoiceConfig, VoicePipeline
from emo_perception.voice.resynth import (FLITE_VOICES, FliteTts, PseudoVoice, ResynthConfig,
                                          ResynthStream, TtsError, draw_voice)
from emo_perception.voice.synth import SAMPLE_RATE, SENTENCES, conversation

SR = SAMPLE_RATE
CHUNK = 320  # 20 ms


@pytest.fixture(scope="module")
def whisper():
    return WhisperAsr(AsrConfig())


@pytest.fixture(scope="module")
def two_sentences():
    return conversation([(SENTENCES[1], "en+f3"), (SENTENCES[2], "en-gb-scotland")],
                        gap_s=1.0)


def _stream(pipe: VoicePipeline, x: np.ndarray, pace: bool = False):
    """Feed ``x`` in 20 ms chunks; per chunk (output samples, speaking, segment open)."""
    rows = []
    for a in range(0, len(x), CHUNK):
        out = pipe.process(x[a:a + CHUNK], SR, a / SR)
        assert len(out.anonymised.samples) == len(x[a:a + CHUNK])  # one out per one in
        rows.append((out.anonymised.samples, out.speaking))
        if pace:
            time.sleep(0.002)
    return rows


def _run(x: np.ndarray, **kw) -> tuple[np.ndarray, VoicePipeline]:
    pipe = VoicePipeline(VoiceConfig(anonymiser_method="resynth", **kw))
    try:
        rows = _stream(pipe, x)
        out = pipe.flush()
        y = np.concatenate([r[0] for r in rows] + [out.anonymised.samples])
    finally:
        pipe.close()
    return y, pipe


def test_resynth_never_outputs_the_input_and_is_silent_while_a_segment_is_open(
        two_sentences) -> None:
    x, truth = two_sentences
    # Padding so both segments are recognised and re-spoken while the stream still runs.
    x = np.concatenate([x, np.zeros(3 * SR, np.float32)])
    pipe = VoicePipeline(VoiceConfig(anonymiser_method="resynth"))
    try:
        rows = _stream(pipe, x)
        deadline = time.monotonic() + 30.0
        while pipe.counters.resynth_spoken < 2 and time.monotonic() < deadline:
            rows += _stream(pipe, np.zeros(SR // 10, np.float32))  # the stream goes on
            time.sleep(0.05)
        rows += _stream(pipe, np.zeros(5 * SR, np.float32))  # play the queue out
    finally:
        pipe.close()
    assert pipe.counters.resynth_spoken == 2 and pipe.counters.segments == 2
    # Until the first segment has ended and been recognised, the output is exact silence:
    # no sample of the speech that is being spoken goes out.
    first_end = int(truth[0].end * SR)
    y = np.concatenate([r[0] for r in rows])
    assert not np.any(y[:first_end])
    speaking = np.repeat([r[1] for r in rows], [len(r[0]) for r in rows])
    assert speaking[:first_end].any()
    # Resynthesised speech does come out, later, and is unrelated to the input samples:
    # normalised cross-correlation over every lag stays far below a copy's 1.0.
    assert np.flatnonzero(y)[0] > first_end
    n = len(x)
    spec = np.fft.rfft(x, 2 * n) * np.conj(np.fft.rfft(y[:n], 2 * n))
    xcorr = np.fft.irfft(spec) / (np.linalg.norm(x) * np.linalg.norm(y[:n]) + 1e-12)
    assert np.abs(xcorr).max() < 0.2
    assert np.sqrt(np.mean(y ** 2)) > 0.01


@pytest.mark.parametrize("engine", ["flite", "espeak"])
def test_resynth_keeps_the_words(two_sentences, whisper, engine) -> None:
    x, truth = two_sentences
    pipe = VoicePipeline(VoiceConfig(anonymiser_method="resynth", resynth_engine=engine,
                                     deterministic=True))
    try:
        rows, said = [], []
        for a in range(0, len(x), CHUNK):
            out = pipe.process(x[a:a + CHUNK], SR, a / SR)
            rows.append(out.anonymised.samples)
            said += [r.text for r in out.speech]
        out = pipe.flush()
        y = np.concatenate(rows + [out.anonymised.samples])
        said += [r.text for r in out.speech]
    finally:
        pipe.close()
    assert pipe.counters.resynth_spoken == 2 and len(said) == 2
    ref = " ".join(u.text for u in truth)
    first, n, _ = word_hits(ref, " ".join(said))  # what the pipeline's own Whisper heard
    text = whisper.transcribe(y).text
    hits, _, _ = word_hits(ref, text)
    # What the first pass recovers depends on the CPU as well (CTranslate2's int8 kernels:
    # ~70-95 % of these espeak words on the earlier dev VMs, 61 % on an AVX-512 Xeon, the
    # Scottish voice's sentence misheard). The chain can only re-speak what it heard, so
    # it is judged against that: through TTS and Whisper again nearly all of it survives.
    assert first / n >= 0.5, said
    assert hits >= (0.85 if engine == "flite" else 0.7) * first, (said, text)


def test_resynth_voice_does_not_depend_on_the_speaker() -> None:
    resemblyzer = pytest.importorskip("resemblyzer")
    enc = resemblyzer.VoiceEncoder("cpu", verbose=False)

    def emb(z: np.ndarray) -> np.ndarray:
        return enc.embed_utterance(resemblyzer.preprocess_wav(z, source_sr=SR))

    a, _ = conversation([(SENTENCES[0], "en+f3")])
    b, _ = conversation([(SENTENCES[0], "en-gb-scotland+m7")])
    # Same seed: the same pseudo-voice is drawn for both, whoever speaks.
    ya, pa = _run(a, deterministic=True)
    yb, pb = _run(b, deterministic=True)
    assert list(pa._anon.voices) == list(pb._anon.voices) and len(pa._anon.voices) == 1
    inputs = float(emb(a) @ emb(b))
    outputs = float(emb(ya) @ emb(yb))
    # Two different input voices give (nearly) the same output voice.
    assert outputs > 0.9 and outputs > inputs + 0.1, (inputs, outputs)


def test_resynth_fails_closed() -> None:
    with pytest.raises(TtsError, match="not found") as err:
        VoicePipeline(VoiceConfig(anonymiser_method="resynth",
                                  resynth_tts_binary="/nonexistent/espeak-ng"))
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="asr_enabled"):
        VoiceConfig(anonymiser_method="resynth", asr_enabled=False)
    with pytest.raises(ValueError, match="asr_on_anonymised"):
        VoiceConfig(anonymiser_method="resynth", asr_on_anonymised=True)
    # A synthesis that times out at run time: the segment is silence, counted.
    x, _ = conversation([(SENTENCES[3], "en-us")])
    y, pipe = _run(x, resynth_tts_timeout_s=0.001, deterministic=True)
    assert pipe.counters.segments == 1 and pipe.counters.asr_completed == 1
    assert pipe.counters.resynth_failed == 1 and pipe.counters.resynth_spoken == 0
    assert len(y) == len(x) and not np.any(y)
    st = pipe.stage_stats()
    assert st.errors == 1 and st.last_error and "\n" not in st.last_error


def test_resynth_flite_missing_names_the_package() -> None:
    for make in (lambda: ResynthStream(ResynthConfig(tts_binary="/nonexistent/flite")),
                 lambda: VoicePipeline(VoiceConfig(anonymiser_method="resynth",
                                                   resynth_tts_binary="/nonexistent/flite"))):
        with pytest.raises(TtsError, match="apt-get install flite") as err:
            make()
        assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="flite voices"):
        ResynthConfig(voices=("slt", "nosuchvoice"))
    with pytest.raises(ValueError, match="engine"):
        ResynthConfig(engine="festival")


def test_flite_voices_speak_words_whisper_recovers(whisper) -> None:
    text = "please bring the blue folder to the meeting room this afternoon"
    tts = FliteTts(ResynthConfig())
    for name in ResynthConfig().voices:
        for st, stretch in ((-3.0, 0.9), (3.0, 1.15)):  # the ends of the drawn ranges
            y = tts.synthesize(text, PseudoVoice(name, FLITE_VOICES[name] * 2 ** (st / 12),
                                                 stretch))
            assert y.dtype == np.float32 and 1.5 < len(y) / SR < 6.0
            h, n, _ = word_hits(text, whisper.transcribe(y).text)
            assert h / n >= 0.8, (name, st, stretch, h, n)


def test_pseudo_voice_is_drawn_per_utterance_from_the_session_generator_only() -> None:
    # The draw's only inputs are the generator and the configuration.
    assert list(inspect.signature(draw_voice).parameters) == ["rng", "config"]
    cfg = ResynthConfig()

    def run(texts: list[str], seed: int) -> tuple[list, list]:
        s = ResynthStream(cfg, rng=np.random.default_rng(seed))
        try:
            outs = []
            for t in texts:
                s.submit(t, 2.0)
                assert s.wait_idle(30.0)
                outs.append(s.drain())
            return list(s.voices), outs
        finally:
            s.close()

    same = ["turn left at the next corner"] * 4
    va, ya = run(same, 7)
    vb, yb = run(same, 7)
    vc, _ = run(["a different sentence", "", "and another one", "the last"], 7)
    # Same input, one session: the voice changes from utterance to utterance.
    assert len({v.voice for v in va}) >= 2 and len({v.f0_mean_hz for v in va}) == 4
    assert len({len(y) for y in ya}) >= 3
    # Same seed: identical voices and identical audio; other input: the same voices.
    assert va == vb and va == vc
    for a, b in zip(ya, yb):
        np.testing.assert_array_equal(a, b)
    # Within the configured ranges.
    for v in va:
        assert v.voice in cfg.voices and cfg.stretch_min <= v.stretch <= cfg.stretch_max
        st = 12 * np.log2(v.f0_mean_hz / FLITE_VOICES[v.voice])
        assert abs(st) <= cfg.pitch_jitter_st + 1e-9
    # Another seed, other voices.
    vd, _ = run(same, 8)
    assert vd != va
    assert dataclasses.is_dataclass(va[0])


def test_resynth_espeak_engine_keeps_one_fixed_voice() -> None:
    s = ResynthStream(ResynthConfig(engine="espeak"), rng=np.random.default_rng(0))
    try:
        for _ in range(2):
            s.submit("hello world", 1.0)
        assert s.wait_idle(20.0)
        y = s.drain()
        half = len(y) // 2
        assert s.counters.spoken == 2 and not s.voices  # nothing drawn
        np.testing.assert_array_equal(y[:half], y[half:])
    finally:
        s.close()


def test_resynth_stream_counts_what_it_cannot_speak() -> None:
    s = ResynthStream(ResynthConfig(asr_timeout_s=1.0))
    try:
        s.submit("   ", 1.0)  # recognition found no words
        s.submit("too late", 1.0, submitted_at=time.monotonic() - 5.0)
        s.submit("hello world", 1.0)
        assert s.wait_idle(20.0)
        assert (s.counters.empty, s.counters.late, s.counters.spoken) == (1, 1, 1)
        s.process(np.ones(100, np.float32))
        y = s.process(np.ones(SR // 2, np.float32))  # input is never passed through
        assert len(y) == SR // 2 and np.all(y != 1.0)
        assert list(s.play_starts) == [0]  # began to play at output sample 0
        rest = s.drain()
        assert len(rest) and not np.any(s.process(np.ones(100, np.float32)))
    finally:
        s.close()


def test_resynth_replays_identically_when_deterministic(two_sentences) -> None:
    x, _ = two_sentences
    a, pa = _run(x, deterministic=True)
    b, pb = _run(x, deterministic=True)
    assert pa.counters.resynth_spoken == 2
    # Deterministic: each segment is re-spoken before the next chunk, so the output,
    # where it lands included, is a function of the input alone.
    assert len(a) == len(b)
    np.testing.assert_array_equal(a, b)
    assert np.any(a)


def test_resynth_leaves_prosody_to_the_original(two_sentences) -> None:
    x, _ = two_sentences

    def windows(**kw) -> list:
        pipe = VoicePipeline(VoiceConfig(**kw))
        try:
            outs = [pipe.process(x[i:i + 1600], SR, i / SR) for i in range(0, len(x), 1600)]
            outs.append(pipe.flush(wait_asr=False))
        finally:
            pipe.close()
        return [w.as_dict() for o in outs for w in o.prosody] + \
            [s.prosody.as_dict() for o in outs for s in o.segments]

    assert windows(anonymiser_method="resynth", deterministic=True) == \
        windows(anonymiser_method="world", asr_enabled=False)
