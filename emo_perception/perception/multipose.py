"""Multi-person body pose with MoveNet MultiPose (``landmarks.body_backend: movenet``).

The model is human-models' ``movenet-multipose`` converted to ONNX by our own converter
(``emo-perception convert-models movenet_multipose``; not committed, it is 19 MB). It finds
up to 6 people per frame; each becomes a :class:`Body` whose keypoints use mediapipe's
33-point layout, so the tracker, de-identification and the gesture stage consume them
unchanged.

COCO-17 -> mediapipe-33 (:data:`COCO_TO_MEDIAPIPE`): nose 0, left/right eye 2/5,
left/right ear 7/8, shoulders 11/12, elbows 13/14, wrists 15/16, hips 23/24,
knees 25/26, ankles 27/28 (both models name sides from the person's own view). The
mouth corners (9, 10) are *estimated*, not measured (:data:`MOUTH_DOWN`,
:data:`MOUTH_HALF_WIDTH`): mouth centre = nose + 0.65 x (nose - eye midpoint), corners
+-0.4 x the eye-to-eye vector, visibility the lowest of nose and eye scores; the
hand-to-face rules need a mouth anchor, and a face mesh of the same track, where there is
one, replaces these anchors anyway. The other 14 mediapipe points have no COCO
counterpart: inner/outer eye corners (1, 3, 4, 6), pinky/index/thumb (17-22), heels and
foot tips (29-32). They get visibility 0 and the position of the nearest mapped point
(eye, wrist, ankle) so boxes stay sane and nothing is NaN; every rule that needs them
treats them as unseen (hand contact without hand landmarks is then the wrist alone).
MoveNet's per-keypoint score (0..1) is the visibility, and ``z`` is 0 (no depth).

Preprocessing (:func:`movenet_input`): the RGB frame resized bilinearly (no padding) to
``width`` x a height that keeps the frame's aspect ratio, both multiples of 32; values
0..255 (the graph casts to int32 as TF.js feeds it). Output keypoints are 0..1 of that
input, so they scale back to the frame by its width and height.

Everything here is plain Python over onnxruntime (through the inference interface); no
rclpy.
"""

from __future__ import annotations

import numpy as np

from emo_perception.perception.types import Body, Box

MODEL_NAME = "movenet_multipose"
CONVERT_HINT = "emo-perception convert-models movenet_multipose"
MAX_PEOPLE = 6
COCO_KEYPOINTS = ("nose", "left_eye", "right_eye", "left_ear", "right_ear",
                  "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
                  "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
                  "right_knee", "left_ankle", "right_ankle")
# COCO index -> mediapipe pose index (person's own sides in both).
COCO_TO_MEDIAPIPE = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
# mediapipe points without a COCO counterpart -> the mediapipe point they sit on.
MISSING_PARENT = {1: 2, 3: 2, 4: 5, 6: 5, 9: 0, 10: 0, 17: 15, 19: 15, 21: 15,
                  18: 16, 20: 16, 22: 16, 29: 27, 31: 27, 30: 28, 32: 28}
MOUTH_DOWN = 0.65  # mouth centre below the nose, in nose-minus-eye-midpoint units
MOUTH_HALF_WIDTH = 0.4  # corner offset, in eye-to-eye units


def input_size(width: int, height: int, model_width: int) -> tuple[int, int]:
    """(model input width, height): ``model_width`` and the height keeping the frame's
    aspect ratio, rounded to a multiple of 32 (at least 32)."""
    h = max(32, int(round(height * model_width / width / 32.0)) * 32)
    return model_width, h


def movenet_input(rgb: np.ndarray, model_width: int) -> np.ndarray:
    """(1, H, W, 3) float32 RGB 0..255 for the model from an RGB uint8 frame (see the
    module docstring)."""
    import cv2

    w, h = input_size(rgb.shape[1], rgb.shape[0], model_width)
    return cv2.resize(rgb, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)[None]


def coco_to_mediapipe(coco: np.ndarray) -> np.ndarray:
    """(17, 3) pixels x, y and score in COCO order -> (33, 4) x, y, z=0, visibility in
    mediapipe order (unmapped points: visibility 0 at their parent's position)."""
    coco = np.asarray(coco, dtype=np.float32)
    if coco.shape != (17, 3):
        raise ValueError(f"COCO keypoints must be (17, 3), got {coco.shape}")
    out = np.zeros((33, 4), dtype=np.float32)
    for c, m in enumerate(COCO_TO_MEDIAPIPE):
        out[m, :2] = coco[c, :2]
        out[m, 3] = coco[c, 2]
    for m, parent in MISSING_PARENT.items():
        out[m, :2] = out[parent, :2]
    vis = float(min(out[0, 3], out[2, 3], out[5, 3]))
    if vis > 0:  # mouth corners estimated from nose and eyes (see the module docstring)
        eye_mid = (out[2, :2] + out[5, :2]) / 2.0
        mouth = out[0, :2] + MOUTH_DOWN * (out[0, :2] - eye_mid)
        half = MOUTH_HALF_WIDTH * (out[2, :2] - out[5, :2])  # towards the person's left
        out[9, :2], out[10, :2] = mouth + half, mouth - half
        out[9, 3] = out[10, 3] = vis
    return out


def decode_people(people: np.ndarray, width: int, height: int,
                  min_score: float) -> list[Body]:
    """Bodies from the model output (6, 56) (or (1, 6, 56)): per person 17 x (y, x, score)
    in 0..1 of the input, box (ymin, xmin, ymax, xmax) and the person score; people below
    ``min_score`` are dropped. Sorted by score, highest first."""
    people = np.asarray(people, dtype=np.float32).reshape(-1, 56)
    bodies = []
    for row in people:
        score = float(row[55])
        if not np.isfinite(score) or score < min_score:
            continue
        kp = row[:51].reshape(17, 3)
        coco = np.stack([kp[:, 1] * width, kp[:, 0] * height, kp[:, 2]], axis=1)
        if not np.all(np.isfinite(coco)):
            continue
        y0, x0, y1, x1 = (float(v) for v in row[51:55])
        box = Box(x0 * width, y0 * height, (x1 - x0) * width, (y1 - y0) * height)
        box = box.clamp(width, height)
        if box.w <= 1 or box.h <= 1:
            continue
        bodies.append(Body(box=box, score=score, keypoints=coco_to_mediapipe(coco)))
    return sorted(bodies, key=lambda b: -b.score)


class MoveNetBodies:
    """The converted model behind :func:`decode_people`; ``provider`` says what runs it.

    A missing model file raises :class:`~emo_perception.inference.manifest.ModelFileError`
    with one line naming the file and the command that makes it."""

    def __init__(self, model: str = MODEL_NAME, model_width: int = 384, min_score: float = 0.2,
                 backend_order: tuple[str, ...] = ("cuda", "cpu"), threads: int = 1) -> None:
        from emo_perception.inference import create_runner
        from emo_perception.inference.manifest import ModelFileError, resolve_model

        self.model_width, self.min_score = model_width, min_score
        try:
            path, _ = resolve_model(model, "manifest entry is needed for the sha256 check")
        except ModelFileError as exc:
            if model != MODEL_NAME:
                raise
            raise ModelFileError(f"movenet model {MODEL_NAME}.onnx is not in models_onnx/ "
                                 f"(not committed, 19 MB): run `{CONVERT_HINT}`") from exc
        if not path.is_file():
            raise ModelFileError(f"movenet model file missing: {path}; run `{CONVERT_HINT}`")
        # TensorRT would need an optimisation profile over height and width; not built yet.
        order = tuple(b for b in backend_order if b != "tensorrt") or ("cpu",)
        self.runner = create_runner(path, backend_order=order, threads=threads)
        self.provider = self.runner.provider

    def __call__(self, rgb: np.ndarray) -> list[Body]:
        """Bodies in an RGB uint8 frame (pixels of that frame)."""
        x = movenet_input(rgb, self.model_width)
        people = self.runner.run({"image": x})["people"]
        return decode_people(people, rgb.shape[1], rgb.shape[0], self.min_score)
