"""The de-identification face finder (several detectors, union) and the pairing check.

References are OpenCV Haar cascades (test/face_check.py), which the finder does not use.
"""

from __future__ import annotations

import pathlib

import cv2
import numpy as np
import pytest
from face_check import IndependentDetector, negatives, real_photos

from emo_perception.perception.centerface import CenterFace, nms
from emo_perception.perception.deid import DeidConfig, Deidentifier
from emo_perception.perception.face_finder import FaceFinder, FaceFinderConfig
from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
from emo_perception.perception.pipeline import PerceptionPipeline, PipelineConfig
from emo_perception.perception.types import Box, Frame, frame_digest


@pytest.fixture(scope="module")
def checker() -> IndependentDetector:
    return IndependentDetector()


@pytest.fixture(scope="module")
def centerface() -> CenterFace:
    return CenterFace()


def _haar(checker: IndependentDetector, image: np.ndarray) -> list[Box]:
    return checker.haar(image)


def _hits(box: Box, boxes: list[Box]) -> bool:
    return any(box.iou(b) > 0.2 or (b.x <= box.center[0] <= b.x + b.w
                                     and b.y <= box.center[1] <= b.y + b.h) for b in boxes)


def test_centerface_finds_real_faces_where_haar_does(centerface, checker) -> None:
    for name, image in real_photos().items():
        reference = _haar(checker, image)
        assert reference, f"Haar finds no face in {name}: the test could not fail"
        dets = centerface.detect(image, 480, 0.3)
        assert dets, f"CenterFace misses the face in {name}"
        assert all(_hits(r, [d.box for d in dets]) for r in reference), name


def test_centerface_finds_no_face_in_photos_without_people(centerface) -> None:
    for name, image in negatives().items():
        if name == "chelsea":  # a cat's face is a fair thing to mask
            continue
        assert centerface.detect(image, 480, 0.3) == [], name


def test_prepared_graph_computes_what_the_shipped_graph_computes() -> None:
    """prepare_graph (weights no longer graph inputs, landmark head dropped) changes the
    speed, not the outputs: same heatmap, sizes and offsets as the shipped graph run with
    only its input size freed."""
    import onnx
    import onnxruntime as ort

    from emo_perception.perception.centerface import default_model_path, prepare_graph

    shipped = onnx.load(str(default_model_path()))
    for value in list(shipped.graph.input) + list(shipped.graph.output):
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4:
            for i in (0, 2, 3):
                dims[i].ClearField("dim_value")
                dims[i].dim_param = f"{value.name}_{i}"
    prepared = prepare_graph(onnx.load(str(default_model_path())))
    assert len(prepared.graph.input) == 1 and len(prepared.graph.output) == 3
    image = cv2.resize(real_photos()["astronaut"], (480, 384))
    blob = image[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32)
    outs = []
    for model in (shipped, prepared):
        session = ort.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()][:3]
        outs.append(session.run(names, {session.get_inputs()[0].name: blob}))
    for a, b in zip(*outs):
        assert a.shape == b.shape and float(np.abs(a - b).max()) < 1e-4


@pytest.fixture(scope="module")
def centerface_int8() -> CenterFace:
    # Made once per machine into the model cache (as the finder does), reused after.
    return CenterFace(precision="int8")


def test_int8_model_is_made_once_and_reused(centerface_int8) -> None:
    from emo_perception.perception.centerface import INT8_RECIPE, int8_model_path

    path = int8_model_path()
    stamp = path.stat().st_mtime_ns
    assert int8_model_path() == path and path.stat().st_mtime_ns == stamp
    assert INT8_RECIPE and centerface_int8.precision == "int8"
    with pytest.raises(ValueError):
        CenterFace(precision="fp16")


def test_int8_model_finds_what_the_float_model_finds(centerface, centerface_int8,
                                                      checker) -> None:
    """The quantised model against the float one (and Haar) on real photos at both
    widths the finder uses, and no face where there is none."""
    for name, image in real_photos().items():
        for width in (480, 640):
            ref = [d.box for d in centerface.detect(image, width, 0.3)]
            got = centerface_int8.detect(image, width, 0.3)
            assert got, f"int8 CenterFace misses the face in {name} at {width}"
            assert all(_hits(r, [d.box for d in got]) for r in ref), (name, width)
            assert all(_hits(r, [d.box for d in got]) for r in _haar(checker, image)), name
    for name, image in negatives().items():
        if name != "chelsea":
            assert centerface_int8.detect(image, 640, 0.3) == [], name


def test_second_centerface_pass_only_adds() -> None:
    """A second pass at another width adds boxes; the first pass's are all still there
    (union, never a vote), serial and parallel alike."""
    image = np.ascontiguousarray(real_photos()["astronaut"][:, :, ::-1])
    one = FaceFinder(FaceFinderConfig(tiles=0, mediapipe_short=False, mediapipe_full=False,
                                      centerface_width=480, centerface_second_width=0))
    first = [f.box for f in one.find(image)]
    one.close()
    assert first
    for parallel in (True, False):
        two = FaceFinder(FaceFinderConfig(tiles=0, mediapipe_short=False, mediapipe_full=False,
                                          centerface_width=480, centerface_second_width=640,
                                          parallel=parallel))
        both = two.find(image)
        two.close()
        assert len(both) > len(first)
        assert all(any(b.box == f for b in both) for f in first)
        assert {f.source for f in both} == {"centerface"}


def test_nms_keeps_the_best_of_overlapping_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [50, 50, 10, 10]], np.float32)
    assert nms(boxes, np.array([0.5, 0.9, 0.7]), 0.3) == [1, 2]


def test_finder_reports_every_detector_on_the_same_frame() -> None:
    finder = FaceFinder(FaceFinderConfig(tiles=2))
    image = real_photos()["astronaut"]
    found = finder.find(np.ascontiguousarray(image[:, :, ::-1]))
    finder.close()
    sources = {f.source for f in found}
    assert sources == {"mediapipe_short", "mediapipe_full", "centerface", "tiles"}, sources
    cx = [f.box.center[0] for f in found]
    assert max(cx) - min(cx) < 60  # all of them on the one face


def test_tiles_find_a_far_face() -> None:
    """A 40 px face in a 640x480 frame: the full-range detector on the whole frame misses
    it (it needs about 64 px here); on 2x2 tiles it sees the face at about 1.75x."""
    face = real_photos()["grace_hopper"][40:330, 60:300]
    small = cv2.resize(face, (40, 48), interpolation=cv2.INTER_AREA)
    frame = np.full((480, 640, 3), 90, np.uint8)
    frame[300:348, 500:540] = small
    finder = FaceFinder(FaceFinderConfig(mediapipe_short=False, centerface=False, tiles=2))
    found = finder.find(np.ascontiguousarray(frame[:, :, ::-1]))
    finder.close()
    assert not [f for f in found if f.source == "mediapipe_full"]
    tiles = [f for f in found if f.source == "tiles"]
    assert tiles and _hits(Box(500, 300, 40, 48), [f.box for f in tiles]), found


@pytest.mark.parametrize("kwargs", [
    {"mediapipe_short": False, "mediapipe_full": False, "centerface": False},
    {"min_score": 0.0}, {"centerface_width": 64}, {"tiles": 9}, {"centerface_threads": 0},
    {"centerface_second_width": 50}, {"centerface_precision": "fp16"},
    {"centerface_second_precision": "int4"}])
def test_finder_config_rejects_bad_values(kwargs) -> None:
    with pytest.raises(ValueError):
        FaceFinderConfig(**kwargs)


def test_deid_masks_a_face_only_one_detector_finds(checker) -> None:
    """Union, not vote: a face found by CenterFace alone is masked."""
    image = real_photos()["astronaut"]
    det = LandmarkDetector(LandmarkConfig(static_image_mode=True, pose=False,
                                          face_mesh=False),
                           FaceFinderConfig(mediapipe_short=False, mediapipe_full=False,
                                            tiles=0))
    lm = det.process(Frame(image, 0.0, 0))
    det.close()
    assert {f.source for f in lm.found} == {"centerface"}
    lm.faces = []  # as if the analysis detector had missed it too
    result = Deidentifier(DeidConfig(mode="solid"), require_pairing=True).apply(image, lm)
    assert not result.fail_closed and result.regions
    reference = checker.faces(image)
    assert reference and checker.found_in(result.image, reference) == []


def test_landmarks_of_another_frame_fail_closed(checker) -> None:
    photos = real_photos()
    astronaut = photos["astronaut"]
    other = cv2.resize(photos["grace_hopper"], astronaut.shape[1::-1])
    det = LandmarkDetector(LandmarkConfig(static_image_mode=True, pose=False))
    lm = det.process(Frame(astronaut, 0.0, 0))
    det.close()
    assert lm.image_digest == frame_digest(astronaut)
    deid = Deidentifier(require_pairing=True)
    result = deid.apply(other, lm)  # masks where the astronaut's face was: must not pass
    assert result.fail_closed and "pairing" in result.reason
    assert deid.stats.unpaired == 1 and checker.found_in(result.image, checker.faces(other)) == []
    lm.image_digest = None  # landmarks without a digest are refused where pairing is required
    assert deid.apply(astronaut, lm).fail_closed
    assert not Deidentifier().apply(astronaut, lm).fail_closed  # stand-alone use still works


def test_scene_cut_masks_the_new_faces_on_the_first_frame(checker) -> None:
    """Video mode (tracking state kept): at a cut, each frame is masked with its own
    detections, not with masks held from the faces of the previous scene."""
    photos = real_photos()
    h, w = 480, 640
    scene_a = np.full((h, w, 3), 60, np.uint8)
    scene_a[20:432, 20:432] = cv2.resize(photos["astronaut"], (412, 412))
    scene_b = np.full((h, w, 3), 200, np.uint8)
    gh = cv2.resize(photos["grace_hopper"], (256, 300))
    scene_b[150:450, 360:616] = gh
    frames = [Frame(scene_a, i / 30, i) for i in range(4)]
    frames += [Frame(scene_b, (4 + i) / 30, 4 + i) for i in range(4)]
    pipe = PerceptionPipeline(PipelineConfig(analysis=False, deid=DeidConfig(mode="solid")))
    results = list(pipe.run(frames))
    pipe.close()
    for frame, result in zip(frames, results):
        assert not result.deid.fail_closed
        reference = checker.faces(frame.image)
        assert reference, f"frame {frame.index}: nothing to check"
        assert checker.found_in(result.deid.image, reference) == [], f"frame {frame.index}"


def test_cuda_backend_is_refused_without_cuda_not_faked() -> None:
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers() and \
            (pathlib.Path("/dev/nvidia0").exists()):
        pytest.skip("a GPU is present: the refusal path cannot be seen here")
    with pytest.raises(RuntimeError, match="CUDAExecutionProvider requested"):
        FaceFinder(FaceFinderConfig(centerface_backend="cuda"))
    finder = FaceFinder(FaceFinderConfig(centerface_backend="auto"))  # falls back, says so
    assert finder.provider == "CPUExecutionProvider"
    finder.close()
