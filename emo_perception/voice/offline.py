"""Offline voice processing of a WAV file or a video's audio track.

``process_audio`` runs the streaming chain over the whole recording (fast as possible) and
writes into ``out_dir``:
  voice_anonymised.wav   anonymised audio (``anonymiser_method``: resynth, WORLD
                         pseudo-voice or McAdams), 16 kHz mono 16-bit (raw audio is never
                         written)
  voice_segments.json    speech segments with their prosody
  voice_prosody.json     sliding-window prosody
  voice_transcript.json  recognised text per segment (empty list when ASR is off)
and returns a :class:`VoiceReport` whose ``evidence`` feeds fusion.
"""

from __future__ import annotations

import json
import math
import pathlib
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from emo_perception.evidence import EvidenceItem, prosody_evidence, speech_evidence
from emo_perception.voice.asr import SpeechResult
from emo_perception.voice.capture import CaptureError, read_wav, write_wav
from emo_perception.voice.pipeline import (SAMPLE_RATE, SegmentReport, VoiceConfig,
                                           VoiceCounters, VoicePipeline)
from emo_perception.voice.prosody import ProsodyFeatures

CHUNK_S = 0.1


class VoiceInputError(RuntimeError):
    """The audio cannot be obtained from the input (one-line message)."""


@dataclass
class VoiceReport:
    """Everything ``process_audio`` found, plus the files it wrote."""

    source: str
    duration_s: float
    alpha: float  # McAdams alpha at the end (NaN for WORLD)
    anonymiser: dict[str, Any] = field(default_factory=dict)
    segments: list[SegmentReport] = field(default_factory=list)
    windows: list[ProsodyFeatures] = field(default_factory=list)
    speech: list[SpeechResult] = field(default_factory=list)
    counters: VoiceCounters = field(default_factory=VoiceCounters)
    evidence: list[EvidenceItem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def transcript(self) -> str:
        return " ".join(s.text for s in self.speech if s.text).strip()

    def summary(self) -> dict[str, Any]:
        """A small JSON-ready summary for ``process``'s summary file."""
        return _json_safe({
            "source": self.source, "duration_s": self.duration_s, "alpha": self.alpha,
            "anonymiser": self.anonymiser, "segments": len(self.segments),
            "transcript": self.transcript,
            "speech_s": sum(s.segment.duration for s in self.segments),
            "counters": self.counters.as_dict(), "files": dict(self.files)})


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


def extract_audio(path: pathlib.Path, out_wav: pathlib.Path) -> None:
    """Decode the first audio track of any ffmpeg-readable file to 16 kHz mono WAV."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise VoiceInputError(f"ffmpeg not found: needed to read audio from {path.name} "
                              "(apt-get install ffmpeg)")
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(path), "-map", "0:a:0", "-vn",
           "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", str(out_wav)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not out_wav.is_file():
        err = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
        if "matches no streams" in proc.stderr:
            err = "it has no audio track"
        raise VoiceInputError(f"cannot extract audio from {path}: {err}")


def load_audio(path: str | pathlib.Path) -> tuple[np.ndarray, int]:
    """Mono float32 audio from a WAV file, or from any media file through ffmpeg."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise VoiceInputError(f"input not found: {path}")
    if path.suffix.lower() == ".wav":
        try:
            return read_wav(path)
        except CaptureError:
            pass  # e.g. a compressed WAV codec scipy cannot read: let ffmpeg decode it
    with tempfile.TemporaryDirectory(prefix="emo_voice_") as tmp:
        wav = pathlib.Path(tmp) / "audio.wav"
        extract_audio(path, wav)
        return read_wav(wav)


def voice_evidence(segments: list[SegmentReport],
                   speech: list[SpeechResult]) -> list[EvidenceItem]:
    """Evidence items for fusion: prosody per speech segment and text per transcript, built
    by the same functions fusion_node uses for the live messages."""
    items: list[EvidenceItem] = []
    for rep in segments:
        items += prosody_evidence(rep.prosody.as_dict(), rep.segment.start, rep.segment.end)
    for r in speech:
        item = speech_evidence(r.text, math.exp(r.avg_logprob), r.start, r.end)
        if item is not None:
            items.append(item)
    return items


def process_audio(path_or_video: str | pathlib.Path, out_dir: str | pathlib.Path,
                  config: VoiceConfig | None = None) -> VoiceReport:
    """Run the voice chain over a recording; write the files listed in the module doc."""
    cfg = config or VoiceConfig()
    samples, rate = load_audio(path_or_video)
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pipe = VoicePipeline(cfg)
    report = VoiceReport(str(path_or_video), len(samples) / rate, pipe.alpha)
    anon: list[np.ndarray] = []
    step = max(1, int(rate * CHUNK_S))
    try:
        outputs = [pipe.process(samples[i:i + step], rate, i / rate)
                   for i in range(0, len(samples), step)]
        outputs.append(pipe.flush(wait_asr=True))
    finally:
        pipe.close()
    for o in outputs:
        if o.anonymised is not None:
            anon.append(o.anonymised.samples)
        report.segments += o.segments
        report.windows += o.prosody
        report.speech += o.speech
    report.speech += pipe.poll_speech()
    report.speech.sort(key=lambda r: r.start)
    report.counters = pipe.counters
    report.alpha = pipe.alpha
    report.anonymiser = {"method": cfg.anonymiser_method if cfg.anonymise else "none",
                         **pipe.anonymiser_state}
    report.evidence = voice_evidence(report.segments, report.speech)
    if cfg.anonymise:
        wav = out / "voice_anonymised.wav"
        write_wav(wav, np.concatenate(anon) if anon else np.zeros(0), SAMPLE_RATE)
        report.files["anonymised_wav"] = str(wav)
    docs = {
        "segments": [{"start": r.segment.start, "end": r.segment.end,
                      "prosody": r.prosody.as_dict()} for r in report.segments],
        "prosody": [w.as_dict() for w in report.windows],
        "transcript": [{"start": r.start, "end": r.end, "text": r.text,
                        "avg_logprob": r.avg_logprob, "no_speech_prob": r.no_speech_prob,
                        "parts": [list(p) for p in r.parts]} for r in report.speech],
    }
    for name, doc in docs.items():
        path = out / f"voice_{name}.json"
        path.write_text(json.dumps(_json_safe(doc), indent=1))
        report.files[name] = str(path)
    return report


def report_to_json(report: VoiceReport) -> dict[str, Any]:
    """The full report as JSON-ready data (evidence included)."""
    data = report.summary()
    data["evidence"] = [asdict(e) for e in report.evidence]
    return _json_safe(data)
