"""Learned action units: AU-TTT through the inference interface (TensorRT -> onnxruntime
CUDA -> onnxruntime CPU), as an alternative to the geometric estimator.

Input is the frame and its faces with meshes; each face is cut as a square crop around its
mesh (:func:`face_crop_box`, the same crop the AU data preparation uses), resized to the
model's input size, and sent with the mesh-derived AU region centres. A model whose
manifest entry says it is not fit for use (e.g. trained on generated data only) is refused
unless ``allow_unfit_model`` is set: the learned path never silently runs a stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.perception.au_regions import au_rois_from_mesh
from emo_perception.perception.types import ActionUnitEstimate, Face

CROP_SCALE = 1.2  # square side = this x the larger side of the mesh's bounding box


@dataclass
class LearnedActionUnitConfig:
    """Which model runs and where (flat fields map 1:1 to ROS parameters)."""

    model: str = setting("au_ttt_bp4d_generated",
                         "learned AU model: manifest name or .onnx path "
                         "(models_onnx/manifest.yaml)")
    backends: list[str] = setting(["tensorrt", "cuda", "cpu"],
                                  "inference backends in order of preference: tensorrt, cuda, cpu",
                                  choices=("tensorrt", "cuda", "cpu"))
    fp16: bool = setting(True, "TensorRT FP16 engine")
    allow_unfit_model: bool = setting(False,
                                      "run a model its manifest marks not fit for use (generated "
                                      "data)")
    threads: int = setting(1, "onnxruntime CPU threads (0 = default)", range=(0, 64))
    intensity_scale: float = setting(5.0,
                                     "intensity = probability x this (the model predicts "
                                     "occurrence)",
                                     range=(0.0, 5.0))

    def __post_init__(self) -> None:
        check_settings(self)
        if not self.backends:
            raise ValueError("backends must be a non-empty list of tensorrt, cuda, cpu")


def face_crop_box(mesh: np.ndarray, scale: float = CROP_SCALE) -> tuple[float, float, float,
                                                                        float]:
    """Square (x, y, w, h) around a face mesh, in pixels."""
    xs, ys = mesh[:, 0], mesh[:, 1]
    cx, cy = (xs.min() + xs.max()) / 2.0, (ys.min() + ys.max()) / 2.0
    side = float(max(xs.max() - xs.min(), ys.max() - ys.min())) * scale
    return (float(cx - side / 2), float(cy - side / 2), side, side)


def crop_face(image_bgr: np.ndarray, box: tuple[float, float, float, float],
              size: int) -> np.ndarray:
    """RGB crop of ``box`` resized to size x size (outside the image is black)."""
    x, y, w, h = box
    scale = size / w
    # One affine warp does crop, pad and resize at once.
    matrix = np.array([[scale, 0.0, -x * scale], [0.0, size / h, -y * size / h]], np.float32)
    crop = cv2.warpAffine(image_bgr, matrix, (size, size), flags=cv2.INTER_AREA,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return crop[:, :, ::-1]


class LearnedActionUnitEstimator:
    """Batched AU model inference for all faces of a frame."""

    def __init__(self, cfg: LearnedActionUnitConfig | None = None) -> None:
        from emo_perception.inference import create_runner
        from emo_perception.inference.manifest import ModelFileError, resolve_model

        self.cfg = cfg = cfg or LearnedActionUnitConfig()
        path, entry = resolve_model(cfg.model, "inputs, labels and sha256 are unknown")
        if not entry.fit_for_use and not cfg.allow_unfit_model:
            raise ModelFileError(
                f"model {entry.name!r} is marked not fit for use (training data: "
                f"{entry.provenance.training_data or 'unknown'}); train one on BP4D/DISFA or "
                "set allow_unfit_model to run it anyway")
        size, aus = entry.config.get("image_size"), entry.config.get("aus")
        if not isinstance(size, int) or not isinstance(aus, list) or not aus:
            raise ModelFileError(f"AU model {entry.name!r}: its manifest entry needs "
                                 "config.image_size and config.aus (the AU codes it predicts)")
        self.entry = entry
        self.size = size
        self.aus = tuple(int(a) for a in aus)
        self.runner = create_runner(path, backend_order=cfg.backends, fp16=cfg.fp16,
                                    threads=cfg.threads)
        self.provider = self.runner.provider

    def estimate(self, image_bgr: np.ndarray, faces: list[Face]) -> dict[str, list[
            ActionUnitEstimate]]:
        """AUs per track id for the faces that have a mesh."""
        meshed = [f for f in faces if f.mesh is not None and len(f.mesh) >= 468]
        if not meshed:
            return {}
        crops = np.empty((len(meshed), 3, self.size, self.size), np.float32)
        rois = np.empty((len(meshed), 2 * len(self.aus), 2), np.float32)
        for i, face in enumerate(meshed):
            box = face_crop_box(face.mesh)
            crops[i] = crop_face(image_bgr, box, self.size).transpose(2, 0, 1) / 255.0
            rois[i] = au_rois_from_mesh(face.mesh, box, self.aus)
        probs = self.runner.run({"image": crops, "rois": rois})["au_prob"]
        scale = self.cfg.intensity_scale
        return {face.track_id: [ActionUnitEstimate(code, float(p), float(p) * scale)
                                for code, p in zip(self.aus, row)]
                for face, row in zip(meshed, np.asarray(probs, dtype=np.float64))}
