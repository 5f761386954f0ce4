"""Learned and ensemble expression backends on real photos: face-api's FaceExpressionNet
(converted by us, models_onnx/face_expression_faceapi.onnx) run by onnxruntime on crops
around real mediapipe meshes, alone and combined with the EMFACS estimate."""

from __future__ import annotations

import pathlib
import shutil

import cv2
import numpy as np
import pytest
import yaml

from emo_perception.inference.manifest import ModelFileError
from emo_perception.perception.action_units import ActionUnitEstimator
from emo_perception.perception.expression import ExpressionConfig, ExpressionEstimator
from emo_perception.perception.face_analysis import FaceAnalysis
from emo_perception.perception.types import ActionUnitEstimate
from emo_perception.stages import build_face_analysis, stage_configs
from test_action_units import face_of, grace_rgb, mesh_of

skdata = pytest.importorskip("skimage.data")
REPO = pathlib.Path(__file__).resolve().parents[2]
DEMO = REPO / ".cache" / "media" / "face-api-demo"


def _bgr(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rgb[:, :, ::-1])


@pytest.fixture(scope="module")
def photos():
    out = {}
    for name, rgb in (("astronaut", skdata.astronaut()), ("grace", grace_rgb())):
        out[name] = (_bgr(rgb), face_of(mesh_of(rgb), name))
    return out


@pytest.fixture(scope="module")
def learned():
    return ExpressionEstimator(ExpressionConfig(backend="learned", backends=["cpu"]))


def test_learned_backend_astronaut_happy_grace_not(photos, learned):
    assert learned.name == "learned:face_expression_faceapi:cpu"  # provider reported
    for name, (image, face) in photos.items():
        row = learned.learned_batch(image, [face])[0]
        fa = learned.estimate(face.track_id, 0.0, [], row)
        assert fa.source == "learned"
        assert abs(float(fa.probabilities.sum()) - 1.0) < 1e-6
        if name == "astronaut":
            assert fa.label == "happiness" and fa.confidence > 0.9 and fa.valence > 0.5
        else:
            assert fa.label != "happiness" and fa.label == "neutral"


def test_label_sets_map_and_contempt_stays_zero(photos):
    ex = ExpressionEstimator(ExpressionConfig(backend="learned", label_set="basic8",
                                              backends=["cpu"]))
    image, face = photos["astronaut"]
    row = ex.learned_batch(image, [face])[0]
    assert len(row) == 8 and row[ex.labels.index("contempt")] == 0.0
    assert ex.labels[int(np.argmax(row))] == "happiness"


@pytest.mark.skipif(not (DEMO / "sample6.jpg").is_file(), reason="face-api demo photos missing")
def test_face_api_demo_faces_get_valid_distributions(learned):
    import mediapipe as mp

    rgb = cv2.cvtColor(cv2.imread(str(DEMO / "sample6.jpg")), cv2.COLOR_BGR2RGB)
    h, w = rgb.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True,
                                         max_num_faces=10) as fm:
        res = fm.process(rgb)
    faces = [face_of(np.array([[p.x * w, p.y * h, p.z * w] for p in f.landmark]), f"p{i}")
             for i, f in enumerate(res.multi_face_landmarks or [])]
    assert len(faces) >= 3
    rows = learned.learned_batch(_bgr(rgb), faces)  # one batch for all faces of the frame
    assert rows.shape == (len(faces), 7) and np.all(np.isfinite(rows))
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, atol=1e-6)
    tops = [learned.labels[int(np.argmax(r))] for r in rows]
    assert tops.count("happiness") >= 2, tops  # the smiling women of this group photo


def test_ensemble_says_which_backend_agreed(photos):
    image, face = photos["astronaut"]
    aus = ActionUnitEstimator().estimate(face, 0.0)
    ex = ExpressionEstimator(ExpressionConfig(backend="ensemble", backends=["cpu"]))
    row = ex.learned_batch(image, [face])[0]
    both = ex.estimate("a", 0.0, aus, row)
    assert both.label == "happiness" and both.source == "ensemble:both"
    geo, _ = ex.geometric(aus)
    np.testing.assert_allclose(both.probabilities, 0.5 * row + 0.5 * geo)
    # AUs of a sad face with the smiling crop: the learned model outweighs the rules at 0.9
    sad = [ActionUnitEstimate(c, 0.95 if c in (1, 4, 15) else 0.02, 0.0)
           for c in (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26)]
    heavy = ExpressionEstimator(ExpressionConfig(backend="ensemble", ensemble_weight=0.9,
                                                 backends=["cpu"]))
    mixed = heavy.estimate("a", 0.0, sad, row)
    assert mixed.label == "happiness" and mixed.source == "ensemble:learned"
    light = ExpressionEstimator(ExpressionConfig(backend="ensemble", ensemble_weight=0.1,
                                                 backends=["cpu"]))
    assert light.estimate("a", 0.0, sad, row).source == "ensemble:geometric"
    with pytest.raises(ValueError, match="learned distribution"):
        heavy.estimate("a", 0.0, sad, None)


def test_face_analysis_from_the_stage_table_runs_the_configured_backend(photos):
    configs = stage_configs({"au_node": {"ros__parameters": {
        "expression": {"backend": "ensemble", "backends": ["cpu"]}}}})
    analysis = build_face_analysis(configs)
    assert analysis.needs_image and analysis.name == "geometric"
    assert analysis.expression_name == "ensemble:face_expression_faceapi:cpu"
    image, face = photos["astronaut"]
    face.track_id = "p1"
    out = analysis.process([face], 0.0, image)
    assert len(out) == 1 and out[0].source.startswith("ensemble:")
    assert out[0].label == "happiness" and out[0].action_units
    # the frame of these faces never came: counted as an error, nothing published, no crash
    assert analysis.process([face], 0.1, None) == []
    assert "frame of these faces is missing" in analysis.stage_stats().last_error
    geo = FaceAnalysis()
    assert not geo.needs_image and geo.process([face], 0.0)[0].source == "geometric"


def test_an_unfit_or_unlisted_expression_model_is_refused(tmp_path):
    models = REPO / "models_onnx"
    shutil.copy(models / "face_expression_faceapi.onnx", tmp_path)
    manifest = yaml.safe_load((models / "manifest.yaml").read_text())
    entry = next(m for m in manifest["models"] if m["name"] == "face_expression_faceapi")
    entry["fit_for_use"] = False
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump({"models": [entry]}))
    with pytest.raises(ModelFileError, match="not fit for use"):
        ExpressionEstimator(ExpressionConfig(backend="learned",
                                             model=str(tmp_path / "face_expression_faceapi.onnx")))
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump({"models": []}))
    with pytest.raises(ModelFileError, match="not listed"):
        ExpressionEstimator(ExpressionConfig(backend="learned",
                                             model=str(tmp_path / "face_expression_faceapi.onnx")))
    with pytest.raises(ValueError):
        ExpressionConfig(backend="magic")


def test_process_names_the_expression_backend(tmp_path):
    """`process --config` with ``expression.backend: learned`` runs the learned model
    offline, and frames.jsonl / summary.json say so."""
    import json

    from emo_perception.cli import main

    folder = tmp_path / "faces"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), _bgr(skdata.astronaut()))
    cfg = tmp_path / "learned.yaml"
    cfg.write_text("emo_launch:\n  ros__parameters:\n    base: default.yaml\n"
                   "/**/au_node:\n  ros__parameters:\n    expression:\n"
                   "      backend: learned\n      backends: [cpu]\n")
    out = tmp_path / "out"
    assert main(["process", str(folder), "--out", str(out), "--config", str(cfg)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["expression_backend"] == "learned:face_expression_faceapi:cpu"
    face = json.loads((out / "frames.jsonl").read_text().splitlines()[0])["faces"][0]
    assert face["expression"]["source"] == "learned"
    assert face["expression"]["label"] == "happiness"


@pytest.mark.ros
def test_au_node_publishes_the_learned_label_and_its_source(ros_env):
    """au_node (real rclpy, node and tester on one executor) with ``expression.backend:
    ensemble`` subscribes to the raw frames and says which backend produced the label."""
    import time

    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from sensor_msgs.msg import Image
    from std_msgs.msg import Header

    from emo_perception.config import resolve_config_path
    from emo_perception.nodes.au_node import AuNode
    from emo_perception.nodes.common import RESULT_QOS, SENSOR_QOS
    from emo_perception.nodes.conversions import bgr_to_image, face_to_msg
    from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
    from emo_perception.perception.types import Frame
    from emo_perception_msgs.msg import ExpressionArray, FaceArray

    image = _bgr(skdata.astronaut())
    lm = LandmarkDetector(LandmarkConfig(static_image_mode=True, pose=False))
    faces = lm.process(Frame(image, 0.0, 0)).faces
    lm.close()
    assert faces and faces[0].mesh is not None
    faces[0].track_id = "p1"
    rclpy.init(args=["--ros-args", "--params-file", str(resolve_config_path("default.yaml")),
                     "-p", "expression.backend:=ensemble",
                     "-p", "expression.backends:=[cpu]"])
    try:
        node = AuNode()
        assert node.backend == "geometric; expression ensemble:face_expression_faceapi:cpu"
        tester = rclpy.create_node("tester")
        got: list[ExpressionArray] = []
        tester.create_subscription(ExpressionArray, "faces/expression", got.append, RESULT_QOS)
        img_pub = tester.create_publisher(Image, "private/image_raw", SENSOR_QOS)
        face_pub = tester.create_publisher(FaceArray, "private/faces", RESULT_QOS)
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        executor.add_node(tester)
        header = Header(stamp=tester.get_clock().now().to_msg(), frame_id="camera")
        deadline = time.monotonic() + 20
        while not any(m.expressions for m in got) and time.monotonic() < deadline:
            img_pub.publish(bgr_to_image(image, header))
            executor.spin_once(timeout_sec=0.1)
            face_pub.publish(FaceArray(header=header,
                                       faces=[face_to_msg(faces[0], header, True)]))
            for _ in range(5):
                executor.spin_once(timeout_sec=0.1)
        expr = next(m for m in got if m.expressions).expressions[0]
        assert expr.track_id == "p1" and expr.label == "happiness"
        assert expr.source == "ensemble:both"
        node.destroy_node()
        tester.destroy_node()
    finally:
        rclpy.try_shutdown()


def test_the_fer2013_model_runs_by_name_with_its_own_input_size(photos):
    ex = ExpressionEstimator(ExpressionConfig(backend="learned",
                                              model="emotion_human_minixception",
                                              backends=["cpu"]))
    assert ex.learned.size == 64 and ex.name == "learned:emotion_human_minixception:cpu"
    image, face = photos["astronaut"]
    row = ex.learned_batch(image, [face])[0]
    assert ex.labels[int(np.argmax(row))] == "happiness"
