"""De-identification: the image that leaves the privacy boundary.

Modes: ``blur`` (low-pass to about 1/3 of the face size), ``pixelate`` (a coarse
mosaic), ``solid`` (filled box), ``silhouette`` (people mask filled, faces filled), and
``skeleton`` (only skeleton lines on a blank canvas). Regions are the union of: every box
of every detector of the face finder on this frame (``Landmarks.found``), the analysis
faces and their meshes, head boxes derived from pose keypoints (profiles, the back of a
head), and faces seen in the last ``hold_frames`` frames that are not found any more.
Overlapping boxes merge into their bounding box (disagreement masks more, not less).
Held boxes are extra protection only: each frame is masked with that frame's detections.

Pairing: landmarks carry the digest of the frame they were computed on; a frame whose
landmarks belong to another frame (or, with ``require_pairing``, carry no digest) fails
closed, so a pipelining bug cannot publish a frame masked where the faces used to be.

Fail closed: when landmarks failed or timed out, or the image is not a valid frame,
the whole frame is obscured (or blocked: ``image is None``) and counted; the input is
never passed through.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.perception.types import Box, Landmarks, StageStats, frame_digest

MODES = ("blur", "pixelate", "solid", "silhouette", "skeleton")
_HEAD_POINTS = list(range(11))  # pose: nose, eyes, ears, mouth corners
# Pose (33 points) and hand (21 points) skeleton edges, as in mediapipe's drawing tables.
POSE_EDGES = ((11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24),
              (23, 24), (23, 25), (25, 27), (24, 26), (26, 28), (27, 29), (29, 31),
              (28, 30), (30, 32), (15, 17), (15, 19), (15, 21), (16, 18), (16, 20),
              (16, 22), (0, 11), (0, 12))
HAND_EDGES = ((0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9),
              (9, 10), (10, 11), (11, 12), (9, 13), (13, 14), (14, 15), (15, 16), (13, 17),
              (17, 18), (18, 19), (19, 20), (0, 17))


@dataclass
class DeidConfig:
    """How faces are hidden (flat fields map 1:1 to ROS parameters; ``live`` ones can be
    changed on a running deid_node with ``ros2 param set``)."""

    mode: str = setting("blur", "blur | pixelate | solid | silhouette | skeleton",
                        choices=MODES, live=True)
    margin: float = setting(0.25, "grow each face box by this fraction of its size on every side",
                            range=(0.0, 2.0), live=True)
    hold_frames: int = setting(10,
                               "keep masking a face this many frames after the detector loses it",
                               range=(0, 1000))
    on_failure: str = setting("obscure",
                              "failed frames: 'obscure' (publish fully obscured) or 'block' "
                              "(publish none)",
                              choices=("obscure", "block"), live=True)
    pixel_blocks: int = setting(5, "mosaic cells across a face (pixelate)", range=(2, 16),
                                live=True)
    blur_cells: int = setting(3, "blur keeps detail down to 1/blur_cells of the face size",
                              range=(2, 16), live=True)
    fill_color: list[int] = setting([128, 128, 128], "solid mode: fill colour (B, G, R)",
                                    live=True)
    mask_threshold: float = setting(0.5, "silhouette: people-mask level counted as person",
                                    range=(0.01, 0.99))
    pose_heads: bool = setting(True, "also mask heads located from pose keypoints")
    min_visibility: float = setting(0.5, "pose keypoints below this are ignored", range=(0.0, 1.0))

    def __post_init__(self) -> None:
        check_settings(self)
        if len(self.fill_color) != 3 or not all(0 <= int(c) <= 255 for c in self.fill_color):
            raise ValueError(f"fill_color must be three values 0..255 (BGR), "
                             f"got {self.fill_color}")


@dataclass
class DeidStats:
    """Counters reported in diagnostics and summaries."""

    frames: int = 0
    faces_masked: int = 0  # face regions hidden (detected, pose heads and held)
    held: int = 0  # of those, regions kept after the detector lost them
    fail_closed: int = 0  # frames obscured or blocked because detection failed
    blocked: int = 0  # of those, frames not output at all
    converted: int = 0  # gray / BGRA / 16-bit frames converted to BGR first
    unpaired: int = 0  # of fail_closed: landmarks of another frame (a pipelining bug)
    found: int = 0  # finder boxes (all detectors, before merging)


@dataclass
class DeidResult:
    image: np.ndarray | None  # None when blocked
    regions: list[Box]
    fail_closed: bool = False
    reason: str = ""


def head_box_from_pose(keypoints: np.ndarray, min_visibility: float) -> Box | None:
    """A box around the head from pose keypoints, sized by the ears/eyes/shoulders."""
    head = keypoints[_HEAD_POINTS]
    vis = head[head[:, 3] >= min_visibility]
    if len(vis) < 2:
        return None
    span = float(max(np.ptp(vis[:, 0]), np.ptp(vis[:, 1])))
    shoulders = keypoints[[11, 12]]
    if np.all(shoulders[:, 3] >= min_visibility):
        span = max(span, 0.5 * float(np.linalg.norm(shoulders[0, :2] - shoulders[1, :2])))
    size = max(span * 1.6, 8.0)
    cx, cy = float(vis[:, 0].mean()), float(vis[:, 1].mean())
    return Box(cx - size / 2, cy - size * 0.6, size, size * 1.2)


def _merge(regions: list[Box], box: Box) -> None:
    """Add ``box``; a region it overlaps becomes the bounding box of both."""
    if box.w < 1 or box.h < 1:
        return
    for i, r in enumerate(regions):
        if r.iou(box) > 0.3:
            x0, y0 = min(r.x, box.x), min(r.y, box.y)
            x1, y1 = max(r.x + r.w, box.x + box.w), max(r.y + r.h, box.y + box.h)
            regions[i] = Box(x0, y0, x1 - x0, y1 - y0)
            return
    regions.append(box)


def _overlaps(a: Box, b: Box) -> bool:
    return a.iou(b) > 0.1 or _contains(a, b.center) or _contains(b, a.center)


def _contains(box: Box, point: tuple[float, float]) -> bool:
    return box.x <= point[0] <= box.x + box.w and box.y <= point[1] <= box.y + box.h


class Deidentifier:
    """Hides faces in frames; keeps the hold state and :class:`DeidStats`."""

    def __init__(self, cfg: DeidConfig | None = None, require_pairing: bool = False) -> None:
        self.cfg = cfg or DeidConfig()
        # The pipeline and deid_node set this: their landmarks always carry a digest.
        self.require_pairing = require_pairing
        self.stats = DeidStats()
        self._hold: list[tuple[Box, int]] = []
        self._size: tuple[int, int] | None = None

    def forget(self, track_id: str) -> None:
        """Nothing per track: held masks follow boxes, not ids, so a lost face stays masked
        for ``hold_frames`` whatever its track."""

    def stage_stats(self) -> StageStats:
        """The common stage view of :attr:`stats` (this stage's detailed counters keep the
        name ``stats``, which summaries and diagnostics read)."""
        s = self.stats
        return StageStats(processed=s.frames, rejected=s.unpaired, errors=s.fail_closed)

    def apply(self, image: np.ndarray, lm: Landmarks) -> DeidResult:
        """De-identify ``image`` (HxWx3 uint8 BGR) using its landmarks."""
        self.stats.frames += 1
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 \
                or image.dtype != np.uint8 or image.size == 0:
            return self._fail(image, "not an HxWx3 uint8 image", counted=True)
        h, w = image.shape[:2]
        if not lm.ok:
            return self._fail(image, lm.error or "landmarks failed", counted=True)
        if (lm.width, lm.height) != (w, h):
            return self._fail(image, f"landmarks are for {lm.width}x{lm.height}, "
                              f"image is {w}x{h}", counted=True)
        if lm.image_digest is not None or self.require_pairing:
            if lm.image_digest != frame_digest(image):
                self.stats.unpaired += 1
                return self._fail(image, f"landmarks of frame {lm.index} do not belong to "
                                  "this image (pairing check)", counted=True)
        if self._size != (w, h):
            self._hold, self._size = [], (w, h)
        regions = self._regions(lm, w, h)
        out = self._render(image, lm, regions)
        return DeidResult(out, regions)

    def fail_closed(self, image: object, reason: str) -> DeidResult:
        """Count and obscure/block a frame that could not be processed at all."""
        self.stats.frames += 1
        return self._fail(image, reason, counted=True)

    def _fail(self, image: object, reason: str, counted: bool) -> DeidResult:
        if counted:
            self.stats.fail_closed += 1
        shape = getattr(image, "shape", ())
        if self.cfg.on_failure == "block" or len(shape) < 2 or shape[0] < 1 or shape[1] < 1:
            self.stats.blocked += 1
            return DeidResult(None, [], True, reason)
        return DeidResult(obscure_all(int(shape[0]), int(shape[1]), image), [], True, reason)

    def _regions(self, lm: Landmarks, w: int, h: int) -> list[Box]:
        current: list[Box] = []
        boxes = []
        for face in lm.faces:
            box = face.box
            if face.mesh is not None:
                xs, ys = face.mesh[:, 0], face.mesh[:, 1]
                x0, y0 = min(box.x, float(xs.min())), min(box.y, float(ys.min()))
                x1 = max(box.x + box.w, float(xs.max()))
                y1 = max(box.y + box.h, float(ys.max()))
                box = Box(x0, y0, x1 - x0, y1 - y0)
            boxes.append(box)
        self.stats.found += len(lm.found)
        boxes += [f.box for f in lm.found]
        for box in boxes:
            # Detector boxes start at the brows: grow upwards a bit more to cover hair line.
            box = Box(box.x, box.y - 0.15 * box.h, box.w, box.h * 1.15)
            _merge(current, box.expand(self.cfg.margin).clamp(w, h))
        if self.cfg.pose_heads:
            for body in lm.bodies:
                head = head_box_from_pose(body.keypoints, self.cfg.min_visibility)
                if head is None:
                    continue
                _merge(current, head.expand(self.cfg.margin).clamp(w, h))
        masked = list(current)
        hold = [(b, self.cfg.hold_frames) for b in current]
        for box, left in self._hold:
            if left > 0 and not any(_overlaps(box, c) for c in current):
                masked.append(box)
                hold.append((box, left - 1))
                self.stats.held += 1
        self._hold = hold
        masked = [b for b in masked if b.w >= 1 and b.h >= 1]
        self.stats.faces_masked += len(masked)
        return masked

    def _render(self, image: np.ndarray, lm: Landmarks, regions: list[Box]) -> np.ndarray:
        mode = self.cfg.mode
        if mode == "skeleton":
            return render_skeleton(lm, self.cfg.min_visibility)
        out = image.copy()
        color = tuple(int(c) for c in self.cfg.fill_color)
        if mode == "silhouette" and lm.segmentation is not None:
            mask = lm.segmentation >= self.cfg.mask_threshold
            if mask.shape == out.shape[:2]:
                out[mask] = color
        for box in regions:
            x0, y0 = int(box.x), int(box.y)
            x1, y1 = int(np.ceil(box.x + box.w)), int(np.ceil(box.y + box.h))
            roi = out[y0:y1, x0:x1]
            if roi.size == 0:
                continue
            if mode == "blur":
                roi[:] = _lowpass(roi, self.cfg.blur_cells)
            elif mode == "pixelate":
                roi[:] = _mosaic(roi, self.cfg.pixel_blocks)
            else:  # solid, and faces in silhouette mode
                roi[:] = color
        return out


def _lowpass(roi: np.ndarray, cells: int) -> np.ndarray:
    """Blur by shrinking to ``cells`` pixels across, smoothing and growing back."""
    h, w = roi.shape[:2]
    sw, sh = max(2, min(cells, w)), max(2, min(round(cells * h / max(w, 1)), h))
    small = cv2.resize(roi, (sw, sh), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (3, 3), 0)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _mosaic(roi: np.ndarray, blocks: int) -> np.ndarray:
    h, w = roi.shape[:2]
    bw, bh = max(1, min(blocks, w)), max(1, min(round(blocks * h / max(w, 1)), h))
    small = cv2.resize(roi, (bw, bh), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)


def obscure_all(h: int, w: int, image: object = None) -> np.ndarray:
    """The whole-frame fail-closed picture: a mosaic of at most 8 cells across (so no
    face can survive), or flat gray when the input has no usable pixels or is tiny."""
    usable = isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 \
        and image.shape[2] == 3 and image.shape[0] == h and image.shape[1] == w
    if not usable or min(h, w) < 8:
        return np.full((h, w, 3), 128, np.uint8)
    cells = max(1, round(8 * min(w, h) / max(w, h)))
    small = cv2.resize(image, (8 if w >= h else cells, cells if w >= h else 8),
                       interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)


def render_skeleton(lm: Landmarks, min_visibility: float = 0.5) -> np.ndarray:
    """Skeleton lines (pose, hands) on a black canvas; faces are not drawn at all."""
    canvas = np.zeros((lm.height, lm.width, 3), np.uint8)
    thick = max(1, round(min(lm.width, lm.height) / 240))
    for body in lm.bodies:
        kp = body.keypoints
        for a, b in POSE_EDGES:
            if kp[a, 3] >= min_visibility and kp[b, 3] >= min_visibility:
                cv2.line(canvas, (int(kp[a, 0]), int(kp[a, 1])), (int(kp[b, 0]), int(kp[b, 1])),
                         (0, 255, 0), thick, cv2.LINE_AA)
        for hand in body.hands:
            pts = hand.keypoints
            for a, b in HAND_EDGES:
                cv2.line(canvas, (int(pts[a, 0]), int(pts[a, 1])),
                         (int(pts[b, 0]), int(pts[b, 1])), (255, 128, 0), thick, cv2.LINE_AA)
    return canvas
