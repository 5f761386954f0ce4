"""NHWC graph-model converter (movenet-multipose ops) against numpy references in ORT,
and the converted movenet-multipose on opencv's vtest.avi pedestrians."""

import pathlib
import tarfile

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from emo_perception.models import npm_models as nm
from emo_perception.models.tfjs_convert import OnnxGraph
from emo_perception.models.tfjs_graph import NHWC_HANDLERS, _NhwcState, strided_slice_plan

HUMAN_TARBALL = nm.DEFAULT_CACHE / nm.HUMAN_MODELS.tarball
VTEST = pathlib.Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


def _run_op(op: str, x: np.ndarray, consts: dict, attr: dict | None = None, out_type=1,
            output: int = 0):
    g = OnnxGraph("t")
    st = _NhwcState(g, {k: np.asarray(v) for k, v in consts.items()})
    st.names["x"] = "x"
    node = {"name": "n", "op": op, "input": ["x"] + list(consts), "attr": attr or {}}
    y = NHWC_HANDLERS[op](st, node)
    y = y[output] if isinstance(y, list) else y
    g.nodes.append(helper.make_node("Identity", [y], ["y"]))
    dt = TensorProto.FLOAT if x.dtype == np.float32 else TensorProto.INT32
    graph = helper.make_graph(g.nodes, "t", [helper.make_tensor_value_info("x", dt, x.shape)],
                              [helper.make_tensor_value_info("y", out_type, None)], g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return ort.InferenceSession(m.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]


@pytest.mark.parametrize("spec,ref", [
    # (begin, end, strides, begin_mask, end_mask, shrink, new_axis), numpy slice
    (([0, 0, 0], [0, 0, 0], [1, 1, 1], 0b011, 0b011, 0, 0b100), np.s_[:, :, None]),
    (([1], [3], [1], 0, 0, 0, 0), np.s_[1:3]),
    (([2], [3], [1], 0, 0, 1, 0), np.s_[2]),
    (([0, 0], [0, 0], [1, -1], 0b11, 0b11, 0, 0), np.s_[:, ::-1]),
    # begin -1 with the shrink mask: the last row / column (end -1 + 1 = 0 would be empty)
    (([-1], [0], [1], 0, 0, 1, 0), np.s_[-1]),
    (([0, -1], [0, 0], [1, 1], 0b01, 0b01, 0b10, 0), np.s_[:, -1]),
    (([-2, 0], [0, 0], [1, 1], 0, 0b10, 0b01, 0), np.s_[-2, :]),
])
def test_strided_slice_masks_match_numpy(spec, ref):
    x = np.arange(4 * 5, dtype=np.float32).reshape(4, 5)
    b, e, s, bm, em, sm, nm_ = spec
    attr = {"begin_mask": {"i": str(bm)}, "end_mask": {"i": str(em)},
            "shrink_axis_mask": {"i": str(sm)}, "new_axis_mask": {"i": str(nm_)}}
    got = _run_op("StridedSlice", x, {"b": np.int32(b), "e": np.int32(e), "s": np.int32(s)},
                  attr)
    np.testing.assert_array_equal(got, x[ref])


def test_strided_slice_plan_refuses_ellipsis():
    with pytest.raises(ValueError, match="ellipsis"):
        strided_slice_plan([0], [1], [1], 0, 0, 0, 0, ellipsis_mask=1)


def test_floordiv_floors_negative_ints_like_tf():
    x = np.array([-7, -1, 0, 7], np.int32)
    got = _run_op("FloorDiv", x, {"d": np.int32(2)}, {"T": {"type": "DT_INT32"}},
                  TensorProto.INT32)
    np.testing.assert_array_equal(got, np.floor_divide(x, 2))


def test_topk_values_and_int32_indices_match_numpy():
    x = np.array([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]], np.float32)
    values = _run_op("TopKV2", x, {"k": np.int32(2)})
    idx = _run_op("TopKV2", x, {"k": np.int32(2)}, out_type=TensorProto.INT32, output=1)
    order = np.argsort(-x, axis=-1, kind="stable")[:, :2]
    np.testing.assert_array_equal(values, np.take_along_axis(x, order, -1))
    assert idx.dtype == np.int32
    np.testing.assert_array_equal(idx, order)


def test_gather_nd_with_int32_indices_matches_numpy():
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    idx = np.array([[0, 2], [1, 0], [1, 2]], np.int32)  # TF.js feeds int32 indices
    got = _run_op("GatherNd", x, {"i": idx})
    np.testing.assert_array_equal(got, x[idx[:, 0], idx[:, 1]])


def test_resize_bilinear_half_pixel_matches_numpy():
    x = np.arange(2 * 2, dtype=np.float32).reshape(1, 2, 2, 1)
    got = _run_op("ResizeBilinear", x, {"size": np.int32([4, 4])},
                  {"half_pixel_centers": {"b": True}})
    # TF half-pixel sampling: src = (dst + 0.5) / 2 - 0.5, clamped to the edge.
    src = np.clip((np.arange(4) + 0.5) / 2 - 0.5, 0, 1)
    row = np.interp(src, [0, 1], [0, 1])
    ref = row[:, None] * 2 + row[None, :]
    np.testing.assert_allclose(got[0, :, :, 0], ref, atol=1e-6)


@pytest.mark.skipif(not HUMAN_TARBALL.is_file() or not VTEST.is_file(),
                    reason="human-models tarball or opencv's vtest.avi missing")
def test_movenet_multipose_counts_vtest_pedestrians(tmp_path):
    import cv2

    from emo_perception.models.tfjs_graph import movenet_multipose_graph

    with tarfile.open(HUMAN_TARBALL) as tar:
        for name in ("movenet-multipose.json", "movenet-multipose.bin"):
            member = tar.getmember(f"package/models/{name}")
            (tmp_path / name).write_bytes(tar.extractfile(member).read())
    model = movenet_multipose_graph(tmp_path / "movenet-multipose.json")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    cap = cv2.VideoCapture(str(VTEST))
    for _ in range(60):
        ok, frame = cap.read()
    assert ok
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB).astype(np.float32)[None]  # 576x768
    people = sess.run(None, {"image": rgb})[0][0]
    assert people.shape == (6, 56)
    assert int((people[:, 55] > 0.2).sum()) >= 3
    assert np.all((people[:, :51].reshape(6, 17, 3)[..., :2] >= 0)
                  & (people[:, :51].reshape(6, 17, 3)[..., :2] <= 1))
