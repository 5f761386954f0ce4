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

REPO = pathlib.Path(__file__).resolve().parents[2]
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
def hog_auditor() -> FaceAuditor:
    return FaceAuditor(AuditConfig(detectors=("hog",), upsample=(1,)))


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
    assert r.calls.get("before_cached") == 3  # the originals were detected once
    assert [f.box for f in r.faces] == [f.box for f in untouched.faces]
    assert [f.controls for f in r.faces] == [f.controls for f in untouched.faces]
    assert not r.leaks, [(f.name, f.distance, f.detectors_after) for f in r.leaks]
    assert all(f.distance >= 0.6 for f in r.faces)
    assert not r.rank1_above_chance and not r.void
    assert r.exit_code == 0 and r.verdict == "CLEAN"


def test_after_scope_faces_gives_the_same_verdicts(photos, untouched) -> None:
    """Looking only around the original faces after de-identification (the benchmark's
    setting) judges each face like the whole-frame search does."""
    crops = FaceAuditor(AuditConfig(detectors=("hog", "haar", "profile"), upsample=(1,),
                                    after_scope="faces"))
    whole = FaceAuditor(AuditConfig(detectors=("hog", "haar", "profile"), upsample=(1,)))
    for deid in ([p.copy() for p in photos],
                 [filled(p, boxes_of(untouched, i)) for i, p in enumerate(photos)]):
        a, b = crops.audit_pairs(photos, deid), whole.audit_pairs(photos, deid)
        assert [f.box for f in a.faces] == [f.box for f in b.faces]
        assert [f.found_after for f in a.faces] == [f.found_after for f in b.faces]
        assert a.exit_code == b.exit_code


def test_light_blur_is_caught(hog_auditor, photos, untouched) -> None:
    deid = [blurred(p, boxes_of(untouched, i)) for i, p in enumerate(photos)]
    r = hog_auditor.audit_pairs(photos, deid)
    assert len(r.faces) == len(untouched.faces)
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


def test_lone_weak_detections_are_not_faces(hog_auditor) -> None:
    # At 384 px HOG also fires weakly (score ~0.2) on the astronaut's suit: one weak
    # hit of one detector is not a face (unmasked, it would be a false leak).
    small = cv2.resize(astronaut(), (384, 384), interpolation=cv2.INTER_AREA)
    dets = [d for d in hog_auditor.detect(small) if d.detector == "hog"]
    assert len(dets) >= 2 and min(d.score for d in dets) < 0.3
    faces = hog_auditor.find_faces(small)
    assert len(faces) == 1 and faces[0].box[1] < 150  # the face, not the suit
    r = hog_auditor.audit_pairs([small], [small])
    assert r.to_json()["totals"]["weak_candidates_not_audited"] >= 1


def test_cascade_only_candidates_need_a_second_opinion(auditor, untouched) -> None:
    # In sample1 (960 px) Haar alt2 fires at 1x and 2x on a sleeve badge; left unmasked
    # by a good de-identifier it was a false leak. One cascade alone (at any number of
    # scales) must be confirmed by dlib HOG on an upsampled crop; a real face passes.
    from emo_perception.audit.faces import Detection

    img = group_photo(1)
    badge = (736, 286, 798, 348)
    assert auditor.verify(img, badge) == []
    face = boxes_of(untouched, 2)[0]
    assert auditor.verify(img, face) == ["hog@crop"]
    weak: list = []
    merged = auditor.merge([Detection("haar", 1, badge), Detection("haar", 2, badge)],
                           weak, img)
    assert merged == [] and weak == [badge]
    merged = auditor.merge([Detection("haar", 1, face), Detection("haar", 2, face)],
                           None, img)
    assert merged == [(face, ["haar@1x", "haar@2x", "hog@crop"])]
    # The frontal and profile cascades agreeing are no second opinion either (the same
    # Haar features): without dlib's confirmation the badge stays a weak candidate.
    weak = []
    assert auditor.merge([Detection("haar", 1, badge), Detection("profile", 1, badge)],
                         weak, img) == [] and weak == [badge]
    assert auditor.merge([Detection("haar", 1, face), Detection("profile", 1, face)],
                         None, img) == [(face, ["haar@1x", "hog@crop", "profile@1x"])]


def test_a_hand_that_both_cascades_call_a_face_is_not_a_leak() -> None:
    # Megamind frame 3, the REP-155 bridge's 128 px crop of the woman's body: Haar frontal
    # and profile (at 2x) both fire on her hand holding a glass. Counted as a face, the
    # unmasked hand was reported as a leaked, re-identified face.
    video = pathlib.Path("/usr/share/doc/opencv-doc/examples/data/Megamind.avi")
    if not video.exists():
        pytest.fail(f"{video} missing: install Debian's opencv-doc (make setup does)")
    from emo_perception.hri.bridge import Roi, crop

    cap = cv2.VideoCapture(str(video))
    for _ in range(4):
        ok, frame = cap.read()
        assert ok
    body = crop(frame, Roi(142 / 720, 194 / 528, 387 / 720, 1.0, 1.0), 128)
    auditor = FaceAuditor()  # the defaults the bridge test audits with (2x upsampling)
    found = {d.detector for d in auditor.detect(body) if d.box[1] > 55 and d.box[2] < 50}
    assert {"haar", "profile"} <= found  # the cascades still see a face in the hand
    faces = auditor.find_faces(body)
    assert [f.box[1] < 55 for f in faces] == [True]  # only her face, at the top


def test_judge_shares_no_detector_with_the_deidentifier() -> None:
    # Independence is the point: if the de-identifier ever adopts one of the judge's
    # detectors, the audit of that detector's blind spots is no longer independent.
    sources = [*(REPO / "emo_perception" / "perception").glob("*.py"),
               REPO / "emo_perception" / "nodes" / "deid_node.py"]
    shared = ("dlib", "haarcascade", "cascadeclassifier", "face_recognition_models")
    used = {(p.name, word) for p in sources if p.exists()
            for word in shared if word in p.read_text().lower()}
    assert not used, f"the de-identifier uses the judge's detectors: {sorted(used)}"


def test_library_is_ros_free() -> None:
    import subprocess
    import sys

    code = ("import sys, emo_perception.audit.faces, emo_perception.cli.privacy_audit; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('rclpy', 'torch')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=120)


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


# -- the command --------------------------------------------------------------------------
def cli(*argv: str) -> int:
    from emo_perception.cli import main

    return main(["privacy-audit", *argv])


def read_report(out: pathlib.Path) -> dict:
    assert (out / "contact_sheet.png").stat().st_size > 0
    return json.loads((out / "privacy_audit.json").read_text())


HOG = ("--detectors", "hog", "--upsample", "1")


def test_cli_image_pair_and_usage_errors(tmp_path, capsys) -> None:
    img = tmp_path / "astronaut.png"
    cv2.imwrite(str(img), astronaut())
    assert cli(str(img), str(img), "--out", str(tmp_path / "o"), *HOG) == 1
    rep = read_report(tmp_path / "o")
    assert rep["verdict"] == "LEAK" and rep["totals"]["faces"] == 1
    assert rep["faces"][0]["detectors_after"] == ["hog@1x"]
    assert "timings_s" in rep and rep["timings_s"]["hog@1x"] > 0
    assert "privacy audit: LEAK (exit 1)" in capsys.readouterr().out
    # no face in the original: nothing proven, the audit is void (exit 3), said loudly
    coffee = tmp_path / "coffee.png"
    cv2.imwrite(str(coffee), skimage.data.coffee()[:, :, ::-1])
    assert cli(str(coffee), str(coffee), "--out", str(tmp_path / "v"), *HOG) == 3
    assert read_report(tmp_path / "v")["verdict"] == "VOID"
    captured = capsys.readouterr()
    assert "AUDIT VOID" in captured.out and "AUDIT VOID" in captured.err
    # usage / input errors: exit 2 with one line
    assert cli(str(img), str(tmp_path / "missing.png"), "--out", str(tmp_path / "e")) == 2
    assert cli(str(img), "--out", str(tmp_path / "e")) == 2  # neither DEID nor --run
    assert cli(str(img), str(img), "--detectors", "sift") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("emo-perception privacy-audit: error:")
                                 for line in err)


def test_cli_folder_pair_solid_fill_is_clean(tmp_path, untouched) -> None:
    orig, deid = tmp_path / "orig", tmp_path / "deid"
    orig.mkdir()
    deid.mkdir()
    photos = [astronaut(), grace_hopper()]
    for i, p in enumerate(photos):
        cv2.imwrite(str(orig / f"{i:02d}.png"), p)
        cv2.imwrite(str(deid / f"{i:02d}.png"), filled(p, boxes_of(untouched, i)))
    assert cli(str(orig), str(deid), "--out", str(tmp_path / "o"), *HOG) == 0
    rep = read_report(tmp_path / "o")
    assert rep["verdict"] == "CLEAN" and rep["totals"]["faces"] == 2
    assert rep["totals"]["leaked"] == 0 and rep["totals"]["chance"] == 0.5
    assert [f["name"] for f in rep["faces"]] == ["00.png", "01.png"]
    # one missing de-identified image: the pairing is refused, not guessed
    (deid / "01.png").unlink()
    assert cli(str(orig), str(deid), "--out", str(tmp_path / "o2"), *HOG) == 2


def write_video(path: pathlib.Path, frames: list[np.ndarray]) -> None:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (w, h))
    assert writer.isOpened()
    for f in frames:
        writer.write(f)
    writer.release()


def test_cli_video_pair(tmp_path, hog_auditor) -> None:
    frames = megamind_frames()
    faces = [hog_auditor.find_faces(f) for f in frames]
    assert all(faces), "Megamind frames 20 and 40 have faces"
    # frame 0 masked, frame 1 left as is: the leak is in frame 1 only
    deid = [filled(frames[0], [f.box for f in faces[0]]), frames[1]]
    write_video(tmp_path / "orig.avi", frames)
    write_video(tmp_path / "deid.avi", deid)
    assert cli(str(tmp_path / "orig.avi"), str(tmp_path / "deid.avi"), "--out",
               str(tmp_path / "o"), *HOG) == 1
    rep = read_report(tmp_path / "o")
    assert rep["totals"]["frames"] == 2
    leaked = {f["frame"] for f in rep["faces"] if f["leaked"]}
    assert leaked == {1}, [(f["frame"], f["distance"], f["detectors_after"])
                           for f in rep["faces"]]


def test_cli_bag_pairs_by_stamp(tmp_path, untouched) -> None:
    from emo_perception import bags

    img, gh = astronaut(), grace_hopper()
    path = tmp_path / "run"
    with bags.BagWriter(path) as w:  # originals and de-identified frames in one bag
        for k, (frame, deid) in enumerate(((img, filled(img, boxes_of(untouched, 0))),
                                           (gh, None))):
            ns = (k + 1) * 100_000_000
            w.write("/camera/private/image_raw", "sensor_msgs/msg/Image", ns,
                    bags.image_msg(frame, ns))
            if deid is not None:  # the second frame was blocked: nothing published
                w.write("/deid/image", "sensor_msgs/msg/Image", ns, bags.image_msg(deid, ns))
    assert cli(str(path), str(path), "--out", str(tmp_path / "o"), *HOG) == 0
    rep = read_report(tmp_path / "o")
    assert rep["input"]["original_topic"] == "/camera/private/image_raw"
    assert rep["input"]["deidentified_topic"] == "/deid/image"
    assert rep["totals"]["frames_blocked"] == 1 and rep["totals"]["faces"] == 2
    assert rep["totals"]["leaked"] == 0


def test_cli_run_config_end_to_end(tmp_path, repo_root) -> None:
    img = tmp_path / "astronaut.png"
    cv2.imwrite(str(img), astronaut())
    rc = cli(str(img), "--run", str(repo_root / "config" / "default.yaml"), "--out",
             str(tmp_path / "o"), *HOG)
    rep = read_report(tmp_path / "o")
    assert rc == rep["exit_code"] and rc in (0, 1)
    assert rep["input"]["run_config"].endswith("default.yaml")
    assert rep["totals"]["faces"] == 1
    face = rep["faces"][0]
    # the product's promise for its default config: the face is masked
    assert not face["found_after"] and face["distance"] >= 0.6, face
