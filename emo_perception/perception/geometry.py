"""Small geometry helpers shared by the geometric AU and micro-gesture stages.

The face-mesh helpers bring a mediapipe 478-point mesh into a canonical frontal frame:
a similarity transform (rotation, uniform scale, translation; Umeyama's closed form)
fitted on points that expressions barely move (forehead, nose bridge, eye corners,
face sides) maps the mesh onto a frontal template whose unit is the distance between
the outer eye corners. Measures taken in that frame are invariant to image scale,
in-plane rotation and, to the extent mediapipe's depth is right, to yaw and pitch.
"""

from __future__ import annotations

import math

import numpy as np

MESH_POINTS = 478

# Rigid anchor points (mediapipe face-mesh indices): forehead midline, nose bridge and
# tip, eye corners and cheekbone/temple sides. Brows, nose wings, lids, lips and chin
# are left out because the action units move them.
STABLE_POINTS: tuple[int, ...] = (
    10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 33, 133, 362, 263, 127, 356, 234, 454,
)

# Frontal template of the stable points, derived once by generalised Procrustes over
# mediapipe meshes of the LFW subset shipped with scikit-image plus matplotlib's
# grace_hopper photo, then mirrored to be left-right symmetric. Frame: x to the image
# right (the person's left), y down, z away from the camera; unit = outer eye-corner
# distance (points 33-263); origin at the anchors' centroid.
FRONTAL_TEMPLATE = np.array([
    (0.000, -0.683, -0.042),  # 10
    (0.000, -0.506, -0.094),  # 151
    (0.000, -0.313, -0.137),  # 9
    (0.000, -0.216, -0.132),  # 8
    (0.000, -0.130, -0.135),  # 168
    (0.000, -0.046, -0.188),  # 6
    (0.000, 0.030, -0.247),  # 197
    (0.000, 0.100, -0.308),  # 195
    (0.000, 0.175, -0.373),  # 5
    (0.000, 0.268, -0.407),  # 4
    (0.000, 0.343, -0.391),  # 1
    (-0.500, -0.065, 0.091),  # 33
    (-0.203, -0.055, 0.034),  # 133
    (0.203, -0.055, 0.034),  # 362
    (0.500, -0.065, 0.091),  # 263
    (-0.776, 0.017, 0.606),  # 127
    (0.776, 0.017, 0.606),  # 356
    (-0.771, 0.187, 0.641),  # 234
    (0.771, 0.187, 0.641),  # 454
], dtype=np.float64)


def umeyama(src: np.ndarray, dst: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Least-squares similarity ``dst ~ scale * R @ src + t`` for (N, 3) point sets.

    Returns ``(scale, R, t)`` with ``R`` a proper rotation (det +1).
    """
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    a, b = src - mu_s, dst - mu_d
    u, d, vt = np.linalg.svd(b.T @ a / len(src))
    fix = np.eye(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        fix[2, 2] = -1.0  # reflection would otherwise fit a mirrored face
    rot = u @ fix @ vt
    var = float((a ** 2).sum() / len(src))
    scale = float(np.trace(np.diag(d) @ fix) / var) if var > 0 else 0.0
    return scale, rot, mu_d - scale * rot @ mu_s


def check_mesh(mesh: object) -> np.ndarray:
    """Return ``mesh`` as a float (478, 3) array or raise ValueError saying what is wrong."""
    arr = np.asarray(mesh, dtype=np.float64) if mesh is not None else None
    if arr is None or arr.ndim != 2 or arr.shape[0] != MESH_POINTS or arr.shape[1] < 3:
        shape = None if arr is None else arr.shape
        raise ValueError(f"face mesh must be ({MESH_POINTS}, 3) pixels "
                         f"(mediapipe refine_landmarks=True), got {shape}")
    if not np.all(np.isfinite(arr[:, :3])):
        raise ValueError("face mesh contains non-finite coordinates")
    return arr[:, :3]


def frontalize(mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Map a (478, 3) pixel mesh into the frontal template frame.

    Returns ``(frontal, R, scale)``: the mesh in template units (outer eye-corner
    distance = 1), the rotation from image to template frame and the pixel-to-unit
    scale. Raises ValueError for degenerate meshes (all points together).
    """
    pts = check_mesh(mesh)
    src = pts[list(STABLE_POINTS)]
    scale, rot, t = umeyama(src, FRONTAL_TEMPLATE)
    if not scale > 0 or not math.isfinite(scale):
        raise ValueError("degenerate face mesh: anchor points do not span a face")
    return (scale * (rot @ pts.T)).T + t, rot, scale


def euler_from_rotation(rot: np.ndarray) -> tuple[float, float, float]:
    """Head pose ``(roll, pitch, yaw)`` in radians of the image-to-template rotation.

    The face's orientation in the image is the inverse rotation; angles follow the
    ``Face.head_pose`` convention (roll about the camera axis, pitch about x, yaw
    about y).
    """
    r = rot.T  # face orientation in camera frame
    yaw = math.asin(max(-1.0, min(1.0, -r[2, 0])))
    pitch = math.atan2(r[2, 1], r[2, 2])
    roll = math.atan2(r[1, 0], r[0, 0])
    return roll, pitch, yaw


def rotate_points_2d(points: np.ndarray, angle_rad: float,
                     center: tuple[float, float]) -> np.ndarray:
    """Rotate the x, y columns of ``points`` about ``center`` (image y down)."""
    out = np.array(points, dtype=np.float64, copy=True)
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    x = out[:, 0] - center[0]
    y = out[:, 1] - center[1]
    out[:, 0] = center[0] + c * x - s * y
    out[:, 1] = center[1] + s * x + c * y
    return out
