"""Geometric facial Action Unit estimates from a mediapipe 478-point face mesh.

Each face is brought into a frontal frame (see :mod:`geometry`): scale, in-plane rotation
and, as far as mediapipe's depth allows, yaw and pitch are removed, and distances are in
units of the outer eye-corner distance. A handful of measures (brow heights, eye
opening, cheek height, lip-corner height and mouth width, lip thickness, ...) are taken
per face and turned into z-scores against a neutral reference: a population reference
(median and robust spread over the scikit-image LFW subset) by default, or a person's
own neutral baseline once calibrated. Each AU combines one or a few z-scores into an
activation ``a`` and reports ``p = 1 / (1 + exp(-(a - z_center) / z_width))``. Lips part
(AU25) and eyes closed (AU43/45) are absolute states and use fixed thresholds on the
measure itself. Definitions are documented in docs/action_units.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.perception.geometry import euler_from_rotation, frontalize
from emo_perception.perception.types import ActionUnitEstimate, Face

SUPPORTED_AUS: tuple[int, ...] = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26,
                                  43, 45)

# Neutral reference: median and robust spread (1.4826 * MAD) of each measure over the
# mediapipe meshes of the 99 LFW faces in skimage.data.lfw_subset() (upscaled to 200 px).
# LFW holds every-day expressions, so this is a population reference, not a strict
# neutral; per-person calibration replaces the medians (the spreads stay).
POPULATION_NEUTRAL: dict[str, tuple[float, float]] = {
    "brow_gap": (0.2987, 0.0254),
    "cheek": (0.3165, 0.0237),
    "chin": (0.3913, 0.0513),
    "corner_depth": (0.1768, 0.0227),
    "corner_nose": (0.2660, 0.0463),
    "corner_rel": (-0.0068, 0.0210),
    "eye_open": (0.2518, 0.0490),
    "inner_brow": (0.2085, 0.0304),
    "jaw": (0.7774, 0.0487),
    "lip_gap": (0.0466, 0.0599),
    "lip_nose": (0.1470, 0.0413),
    "lip_thick": (0.1656, 0.0332),
    "lower_lid": (0.0230, 0.0092),
    "mouth_w": (0.5456, 0.0936),
    "nose_eye": (0.3891, 0.0263),
    "outer_brow": (0.1506, 0.0224),
    "upper_lid": (0.0521, 0.0157),
    "half_mouth": (0.2749, 0.0527),
}

# (point indices) on the person's right (image left) and left sides.
_EYE = {"r": (33, 133), "l": (263, 362)}  # outer, inner corner
_UPPER_LID = {"r": (159, 158, 160), "l": (386, 385, 387)}
_LOWER_LID = {"r": (145, 144, 153), "l": (374, 373, 380)}
_INNER_BROW = {"r": (107, 55), "l": (336, 285)}
_OUTER_BROW = {"r": (70, 46), "l": (300, 276)}
_CHEEK = {"r": (205, 117), "l": (425, 346)}
_ALA = {"r": 129, "l": 358}
_CORNER = {"r": 61, "l": 291}
_UPPER_LIP_TOP, _UPPER_LIP_IN, _LOWER_LIP_IN, _LOWER_LIP_BOTTOM = 0, 13, 14, 17
_SUBNASALE, _CHIN = 2, 152


def side_measures(f: np.ndarray, side: str) -> dict[str, float]:
    """Per-side geometric measures of a frontalized mesh (template units, y down)."""
    outer, inner = f[_EYE[side][0]], f[_EYE[side][1]]
    corner_y = (outer[1] + inner[1]) / 2.0
    upper = f[list(_UPPER_LID[side])].mean(axis=0)
    lower = f[list(_LOWER_LID[side])].mean(axis=0)
    width = float(np.hypot(*(outer[:2] - inner[:2])))
    mid_x = (f[_UPPER_LIP_TOP][0] + f[_LOWER_LIP_BOTTOM][0]) / 2.0
    lip_mid_y = (f[_UPPER_LIP_IN][1] + f[_LOWER_LIP_IN][1]) / 2.0
    mid_z = (f[_UPPER_LIP_TOP][2] + f[_LOWER_LIP_BOTTOM][2]) / 2.0
    corner = f[_CORNER[side]]
    return {
        "inner_brow": float(inner[1] - f[list(_INNER_BROW[side])][:, 1].mean()),
        "outer_brow": float(outer[1] - f[list(_OUTER_BROW[side])][:, 1].mean()),
        "eye_open": float((lower[1] - upper[1]) / width) if width > 0 else 0.0,
        "upper_lid": float(corner_y - upper[1]),
        "lower_lid": float(lower[1] - corner_y),
        "cheek": float(f[list(_CHEEK[side])][:, 1].mean() - outer[1]),
        "nose_eye": float(f[_ALA[side]][1] - inner[1]),
        "corner_nose": float(corner[1] - f[_SUBNASALE][1]),
        "corner_rel": float(lip_mid_y - corner[1]),
        "half_mouth": float(abs(corner[0] - mid_x)),
        "corner_depth": float(corner[2] - mid_z),
    }


def face_measures(f: np.ndarray) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """All measures of a frontalized mesh: (both-side means and midline, per side)."""
    sides = {s: side_measures(f, s) for s in ("r", "l")}
    both = {k: (sides["r"][k] + sides["l"][k]) / 2.0 for k in sides["r"]}
    both["brow_gap"] = float(f[list(_INNER_BROW["l"])][:, 0].mean()
                             - f[list(_INNER_BROW["r"])][:, 0].mean())
    both["mouth_w"] = float(f[_CORNER["l"]][0] - f[_CORNER["r"]][0])
    both["lip_nose"] = float(f[_UPPER_LIP_TOP][1] - f[_SUBNASALE][1])
    both["lip_thick"] = float((f[_UPPER_LIP_IN][1] - f[_UPPER_LIP_TOP][1])
                              + (f[_LOWER_LIP_BOTTOM][1] - f[_LOWER_LIP_IN][1]))
    both["lip_gap"] = float(f[_LOWER_LIP_IN][1] - f[_UPPER_LIP_IN][1])
    both["jaw"] = float(f[_CHIN][1] - f[_SUBNASALE][1])
    both["chin"] = float(f[_CHIN][1] - f[_LOWER_LIP_BOTTOM][1])
    del both["half_mouth"]
    return both, sides


def _pos(x: float) -> float:
    return x if x > 0.0 else 0.0


def _sigmoid(x: float) -> float:
    if x < -60.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


def activations(z: dict[str, float]) -> dict[int, float]:
    """Signed AU activations (in population standard deviations) from measure z-scores.

    Positive means the AU's movement; see docs/action_units.md for each definition.
    """
    a12 = (-z["corner_nose"] + z["corner_rel"] + z["mouth_w"]) / 3.0
    return {
        1: z["inner_brow"],
        2: z["outer_brow"],
        4: (-z["inner_brow"] - z["brow_gap"]) / 2.0,
        5: z["upper_lid"],
        6: -z["cheek"],
        7: (-z["eye_open"] - z["lower_lid"]) / 2.0,
        # A smile lifts the nose wings too; only lift beyond the lip-corner lift counts.
        9: -z["nose_eye"] - _pos(-z["corner_nose"]),
        10: -z["lip_nose"],
        12: a12,
        14: z["corner_depth"] - _pos(a12),
        15: (z["corner_nose"] - z["corner_rel"]) / 2.0,
        17: -z["chin"],
        20: z["mouth_w"] - _pos(-z["corner_nose"]),
        23: (-z["lip_thick"] - z["mouth_w"]) / 2.0,
        24: -z["lip_thick"] - _pos(z["lip_gap"]),
        26: z["jaw"],
    }


@dataclass
class ActionUnitConfig:
    """Settings of :class:`ActionUnitEstimator` (flat, ROS-parameter friendly)."""

    z_center: float = setting(1.5, "activation (population SDs) at which p = 0.5")
    z_width: float = setting(0.5, "logistic width in SDs; smaller = sharper", range=(0.01, 10.0))
    z_full: float = setting(4.0, "activation reported as intensity 5 (FACS E)")
    lips_part_threshold: float = setting(0.03, "inner-lip gap (eye-corner units) at p = 0.5")
    lips_part_width: float = setting(0.01,
                                     "logistic width of the lips-part threshold (eye-corner "
                                     "units)",
                                     range=(0.001, 1.0))
    eyes_closed_threshold: float = setting(0.12, "lid gap / eye width at p = 0.5")
    eyes_closed_width: float = setting(0.025, "logistic width of the eyes-closed threshold",
                                       range=(0.001, 1.0))
    blink_max_s: float = setting(0.5, "closures up to this long are reported as AU45 too",
                                 range=(0.01, 10.0))
    baseline_mode: str = setting("population",
                                 "neutral reference: 'population' or 'running' (first frames of a "
                                 "track)",
                                 choices=("population", "running"))
    baseline_frames: int = setting(30, "frames a running baseline collects before use",
                                   range=(1, 100000))
    max_abs_yaw_deg: float = setting(60.0, "faces turned further than this are skipped (counted)",
                                     range=(1.0, 90.0))
    aus: list[int] = setting(list(SUPPORTED_AUS), "FACS codes to report", choices=SUPPORTED_AUS)

    def __post_init__(self) -> None:
        check_settings(self)
        if not self.z_full > self.z_center:
            raise ValueError(f"ActionUnitConfig.z_full ({self.z_full}) must exceed z_center "
                             f"({self.z_center})")
        if not self.aus:
            raise ValueError(f"aus: empty list; choose from {list(SUPPORTED_AUS)}")


class ActionUnitEstimator:
    """Per-face geometric AU probabilities and intensities, with optional baselines."""

    def __init__(self, cfg: ActionUnitConfig | None = None) -> None:
        self.cfg = cfg or ActionUnitConfig()
        self._baselines: dict[str, dict[str, float]] = {}
        self._pending: dict[str, list[dict[str, float]]] = {}
        self._closed_since: dict[str, float] = {}
        self.skipped = 0  # faces without a usable mesh (counted, not raised)
        self.last_error = ""

    def measure(self, face: Face) -> tuple[dict[str, float], dict[str, dict[str, float]],
                                           tuple[float, float, float]]:
        """Measures of one face plus its head pose (roll, pitch, yaw); ValueError if bad."""
        frontal, rot, _ = frontalize(face.mesh)
        both, sides = face_measures(frontal)
        return both, sides, euler_from_rotation(rot)

    def calibrate(self, track_id: str, faces: list[Face]) -> int:
        """Set ``track_id``'s neutral baseline to the median measures of ``faces``.

        Returns how many faces were usable; raises ValueError when none was.
        """
        rows = []
        for face in faces:
            try:
                rows.append(self.measure(face)[0])
            except ValueError:
                continue
        if not rows:
            raise ValueError(f"calibrate({track_id!r}): none of {len(faces)} faces had a mesh")
        self._baselines[track_id] = {k: float(np.median([r[k] for r in rows])) for k in rows[0]}
        self._pending.pop(track_id, None)
        return len(rows)

    def baseline(self, track_id: str) -> dict[str, float] | None:
        """The calibrated neutral measures of a track, or None (population reference)."""
        return self._baselines.get(track_id)

    def forget(self, track_id: str) -> None:
        """Drop everything kept for a track (its baseline and blink state)."""
        self._baselines.pop(track_id, None)
        self._pending.pop(track_id, None)
        self._closed_since.pop(track_id, None)

    def tracks(self) -> list[str]:
        """Tracks with state kept (baselines, pending baseline frames, blink timers)."""
        return sorted(set(self._baselines) | set(self._pending) | set(self._closed_since))

    def _zscores(self, track_id: str, both: dict[str, float]) -> dict[str, float]:
        base = self._baselines.get(track_id)
        if base is None and self.cfg.baseline_mode == "running" and track_id:
            pending = self._pending.setdefault(track_id, [])
            pending.append(both)
            if len(pending) >= self.cfg.baseline_frames:
                self._baselines[track_id] = {
                    k: float(np.median([r[k] for r in pending])) for k in both}
                del self._pending[track_id]
        z = {}
        for key, value in both.items():
            median, spread = POPULATION_NEUTRAL[key]
            ref = base[key] if base is not None else median
            z[key] = (value - ref) / spread
        return z

    def _from_activation(self, code: int, act: float) -> ActionUnitEstimate:
        cfg = self.cfg
        p = _sigmoid((act - cfg.z_center) / cfg.z_width)
        inten = 0.0
        if p >= 0.5:
            inten = 1.0 + 4.0 * min(1.0, (act - cfg.z_center) / (cfg.z_full - cfg.z_center))
        return ActionUnitEstimate(code, p, inten)

    def estimate(self, face: Face, stamp: float) -> list[ActionUnitEstimate]:
        """AU estimates of one face, in FACS-code order; [] (counted) without a usable mesh."""
        try:
            both, sides, (_, _, yaw) = self.measure(face)
        except ValueError as exc:
            self.skipped += 1
            self.last_error = str(exc)
            return []
        if abs(math.degrees(yaw)) > self.cfg.max_abs_yaw_deg:
            self.skipped += 1
            self.last_error = f"face turned {math.degrees(yaw):.0f} deg, beyond max_abs_yaw_deg"
            return []
        z = self._zscores(face.track_id, both)
        acts = activations(z)
        out: dict[int, ActionUnitEstimate] = {}
        for code, act in acts.items():
            out[code] = self._from_activation(code, act)
        # Unilateral lip-corner action (contempt) shows as left/right asymmetry.
        half_med, half_sd = POPULATION_NEUTRAL["half_mouth"]
        cn_med, cn_sd = POPULATION_NEUTRAL["corner_nose"]
        side_act = {s: ((sides[s]["half_mouth"] - half_med) / half_sd
                        - (sides[s]["corner_nose"] - cn_med) / cn_sd) / 2.0 for s in ("r", "l")}
        asym = math.tanh((side_act["l"] - side_act["r"]) / 2.0)
        for code in (12, 14):
            est = out[code]
            out[code] = ActionUnitEstimate(code, est.probability, est.intensity, asym)
        cfg = self.cfg
        gap = both["lip_gap"]
        p25 = _sigmoid((gap - cfg.lips_part_threshold) / cfg.lips_part_width)
        out[25] = ActionUnitEstimate(25, p25, self._prob_intensity(p25))
        p43 = _sigmoid((cfg.eyes_closed_threshold - both["eye_open"]) / cfg.eyes_closed_width)
        out[43] = ActionUnitEstimate(43, p43, self._prob_intensity(p43))
        p45 = 0.0
        if p43 >= 0.5:
            since = self._closed_since.setdefault(face.track_id, stamp)
            if stamp - since <= cfg.blink_max_s:
                p45 = p43
        else:
            self._closed_since.pop(face.track_id, None)
        out[45] = ActionUnitEstimate(45, p45, self._prob_intensity(p45))
        return [out[c] for c in sorted(out) if c in cfg.aus]

    @staticmethod
    def _prob_intensity(p: float) -> float:
        return 0.0 if p < 0.5 else 1.0 + 4.0 * (p - 0.5) / 0.5
