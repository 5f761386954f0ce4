"""Gold answers of the v5 held-out QA set: ``qa_v3_truth`` plus counts and numbers (#16).

``holds`` accepts every formula of ``qa_v3_truth.holds`` (same bands, same no-ask margins)
and these extra atoms for numeric and list-style claims, each with its own margin so that
no gold rests on a borderline number (``Ambiguous`` otherwise):
  ("ngest", n): exactly n micro-gesture spans with score >= 0.3;
  ("nmod", n): exactly n of the four channels (face, voice, words, body) have data;
  ("approx", ref, x, tol): the value is within tol of x (true), or at least 2 * tol away
  (false); ref is ("au", code), ("expr", label) or ("pros", feature);
  ("gt", ref, x, margin): the value is >= x + margin (true) or <= x - margin (false);
  ("starts", gesture, t, tol) / ("ends", gesture, t, tol): a span of that gesture starts /
  ends within tol seconds of t (true); none does, every one at least 2 * tol away (false).
A list is a conjunction; ("not", f) and ("or", f, ...) combine as in ``qa_v3_truth``.
"""

from __future__ import annotations

from typing import Any

from emo_perception.reasoning import qa_v3_truth
from emo_perception.reasoning.qa_v3_truth import Ambiguous

EXTRA = ("ngest", "nmod", "approx", "gt", "starts", "ends")


def _ref(w: dict, ref: tuple) -> float:
    ev = w["evidence"]
    table = {"au": ev["action_units"], "expr": ev["expression"], "pros": ev["prosody"]}[ref[0]]
    key = f"AU{ref[1]}" if ref[0] == "au" else ref[1]
    if key not in table:
        raise Ambiguous(f"{ref} not measured")
    return float(table[key])


def _near(d: float, tol: float) -> bool:
    if d <= tol:
        return True
    if d >= 2 * tol:
        return False
    raise Ambiguous(f"distance {d} vs tolerance {tol}")


def _spans(w: dict, name: str) -> list[dict]:
    return [g for g in w["evidence"]["micro_gestures"]
            if g["name"] == name and g["score"] >= 0.3]


def _extra(formula: tuple, w: dict) -> bool:
    op = formula[0]
    if op == "ngest":
        return len([g for g in w["evidence"]["micro_gestures"] if g["score"] >= 0.3]) \
            == formula[1]
    if op == "nmod":
        n = sum(qa_v3_truth.holds(("has", m), w) for m in ("face", "voice", "words", "body"))
        return n == formula[1]
    if op == "approx":
        return _near(abs(_ref(w, formula[1]) - formula[2]), formula[3])
    if op == "gt":
        v, x, m = _ref(w, formula[1]), formula[2], formula[3]
        if v >= x + m:
            return True
        if v <= x - m:
            return False
        raise Ambiguous(f"{formula}")
    if op in ("starts", "ends"):
        spans = _spans(w, formula[1])
        if not spans:
            return False
        key = "start" if op == "starts" else "end"
        return qa_v3_truth.any_of(
            [lambda g=g: _near(abs(g[key] - formula[2]), formula[3]) for g in spans], formula)
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
    if op in EXTRA:
        return _extra(formula, w)
    return qa_v3_truth.holds(formula, w)


def truth(formula: Any, w: dict) -> bool | None:
    """``holds`` with None for an ambiguous formula."""
    try:
        return holds(formula, w)
    except Ambiguous:
        return None
