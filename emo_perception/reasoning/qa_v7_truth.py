"""Gold answers of the v7 held-out QA set: ``qa_v6_truth`` plus gaps and act counts (#16).

``holds`` accepts every formula of ``qa_v6_truth.holds`` (the bands and no-ask margins of
``qa_v3_truth``, v5's count / value / time atoms, v6's span length, overlap and the margin
on gesture presence around 0.3) and two atoms for the way a note-taker counts and spaces
things, each with its own margin so that no gold rests on a borderline number
(``Ambiguous`` otherwise):
  ("gap", a, b, x, tol): some span of gesture a ends and, x seconds later (within tol),
  a span of gesture b starts (true); every such gap, or the absence of either gesture,
  is at least 2 * tol away from x (false); a gap in between is ambiguous. Both gestures
  keep v6's presence margin.
  ("nacts", n): the set author's annotation lists exactly n speech acts (no speech:
  zero).
A list is a conjunction; ("not", f) and ("or", f, ...) combine as in ``qa_v3_truth``.
"""

from __future__ import annotations

from typing import Any

from emo_perception.reasoning import qa_v3_truth, qa_v6_truth
from emo_perception.reasoning.qa_v3_truth import Ambiguous

__all__ = ["Ambiguous", "holds", "truth"]

EXTRA = ("gap", "nacts")


def _gap(formula: tuple, w: dict) -> bool:
    _, a, b, x, tol = formula
    if qa_v6_truth._borderline(w, (a, b)):
        raise Ambiguous(f"{formula}: a span scored near the 0.3 presence level")
    first, second = qa_v6_truth._spans(w, a), qa_v6_truth._spans(w, b)
    if not first or not second:
        return False
    return qa_v3_truth.any_of(
        [lambda g=g, h=h: qa_v6_truth._near(abs(h["start"] - g["end"] - x), tol)
         for g in first for h in second], formula)


def holds(formula: Any, w: dict) -> bool:
    """Truth of ``formula`` in window ``w``; raises ``Ambiguous`` near any edge."""
    if isinstance(formula, list):
        return all([holds(f, w) for f in formula])  # evaluate all: any ambiguity counts
    op = formula[0]
    if op == "not":
        return not holds(formula[1], w)
    if op == "or":
        return qa_v3_truth.any_of([lambda f=f: holds(f, w) for f in formula[1:]], formula)
    if op == "gap":
        return _gap(formula, w)
    if op == "nacts":
        acts = w.get("meta", {}).get("acts", []) if w["evidence"]["transcript"].strip() \
            else []
        return len(acts) == formula[1]
    return qa_v6_truth.holds(formula, w)


def truth(formula: Any, w: dict) -> bool | None:
    """``holds`` with None for an ambiguous formula."""
    try:
        return holds(formula, w)
    except Ambiguous:
        return None
