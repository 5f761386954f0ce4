"""Frame and window rules behind the geometric micro-gesture detectors.

Everything is measured in body units ``u`` (see :class:`Pose`) on the image plane,
y pointing down. Pose indices are mediapipe's 33-point BlazePose topology; hand indices
its 21-point hand topology. Rules are documented in docs/micro_gestures.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from emo_perception.perception.types import Body, Face

NOSE, L_EYE, R_EYE, L_EAR, R_EAR, L_MOUTH, R_MOUTH = 0, 2, 5, 7, 8, 9, 10
L_SH, R_SH, L_EL, R_EL, L_WR, R_WR = 11, 12, 13, 14, 15, 16
L_HIP, R_HIP = 23, 24
POSE_FINGERS = {"left": (15, 17, 19, 21), "right": (16, 18, 20, 22)}
HAND_TIPS = (4, 8, 12, 16, 20)
HAND_PALM = (0, 5, 9, 13, 17)

TOUCH_IDS = frozenset({3, 4, 5, 6, 7, 8, 10, 11, 12, 14, 34})
# Face regions: (class id, radius in body units). Anchors are computed per frame.
REGION_RADIUS = {"eyes": 0.10, "nose": 0.09, "mouth": 0.09, "forehead": 0.13, "head": 0.2,
                 "hair": 0.14, "ears": 0.10, "jaw": 0.12, "neck": 0.12, "notch": 0.10}
REGION_CLASS = {"eyes": 6, "nose": 34, "mouth": 7, "forehead": 4, "head": 3, "hair": 12,
                "ears": 8, "jaw": 10, "neck": 11, "notch": 14}


def ramp(x: float, lo: float, hi: float) -> float:
    """0 below ``lo``, 1 above ``hi``, linear between."""
    if hi <= lo:
        return 1.0 if x >= hi else 0.0
    return float(min(1.0, max(0.0, (x - lo) / (hi - lo))))


@dataclass
class Pose:
    """One body's points in pixels with visibility, plus its scale ``u`` (pixels)."""

    kp: np.ndarray  # (33, 2)
    vis: np.ndarray  # (33,)
    u: float
    frontal: bool  # shoulders wide enough to judge left/right arrangements
    hands: dict  # side -> (21, 2) array
    mesh: np.ndarray | None
    min_vis: float

    @classmethod
    def from_body(cls, body: Body, min_vis: float, use_hands: bool,
                  face: Face | None) -> "Pose":
        kp = np.asarray(body.keypoints, dtype=np.float64)
        if kp.ndim != 2 or kp.shape[0] != 33 or kp.shape[1] < 2:
            raise ValueError(f"body keypoints must be (33, 4), got {kp.shape}")
        vis = kp[:, 3] if kp.shape[1] >= 4 else np.ones(33)
        if not np.all(np.isfinite(kp[:, :2])):
            raise ValueError("body keypoints contain non-finite coordinates")
        xy = kp[:, :2]
        if min(vis[L_SH], vis[R_SH]) < min_vis:
            raise ValueError("shoulders not visible: micro-gestures need both shoulders")
        shoulder = float(np.linalg.norm(xy[L_SH] - xy[R_SH]))
        torso = 0.0
        if min(vis[L_HIP], vis[R_HIP]) >= min_vis:
            torso = float(np.linalg.norm((xy[L_HIP] + xy[R_HIP]) / 2 - (xy[L_SH] + xy[R_SH]) / 2))
        u = max(shoulder, 0.8 * torso)
        if not u > 1.0:
            raise ValueError(f"body too small to judge gestures ({u:.1f} px)")
        hands = {}
        if use_hands:
            for hand in body.hands:
                pts = np.asarray(hand.keypoints, dtype=np.float64)
                if hand.side in ("left", "right") and pts.shape[0] == 21 \
                        and np.all(np.isfinite(pts[:, :2])):
                    hands[hand.side] = pts[:, :2]
        mesh = None if face is None or face.mesh is None else np.asarray(face.mesh)[:, :2]
        return cls(xy, vis, u, shoulder >= 0.5 * torso, hands, mesh, min_vis)

    def seen(self, *idx: int) -> bool:
        return bool(min(self.vis[i] for i in idx) >= self.min_vis)

    def p(self, i: int) -> np.ndarray:
        return self.kp[i]

    def mid(self, a: int, b: int) -> np.ndarray:
        return (self.kp[a] + self.kp[b]) / 2.0

    def side_sign(self) -> float:
        """+1 when the person's left shoulder is at larger image x (facing the camera)."""
        return 1.0 if self.kp[L_SH][0] >= self.kp[R_SH][0] else -1.0

    def contact_points(self, side: str) -> np.ndarray | None:
        """Fingertips and palm centre of one hand, from hand landmarks or pose fingers."""
        if side in self.hands:
            h = self.hands[side]
            return np.vstack([h[list(HAND_TIPS)], h[list(HAND_PALM)].mean(axis=0)])
        idx = POSE_FINGERS[side]
        if not self.seen(idx[0]):
            return None
        return self.kp[[i for i in idx if self.vis[i] >= self.min_vis * 0.6]]

    def wrist(self, side: str) -> np.ndarray | None:
        if side in self.hands:
            return self.hands[side][0]
        i = L_WR if side == "left" else R_WR
        return self.kp[i] if self.seen(i) else None

    def neck_length(self) -> float | None:
        """Vertical ear (or eye) line to shoulder line distance, in body units."""
        head = self._head_level()
        if head is None:
            return None
        return float((self.mid(L_SH, R_SH)[1] - head) / self.u)

    def nose_gap(self) -> float | None:
        """How far the nose sits below the eye line, in body units (shrinks on head up)."""
        if not self.seen(NOSE, L_EYE, R_EYE):
            return None
        return float((self.kp[NOSE][1] - self.mid(L_EYE, R_EYE)[1]) / self.u)

    def _head_level(self) -> float | None:
        if self.seen(L_EAR, R_EAR):
            return float(self.mid(L_EAR, R_EAR)[1])
        if self.seen(L_EYE, R_EYE):
            return float(self.mid(L_EYE, R_EYE)[1])
        return None

    def face_regions(self) -> dict[str, list[np.ndarray]]:
        """Anchor points of the face and neck regions (pixels)."""
        if not self.seen(NOSE, L_EYE, R_EYE, L_MOUTH, R_MOUTH):
            return {}
        eye, mouth, nose = self.mid(L_EYE, R_EYE), self.mid(L_MOUTH, R_MOUTH), self.kp[NOSE]
        em = float(np.linalg.norm(eye - mouth))
        if em <= 0:
            return {}
        up = (eye - mouth) / em
        lat = np.array([-up[1], up[0]])
        shoulder_mid = self.mid(L_SH, R_SH)
        chin = mouth - up * 0.9 * em
        ears = [self.kp[i] for i in (L_EAR, R_EAR) if self.seen(i)]
        if self.mesh is not None:  # a face mesh, where available, places the face better
            m = self.mesh
            eyes, nose, mouth, chin = [m[468], m[473]], m[1], m[13], m[152]
        else:
            eyes = [self.kp[L_EYE], self.kp[R_EYE]]
        regions = {
            "eyes": eyes, "nose": [nose], "mouth": [mouth],
            "forehead": [eye + up * 1.2 * em], "head": [eye + up * 2.6 * em],
            "jaw": [chin] + [(e + chin) / 2.0 for e in ears],
            "ears": ears,
            "hair": [eye + up * 2.0 * em + s * lat * 1.6 * em for s in (-1.0, 1.0)],
            "neck": [chin + (shoulder_mid - chin) * 0.45],
            "notch": [shoulder_mid + np.array([0.0, 0.08 * self.u])],
        }
        return regions


def _hand_to_face(pose: Pose, radius_scale: float, nose_as_eald: bool) -> dict[int, float]:
    regions = pose.face_regions()
    if not regions:
        return {}
    out: dict[int, float] = {}
    near_nose = []
    face_pts = regions["eyes"] + regions["nose"] + regions["mouth"]
    for side in ("left", "right"):
        pts = pose.contact_points(side)
        if pts is None or len(pts) == 0:
            continue
        best_name, best_norm = "", math.inf
        for name, anchors in regions.items():
            r = REGION_RADIUS[name] * radius_scale * pose.u
            for a in anchors:
                d = float(np.min(np.linalg.norm(pts - a, axis=1))) / r
                if d < best_norm:
                    best_name, best_norm = name, d
        centre = pts.mean(axis=0)
        near_nose.append(float(np.linalg.norm(centre - regions["nose"][0])) / pose.u)
        covered = sum(float(np.min(np.linalg.norm(pts - a, axis=1))) < 0.1 * pose.u
                      for a in face_pts)
        if covered >= len(face_pts):
            out[5] = max(out.get(5, 0.0), 1.0)
            continue
        if best_name:
            cid = REGION_CLASS[best_name]
            if cid == 34 and not nose_as_eald:
                cid = 7
            out[cid] = max(out.get(cid, 0.0), ramp(1.0 - best_norm, 0.0, 0.5))
    if len(near_nose) == 2 and max(near_nose) < 0.3:
        out = {5: 1.0}  # both hands over the face
    return {k: v for k, v in out.items() if v > 0}


def _two_hand_scores(pose: Pose, touching: bool) -> dict[int, float]:
    out: dict[int, float] = {}
    u, sign = pose.u, pose.side_sign()
    if not pose.frontal:
        return out
    sh_y = pose.mid(L_SH, R_SH)[1]
    mid_x = pose.mid(L_SH, R_SH)[0]
    hip_y = pose.mid(L_HIP, R_HIP)[1] if pose.seen(L_HIP, R_HIP) else sh_y + 1.4 * u
    # Folding arms: each forearm crosses the midline at torso height, elbows seen.
    if pose.seen(L_SH, R_SH, L_EL, R_EL):
        lw, rw = pose.p(L_WR), pose.p(R_WR)
        cross_l = sign * (mid_x - lw[0]) / u
        cross_r = sign * (rw[0] - mid_x) / u
        torso_h = all(sh_y + 0.15 * u < w[1] < hip_y + 0.1 * u for w in (lw, rw))
        elbows_low = all(pose.p(e)[1] > sh_y + 0.2 * u for e in (L_EL, R_EL))
        if torso_h and elbows_low:
            out[16] = min(ramp(cross_l, -0.05, 0.1), ramp(cross_r, -0.05, 0.1))
    # Arms akimbo: hands at the hips with the elbows pushed out past the shoulders.
    if pose.seen(L_EL, R_EL, L_WR, R_WR, L_HIP, R_HIP):
        sides = []
        for wr, hip, el, sh, s in ((L_WR, L_HIP, L_EL, L_SH, sign), (R_WR, R_HIP, R_EL, R_SH,
                                                                   -sign)):
            at_hip = 1.0 - ramp(float(np.linalg.norm(pose.p(wr) - pose.p(hip))) / u, 0.2, 0.35)
            out_el = ramp(s * (pose.p(el)[0] - pose.p(sh)[0]) / u, 0.15, 0.3)
            sides.append(min(at_hip, out_el))
        out[29] = min(sides)
    # Hands behind the body: wrists hidden, elbows seen hanging by the torso, the
    # predicted wrists near the body's midline.
    if pose.seen(L_EL, R_EL) and max(pose.vis[L_WR], pose.vis[R_WR]) < 0.35 \
            and all(pose.p(e)[1] > sh_y + 0.25 * u for e in (L_EL, R_EL)):
        central = max(abs(pose.p(w)[0] - mid_x) for w in (L_WR, R_WR)) / u
        out[18] = 1.0 - ramp(central, 0.3, 0.45)
    lw, rw = pose.wrist("left"), pose.wrist("right")
    if lw is None or rw is None or touching:
        return out
    at_chest = min(lw[1], rw[1]) > sh_y + 0.25 * u
    hl, hr = pose.hands.get("left"), pose.hands.get("right")
    if hl is not None and hr is not None:
        size = float(np.mean([np.linalg.norm(h[0] - h[9]) for h in (hl, hr)]))
        tips = float(np.mean([np.linalg.norm(hl[i] - hr[i]) for i in (8, 12, 16, 20)])) / size
        palms = float(np.linalg.norm(hl[list(HAND_PALM)].mean(0)
                                     - hr[list(HAND_PALM)].mean(0))) / size
        up = np.mean([h[0][1] - h[12][1] for h in (hl, hr)]) / size
        out[24] = min(1.0 - ramp(tips, 0.25, 0.45), ramp(palms, 0.6, 0.9), ramp(up, 0.3, 0.6))
        inside = [_tips_inside(a, b) for a, b in ((hl, hr), (hr, hl))]
        out[23] = ramp(min(inside), 1.0, 2.0) * (1.0 - out[24])
        gap = min(float(np.min(np.linalg.norm(hl[:, None] - hr[None], axis=2))) / u, 1.0)
        holding = 1.0 - ramp(gap, 0.05, 0.12)
    else:
        idx_gap = float(np.linalg.norm(pose.p(19) - pose.p(20))) / u \
            if pose.seen(19, 20) else math.inf
        wr_gap = float(np.linalg.norm(lw - rw)) / u
        tips_up = pose.seen(19, 20) and max(pose.p(19)[1] - lw[1], pose.p(20)[1] - rw[1]) \
            < -0.05 * u
        out[24] = (1.0 - ramp(idx_gap, 0.08, 0.14)) * ramp(wr_gap, 0.2, 0.3) * float(tips_up)
        holding = 1.0 - ramp(wr_gap, 0.15, 0.3)
    if at_chest:
        out[22] = holding * (1.0 - max(out.get(23, 0.0), out.get(24, 0.0)))
    return {k: v for k, v in out.items() if v > 0}


def _tips_inside(a: np.ndarray, b: np.ndarray) -> float:
    """How many of hand ``a``'s four fingertips lie inside hand ``b``'s outline."""
    hull = cv2.convexHull(b.astype(np.float32))
    return float(sum(cv2.pointPolygonTest(hull, (float(a[i][0]), float(a[i][1])), False) >= 0
                     for i in (8, 12, 16, 20)))


def frame_scores(pose: Pose, radius_scale: float, nose_as_eald: bool) -> dict[int, float]:
    """Per-frame scores of the posture and contact classes."""
    out = _hand_to_face(pose, radius_scale, nose_as_eald)
    out.update(_two_hand_scores(pose, touching=bool(out)))
    return {k: v for k, v in out.items() if v > 0}


def _reversals(x: np.ndarray, step: float) -> int:
    """Direction changes of a 1-D signal, ignoring wiggles smaller than ``step``."""
    if len(x) == 0:
        return 0
    count, direction, extreme = 0, 0, float(x[0])
    for v in x[1:]:
        if direction == 0:
            if abs(v - extreme) > step:
                direction, extreme = (1 if v > extreme else -1), float(v)
        elif direction * (v - extreme) > 0:
            extreme = float(v)  # still moving the same way
        elif abs(v - extreme) > step:
            count += 1
            direction, extreme = -direction, float(v)
    return count


def _median5(x: np.ndarray) -> np.ndarray:
    if len(x) < 5:
        return x
    padded = np.concatenate([x[:1], x[:1], x, x[-1:], x[-1:]])
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, 5), axis=1)


@dataclass(frozen=True)
class MotionSample:
    """The few numbers per frame that the window rules need (computed once per frame)."""

    stamp: float
    wrists: tuple  # (left, right): wrist minus shoulder midpoint in body units, or None
    neck: float  # neck_length(), NaN when the head is not seen
    lean: float  # shoulder midpoint x minus hip midpoint x (or raw x), body units

    @classmethod
    def of(cls, stamp: float, pose: Pose) -> "MotionSample":
        sh = pose.mid(L_SH, R_SH)
        wrists = tuple((pose.kp[w] - sh) / pose.u if pose.seen(w) else None
                       for w in (L_WR, R_WR))
        neck = pose.neck_length()
        ref = pose.mid(L_HIP, R_HIP)[0] if pose.seen(L_HIP, R_HIP) else 0.0
        return cls(stamp, wrists, math.nan if neck is None else neck, (sh[0] - ref) / pose.u)


def motion_scores(recent: list[MotionSample], torso: list[MotionSample],
                  touching: bool) -> dict[int, float]:
    """Window scores: illustrative gestures (31), shaking shoulders (30), torso sway (19)."""
    out: dict[int, float] = {}
    if len(recent) >= 4 and recent[-1].stamp - recent[0].stamp > 0.5:
        dur = recent[-1].stamp - recent[0].stamp
        # Illustrative gestures: a visible wrist travels fast relative to the shoulders,
        # in gesture space (above the hips), and is not touching the face.
        best = 0.0
        for side in (0, 1):
            if touching or any(m.wrists[side] is None for m in recent):
                continue
            rel = np.array([m.wrists[side] for m in recent])
            speed = float(np.sum(np.linalg.norm(np.diff(rel, axis=0), axis=1))) / dur
            raised = float(np.mean(rel[:, 1])) < 0.9
            back_forth = max(_reversals(rel[:, 0], 0.1), _reversals(rel[:, 1], 0.1))
            best = max(best, ramp(speed, 0.6, 1.2) * float(raised) * ramp(back_forth, 1, 2))
        if best > 0:
            out[31] = best
        # Shaking shoulders: the shoulder line bobs against the head, back and forth.
        neck = np.array([m.neck for m in recent])
        if np.all(np.isfinite(neck)):
            swing = float(np.std(neck))
            out[30] = ramp(swing, 0.015, 0.03) * ramp(_reversals(neck, 0.02), 2, 4)
    if len(torso) >= 4 and torso[-1].stamp - torso[0].stamp > 1.0:
        # Moving torso: the shoulders sway sideways relative to the hips (or the frame
        # when the hips are out of view) and come back.
        lean = _median5(np.array([m.lean for m in torso]))  # drop single-frame flips
        rng = float(np.ptp(lean))
        out[19] = ramp(rng, 0.15, 0.3) * ramp(_reversals(lean, 0.08), 0, 1) \
            * (1.0 - ramp(rng, 1.0, 1.5))
    return {k: v for k, v in out.items() if v > 0}
