"""Geometric micro-gesture detectors: constructed landmark tracks and real video."""

from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest

from emo_perception.labels import imigue_name
from emo_perception.perception.micro_gestures import MicroGestureConfig, MicroGestureDetector
from emo_perception.perception.types import Body, Box, Hand

FPS = 30.0
U = 140.0  # shoulder width of the constructed person, pixels


def neutral_pose() -> np.ndarray:
    """A person standing and facing the camera, arms hanging (33 x (x, y, z, vis))."""
    kp = np.zeros((33, 4))
    kp[:, 3] = 0.95
    pts = {0: (320, 105), 1: (327, 90), 2: (332, 90), 3: (337, 90), 4: (313, 90), 5: (308, 90),
           6: (303, 90), 7: (352, 98), 8: (288, 98), 9: (330, 118), 10: (310, 118),
           11: (390, 175), 12: (250, 175), 13: (405, 260), 14: (235, 260), 15: (410, 340),
           16: (230, 340), 17: (414, 356), 18: (226, 356), 19: (410, 360), 20: (230, 360),
           21: (402, 352), 22: (238, 352), 23: (360, 345), 24: (280, 345), 25: (362, 450),
           26: (278, 450), 27: (362, 540), 28: (278, 540), 29: (362, 550), 30: (278, 550),
           31: (366, 556), 32: (274, 556)}
    for i, (x, y) in pts.items():
        kp[i, :2] = (x, y)
    kp[25:, 3] = 0.3  # legs out of view
    return kp


def put_hand(kp: np.ndarray, side: str, tip: tuple[float, float],
             wrist_offset: tuple[float, float] = (0.0, 22.0)) -> None:
    """Place a pose hand so that its index fingertip is at ``tip``."""
    w, pk, ix, th = (15, 17, 19, 21) if side == "left" else (16, 18, 20, 22)
    tx, ty = tip
    wx, wy = tx + wrist_offset[0], ty + wrist_offset[1]
    kp[ix, :2] = (tx, ty)
    kp[w, :2] = (wx, wy)
    kp[pk, :2] = ((tx + wx) / 2 + 4, (ty + wy) / 2)
    kp[th, :2] = ((tx + wx) / 2 - 4, (ty + wy) / 2)


def body(kp: np.ndarray, hands: list[Hand] | None = None, tid: str = "p1") -> Body:
    return Body(Box(200, 50, 250, 450), 0.9, kp, tid, hands or [])


def run(frames: list[tuple[np.ndarray, list[Hand]]], cfg: MicroGestureConfig | None = None):
    det = MicroGestureDetector(cfg)
    events = []
    for i, (kp, hands) in enumerate(frames):
        events += det.update(body(kp, hands), i / FPS, [])
    return events


def sequence(gesture, before: float = 1.0, during: float = 1.6, after: float = 1.0):
    """Neutral, then ``gesture(kp, t)`` applied, then neutral; returns frames."""
    frames = []
    n0, n1, n2 = (int(round(x * FPS)) for x in (before, during, after))
    for i in range(n0 + n1 + n2):
        kp = neutral_pose()
        if n0 <= i < n0 + n1:
            gesture(kp, (i - n0) / FPS)
        frames.append((kp, []))
    return frames


def classes(events) -> set[int]:
    return {e.class_id for e in events}


def touch(side, point, offset=(0.0, 22.0)):
    return lambda kp, t: put_hand(kp, side, point, offset)


# Region anchors of the neutral pose: eyes (308/332, 90), nose (320, 105), mouth (320, 118).
TOUCHES = {
    6: touch("right", (308, 92)),
    34: touch("left", (321, 106), (8, 20)),
    4: touch("right", (320, 57), (-10, 20)),
    3: touch("left", (322, 15), (30, 10)),
    8: touch("left", (354, 99), (10, 22)),
    10: touch("right", (320, 144), (0, 22)),
    11: touch("left", (320, 157), (25, 12)),
    14: touch("right", (318, 187), (-25, 8)),
    12: touch("left", (365, 34), (20, 10)),
}



def make_hand(side: str, wrist: tuple[float, float], tips: list[tuple[float, float]],
              thumb: tuple[float, float]) -> Hand:
    """A 21-point hand whose fingers run straight from the wrist to the given tips."""
    w = np.array(wrist, dtype=float)
    pts = [w]
    for tip in [thumb] + tips:
        t = np.array(tip, dtype=float)
        pts += [w + f * (t - w) for f in (0.45, 0.65, 0.82, 1.0)]
    kp = np.zeros((21, 3))
    kp[:, :2] = np.array(pts)
    return Hand(side, 0.9, kp)


def set_pose_hand(kp: np.ndarray, hand: Hand) -> None:
    w, pk, ix, th = (15, 17, 19, 21) if hand.side == "left" else (16, 18, 20, 22)
    h = hand.keypoints
    for i, j in ((w, 0), (pk, 17), (ix, 5), (th, 2)):
        kp[i, :2] = h[j, :2]


def hands_sequence(make, before=1.0, during=1.6, after=1.0):
    frames = []
    n0, n1, n2 = (int(round(x * FPS)) for x in (before, during, after))
    for i in range(n0 + n1 + n2):
        kp = neutral_pose()
        hands = []
        if n0 <= i < n0 + n1:
            hands = make()
            for h in hands:
                set_pose_hand(kp, h)
        frames.append((kp, hands))
    return frames


def crossing():
    left = make_hand("left", (360, 300), [(310, 288 + 8 * k) for k in range(4)], (330, 285))
    right = make_hand("right", (290, 302), [(340, 292 + 8 * k) for k in range(4)], (310, 288))
    return [left, right]


def minaret():
    left = make_hand("left", (350, 330), [(323, 250 + 6 * k) for k in range(4)], (335, 275))
    right = make_hand("right", (290, 330), [(317, 250 + 6 * k) for k in range(4)], (305, 275))
    return [left, right]


def folding(kp, t):
    kp[13, :2], kp[14, :2] = (390, 285), (250, 285)
    put_hand(kp, "left", (262, 262), (8, 3))
    put_hand(kp, "right", (378, 262), (-8, 3))
    kp[15, 3] = 0.4  # tucked under the other arm


def akimbo(kp, t):
    kp[13, :2], kp[14, :2] = (455, 262), (185, 262)
    put_hand(kp, "left", (362, 338), (10, -5))
    put_hand(kp, "right", (278, 338), (-10, -5))


def behind(kp, t):
    kp[13, :2], kp[14, :2] = (398, 262), (242, 262)
    for i, x in ((15, 333), (17, 330), (19, 328), (21, 332), (16, 307), (18, 310), (20, 312),
                 (22, 308)):
        kp[i, :2] = (x, 335)
        kp[i, 3] = 0.1


def rubbing(kp, t):
    put_hand(kp, "left", (318 + 4 * math.sin(12 * t), 322), (12, 5))
    put_hand(kp, "right", (322 - 4 * math.sin(12 * t), 322), (-12, 5))


def illustrative(kp, t):
    a = 2 * math.pi * 1.2 * t
    put_hand(kp, "right", (280 + 40 * math.cos(a), 250 + 40 * math.sin(a)), (0, 22))


def shaking(kp, t):
    kp[11:23, 1] += 6 * math.sin(2 * math.pi * 3 * t)


def torso(kp, t):
    kp[0:23, 0] += 25 * math.sin(2 * math.pi * 0.5 * t)


def turtle(kp, t):
    kp[11:23, 1] -= 25


def head_up(kp, t):
    kp[0, 1] = 95


BODY_GESTURES = {
    16: lambda: sequence(folding),
    29: lambda: sequence(akimbo),
    18: lambda: sequence(behind),
    22: lambda: sequence(rubbing),
    23: lambda: hands_sequence(crossing),
    24: lambda: hands_sequence(minaret),
    31: lambda: sequence(illustrative, during=2.0),
    30: lambda: sequence(shaking, during=2.0),
    19: lambda: sequence(torso, during=3.0),
    0: lambda: sequence(turtle, before=4.0, during=2.0),
    27: lambda: sequence(head_up, before=4.0, during=2.0),
}


@pytest.mark.parametrize("cid", sorted(TOUCHES))
def test_hand_to_face_regions(cid):
    events = run(sequence(TOUCHES[cid]))
    assert classes(events) == {cid}, [(e.class_id, e.name) for e in events]
    last = events[-1]
    assert last.name == imigue_name(cid) and last.track_id == "p1"
    assert 0.95 <= last.start <= 1.1 and 2.5 <= last.end <= 2.65  # touch held 1.0 .. 2.6 s
    assert 0.6 <= last.score <= 1.0


def test_nose_touch_as_imigue_facial_parts_when_asked():
    events = run(sequence(TOUCHES[34]), MicroGestureConfig(nose_as_eald=False))
    assert classes(events) == {7}


def test_covering_face_with_both_hands():
    def cover(kp, t):
        put_hand(kp, "left", (326, 100), (10, 25))
        put_hand(kp, "right", (314, 100), (-10, 25))
    assert classes(run(sequence(cover))) == {5}


@pytest.mark.parametrize("cid", sorted(BODY_GESTURES))
def test_body_gestures_fire_only_for_their_class(cid):
    events = run(BODY_GESTURES[cid]())
    assert classes(events) == {cid}, [(e.class_id, e.name, e.start, e.end) for e in events]
    ev = events[-1]
    assert ev.end > ev.start and ev.name == imigue_name(cid)


def test_neutral_and_brief_touch_are_quiet():
    assert run(sequence(lambda kp, t: None)) == []
    # A touch shorter than min_duration_s is not an event.
    assert run(sequence(TOUCHES[6], during=0.2)) == []


def test_short_dropout_does_not_split_a_gesture():
    def flicker(kp, t):
        put_hand(kp, "right", (308, 92))
        if 0.5 <= t < 0.6:  # three frames where the tracker loses the hand
            kp[[16, 18, 20, 22], 3] = 0.1
    events = run(sequence(flicker))
    assert {(e.class_id, e.start) for e in events} == {(6, 1.0)}


def test_forget_and_bad_input_are_counted():
    det = MicroGestureDetector()
    kp = neutral_pose()
    kp[11, 3] = 0.1  # a shoulder out of view
    assert det.update(body(kp), 0.0, []) == []
    assert det.update(body(np.zeros((17, 4))), 0.1, []) == []
    bad = neutral_pose()
    bad[3, 0] = np.nan
    assert det.update(body(bad), 0.2, []) == []
    assert det.update(body(neutral_pose()), 0.1, []) == []  # time went backwards
    assert det.skipped == 4 and det.last_error
    det.forget("p1")
    assert det.tracks() == []


@pytest.mark.parametrize("kwargs", [dict(window_s=0), dict(on_threshold=0.3, off_threshold=0.5),
                                    dict(classes=[9]), dict(baseline_min_s=60.0)])
def test_config_validation(kwargs):
    with pytest.raises(ValueError, match="MicroGestureConfig"):
        MicroGestureConfig(**kwargs)


VTEST = pathlib.Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


def _pedestrian_track(mp, frames: list[np.ndarray], box, fps: float, tid: str):
    """Real mediapipe pose on an upscaled crop that follows one pedestrian."""
    import cv2
    x, y, bw, bh = (float(v) for v in box)
    cx, cy, side = x + bw / 2, y + bh / 2, max(bw, bh) * 1.3
    det = MicroGestureDetector()
    seen, events = 0, []
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        for i, bgr in enumerate(frames):
            h, w = bgr.shape[:2]
            x0, y0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
            x1, y1 = int(min(w, cx + side / 2)), int(min(h, cy + side / 2))
            s = 384.0 / max(y1 - y0, x1 - x0)
            crop = cv2.resize(bgr[y0:y1, x0:x1], None, fx=s, fy=s)
            res = pose.process(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
            if not res.pose_landmarks:
                continue
            seen += 1
            ch, cw = crop.shape[:2]
            kp = np.array([[x0 + p.x * cw / s, y0 + p.y * ch / s, p.z * cw / s, p.visibility]
                           for p in res.pose_landmarks.landmark])
            cx, cy = kp[[11, 12, 23, 24], 0].mean(), kp[[11, 12, 23, 24], 1].mean()
            lo, hi = kp[:, :2].min(axis=0), kp[:, :2].max(axis=0)
            b = Body(Box(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]), 1.0, kp, tid)
            events += det.update(b, i / fps, [])
    return seen, events, det


@pytest.mark.skipif(not VTEST.exists(), reason="apt-get install opencv-doc for vtest.avi")
def test_quiet_on_vtest_pedestrians():
    """Real mediapipe pose on 60 frames of two walking pedestrians: no micro-gestures."""
    import cv2
    mp = pytest.importorskip("mediapipe")
    cap = cv2.VideoCapture(str(VTEST))
    fps = cap.get(cv2.CAP_PROP_FPS) or 10.0
    frames = []
    for _ in range(60):
        ok, bgr = cap.read()
        assert ok, "vtest.avi ended early"
        frames.append(bgr)
    cap.release()
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    boxes, weights = hog.detectMultiScale(frames[0], winStride=(8, 8), scale=1.05)
    assert len(boxes) >= 2, "HOG found fewer than two pedestrians in the first frame"
    for rank, k in enumerate(np.argsort(-np.ravel(weights))[:2]):
        seen, events, det = _pedestrian_track(mp, frames, boxes[k], fps, f"walker{rank}")
        assert seen >= 40, f"mediapipe saw the pedestrian in only {seen} of 60 frames"
        assert events == [], [(e.class_id, e.name, e.start, e.end) for e in events]
        # The contact and posture rules judged every frame; motion rules need more pixels.
        assert det.skipped == 0 and det.motion_gated == seen


def test_face_mesh_of_the_same_track_places_the_face():
    """A real mediapipe mesh (Grace Hopper) of the same track overrides the pose's face
    points: a fingertip on the mesh's nose tip reads as a nose touch with the mesh and
    as something else from the pose alone (the mesh sits 35 px lower than the pose's
    face, as when the pose model misplaces a face)."""
    from test_action_units import face_of, grace_rgb, mesh_of

    mesh = mesh_of(grace_rgb())
    src = mesh[[468, 473], :2]
    dst = np.array([[308.0, 125.0], [332.0, 125.0]])
    scale = np.linalg.norm(dst[1] - dst[0]) / np.linalg.norm(src[1] - src[0])
    placed = mesh.copy()
    placed[:, :2] = (mesh[:, :2] - src[0]) * scale + dst[0]
    placed[:, 2] *= scale
    face = face_of(placed, "p1")
    nose = tuple(placed[1, :2])
    gesture = sequence(touch("right", nose, (-12, 20)))
    det = MicroGestureDetector()
    with_mesh = []
    for i, (kp, hands) in enumerate(gesture):
        with_mesh += det.update(body(kp, hands), i / FPS, [face])
    assert classes(with_mesh) == {34}
    assert 34 not in classes(run(gesture))
    # A mesh of another track is not used.
    other = face_of(placed, "someone-else")
    det = MicroGestureDetector()
    assert 34 not in classes([e for i, (kp, h) in enumerate(gesture)
                              for e in det.update(body(kp, h), i / FPS, [other])])
