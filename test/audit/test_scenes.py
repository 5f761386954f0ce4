"""The adversarial face scene generator (emo_perception.audit.scenes, #11).

The ci preset must regenerate to the hashes frozen in docs/deid_test_data.md: the test data
for de-identification cannot change quietly. The rest checks what the truth claims against
the pixels: sizes, angles and photometry in range, boxes inside the frame where claimed,
every pasted face box where the pixels actually changed, determinism by seed, and a cut
video that reads back.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")
scenes = pytest.importorskip("emo_perception.audit.scenes")

# Frozen 2026-12-01, before the de-identifier was tuned on these sets (docs/deid_test_data.md).
CI_TRUTH_SHA256 = "cac4152ef2df1a3c3bae588d544bce9161509b6a68c289b5eac284d7ec0a9702"
CI_PIXELS_SHA256 = "ec1cd7ccda276bac9de9b70a6451cd2937c3290c03425f56819319251994e1c5"

_missing = scenes.missing_sources()
pytestmark = pytest.mark.skipif(bool(_missing), reason=f"scene sources missing: {_missing[:2]}")

W, H = scenes.FRAME_W, scenes.FRAME_H
CI = scenes.PRESETS["ci"]


@pytest.fixture(scope="module")
def sources():
    return scenes.load_sources()


@pytest.fixture(scope="module")
def ci_set(sources):
    return scenes.scene_arrays("ci", sources=sources)


@pytest.fixture(scope="module")
def ci_rendered(sources):
    return list(scenes.render_scenes(CI, sources))


def _pixels_sha256(frames) -> str:
    h = hashlib.sha256()
    for f in frames:
        h.update(np.ascontiguousarray(f).tobytes())
    return h.hexdigest()


def test_ci_preset_regenerates_to_the_frozen_hashes(ci_set):
    frames, truth = ci_set
    assert scenes.truth_sha256(truth) == CI_TRUTH_SHA256, \
        "the ci scene truth changed: re-freeze deliberately (docs/deid_test_data.md), never quietly"
    assert _pixels_sha256(frames) == CI_PIXELS_SHA256, "the ci scene pixels changed"


def test_ci_preset_shape(ci_set):
    frames, truth = ci_set
    stills = CI.still_hold * (CI.composite_scenes + CI.group_photos + CI.group_subcrops
                              + CI.negatives)
    cut = CI.cut_scenes * CI.cut_hold
    assert len(frames) == len(truth["frames"]) == stills + cut
    assert all(f.shape == (H, W, 3) and f.dtype == np.uint8 for f in frames)
    start = 0
    for s in truth["scenes"]:                     # contiguous frame ranges, hold frames each
        assert s["frames"] == [start, start + s["hold"]]
        assert all(truth["frames"][i]["scene"] == s["index"] for i in range(*s["frames"]))
        start = s["frames"][1]
    assert start == len(frames)
    cv = truth["cut_video"]
    assert cv["frames"] == [stills, stills + cut]
    assert cv["cuts_at"] == [stills + k * CI.cut_hold for k in range(CI.cut_scenes)]
    kinds = {s["kind"] for s in truth["scenes"]}
    assert kinds == {"composite", "group_photo", "group_subcrop", "negative"}
    ids = {f["identity"] for fr in truth["frames"] for f in fr["faces"]}
    assert len(ids) >= 10


def test_sizes_angles_photometry_in_range(ci_set):
    _, truth = ci_set
    lo, hi = CI.width_range
    comp = [f for fr in truth["frames"] for f in fr["faces"] if f["composited"]]
    assert len(comp) >= 40
    for f in comp:
        assert lo - 1e-6 <= f["face_width_px"] <= hi + 1e-6
        assert abs(f["angle"]) <= CI.max_angle
        assert CI.brightness_range[0] <= f["brightness"] <= CI.brightness_range[1]
        assert 0.0 <= f["edge_clipped"] < 1.0 and 0.0 <= f["occluded"] <= 1.0
    widths = np.array([f["face_width_px"] for f in comp])
    assert np.mean((widths >= 70) & (widths <= 220)) >= 0.4      # the band that was missed
    assert np.any(widths < 50) and np.any(widths > 200)
    assert any(f["grey"] for f in comp) and any(not f["grey"] for f in comp)
    assert any(f["flipped"] for f in comp) and any(abs(f["angle"]) > 15 for f in comp)
    assert any(f["edge_clipped"] > 0.05 for f in comp)
    for s in truth["scenes"]:
        n = [len(truth["frames"][i]["faces"]) for i in range(*s["frames"])]
        if s["kind"] == "composite":
            assert all(1 <= k <= CI.max_faces for k in n)
        elif s["kind"] == "negative":
            assert all(k == 0 for k in n)
        else:
            assert all(k >= 1 for k in n)


def test_boxes_inside_frame_where_claimed(ci_set):
    _, truth = ci_set
    for fr in truth["frames"]:
        for f in fr["faces"]:
            x, y, w, h = f["box"]
            assert 0 <= x and 0 <= y and w > 0 and h > 0
            assert x + w <= W + 0.01 and y + h <= H + 0.01
            fx, fy, fw, fh = f["full_box"]
            inside = fx >= 0 and fy >= 0 and fx + fw <= W and fy + fh <= H
            if f["edge_clipped"] == 0:
                assert inside and np.allclose(f["box"], f["full_box"], atol=0.02)
            else:
                assert not inside


def test_pasted_face_boxes_match_changed_pixels(ci_rendered):
    checked = 0
    for scene, frames in ci_rendered:
        if scene["kind"] not in ("composite", "negative"):
            continue
        for fr in frames:
            changed = np.any(fr.clean != fr.background, axis=2)
            support = np.zeros((H, W), bool)
            for rec, a in zip(fr.truth["faces"], fr.alphas):
                ys, xs = np.nonzero(a > 0)
                px, py, pw, ph = rec["paste_box"]
                # all of the crop's alpha lies inside its paste box
                assert xs.min() >= px - 1 and xs.max() <= px + pw + 1
                assert ys.min() >= py - 1 and ys.max() <= py + ph + 1
                # and the face box sits inside the paste box, mostly opaque, pixels changed
                x, y, w, h = rec["box"]
                assert px - 1 <= x and x + w <= px + pw + 1
                assert py - 1 <= y and y + h <= py + ph + 1
                x0, y0, x1, y1 = int(x), int(y), int(np.ceil(x + w)), int(np.ceil(y + h))
                floor = 0.5 if rec["detector"] == "lfw-crop" else 0.75
                assert a[y0:y1, x0:x1].mean() >= floor, rec
                if rec["occluded"] < 0.2:
                    assert changed[y0:y1, x0:x1].mean() >= 0.5, rec
                support |= a > 0
                checked += 1
            # nothing changed anywhere no face was pasted
            assert not np.any(changed & ~support)
            if scene["kind"] == "negative":
                assert not changed.any()
    assert checked >= 40


def test_rendered_frames_equal_the_set(ci_set, ci_rendered):
    frames, truth = ci_set
    flat = [fr for _, frs in ci_rendered for fr in frs]
    assert len(flat) == len(frames)
    for a, b, rec in zip(flat, frames, truth["frames"]):
        assert np.array_equal(a.frame, b)
        assert a.truth["faces"] == rec["faces"]


def test_determinism_by_seed(sources):
    small = dataclasses.replace(CI, name="tiny", composite_scenes=2, group_photos=0,
                                group_subcrops=1, negatives=0, cut_scenes=1, cut_hold=2)
    a, ta = scenes.scene_arrays(small, seed=5, sources=sources)
    b, tb = scenes.scene_arrays(small, seed=5, sources=sources)
    c, tc = scenes.scene_arrays(small, seed=6, sources=sources)
    assert scenes.truth_sha256(ta) == scenes.truth_sha256(tb)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert scenes.truth_sha256(ta) != scenes.truth_sha256(tc)
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_cut_video_and_pngs_read_back(tmp_path, sources):
    small = dataclasses.replace(CI, name="tiny", composite_scenes=1, group_photos=0,
                                group_subcrops=0, negatives=0, cut_scenes=3, cut_hold=4)
    made = scenes.make_scene_set(tmp_path / "set", small)
    again = scenes.load_scene_set(tmp_path / "set")
    assert again.truth_sha256 == made.truth_sha256 == scenes.truth_sha256(made.truth)
    frames = [img for img, _ in again.frames()]
    assert _pixels_sha256(frames) == made.pixels_sha256          # PNGs are lossless
    cap = cv2.VideoCapture(str(made.video_path))
    read = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        read.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    first, last = made.truth["cut_video"]["frames"]
    assert len(read) == last - first == 12
    for got, want in zip(read, frames[first:last]):
        assert got.shape == (H, W, 3)
        err = np.mean((got.astype(float) - want.astype(float)) ** 2)
        assert 10 * np.log10(255 ** 2 / max(err, 1e-9)) > 35      # FFV1: exact; MJPG: close


def test_cli_one_line_error(tmp_path, capsys):
    from emo_perception.cli import main

    f = tmp_path / "file"
    f.write_text("x")
    assert main(["make-scenes", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("emo-perception make-scenes: error:") and "\n" not in err
