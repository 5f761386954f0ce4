"""Landmarks and tracking with real mediapipe on real photos and video."""

from __future__ import annotations

import math
import time

import cv2
import numpy as np
import pytest
import skimage.data
from face_check import VIDEO_DIR, negatives, real_photos

from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
from emo_perception.perception.sources import SourceConfig, open_source
from emo_perception.perception.tracking import PersonTracker, TrackerConfig
from emo_perception.perception.types import Frame, Landmarks


@pytest.fixture(scope="module")
def still_detector():
    det = LandmarkDetector(LandmarkConfig(static_image_mode=True, hands=True))
    yield det
    det.close()


def _frame(image: np.ndarray, index: int = 0) -> Frame:
    return Frame(np.ascontiguousarray(image), index / 10.0, index)


def test_faces_on_real_photos_with_mesh_and_frontal_head_pose(still_detector) -> None:
    photos = real_photos()
    photos["camera"] = cv2.cvtColor(skimage.data.camera(), cv2.COLOR_GRAY2BGR)
    for name, image in photos.items():
        lm = still_detector.process(_frame(image))
        assert lm.ok, lm.error
        assert len(lm.faces) == 1, name
        face = lm.faces[0]
        assert face.score > 0.5
        if name != "camera":  # the cameraman's face is small and shaded: box only
            assert face.mesh is not None and face.mesh.shape == (478, 3)
            roll, pitch, yaw = face.head_pose
            assert max(abs(roll), abs(yaw)) < math.radians(20), (name, face.head_pose)
            # mesh points lie on the detected face
            cx, cy = face.box.center
            assert abs(float(face.mesh[1, 0]) - cx) < face.box.w / 2
        assert len(lm.bodies) == 1 and lm.bodies[0].keypoints.shape == (33, 4)


def test_no_faces_on_negatives(still_detector) -> None:
    for name, image in negatives().items():
        lm = still_detector.process(_frame(image))
        assert lm.ok and lm.faces == [], name


def test_head_pose_turns_with_the_face(still_detector) -> None:
    astro = real_photos()["astronaut"]
    base = still_detector.process(_frame(astro)).faces[0]
    # Rotating the image by +15 degrees (counter-clockwise) must show up as roll.
    h, w = astro.shape[:2]
    rot = cv2.warpAffine(astro, cv2.getRotationMatrix2D(base.box.center, 15, 1.0), (w, h))
    turned = still_detector.process(_frame(rot)).faces[0]
    delta = math.degrees(turned.head_pose[0] - base.head_pose[0])
    assert abs(abs(delta) - 15) < 5, delta


class RaisingDetector(LandmarkDetector):
    """Fault injection: the face detector model throws."""

    def _run_face_finder(self, rgb):
        raise RuntimeError("injected detector failure")


class SlowPoseDetector(LandmarkDetector):
    """Fault injection: the pose model takes longer than the per-frame budget."""

    def _run_pose(self, rgb):
        time.sleep(0.3)
        return super()._run_pose(rgb)


@pytest.mark.parametrize("parallel", [True, False])
def test_failures_and_timeouts_give_ok_false_never_raise(parallel: bool) -> None:
    astro = real_photos()["astronaut"]
    det = RaisingDetector(LandmarkConfig(parallel=parallel))
    lm = det.process(_frame(astro))
    det.close()
    assert not lm.ok and "injected detector failure" in lm.error
    assert lm.faces == [] and lm.bodies == []
    stats = det.stage_stats()  # counted in the stage protocol, with the reason
    assert (stats.processed, stats.errors) == (1, 1) and stats.last_error == lm.error
    det = SlowPoseDetector(LandmarkConfig(parallel=parallel, timeout_ms=100))
    lm = det.process(_frame(astro))
    det.close()
    assert not lm.ok and lm.error.startswith("timeout"), lm.error
    assert lm.faces == [] and lm.bodies == []
    assert det.stage_stats().errors == 1 and det.stage_stats().last_error.startswith("timeout")


def _side_by_side() -> np.ndarray:
    photos = real_photos()
    a = cv2.resize(photos["astronaut"], (300, 300))
    b = cv2.resize(photos["grace_hopper"], (300, 350))[:300]
    return np.hstack([a, b])


def test_two_people_get_two_tracks(still_detector) -> None:
    tracker = PersonTracker(TrackerConfig(deterministic_ids=True))
    image = _side_by_side()
    for i in range(3):
        lm = still_detector.process(_frame(image, i))
        tracks = tracker.update(lm)
    assert len(lm.faces) == 2
    assert sorted(t.track_id for t in tracks) == ["p1", "p2"]
    # reading order: the left face (astronaut) is p1, on every frame
    left = min(lm.faces, key=lambda f: f.box.x)
    assert left.track_id == "p1"
    # mediapipe pose is single-person: at most one body, linked to one of the faces
    assert len(lm.bodies) <= 1
    if lm.bodies:
        assert lm.bodies[0].track_id in ("p1", "p2")


def _track_ids(n: int) -> list[list[str]]:
    det = LandmarkDetector(LandmarkConfig())
    tracker = PersonTracker(TrackerConfig(deterministic_ids=True))
    out = []
    for frame in open_source(str(VIDEO_DIR / "Megamind.avi"), SourceConfig(max_frames=n)):
        lm = det.process(frame)
        tracker.update(lm)
        out.append([f.track_id for f in lm.faces] + [b.track_id for b in lm.bodies])
    det.close()
    return out


def test_deterministic_ids_reproduce_across_runs() -> None:
    first, second = _track_ids(25), _track_ids(25)
    assert first == second
    ids = {i for frame in first for i in frame}
    assert "p1" in ids and all(i.startswith("p") and i[1:].isdigit() for i in ids)


def test_tracks_expire_and_random_ids_differ_between_runs() -> None:
    cfg = TrackerConfig(max_missed=2)
    astro = real_photos()["astronaut"]
    det = LandmarkDetector(LandmarkConfig(static_image_mode=True, pose=False))
    lm = det.process(_frame(astro))
    det.close()
    a, b = PersonTracker(cfg), PersonTracker(cfg)
    id_a = a.update(lm)[0].track_id
    assert id_a != b.update(lm)[0].track_id  # random run token
    empty = Landmarks(1.0, 1, lm.width, lm.height)
    for _ in range(3):
        a.update(empty)
    assert a.tracks == []
    assert a.update(lm)[0].track_id != id_a  # a new person, not a reused id
    failed = Landmarks(2.0, 2, lm.width, lm.height, ok=False, error="timeout")
    assert a.update(failed) == [] and len(a.tracks) == 1  # a failed frame changes nothing
    stats = a.stage_stats()
    assert (stats.processed, stats.skipped) == (5, 1)


def test_forgetting_a_track_ends_it_for_every_stage_after_the_tracker() -> None:
    from emo_perception.perception.tracking import TrackEnds

    astro = real_photos()["astronaut"]
    det = LandmarkDetector(LandmarkConfig(static_image_mode=True, pose=False))
    lm = det.process(_frame(astro))
    det.close()
    tracker, ends = PersonTracker(TrackerConfig(deterministic_ids=True)), TrackEnds()
    assert [t.track_id for t in tracker.update(lm)] == ["p1"]
    ends.update(t.track_id for t in tracker.tracks)
    tracker.forget("p404")  # unknown ids are fine
    tracker.forget("p1")
    assert tracker.tracks == [] and ends.update(t.track_id for t in tracker.tracks) == ["p1"]
    assert [t.track_id for t in tracker.update(lm)] == ["p2"]  # same face, a new id


def test_body_every_runs_pose_on_every_nth_frame_only() -> None:
    astro = real_photos()["astronaut"]
    det = LandmarkDetector(LandmarkConfig(body_every=2, static_image_mode=True))
    results = [det.process(_frame(astro, i)) for i in range(4)]
    det.close()
    assert [len(r.bodies) for r in results] == [1, 0, 1, 0]
    assert all(len(r.faces) == 1 for r in results)  # faces (de-id) run on every frame
    with pytest.raises(ValueError, match="body_every"):
        LandmarkConfig(body_every=0)
