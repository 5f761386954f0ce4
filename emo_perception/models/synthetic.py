"""Generated training data for tests and for the demo models: nothing here is real data.

- :func:`synthetic_faces`: cartoon face crops whose rendered geometry follows the AU
  labels (brows raise/lower, lids narrow, cheeks bulge, lip corners move, lips press...),
  with random pose jitter, lighting and noise, plus the ROI centres of each AU.
- :func:`synthetic_gestures`: pose + hand keypoint clips of a few micro-gesture classes
  (hands to head / jaw, folded arms, akimbo, rubbing hands, shaking shoulders, illustrative
  gestures, swaying torso) with random body placement, tempo, phase, jitter and dropped
  hands. Labels are iMiGUE ids.

Models trained on these are demos of the training path only (manifest: fit_for_use false).
"""

from __future__ import annotations

import cv2
import numpy as np

from emo_perception.labels import BP4D_AUS, IMIGUE_CLASSES

# ---------------------------------------------------------------- faces (AU) --


def _face_geometry(au: dict[int, bool]) -> dict[str, float]:
    g = {"brow_in": 0.33, "brow_out": 0.33, "brow_x_in": 0.07, "eye_h": 0.04,
         "corner_dy": 0.0, "lip_gap": 0.04, "lip_thick": 2.0, "upper_lip": 0.69}
    if au.get(1):
        g["brow_in"] -= 0.07
    if au.get(2):
        g["brow_out"] -= 0.07
    if au.get(4):
        g["brow_in"] += 0.05
        g["brow_out"] += 0.02
        g["brow_x_in"] = 0.045
    if au.get(5):
        g["eye_h"] += 0.02
    if au.get(7):
        g["eye_h"] -= 0.025
    if au.get(10):
        g["upper_lip"] -= 0.05
    if au.get(12):
        g["corner_dy"] -= 0.07
    if au.get(15):
        g["corner_dy"] += 0.07
    if au.get(23):
        g["lip_thick"] = 1.0
    if au.get(24):
        g["lip_gap"] = 0.0
        g["lip_thick"] += 1.0
    if au.get(25):
        g["lip_gap"] += 0.05
    return g


def render_face(au: dict[int, bool], size: int, rng: np.random.Generator,
                aus: tuple[int, ...] = BP4D_AUS) -> tuple[np.ndarray, np.ndarray]:
    """One (size, size, 3) uint8 crop for the AU dict, and ROI centres (2*len(aus), 2)."""
    s = size
    g = _face_geometry(au)
    cx, cy = 0.5 + rng.uniform(-0.03, 0.03), 0.5 + rng.uniform(-0.03, 0.03)
    sc = rng.uniform(0.92, 1.06)

    def p(x: float, y: float) -> tuple[float, float]:
        return cx + (x - 0.5) * sc, cy + (y - 0.5) * sc

    def px(pt: tuple[float, float]) -> tuple[int, int]:
        return int(round(pt[0] * s)), int(round(pt[1] * s))

    bg = rng.uniform(30, 90)
    img = np.full((s, s, 3), bg, np.float32)
    skin = np.array([rng.uniform(150, 220), rng.uniform(120, 180), rng.uniform(100, 160)])
    img = img.astype(np.uint8)
    cv2.ellipse(img, px(p(0.5, 0.52)), (int(0.36 * s * sc), int(0.46 * s * sc)), 0, 0, 360,
                skin.tolist(), -1)
    dark = (skin * 0.35).tolist()
    t = max(1, s // 40)
    rois: dict[int, list[tuple[float, float]]] = {}
    for side in (-1, 1):
        inner = p(0.5 + side * g["brow_x_in"], g["brow_in"])
        outer = p(0.5 + side * 0.25, g["brow_out"])
        cv2.line(img, px(inner), px(outer), dark, 2 * t)
        eye = p(0.5 + side * 0.15, 0.43)
        cv2.ellipse(img, px(eye), (int(0.06 * s * sc), max(1, int(g["eye_h"] * s * sc))), 0, 0,
                    360, (245, 245, 245), -1)
        cv2.circle(img, px(eye), max(1, int(0.018 * s * sc)), (40, 30, 20), -1)
        if au.get(6):
            cheek = p(0.5 + side * 0.17, 0.53)
            cv2.ellipse(img, px(cheek), (int(0.07 * s * sc), int(0.03 * s * sc)), 0, 180, 360,
                        (skin * 0.7).tolist(), t)
        if au.get(14):
            cv2.circle(img, px(p(0.5 + side * 0.16, 0.73)), max(1, t), (skin * 0.5).tolist(), -1)
        if au.get(9):
            cv2.line(img, px(p(0.5 + side * 0.03, 0.5)), px(p(0.5 + side * 0.06, 0.56)),
                     (skin * 0.55).tolist(), t)
        rois.setdefault(1, []).append(p(0.5 + side * 0.08, g["brow_in"]))
        rois.setdefault(2, []).append(p(0.5 + side * 0.22, g["brow_out"]))
        rois.setdefault(4, []).append(p(0.5 + side * 0.05, 0.36))
        rois.setdefault(5, []).append(p(0.5 + side * 0.15, 0.41))
        rois.setdefault(6, []).append(p(0.5 + side * 0.17, 0.53))
        rois.setdefault(7, []).append(p(0.5 + side * 0.15, 0.45))
        rois.setdefault(9, []).append(p(0.5 + side * 0.05, 0.54))
        rois.setdefault(10, []).append(p(0.5 + side * 0.05, g["upper_lip"]))
        rois.setdefault(12, []).append(p(0.5 + side * 0.12, 0.72 + g["corner_dy"]))
        rois.setdefault(14, []).append(p(0.5 + side * 0.16, 0.73))
        rois.setdefault(15, []).append(p(0.5 + side * 0.12, 0.76))
        rois.setdefault(20, []).append(p(0.5 + side * 0.13, 0.72))
    cv2.line(img, px(p(0.5, 0.45)), px(p(0.5, 0.6)), (skin * 0.6).tolist(), t)
    mid_y = 0.72
    up, lo = g["upper_lip"] + 0.02, mid_y + g["lip_gap"]
    left, right = p(0.38, mid_y + g["corner_dy"]), p(0.62, mid_y + g["corner_dy"])
    lip = (150, 60, 70)
    th = max(1, int(g["lip_thick"] * t))
    pts_up = np.array([px(left), px(p(0.5, up)), px(right)], np.int32)
    pts_lo = np.array([px(left), px(p(0.5, lo)), px(right)], np.int32)
    cv2.polylines(img, [pts_up], False, lip, th)
    cv2.polylines(img, [pts_lo], False, lip, th)
    if au.get(17):
        cv2.ellipse(img, px(p(0.5, 0.86)), (int(0.07 * s * sc), int(0.025 * s * sc)), 0, 0, 360,
                    (skin * 0.8).tolist(), t)
    for code, pts in ((17, [p(0.5, 0.84), p(0.5, 0.88)]), (23, [p(0.5, up), p(0.5, lo)]),
                      (24, [p(0.5, up), p(0.5, lo)]), (25, [p(0.5, up), p(0.5, lo)]),
                      (26, [p(0.5, lo), p(0.5, 0.88)])):
        rois[code] = pts
    out = img.astype(np.float32) * rng.uniform(0.8, 1.2) + rng.normal(0, 6, img.shape)
    roi_arr = np.array([pt for a in aus for pt in rois[a]], np.float32)
    return np.clip(out, 0, 255).astype(np.uint8), np.clip(roi_arr, 0, 1)


def synthetic_faces(n: int, size: int = 112, aus: tuple[int, ...] = BP4D_AUS,
                    p_active: float = 0.4, seed: int = 0):
    """(crops (n,S,S,3) uint8, rois (n,2A,2), labels (n,A) int64) with random AU sets."""
    rng = np.random.default_rng(seed)
    labels = (rng.random((n, len(aus))) < p_active).astype(np.int64)
    crops = np.zeros((n, size, size, 3), np.uint8)
    rois = np.zeros((n, 2 * len(aus), 2), np.float32)
    for i in range(n):
        crops[i], rois[i] = render_face(dict(zip(aus, labels[i].astype(bool))), size, rng, aus)
    return crops, rois, labels


# ------------------------------------------------------ skeleton gestures --

GESTURES: tuple[str, ...] = (
    "Touching or scratching head",
    "Folding arms",
    "Arms akimbo",
    "Rubbing or holding hands",
    "Touching jaw",
    "Shaking shoulders",
    "Illustrative hand gestures",
    "Moving torso",
)
GESTURE_IDS: tuple[int, ...] = tuple(IMIGUE_CLASSES.index(g) for g in GESTURES)

_REST = {
    0: (0.5, 0.25), 7: (0.46, 0.25), 8: (0.54, 0.25), 9: (0.48, 0.29), 10: (0.52, 0.29),
    11: (0.6, 0.4), 12: (0.4, 0.4), 13: (0.64, 0.55), 14: (0.36, 0.55), 15: (0.6, 0.7),
    16: (0.4, 0.7), 23: (0.56, 0.72), 24: (0.44, 0.72), 25: (0.56, 0.9), 26: (0.44, 0.9),
    27: (0.56, 1.05), 28: (0.44, 1.05),
}
for _i, (_x, _y) in {1: (0.49, 0.24), 2: (0.48, 0.235), 3: (0.47, 0.24), 4: (0.51, 0.24),
                     5: (0.52, 0.235), 6: (0.53, 0.24), 29: (0.57, 1.07), 30: (0.43, 1.07),
                     31: (0.58, 1.08), 32: (0.42, 1.08)}.items():
    _REST[_i] = (_x, _y)

# Target wrist (left, right) positions per gesture; None keeps the rest position.
_TARGETS = {
    0: (None, (0.47, 0.15)),
    1: ((0.44, 0.55), (0.56, 0.55)),
    2: ((0.6, 0.7), (0.4, 0.7)),
    3: ((0.52, 0.62), (0.48, 0.62)),
    4: (None, (0.49, 0.33)),
    5: (None, None),
    6: ((0.6, 0.55), (0.4, 0.55)),
    7: (None, None),
}


def _hands(wrist: np.ndarray, elbow: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(T, 21, 2) hand keypoints: five fingers fanning out along the forearm direction."""
    direction = wrist - elbow
    direction = direction / (np.linalg.norm(direction, axis=-1, keepdims=True) + 1e-6)
    normal = np.stack([-direction[:, 1], direction[:, 0]], -1)
    f, j = np.meshgrid(np.arange(5), np.arange(1, 5), indexing="ij")
    along = (0.012 * j).reshape(-1)
    across = ((f - 2) * 0.006 * (1 + 0.3 * j)).reshape(-1)
    pts = (wrist[:, None] + direction[:, None] * along[None, :, None]
           + normal[:, None] * across[None, :, None])
    out = np.concatenate([wrist[:, None], pts], axis=1)
    return out + rng.normal(0, 0.002, out.shape)


def synthetic_gesture_clip(cls: int, frames: int, rng: np.random.Generator) -> np.ndarray:
    """One (frames, 75, 3) clip of gesture index ``cls`` (into :data:`GESTURES`)."""
    rest = np.zeros((33, 2))
    for i, xy in _REST.items():
        rest[i] = xy
    t = np.arange(frames) / frames
    onset = np.clip((t - rng.uniform(0.0, 0.2)) / 0.15, 0, 1)[:, None]
    freq, phase = rng.uniform(2.5, 4.5), rng.uniform(0, 2 * np.pi)
    osc = np.sin(2 * np.pi * freq * t + phase)[:, None]
    seq = np.repeat(rest[None], frames, 0)
    tl, tr = _TARGETS[cls]
    for wi, ei, tgt in ((15, 13, tl), (16, 14, tr)):
        if tgt is None:
            continue
        w_tgt = np.array(tgt) + rng.normal(0, 0.01, 2)
        seq[:, wi] = rest[wi] + onset * (w_tgt - rest[wi])
        seq[:, ei] = rest[ei] + onset * 0.5 * (w_tgt - rest[wi])
    amp = rng.uniform(0.006, 0.012)
    if cls in (0, 3):  # scratching / rubbing: small repetitive hand motion
        for wi in (15, 16):
            seq[:, wi, 0] += amp * osc[:, 0] * onset[:, 0]
    elif cls == 5:
        seq[:, [11, 12], 1] += 2 * amp * osc
    elif cls == 6:
        seq[:, [15, 16], 1] += 5 * amp * osc * onset
        seq[:, [15, 16], 0] += 3 * amp * np.cos(2 * np.pi * freq * t + phase)[:, None]
    elif cls == 7:
        upper = [i for i in range(23)]
        seq[:, upper, 0] += 3 * amp * osc
    # random placement of the person in the image
    seq = (seq - 0.5) * rng.uniform(0.8, 1.2) + 0.5 + rng.normal(0, 0.04, 2)
    seq += rng.normal(0, 0.003, seq.shape)
    clip = np.zeros((frames, 75, 3), np.float32)
    clip[:, :33, :2] = seq
    clip[:, :33, 2] = rng.uniform(0.8, 1.0, (frames, 33))
    for start, wi, ei in ((33, 15, 13), (54, 16, 14)):
        hands = _hands(seq[:, wi], seq[:, ei], rng)
        seen = rng.random(frames) >= 0.1  # some frames miss the hand detection
        clip[:, start:start + 21, :2] = hands * seen[:, None, None]
        clip[:, start:start + 21, 2] = seen[:, None]
    return clip


def synthetic_gestures(n: int, frames: int = 32, classes: int = len(GESTURES), seed: int = 0):
    """(clips (n,T,75,3) float32, labels (n,) iMiGUE ids, gesture index (n,))."""
    if not 2 <= classes <= len(GESTURES):
        raise ValueError(f"synthetic_gestures: classes must be in 2..{len(GESTURES)}")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, classes, n)
    clips = np.stack([synthetic_gesture_clip(int(c), frames, rng) for c in idx])
    return clips, np.array([GESTURE_IDS[c] for c in idx], np.int64), idx
