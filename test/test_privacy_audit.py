"""Privacy audit (issue #11): independent detectors + dlib re-identification on real photos.

Real dlib / OpenCV models on real photos, no mocks. The CNN is slow on CPU (seconds per
frame on this machine), so most tests select HOG + Haar at 1x; one test runs every
detector at 1x and 2x on a small photo.
"""

from __future__ import annotations

import json
import pathlib

import cv2
import matplotlib
import numpy as np
import pytest
import skimage.data

pytest.importorskip("dlib")

from emo_perception.audit.faces import (AuditConfig, AuditError, FaceAuditor,  # noqa: E402
                                        expand, write_contact_sheet)

REPO = pathlib.Path(__file__).resolve().parents[1]
OPENCV_DATA = pathlib.Path("/usr/share/doc/opencv-doc/examples/data")
GROUP = REPO / ".cache" / "media" / "face-api-demo"
FAST = AuditConfig(detectors=("hog", "haar"), upsample=(1,))


def astronaut() -> np.ndarray:
    return np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1])


def grace_hopper() -> np.ndarray:
    return cv2.imread(str(pathlib.Path(matplotlib.get_data_path()) / "sample_data"
                          / "grace_hopper.jpg"))


def group_photo(n: int = 1, width: int = 960) -> np.ndarray:
    path = GROUP / f"sample{n}.jpg"
    if not path.exists():
        pytest.skip(f"{path} missing (make setup fetches the face-api demo photos)")
    img = cv2.imread(str(path))
    return cv2.resize(img, (width, round(img.shape[0] * width / img.shape[1])),
                      interpolation=cv2.INTER_AREA)


def megamind_frames(indices: tuple[int, ...] = (20, 40)) -> list[np.ndarray]:
    path = OPENCV_DATA / "Megamind.avi"
    if not path.exists():
        pytest.skip(f"{path} missing")
    cap, frames, i = cv2.VideoCapture(str(path)), [], 0
    while len(frames) < len(indices):
        ok, frame = cap.read()
        assert ok, "Megamind.avi ended early"
        if i in indices:
            frames.append(frame)
        i += 1
    cap.release()
    return frames


def filled(img: np.ndarray, boxes: list, frac: float = 0.5) -> np.ndarray:
    out = img.copy()
    h, w = img.shape[:2]
    for box in boxes:
        x0, y0, x1, y1 = expand(tuple(box), frac, w, h)
        out[y0:y1, x0:x1] = (128, 128, 128)
    return out


def blurred(img: np.ndarray, boxes: list, kernel: int = 5) -> np.ndarray:
    out = img.copy()
    h, w = img.shape[:2]
    for box in boxes:
        x0, y0, x1, y1 = expand(tuple(box), 0.3, w, h)
        out[y0:y1, x0:x1] = cv2.GaussianBlur(out[y0:y1, x0:x1], (kernel, kernel), 0)
    return out


@pytest.fixture(scope="module")
def auditor() -> FaceAuditor:
    return FaceAuditor(FAST)


@pytest.fixture(scope="module")
def photos() -> list[np.ndarray]:
    return [astronaut(), grace_hopper(), group_photo(1)]


@pytest.fixture(scope="module")
def untouched(auditor: FaceAuditor, photos: list[np.ndarray]):
    return auditor.audit_pairs(photos, [p.copy() for p in photos],
                               names=["astronaut", "grace_hopper", "sample1"])


def boxes_of(report, frame: int) -> list:
    return [f.box for f in report.faces if f.frame == frame]


def test_untouched_copy_leaks_every_face_and_controls_pass(untouched) -> None:
    r = untouched
    per_frame = [len(boxes_of(r, i)) for i in range(3)]
    assert per_frame[0] >= 1 and per_frame[1] >= 1 and per_frame[2] >= 3, per_frame
    assert len(r.leaks) == len(r.faces)
    assert all(f.found_after and f.reidentified and f.distance < 1e-6 for f in r.faces)
    assert r.rank1_rate == 1.0 and r.match_rate == 1.0
    assert r.chance == pytest.approx(1 / len(r.faces))  # all different people
    assert r.rank1_above_chance
    # positive controls on real faces: each still matches its own original, rank-1
    assert not r.void_faces, [(f.name, f.controls) for f in r.void_faces]
    for f in r.faces:
        assert set(f.controls) == {"jpeg30", "flip", "bright"}
        assert max(f.controls.values()) < 0.6 and all(f.controls_rank1.values())
    assert r.exit_code == 1 and r.verdict == "LEAK"
    js = json.loads(json.dumps(r.to_json()))  # serialisable, no descriptors inside
    assert js["totals"]["faces"] == len(r.faces) and "descriptor" not in json.dumps(js)
    assert js["per_detector"]["hog@1x"]["before"] >= 4
    assert "LEAK" in r.summary()


def test_solid_fill_leaks_nothing(auditor, photos, untouched) -> None:
    deid = [filled(p, boxes_of(untouched, i)) for i, p in enumerate(photos)]
    r = auditor.audit_pairs(photos, deid)
    assert len(r.faces) == len(untouched.faces)
    assert not r.leaks, [(f.name, f.distance, f.detectors_after) for f in r.leaks]
    assert all(f.distance >= 0.6 for f in r.faces)
    assert not r.rank1_above_chance and not r.void
    assert r.exit_code == 0 and r.verdict == "CLEAN"


def test_light_blur_is_caught(auditor, photos, untouched) -> None:
    deid = [blurred(p, boxes_of(untouched, i)) for i, p in enumerate(photos)]
    r = auditor.audit_pairs(photos, deid)
    assert all(f.reidentified for f in r.faces), [(f.name, f.distance) for f in r.faces]
    assert r.exit_code == 1


def test_blocked_frames_and_frames_without_faces(auditor) -> None:
    coffee = np.ascontiguousarray(skimage.data.coffee()[:, :, ::-1])
    img = astronaut()
    r = auditor.audit_pairs([img, coffee], [None, coffee.copy()])
    assert r.frames[0].blocked and r.frames[1].faces == 0
    assert len(r.faces) >= 1 and all(f.blocked and not f.leaked for f in r.faces)
    assert r.exit_code == 0
    # no face anywhere: the audit proves nothing -> void
    nothing = auditor.audit_pairs([coffee], [coffee.copy()])
    assert nothing.void and nothing.exit_code == 3 and "no face" in nothing.void_reason


def test_void_when_controls_cannot_pass() -> None:
    # A threshold no control can meet: every face void, the audit void (exit 3) even
    # though the untouched copy would be a leak: a void audit proves nothing either way.
    strict = FaceAuditor(AuditConfig(detectors=("hog",), upsample=(1,), match_threshold=0.02))
    r = strict.audit_pairs([grace_hopper()], [grace_hopper()])
    assert r.faces and all(f.void for f in r.faces)
    assert r.void and r.exit_code == 3 and "controls" in r.void_reason


def test_every_detector_merges_into_one_face() -> None:
    messi = cv2.imread(str(OPENCV_DATA / "messi5.jpg"))
    if messi is None:
        pytest.skip("messi5.jpg missing")
    full = FaceAuditor(AuditConfig())  # defaults: all four detectors, 1x and 2x
    faces = full.find_faces(messi)
    assert len(faces) == 1, [(f.box, f.detectors) for f in faces]
    labels = faces[0].detectors
    assert {"hog@2x", "haar@1x", "profile@1x"} <= set(labels), labels
    assert "hog@1x" not in labels  # a ~40 px face: too small for HOG without upsampling
    x0, y0, x1, y1 = faces[0].box
    assert 200 < (x0 + x1) / 2 < 290 and 80 < (y0 + y1) / 2 < 150
    assert set(full.calls) >= {"cnn@1x", "hog@1x", "hog@2x", "haar@2x", "profile@2x"}


def test_config_errors() -> None:
    with pytest.raises(AuditError):
        AuditConfig(detectors=("hog", "sift"))
    with pytest.raises(AuditError):
        AuditConfig(upsample=(0,))


def test_contact_sheet(untouched, photos, tmp_path) -> None:
    path = write_contact_sheet(untouched, photos, [None, photos[1], photos[2]],
                               tmp_path / "sheet.png")
    sheet = cv2.imread(str(path))
    assert sheet is not None and sheet.shape[0] >= 128 and sheet.shape[1] >= 256
