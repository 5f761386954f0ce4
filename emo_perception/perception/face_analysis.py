"""Face analysis stage: action units and expression of every meshed face in a frame.

The one place the AU backend is chosen (``au_backend``): ``geometric`` measures AUs on the
face mesh; ``learned`` runs AU-TTT on face crops of the raw frame through the inference
interface. The expression backend (``expression.backend``: geometric EMFACS rules, a
pretrained expression model on face crops, or an ensemble of both) is chosen in
:class:`~emo_perception.perception.expression.ExpressionEstimator`. ``process`` (offline)
and au_node (live) both build this stage from the same settings, so a config gives the
same backends in both; a learned model that cannot be loaded raises at construction
instead of running something else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.perception.action_units import ActionUnitConfig, ActionUnitEstimator
from emo_perception.perception.expression import ExpressionConfig, ExpressionEstimator
from emo_perception.perception.learned_action_units import LearnedActionUnitConfig
from emo_perception.perception.types import Face, FaceAffect, StageStats

AU_BACKENDS = ("geometric", "learned")
MIN_MESH_POINTS = 468


@dataclass
class AuBackendConfig:
    """Which estimator measures action units (au_node's top-level parameter)."""

    au_backend: str = setting("geometric",
                              "action-unit estimator: 'geometric' (face-mesh rules) or "
                              "'learned' (AU-TTT on face crops; needs the raw frames)",
                              choices=AU_BACKENDS)

    def __post_init__(self) -> None:
        check_settings(self)


class FaceAnalysis:
    """Faces of one frame -> one :class:`FaceAffect` per usable face, in input order."""

    def __init__(self, backend: AuBackendConfig | None = None,
                 action_units: ActionUnitConfig | None = None,
                 learned: LearnedActionUnitConfig | None = None,
                 expression: ExpressionConfig | None = None) -> None:
        self.backend = (backend or AuBackendConfig()).au_backend
        self.geometric = ActionUnitEstimator(action_units)
        self.learned = None
        if self.backend == "learned":
            from emo_perception.perception.learned_action_units import \
                LearnedActionUnitEstimator

            self.learned = LearnedActionUnitEstimator(learned)
        self.expression = ExpressionEstimator(expression)
        self._stats = StageStats()

    @property
    def needs_image(self) -> bool:
        """The learned backends read face crops from the raw frame."""
        return self.learned is not None or self.expression.needs_image

    @property
    def source(self) -> str:
        return "geometric" if self.learned is None else "learned"

    @property
    def name(self) -> str:
        """AU backend as reported in diagnostics and summaries."""
        return "geometric" if self.learned is None else f"au_ttt:{self.learned.provider}"

    @property
    def expression_name(self) -> str:
        """Expression backend (and model and provider when learned)."""
        return self.expression.name

    def process(self, faces: list[Face], stamp: float,
                image: np.ndarray | None = None) -> list[FaceAffect]:
        """AUs and expression of each face that has a mesh and a track id. A face whose
        estimate fails is counted in :meth:`stats` and left out, never raised."""
        usable = [f for f in faces if f.track_id and f.mesh is not None
                  and len(f.mesh) >= MIN_MESH_POINTS]
        self._stats.skipped += len(faces) - len(usable)
        if not usable:
            return []
        learned: dict = {}
        if self.needs_image and image is None:
            self._stats.error("learned AUs/expression: the frame of these faces is missing")
            self._stats.skipped += len(usable)
            return []
        expr_rows = None
        if self.expression.needs_image:
            try:
                expr_rows = self.expression.learned_batch(image, usable)
            except (ValueError, RuntimeError) as exc:
                self._stats.error(f"learned expression: {exc}")
                return []
        if self.learned is not None:
            try:
                learned = self.learned.estimate(image, usable)
            except (ValueError, RuntimeError) as exc:
                self._stats.error(f"learned AUs: {exc}")
                return []
        out: list[FaceAffect] = []
        for i, face in enumerate(usable):
            try:
                if self.learned is not None:
                    if face.track_id not in learned:
                        self._stats.skipped += 1
                        continue
                    aus = learned[face.track_id]
                else:
                    aus = self.geometric.estimate(face, stamp)
                out.append(self.expression.estimate(
                    face.track_id, stamp, aus,
                    None if expr_rows is None else expr_rows[i]))
            except (ValueError, FloatingPointError, KeyError) as exc:
                self._stats.error(f"face {face.track_id}: {exc}")
                continue
            self._stats.processed += 1
        return out

    def forget(self, track_id: str) -> None:
        self.geometric.forget(track_id)

    def tracks(self) -> list[str]:
        """Tracks whose state (running baselines) the stage holds."""
        return self.geometric.tracks()

    def stage_stats(self) -> StageStats:
        s = self._stats
        return StageStats(s.processed, s.skipped + self.geometric.skipped, s.rejected,
                          s.errors, s.last_error or self.geometric.last_error)
