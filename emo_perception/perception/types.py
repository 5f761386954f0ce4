"""Typed values passed between perception stages.

Coordinates are pixels in the source image (x right, y down); ``z`` of mesh points is
mediapipe's relative depth scaled like x. Times are seconds on the source clock
(the header stamp of the frame they come from).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class Frame:
    """One image with its time. ``image`` is HxWx3 uint8 BGR (OpenCV order)."""

    image: np.ndarray
    stamp: float  # seconds
    index: int  # position in the source, 0-based
    frame_id: str = "camera"

    def __post_init__(self) -> None:
        img = self.image
        if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or img.ndim != 3 \
                or img.shape[2] != 3 or img.shape[0] == 0 or img.shape[1] == 0:
            shape = getattr(img, "shape", None)
            dtype = getattr(img, "dtype", None)
            raise ValueError(f"frame must be a non-empty HxWx3 uint8 array, got {shape} {dtype}")

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in pixels: top-left corner, width and height."""

    x: float
    y: float
    w: float
    h: float

    def clamp(self, width: int, height: int) -> "Box":
        x0 = min(max(self.x, 0.0), float(width))
        y0 = min(max(self.y, 0.0), float(height))
        x1 = min(max(self.x + self.w, 0.0), float(width))
        y1 = min(max(self.y + self.h, 0.0), float(height))
        return Box(x0, y0, x1 - x0, y1 - y0)

    def expand(self, margin: float) -> "Box":
        """Grow by ``margin`` (fraction of the size) on every side."""
        dx, dy = self.w * margin, self.h * margin
        return Box(self.x - dx, self.y - dy, self.w + 2 * dx, self.h + 2 * dy)

    def iou(self, other: "Box") -> float:
        ix = max(0.0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0.0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        inter = ix * iy
        union = self.w * self.h + other.w * other.h - inter
        return inter / union if union > 0 else 0.0

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2.0, self.y + self.h / 2.0)


@dataclass
class Face:
    """A detected face. ``mesh`` is (478, 3) pixels, or None when only detected."""

    box: Box
    score: float
    track_id: str = ""
    keypoints: np.ndarray | None = None  # (6, 2) detector keypoints, pixels
    mesh: np.ndarray | None = None  # (478, 3) face mesh, pixels
    head_pose: tuple[float, float, float] | None = None  # roll, pitch, yaw in radians


@dataclass
class Hand:
    side: str  # "left" or "right" (the person's own side)
    score: float
    keypoints: np.ndarray  # (21, 3) pixels


@dataclass
class Body:
    """A person's skeleton. ``keypoints`` is (33, 4): x, y (pixels), z, visibility."""

    box: Box
    score: float
    keypoints: np.ndarray
    track_id: str = ""
    hands: list[Hand] = field(default_factory=list)
    segmentation: np.ndarray | None = None  # HxW float mask in [0, 1], when requested


@dataclass(frozen=True)
class FoundFace:
    """A face box of one de-identification detector (see ``face_finder``); ``keypoints``
    are BlazeFace's six points (pixels) when the source is a BlazeFace model."""

    box: Box
    score: float
    source: str
    keypoints: np.ndarray | None = None


def frame_digest(image: np.ndarray) -> int:
    """CRC-32 of a frame's pixels and shape: ties landmarks to the exact frame they were
    computed on, so de-identification can refuse detections of another frame."""
    data = np.ascontiguousarray(image)
    return zlib.crc32(data.data, zlib.crc32(repr(data.shape).encode()))


@dataclass
class Landmarks:
    """Everything the landmark stage found in one frame."""

    stamp: float
    index: int
    width: int
    height: int
    faces: list[Face] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    ok: bool = True  # False when detection failed or timed out (de-id must fail closed)
    error: str = ""
    latency_s: float = 0.0
    segmentation: np.ndarray | None = None  # HxW float mask of all people, when requested
    # Every box of every de-identification detector on this frame (masked, not analysed).
    found: list[FoundFace] = field(default_factory=list)
    image_digest: int | None = None  # frame_digest() of the frame these belong to


@dataclass(frozen=True)
class ActionUnitEstimate:
    code: int  # FACS code
    probability: float  # 0..1
    intensity: float  # 0..5 (FACS A..E mapped to 1..5, 0 = absent)
    asymmetry: float = 0.0  # -1..1; > 0 when stronger on the person's left (unilateral AUs)


@dataclass
class FaceAffect:
    """Action units and expression of one face in one frame."""

    track_id: str
    stamp: float
    action_units: list[ActionUnitEstimate]
    labels: tuple[str, ...]
    probabilities: np.ndarray  # same order as labels, sums to 1
    valence: float  # -1..1
    arousal: float  # -1..1
    confidence: float  # 0..1
    # which estimator produced the label: geometric, learned, or ensemble:<both|learned|
    # geometric|neither> (which of the two agreed with the ensemble's label)
    source: str = "geometric"

    @property
    def label(self) -> str:
        return self.labels[int(np.argmax(self.probabilities))]


@dataclass(frozen=True)
class MicroGestureEvent:
    """A micro-gesture detected over a time window."""

    track_id: str
    class_id: int  # iMiGUE id
    name: str
    score: float  # 0..1
    start: float
    end: float
    dataset: str = "imigue"


@dataclass
class StageStats:
    """What a stage did besides its outputs. Stages share one protocol: typed inputs and
    outputs, ``forget(track_id)`` (drop per-track state when the tracker ends a track) and
    ``stage_stats()`` returning this."""

    processed: int = 0  # inputs handled
    skipped: int = 0  # inputs the stage could not use (e.g. a face turned too far)
    rejected: int = 0  # malformed inputs refused
    errors: int = 0  # failures caught and counted instead of raised
    last_error: str = ""

    def error(self, message: str) -> None:
        self.errors += 1
        self.last_error = message.splitlines()[0][:300] if message else "error"


@runtime_checkable
class Stage(Protocol):
    """What every perception stage offers besides its typed ``process``-style call (each
    stage's own: ``LandmarkDetector.process(Frame) -> Landmarks``,
    ``PersonTracker.update(Landmarks) -> list[Track]``, ``Deidentifier.apply``,
    ``FaceAnalysis.process``, ``MicroGestureDetector.update``, ``Fusion.update``)."""

    def forget(self, track_id: str) -> None:
        """Drop whatever the stage holds for ``track_id`` (unknown ids are fine)."""

    def stage_stats(self) -> StageStats:
        """A snapshot of the stage's counters (a copy: the caller may keep it)."""
