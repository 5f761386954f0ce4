"""Where each action unit is looked for on a face: two face-mesh points per AU, turned
into region centres of a face crop. Plain numpy, shared by training (models/au_ttt) and
inference (perception/learned_action_units) so the ONNX path never imports torch."""

from __future__ import annotations

import numpy as np

from emo_perception.labels import BP4D_AUS

# Face-mesh (mediapipe 478) indices of two region centres per AU: approximate centres
# of the skin area each AU moves (our choice; the AU-TTT paper's regions are unpublished).
AU_MESH_POINTS: dict[int, tuple[int, int]] = {
    1: (107, 336),  # inner brows
    2: (70, 300),  # outer brows
    4: (55, 285),  # inner brow heads (glabella side)
    5: (159, 386),  # upper lids
    6: (118, 347),  # cheeks under the eyes
    7: (145, 374),  # lower lids
    9: (198, 420),  # nose sides
    10: (37, 267),  # upper lip
    12: (61, 291),  # lip corners
    14: (216, 436),  # beside the lip corners (dimples)
    15: (202, 422),  # below the lip corners
    17: (18, 200),  # chin
    20: (57, 287),  # lateral lips
    23: (0, 17),  # lip centres
    24: (13, 14),  # inner lip centres
    25: (13, 14),
    26: (17, 152),  # lower lip to chin
}


def au_rois_from_mesh(mesh: np.ndarray, box: tuple[float, float, float, float],
                      aus: tuple[int, ...] = BP4D_AUS) -> np.ndarray:
    """ROI centres (2*A, 2) in crop coordinates [0, 1] from a face mesh in pixels.

    ``mesh`` is (478, 2|3) in image pixels (``Face.mesh``); ``box`` is the crop (x, y, w, h)
    in the same pixels. Unknown AUs raise a ValueError naming the AU.
    """
    mesh = np.asarray(mesh, dtype=np.float32)
    if mesh.ndim != 2 or mesh.shape[0] < 468:
        raise ValueError(f"au_rois_from_mesh: expected a (478, 2|3) mesh, got {mesh.shape}")
    x, y, w, h = box
    if w <= 0 or h <= 0:
        raise ValueError(f"au_rois_from_mesh: empty crop box {box}")
    out = np.zeros((2 * len(aus), 2), np.float32)
    for i, au in enumerate(aus):
        if au not in AU_MESH_POINTS:
            raise ValueError(f"au_rois_from_mesh: no face-mesh region defined for AU{au}")
        for j, idx in enumerate(AU_MESH_POINTS[au]):
            out[2 * i + j] = ((mesh[idx, 0] - x) / w, (mesh[idx, 1] - y) / h)
    return np.clip(out, 0.0, 1.0)
