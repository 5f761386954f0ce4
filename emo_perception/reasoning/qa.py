"""Hallucination QA: item loading, answering per backend, and EmotionHallucer-style scores.

Formats (JSONL, one object per line, extra fields allowed):
  binary: pair_id, type ("basic"|"hallucinated"), question, answer ("yes"|"no"),
          optional category, optional evidence (EvidenceWindow JSON)
  multiple choice: id, question, options, answer (0-based index or letter),
          optional explanation, optional evidence
"""

from __future__ import annotations

import json
import math
import pathlib
import re
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from emo_perception.evidence import EvidenceWindow
from emo_perception.reasoning import prompts
from emo_perception.reasoning.backends import BackendError
from emo_perception.reasoning.claim_forms import ABSENT_CHANNEL, PRESENT_CHANNEL
from emo_perception.reasoning.claims import (
    SUPPORTED, CheckContext, ClaimReader, check_claims, parse_when,
)
from emo_perception.reasoning.facts import NEGATORS, mentioned_emotions, verify_fact
from emo_perception.reasoning.guard import HallucinationGuard
from emo_perception.reasoning.knowledge import KnowledgeReasoner
from emo_perception.reasoning.parse import extract_cues, parse_choice, parse_yes_no
from emo_perception.reasoning.render import evidence_slots, render_evidence
from emo_perception.reasoning.result import Cue, ReasoningConfig
from emo_perception.reasoning.tables import (
    GESTURE_KNOWLEDGE, canonical_gesture, emfacs_variants, fold_label,
)

# Undecided items are scored as wrong answers (issue 16): they get a prediction that
# matches no answer, so "undecided" can never be right by luck, and they are counted.
DEFAULT_BINARY = "undecided"
DEFAULT_CHOICE = -1


@dataclass
class BinaryItem:
    pair_id: str
    type: str
    question: str
    answer: str
    category: str = ""
    evidence: EvidenceWindow | None = None


@dataclass
class ChoiceItem:
    id: str
    question: str
    options: list[str]
    answer: int
    explanation: str = ""
    evidence: EvidenceWindow | None = None


@dataclass
class QASet:
    binary: list[BinaryItem] = field(default_factory=list)
    choice: list[ChoiceItem] = field(default_factory=list)


def load_qa(path: str | pathlib.Path) -> QASet:
    """Read a JSONL file (or a folder of them); raises ValueError naming the bad line."""
    path = pathlib.Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise FileNotFoundError(f"QA file not found: {path}")
    out = QASet()
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                _add_item(out, obj)
            except (json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"{f}:{n}: bad QA item: {exc}") from None
    return out


def _add_item(out: QASet, obj: dict[str, Any]) -> None:
    evidence = EvidenceWindow.from_json(obj["evidence"]) if obj.get("evidence") else None
    if "options" in obj:
        options = [str(o) for o in obj["options"]]
        ans = obj["answer"]
        idx = ord(ans.strip().upper()) - 65 if isinstance(ans, str) else int(ans)
        if not 0 <= idx < len(options):
            raise ValueError(f"answer {ans!r} outside {len(options)} options")
        out.choice.append(ChoiceItem(str(obj["id"]), str(obj["question"]), options, idx,
                                     str(obj.get("explanation", "")), evidence))
        return
    kind, ans = str(obj["type"]), str(obj["answer"]).lower()
    if kind not in ("basic", "hallucinated") or ans not in ("yes", "no"):
        raise ValueError("type must be basic|hallucinated and answer yes|no")
    out.binary.append(BinaryItem(str(obj["pair_id"]), kind, str(obj["question"]), ans,
                                 str(obj.get("category", "")), evidence))


class Answerer(Protocol):
    name: str

    def binary(self, item: BinaryItem) -> str | None: ...

    def choice(self, item: ChoiceItem) -> int | None: ...


class KnowledgeAnswerer:
    """Answers from evidence (knowledge reasoner + guard) or from the curated fact base."""

    name = "knowledge"

    def __init__(self, config: ReasoningConfig | None = None) -> None:
        self.config = config or ReasoningConfig(label_set="mafw11")
        self.reasoner = KnowledgeReasoner(self.config)
        self.guard = HallucinationGuard(self.config)
        self.reader = ClaimReader()

    def binary(self, item: BinaryItem) -> str | None:
        if item.evidence is not None:
            return self.verify_evidence(item.question, item.evidence)
        return verify_fact(item.question)

    def choice(self, item: ChoiceItem) -> int | None:
        if item.evidence is None:
            verdicts = [self.binary(BinaryItem("", "basic", f"{item.question} {opt}", "yes"))
                        for opt in item.options]
            yes = [i for i, v in enumerate(verdicts) if v == "yes"]
            return yes[0] if len(yes) == 1 else None
        yes, starts = [], {}
        for i, opt in enumerate(item.options):
            # the most direct statement that reads fully decides the option; a later, more
            # contrived one ("the pace of their speech there was no speech") may not
            # overturn it
            for text in option_statements(item.question, opt):
                verdicts, unreadable = self.check_statement(text, item.evidence)
                if not verdicts or unreadable:
                    continue
                if all(v.status == SUPPORTED for v in verdicts):
                    yes.append(i)
                    starts[i] = _first_start(verdicts, item.evidence)
                break
        if len(yes) > 1 and re.search(r"\b(?:first|earliest|began)\b", item.question.lower()):
            yes = [min(yes, key=lambda i: starts[i])]
        elif len(yes) > 1 and re.search(r"\b(?:last|latest)\b", item.question.lower()):
            yes = [max(yes, key=lambda i: starts[i])]
        return yes[0] if len(yes) == 1 else None

    def verify_evidence(self, statement: str, window: EvidenceWindow) -> str | None:
        """Read the statement into claims and check each on the window (claims.py).

        "yes" when every claim is supported; "no" when one is contradicted or unsupported
        (an unverifiable assertion is not true for us); None (undecided) when nothing in
        it could be read, or when all read claims hold but part of it was unreadable."""
        verdicts, unreadable = self.check_statement(statement, window)
        if not verdicts:
            return None
        if any(v.status != SUPPORTED for v in verdicts):
            return "no"
        return None if unreadable else "yes"

    def check_statement(self, statement: str, window: EvidenceWindow):
        reading = self.reader.read_question(statement)
        result = self.reasoner.reason(window)
        ctx = CheckContext(self.config.au_threshold, self.config.gesture_threshold,
                           knowledge_label=result.label, knowledge_valence=result.valence,
                           labels=self.reasoner.labels)
        return check_claims(reading.claims, window, ctx), reading.unreadable

    def verify_evidence_legacy(self, statement: str, window: EvidenceWindow) -> str | None:
        """The pre-#16 checker (exact vocabulary only), kept for before/after numbers."""
        low = statement.lower()
        result = self.reasoner.reason(window)
        items = window.items()
        checks: list[bool] = []
        head, _, because = low.partition(" because ")
        for pos, kind, value in _claims(head) + _claims(because):
            if kind == "emotion":
                ok = fold_label(value, self.reasoner.labels) == result.label
            elif kind == "valence":
                ok = (result.valence > 0.1) if value == "positive" else (result.valence < -0.1)
            else:
                cue = _claim_cue(kind, value)
                ok = self.guard.match(cue, items) is not None
                span = _time_span(low)
                if ok and kind == "gesture" and span is not None:
                    g = next(g for g in window.micro_gestures
                             if canonical_gesture(g.name) == value)
                    ok = g.start <= span[1] + 0.25 and g.end >= span[0] - 0.25
                if ok and because and pos >= 0 and low.find(because) <= pos:
                    ok = _supports(kind, value, result.label)
            if _negated_before(low, pos):
                ok = not ok
            checks.append(ok)
        if not checks:
            return None
        return "yes" if all(checks) else "no"


def option_statements(question: str, option: str) -> list[str]:
    """Statements an option of a multiple-choice question stands for, most direct first:
    the option with "them/it" resolved to the question's object, then the question with
    its wh-word dropped and the option appended."""
    q = question.strip().rstrip("?").strip()
    body = re.sub(r"^(?:what|which|when|where|how|who)\b(?:\s+\w+)?\s+(?=(?:did|does|do|is|"
                  r"are|was|were|has|have)\b)", "", q, flags=re.I)
    body = re.sub(r"^(?:what|which|when|where|how|who)\s+", "", body, flags=re.I)
    obj = re.search(r"\b((?:their|his|her|the)\s+\w+)\s*$", q)
    opt = option.strip()
    if obj and re.search(r"\b(?:them|it)\b", opt):
        opt = re.sub(r"\b(?:them|it)\b", obj.group(1), opt)
    when = parse_when(q)
    # an option that is a statement of its own ("there was no speech") is read as it is
    # first; a bare word or phrase ("slow", "joy") only makes sense inside the question
    own = re.search(r"^(?:there|they|he|she|it|the person|no|none|never|nothing|not)\b|"
                    r"\b(?:was|were|is|are|did|had|has|have)\b|^[a-z][a-z ]{1,30}:\s+\S",
                    opt.lower())  # "loudness: very loud" is a log line of its own
    if when is None and own:
        out = [opt, f"{body} {opt}"]
    else:
        out = [f"{body} {opt}", opt]
    bare = re.sub(r"^(?:a|an|the|any)\s+", "", opt)
    ql = q.lower()
    # question shapes whose option fits a statement of its own
    fits = re.search(r"^(?:which|what) (?:word|term|label|emotion|description) (?:fits|"
                     r"describes|matches|suits) (?P<m>(?:the|their|his|her) (?:face|voice|"
                     r"words|expression|tone))\b", ql)
    if fits:
        out.insert(0, f"{fits.group('m')} looked {opt}")
    if re.search(r"\b(?:missing|absent|lacking|not there)\b", ql) and not own:
        out.insert(0, f"there is no {bare}")
    much = re.search(r"^how (?:much|strong|intense|strongly)\s+(?:is\s+|was\s+)?(?:the\s+)?"
                     r"(?P<x>\w+)\s+(?P<rest>.*)$", q, flags=re.I)
    if much and not own:
        out.insert(0, f"{opt} {much.group('x')} {much.group('rest')}")
    many = re.search(r"^how many\s+(?P<x>.+?)\s+(?P<v>were|was|are|is|got|did|had|have)\s+"
                     r"(?P<rest>.*)$",
                     q, flags=re.I)
    if many:  # "How many gesture events were detected?" "three"
        n = {"none": "no", "zero": "no"}.get(opt.lower(), opt)
        out.insert(0, f"{n} {many.group('x')} {many.group('v')} {many.group('rest')}")
    if re.search(r"^(?:which|what) (?:expression|emotion|class|label)(?: class)? (?:scored|"
                 r"came out|ranked|was rated|rated) (?:highest|top|first|the highest|best)\b|"
                 r"^(?:which|what) (?:was|is) the (?:top|dominant|leading|highest[- ]scoring|main)"
                 r" (?:expression|emotion|class|label)", ql):
        out.insert(0, f"the top expression class was {bare}")
    news = re.search(r"^what (?:news|good news|bad news|announcement) (?:did|does|do) .+? "
                     r"(?:share|announce|tell|give|break|bring)\b", ql)
    if news:  # "What news did the speaker share?" "passing a driving test"
        out.insert(0, f"they shared news about {bare}")
    out[:0] = _question_shapes(q, opt, bare, own is not None)
    if re.search(r"\b(?:want(?:ed)? to know|ask(?:ed)?|wonder(?:ed)?|sorry|apologi[sz]\w*|"
                 r"complain\w*|talk\w* about|mention\w*)\b", ql):
        out.append(f"they talked about {opt}")  # what was said: checked on the transcript
    return list(dict.fromkeys(out))


_IRREGULAR_PAST = {"go": "went", "come": "came", "get": "got", "take": "took", "put": "put",
                   "hold": "held", "give": "gave", "make": "made", "begin": "began",
                   "bring": "brought", "keep": "kept", "say": "said", "sit": "sat",
                   "stand": "stood", "run": "ran", "shake": "shook", "rise": "rose"}
_CHANNEL_WORDS = {"face": "face", "faces": "face", "voice": "voice", "audio": "voice",
                  "sound": "voice", "speech": "voice", "words": "words", "transcript": "words",
                  "wording": "words", "body": "body", "gestures": "body", "movement": "body",
                  "movements": "body"}


def _past(verb: str) -> str:
    if verb in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[verb]
    return verb + ("d" if verb.endswith("e") else "ed")


def _question_shapes(q: str, opt: str, bare: str, own: bool) -> list[str]:
    """Statements for question shapes whose answer slots into a clause of its own ("Who
    did she say is in hospital?" "Her brother" -> "she said her brother is in hospital")."""
    ql, ol, bl = q.lower(), opt.lower(), bare.lower()
    m = re.match(r"^who did (?P<s>he|she|they|the \w+) (?:say|tell us|mention) (?P<r>.+)$", ql)
    if m:
        return [f"{m.group('s')} said {ol} {m.group('r')}"]
    m = re.match(r"^what (?:were|was|are|is) (?P<p>(?:her|his|their|the person's) (?:arms|hands|"
                 r"head|shoulders|fingers))\s+doing(?P<r>.*)$", ql)
    if m and not own:
        return [f"{m.group('p')} were {ol}{m.group('r')}"]
    ql = re.sub(r"^(?:debug question|question|quick one|bonus)\s*:\s*", "", ql)
    m = re.match(r"^which (?:channel|modality|signal|stream|input|sensor|stage)s? (?:(?:was|is|"
                 r"were|are) (?:missing|absent|lacking|not there|empty)|had nothing|had no data|"
                 r"gave nothing|produced no output|returned nothing|gave no output|"
                 r"stayed empty)\b", ql)
    if m:
        channel = next((_CHANNEL_WORDS[w] for w in bl.split() if w in _CHANNEL_WORDS), None)
        return [ABSENT_CHANNEL[channel]] if channel else []
    m = re.match(r"^which (?:channels|modalities|signals|streams|inputs|sensors) (?:had|have|"
                 r"carried|delivered|gave|provided) (?:data|evidence|signals?|readings?|input)\b|"
                 r"^what (?:data|signals|evidence|input) (?:does|did|do) (?:this|the) "
                 r"(?:clip|window|recording) (?:give|provide|contain|have|offer)", ql)
    if m:  # "face and body only", "all four": which channels have data and which do not
        named = {_CHANNEL_WORDS[w] for w in re.findall(r"[a-z]+", bl) if w in _CHANNEL_WORDS}
        if re.search(r"\ball(?: four)?\b|\bevery\b", bl):
            named = set(ABSENT_CHANNEL)
        if named and (re.search(r"\bonly\b|\ball\b|\bevery\b|\bjust\b", bl)):
            return [", and ".join(PRESENT_CHANNEL[c] if c in named else ABSENT_CHANNEL[c]
                                  for c in ("face", "voice", "words", "body"))]
    if re.match(r"^which (?:prosodic feature|feature|aspect|property|part) (?:of (?:the|her|his|"
                r"their) (?:voice|speech|delivery) )?(?:was|is|stood|stands) (?:out of the "
                r"ordinary|unusual|abnormal|remarkable|not normal|out|atypical|extreme)\b", ql):
        return [opt]  # the option names the feature and how it was out of the ordinary
    m = re.match(r"^(?:which|what) (?:feeling|emotion|expression) (?:was|is|came across as|"
                 r"looked) (?:the )?(?:strongest|most pronounced|clearest|most visible|dominant|"
                 r"biggest)\b|^(?:which|what) (?:emotion|expression|feeling|class|label) "
                 r"(?:topped|led|headed|won|came top in|came first in|dominated)\b", ql)
    if m:  # "No feeling - neutral": the label after the dash
        label = re.split(r"\s+[-:]\s+", bl)[-1]
        return [f"the top expression class was {label}"]
    m = re.match(r"^(?:for )?(?:roughly |about |approximately )?how long (?:was|were|did) "
                 r"(?P<r>.+)$", ql)
    if m and re.match(r"^(?:not at all|never|no time)\b", ol):
        return [f"no {m.group('r')}"]
    if m:
        return [f"{m.group('r')} for {ol}"]
    m = re.match(r"^pick the one that (?:matches|fits|describes) (?P<p>(?:his|her|their|the "
                 r"person's) \w+)(?P<r>.*)$", ql)
    if m and not own:
        return [f"{m.group('p')} were {ol}{m.group('r')}"]
    m = re.match(r"^(?:one|a single|which) word (?:for|describes|fits) (?P<p>(?:his|her|their|the)"
                 r" (?:face|voice|words|expression|tone))\b", ql)
    if m and not own:
        return [f"{m.group('p')} looked {ol}"]
    m = re.match(r"^(?P<f>volume|loudness|pitch|pace|tempo|speech rate|speaking rate)(?: check)?"
                 r"\s*[-:]\s*which (?:describes|fits|matches) (?P<w>her|him|them)$", ql)
    if m and not own:
        poss = {"her": "her", "him": "his", "them": "their"}[m.group("w")]
        return [f"{poss} voice was {ol}" if m.group("f") in ("volume", "loudness")
                else f"{poss} {m.group('f')} was {ol}"]
    m = re.match(r"^which two (?:gestures|movements|actions) overlapped\b", ql)
    if m and " and " in ol:
        a, b = ol.split(" and ", 1)
        return [f"{a} while {b}"]
    m = re.match(r"^(?P<p>(?:his|her|their|the) [a-z ]+?)\s*[-:]\s*which of these (?:fits|"
                 r"matches|applies)$", ql)
    if m and not own:  # "her loudness - which fits?" "very quiet": her voice was very quiet
        p = re.sub(r"\b(?:loudness|volume)$", "voice", m.group("p"))
        return [f"{p} was {ol}"]
    parts = re.match(r"^(?P<x>the \w+(?: \w+)?), (?P<y>[a-z].*)$", ol)
    if parts:  # "the cheeks, raised": the part and what it did
        return [f"{parts.group('x')} were {parts.group('y')}"]
    if not re.search(r"\b(?:face|facial|voice|vocal|body|arms?|hands?|head|gesture|emotion|"
                     r"feeling|channel|loud\w*|pitch|tempo|pace|prosod\w*|brows?|eyes|mouth|lips|"
                     r"smil\w*|missing|absent|window|clip|data|recording|signal|sensor)\b",
                     ql):  # about what was said
        m = re.match(r"^(?:who|what|where)(?:'s| is) (?P<r>.+)$", ql)
        if m:
            return [f"they said {ol} is {m.group('r')}"]
        m = re.match(r"^(?:who|what|where|which \w+) (?P<aux>was|is|were|are|will be) "
                     r"(?P<r>.+)$", ql)
        prep = m and re.search(r"\s+(to|from|for|in|at|with|about|of)$", m.group("r"))
        if prep:  # "where was the prize trip to?" -> "the prize trip was to spain"
            what = m.group("r")[:prep.start()]
            return [f"they said {what} {m.group('aux')} {prep.group(1)} {ol}"]
        if m:
            return [f"they said {ol} {m.group('aux')} {m.group('r')}"]
        m = re.match(r"^what did (?P<s>he|she|they|the \w+) (?:want|ask|need|say|tell \w+|"
                     r"mention)\b(?P<r>.*)$", ql)
        if m:
            return [f"{m.group('s')} said {m.group('r').strip()} {ol}".replace("  ", " ")]
    if re.match(r"^which of (?:these|the following|them) (?:was|were|is|are|did) (?:not|never) "
                r"(?:seen|observed|detected|shown|happen|occur|present|recorded)\b", ql):
        return [f"there was no {bl}"]
    m = re.match(r"^(?:roughly |about |approximately |at what point,? )?when did (?P<s>(?:her|his|"
                 r"their|the person's|the) \w+|he|she|they) (?P<v>\w+)(?P<r>(?: (?:up|down|out|in|"
                 r"back|off|on|away|together))?)$", ql)
    if m:
        if re.match(r"^(?:it|they|he|she) never did\b|^never\b|^not at all\b", ol):
            return [f"{m.group('s')} did not {m.group('v')}{m.group('r')}"]
        return [f"{m.group('s')} {_past(m.group('v'))}{m.group('r')} {ol}"]
    return []


def _first_start(verdicts, window: EvidenceWindow) -> float:
    names = {v.claim.value for v in verdicts if v.claim.kind == "gesture"}
    starts = [g.start for g in window.micro_gestures if canonical_gesture(g.name) in names]
    return min(starts) if starts else math.inf


def _claims(text: str) -> list[tuple[int, str, object]]:
    if not text:
        return []
    out: list[tuple[int, str, object]] = []
    for m in re.finditer(r"\bau\s*0*(\d{1,2})\b", text):
        out.append((m.start(), "au", int(m.group(1))))
    for g in GESTURE_KNOWLEDGE:
        if g.lower() in text:
            out.append((text.find(g.lower()), "gesture", g))
    for m in re.finditer(r"['\"]([^'\"]{2,})['\"]", text):
        out.append((m.start(), "quote", m.group(1)))
    for emo in dict.fromkeys(mentioned_emotions(" " + text + " ")):
        out.append((text.find(emo[:4]), "emotion", emo))
    for word in ("positive", "negative"):
        if re.search(rf"\b{word} (valence|emotion|feeling|state|mood)", text):
            out.append((text.find(word), "valence", word))
    return out


def _claim_cue(kind: str, value: object) -> Cue:
    if kind == "au":
        return Cue("face", "action_unit", f"AU{value}")
    if kind == "gesture":
        return Cue("body", "micro_gesture", str(value))
    return Cue("text", "speech", str(value))


def _supports(kind: str, value: object, label: str) -> bool:
    if kind == "au":
        return any(value in v for v in emfacs_variants(label))
    if kind == "gesture":
        return label in [fold_label(e, (label,)) for e in GESTURE_KNOWLEDGE[str(value)][2]]
    return True


def _time_span(low: str) -> tuple[float, float] | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:-|to|and)\s*(\d+(?:\.\d+)?)\s*s(?:ec|\b)", low)
    return (float(m.group(1)), float(m.group(2))) if m else None


def _negated_before(low: str, pos: int) -> bool:
    words = re.findall(r"[a-z'-]+", low[max(0, pos - 30):max(0, pos)])
    return any(w in NEGATORS or w.endswith("n't") or w in ("without", "absent")
               for w in words[-4:])


class LLMAnswerer:
    """Answers QA items with a chat backend; PEP adds explain-then-final turns."""

    def __init__(self, backend, config: ReasoningConfig, claim_guard: bool = True) -> None:
        self.backend = backend
        self.config = config
        self.claim_guard = claim_guard
        self.name = f"{backend.name}:{backend.model_name}" + ("+claim-guard" if claim_guard
                                                               else "")
        self.guard = HallucinationGuard(config)
        self.checker = KnowledgeAnswerer(config) if claim_guard else None
        self.last_raw = ""  # the final model output of the last item, for the report
        self.last_unguarded: str | int | None = None  # the model's answer before the guard

    def _evidence(self, window: EvidenceWindow | None) -> tuple[str | None, str | None]:
        if window is None:
            return None, None
        c = self.config
        return (render_evidence(window, c.au_threshold, c.gesture_threshold),
                evidence_slots(window, c.au_threshold, c.gesture_threshold))

    def _dialog(self, msgs: list[dict], final_msg: dict, window: EvidenceWindow | None) -> str:
        n = self.config.max_new_tokens
        first = self.backend.chat(msgs, n)
        self.last_raw = first
        if not self.config.pep:
            return first
        msgs = msgs + [{"role": "assistant", "content": first}]
        if window is not None:
            if self.checker is not None:  # PEP step 3 with the claim reader
                verdicts, _ = self.checker.check_statement(first, window)
                bad = [f"'{v.claim.text}' ({v.status})" for v in verdicts
                       if v.status != SUPPORTED]
            else:
                items = window.items()
                bad = [c.name for c in extract_cues(first)
                       if self.guard.match(c, items) is None]
            if bad:
                final_msg = dict(final_msg)
                final_msg["content"] = (f"Check: {', '.join(bad)} not in the evidence. "
                                        + final_msg["content"])
        final = self.backend.chat(msgs + [final_msg], 8)
        self.last_raw = f"{first} || {final}"
        return final

    def binary(self, item: BinaryItem) -> str | None:
        text, slots = self._evidence(item.evidence)
        for attempt in range(1 + self.config.retries):
            msgs = prompts.qa_messages(item.question, text, self.config.pep, slots)
            if attempt:
                msgs[-1]["content"] += "\nReply with the single word yes or no."
            answer = parse_yes_no(self._dialog(msgs, prompts.qa_final(), item.evidence))
            if answer is not None:
                self.last_unguarded = answer
                return self._guard_yes(answer, item.question, item.evidence)
        self.last_unguarded = None
        return None

    def _guard_yes(self, answer: str, statement: str, window: EvidenceWindow | None) -> str:
        """Claim guard: a "yes" to a statement about evidence stands only when every claim
        the reader finds in it is supported; contradicted or unsupported -> "no"."""
        if self.checker is None or window is None or answer != "yes":
            return answer
        verdicts, _ = self.checker.check_statement(statement, window)
        if any(v.status != SUPPORTED for v in verdicts):
            self.last_raw += " || claim guard: yes -> no"
            return "no"
        return answer

    def choice(self, item: ChoiceItem) -> int | None:
        text, _ = self._evidence(item.evidence)
        for _attempt in range(1 + self.config.retries):
            msgs = prompts.mc_messages(item.question, item.options, text, self.config.pep)
            idx = parse_choice(self._dialog(msgs, prompts.mc_final(), item.evidence),
                               item.options)
            if idx is not None:
                self.last_unguarded = idx
                if self.checker is not None and item.evidence is not None:
                    # the chosen option must not say something the evidence rules out
                    for text in option_statements(item.question, item.options[idx])[:1]:
                        verdicts, _ = self.checker.check_statement(text, item.evidence)
                        if any(v.status != SUPPORTED for v in verdicts):
                            self.last_raw += " || claim guard: option vetoed"
                            return None
                return idx
        self.last_unguarded = None
        return None


def evaluate(qa: QASet, answerer: Answerer, limit: int = 0,
             progress=None) -> dict[str, Any]:
    """Answer every item and compute the metrics; ``limit`` caps pairs and MC items."""
    pair_ids = list(dict.fromkeys(i.pair_id for i in qa.binary))
    if limit:
        keep = set(pair_ids[:limit])
        binary = [i for i in qa.binary if i.pair_id in keep]
        choice = qa.choice[:limit]
    else:
        binary, choice = qa.binary, qa.choice
    rows, undecided, errors = [], 0, 0
    t0 = time.perf_counter()
    for item in binary:
        if hasattr(answerer, "last_unguarded"):
            answerer.last_unguarded = None
        try:
            pred = answerer.binary(item)
        except BackendError as exc:
            pred, errors = None, errors + 1
            print(f"qa-eval: backend error on pair {item.pair_id}: {exc}")
        unguarded = getattr(answerer, "last_unguarded", pred)
        rows.append({"pair_id": item.pair_id, "type": item.type, "category": item.category,
                     "answer": item.answer, "pred": pred or DEFAULT_BINARY,
                     "undecided": pred is None, "raw": getattr(answerer, "last_raw", ""),
                     "pred_unguarded": unguarded or DEFAULT_BINARY,
                     "undecided_unguarded": unguarded is None})
        undecided += pred is None
        if progress:
            progress()
    mc_rows, mc_undecided = [], 0
    for item in choice:
        if hasattr(answerer, "last_unguarded"):
            answerer.last_unguarded = None
        try:
            idx = answerer.choice(item)
        except BackendError as exc:
            idx, errors = None, errors + 1
            print(f"qa-eval: backend error on item {item.id}: {exc}")
        unguarded_idx = getattr(answerer, "last_unguarded", idx)
        mc_rows.append({"id": item.id, "answer": item.answer,
                        "pred": DEFAULT_CHOICE if idx is None else idx,
                        "undecided": idx is None, "raw": getattr(answerer, "last_raw", ""),
                        "pred_unguarded": (DEFAULT_CHOICE if unguarded_idx is None
                                           else unguarded_idx)})
        mc_undecided += idx is None
        if progress:
            progress()
    elapsed = time.perf_counter() - t0
    report = score_binary(rows)
    if hasattr(answerer, "last_unguarded"):  # the same run scored on the answers before
        # the claim guard (no extra model calls); "undecided" counts as wrong in both
        raw = score_binary([dict(r, pred=r["pred_unguarded"]) for r in rows])
        report["unguarded"] = {
            k: raw[k] for k in ("basic_accuracy", "hallucinated_accuracy", "pair_accuracy",
                                "d_y", "r_fp", "pair_accuracy_by_category")}
        report["unguarded"]["binary_undecided"] = sum(r["undecided_unguarded"] for r in rows)
        report["unguarded"]["mc_accuracy"] = (
            sum(r["answer"] == r["pred_unguarded"] for r in mc_rows) / len(mc_rows)
            if mc_rows else None)
    report.update({
        "backend": answerer.name, "binary_items": len(rows), "binary_undecided": undecided,
        "mc_items": len(mc_rows), "mc_undecided": mc_undecided, "backend_errors": errors,
        "mc_accuracy": (sum(r["answer"] == r["pred"] for r in mc_rows) / len(mc_rows)
                        if mc_rows else None),
        "seconds": elapsed, "seconds_per_item": elapsed / max(1, len(rows) + len(mc_rows)),
        "undecided_rate": (undecided + mc_undecided) / max(1, len(rows) + len(mc_rows)),
        "binary": rows, "multiple_choice": mc_rows,
    })
    return report


def score_binary(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Basic/hallucinated/pair accuracy, d_y and r_fp (EmotionHallucer definitions)."""
    def acc(kind: str) -> float | None:
        sel = [r for r in rows if r["type"] == kind]
        return sum(r["pred"] == r["answer"] for r in sel) / len(sel) if sel else None

    pairs: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        pairs.setdefault(r["pair_id"], []).append(r)
    full = [p for p in pairs.values() if {r["type"] for r in p} == {"basic", "hallucinated"}]
    wrong = [r for r in rows if r["pred"] != r["answer"]]
    n = len(rows)
    cats: dict[str, list[bool]] = {}
    for p in full:
        cats.setdefault(p[0]["category"] or "other", []).append(
            all(r["pred"] == r["answer"] for r in p))
    return {
        "basic_accuracy": acc("basic"),
        "hallucinated_accuracy": acc("hallucinated"),
        "pair_accuracy": (sum(all(r["pred"] == r["answer"] for r in p) for p in full)
                          / len(full) if full else None),
        "pairs": len(full),
        "d_y": (sum(r["pred"] == "yes" for r in rows) - sum(r["answer"] == "yes" for r in rows))
        / n if n else None,
        "r_fp": sum(r["pred"] == "yes" for r in wrong) / len(wrong) if wrong else None,
        "pair_accuracy_by_category": {k: sum(v) / len(v) for k, v in sorted(cats.items())},
    }

