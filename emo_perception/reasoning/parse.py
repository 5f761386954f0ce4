"""Robust parsing of (tiny) model output into the fixed schema.

Tiny models rarely emit clean JSON, so every reader tries JSON first, then falls back to
the first option mentioned in the text. None means "could not read" (the caller retries
or falls back); nothing here guesses.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from emo_perception.labels import IMIGUE_CLASSES
from emo_perception.reasoning.result import Cue
from emo_perception.reasoning.tables import LABEL_SYNONYMS, au_code

_JSON_RE = re.compile(r"\{.*\}", re.DOTALL)


def parse_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in ``text`` (tolerates single quotes and trailing commas)."""
    match = _JSON_RE.search(text)
    candidates = []
    if match:
        candidates.append(match.group(0))
        # A model may stop mid-object or ramble after it: try the shortest balanced prefix.
        depth = 0
        for i, ch in enumerate(match.group(0)):
            depth += ch == "{"
            depth -= ch == "}"
            if depth == 0:
                candidates.append(match.group(0)[: i + 1])
                break
    elif "{" in text:
        candidates.append(text[text.index("{"):] + "}")
    for cand in candidates:
        for fixed in (cand, re.sub(r",\s*([}\]])", r"\1", cand.replace("'", '"'))):
            try:
                obj = json.loads(fixed)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict):
                return obj
    return None


def parse_label(text: str, labels: tuple[str, ...]) -> str | None:
    """A label of ``labels`` from JSON ``label`` or the first label/synonym in the text."""
    obj = parse_json_object(text)
    if obj is not None:
        value = str(obj.get("label", obj.get("emotion", ""))).strip().lower()
        value = LABEL_SYNONYMS.get(value, value)
        if value in labels:
            return value
    low = text.lower()
    best: tuple[int, str] | None = None
    vocab = {label: label for label in labels}
    vocab.update({syn: lab for syn, lab in LABEL_SYNONYMS.items() if lab in labels})
    for word, label in vocab.items():
        m = re.search(rf"\b{re.escape(word)}\b", low)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), label)
    return best[1] if best else None


def parse_unit(obj: dict[str, Any] | None, key: str, low: float, high: float) -> float | None:
    """A number from ``obj[key]`` clipped to [low, high]; None when missing or not finite."""
    if obj is None or key not in obj:
        return None
    try:
        value = float(obj[key])
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    return max(low, min(high, value))


_YES = re.compile(r"\b(yes|true|correct|right)\b")
_NO = re.compile(r"\b(no|not true|false|incorrect|wrong)\b")


def parse_yes_no(text: str) -> str | None:
    """"yes"/"no" from the first yes-like or no-like word; None when neither appears."""
    low = text.lower()
    obj = parse_json_object(text)
    if obj is not None and "answer" in obj:
        low = str(obj["answer"]).lower()
    y, n = _YES.search(low), _NO.search(low)
    if y and (not n or y.start() < n.start()):
        return "yes"
    if n:
        return "no"
    return None


def parse_choice(text: str, options: list[str]) -> int | None:
    """Option index from a letter ("B", "(b)", "B.") or from the option's text."""
    stripped = text.strip()
    m = re.match(r"^\(?([A-Za-z])[\).:\s]", stripped + " ")
    if m and ord(m.group(1).upper()) - 65 < len(options):
        return ord(m.group(1).upper()) - 65
    m = re.search(r"\b(?:answer|option)\s*(?:is|:)?\s*\(?([A-Z])\b", text)
    if m and ord(m.group(1)) - 65 < len(options):
        return ord(m.group(1)) - 65
    low = text.lower()
    hits = [(low.find(o.lower()), i) for i, o in enumerate(options) if o and o.lower() in low]
    if hits:
        return min(hits)[1]
    return None


def extract_cues(text: str, obj: dict[str, Any] | None = None) -> list[Cue]:
    """Cues a model states: JSON ``cues`` entries plus AU codes and gestures in the text."""
    names: list[str] = []
    if obj is not None and isinstance(obj.get("cues"), list):
        for entry in obj["cues"]:
            if isinstance(entry, dict):
                names.append(str(entry.get("name", "")))
            else:
                names.append(str(entry))
    cues: list[Cue] = []
    seen: set[tuple[str, str]] = set()
    for name in names + _mentions(text):
        cue = cue_from_name(name)
        if cue is not None and (cue.kind, cue.name.lower()) not in seen:
            seen.add((cue.kind, cue.name.lower()))
            cues.append(cue)
    return cues


def cue_from_name(name: str) -> Cue | None:
    """A typed cue for a free-text cue name, or None when it names no known cue type."""
    name = name.strip()
    if not name:
        return None
    if re.search(r"\bAU\s*\d", name, re.IGNORECASE):
        code = au_code(name)
        if code is not None:
            return Cue("face", "action_unit", f"AU{code}", description=name)
    for gesture in IMIGUE_CLASSES:
        if gesture.lower() in name.lower():
            return Cue("body", "micro_gesture", gesture, description=name)
    m = re.match(r"^(f0_\w+|energy_db|rms_db|\w*rate_sps)\b", name)
    if m:
        return Cue("voice", "prosody", m.group(1), description=name)
    m = re.match(r"^['\"](.+)['\"]$", name)
    if m:
        return Cue("text", "speech", m.group(1), description=name)
    code = au_code(name)
    if code is not None:
        return Cue("face", "action_unit", f"AU{code}", description=name)
    return None


def _mentions(text: str) -> list[str]:
    out = [f"AU{m.group(1)}" for m in re.finditer(r"\bAU\s*0*(\d{1,2})\b", text, re.I)]
    low = text.lower()
    out += [g for g in IMIGUE_CLASSES if g.lower() in low]
    return out
