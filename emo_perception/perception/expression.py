"""EMFACS expression scores from Action Unit probabilities.

For every emotion the soft score of a prototype is the mean probability of its AUs
(AUs this estimator cannot see, such as AU16, are left out of the mean); an emotion
scores its best prototype or variant. Contempt is unilateral 12+14, so its score is
scaled by the absolute lip-corner asymmetry. ``neutral`` scores ``1 - max(emotion
scores)``: it wins when no prototype is active. A softmax with a temperature turns
the scores into the label distribution. Valence and arousal are the probability-weighted
mean of each label's circumplex position (``CIRCUMPLEX``), and confidence is the top
probability times the fraction of the winning prototype's AUs that were observed.

``backend`` chooses where the distribution comes from: ``geometric`` (the EMFACS rules
above), ``learned`` (a pretrained expression model run on a square face crop through the
inference interface, TensorRT -> ORT CUDA -> ORT CPU: face-api's FaceExpressionNet,
converted from its npm package by ``emo-perception convert-models``), or ``ensemble``
(a weighted mean of both distributions). Every result names its ``source``; for the
ensemble it also says which of the two agreed with the label it chose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.labels import EMFACS_PROTOTYPES, expression_labels
from emo_perception.perception.types import ActionUnitEstimate, Face, FaceAffect

EXPRESSION_BACKENDS = ("geometric", "learned", "ensemble")
# Label names of the learned models (face-api, FER2013) -> ours (labels.py); neither
# has contempt.
FACEAPI_TO_BASIC = {"neutral": "neutral", "happy": "happiness", "sad": "sadness",
                    "angry": "anger", "fearful": "fear", "disgusted": "disgust",
                    "surprised": "surprise", "fear": "fear", "disgust": "disgust",
                    "surprise": "surprise"}

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
    backend: str = setting("geometric",
                           "expression estimator: 'geometric' (EMFACS rules over the AUs), "
                           "'learned' (pretrained model on face crops; needs the raw frames) "
                           "or 'ensemble' (weighted mean of both)",
                           choices=EXPRESSION_BACKENDS)
    model: str = setting("face_expression_faceapi",
                         "learned expression model: manifest name or .onnx path "
                         "(models_onnx/manifest.yaml)")
    backends: list[str] = setting(["tensorrt", "cuda", "cpu"],
                                  "inference backends of the learned model, in order of "
                                  "preference", choices=("tensorrt", "cuda", "cpu"))
    fp16: bool = setting(True, "TensorRT FP16 engine for the learned model")
    threads: int = setting(1, "onnxruntime CPU threads of the learned model (0 = default)",
                           range=(0, 64))
    crop_scale: float = setting(1.0, "square crop side for the learned model = this x the "
                                "larger side of the face mesh's bounding box",
                                range=(0.5, 3.0))
    ensemble_weight: float = setting(0.5, "weight of the learned distribution in 'ensemble' "
                                     "(the EMFACS one gets 1 - this)", range=(0.0, 1.0))

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


def _affect(track_id: str, stamp: float, aus: list[ActionUnitEstimate],
            labels: tuple[str, ...], probs: np.ndarray, confidence: float,
            source: str) -> FaceAffect:
    valence = float(sum(p * CIRCUMPLEX[lb][0] for lb, p in zip(labels, probs)))
    arousal = float(sum(p * CIRCUMPLEX[lb][1] for lb, p in zip(labels, probs)))
    if not (math.isfinite(valence) and math.isfinite(arousal)):
        raise ValueError(f"non-finite probabilities reached the expression stage ({source})")
    return FaceAffect(track_id, stamp, list(aus), labels, probs, valence, arousal,
                      confidence, source)


class ExpressionEstimator:
    """Maps a face's AU estimates (and, with a learned backend, its crop) to a
    basic-expression distribution."""

    def __init__(self, cfg: ExpressionConfig | None = None) -> None:
        self.cfg = cfg or ExpressionConfig()
        self.labels: tuple[str, ...] = expression_labels(self.cfg.label_set)
        self.learned: LearnedExpressionModel | None = None
        if self.cfg.backend != "geometric":
            self.learned = LearnedExpressionModel(self.cfg)

    @property
    def needs_image(self) -> bool:
        return self.learned is not None

    @property
    def name(self) -> str:
        """Backend as reported in diagnostics and summaries."""
        if self.learned is None:
            return "geometric"
        return f"{self.cfg.backend}:{self.learned.name}:{self.learned.provider}"

    def geometric(self, aus: list[ActionUnitEstimate]) -> tuple[np.ndarray, float]:
        """EMFACS distribution over :attr:`labels` and its confidence."""
        labels = self.labels
        scores = emfacs_scores(aus)
        top_emotion = max((scores[lb][0] for lb in labels if lb != "neutral"), default=0.0)
        raw = np.array([
            min(1.0, max(0.0, 1.0 - top_emotion + self.cfg.neutral_bias)) if lb == "neutral"
            else scores[lb][0] for lb in labels])
        logits = raw / self.cfg.temperature
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        top = labels[int(np.argmax(probs))]
        coverage = 1.0 if top == "neutral" else scores[top][1]
        return probs, float(np.max(probs)) * coverage

    def estimate(self, track_id: str, stamp: float,
                 aus: list[ActionUnitEstimate],
                 learned: np.ndarray | None = None) -> FaceAffect:
        """Expression distribution, valence, arousal and confidence of one face.

        ``learned`` is the learned model's distribution over :attr:`labels` for this face
        (:meth:`learned_batch`); the geometric backend ignores it. With neither AUs nor a
        learned distribution the result is neutral with confidence 0.
        """
        labels = self.labels
        backend = self.cfg.backend
        if backend != "geometric" and learned is None:
            raise ValueError(f"expression backend {backend!r} needs the face crop's "
                             "learned distribution")
        if backend == "learned":
            return _affect(track_id, stamp, aus, labels, learned, float(np.max(learned)),
                           "learned")
        if not aus:
            probs = np.zeros(len(labels))
            probs[labels.index("neutral")] = 1.0
            if backend == "ensemble":
                return _affect(track_id, stamp, aus, labels, learned,
                               float(np.max(learned)), "ensemble:learned")
            return FaceAffect(track_id, stamp, [], labels, probs, 0.0, 0.0, 0.0, "geometric")
        geo, geo_conf = self.geometric(aus)
        if backend == "geometric":
            return _affect(track_id, stamp, aus, labels, geo, geo_conf, "geometric")
        w = self.cfg.ensemble_weight
        probs = w * learned + (1.0 - w) * geo
        top = int(np.argmax(probs))
        agree = [name for name, dist in (("learned", learned), ("geometric", geo))
                 if int(np.argmax(dist)) == top]
        which = "both" if len(agree) == 2 else (agree[0] if agree else "neither")
        confidence = w * float(np.max(learned)) + (1.0 - w) * geo_conf
        return _affect(track_id, stamp, aus, labels, probs, confidence, f"ensemble:{which}")

    def learned_batch(self, image_bgr: np.ndarray, faces: list[Face]) -> np.ndarray:
        """Learned distributions over :attr:`labels`, one row per face (meshes needed)."""
        if self.learned is None:
            raise RuntimeError("the geometric expression backend has no learned model")
        return self.learned.predict(image_bgr, faces, self.labels)


class LearnedExpressionModel:
    """A pretrained expression classifier from the model manifest, on square face crops.

    The crop is the mesh's bounding box made square (``crop_scale``), cut from the raw
    frame with black outside the image (as face-api pads its detector box), resized to the
    model's input size. A model its manifest marks not fit for use is refused.
    """

    def __init__(self, cfg: ExpressionConfig) -> None:
        from emo_perception.inference import create_runner
        from emo_perception.inference.manifest import ModelFileError, resolve_model

        path, entry = resolve_model(cfg.model, "labels and preprocessing are unknown")
        if not entry.fit_for_use:
            raise ModelFileError(f"expression model {entry.name!r} is marked not fit "
                                 f"for use ({entry.notes}); run "
                                 "`emo-perception convert-models` to convert and check it")
        unknown = [lb for lb in entry.labels if lb not in FACEAPI_TO_BASIC]
        if unknown:
            raise ModelFileError(f"expression model {entry.name!r}: labels {unknown} "
                                 "have no basic-expression name")
        size = entry.preprocessing.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 8:
            raise ModelFileError(f"expression model {entry.name!r}: its manifest entry needs "
                                 f"preprocessing.size (the crop side in pixels), got {size!r}")
        self.cfg = cfg
        self.name = entry.name
        self.entry = entry
        self.size = size
        self.model_labels = tuple(FACEAPI_TO_BASIC[lb] for lb in entry.labels)
        self.runner = create_runner(path, backend_order=cfg.backends, fp16=cfg.fp16,
                                    threads=cfg.threads)
        self.provider = self.runner.provider
        self.input_name = self.runner.input_names[0]

    def crops(self, image_bgr: np.ndarray, faces: list[Face]) -> np.ndarray:
        """(N, size, size, 3) float32 RGB 0..255 crops of ``faces`` (meshes needed)."""
        from emo_perception.perception.learned_action_units import crop_face, face_crop_box

        out = np.empty((len(faces), self.size, self.size, 3), np.float32)
        for i, face in enumerate(faces):
            if face.mesh is None:
                raise ValueError(f"face {face.track_id or i}: no mesh to crop around")
            box = face_crop_box(face.mesh, self.cfg.crop_scale)
            out[i] = crop_face(image_bgr, box, self.size)
        return out

    def predict(self, image_bgr: np.ndarray, faces: list[Face],
                labels: tuple[str, ...]) -> np.ndarray:
        """Distributions over ``labels`` (labels the model lacks, e.g. contempt, get 0)."""
        if not faces:
            return np.zeros((0, len(labels)))
        probs = self.runner.run({self.input_name: self.crops(image_bgr, faces)})
        probs = np.asarray(next(iter(probs.values())), dtype=np.float64)
        out = np.zeros((len(faces), len(labels)))
        for j, lb in enumerate(self.model_labels):
            if lb in labels:
                out[:, labels.index(lb)] = probs[:, j]
        return out / out.sum(axis=1, keepdims=True)
