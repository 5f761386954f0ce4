"""Gold answers of the v6 held-out QA set: ``qa_v5_truth`` plus span lengths and overlaps.

``holds`` accepts every formula of ``qa_v5_truth.holds`` (the bands and no-ask margins of
``qa_v3_truth`` and v5's count / value / time-in-seconds atoms) and two atoms for the way
people talk about how long and "while", each with its own margin so that no gold rests on
a borderline number (``Ambiguous`` otherwise):
  ("lasts", gesture, x, tol): a span of that gesture (score >= 0.3) lasts within tol
  seconds of x (true); none does, every one at least 2 * tol away (false);
  ("overlap", a, b, m): a span of gesture a and a span of gesture b share at least m
  seconds (true); no span of either, or every pair is apart by a gap of at least m
  seconds (false); a shorter overlap or gap is ambiguous.
It also puts a no-ask margin on gesture presence, which ``qa_v3_truth`` reads as a bare
score >= 0.3 (``gesture_threshold``): a span scored within ``GEST_EDGE`` of 0.3 makes
every atom that names its gesture ambiguous ("gest", "earlier", "starts", "ends",
"lasts", "overlap"), makes "ngest" ambiguous, and makes ("has", "body") ambiguous when no
span of the window clears 0.3 + ``GEST_EDGE``.
A list is a conjunction; ("not", f) and ("or", f, ...) combine as in ``qa_v3_truth``.
"""

from __future__ import annotations

from typing import Any

from emo_perception.reasoning import qa_v3_truth, qa_v5_truth
from emo_perception.reasoning.qa_v3_truth import Ambiguous

EXTRA = ("lasts", "overlap")
GEST_EDGE = 0.08
NAMED = {"gest": 1, "starts": 1, "ends": 1, "lasts": 1, "earlier": 2, "overlap": 2}


def _spans(w: dict, name: str) -> list[dict]:
    return [g for g in w["evidence"]["micro_gestures"]
            if g["name"] == name and g["score"] >= 0.3]


def _near(d: float, tol: float) -> bool:
    if d <= tol:
        return True
    if d >= 2 * tol:
        return False
    raise Ambiguous(f"distance {d} vs tolerance {tol}")


def _overlap(a: dict, b: dict, m: float) -> bool:
    shared = min(a["end"], b["end"]) - max(a["start"], b["start"])  # < 0: a gap
    if shared >= m:
        return True
    if shared <= -m:
        return False
    raise Ambiguous(f"{a['name']} and {b['name']} share {shared:.2f} s")


def _borderline(w: dict, names: tuple | None = None) -> list[dict]:
    return [g for g in w["evidence"]["micro_gestures"]
            if abs(g["score"] - 0.3) < GEST_EDGE and (names is None or g["name"] in names)]


def _check_presence(formula: tuple, w: dict) -> None:
    """Raise ``Ambiguous`` when the atom rests on a gesture scored near 0.3."""
    op = formula[0]
    if op in NAMED:
        names = tuple(formula[1:1 + NAMED[op]])
        if _borderline(w, names):
            raise Ambiguous(f"{formula}: a span scored near the 0.3 presence level")
    elif op == "ngest" and _borderline(w):
        raise Ambiguous(f"{formula}: a span scored near the 0.3 presence level")
    elif formula == ("has", "body") and _borderline(w) and not any(
            g["score"] >= 0.3 + GEST_EDGE for g in w["evidence"]["micro_gestures"]):
        raise Ambiguous(f"{formula}: body presence rests on a span near 0.3")


def _extra(formula: tuple, w: dict) -> bool:
    op = formula[0]
    if op == "lasts":
        spans = _spans(w, formula[1])
        if not spans:
            return False
        return qa_v3_truth.any_of(
            [lambda g=g: _near(abs(g["end"] - g["start"] - formula[2]), formula[3])
             for g in spans], formula)
    if op == "overlap":
        a, b = _spans(w, formula[1]), _spans(w, formula[2])
        if not a or not b:
            return False
        return qa_v3_truth.any_of(
            [lambda x=x, y=y: _overlap(x, y, formula[3]) for x in a for y in b], formula)
    raise ValueError(f"unknown formula {formula!r}")


def holds(formula: Any, w: dict) -> bool:
    """Truth of ``formula`` in window ``w``; raises ``Ambiguous`` near any edge."""
    if isinstance(formula, list):
        return all([holds(f, w) for f in formula])  # evaluate all: any ambiguity counts
    op = formula[0]
    if op == "not":
        return not holds(formula[1], w)
    if op == "or":
        return qa_v3_truth.any_of([lambda f=f: holds(f, w) for f in formula[1:]], formula)
    _check_presence(formula, w)
    if op in EXTRA:
        return _extra(formula, w)
    return qa_v5_truth.holds(formula, w)


def truth(formula: Any, w: dict) -> bool | None:
    """``holds`` with None for an ambiguous formula."""
    try:
        return holds(formula, w)
    except Ambiguous:
        return None
