"""Geometric AU estimator on real mediapipe face meshes of real photos."""

from __future__ import annotations

import math
import pathlib

import cv2
import numpy as np
import pytest

from emo_perception.perception.action_units import (
    SUPPORTED_AUS, ActionUnitConfig, ActionUnitEstimator)
from emo_perception.perception.geometry import frontalize, rotate_points_2d
from emo_perception.perception.types import Box, Face

mp = pytest.importorskip("mediapipe")
skdata = pytest.importorskip("skimage.data")



def grace_rgb() -> np.ndarray:
    import matplotlib
    path = pathlib.Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def mesh_of(rgb: np.ndarray) -> np.ndarray | None:
    """Real mediapipe face mesh (478 points, refine_landmarks) in pixels, or None."""
    h, w = rgb.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True,
                                         max_num_faces=1) as fm:
        res = fm.process(np.ascontiguousarray(rgb))
    if not res.multi_face_landmarks:
        return None
    return np.array([[p.x * w, p.y * h, p.z * w] for p in res.multi_face_landmarks[0].landmark])


def face_of(mesh: np.ndarray, track_id: str = "t1") -> Face:
    x0, y0 = mesh[:, :2].min(axis=0)
    x1, y1 = mesh[:, :2].max(axis=0)
    return Face(Box(float(x0), float(y0), float(x1 - x0), float(y1 - y0)), 1.0, track_id,
                mesh=mesh)


def rotated(rgb: np.ndarray, deg: float, center: tuple[float, float]) -> np.ndarray:
    mat = cv2.getRotationMatrix2D(center, deg, 1.0)
    return cv2.warpAffine(rgb, mat, (rgb.shape[1], rgb.shape[0]), borderMode=cv2.BORDER_REFLECT)


def probs(aus) -> dict[int, float]:
    return {a.code: a.probability for a in aus}


@pytest.fixture(scope="module")
def meshes() -> dict[str, np.ndarray]:
    out = {"astronaut": mesh_of(skdata.astronaut()), "grace": mesh_of(grace_rgb())}
    assert all(m is not None for m in out.values()), "mediapipe found no face on a test photo"
    return out


def test_astronaut_smile_has_au6_and_au12(meshes):
    p = probs(ActionUnitEstimator().estimate(face_of(meshes["astronaut"]), 0.0))
    assert p[6] > 0.5 and p[12] > 0.5, p
    assert p[25] > 0.5, "her teeth show: lips part"
    assert p[43] < 0.5 and p[15] < 0.5 and p[4] < 0.5


def test_grace_hopper_is_not_smiling(meshes):
    aus = ActionUnitEstimator().estimate(face_of(meshes["grace"]), 0.0)
    p = probs(aus)
    assert p[12] < 0.5 and p[6] < 0.5 and p[25] < 0.5, p
    assert all(a.intensity == 0.0 for a in aus if a.probability < 0.5)
    assert [a.code for a in aus] == sorted(SUPPORTED_AUS)


def test_geometric_pose_invariance_is_exact(meshes):
    """Rotating/scaling the mesh itself (in-plane and in depth) leaves AUs unchanged."""
    est = ActionUnitEstimator()
    base = probs(est.estimate(face_of(meshes["astronaut"]), 0.0))
    m = meshes["astronaut"]
    c = m.mean(axis=0)
    yaw = math.radians(20)
    rot_y = np.array([[math.cos(yaw), 0, math.sin(yaw)], [0, 1, 0],
                      [-math.sin(yaw), 0, math.cos(yaw)]])
    for variant in (rotate_points_2d(m, math.radians(30), (c[0], c[1])),
                    (m - c) @ rot_y.T * 1.7 + c + 40.0):
        p = probs(est.estimate(face_of(variant), 0.0))
        assert max(abs(p[k] - base[k]) for k in base) < 1e-6


@pytest.mark.parametrize("deg", [-15.0, 15.0])
def test_rotated_photo_gives_similar_aus(meshes, deg):
    """The real photo rotated in-plane and re-meshed by mediapipe: AUs stay close."""
    est = ActionUnitEstimator()
    for name, rgb in (("astronaut", skdata.astronaut()), ("grace", grace_rgb())):
        base = probs(est.estimate(face_of(meshes[name]), 0.0))
        c = meshes[name][:, :2].mean(axis=0)
        m = mesh_of(rotated(rgb, deg, (float(c[0]), float(c[1]))))
        assert m is not None
        p = probs(est.estimate(face_of(m), 0.0))
        diffs = {k: round(abs(p[k] - base[k]), 3) for k in base}
        assert max(diffs.values()) < 0.3, diffs
        assert (p[12] > 0.5) == (base[12] > 0.5) and (p[6] > 0.5) == (base[6] > 0.5)


def test_lfw_faces_give_finite_aus():
    faces = skdata.lfw_subset()[:100:4]
    est = ActionUnitEstimator()
    found = 0
    for img in faces:
        gray = cv2.resize((img * 255).astype(np.uint8), (200, 200),
                          interpolation=cv2.INTER_CUBIC)
        m = mesh_of(cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB))
        if m is None:
            continue
        found += 1
        aus = est.estimate(face_of(m), 0.0)
        assert len(aus) == len(SUPPORTED_AUS)
        for a in aus:
            assert 0.0 <= a.probability <= 1.0 and 0.0 <= a.intensity <= 5.0
            assert math.isfinite(a.asymmetry)
    assert found >= 20


def test_calibration_to_own_neutral_changes_reference(meshes):
    est = ActionUnitEstimator()
    smile = face_of(meshes["astronaut"], "a")
    assert est.calibrate("a", [smile]) == 1
    # Against her own smiling face as "neutral", the smile is no longer an AU12.
    assert probs(est.estimate(smile, 0.0))[12] < 0.5
    est.forget("a")
    assert est.baseline("a") is None
    assert probs(est.estimate(smile, 0.0))[12] > 0.5


def test_running_baseline_kicks_in_after_n_frames(meshes):
    est = ActionUnitEstimator(ActionUnitConfig(baseline_mode="running", baseline_frames=3))
    smile = face_of(meshes["astronaut"], "r")
    first = [probs(est.estimate(smile, t * 0.1))[12] for t in range(4)]
    assert first[0] > 0.5 and first[3] < 0.5 and est.baseline("r") is not None


def test_blink_then_eyes_closed(meshes):
    """Closing the lids (moving upper lid points onto the lower lid) gives AU43, AU45 first."""
    m = meshes["grace"].copy()
    for up, lo in ((159, 145), (158, 144), (160, 153), (386, 374), (385, 373), (387, 380)):
        m[up] = m[lo]
    est = ActionUnitEstimator()
    p0 = probs(est.estimate(face_of(m, "b"), 10.0))
    p1 = probs(est.estimate(face_of(m, "b"), 11.0))
    assert p0[43] > 0.5 and p0[45] > 0.5
    assert p1[43] > 0.5 and p1[45] < 0.5, "a one-second closure is not a blink"


def test_bad_meshes_are_counted_not_raised():
    est = ActionUnitEstimator()
    assert est.estimate(Face(Box(0, 0, 1, 1), 1.0, mesh=None), 0.0) == []
    assert est.estimate(Face(Box(0, 0, 1, 1), 1.0, mesh=np.zeros((468, 3))), 0.0) == []
    assert est.estimate(Face(Box(0, 0, 1, 1), 1.0, mesh=np.full((478, 3), np.nan)), 0.0) == []
    assert est.estimate(Face(Box(0, 0, 1, 1), 1.0, mesh=np.zeros((478, 3))), 0.0) == []
    assert est.skipped == 4 and est.last_error
    with pytest.raises(ValueError):
        frontalize(np.zeros((478, 2)))


@pytest.mark.parametrize("kwargs", [dict(z_width=0), dict(baseline_mode="x"),
                                    dict(aus=[99]), dict(z_full=1.0)])
def test_config_validation(kwargs):
    with pytest.raises(ValueError, match="ActionUnitConfig"):
        ActionUnitConfig(**kwargs)
