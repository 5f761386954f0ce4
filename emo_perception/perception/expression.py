"""EMFACS expression scores from Action Unit probabilities.

For every emotion the soft score of a prototype is the mean probability of its AUs
(AUs this estimator cannot see, such as AU16, are left out of the mean); an emotion
scores its best prototype or variant. Contempt is unilateral 12+14, so its score is
scaled by the absolute lip-corner asymmetry. ``neutral`` scores ``1 - max(emotion
scores)``: it wins when no prototype is active. A softmax with a temperature turns
the scores into the label distribution. Valence and arousal are the probability-weighted
mean of each label's circumplex position (``CIRCUMPLEX``), and confidence is the top
probability times the fraction of the winning prototype's AUs that were observed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.labels import EMFACS_PROTOTYPES, expression_labels
from emo_perception.perception.types import ActionUnitEstimate, FaceAffect

# Approximate (valence, arousal) of each label on Russell's circumplex, both in -1..1;
# placements follow the usual circumplex diagrams (pleasant/unpleasant on x, activated/
# deactivated on y) and are our reading of them, not measured values.
CIRCUMPLEX: dict[str, tuple[float, float]] = {
    "neutral": (0.0, 0.0),
    "happiness": (0.8, 0.4),
    "surprise": (0.2, 0.8),
    "fear": (-0.6, 0.7),
    "anger": (-0.6, 0.6),
    "disgust": (-0.7, 0.3),
    "sadness": (-0.7, -0.4),
    "contempt": (-0.5, 0.2),
}


@dataclass
class ExpressionConfig:
    """Settings of :class:`ExpressionEstimator`."""

    label_set: str = setting("basic7", "expression label set: basic7 or basic8 (EMFACS has no "
                             "prototypes for the mafw11 extras)", choices=("basic7", "basic8"))
    temperature: float = setting(0.15,
                                 "softmax temperature over EMFACS scores (smaller = peakier)",
                                 range=(0.001, 10.0))
    neutral_bias: float = setting(0.0, "added to the neutral score (> 0 favours neutral)",
                                  range=(-1.0, 1.0))

    def __post_init__(self) -> None:
        labels = expression_labels(self.label_set)  # raises for unknown names
        missing = [lb for lb in labels if lb != "neutral" and lb not in EMFACS_PROTOTYPES]
        if missing:
            raise ValueError(f"ExpressionConfig.label_set {self.label_set!r}: no EMFACS "
                             f"prototypes for {missing}; use 'basic7' or 'basic8'")
        check_settings(self)


def emfacs_scores(aus: list[ActionUnitEstimate]) -> dict[str, tuple[float, float]]:
    """Soft EMFACS score per emotion and the observed fraction of its best prototype."""
    prob = {a.code: a.probability for a in aus}
    asym = {a.code: a.asymmetry for a in aus}
    out: dict[str, tuple[float, float]] = {}
    for emotion, variants in EMFACS_PROTOTYPES.items():
        best, coverage = 0.0, 0.0
        for variant in variants:
            seen = [prob[c] for c in variant if c in prob]
            if not seen:
                continue
            score = float(np.mean(seen))
            if emotion == "contempt":
                score *= abs(asym.get(12, 0.0))
            if score > best:
                best, coverage = score, len(seen) / len(variant)
        out[emotion] = (best, coverage)
    return out


class ExpressionEstimator:
    """Maps a face's AU estimates to a basic-expression distribution."""

    def __init__(self, cfg: ExpressionConfig | None = None) -> None:
        self.cfg = cfg or ExpressionConfig()
        self.labels: tuple[str, ...] = expression_labels(self.cfg.label_set)

    def estimate(self, track_id: str, stamp: float,
                 aus: list[ActionUnitEstimate]) -> FaceAffect:
        """Expression distribution, valence, arousal and confidence of one face.

        With no AUs (no usable mesh) the result is neutral with confidence 0.
        """
        labels = self.labels
        if not aus:
            probs = np.zeros(len(labels))
            probs[labels.index("neutral")] = 1.0
            return FaceAffect(track_id, stamp, [], labels, probs, 0.0, 0.0, 0.0)
        scores = emfacs_scores(aus)
        top_emotion = max((scores[lb][0] for lb in labels if lb != "neutral"), default=0.0)
        raw = np.array([
            min(1.0, max(0.0, 1.0 - top_emotion + self.cfg.neutral_bias)) if lb == "neutral"
            else scores[lb][0] for lb in labels])
        logits = raw / self.cfg.temperature
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        valence = float(sum(p * CIRCUMPLEX[lb][0] for lb, p in zip(labels, probs)))
        arousal = float(sum(p * CIRCUMPLEX[lb][1] for lb, p in zip(labels, probs)))
        top = labels[int(np.argmax(probs))]
        coverage = 1.0 if top == "neutral" else scores[top][1]
        confidence = float(np.max(probs)) * coverage
        if not (math.isfinite(valence) and math.isfinite(arousal)):
            raise ValueError("non-finite AU probabilities reached the expression stage")
        return FaceAffect(track_id, stamp, list(aus), labels, probs, valence, arousal,
                          confidence)
