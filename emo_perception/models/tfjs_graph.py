"""TF.js *graph models* (``model.json`` with ``modelTopology.node[]``) to ONNX.

Each TF node becomes ONNX nodes through one handler per op (:data:`HANDLERS`); ``Const``
nodes take their values from the weights manifest. 4-D tensors run in NCHW inside the
ONNX graph: the NHWC input is transposed once, every conv/pool handler works in NCHW, and
ops that name axes (``Mean``) remap them. A model with an op that has no handler is
refused with the op names listed, never half-converted. Ops handled so far are the ones
the pinned models use (human's ``emotion``: Placeholder, Const, _FusedConv2D with
BiasAdd[/Relu/Relu6], DepthwiseConv2dNative, MaxPool, AddV2, Relu, Mean, Softmax, Identity).

:func:`emotion_graph` adds human's preprocessing (src/gear/emotion.ts: RGB 0..1 ->
grey ``sum(rgb * [0.2989, 0.5870, 0.1140])`` -> ``(grey - 0.5) * 2``) in front, so the
ONNX file takes the same RGB 0..255 crop as the face-api model.
"""

from __future__ import annotations

import base64
import json
import pathlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from emo_perception.models.tfjs_convert import (
    OnnxGraph, TfjsFormatError, depthwise_to_oihw, hwio_to_oihw, read_weights, same_pads)


def _s(attr: dict, key: str, default: str = "") -> str:
    value = attr.get(key, {}).get("s")
    return base64.b64decode(value).decode() if value else default


def _ints(attr: dict, key: str) -> list[int]:
    return [int(i) for i in attr.get(key, {}).get("list", {}).get("i", [])]


def _strs(attr: dict, key: str) -> list[str]:
    return [base64.b64decode(v).decode() for v in attr.get(key, {}).get("list", {}).get("s", [])]


@dataclass
class _State:
    g: OnnxGraph
    weights: dict[str, np.ndarray]
    names: dict[str, str] = field(default_factory=dict)  # TF tensor -> ONNX tensor
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # TF 4-D -> (H, W)
    consts: dict[str, np.ndarray] = field(default_factory=dict)

    def inp(self, node: dict, i: int) -> str:
        name = node["input"][i].split(":")[0]
        if name not in self.names:
            raise TfjsFormatError(f"{node['name']}: input {name!r} is not computed yet")
        return self.names[name]

    def size(self, node: dict, i: int = 0) -> tuple[int, int]:
        return self.sizes[node["input"][i].split(":")[0]]

    def const(self, node: dict, i: int) -> np.ndarray:
        name = node["input"][i].split(":")[0]
        if name not in self.consts:
            raise TfjsFormatError(f"{node['name']}: input {name!r} must be a constant")
        return self.consts[name]


def _check_nhwc(node: dict) -> None:
    fmt = _s(node.get("attr", {}), "data_format", "NHWC")
    if fmt != "NHWC":
        raise TfjsFormatError(f"{node['name']}: data_format {fmt} is not supported")
    if any(d != 1 for d in _ints(node.get("attr", {}), "dilations")):
        raise TfjsFormatError(f"{node['name']}: dilated convolutions are not supported")


def _conv_common(st: _State, node: dict, w_oihw: np.ndarray, bias: np.ndarray | None,
                 group: int) -> str:
    _check_nhwc(node)
    attr = node.get("attr", {})
    strides = _ints(attr, "strides") or [1, 1, 1, 1]
    if strides[1] != strides[2]:
        raise TfjsFormatError(f"{node['name']}: unequal strides {strides}")
    padding = _s(attr, "padding", "VALID").lower()
    y, size = st.g.conv(st.inp(node, 0), w_oihw, bias, st.size(node), strides[1], padding,
                        group=group, base=node["name"].split("/")[-2] if "/" in node["name"]
                        else "conv")
    st.sizes[node["name"]] = size
    return y


def _fused_conv(st: _State, node: dict) -> str:
    attr = node.get("attr", {})
    ops = _strs(attr, "fused_ops")
    if not ops or ops[0] != "BiasAdd" or any(o not in ("Relu", "Relu6") for o in ops[1:]):
        raise TfjsFormatError(f"{node['name']}: fused ops {ops} are not supported")
    w = hwio_to_oihw(st.const(node, 1))
    y = _conv_common(st, node, w, st.const(node, 2), group=1)
    for op in ops[1:]:
        if op == "Relu":
            y = st.g.op("Relu", [y])
        else:
            y = st.g.op("Clip", [y, st.g.const(np.float32(0)), st.g.const(np.float32(6))])
    return y


def _depthwise(st: _State, node: dict) -> str:
    w = depthwise_to_oihw(st.const(node, 1))
    return _conv_common(st, node, w, None, group=st.const(node, 1).shape[2])


def _max_pool(st: _State, node: dict) -> str:
    _check_nhwc(node)
    attr = node.get("attr", {})
    k, s = _ints(attr, "ksize"), _ints(attr, "strides")
    h, w = st.size(node)
    if _s(attr, "padding") == "SAME":
        ph, pw = same_pads(h, k[1], s[1]), same_pads(w, k[2], s[2])
        out = (-(-h // s[1]), -(-w // s[2]))
    else:
        ph, pw = (0, 0), (0, 0)
        out = ((h - k[1]) // s[1] + 1, (w - k[2]) // s[2] + 1)
    st.sizes[node["name"]] = out
    # ONNX MaxPool ignores padded cells, as TF's SAME max pool does.
    return st.g.op("MaxPool", [st.inp(node, 0)], kernel_shape=[k[1], k[2]],
                   strides=[s[1], s[2]], pads=[ph[0], pw[0], ph[1], pw[1]])


def _binary(onnx_op: str) -> Callable[[_State, dict], str]:
    def handle(st: _State, node: dict) -> str:
        a, b = (node["input"][i].split(":")[0] for i in (0, 1))
        if a in st.sizes and b in st.sizes and st.sizes[a] != st.sizes[b]:
            raise TfjsFormatError(f"{node['name']}: shapes {st.sizes[a]} and {st.sizes[b]}")
        if a in st.sizes or b in st.sizes:
            st.sizes[node["name"]] = st.sizes.get(a) or st.sizes[b]
        return st.g.op(onnx_op, [st.inp(node, 0), st.inp(node, 1)])
    return handle


def _unary(onnx_op: str) -> Callable[[_State, dict], str]:
    def handle(st: _State, node: dict) -> str:
        src = node["input"][0].split(":")[0]
        if src in st.sizes:
            st.sizes[node["name"]] = st.sizes[src]
        return st.g.op(onnx_op, [st.inp(node, 0)])
    return handle


def _mean(st: _State, node: dict) -> str:
    axes = [int(a) for a in np.atleast_1d(st.const(node, 1))]
    keep = bool(node.get("attr", {}).get("keep_dims", {}).get("b", False))
    src = node["input"][0].split(":")[0]
    if src not in st.sizes or sorted(a % 4 for a in axes) != [1, 2] or keep:
        raise TfjsFormatError(f"{node['name']}: only a global spatial Mean (axes 1, 2, "
                              "keep_dims false) of a 4-D tensor is supported")
    pooled = st.g.op("GlobalAveragePool", [st.inp(node, 0)])
    return st.g.op("Flatten", [pooled], axis=1)


def _softmax(st: _State, node: dict) -> str:
    if node["input"][0].split(":")[0] in st.sizes:
        raise TfjsFormatError(f"{node['name']}: Softmax of a 4-D tensor is not supported")
    return st.g.op("Softmax", [st.inp(node, 0)], axis=-1)


HANDLERS: dict[str, Callable[[_State, dict], str]] = {
    "_FusedConv2D": _fused_conv,
    "DepthwiseConv2dNative": _depthwise,
    "MaxPool": _max_pool,
    "AddV2": _binary("Add"),
    "Add": _binary("Add"),
    "Relu": _unary("Relu"),
    "Identity": _unary("Identity"),
    "Mean": _mean,
    "Softmax": _softmax,
}


def load_graph_model(path: str | pathlib.Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """``model.json`` and its decoded weights (shards next to it)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise TfjsFormatError(f"TF.js graph model missing: {path}")
    try:
        model = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise TfjsFormatError(f"{path} is not JSON: {exc}") from None
    if model.get("format") != "graph-model" or "modelTopology" not in model:
        raise TfjsFormatError(f"{path} is not a TF.js graph model (format "
                              f"{model.get('format')!r})")
    return model, read_weights(model["weightsManifest"], path.parent)


def convert_graph(model: dict[str, Any], weights: dict[str, np.ndarray], g: OnnxGraph,
                  input_nchw: str, input_size: tuple[int, int]) -> str:
    """Add the graph model's nodes to ``g``; the single Placeholder is ``input_nchw``.
    Returns the ONNX name of the graph's output (the last node nobody consumes)."""
    nodes = model["modelTopology"]["node"]
    unknown = sorted({n["op"] for n in nodes} - set(HANDLERS) - {"Const", "Placeholder"})
    if unknown:
        raise TfjsFormatError(f"TF ops without a converter: {unknown}")
    st = _State(g, weights)
    placeholders = [n for n in nodes if n["op"] == "Placeholder"]
    if len(placeholders) != 1:
        raise TfjsFormatError(f"expected one input, found {len(placeholders)}")
    st.names[placeholders[0]["name"]] = input_nchw
    st.sizes[placeholders[0]["name"]] = input_size
    for n in nodes:
        if n["op"] == "Const":
            if n["name"] not in weights:
                raise TfjsFormatError(f"constant {n['name']!r} has no weights in the manifest")
            st.consts[n["name"]] = weights[n["name"]]
    consumed = {i.split(":")[0] for n in nodes for i in n.get("input", [])}
    pending = [n for n in nodes if n["op"] not in ("Const", "Placeholder")]
    while pending:  # topology order is not guaranteed in model.json
        ready = [n for n in pending
                 if all(i.split(":")[0] in st.names or i.split(":")[0] in st.consts
                        for i in n.get("input", []))]
        if not ready:
            raise TfjsFormatError(f"graph has a cycle or a missing input near "
                                  f"{pending[0]['name']!r}")
        for n in ready:
            st.names[n["name"]] = HANDLERS[n["op"]](st, n)
            pending.remove(n)
    outputs = [n["name"] for n in nodes if n["name"] not in consumed and n["op"] != "Const"]
    if len(outputs) != 1:
        raise TfjsFormatError(f"expected one output, found {outputs}")
    return st.names[outputs[0]]


EMOTION_LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
GREY_WEIGHTS = (0.2989, 0.5870, 0.1140)


def emotion_graph(model_json: str | pathlib.Path, metadata: dict[str, str] | None = None):
    """human's ``emotion`` (oarriaga mini-Xception, FER2013) with its preprocessing.

    Input ``image``: (batch, 64, 64, 3) float32 RGB 0..255; output ``probabilities``
    (batch, 7) in :data:`EMOTION_LABELS` order (the graph ends in a softmax)."""
    from onnx import TensorProto, helper

    model, weights = load_graph_model(model_json)
    dims = model["modelTopology"]["node"]
    ph = next(n for n in dims if n["op"] == "Placeholder")
    shape = [int(d["size"]) for d in ph["attr"]["shape"]["shape"]["dim"]]
    if shape[1:] != [64, 64, 1]:
        raise TfjsFormatError(f"emotion input shape {shape}, expected [-1, 64, 64, 1]")
    g = OnnxGraph("emotion")
    x = g.op("Div", ["image", g.const(np.array(255.0, np.float32))])
    grey_w = np.array(GREY_WEIGHTS, np.float32).reshape(1, 1, 1, 3)
    x = g.op("ReduceSum", [g.op("Mul", [x, g.const(grey_w, "grey")]),
                           g.const(np.array([3], np.int64))], keepdims=1)
    x = g.op("Mul", [g.op("Sub", [x, g.const(np.array(0.5, np.float32))]),
                     g.const(np.array(2.0, np.float32))])
    x = g.op("Transpose", [x], "to_nchw", perm=[0, 3, 1, 2])
    y = convert_graph(model, weights, g, x, (64, 64))
    g.nodes.append(helper.make_node("Identity", [y], ["probabilities"]))
    inp = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 64, 64, 3])
    out = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                        ["batch", len(EMOTION_LABELS)])
    return g.model([inp], [out], doc="human emotion (mini-Xception) converted from TF.js",
                   metadata=metadata)


# --- NHWC converter for graph models with shape arithmetic (movenet-multipose) ---------
#
# movenet-multipose decodes its CenterNet heads inside the graph (Shape/StridedSlice/Range/
# TopKV2/GatherNd on tensors whose sizes follow the input), so the NCHW converter above,
# which needs every spatial size statically, does not fit. This one keeps TF's NHWC
# layout for every tensor, so TF axis numbers and shape vectors carry over unchanged, and
# only wraps convolutions, pools and resizes in transposes to ONNX's NCHW. Integer tensors
# stay int32 as in TF; ONNX inputs that must be int64 (shapes, indices, k) get a Cast.

_TF_DTYPES = {"DT_FLOAT": 1, "DT_INT32": 6, "DT_BOOL": 9}  # onnx TensorProto codes
_BIG = np.iinfo(np.int64).max


@dataclass
class _NhwcState:
    g: OnnxGraph
    consts: dict[str, np.ndarray]
    names: dict[str, str] = field(default_factory=dict)

    def inp(self, node: dict, i: int) -> str:
        ref = node["input"][i]
        key = ref if ":" in ref and not ref.endswith(":0") else ref.split(":")[0]
        if key in self.names:
            return self.names[key]
        if key in self.consts:
            self.names[key] = self.g.const(self.consts[key], "k")
            return self.names[key]
        raise TfjsFormatError(f"{node['name']}: input {ref!r} is not computed yet")

    def const(self, node: dict, i: int) -> np.ndarray:
        name = node["input"][i].split(":")[0]
        if name not in self.consts:
            raise TfjsFormatError(f"{node['name']}: input {name!r} must be a constant")
        return self.consts[name]

    def i64(self, node: dict, i: int) -> str:
        return self.g.op("Cast", [self.inp(node, i)], to=7)

    def axes(self, values) -> str:
        return self.g.const(np.atleast_1d(np.asarray(values, np.int64)), "axes")


def _nchw(st: _NhwcState, x: str, op: str, ins: list[str], **attrs) -> str:
    y = st.g.op(op, [st.g.op("Transpose", [x], perm=[0, 3, 1, 2])] + ins, **attrs)
    return st.g.op("Transpose", [y], perm=[0, 2, 3, 1])


def _nhwc_conv(depthwise: bool, fused: bool) -> Callable[[_NhwcState, dict], str]:
    def handle(st: _NhwcState, node: dict) -> str:
        _check_nhwc(node)
        attr = node.get("attr", {})
        raw = st.const(node, 1)
        w = depthwise_to_oihw(raw) if depthwise else hwio_to_oihw(raw)
        ops = _strs(attr, "fused_ops") if fused else []
        if fused and (not ops or ops[0] != "BiasAdd"
                      or any(o not in ("Relu", "Relu6") for o in ops[1:])):
            raise TfjsFormatError(f"{node['name']}: fused ops {ops} are not supported")
        ins = [st.g.const(w.astype(np.float32), "w")]
        if fused:
            ins.append(st.g.const(st.const(node, 2).astype(np.float32), "b"))
        strides = _ints(attr, "strides") or [1, 1, 1, 1]
        pad = _s(attr, "padding", "VALID")
        # TF SAME puts the odd padding row/column last, which is ONNX SAME_UPPER.
        y = _nchw(st, st.inp(node, 0), "Conv", ins, kernel_shape=list(w.shape[2:]),
                  strides=strides[1:3], group=raw.shape[2] if depthwise else 1,
                  auto_pad="SAME_UPPER" if pad == "SAME" else "VALID")
        for op in ops[1:]:
            y = (st.g.op("Relu", [y]) if op == "Relu" else
                 st.g.op("Clip", [y, st.g.const(np.float32(0)), st.g.const(np.float32(6))]))
        return y
    return handle


def _nhwc_max_pool(st: _NhwcState, node: dict) -> str:
    _check_nhwc(node)
    attr = node.get("attr", {})
    k, s = _ints(attr, "ksize"), _ints(attr, "strides")
    pad = "SAME_UPPER" if _s(attr, "padding") == "SAME" else "VALID"
    return _nchw(st, st.inp(node, 0), "MaxPool", [], kernel_shape=k[1:3], strides=s[1:3],
                 auto_pad=pad)


def _nhwc_resize(st: _NhwcState, node: dict) -> str:
    attr = node.get("attr", {})
    if attr.get("align_corners", {}).get("b", False):
        raise TfjsFormatError(f"{node['name']}: align_corners is not supported")
    mode = ("half_pixel" if attr.get("half_pixel_centers", {}).get("b", False)
            else "asymmetric")
    x = st.g.op("Transpose", [st.inp(node, 0)], perm=[0, 3, 1, 2])
    nc = st.g.op("Slice", [st.g.op("Shape", [x]), st.axes(0), st.axes(2)])
    sizes = st.g.op("Concat", [nc, st.i64(node, 1)], axis=0)
    y = st.g.op("Resize", [x, "", "", sizes], mode="linear",
                coordinate_transformation_mode=mode)
    return st.g.op("Transpose", [y], perm=[0, 2, 3, 1])


def _nhwc_simple(onnx_op: str, n_in: int = 2, **attrs) -> Callable[[_NhwcState, dict], str]:
    def handle(st: _NhwcState, node: dict) -> str:
        return st.g.op(onnx_op, [st.inp(node, i) for i in range(n_in)], **attrs)
    return handle


def _nhwc_int32_of(onnx_op: str) -> Callable[[_NhwcState, dict], str]:
    def handle(st: _NhwcState, node: dict) -> str:  # Shape, Size: int64 in ONNX, int32 in TF
        return st.g.op("Cast", [st.g.op(onnx_op, [st.inp(node, 0)])], to=6)
    return handle


def _nhwc_cast(st: _NhwcState, node: dict) -> str:
    dst = node["attr"]["DstT"]["type"]
    if dst not in _TF_DTYPES:
        raise TfjsFormatError(f"{node['name']}: Cast to {dst} is not supported")
    return st.g.op("Cast", [st.inp(node, 0)], to=_TF_DTYPES[dst])


def _nhwc_floordiv(st: _NhwcState, node: dict) -> str:
    # ONNX integer Div truncates towards zero; TF FloorDiv floors. Via float64 both agree
    # for every int32 (exact in a double).
    a, b = (st.g.op("Cast", [st.inp(node, i)], to=11) for i in (0, 1))
    q = st.g.op("Floor", [st.g.op("Div", [a, b])])
    out = _TF_DTYPES.get(node.get("attr", {}).get("T", {}).get("type", "DT_INT32"), 6)
    return st.g.op("Cast", [q], to=out)


def _nhwc_sqdiff(st: _NhwcState, node: dict) -> str:
    d = st.g.op("Sub", [st.inp(node, 0), st.inp(node, 1)])
    return st.g.op("Mul", [d, d])


def _nhwc_addn(st: _NhwcState, node: dict) -> str:
    return st.g.op("Sum", [st.inp(node, i) for i in range(len(node["input"]))])


def _nhwc_reshape(st: _NhwcState, node: dict) -> str:
    return st.g.op("Reshape", [st.inp(node, 0), st.i64(node, 1)])


def _nhwc_squeeze(st: _NhwcState, node: dict) -> str:
    dims = _ints(node.get("attr", {}), "squeeze_dims")
    return st.g.op("Squeeze", [st.inp(node, 0)] + ([st.axes(dims)] if dims else []))


def _nhwc_expand_dims(st: _NhwcState, node: dict) -> str:
    return st.g.op("Unsqueeze", [st.inp(node, 0), st.axes(st.const(node, 1))])


def _nhwc_pack(st: _NhwcState, node: dict) -> str:
    axis = int(node.get("attr", {}).get("axis", {}).get("i", 0))
    parts = [st.g.op("Unsqueeze", [st.inp(node, i), st.axes(axis)])
             for i in range(len(node["input"]))]
    return st.g.op("Concat", parts, axis=axis)


def _nhwc_concat(st: _NhwcState, node: dict) -> str:
    axis = int(st.const(node, len(node["input"]) - 1))
    return st.g.op("Concat", [st.inp(node, i) for i in range(len(node["input"]) - 1)],
                   axis=axis)


def _nhwc_unpack(st: _NhwcState, node: dict) -> list[str]:
    attr = node.get("attr", {})
    axis, num = int(attr.get("axis", {}).get("i", 0)), int(attr["num"]["i"])
    parts = st.g.op("Split", [st.inp(node, 0)], outputs=num, axis=axis)
    parts = parts if isinstance(parts, list) else [parts]
    return [st.g.op("Squeeze", [p, st.axes(axis)]) for p in parts]


def _nhwc_split(st: _NhwcState, node: dict) -> list[str]:
    num = int(node["attr"]["num_split"]["i"])
    parts = st.g.op("Split", [st.inp(node, 1)], outputs=num, axis=int(st.const(node, 0)))
    return parts if isinstance(parts, list) else [parts]


def _nhwc_reduce(onnx_op: str) -> Callable[[_NhwcState, dict], str]:
    def handle(st: _NhwcState, node: dict) -> str:
        keep = int(bool(node.get("attr", {}).get("keep_dims", {}).get("b", False)))
        axes = st.axes(st.const(node, 1))
        if onnx_op == "ReduceSum":
            return st.g.op(onnx_op, [st.inp(node, 0), axes], keepdims=keep)
        # ReduceMax takes its axes as an attribute up to opset 17.
        return st.g.op(onnx_op, [st.inp(node, 0)], keepdims=keep,
                       axes=[int(a) for a in np.atleast_1d(st.const(node, 1))])
    return handle


def _nhwc_argmax(st: _NhwcState, node: dict) -> str:
    y = st.g.op("ArgMax", [st.inp(node, 0)], axis=int(st.const(node, 1)), keepdims=0)
    return st.g.op("Cast", [y], to=6)


def _nhwc_topk(st: _NhwcState, node: dict) -> list[str]:
    k = st.g.op("Reshape", [st.i64(node, 1), st.axes([1])])
    values, idx = st.g.op("TopK", [st.inp(node, 0), k], outputs=2, axis=-1, largest=1,
                          sorted=1)
    return [values, st.g.op("Cast", [idx], to=6)]


def _nhwc_gather_nd(st: _NhwcState, node: dict) -> str:
    return st.g.op("GatherND", [st.inp(node, 0), st.i64(node, 1)])


def _nhwc_fill(st: _NhwcState, node: dict) -> str:
    return st.g.op("Expand", [st.inp(node, 1), st.i64(node, 0)])


def _nhwc_tile(st: _NhwcState, node: dict) -> str:
    return st.g.op("Tile", [st.inp(node, 0), st.i64(node, 1)])


def _nhwc_range(st: _NhwcState, node: dict) -> str:
    return st.g.op("Range", [st.inp(node, i) for i in range(3)])


def _nhwc_select(st: _NhwcState, node: dict) -> str:
    # TF1 Select broadcasts a rank-1 condition along axis 0; every Select in the pinned
    # model has operands of one shape, for which Where is the same.
    return st.g.op("Where", [st.inp(node, i) for i in range(3)])


def strided_slice_plan(begin, end, strides, begin_mask: int, end_mask: int,
                       shrink_mask: int, new_axis_mask: int, ellipsis_mask: int = 0):
    """TF StridedSlice spec -> (starts, ends, axes, steps, squeeze_axes, unsqueeze_axes)
    for ONNX Slice, then Squeeze (input axes of shrunk dims, after slicing) and Unsqueeze
    (output positions of new axes)."""
    if ellipsis_mask:
        raise TfjsFormatError("StridedSlice with an ellipsis mask is not supported")
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    dim = out = 0
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if new_axis_mask & bit:
            unsqueeze.append(out)
            out += 1
            continue
        b, e, s = int(b), int(e), int(s)
        if shrink_mask & bit:
            starts.append(b)
            ends.append(b + 1 if b != -1 else _BIG)
            steps.append(1)
            axes.append(dim)
            squeeze.append(dim)
        else:
            if begin_mask & bit:
                b = 0 if s > 0 else _BIG
            if end_mask & bit:
                e = _BIG if s > 0 else -_BIG
            starts.append(b)
            ends.append(e)
            steps.append(s)
            axes.append(dim)
            out += 1
        dim += 1
    return starts, ends, axes, steps, squeeze, unsqueeze


def _nhwc_strided_slice(st: _NhwcState, node: dict) -> str:
    attr = node.get("attr", {})
    mask = {k: int(attr.get(k, {}).get("i", 0)) for k in
            ("begin_mask", "end_mask", "shrink_axis_mask", "new_axis_mask", "ellipsis_mask")}
    starts, ends, axes, steps, squeeze, unsqueeze = strided_slice_plan(
        st.const(node, 1), st.const(node, 2), st.const(node, 3), mask["begin_mask"],
        mask["end_mask"], mask["shrink_axis_mask"], mask["new_axis_mask"],
        mask["ellipsis_mask"])
    y = st.inp(node, 0)
    if axes:
        y = st.g.op("Slice", [y, st.axes(starts), st.axes(ends), st.axes(axes),
                              st.axes(steps)])
    if squeeze:
        y = st.g.op("Squeeze", [y, st.axes(squeeze)])
    if unsqueeze:
        y = st.g.op("Unsqueeze", [y, st.axes(unsqueeze)])
    return y


NHWC_HANDLERS: dict[str, Callable[[_NhwcState, dict], Any]] = {
    "_FusedConv2D": _nhwc_conv(False, True),
    "FusedDepthwiseConv2dNative": _nhwc_conv(True, True),
    "DepthwiseConv2dNative": _nhwc_conv(True, False),
    "MaxPool": _nhwc_max_pool,
    "ResizeBilinear": _nhwc_resize,
    "AddV2": _nhwc_simple("Add"), "Add": _nhwc_simple("Add"),
    "Sub": _nhwc_simple("Sub"), "Mul": _nhwc_simple("Mul"), "RealDiv": _nhwc_simple("Div"),
    "Maximum": _nhwc_simple("Max"), "Minimum": _nhwc_simple("Min"),
    "Less": _nhwc_simple("Less"), "Greater": _nhwc_simple("Greater"),
    "GreaterEqual": _nhwc_simple("GreaterOrEqual"), "Equal": _nhwc_simple("Equal"),
    "LogicalAnd": _nhwc_simple("And"),
    "Sigmoid": _nhwc_simple("Sigmoid", 1), "Exp": _nhwc_simple("Exp", 1),
    "Abs": _nhwc_simple("Abs", 1), "Reciprocal": _nhwc_simple("Reciprocal", 1),
    "Relu": _nhwc_simple("Relu", 1), "Identity": _nhwc_simple("Identity", 1),
    "Shape": _nhwc_int32_of("Shape"), "Size": _nhwc_int32_of("Size"),
    "Cast": _nhwc_cast, "FloorDiv": _nhwc_floordiv, "SquaredDifference": _nhwc_sqdiff,
    "AddN": _nhwc_addn, "Reshape": _nhwc_reshape, "Squeeze": _nhwc_squeeze,
    "ExpandDims": _nhwc_expand_dims, "Pack": _nhwc_pack, "ConcatV2": _nhwc_concat,
    "Unpack": _nhwc_unpack, "Split": _nhwc_split, "Sum": _nhwc_reduce("ReduceSum"),
    "Max": _nhwc_reduce("ReduceMax"), "ArgMax": _nhwc_argmax, "TopKV2": _nhwc_topk,
    "GatherNd": _nhwc_gather_nd, "Fill": _nhwc_fill, "Tile": _nhwc_tile,
    "Range": _nhwc_range, "Select": _nhwc_select, "StridedSlice": _nhwc_strided_slice,
}


def convert_graph_nhwc(model: dict[str, Any], weights: dict[str, np.ndarray], g: OnnxGraph,
                       input_nhwc: str) -> str:
    """Add a graph model's nodes to ``g`` in TF layout; returns the output's ONNX name."""
    nodes = model["modelTopology"]["node"]
    unknown = sorted({n["op"] for n in nodes} - set(NHWC_HANDLERS) - {"Const", "Placeholder"})
    if unknown:
        raise TfjsFormatError(f"TF ops without a converter: {unknown}")
    placeholders = [n for n in nodes if n["op"] == "Placeholder"]
    if len(placeholders) != 1:
        raise TfjsFormatError(f"expected one input, found {len(placeholders)}")
    consts = {}
    for n in nodes:
        if n["op"] == "Const":
            if n["name"] not in weights:
                raise TfjsFormatError(f"constant {n['name']!r} has no weights in the manifest")
            consts[n["name"]] = weights[n["name"]]
    st = _NhwcState(g, consts)
    st.names[placeholders[0]["name"]] = input_nhwc
    consumed = {i.split(":")[0] for n in nodes for i in n.get("input", [])}
    pending = [n for n in nodes if n["op"] not in ("Const", "Placeholder")]
    done = set(st.names) | set(consts)
    while pending:
        ready = [n for n in pending if all(i.split(":")[0] in done for i in n.get("input", []))]
        if not ready:
            raise TfjsFormatError(f"graph has a cycle or a missing input near "
                                  f"{pending[0]['name']!r}")
        for n in ready:
            y = NHWC_HANDLERS[n["op"]](st, n)
            if isinstance(y, list):
                for i, part in enumerate(y):
                    st.names[n["name"] if i == 0 else f"{n['name']}:{i}"] = part
            else:
                st.names[n["name"]] = y
            done.add(n["name"])
            pending.remove(n)
    outputs = [n["name"] for n in nodes if n["name"] not in consumed and n["op"] != "Const"]
    if len(outputs) != 1:
        raise TfjsFormatError(f"expected one output, found {outputs}")
    return st.names[outputs[0]]


MOVENET_KEYPOINTS = ("nose", "left_eye", "right_eye", "left_ear", "right_ear",
                     "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
                     "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
                     "right_knee", "left_ankle", "right_ankle")


def movenet_multipose_graph(model_json: str | pathlib.Path,
                            metadata: dict[str, str] | None = None):
    """human's ``movenet-multipose`` (Google MoveNet MultiPose Lightning, COCO-17).

    Input ``image``: (1, height, width, 3) float32 RGB 0..255, height and width multiples
    of 32 (any size; the caller picks it per config); the graph casts to int32 as TF.js
    feeds it. Output ``people``: (1, 6, 56) float32, per person 17 x (y, x, score) in
    0..1 of the input, then box (ymin, xmin, ymax, xmax) and the person score."""
    from onnx import TensorProto, helper

    model, weights = load_graph_model(model_json)
    g = OnnxGraph("movenet_multipose")
    x = g.op("Cast", ["image"], to=6)
    y = convert_graph_nhwc(model, weights, g, x)
    g.nodes.append(helper.make_node("Identity", [y], ["people"]))
    used = {name for n in g.nodes for name in n.input}
    g.inits = [t for t in g.inits if t.name in used]  # handlers may make a spare constant
    inp = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, "height", "width", 3])
    out = helper.make_tensor_value_info("people", TensorProto.FLOAT, [1, 6, 56])
    return g.model([inp], [out], doc="MoveNet MultiPose (human-models) converted from TF.js",
                   metadata=metadata)
