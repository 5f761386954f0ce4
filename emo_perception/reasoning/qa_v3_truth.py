"""Gold answers of the v3 held-out QA set, computed from evidence numbers (issue #16).

Every item of ``data/qa/heldout_v3/`` carries a small formula over the evidence window
("AU12 on", "Folding arms toward the close", ...). Its truth comes from the window's values
through the bands below, never from a reasoner, and a value near a band edge makes the
formula *ambiguous*: the generator drops (template) or refuses (hand-written) such items,
so no gold answer rests on a borderline number.

Bands (the thresholds of docs/reasoning.md, with a no-ask margin around each edge):
  expression "shown": p >= 0.25 true, p < 0.10 false; "main": top label with p >= 0.54 true,
  p < 0.10 false; intensity bands weak [0.2, 0.5), moderate [0.5, 0.7), strong >= 0.7,
  true only 0.04 inside a band, false only 0.04 outside it (p < 0.16 is no emotion at
  all, so false for every band).
  AU on: p >= 0.55 true, p < 0.25 false (``au_threshold`` 0.5 sits in the gap).
  Gesture present: a span with score >= 0.3 (``gesture_threshold``). Time, as fractions of
  the window from its start: opening = the span ends by 0.3, close = starts at 0.7 or
  later, after/before the midpoint = starts/ends on the far side of 0.5, throughout =
  covers >= 90 % (false when <= 50 %), after/before t s = starts at/after t, ends at/before
  t; a span straddling the edge is ambiguous.
  Prosody (PROSODY_RULES bounds low/high: energy_db -34/-18, speaking_rate_sps 2.5/5.5,
  f0_range_st 2/10, arousal -0.4/0.4): high = above high + 10 % of (high - low), low =
  below low - 10 %, normal = inside both bounds by 10 %; anything else ambiguous.
  Comparisons: "top" label leads every other by >= 0.1 (trails one by >= 0.1: false);
  "more" A than B by >= 0.15 (B more by >= 0.15: false); "earlier" gesture A ends before
  gesture B starts (B ends before A starts: false).
  Transcript sentiment, emotion and speech acts: the set author's annotation of the
  sentence that was synthesised (``meta`` of each window); content = a keyword of the
  claim occurs in the transcript.
"""

from __future__ import annotations

from typing import Any

PROSODY_BOUNDS = {"energy_db": (-34.0, -18.0), "speaking_rate_sps": (2.5, 5.5),
                  "f0_range_st": (2.0, 10.0), "arousal": (-0.4, 0.4)}
BANDS = {"weak": (0.2, 0.5), "moderate": (0.5, 0.7), "strong": (0.7, 1.01)}
EDGE = 0.04


class Ambiguous(Exception):
    """The evidence is too close to a threshold to give a gold answer."""


def _band(p: float, level: str) -> bool:
    lo, hi = BANDS[level]
    if lo + EDGE <= p < hi - EDGE or (level == "strong" and p >= lo + EDGE):
        return True
    if p < lo - EDGE or p >= hi + EDGE:
        return False
    raise Ambiguous(f"expression {p} near the {level} band")


def _expr(w: dict, label: str, level: str) -> bool:
    expr = w["evidence"]["expression"]
    if not expr:
        return False  # no face measured: nothing supports an emotion on the face
    p = expr.get(label, 0.0)
    if level == "shown":
        if p >= 0.25:
            return True
        if p < 0.10:
            return False
        raise Ambiguous(f"{label} {p}")
    if level == "main":
        if p >= 0.54 and max(expr, key=expr.get) == label:
            return True
        if p < 0.10:
            return False
        raise Ambiguous(f"{label} {p} as main expression")
    return _band(p, level)


def _au(w: dict, codes: tuple[int, ...]) -> bool:
    aus = w["evidence"]["action_units"]
    if not aus:
        return False
    vals = [aus[f"AU{c}"] for c in codes if f"AU{c}" in aus]
    if not vals:
        raise Ambiguous(f"AU{codes} not measured")
    if max(vals) >= 0.55:
        return True
    if max(vals) < 0.25:
        return False
    raise Ambiguous(f"AU{codes} = {max(vals)}")


def _span_when(g: dict, when: Any, dur: float, start: float) -> bool:
    a, b = (g["start"] - start) / dur, (g["end"] - start) / dur

    def side(true: bool, false: bool) -> bool:
        if true:
            return True
        if false:
            return False
        raise Ambiguous(f"{g['name']} {g['start']}-{g['end']} vs {when}")

    if when == "any":
        return True
    if when == "opening":
        return side(b <= 0.3, a >= 0.3)
    if when == "close":
        return side(a >= 0.7, b <= 0.7)
    if when == "after_mid":
        return side(a >= 0.5, b <= 0.5)
    if when == "before_mid":
        return side(b <= 0.5, a >= 0.5)
    if when == "throughout":
        return side(b - a >= 0.9, b - a <= 0.5)
    kind, t = when
    t = t / dur
    if kind == "after":
        return side(a >= t, b <= t)
    if kind == "before":
        return side(b <= t, a >= t)
    raise ValueError(f"unknown time {when!r}")


def _gesture(w: dict, name: str, when: Any) -> bool:
    ev = w["evidence"]
    spans = [g for g in ev["micro_gestures"] if g["name"] == name and g["score"] >= 0.3]
    results = []
    for g in spans:
        try:
            results.append(_span_when(g, when, ev["duration_s"], ev.get("start", 0.0)))
        except Ambiguous:
            results.append(None)
    if any(r is True for r in results):
        return True
    if all(r is False for r in results):
        return False
    raise Ambiguous(f"{name} {when}")


def _prosody(w: dict, feat: str, level: str) -> bool:
    v = w["evidence"]["prosody"].get(feat)
    if v is None:
        return False  # nothing measured supports a claim about the voice
    lo, hi = PROSODY_BOUNDS[feat]
    m = 0.1 * (hi - lo)
    if level == "high":
        if v > hi + m:
            return True
        if v < hi - m:
            return False
    elif level == "low":
        if v < lo - m:
            return True
        if v > lo + m:
            return False
    elif level == "normal":
        if lo + m < v < hi - m:
            return True
        if v > hi + m or v < lo - m:
            return False
    else:
        raise ValueError(level)
    raise Ambiguous(f"{feat} = {v} vs {level}")


def _has(w: dict, modality: str) -> bool:
    ev = w["evidence"]
    return bool({"face": ev["action_units"], "voice": ev["prosody"],
                 "words": ev["transcript"].strip(),
                 "body": [g for g in ev["micro_gestures"] if g["score"] >= 0.3]}[modality])


def _side(true: bool, false: bool, formula: Any) -> bool:
    if true:
        return True
    if false:
        return False
    raise Ambiguous(f"{formula}")


def _value(w: dict, ref: tuple) -> float:
    ev = w["evidence"]
    table = ev["action_units"] if ref[0] == "au" else ev["expression"]
    key = f"AU{ref[1]}" if ref[0] == "au" else ref[1]
    if key not in table:
        raise Ambiguous(f"{ref} not measured")
    return table[key]


def _spans(w: dict, name: str) -> list[dict]:
    return [g for g in w["evidence"]["micro_gestures"] if g["name"] == name
            and g["score"] >= 0.3]


def any_of(checks: list, formula: Any) -> bool:
    """Three-valued "or" over ``checks`` (callables that may raise ``Ambiguous``): True if
    one holds, False if every one is false, otherwise ``Ambiguous``."""
    vals = []
    for check in checks:
        try:
            vals.append(check())
        except Ambiguous:
            vals.append(None)
    if any(v is True for v in vals):
        return True
    if all(v is False for v in vals):
        return False
    raise Ambiguous(f"{formula}")


def holds(formula: Any, w: dict) -> bool:
    """Truth of ``formula`` in window ``w`` ({"evidence", "meta"}); raises Ambiguous.

    A list is a conjunction; ("not", f), ("or", f, g, ...) combine; atoms:
    ("expr", label, shown|main|weak|moderate|strong), ("au", (codes,)),
    ("gest", name, when), ("pros", feature, high|low|normal), ("has", modality),
    ("says", (keywords,)), ("act", act), ("tone", sentiment), ("temo", emotion),
    ("top", label) (leads every other label by >= 0.1), ("more", ref, ref) with ref
    ("au", code) or ("expr", label) (by >= 0.15), ("earlier", gesture, gesture) (the
    first ends before the second starts).
    """
    if isinstance(formula, list):
        return all([holds(f, w) for f in formula])  # evaluate all: any ambiguity counts
    op = formula[0]
    meta = w.get("meta", {})
    if op == "not":
        return not holds(formula[1], w)
    if op == "or":
        return any_of([lambda f=f: holds(f, w) for f in formula[1:]], formula)
    if op == "expr":
        return _expr(w, formula[1], formula[2])
    if op == "au":
        return _au(w, formula[1])
    if op == "gest":
        return _gesture(w, formula[1], formula[2])
    if op == "pros":
        return _prosody(w, formula[1], formula[2])
    if op == "has":
        return _has(w, formula[1])
    if op == "says":
        text = w["evidence"]["transcript"].lower()
        return any(k in text for k in formula[1])
    if op == "act":
        return formula[1] in meta.get("acts", [])
    if op == "tone":
        if not w["evidence"]["transcript"].strip():
            return False
        return meta.get("tone") == formula[1]
    if op == "top":
        expr = w["evidence"]["expression"]
        if not expr:
            return False
        p = expr.get(formula[1], 0.0)
        rest = max(v for k, v in expr.items() if k != formula[1])
        return _side(p - rest >= 0.1, rest - p >= 0.1, formula)
    if op == "more":
        a, b = _value(w, formula[1]), _value(w, formula[2])
        return _side(a - b >= 0.15, b - a >= 0.15, formula)
    if op == "earlier":
        a, b = _spans(w, formula[1]), _spans(w, formula[2])
        if not a or not b:
            return False
        return _side(max(g["end"] for g in a) <= min(g["start"] for g in b),
                     max(g["end"] for g in b) <= min(g["start"] for g in a), formula)
    if op == "temo":
        return formula[1] in meta.get("emotions", [])
    raise ValueError(f"unknown formula {formula!r}")


def truth(formula: Any, w: dict) -> bool | None:
    """``holds`` with None for an ambiguous formula."""
    try:
        return holds(formula, w)
    except Ambiguous:
        return None
