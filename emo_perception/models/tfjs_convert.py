"""Our converter from TensorFlow.js weights to ONNX (numpy + onnx only, no TensorFlow).

Two parts:

- :func:`read_weights` decodes a TF.js ``weightsManifest`` (the ``*-weights_manifest.json``
  of face-api models or the ``weightsManifest`` of a ``model.json``): shards are
  concatenated in order, float32/int32 read as stored, ``quantization`` entries
  dequantised the way tfjs-core's ``io.decodeWeights`` does it (uint8/uint16:
  ``q * scale + min``; float16: half floats widened to float32).
- :class:`OnnxGraph` is a small builder for opset-17 graphs with the TF conventions
  handled once: TF filters (HWIO, depthwise HW C 1) become ONNX OIHW, TF ``SAME``
  padding becomes explicit (asymmetric, the extra row/column at the end, as TF does) pads
  computed from the static spatial size, and biases and batch norms are folded into
  the convolution before them.

:func:`face_expression_graph` builds face-api's FaceExpressionNet (weights only in the
package) from its architecture: four dense blocks of (separable) 3x3 convolutions with
dense residual sums, a 7x7 average pool and a fully connected layer with softmax.
The graph takes NHWC like the original and transposes once to NCHW at the input, so
every convolution runs in ONNX's native layout.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any, Sequence

import numpy as np

OPSET = 17

_PLAIN_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}
_QUANT_DTYPES = {"uint8": np.uint8, "uint16": np.uint16, "float16": np.float16}


class TfjsFormatError(ValueError):
    """A TF.js model or weights file is missing, truncated or not understood."""


def _entry_bytes(spec: dict[str, Any]) -> tuple[int, np.dtype]:
    quant = spec.get("quantization")
    if quant:
        dtype = _QUANT_DTYPES.get(quant.get("dtype"))
        if dtype is None:
            raise TfjsFormatError(f"weight {spec['name']}: unsupported quantization "
                                  f"{quant.get('dtype')!r}")
    else:
        dtype = _PLAIN_DTYPES.get(spec.get("dtype"))
        if dtype is None:
            raise TfjsFormatError(f"weight {spec['name']}: unsupported dtype "
                                  f"{spec.get('dtype')!r}")
    count = int(np.prod(spec["shape"])) if spec["shape"] else 1
    return count * np.dtype(dtype).itemsize, np.dtype(dtype)


def decode_weight(spec: dict[str, Any], raw: bytes) -> np.ndarray:
    """One weight from its manifest spec and its bytes, dequantised to its stored dtype."""
    _, dtype = _entry_bytes(spec)
    values = np.frombuffer(raw, dtype=dtype.newbyteorder("<"))
    quant = spec.get("quantization")
    if quant and quant["dtype"] in ("uint8", "uint16"):
        # tfjs-core computes q*scale+min in float64 (JS numbers) and stores float32.
        values = (values.astype(np.float64) * float(quant["scale"])
                  + float(quant["min"])).astype(np.float32)
        if spec.get("dtype") == "int32":
            values = np.round(values).astype(np.int32)
    elif quant:  # float16
        values = values.astype(np.float32)
    return values.reshape(spec["shape"]).copy()


def read_weights(manifest: Sequence[dict[str, Any]],
                 folder: str | pathlib.Path) -> dict[str, np.ndarray]:
    """All weights of a TF.js ``weightsManifest`` whose shard files lie in ``folder``."""
    folder = pathlib.Path(folder)
    out: dict[str, np.ndarray] = {}
    for group in manifest:
        blobs = []
        for rel in group["paths"]:
            path = folder / rel
            if not path.is_file():
                raise TfjsFormatError(f"weights shard missing: {path}")
            blobs.append(path.read_bytes())
        data = b"".join(blobs)
        offset = 0
        for spec in group["weights"]:
            size, _ = _entry_bytes(spec)
            if offset + size > len(data):
                raise TfjsFormatError(
                    f"weights of {spec['name']} end at byte {offset + size} but the shards "
                    f"{group['paths']} hold {len(data)} bytes (truncated file?)")
            out[spec["name"]] = decode_weight(spec, data[offset:offset + size])
            offset += size
        if offset != len(data):
            raise TfjsFormatError(f"shards {group['paths']}: {len(data) - offset} bytes left "
                                  "over after the last weight (manifest does not match)")
    return out


def read_weights_manifest(path: str | pathlib.Path) -> dict[str, np.ndarray]:
    """Weights from a face-api style ``*-weights_manifest.json`` or a ``model.json``."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise TfjsFormatError(f"TF.js weights manifest missing: {path}")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise TfjsFormatError(f"{path} is not JSON: {exc}") from None
    manifest = data["weightsManifest"] if isinstance(data, dict) else data
    return read_weights(manifest, path.parent)


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF ``SAME`` padding (before, after) of one spatial axis: the odd pixel goes last."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def hwio_to_oihw(w: np.ndarray) -> np.ndarray:
    """TF conv filter (H, W, in, out) -> ONNX (out, in, H, W)."""
    return np.ascontiguousarray(w.transpose(3, 2, 0, 1))


def depthwise_to_oihw(w: np.ndarray) -> np.ndarray:
    """TF depthwise filter (H, W, C, multiplier) -> ONNX grouped (C*mult, 1, H, W)."""
    h, k, c, m = w.shape
    return np.ascontiguousarray(w.transpose(2, 3, 0, 1).reshape(c * m, 1, h, k))


def fold_batch_norm(w_oihw: np.ndarray, bias: np.ndarray | None, mean: np.ndarray,
                    var: np.ndarray, scale: np.ndarray | None, offset: np.ndarray | None,
                    eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Weights and bias of a convolution followed by an inference batch norm, as one conv."""
    out_ch = w_oihw.shape[0]
    gamma = scale if scale is not None else np.ones(out_ch, np.float32)
    beta = offset if offset is not None else np.zeros(out_ch, np.float32)
    b = bias if bias is not None else np.zeros(out_ch, np.float32)
    k = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + eps)
    w = (w_oihw.astype(np.float64) * k[:, None, None, None]).astype(np.float32)
    new_b = ((b.astype(np.float64) - mean) * k + beta).astype(np.float32)
    return w, new_b


class OnnxGraph:
    """Accumulates nodes and initialisers of one ONNX graph with unique names."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.nodes: list = []
        self.inits: list = []
        self._n = 0

    def _fresh(self, base: str) -> str:
        self._n += 1
        return f"{base}_{self._n}"

    def const(self, value: np.ndarray, base: str = "c") -> str:
        from onnx import numpy_helper

        name = self._fresh(base)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], base: str | None = None,
           outputs: int = 1, **attrs: Any) -> str | list[str]:
        from onnx import helper

        names = [self._fresh(base or op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, **attrs))
        return names[0] if outputs == 1 else names

    def conv(self, x: str, w_oihw: np.ndarray, bias: np.ndarray | None, size: tuple[int, int],
             stride: int = 1, padding: str = "same", group: int = 1,
             base: str = "conv") -> tuple[str, tuple[int, int]]:
        """Conv with TF padding semantics on an NCHW tensor of spatial ``size``."""
        kh, kw = w_oihw.shape[2:]
        if padding == "same":
            ph, pw = same_pads(size[0], kh, stride), same_pads(size[1], kw, stride)
            out = (-(-size[0] // stride), -(-size[1] // stride))
        elif padding == "valid":
            ph, pw = (0, 0), (0, 0)
            out = ((size[0] - kh) // stride + 1, (size[1] - kw) // stride + 1)
        else:
            raise TfjsFormatError(f"conv padding {padding!r} is not supported")
        ins = [x, self.const(w_oihw.astype(np.float32), f"{base}_w")]
        if bias is not None:
            ins.append(self.const(bias.astype(np.float32), f"{base}_b"))
        y = self.op("Conv", ins, base, kernel_shape=[kh, kw], strides=[stride, stride],
                    pads=[ph[0], pw[0], ph[1], pw[1]], group=group)
        return y, out

    def model(self, inputs: list, outputs: list, doc: str = "",
              metadata: dict[str, str] | None = None):
        from onnx import checker, helper

        graph = helper.make_graph(self.nodes, self.name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="emo_perception.tfjs_convert",
                                  doc_string=doc)
        model.ir_version = 8  # what onnxruntime 1.16+ and TensorRT 8.6+ all read
        for key, value in (metadata or {}).items():
            entry = model.metadata_props.add()
            entry.key, entry.value = key, value
        checker.check_model(model, full_check=True)
        return model


FACE_EXPRESSION_LABELS = ("neutral", "happy", "sad", "angry", "fearful", "disgusted",
                          "surprised")
FACE_EXPRESSION_MEAN_RGB = (122.782, 117.001, 104.298)
FACE_EXPRESSION_SIZE = 112


def _w(weights: dict[str, np.ndarray], name: str) -> np.ndarray:
    if name not in weights:
        raise TfjsFormatError(f"weight {name!r} missing from the manifest")
    return weights[name]


def _separable(g: OnnxGraph, weights: dict, prefix: str, x: str, size: tuple[int, int],
               stride: int) -> tuple[str, tuple[int, int]]:
    dw = depthwise_to_oihw(_w(weights, f"{prefix}/depthwise_filter"))
    y, size = g.conv(x, dw, None, size, stride, "same", group=dw.shape[0], base="dw")
    pw = hwio_to_oihw(_w(weights, f"{prefix}/pointwise_filter"))
    return g.conv(y, pw, _w(weights, f"{prefix}/bias"), size, 1, "same", base="pw")


def _dense_block4(g: OnnxGraph, weights: dict, prefix: str, x: str, size: tuple[int, int],
                  first: bool) -> tuple[str, tuple[int, int]]:
    if first:
        w = hwio_to_oihw(_w(weights, f"{prefix}/conv0/filters"))
        out1, size = g.conv(x, w, _w(weights, f"{prefix}/conv0/bias"), size, 2, "same")
    else:
        out1, size = _separable(g, weights, f"{prefix}/conv0", x, size, 2)
    out1 = g.op("Relu", [out1])
    out2, _ = _separable(g, weights, f"{prefix}/conv1", out1, size, 1)
    in3 = g.op("Relu", [g.op("Add", [out1, out2])])
    out3, _ = _separable(g, weights, f"{prefix}/conv2", in3, size, 1)
    s23 = g.op("Add", [out2, out3])
    in4 = g.op("Relu", [g.op("Add", [out1, s23])])
    out4, _ = _separable(g, weights, f"{prefix}/conv3", in4, size, 1)
    total = g.op("Add", [out1, g.op("Add", [out2, g.op("Add", [out3, out4])])])
    return g.op("Relu", [total], f"{prefix}_out"), size


def face_expression_graph(weights: dict[str, np.ndarray], metadata: dict[str, str] | None = None):
    """ONNX model of face-api's FaceExpressionNet from its decoded weights.

    Input ``image``: (batch, 112, 112, 3) float32 RGB in 0..255 (a square face crop);
    outputs ``probabilities``: (batch, 7) softmax in :data:`FACE_EXPRESSION_LABELS` order,
    and ``logits`` before the softmax (for parity checks that a saturated softmax hides).
    The mean subtraction and /255 of the original run inside the graph.
    """
    from onnx import TensorProto, helper

    s = FACE_EXPRESSION_SIZE
    g = OnnxGraph("face_expression")
    mean = np.array(FACE_EXPRESSION_MEAN_RGB, np.float32).reshape(1, 1, 1, 3)
    x = g.op("Sub", ["image", g.const(mean, "mean_rgb")])
    x = g.op("Div", [x, g.const(np.array(255.0, np.float32), "scale")])
    x = g.op("Transpose", [x], "to_nchw", perm=[0, 3, 1, 2])
    size = (s, s)
    for i in range(4):
        x, size = _dense_block4(g, weights, f"dense{i}", x, size, first=(i == 0))
    if size != (7, 7):
        raise TfjsFormatError(f"feature map is {size}, expected 7x7")
    x = g.op("AveragePool", [x], "avgpool", kernel_shape=[7, 7], strides=[2, 2])
    x = g.op("Flatten", [x], axis=1)
    fc_w, fc_b = _w(weights, "fc/weights"), _w(weights, "fc/bias")
    if fc_w.shape != (256, len(FACE_EXPRESSION_LABELS)):
        raise TfjsFormatError(f"fc/weights has shape {fc_w.shape}, expected (256, 7)")
    g.nodes.append(helper.make_node("Gemm", [x, g.const(fc_w, "fc_w"), g.const(fc_b, "fc_b")],
                                    ["logits"]))
    g.nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1))
    inp = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", s, s, 3])
    n = len(FACE_EXPRESSION_LABELS)
    outs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", n])
            for name in ("probabilities", "logits")]
    return g.model([inp], outs, doc="face-api FaceExpressionNet converted from TF.js weights",
                   metadata=metadata)
