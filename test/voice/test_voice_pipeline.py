"""VoicePipeline diagnostics, capture sources and offline processing (ASR off: fast)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import numpy as np
import pytest
from scipy.io import wavfile
from scipy.signal import resample_poly

from emo_perception.evidence import EvidenceItem
from emo_perception.voice.capture import CaptureError, MicSource, WavSource, read_wav, write_wav
from emo_perception.voice.mcadams import anonymise
from emo_perception.voice.offline import VoiceInputError, process_audio
from emo_perception.voice.pipeline import VoiceConfig, VoicePipeline
from emo_perception.voice.synth import SAMPLE_RATE, SENTENCES, conversation

SR = SAMPLE_RATE


@pytest.fixture(scope="module")
def dialogue():
    return conversation([(SENTENCES[2], "en-us"), (SENTENCES[3], "en+f3")], gap_s=1.0)


@pytest.fixture(scope="module")
def dialogue_wav(tmp_path_factory, dialogue):
    path = tmp_path_factory.mktemp("voice") / "dialogue_44k.wav"
    audio = resample_poly(dialogue[0], 441, 160)  # 44.1 kHz, as a typical recording
    wavfile.write(str(path), 44100, (np.clip(audio, -1, 1) * 32767).astype(np.int16))
    return path


def _no_asr(**kw) -> VoiceConfig:
    """Without Whisper the default anonymiser (resynth, which re-speaks Whisper's words)
    cannot run: these tests use WORLD unless they name another."""
    return VoiceConfig(**{"anonymiser_method": "world", "asr_enabled": False, **kw})


def test_pipeline_resamples_and_keeps_the_stream_clock(dialogue) -> None:
    audio, truth = dialogue
    x48 = resample_poly(audio, 3, 1).astype(np.float32)
    pipe = VoicePipeline(_no_asr(anonymiser_method="mcadams"))
    outs = [pipe.process(x48[i:i + 4800], 48000, 100.0 + i / 48000)
            for i in range(0, len(x48), 4800)]
    outs.append(pipe.flush())
    anon = np.concatenate([o.anonymised.samples for o in outs])
    assert len(anon) == len(audio)  # 16 kHz out, nothing lost or duplicated
    assert outs[0].anonymised.stamp == 100.0
    for a, b in zip(outs, outs[1:]):  # anonymised chunks tile the timeline
        assert abs(a.anonymised.stamp + len(a.anonymised.samples) / SR
                   - b.anonymised.stamp) < 1e-9
    # The streamed anonymisation of resampled input equals the offline transform.
    np.testing.assert_allclose(anon, anonymise(resample_poly(x48, 1, 3), SR, 0.8), atol=1e-4)
    segs = [s for o in outs for s in o.segments]
    assert len(segs) == len(truth)
    for rep, utt in zip(segs, truth):
        assert abs(rep.segment.start - 100.0 - utt.start) < 0.1
        assert abs(rep.segment.end - 100.0 - utt.end) < 0.15
        assert 70 < rep.prosody.f0_mean_hz < 300 and rep.prosody.speaking_rate_sps > 1
    ups = [u for o in outs for u in o.activity]
    assert [u.speaking for u in ups] == [True, False] * len(truth)
    windows = [w for o in outs for w in o.prosody]
    assert len(windows) == int(len(audio) / SR) - 1  # 2 s windows every 1 s
    c = pipe.counters
    assert c.resampled_chunks == c.chunks == len(outs) - 1 and c.segments == len(truth)
    assert c.nan_chunks == c.clipped_chunks == c.rejected_chunks == c.stamp_jumps == 0


def test_bad_chunks_are_counted_not_fatal(dialogue) -> None:
    audio = dialogue[0][SR:4 * SR]  # inside the first sentence
    pipe = VoicePipeline(_no_asr())
    ok = audio[:1600]
    nan = ok.copy()
    nan[::7] = np.nan
    nan[5] = np.inf
    clipped = np.clip(ok * 40, -1.5, 1.5)
    stereo = (np.stack([ok, ok], axis=1) * 32767).astype(np.int16)
    n_bad = int(np.sum(~np.isfinite(nan)))
    feed = [(ok, SR), (nan, SR), (clipped, SR), (np.zeros(1600, np.float32), SR),
            (np.zeros(0, np.float32), SR), (stereo, SR), (audio[:4410], 44100),
            (ok, 0), (np.array(["1", "2"]), SR), (np.zeros((2, 2, 2)), SR),
            (ok.astype(complex), SR), (ok, SR)]
    t, outs = 0.0, []
    for x, rate in feed:
        outs.append(pipe.process(x, rate, t))
        t += len(x) / rate if rate and len(np.shape(x)) else 0.0
    outs.append(pipe.flush())
    c = pipe.counters
    assert c.chunks == len(feed)
    assert c.nan_chunks == 1 and c.nan_samples == n_bad
    assert c.clipped_chunks == 1 and c.clipped_samples == int(np.sum(np.abs(clipped) >= 0.999))
    assert c.silent_chunks == 1 and c.empty_chunks == 1
    assert c.rejected_chunks == 4  # rate 0, strings, 3-D array, complex
    assert c.resampled_chunks == 1 and c.rate_changes == 2  # 16k -> 44.1k -> 16k
    for o in outs:
        if o.anonymised is not None:
            assert np.all(np.isfinite(o.anonymised.samples))
            assert np.all(np.abs(o.anonymised.samples) <= 1.0)
    assert c.anon_clipped_samples > 0  # the square-ish clipped chunk overshoots
    assert "non-finite" in outs[1].warning and "clipped" in outs[2].warning
    assert "rejected" in outs[7].warning and "\n" not in outs[8].warning
    # 7 usable chunks; the 44.1 kHz one becomes 1600 samples at 16 kHz.
    total = sum(len(o.anonymised.samples) for o in outs if o.anonymised is not None)
    assert total == 6 * 1600 + 1600


def test_stamp_jumps_are_counted() -> None:
    pipe = VoicePipeline(_no_asr())
    x = np.zeros(1600, np.float32)
    for stamp in (5.0, 5.1, 5.2, 9.0, 9.1):
        pipe.process(x, SR, stamp)
    assert pipe.counters.stamp_jumps == 2  # the clock follows samples, not stamps


def test_wav_source_chunks_and_realtime_pacing(dialogue_wav) -> None:
    full, rate = read_wav(dialogue_wav)
    chunks = list(WavSource(dialogue_wav, block_size=4410))
    assert rate == 44100 and sum(len(c.samples) for c in chunks) == len(full)
    assert chunks[1].stamp == pytest.approx(0.1)
    np.testing.assert_array_equal(np.concatenate([c.samples for c in chunks]), full)
    short = dialogue_wav.parent / "short.wav"
    write_wav(short, full[:int(0.4 * rate)], rate)
    t = time.monotonic()
    paced = list(WavSource(short, block_size=4410, realtime=True))
    assert time.monotonic() - t >= 0.35 and len(paced) == 4


def test_capture_errors_are_one_line(tmp_path) -> None:
    with pytest.raises(CaptureError, match="not found"):
        WavSource(tmp_path / "missing.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF0000WAVEjunk")
    with pytest.raises(CaptureError, match="cannot read WAV"):
        read_wav(bad)
    # This machine has no sound card: the error must name PortAudio and the device.
    with pytest.raises(CaptureError) as err:
        MicSource(device="no-such-microphone")
    assert "PortAudio" in str(err.value) and "\n" not in str(err.value)
    assert "no-such-microphone" in str(err.value) or "libportaudio2" in str(err.value)
    with pytest.raises(CaptureError, match="PortAudio.*default input device"):
        MicSource()


def test_offline_wav_writes_files_and_evidence(dialogue_wav, dialogue, tmp_path) -> None:
    truth = dialogue[1]
    report = process_audio(dialogue_wav, tmp_path, _no_asr())
    anon, rate = read_wav(tmp_path / "voice_anonymised.wav")
    assert rate == SR and abs(len(anon) / SR - report.duration_s) < 0.01
    segs = json.loads((tmp_path / "voice_segments.json").read_text())
    assert len(segs) == len(truth) == len(report.segments)
    assert all(s["prosody"]["f0_mean_hz"] > 50 for s in segs)
    assert json.loads((tmp_path / "voice_transcript.json").read_text()) == []
    windows = json.loads((tmp_path / "voice_prosody.json").read_text())
    assert len(windows) == len(report.windows) > 0
    assert all(isinstance(e, EvidenceItem) for e in report.evidence)
    kinds = {(e.modality, e.kind) for e in report.evidence}
    assert kinds == {("voice", "prosody")}  # only what fusion takes (no activity items)
    names = {e.name for e in report.evidence if e.kind == "prosody"}
    assert {"f0_mean_hz", "arousal", "speaking_rate_sps"} <= names
    summary = report.summary()
    assert summary["segments"] == len(truth) and summary["counters"]["resampled_chunks"] > 0
    assert not any(p.name.endswith("raw.wav") for p in tmp_path.iterdir())


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs Debian ffmpeg")
def test_offline_video_with_and_without_audio(dialogue_wav, dialogue, tmp_path) -> None:
    video = tmp_path / "clip.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=96x64:rate=5", "-i", str(dialogue_wav), "-shortest",
                    "-c:v", "mpeg4", "-c:a", "pcm_s16le", str(video)], check=True)
    report = process_audio(video, tmp_path / "out", _no_asr())
    assert len(report.segments) == len(dialogue[1])
    mute = tmp_path / "mute.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=96x64:rate=5", "-t", "1", "-c:v", "mpeg4", str(mute)],
                   check=True)
    with pytest.raises(VoiceInputError, match="no audio track"):
        process_audio(mute, tmp_path / "out2", _no_asr())
    with pytest.raises(VoiceInputError, match="not found"):
        process_audio(tmp_path / "nothing.mp4", tmp_path / "out3", _no_asr())


def test_flush_ends_the_stream_and_the_next_chunk_starts_a_new_one(dialogue) -> None:
    audio, truth = dialogue
    pipe = VoicePipeline(_no_asr())
    first = [pipe.process(audio[i:i + 1600], SR, i / SR) for i in range(0, len(audio), 1600)]
    first.append(pipe.flush())
    x44 = resample_poly(audio, 441, 160).astype(np.float32)
    second = [pipe.process(x44[i:i + 4410], 44100, 50.0 + i / 44100)
              for i in range(0, len(x44), 4410)]
    second.append(pipe.flush())
    assert second[0].anonymised.stamp == 50.0
    for outs in (first, second):
        segs = [s.segment for o in outs for s in o.segments]
        assert len(segs) == len(truth)
    n_second = sum(len(o.anonymised.samples) for o in second)
    assert abs(n_second - len(x44) * SR / 44100) <= 1
    assert pipe.counters.stamp_jumps == 0 and pipe.counters.rate_changes == 0


def test_voice_pipeline_is_a_stage_with_stats_and_a_noop_forget() -> None:
    from emo_perception.perception.types import Stage, StageStats

    pipe = VoicePipeline(_no_asr())
    try:
        assert isinstance(pipe, Stage)
        assert pipe.stage_stats() == StageStats()
        pipe.process(np.zeros(1600, np.float32), 16000, 0.0)
        pipe.process(np.zeros(0, np.float32), 16000, 0.1)  # empty: skipped
        out = pipe.process(np.zeros(160, np.float32), -5, 0.1)  # bad rate: rejected
        assert out.warning.startswith("chunk rejected")
        pipe.process(np.zeros(800, np.float32), 8000, 0.1)
        st = pipe.stage_stats()
        assert (st.processed, st.skipped, st.rejected, st.errors) == (2, 1, 1, 0)
        assert st.last_error.startswith("chunk rejected") and "\n" not in st.last_error
        st.processed = 99  # a copy: the pipeline's counters are untouched
        assert pipe.stage_stats().processed == 2
        pipe.forget("track-1")  # voice has no person tracks: a no-op
        pipe.forget("")
        assert pipe.stage_stats().processed == 2
    finally:
        pipe.close()
