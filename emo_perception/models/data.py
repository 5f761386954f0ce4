"""Dataset readers (BP4D/DISFA AU labels, iMiGUE/SMG skeleton clips) and generated data.

Prepared layouts (what the training scripts read)
-------------------------------------------------
AU (BP4D, DISFA): a folder with
  ``crops.npy``  uint8 (N, S, S, 3) RGB face crops (S = model image size, 112 default);
  ``rois.npy``   float32 (N, 2*A, 2) AU region centres in crop coordinates [0, 1], from
                 ``au_ttt.au_rois_from_mesh(face.mesh, crop_box, aus)``;
  ``labels.csv`` header ``index,subject,AU1,AU2,...`` (one row per crop; values 0/1, and
                 9 or -1 for "not coded", which the loss masks).
  To produce it: run our landmark stage (face mesh, 478 points) on every frame, cut the
  square face crop around the mesh, resize to S, and save mesh-derived ROIs with it. The
  label columns come from the original files, read by :func:`read_bp4d_au_csv` (BP4D
  ``AUCoding`` CSV: first column frame number, columns ``1..`` AU codes, 9 = unknown) or
  :func:`read_disfa_au_dir` (DISFA ``SNxxx_auN.txt`` lines ``frame,intensity``;
  occurrence = intensity >= 2, the usual convention).

Skeleton micro-gestures (iMiGUE, SMG): a folder with
  ``clips.npy``  float32 (N, T, 75, 3): per frame 33 pose landmarks (mediapipe order),
                 then 21 left-hand and 21 right-hand landmarks (the person's own sides);
                 channels x, y (image-normalised [0, 1]) and visibility (pose visibility;
                 1 for detected hand points; 0 and x = y = 0 for anything missing).
                 T = 32: each annotated clip resampled uniformly to 32 frames.
  ``labels.csv`` header ``index,label`` with 0-based class ids (iMiGUE 0..31, SMG 0..16).
  To produce it: run our landmark stage (pose + hands) on each clip's frames, build each
  frame with :func:`skeleton_frame` from the ``Body`` (keypoints in pixels, hands), and
  resample with :func:`resample_clip`.
"""

from __future__ import annotations

import csv
import pathlib
import re
from dataclasses import dataclass

import numpy as np

NUM_JOINTS = 75


@dataclass
class AUData:
    """Prepared AU data: crops (N,S,S,3) uint8, rois (N,2A,2), labels (N,A) int, AU codes."""

    crops: np.ndarray
    rois: np.ndarray
    labels: np.ndarray
    aus: tuple[int, ...]
    subjects: np.ndarray | None = None


@dataclass
class ClipData:
    """Prepared skeleton clips: (N,T,75,3) float32 and (N,) int labels."""

    clips: np.ndarray
    labels: np.ndarray


def _require(path: pathlib.Path) -> pathlib.Path:
    if not path.exists():
        raise FileNotFoundError(f"missing dataset file: {path}")
    return path


def load_au_folder(root: str | pathlib.Path, aus: tuple[int, ...]) -> AUData:
    """Read a prepared AU folder (layout in the module docstring) for the given AU list."""
    root = pathlib.Path(root)
    crops = np.load(_require(root / "crops.npy"), mmap_mode="r")
    rois = np.load(_require(root / "rois.npy")).astype(np.float32)
    with open(_require(root / "labels.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    if len(rows) != len(crops) or len(rois) != len(crops):
        raise ValueError(
            f"{root}: {len(crops)} crops, {len(rois)} rois and {len(rows)} label rows differ"
        )
    missing = [a for a in aus if f"AU{a}" not in (rows[0] if rows else {})]
    if missing:
        raise ValueError(f"{root / 'labels.csv'}: no columns for AUs {missing}")
    labels = np.array([[int(float(r[f"AU{a}"])) for a in aus] for r in rows], np.int64)
    labels[(labels != 0) & (labels != 1)] = -1
    if rois.shape[1:] != (2 * len(aus), 2):
        raise ValueError(
            f"{root / 'rois.npy'}: shape {rois.shape}, expected (N, {2 * len(aus)}, 2)"
        )
    subjects = np.array([r.get("subject", "") for r in rows])
    return AUData(np.asarray(crops), rois, labels, tuple(aus), subjects)


def read_bp4d_au_csv(path: str | pathlib.Path, aus: tuple[int, ...]) -> dict[int, np.ndarray]:
    """BP4D AUCoding CSV -> {frame: (A,) labels}; 9 (not coded) becomes -1."""
    with open(_require(pathlib.Path(path)), newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        cols = {int(h): i for i, h in enumerate(header[1:], start=1) if h.isdigit()}
        missing = [a for a in aus if a not in cols]
        if missing:
            raise ValueError(f"{path}: no columns for AUs {missing}")
        out = {}
        for row in reader:
            if not row:
                continue
            lab = np.array([int(float(row[cols[a]])) for a in aus], np.int64)
            lab[(lab != 0) & (lab != 1)] = -1
            out[int(float(row[0]))] = lab
    return out


def read_disfa_au_dir(folder: str | pathlib.Path, aus: tuple[int, ...],
                      threshold: int = 2) -> dict[int, np.ndarray]:
    """DISFA per-AU intensity files ``*_auN.txt`` in one subject folder -> {frame: labels}."""
    folder = _require(pathlib.Path(folder))
    per_au: dict[int, dict[int, int]] = {}
    for f in folder.glob("*_au*.txt"):
        m = re.search(r"_au(\d+)\.txt$", f.name)
        if not m:
            continue
        vals = {}
        for line in f.read_text().splitlines():
            parts = line.replace(" ", "").split(",")
            if len(parts) >= 2 and parts[0].isdigit():
                vals[int(parts[0])] = int(float(parts[1]))
        per_au[int(m.group(1))] = vals
    missing = [a for a in aus if a not in per_au]
    if missing:
        raise ValueError(f"{folder}: no intensity files for AUs {missing}")
    frames = sorted(set.intersection(*(set(per_au[a]) for a in aus)))
    return {
        fr: np.array([int(per_au[a][fr] >= threshold) for a in aus], np.int64) for fr in frames
    }


def load_clip_folder(root: str | pathlib.Path, num_classes: int) -> ClipData:
    """Read a prepared skeleton-clip folder (layout in the module docstring)."""
    root = pathlib.Path(root)
    clips = np.load(_require(root / "clips.npy")).astype(np.float32)
    if clips.ndim != 4 or clips.shape[2:] != (NUM_JOINTS, 3):
        raise ValueError(f"{root / 'clips.npy'}: shape {clips.shape}, expected (N, T, 75, 3)")
    with open(_require(root / "labels.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    if len(rows) != len(clips):
        raise ValueError(f"{root}: {len(clips)} clips but {len(rows)} label rows")
    labels = np.array([int(r["label"]) for r in rows], np.int64)
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise ValueError(f"{root / 'labels.csv'}: labels {sorted(set(bad.tolist()))[:5]} "
                         f"outside 0..{num_classes - 1}")
    return ClipData(clips, labels)


def skeleton_frame(pose_px: np.ndarray | None, hands: dict[str, np.ndarray],
                   width: int, height: int,
                   pose_visibility: np.ndarray | None = None) -> np.ndarray:
    """One (75, 3) frame from landmark-stage output in pixels.

    ``pose_px`` (33, 2|3) pose keypoints or None; ``hands`` maps "left"/"right" to (21, 2|3)
    keypoints in pixels. Missing parts stay zero with visibility 0.
    """
    out = np.zeros((NUM_JOINTS, 3), np.float32)
    scale = np.array([width, height], np.float32)
    if pose_px is not None:
        out[:33, :2] = np.asarray(pose_px, np.float32)[:, :2] / scale
        out[:33, 2] = 1.0 if pose_visibility is None else pose_visibility
    for side, start in (("left", 33), ("right", 54)):
        if side in hands and hands[side] is not None:
            out[start:start + 21, :2] = np.asarray(hands[side], np.float32)[:, :2] / scale
            out[start:start + 21, 2] = 1.0
    return out


def resample_clip(frames: np.ndarray, length: int = 32) -> np.ndarray:
    """Uniformly resample a (n, 75, 3) clip to ``length`` frames (nearest frame)."""
    if len(frames) == 0:
        raise ValueError("resample_clip: empty clip")
    idx = np.round(np.linspace(0, len(frames) - 1, length)).astype(int)
    return np.asarray(frames, np.float32)[idx]
