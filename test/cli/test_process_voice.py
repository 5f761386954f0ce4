"""``emo-perception process`` with audio: a WAV alone, and a video with a speech track whose
voice evidence reaches fusion (real espeak-ng speech, real ffmpeg, silero, Whisper)."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys

import cv2
import pytest
import skimage.data

EMO = [sys.executable, "-m", "emo_perception.cli"]
SENTENCE = "I am really happy to see you today. This is a great day."


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory) -> pathlib.Path:
    for tool in ("espeak-ng", "sox", "ffmpeg"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing: make setup installs it")
    d = tmp_path_factory.mktemp("speech")
    subprocess.run(["espeak-ng", "-w", str(d / "raw.wav"), SENTENCE], check=True)
    subprocess.run(["sox", str(d / "raw.wav"), "-r", "16000", str(d / "speech.wav"), "pad",
                    "0.5", "1.0"], check=True)
    return d / "speech.wav"


def test_process_wav_writes_anonymised_voice_and_transcript(speech_wav, tmp_path) -> None:
    out = tmp_path / "out"
    res = subprocess.run(EMO + ["process", str(speech_wav), "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["kind"] == "audio" and summary["voice"]["segments"] >= 1
    assert "happy" in summary["voice"]["transcript"].lower()
    evidence = json.loads((out / "evidence.json").read_text())["v1"]
    assert "arousal" in evidence["prosody"] and evidence["transcript"]
    written = sorted(p.name for p in out.iterdir())
    assert "voice_anonymised.wav" in written and "timeline.png" in written
    assert not [n for n in written if n.endswith(".wav") and n != "voice_anonymised.wav"]


def test_process_video_feeds_its_voice_into_fusion(speech_wav, tmp_path) -> None:
    face = tmp_path / "face.png"
    cv2.imwrite(str(face), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    video = tmp_path / "talk.mp4"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-loop", "1", "-i", str(face), "-i",
                    str(speech_wav), "-vf", "scale=320:320,fps=10", "-c:v", "mpeg4", "-c:a",
                    "aac", "-shortest", str(video)], check=True)
    out = tmp_path / "out"
    res = subprocess.run(EMO + ["process", str(video), "--out", str(out),
                                "--deterministic-ids"], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["voice"]["evidence_items_fused"] > 0
    evidence = json.loads((out / "evidence.json").read_text())
    person = evidence["p1"]
    assert "happy" in person["transcript"].lower()
    assert "arousal" in person["prosody"] and "AU12" in person["action_units"]
    assert (out / "voice_anonymised.wav").exists()
    # --no-voice really skips the track.
    res = subprocess.run(EMO + ["process", str(video), "--out", str(tmp_path / "nv"),
                                "--no-voice", "--max-frames", "5"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert not (tmp_path / "nv" / "voice_anonymised.wav").exists()
