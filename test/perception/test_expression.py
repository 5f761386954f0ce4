"""EMFACS expression stage on AUs from real mediapipe meshes, plus its rules."""

from __future__ import annotations

import numpy as np
import pytest

from emo_perception.perception.action_units import ActionUnitEstimator
from emo_perception.perception.expression import (
    CIRCUMPLEX, ExpressionConfig, ExpressionEstimator)
from emo_perception.perception.types import ActionUnitEstimate
from test_action_units import face_of, grace_rgb, mesh_of

skdata = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def au_sets():
    est = ActionUnitEstimator()
    return {name: est.estimate(face_of(mesh_of(rgb)), 0.0)
            for name, rgb in (("astronaut", skdata.astronaut()), ("grace", grace_rgb()))}


@pytest.mark.parametrize("label_set", ["basic7", "basic8"])
def test_astronaut_is_happy_grace_is_not(au_sets, label_set):
    ex = ExpressionEstimator(ExpressionConfig(label_set=label_set))
    happy = ex.estimate("a", 1.0, au_sets["astronaut"])
    assert happy.label == "happiness"
    assert happy.valence > 0.5 and happy.confidence > 0.5
    assert abs(float(happy.probabilities.sum()) - 1.0) < 1e-9
    assert len(happy.labels) == len(happy.probabilities) == (7 if label_set == "basic7" else 8)
    other = ex.estimate("g", 1.0, au_sets["grace"])
    assert other.label != "happiness"
    assert other.label == "neutral" and abs(other.valence) < 0.2


def _aus(**p: float) -> list[ActionUnitEstimate]:
    codes = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26, 43, 45)
    return [ActionUnitEstimate(c, p.get(f"au{c}", 0.02), 0.0) for c in codes]


@pytest.mark.parametrize("emotion,active", [
    ("surprise", dict(au1=0.9, au2=0.9, au5=0.9, au26=0.9)),
    ("sadness", dict(au1=0.9, au4=0.9, au15=0.9)),
    ("anger", dict(au4=0.9, au5=0.9, au7=0.9, au23=0.9)),
    ("disgust", dict(au10=0.9, au17=0.9)),
])
def test_prototypes_map_to_their_emotion(emotion, active):
    fa = ExpressionEstimator().estimate("x", 0.0, _aus(**active))
    assert fa.label == emotion
    v, a = CIRCUMPLEX[emotion]
    assert np.sign(fa.valence) == np.sign(v)


def test_contempt_needs_a_one_sided_smile():
    ex = ExpressionEstimator(ExpressionConfig(label_set="basic8"))
    sym = [ActionUnitEstimate(a.code, a.probability, 0.0, 0.0) for a in
           _aus(au12=0.9, au14=0.9)]
    one_sided = [ActionUnitEstimate(a.code, a.probability, 0.0, 0.9 if a.code in (12, 14)
                                    else 0.0) for a in _aus(au12=0.9, au14=0.9)]
    p_sym = ex.estimate("x", 0.0, sym)
    p_one = ex.estimate("x", 0.0, one_sided)
    i = p_sym.labels.index("contempt")
    assert p_one.probabilities[i] > p_sym.probabilities[i]
    assert p_one.label == "contempt" and p_sym.label != "contempt"


def test_no_aus_is_neutral_with_zero_confidence():
    fa = ExpressionEstimator().estimate("x", 2.0, [])
    assert fa.label == "neutral" and fa.confidence == 0.0 and fa.stamp == 2.0


@pytest.mark.parametrize("kwargs", [dict(label_set="mafw11"), dict(label_set="nope"),
                                    dict(temperature=0.0)])
def test_config_validation(kwargs):
    with pytest.raises(ValueError):
        ExpressionConfig(**kwargs)
