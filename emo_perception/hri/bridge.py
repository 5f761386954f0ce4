"""The REP-155 (ROS4HRI) bridge stage: our faces, action units, expressions, skeletons,
voices and person tracks as the structures of ``hri_msgs`` (no rclpy; hri_bridge_node
turns them into messages).

Conventions, from REP-155 and hri_msgs 2.0.0:

- ids: a face, body and voice id is transient, a person id is the track id. Our tracker
  gives one track id per person (``p3``); the face of that person is ``f`` + track id
  (``fp3``; characters other than letters, digits and _ become _), the body ``b`` +
  track id; a voice keeps voice_node's voice id (``v1``).
- ``roi``: boxes normalised to [0, 1] of the image, confidence ``c``.
- ``facs``: 99-element arrays indexed by FACS code (AU12 in ``intensity[12]``). intensity
  is our FACS intensity 0..5 scaled to [0, 1] (where only an occurrence probability is
  estimated, that probability); confidence is our occurrence probability; codes we do
  not estimate stay 0.
- ``expression``: the most probable of our labels that REP-155 names (happiness ->
  happy, ...; contempt has no REP-155 counterpart), with its probability as confidence,
  and our valence and arousal. The full distribution is an extension topic.
- ``skeleton2d``: OpenPose COCO-18 points from mediapipe's 33, normalised; the neck is the
  midpoint of the shoulders with the lower of their two confidences.
- voice ``features``: pitch (F0 / 500 Hz) and rms (from the energy in dBFS) from our
  prosody; zero-crossing rate and HNR are not computed (NaN), and no MFCCs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.perception.types import ActionUnitEstimate, Box

FACS_SIZE = 99
# Our expression labels -> REP-155 Expression constants (contempt has none).
EXPRESSIONS = {"neutral": "neutral", "happiness": "happy", "sadness": "sad",
               "anger": "angry", "surprise": "surprised", "disgust": "disgusted",
               "fear": "scared"}
# COCO-18 (OpenPose) index -> mediapipe pose index; the neck (1) is computed.
COCO18_FROM_MEDIAPIPE = {0: 0, 2: 12, 3: 14, 4: 16, 5: 11, 6: 13, 7: 15, 8: 24, 9: 26,
                         10: 28, 11: 23, 12: 25, 13: 27, 14: 2, 15: 5, 16: 7, 17: 8}
NECK = 1
CROP_SOURCES = ("deid", "none")


@dataclass
class HriBridgeConfig:
    """What the bridge publishes under ``/humans``."""

    crops: str = setting("deid", "/humans/{faces,bodies}/<id>/cropped from: 'deid' (the "
                         "de-identified video, never raw frames) or 'none'",
                         choices=CROP_SOURCES)
    crop_size: int = setting(128, "side of the square crops [px] (REP-155 default 128)",
                             range=(16, 1024))
    extensions: bool = setting(True, "also publish our extensions under "
                               ".../<id>/emo_perception/ (expression distribution, "
                               "micro-gestures, emotion state, reasoning)")

    def __post_init__(self) -> None:
        check_settings(self)


def person_id(track_id: str) -> str:
    """A track id as a topic name component (REP-155: ids are valid identifiers; random
    track ids such as ``pd8d1-1`` carry a dash)."""
    text = re.sub(r"[^A-Za-z0-9_]", "_", track_id)
    return text if text[:1].isalpha() else f"p{text}"


def face_id(track_id: str) -> str:
    return f"f{person_id(track_id)}"


def body_id(track_id: str) -> str:
    return f"b{person_id(track_id)}"


def voice_id(voice: str) -> str:
    """voice_node's voice ids (``v1``) are already distinct from face and body ids."""
    return person_id(voice)


@dataclass(frozen=True)
class Roi:
    """A normalised region of interest (REP-155 ``NormalizedRegionOfInterest2D``)."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float
    c: float

    @staticmethod
    def from_box(box: Box, width: int, height: int, confidence: float) -> "Roi":
        if width <= 0 or height <= 0:
            raise ValueError(f"image size must be positive, got {width}x{height}")

        def clip(v: float) -> float:
            return float(min(max(v, 0.0), 1.0))

        return Roi(clip(box.x / width), clip(box.y / height), clip((box.x + box.w) / width),
                   clip((box.y + box.h) / height), clip(confidence))

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """x0, y0, x1, y1 in pixels of an image of that size."""
        return (int(round(self.xmin * width)), int(round(self.ymin * height)),
                int(round(self.xmax * width)), int(round(self.ymax * height)))


@dataclass(frozen=True)
class Facs:
    intensity: np.ndarray  # (99,) float32, by FACS code
    confidence: np.ndarray  # (99,) float32, by FACS code


def facs(units: Iterable[ActionUnitEstimate]) -> Facs:
    intensity = np.zeros(FACS_SIZE, np.float32)
    confidence = np.zeros(FACS_SIZE, np.float32)
    for u in units:
        code = int(u.code)
        if not 0 <= code < FACS_SIZE:
            continue
        p = float(u.probability)
        p = min(max(p, 0.0), 1.0) if math.isfinite(p) else 0.0
        level = float(u.intensity)
        intensity[code] = min(max(level / 5.0, 0.0), 1.0) if math.isfinite(level) else p
        confidence[code] = p
    return Facs(intensity, confidence)


@dataclass(frozen=True)
class HriExpression:
    expression: str
    valence: float
    arousal: float
    confidence: float


def expression(labels: Sequence[str], probabilities: Sequence[float], valence: float,
               arousal: float) -> HriExpression:
    """The most probable label REP-155 names; ``neutral`` with confidence 0 when none."""
    best, best_p = "neutral", -1.0
    for label, p in zip(labels, probabilities):
        if label in EXPRESSIONS and float(p) > best_p:
            best, best_p = EXPRESSIONS[label], float(p)

    def unit(v: float, lo: float) -> float:
        return float(min(max(v, lo), 1.0)) if math.isfinite(v) else 0.0

    return HriExpression(best, unit(float(valence), -1.0), unit(float(arousal), -1.0),
                         unit(best_p, 0.0))


def skeleton18(keypoints: np.ndarray, width: int, height: int) -> np.ndarray:
    """(18, 3) COCO-18 x, y (normalised), c from a (33, >=4) mediapipe pose in pixels
    (x, y, z, visibility). A point outside the image is clamped to its edge."""
    kp = np.asarray(keypoints, np.float64)
    if kp.ndim != 2 or kp.shape[0] < 33 or kp.shape[1] < 2:
        raise ValueError(f"pose must be (33, 4) keypoints, got {kp.shape}")
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    vis = kp[:, 3] if kp.shape[1] >= 4 else np.ones(len(kp))
    out = np.zeros((18, 3), np.float32)
    for coco, mp in COCO18_FROM_MEDIAPIPE.items():
        out[coco] = (kp[mp, 0] / width, kp[mp, 1] / height, vis[mp])
    out[NECK] = ((kp[11, 0] + kp[12, 0]) / 2 / width, (kp[11, 1] + kp[12, 1]) / 2 / height,
                 min(vis[11], vis[12]))
    out[:, :2] = np.clip(np.nan_to_num(out[:, :2]), 0.0, 1.0)
    out[:, 2] = np.clip(np.nan_to_num(out[:, 2]), 0.0, 1.0)
    return out


@dataclass(frozen=True)
class VoiceFeatures:
    zcr: float
    rms: float
    pitch: float
    hnr: float
    mfcc: tuple[float, ...] = ()


def voice_features(f0_mean_hz: float, energy_db: float) -> VoiceFeatures:
    pitch = f0_mean_hz / 500.0 if math.isfinite(f0_mean_hz) else math.nan
    rms = 10.0 ** (energy_db / 20.0) if math.isfinite(energy_db) else math.nan
    return VoiceFeatures(zcr=math.nan, rms=rms, pitch=pitch, hnr=math.nan)


@dataclass(frozen=True)
class PersonIds:
    """What ``/humans/persons/<id>/{face_id, body_id, voice_id}`` say ("" = none now)."""

    person: str
    face: str
    body: str
    voice: str


@dataclass
class Lifetimes:
    """Which ids exist: an id's per-id topics are created when it first appears and
    removed when its person track ends (not when it misses one frame, so a flickering
    detection does not churn publishers)."""

    faces: set[str] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)
    voices: set[str] = field(default_factory=set)
    persons: set[str] = field(default_factory=set)


class HriBridge:
    """Keeps the id lists and per-person associations REP-155 listeners follow."""

    def __init__(self, cfg: HriBridgeConfig | None = None) -> None:
        self.cfg = cfg or HriBridgeConfig()
        self.live = Lifetimes()
        self.tracked_faces: list[str] = []
        self.tracked_bodies: list[str] = []
        self.tracked_voices: list[str] = []
        self.persons: dict[str, PersonIds] = {}

    def faces_seen(self, track_ids: Iterable[str]) -> tuple[list[str], list[str]]:
        """Faces of the current frame -> (tracked face ids, ids new to the bridge)."""
        ids = [face_id(t) for t in dict.fromkeys(track_ids) if t]
        new = [i for i in ids if i not in self.live.faces]
        self.live.faces.update(new)
        self.tracked_faces = ids
        return ids, new

    def bodies_seen(self, track_ids: Iterable[str]) -> tuple[list[str], list[str]]:
        ids = [body_id(t) for t in dict.fromkeys(track_ids) if t]
        new = [i for i in ids if i not in self.live.bodies]
        self.live.bodies.update(new)
        self.tracked_bodies = ids
        return ids, new

    def voice_seen(self, voice: str, speaking: bool) -> tuple[str, bool]:
        """A voice activity update -> (voice id, whether it is new). A voice stays tracked
        once heard (voice_node keeps one voice per microphone)."""
        vid = voice_id(voice or "v0")
        new = vid not in self.live.voices
        self.live.voices.add(vid)
        if vid not in self.tracked_voices:
            self.tracked_voices.append(vid)
        return vid, new

    def tracks(self, tracks: Iterable[tuple[str, str, str, str]]
               ) -> tuple[list[PersonIds], list[PersonIds], Lifetimes]:
        """Live person tracks (track id, face id, body id, voice id as deid_node's
        ``tracks`` gives them) -> (persons whose associations changed or are new, all
        persons, ids whose person ended: their topics are to be removed)."""
        current: dict[str, PersonIds] = {}
        for tid, face, body, voice in tracks:
            if not tid:
                continue
            current[tid] = PersonIds(person_id(tid), face_id(face) if face else "",
                                     body_id(body) if body else "",
                                     voice_id(voice) if voice else "")
        changed = [p for tid, p in current.items() if self.persons.get(tid) != p]
        ended = Lifetimes()
        for tid in set(self.persons) - set(current):
            ended.persons.add(person_id(tid))
            ended.faces.add(face_id(tid))
            ended.bodies.add(body_id(tid))
        self.live.persons = {p.person for p in current.values()}
        self.live.faces -= ended.faces
        self.live.bodies -= ended.bodies
        self.tracked_faces = [i for i in self.tracked_faces if i not in ended.faces]
        self.tracked_bodies = [i for i in self.tracked_bodies if i not in ended.bodies]
        self.persons = current
        return changed, list(current.values()), ended


def crop(image: np.ndarray, roi: Roi, size: int) -> np.ndarray | None:
    """The ROI of ``image`` scaled to fit ``size`` x ``size`` and 0-padded to it (REP-155
    ``cropped``); None for an empty ROI."""
    import cv2

    h, w = image.shape[:2]
    x0, y0, x1, y1 = roi.pixels(w, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    part = image[y0:y1, x0:x1]
    scale = size / max(part.shape[0], part.shape[1])
    resized = cv2.resize(part, (max(1, int(round(part.shape[1] * scale))),
                                max(1, int(round(part.shape[0] * scale)))),
                         interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    out = np.zeros((size, size) + image.shape[2:], image.dtype)
    rh, rw = resized.shape[:2]
    oy, ox = (size - rh) // 2, (size - rw) // 2
    out[oy:oy + rh, ox:ox + rw] = resized[:size, :size]
    return out
