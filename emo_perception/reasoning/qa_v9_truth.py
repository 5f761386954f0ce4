"""Gold answers of the v9 held-out QA set: ``qa_v8_truth`` plus end-as-a-fraction (#16).

``holds`` accepts every formula of ``qa_v8_truth.holds`` (the bands and no-ask margins of
``qa_v3_truth``, v5's count / value / time atoms, v6's span length, overlap and presence
margin, v7's gap and speech-act count, v8's start fraction, share of the window and word
count) and one atom for the way a speaker puts the end of a movement as a rough share of
the clip ("wrapped up about three quarters of the way through"), with its own margin so
that no gold rests on a borderline number (``Ambiguous`` otherwise):
  ("frac_end", gesture, f, tol): a span of that gesture ends f of the way into the
  window (f and tol as fractions of its length, within tol: true); every end at least
  2 * tol away, or no span (false); in between ambiguous.
The atom keeps v6's presence margin around 0.3. A list is a conjunction; ("not", f) and
("or", f, ...) combine as in ``qa_v3_truth``.
"""

from __future__ import annotations

from typing import Any

from emo_perception.reasoning import qa_v3_truth, qa_v6_truth, qa_v8_truth
from emo_perception.reasoning.qa_v3_truth import Ambiguous

__all__ = ["Ambiguous", "holds", "truth"]

EXTRA = ("frac_end",)


def _frac_end(formula: tuple, w: dict) -> bool:
    _, name, f, tol = formula
    if qa_v6_truth._borderline(w, (name,)):
        raise Ambiguous(f"{formula}: a span scored near the 0.3 presence level")
    ev = w["evidence"]
    dur, t0 = ev["duration_s"], ev.get("start", 0.0)
    spans = qa_v6_truth._spans(w, name)
    if not spans:
        return False
    return qa_v3_truth.any_of(
        [lambda g=g: qa_v6_truth._near(abs((g["end"] - t0) / dur - f), tol)
         for g in spans], formula)


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
        return _frac_end(formula, w)
    return qa_v8_truth.holds(formula, w)


def truth(formula: Any, w: dict) -> bool | None:
    """``holds`` with None for an ambiguous formula."""
    try:
        return holds(formula, w)
    except Ambiguous:
        return None
