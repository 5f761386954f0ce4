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
