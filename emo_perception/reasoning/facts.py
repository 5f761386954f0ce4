"""Curated fact base that lets the knowledge backend judge emotion-psychology statements.

A statement is split into clauses; each clause is checked by the first rule that
recognises it (EMFACS AU membership, AU names, dataset facts, circumplex positions, vocal
cues, subject/term facts). A negator in the clause flips that clause. The statement is
"yes" when every decided clause holds, "no" when one fails, and None (undecided) when no
rule recognises any clause. Coverage is the limit: this is a lookup, not understanding.
"""

from __future__ import annotations

import re

from emo_perception.labels import (
    AU_NAMES, BASIC7, BASIC8, BP4D_AUS, DISFA_AUS, EMFACS_PROTOTYPES, IMIGUE_CLASSES, MAFW11,
    SMG_CLASSES,
)
from emo_perception.reasoning.tables import CIRCUMPLEX, LABEL_SYNONYMS

NEGATORS = ("not", "never", "no", "cannot", "isn't", "aren't", "doesn't", "don't",
            "didn't", "wasn't", "neither")
CLAUSE_SPLIT = re.compile(r"\s*(?:;|, while |, whereas | whereas | while |, but )\s*")
EMFACS_ALIASES = {"duchenne smile": "happiness", "genuine smile": "happiness"}

DATASETS: dict[str, dict] = {
    "raf-db": {"classes": 7, "labels": BASIC7},
    "dfew": {"classes": 7, "labels": BASIC7},
    "ferv39k": {"classes": 7, "labels": BASIC7},
    "affectnet": {"classes": 8, "labels": BASIC8},
    "ferplus": {"classes": 8, "labels": BASIC8},
    "mafw": {"classes": 11, "labels": MAFW11},
    "imigue": {"classes": len(IMIGUE_CLASSES), "true": ("tennis", "press conference",
               "post-match", "win", "lose", "positive", "negative"),
               "false": ("job interview", "movie", "film", "laboratory", "relaxed")},
    "smg": {"classes": len(SMG_CLASSES), "true": ("relaxed", "stressed", "stress",
            "40 participants"), "false": ("tennis", "press conference", "win", "lose")},
    "bp4d": {"aus": len(BP4D_AUS)},
    "disfa": {"aus": len(DISFA_AUS)},
}

# subject keywords -> (terms that make the clause true, terms that make it false)
TERM_FACTS: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    (("anxiety",), ("anticipat", "future", "diffuse", "uncertain", "vague"),
     ("present threat", "immediate", "imminent", "specific threat", "current threat")),
    (("fear",), ("present threat", "immediate", "imminent", "specific threat",
                 "current threat"), ("anticipat", "future", "diffuse", "vague")),
    (("dimensional", "circumplex"), ("valence", "arousal", "continuous", "dimension"),
     ("discrete categor", "fixed set of categor", "separate categor")),
    (("basic emotion theory", "discrete emotion", "discrete theor"),
     ("discrete", "distinct categor", "separate categor", "basic emotions"),
     ("continuous", "valence and arousal", "dimensions")),
    (("james-lange",), ("bodily", "physiological change", "follow", "result of", "after"),
     ("simultaneous", "same time", "independent", "before any bodily")),
    (("cannon-bard",), ("simultaneous", "same time", "independent"),
     ("result of bodily", "follow from bodily", "after bodily")),
    (("schachter", "two-factor"), ("two factor", "cognitive label", "cognitive appraisal",
                                   "arousal and", "interpret"),
     ("arousal alone", "single factor", "only arousal", "no cognitive")),
    (("micro-expression", "microexpression"), ("brief", "fraction of a second",
                                               "less than half a second", "involuntary"),
     ("several seconds", "long-lasting", "deliberate", "voluntary", "minutes")),
    (("display rule",), ("cultur", "social norm", "learned", "learnt"),
     ("innate", "genetic", "identical in all cultures", "biological")),
    (("valence",), ("pleasant", "positive or negative", "positive to negative"),
     ("activation", "energy", "calm to excited", "intensity")),
    (("arousal",), ("activation", "energy", "calm to excited", "alertness"),
     ("pleasant", "positive or negative", "positive to negative")),
    (("mood",), ("longer", "diffuse", "no specific object", "less intense", "hours"),
     ("shorter", "briefer", "specific object", "seconds")),
    (("emotion",), ("brief", "shorter", "specific object", "directed at", "seconds"),
     ("longer than moods", "last longer", "diffuse", "no specific object")),
    (("contempt",), ("one side", "unilateral", "asymmetric", "one-sided"),
     ("both sides", "symmetric", "bilateral")),
    (("self-touch", "touching the neck", "neck touching", "biting nails", "nail biting",
      "rubbing hands", "pacifying"), ("stress", "anxiety", "discomfort", "nervous",
                                      "negative", "soothing"),
     ("relax", "calm", "joy", "confiden", "positive", "happiness")),
    (("ekman",), ("across cultures", "universal", "six basic", "happiness, sadness",
                  "surprise", "disgust", "fear", "anger"),
     ("contempt was one of the original", "only in western", "only western", "ten basic",
      "four basic", "seven basic")),
    (("group", "crowd"), ("may differ", "can differ", "individual", "each person"),
     ("same as each", "equals each", "determines each", "every member feels")),
]

VOCAL_WORDS = ("pitch", "voice", "speech", "speaking", "vocal", "loud", "tempo")
HIGH_VOICE = ("higher pitch", "raised pitch", "louder", "faster", "increased", "higher")
LOW_VOICE = ("lower pitch", "quieter", "softer", "slower", "monotone", "reduced", "lower")


def verify_fact(statement: str) -> str | None:
    """"yes", "no" or None (undecided) for a psychology statement."""
    verdicts = [v for v in (_clause(c) for c in CLAUSE_SPLIT.split(statement.strip())) if v]
    if not verdicts:
        return None
    return "yes" if all(v == "yes" for v in verdicts) else "no"


def negated(text: str) -> bool:
    words = re.findall(r"[a-z'-]+", text.lower())
    return sum(w in NEGATORS or w.endswith("n't") for w in words) % 2 == 1


def _clause(clause: str) -> str | None:
    low = " " + clause.lower().replace("–", "-") + " "
    for rule in (_emfacs, _au_name, _dataset, _voice, _circumplex, _terms):
        verdict = rule(low)
        if verdict is not None:
            if negated(low):
                verdict = not verdict
            return "yes" if verdict else "no"
    return None


def mentioned_emotions(low: str) -> list[str]:
    """Emotions named in lower-case ``low`` (with synonyms), in order of appearance."""
    found = [(low.find(f" {e}"), e) for e in CIRCUMPLEX if f" {e}" in low]
    found += [(low.find(f" {s}"), e) for s, e in LABEL_SYNONYMS.items()
              if f" {s} " in low or f" {s}," in low]
    found += [(low.find(a), e) for a, e in EMFACS_ALIASES.items() if a in low]
    return [e for _, e in sorted(found)]


def _au_codes(low: str) -> list[int]:
    return [int(m) for m in re.findall(r"\bau\s*0*(\d{1,2})\b", low)]


def _emfacs(low: str) -> bool | None:
    codes = _au_codes(low)
    emos = [e for e in dict.fromkeys(mentioned_emotions(low)) if e in EMFACS_PROTOTYPES]
    if not codes or len(emos) != 1:
        return None
    allowed = {c for variant in EMFACS_PROTOTYPES[emos[0]] for c in variant}
    names_ok = all(AU_NAMES.get(c, "") in low for c in codes
                   if any(n in low for n in AU_NAMES.values()))
    return set(codes) <= allowed and names_ok


def _au_name(low: str) -> bool | None:
    codes = _au_codes(low)
    names = [c for c, n in AU_NAMES.items() if n in low]
    if len(codes) != 1 or not names:
        return None
    return codes[0] in names


def _dataset(low: str) -> bool | None:
    for name, facts in DATASETS.items():
        if name not in low.replace(" ", "") and name not in low:
            continue
        m = re.search(r"\b(\d{1,3})\s+(?:\w+\s+)?(classes|categories|emotion|expression|"
                      r"action units|aus|micro-gesture)", low)
        if m:
            n = int(m.group(1))
            kind = m.group(2)
            if kind in ("action units", "aus") and "aus" in facts:
                return n == facts["aus"]
            if "classes" in facts:
                return n == facts["classes"]
        m = re.search(r"\b(?:class|id)\s+(\d{1,2})\s+is\s+(.+?)[\s.]*$", low)
        if m and name == "imigue":
            cid = int(m.group(1))
            return cid < len(IMIGUE_CLASSES) and IMIGUE_CLASSES[cid].lower() in m.group(2)
        if "labels" in facts:
            emos = mentioned_emotions(low)
            if emos:
                return all(e in facts["labels"] for e in emos)
        if any(t in low for t in facts.get("false", ())):
            return False
        if any(t in low for t in facts.get("true", ())):
            return True
    return None


def _voice(low: str) -> bool | None:
    if not any(w in low for w in VOCAL_WORDS):
        return None
    emos = list(dict.fromkeys(mentioned_emotions(low)))
    if len(emos) != 1:
        return None
    high = any(t in low for t in HIGH_VOICE)
    lowv = any(t in low for t in LOW_VOICE)
    if high == lowv:
        return None
    arousal = CIRCUMPLEX[emos[0]][1]
    if abs(arousal) < 0.3:
        return None
    return (arousal > 0) == high


def _circumplex(low: str) -> bool | None:
    emos = list(dict.fromkeys(mentioned_emotions(low)))
    if len(emos) != 1:
        return None
    v, a = CIRCUMPLEX[emos[0]]
    checks = []
    if re.search(r"\bpositive(ly)?\b|\bpleasant\b", low) and "valence" in low or \
            re.search(r"\bpositive emotion\b|\bpleasant emotion\b", low):
        checks.append(v > 0.3)
    if re.search(r"\bnegative(ly)?\b|\bunpleasant\b", low) and ("valence" in low or
                                                               "emotion" in low):
        checks.append(v < -0.3)
    if re.search(r"\bhigh[- ]arousal\b|\bhighly arousing\b|\bhigh activation\b", low):
        checks.append(a > 0.3)
    if re.search(r"\blow[- ]arousal\b|\blow activation\b|\bdeactivat", low):
        checks.append(a < 0.0)
    return all(checks) if checks else None


def _terms(low: str) -> bool | None:
    best: tuple[int, bool] | None = None
    for subjects, true_terms, false_terms in TERM_FACTS:
        pos = min((low.find(s) for s in subjects if s in low), default=-1)
        if pos < 0 or (best is not None and pos >= best[0]):
            continue
        t = any(term in low for term in true_terms)
        f = any(term in low for term in false_terms)
        if t != f:
            best = (pos, t)
    return None if best is None else best[1]
