"""Independent face detectors used by the tests to check de-identified output.

OpenCV Haar cascades (frontal, alt2, profile) and mediapipe's full-range face detector,
run on whole frames and on upscaled crops around where the faces were. They are not the
models the de-identification stage uses (that one uses mediapipe's detector and mesh with
their own settings and tracking state), so they check it from outside.
"""

from __future__ import annotations

import pathlib

import cv2
import matplotlib
import mediapipe as mp
import numpy as np
import skimage.data

from emo_perception.perception.types import Box

VIDEO_DIR = pathlib.Path("/usr/share/doc/opencv-doc/examples/data")
_CASCADES = ("haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt2.xml",
             "haarcascade_profileface.xml")


def real_photos() -> dict[str, np.ndarray]:
    """Offline real photos with a face (BGR)."""
    gh = pathlib.Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    return {"astronaut": np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1]),
            "grace_hopper": cv2.imread(str(gh))}


def negatives() -> dict[str, np.ndarray]:
    return {name: np.ascontiguousarray(getattr(skimage.data, name)()[:, :, ::-1])
            for name in ("chelsea", "coffee", "rocket")}


def lfw_faces(n: int = 100, size: int = 200) -> list[np.ndarray]:
    """LFW face crops (25x25 gray) upscaled to ``size`` and padded to a 320x320 frame."""
    images = skimage.data.lfw_subset()[:n]
    out = []
    for img in images:
        face = cv2.resize((img * 255).astype(np.uint8), (size, size),
                          interpolation=cv2.INTER_CUBIC)
        frame = np.full((320, 320), 127, np.uint8)
        off = (320 - size) // 2
        frame[off:off + size, off:off + size] = face
        out.append(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    return out


class IndependentDetector:
    """Haar cascades + mediapipe full-range detection; returns face boxes."""

    def __init__(self) -> None:
        self._haar = [cv2.CascadeClassifier(cv2.data.haarcascades + c) for c in _CASCADES]
        self._mp = mp.solutions.face_detection.FaceDetection(
            min_detection_confidence=0.5, model_selection=1)

    def mediapipe(self, bgr: np.ndarray) -> list[Box]:
        h, w = bgr.shape[:2]
        res = self._mp.process(np.ascontiguousarray(bgr[:, :, ::-1]))
        return [Box(d.location_data.relative_bounding_box.xmin * w,
                    d.location_data.relative_bounding_box.ymin * h,
                    d.location_data.relative_bounding_box.width * w,
                    d.location_data.relative_bounding_box.height * h)
                for d in res.detections or []]

    def haar(self, bgr: np.ndarray) -> list[Box]:
        gray = cv2.equalizeHist(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
        boxes: list[Box] = []
        for cascade in self._haar:
            for x, y, w, h in cascade.detectMultiScale(gray, 1.15, 5, minSize=(24, 24)):
                boxes.append(Box(float(x), float(y), float(w), float(h)))
        return boxes

    def faces(self, bgr: np.ndarray) -> list[Box]:
        return self.mediapipe(bgr) + self.haar(bgr)

    def found_in(self, bgr: np.ndarray, regions: list[Box]) -> list[str]:
        """Faces the detectors find in ``bgr`` where the original faces were.

        Whole frame (mediapipe anywhere; Haar overlapping a region, since Haar fires on
        some textures in any photo) and each region cropped with margin, upscaled to
        256 px and searched again by both detectors.
        """
        hits = [f"mediapipe@{b}" for b in self.mediapipe(bgr)]
        for b in self.haar(bgr):
            if any(b.iou(r) > 0.1 or _inside(b, r) for r in regions):
                hits.append(f"haar@{b}")
        h, w = bgr.shape[:2]
        for r in regions:
            c = r.expand(0.3).clamp(w, h)
            crop = bgr[int(c.y):int(c.y + c.h), int(c.x):int(c.x + c.w)]
            if crop.shape[0] < 8 or crop.shape[1] < 8:
                continue
            scale = 256.0 / max(crop.shape[:2])
            up = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            pad = cv2.copyMakeBorder(up, 64, 64, 64, 64, cv2.BORDER_CONSTANT, value=(127,) * 3)
            hits += [f"crop-mediapipe@{b}" for b in self.mediapipe(pad)]
            hits += [f"crop-haar@{b}" for b in self.haar(pad)]
        return hits


def _inside(a: Box, b: Box) -> bool:
    cx, cy = a.center
    return b.x <= cx <= b.x + b.w and b.y <= cy <= b.y + b.h
