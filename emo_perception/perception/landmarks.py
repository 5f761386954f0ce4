"""Landmark stage: faces (detector boxes + 478-point mesh), pose, hands, segmentation.

Only the models bundled with ``mediapipe==0.10.21`` (``mediapipe.solutions``) are used,
so nothing is downloaded at run time. Limits that follow from those models:

- Faces: the de-identification face finder (``face_finder``: several detectors, every
  box in ``Landmarks.found``) runs on each frame; its BlazeFace detection of the
  configured range (short or full) gives the analysis faces; the face mesh runs its own
  short-range detector for up to ``max_num_faces`` faces. Every analysis box becomes a
  :class:`Face` (meshes are attached when they overlap); a mesh without a detector box is
  kept too. De-identification masks the union of all of them.
- Pose (``body_backend: mediapipe``, the default) is single-person in mediapipe: it locks
  on the most prominent person in the frame. We report at most one :class:`Body` per
  frame; faces of other people are still detected, tracked and masked, but have no
  skeleton or micro-gestures. ``body_backend: movenet`` runs MoveNet MultiPose instead
  (:mod:`emo_perception.perception.multipose`): up to 6 bodies per frame, 17 COCO
  keypoints mapped into the same 33-point layout (mouth corners estimated, the other 14
  points unseen), each tracked and analysed on its own. Its ONNX file is made by
  ``emo-perception convert-models movenet_multipose``; without it the stage refuses to
  start.
- Hands (optional, they cost 10-16 ms) are attached to the body whose wrist is
  nearest; hands with no body are dropped.

The stage never raises: a failing model or a frame over the time budget gives
``Landmarks(ok=False, error=...)`` so de-identification can fail closed.
"""

from __future__ import annotations

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.perception.face_finder import FaceFinder, FaceFinderConfig
from emo_perception.perception.types import (Body, Box, Face, Frame, FoundFace, Hand,
                                             Landmarks, StageStats, frame_digest)

# Mesh indices used for head pose: eye outer corners, forehead, chin.
_EYE_R, _EYE_L, _FOREHEAD, _CHIN = 33, 263, 10, 152
_WRISTS = {"left": 15, "right": 16}  # pose keypoints, the person's own side


@dataclass
class LandmarkConfig:
    """Which mediapipe models run and how (flat fields map 1:1 to ROS parameters)."""

    face_range: str = setting("full",
                              "face detector: 'short' (within ~2 m) or 'full' (within ~5 m)",
                              choices=("short", "full"))
    min_face_score: float = setting(0.5, "minimum face detection score", range=(0.0, 1.0))
    face_mesh: bool = setting(True,
                              "run the 478-point face mesh (needed by au_node and hand-to-face "
                              "gestures)")
    max_num_faces: int = setting(4, "most faces meshed per frame", range=(1, 16))
    min_mesh_score: float = setting(0.5, "minimum face-mesh presence score", range=(0.0, 1.0))
    pose: bool = setting(True, "run the 33-point body pose (needed by gesture_node)")
    min_pose_score: float = setting(0.5, "minimum body-pose presence score", range=(0.0, 1.0))
    body_backend: str = setting("mediapipe",
                                "body pose model: 'mediapipe' (one person, 33 points) or "
                                "'movenet' (MoveNet MultiPose: up to 6 people, 17 COCO points "
                                "mapped to the 33; needs `emo-perception convert-models "
                                "movenet_multipose`)",
                                choices=("mediapipe", "movenet"))
    movenet_model: str = setting("movenet_multipose",
                                 "movenet: manifest name or .onnx path of the model")
    movenet_width: int = setting(384,
                                 "movenet: model input width [px], a multiple of 32; the "
                                 "height follows the frame's aspect ratio (larger finds "
                                 "smaller people, costs more)",
                                 range=(128, 1280))
    movenet_min_score: float = setting(0.2, "movenet: minimum person score",
                                       range=(0.0, 1.0))
    movenet_threads: int = setting(1,
                                   "movenet: onnxruntime CPU threads (0 = onnxruntime's "
                                   "default; 1 was as fast or faster on 2 shared cores)",
                                   range=(0, 64))
    hands: bool = setting(False,
                          "run hand landmarks (costly; needed by finger-level micro-gestures)")
    max_num_hands: int = setting(2, "most hands per frame", range=(1, 8))
    body_every: int = setting(1, "pose and hands on every n-th frame only (segmentation: always)",
                              range=(1, 30))
    segmentation: bool = setting(False, "run people segmentation (needed by deid.mode silhouette)")
    static_image_mode: bool = setting(False,
                                      "True for unrelated images (no tracking across frames)")
    parallel: bool = setting(True, "run face and body models in two threads")
    timeout_ms: float = setting(0.0,
                                "per-frame landmark budget [ms]; over it the frame fails closed "
                                "(0 = none)",
                                range=(0.0, 60000.0))

    def __post_init__(self) -> None:
        check_settings(self)
        if self.movenet_width % 32:
            raise ValueError(f"LandmarkConfig.movenet_width must be a multiple of 32, got "
                             f"{self.movenet_width}")


def head_pose_from_mesh(mesh: np.ndarray) -> tuple[float, float, float]:
    """Roll, pitch, yaw (radians) of a face from its mesh, 0 when facing the camera.

    Axes come from the mesh itself (eye corner to eye corner, forehead to chin), so
    no camera calibration is needed. Signs: roll > 0 when the eye line slopes down to
    image right, pitch > 0 looking up, yaw > 0 turning towards image right.
    """
    x_axis = mesh[_EYE_L] - mesh[_EYE_R]
    x_axis = x_axis / (np.linalg.norm(x_axis) + 1e-9)
    down = mesh[_CHIN] - mesh[_FOREHEAD]
    y_axis = down - np.dot(down, x_axis) * x_axis
    y_axis = y_axis / (np.linalg.norm(y_axis) + 1e-9)
    z_axis = np.cross(x_axis, y_axis)
    roll = math.atan2(float(x_axis[1]), float(x_axis[0]))
    pitch = math.atan2(float(z_axis[1]), float(z_axis[2]))
    yaw = math.atan2(float(-z_axis[0]), float(z_axis[2]))
    return roll, pitch, yaw


def _points_box(points: np.ndarray) -> Box:
    x0, y0 = points[:, 0].min(), points[:, 1].min()
    x1, y1 = points[:, 0].max(), points[:, 1].max()
    return Box(float(x0), float(y0), float(x1 - x0), float(y1 - y0))


# Fault injection for the reliability suite only: a model that stalls this long per frame
# (milliseconds, read once at import). Tests of other processes (the node set) cannot
# subclass the detector, so the stall comes through the environment.
def _test_stall_s(variable: str) -> float:
    return max(float(os.environ.get(variable, "0") or 0), 0.0) / 1000.0


_TEST_STALL_S = _test_stall_s("EMO_PERCEPTION_TEST_MODEL_STALL_MS")
# ... and the pose model alone, which runs in the body-landmarks worker thread.
_TEST_POSE_STALL_S = _test_stall_s("EMO_PERCEPTION_TEST_POSE_STALL_MS")


class LandmarkDetector:
    """Runs the configured mediapipe models on a frame and returns :class:`Landmarks`.

    The model calls go through the ``_run_*`` methods, one per model, so a subclass
    can inject faults (exceptions, delays) to test that later stages fail closed.

    With a ``finder`` config (the default) the de-identification face finder runs on the
    same frame; its BlazeFace detection of the configured range doubles as the analysis
    detector (boxes at or above ``min_face_score``), so that model does not run twice.
    ``finder=None`` runs the analysis detector alone (analysis-only uses, no de-id).
    """

    def __init__(self, cfg: LandmarkConfig | None = None,
                 finder: FaceFinderConfig | None | str = "default") -> None:
        import mediapipe as mp

        self.cfg = cfg = cfg or LandmarkConfig()
        self._movenet = None
        if cfg.pose and cfg.body_backend == "movenet":  # first: a missing model fails fast
            from emo_perception.perception.multipose import MoveNetBodies

            self._movenet = MoveNetBodies(cfg.movenet_model, cfg.movenet_width,
                                          cfg.movenet_min_score,
                                          threads=cfg.movenet_threads)
        sol = mp.solutions
        finder_cfg = FaceFinderConfig() if finder == "default" else finder
        self.finder = FaceFinder(finder_cfg) if finder_cfg is not None else None
        self._analysis_source = "mediapipe_full" if cfg.face_range == "full" \
            else "mediapipe_short"
        reuse = self.finder is not None and self._analysis_source in \
            self.finder.cfg.enabled_sources() and self.finder.cfg.min_score <= cfg.min_face_score
        self._detector = None if reuse else sol.face_detection.FaceDetection(
            min_detection_confidence=cfg.min_face_score,
            model_selection=1 if cfg.face_range == "full" else 0)
        self._mesh = sol.face_mesh.FaceMesh(
            static_image_mode=cfg.static_image_mode, max_num_faces=cfg.max_num_faces,
            refine_landmarks=True, min_detection_confidence=cfg.min_mesh_score,
            min_tracking_confidence=cfg.min_mesh_score) if cfg.face_mesh else None
        # model_complexity=1 is the only pose model shipped in the wheel.
        self._pose = sol.pose.Pose(
            static_image_mode=cfg.static_image_mode, model_complexity=1,
            min_detection_confidence=cfg.min_pose_score,
            min_tracking_confidence=cfg.min_pose_score) \
            if cfg.pose and cfg.body_backend == "mediapipe" else None
        # What runs the bodies: "mediapipe-cpu", "movenet-cpu" / "movenet-cuda", or "".
        self.body_provider = ("mediapipe-cpu" if self._pose is not None else
                              f"movenet-{self._movenet.provider}" if self._movenet else "")
        self._hands = sol.hands.Hands(
            static_image_mode=cfg.static_image_mode, max_num_hands=cfg.max_num_hands,
            model_complexity=1) if cfg.hands else None
        self._segmenter = sol.selfie_segmentation.SelfieSegmentation(
            model_selection=1) if cfg.segmentation else None
        self._calls = 0
        self._stats = StageStats()  # frames processed; failed or over budget as errors
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="body-landmarks") \
            if cfg.parallel and (cfg.pose or cfg.hands or cfg.segmentation) else None

    # -- model calls (override in a subclass to inject faults) --------------------------
    def _run_face_finder(self, rgb: np.ndarray) -> list[FoundFace]:
        if _TEST_STALL_S:
            time.sleep(_TEST_STALL_S)
        return self.finder.find(rgb) if self.finder is not None else []

    def _run_face_detection(self, rgb: np.ndarray) -> Any:
        return self._detector.process(rgb)

    def _run_face_mesh(self, rgb: np.ndarray) -> Any:
        return self._mesh.process(rgb)

    def _run_pose(self, rgb: np.ndarray) -> Any:
        if _TEST_POSE_STALL_S:
            time.sleep(_TEST_POSE_STALL_S)
        return self._pose.process(rgb)

    def _run_movenet(self, rgb: np.ndarray) -> list[Body]:
        return self._movenet(rgb)

    def _run_hands(self, rgb: np.ndarray) -> Any:
        return self._hands.process(rgb)

    def _run_segmentation(self, rgb: np.ndarray) -> Any:
        return self._segmenter.process(rgb)

    # -- stage -------------------------------------------------------------------------
    def process(self, frame: Frame) -> Landmarks:
        """Landmarks of one frame; never raises (failures give ``ok=False``)."""
        t0 = time.perf_counter()
        out = Landmarks(frame.stamp, frame.index, frame.width, frame.height,
                        image_digest=frame_digest(frame.image))
        budget = self.cfg.timeout_ms / 1000.0 if self.cfg.timeout_ms else None
        future = None
        try:
            rgb = np.ascontiguousarray(frame.image[:, :, ::-1])
            if self._pool is not None:
                future = self._pool.submit(self._body_models, rgb, frame.width, frame.height)
            out.faces, out.found = self._face_models(rgb, frame.width, frame.height)
            if future is not None:
                left = None if budget is None else max(budget - (time.perf_counter() - t0),
                                                       0.001)
                out.bodies, out.segmentation = future.result(timeout=left)
            else:
                out.bodies, out.segmentation = self._body_models(rgb, frame.width,
                                                                 frame.height)
        except FutureTimeout:
            out.ok, out.error = False, f"timeout: landmarks over {self.cfg.timeout_ms:g} ms"
        except Exception as exc:  # any model failure must fail closed, not crash the node
            out.ok, out.error = False, f"{type(exc).__name__}: {exc}".splitlines()[0]
        out.latency_s = time.perf_counter() - t0
        if out.ok and budget is not None and out.latency_s > budget:
            out.ok = False
            out.error = (f"timeout: landmarks took {out.latency_s * 1000:.0f} ms, "
                         f"budget {self.cfg.timeout_ms:g} ms")
        self._stats.processed += 1
        if not out.ok:
            out.faces, out.bodies, out.segmentation, out.found = [], [], None, []
            self._stats.error(out.error)
        return out

    def forget(self, track_id: str) -> None:
        """Nothing per track: the models' own tracking follows pixels, not track ids."""

    def stage_stats(self) -> StageStats:
        """Frames processed; frames whose models failed or ran over ``timeout_ms`` are
        errors (each one published fully obscured downstream), with the last reason."""
        s = self._stats
        return StageStats(s.processed, s.skipped, s.rejected, s.errors, s.last_error)

    def _face_models(self, rgb: np.ndarray, w: int,
                     h: int) -> tuple[list[Face], list[FoundFace]]:
        found = self._run_face_finder(rgb)
        faces: list[Face] = []
        if self._detector is None:
            for f in found:
                if f.source == self._analysis_source and f.score >= self.cfg.min_face_score:
                    faces.append(Face(box=f.box, score=f.score, keypoints=f.keypoints))
        else:
            det = self._run_face_detection(rgb)
            for d in det.detections or []:
                rb = d.location_data.relative_bounding_box
                box = Box(rb.xmin * w, rb.ymin * h, rb.width * w, rb.height * h).clamp(w, h)
                if box.w <= 1 or box.h <= 1:
                    continue
                kps = np.array([[k.x * w, k.y * h]
                                for k in d.location_data.relative_keypoints],
                               dtype=np.float32)
                faces.append(Face(box=box, score=float(d.score[0]), keypoints=kps))
        if self._mesh is None:
            return faces, found
        res = self._run_face_mesh(rgb)
        scale = np.array([w, h, w], dtype=np.float32)
        for lm in res.multi_face_landmarks or []:
            mesh = np.array([[p.x, p.y, p.z] for p in lm.landmark], dtype=np.float32) * scale
            mbox = _points_box(mesh).clamp(w, h)
            cx, cy = mbox.center
            best = None
            for face in faces:
                b = face.box.expand(0.2)
                if face.mesh is None and b.x <= cx <= b.x + b.w and b.y <= cy <= b.y + b.h:
                    if best is None or face.box.iou(mbox) > best.box.iou(mbox):
                        best = face
            if best is None:
                # The mesh tracker found a face the detector missed: keep it (it must be
                # masked too); 0.5 marks "found by the mesh only".
                best = Face(box=mbox, score=0.5)
                faces.append(best)
            best.mesh = mesh
            best.head_pose = head_pose_from_mesh(mesh)
        return faces, found

    def _body_models(self, rgb: np.ndarray, w: int,
                     h: int) -> tuple[list[Body], np.ndarray | None]:
        bodies: list[Body] = []
        # Skipped frames report no body (not a stale copy): micro-gesture windows are
        # timed, so they simply get fewer samples.
        run_body = self._calls % self.cfg.body_every == 0
        self._calls += 1
        if self._movenet is not None and run_body:
            bodies = self._run_movenet(rgb)
        if self._pose is not None and run_body:
            res = self._run_pose(rgb)
            if res.pose_landmarks is not None:
                kp = np.array([[p.x * w, p.y * h, p.z * w, p.visibility]
                               for p in res.pose_landmarks.landmark], dtype=np.float32)
                vis = kp[kp[:, 3] > 0.5]
                if len(vis) >= 3:
                    box = _points_box(vis).expand(0.1).clamp(w, h)
                    score = float(np.mean(kp[:, 3]))
                    bodies.append(Body(box=box, score=score, keypoints=kp))
        if self._hands is not None and bodies:
            res = self._run_hands(rgb)
            for lm, handed in zip(res.multi_hand_landmarks or [], res.multi_handedness or []):
                pts = np.array([[p.x * w, p.y * h, p.z * w] for p in lm.landmark],
                               dtype=np.float32)
                label = handed.classification[0]
                # mediapipe labels hands as if the image were mirrored (selfie view).
                side = "right" if label.label == "Left" else "left"
                body = min(bodies, key=lambda b: float(np.linalg.norm(
                    b.keypoints[_WRISTS[side], :2] - pts[0, :2])))
                body.hands.append(Hand(side=side, score=float(label.score), keypoints=pts))
        mask = None
        if self._segmenter is not None:
            mask = self._run_segmentation(rgb).segmentation_mask
            mask = None if mask is None else np.asarray(mask, dtype=np.float32)
        return bodies, mask

    def close(self) -> None:
        """Release the mediapipe graphs and the worker thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self.finder is not None:
            self.finder.close()
        for model in (self._detector, self._mesh, self._pose, self._hands, self._segmenter):
            if model is not None:
                model.close()
