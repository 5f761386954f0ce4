"""Gold answers of the v8 held-out QA set: ``qa_v7_truth`` plus fractions and word counts.

``holds`` accepts every formula of ``qa_v7_truth.holds`` (the bands and no-ask margins of
``qa_v3_truth``, v5's count / value / time atoms, v6's span length, overlap and presence
margin, v7's gap and speech-act count) and three atoms for the way a note-taker puts time
as a share of the clip and counts words, each with its own margin so that no gold rests
on a borderline number (``Ambiguous`` otherwise):
  ("frac_at", gesture, f, tol): a span of that gesture starts f of the way into the
  window (f and tol as fractions of its length, within tol: true); every start at least
  2 * tol away, or no span (false); in between ambiguous.
  ("share", gesture, f, tol): the spans of that gesture cover f of the window (union of
  the spans over the window length, within tol: true; at least 2 * tol away: false; no
  span counts as 0).
  ("nwords", n, tol): the transcript has n words (within tol: true; at least 2 * tol
  away: false; no speech counts as 0 words).
Every gesture atom keeps v6's presence margin around 0.3. A list is a conjunction;
("not", f) and ("or", f, ...) combine as in ``qa_v3_truth``.
"""

from __future__ import annotations

from typing import Any

from emo_perception.reasoning import qa_v3_truth, qa_v6_truth, qa_v7_truth
from emo_perception.reasoning.qa_v3_truth import Ambiguous

__all__ = ["Ambiguous", "holds", "truth"]

EXTRA = ("frac_at", "share", "nwords")


def _presence(formula: tuple, w: dict) -> None:
    if qa_v6_truth._borderline(w, (formula[1],)):
        raise Ambiguous(f"{formula}: a span scored near the 0.3 presence level")


def _covered(spans: list[dict], lo: float, hi: float) -> float:
    """Length of the union of ``spans`` inside [lo, hi]."""
    total, end = 0.0, lo
    for g in sorted(spans, key=lambda g: g["start"]):
        a, b = max(g["start"], end), min(g["end"], hi)
        if b > a:
            total += b - a
            end = b
    return total


def _extra(formula: tuple, w: dict) -> bool:
    ev = w["evidence"]
    op = formula[0]
    if op == "nwords":
        n = len(ev["transcript"].split())
        return qa_v6_truth._near(abs(n - formula[1]), formula[2])
    _presence(formula, w)
    dur, t0 = ev["duration_s"], ev.get("start", 0.0)
    spans = qa_v6_truth._spans(w, formula[1])
    if op == "frac_at":
        if not spans:
            return False
        return qa_v3_truth.any_of(
            [lambda g=g: qa_v6_truth._near(abs((g["start"] - t0) / dur - formula[2]),
                                           formula[3]) for g in spans], formula)
    if op == "share":
        share = _covered(spans, t0, t0 + dur) / dur
        return qa_v6_truth._near(abs(share - formula[2]), formula[3])
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
    return qa_v7_truth.holds(formula, w)


def truth(formula: Any, w: dict) -> bool | None:
    """``holds`` with None for an ambiguous formula."""
    try:
        return holds(formula, w)
    except Ambiguous:
        return None
