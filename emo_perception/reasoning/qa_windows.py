"""Evidence windows built by our own perception stages from real photos and speech.

Used by the tests (knowledge cues grounded on real evidence) and to regenerate the
windows embedded in the shipped QA set (``python -m emo_perception.reasoning.qa_windows
OUT.json``). Faces: mediapipe face mesh -> geometric AUs -> EMFACS expression. Voice:
espeak-ng speech -> prosody features (the transcript is the synthesised text).
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

import numpy as np

from emo_perception.evidence import EvidenceWindow

PHOTOS = ("astronaut", "grace_hopper", "chelsea")  # chelsea (a cat) has no face


def photo_bgr(name: str) -> np.ndarray:
    """A real photo that ships with scikit-image or matplotlib, as BGR uint8."""
    if name == "grace_hopper":
        import cv2
        import matplotlib

        path = pathlib.Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
        img = cv2.imread(str(path))
        if img is None:
            raise FileNotFoundError(f"cannot read {path}")
        return img
    from skimage import data

    return np.ascontiguousarray(getattr(data, name)()[:, :, ::-1])


def face_window(bgr: np.ndarray, label_set: str = "basic7", track_id: str = "p1",
                start: float = 0.0, duration_s: float = 2.0) -> EvidenceWindow:
    """AU and expression evidence of the first face in a photo (empty maps if none)."""
    from emo_perception.perception.action_units import ActionUnitEstimator
    from emo_perception.perception.expression import ExpressionConfig, ExpressionEstimator
    from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
    from emo_perception.perception.types import Frame

    det = LandmarkDetector(LandmarkConfig(pose=False, static_image_mode=True, parallel=False))
    try:
        marks = det.process(Frame(bgr, start, 0))
    finally:
        det.close()
    window = EvidenceWindow(duration_s=duration_s, track_id=track_id, start=start)
    faces = [f for f in marks.faces if f.mesh is not None]
    if not faces:
        return window
    face = faces[0]
    face.track_id = track_id
    aus = ActionUnitEstimator().estimate(face, start)
    affect = ExpressionEstimator(ExpressionConfig(label_set=label_set)).estimate(
        track_id, start, aus)
    window.action_units = {f"AU{a.code}": round(float(a.probability), 3) for a in aus}
    window.expression = {lb: round(float(p), 3) for lb, p in
                         zip(affect.labels, affect.probabilities)}
    return window


def speech_evidence(text: str, voice: str = "en-us", speed_wpm: int = 160,
                    pitch: int = 50) -> dict[str, float]:
    """Prosody evidence features of espeak-ng speech, via the voice stage."""
    from emo_perception.evidence import PROSODY_EVIDENCE
    from emo_perception.voice.pipeline import SAMPLE_RATE
    from emo_perception.voice.prosody import prosody
    from emo_perception.voice.synth import espeak

    feats = prosody(espeak(text, voice, speed_wpm, pitch), SAMPLE_RATE).as_dict()
    return {k: round(float(feats[k]), 3) for k in PROSODY_EVIDENCE
            if k in feats and math.isfinite(float(feats[k]))}


def build_all() -> dict[str, dict]:
    """The named windows the QA set embeds (faces from photos, prosody from speech)."""
    out: dict[str, dict] = {}
    for name in PHOTOS:
        out[f"face_{name}"] = face_window(photo_bgr(name)).to_json()
    for key, (text, wpm, pitch) in {
        "speech_glad_fast": ("I am so glad you came, this is wonderful news!", 210, 80),
        "speech_sad_slow": ("I miss her. I feel so lonely these days.", 110, 25),
    }.items():
        out[key] = {"prosody": speech_evidence(text, speed_wpm=wpm, pitch=pitch),
                    "transcript": text}
    return out


if __name__ == "__main__":
    target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "windows.json")
    target.write_text(json.dumps(build_all(), indent=1))
    print(f"wrote {target}")
