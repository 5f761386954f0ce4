"""Prompts: plain (EMO-LLaMA style option list) and PEP-MEK (Predict-Explain-Predict).

PEP-MEK as used here: (1) evidence slots filled from the window, (2) a first
prediction, (3) an explanation that we check against the evidence ourselves (the check
result, not the model's opinion of it, goes into the next turn), (4) the final prediction
in JSON. Modality and emotion knowledge is a short fixed list of EMFACS facts.
"""

from __future__ import annotations

from emo_perception.evidence import EvidenceWindow
from emo_perception.labels import EMFACS_PROTOTYPES
from emo_perception.reasoning.render import evidence_slots, render_evidence

SYSTEM = ("You are an emotion analyst for a robot. Use only the evidence given. "
          "Never mention a cue that is not in the evidence.")

Message = dict[str, str]


def knowledge_notes(labels: tuple[str, ...]) -> str:
    facts = [f"{emo} = {' + '.join(f'AU{c}' for c in variants[0])}"
             for emo, variants in EMFACS_PROTOTYPES.items() if emo in labels]
    return ("Knowledge: EMFACS prototypes " + "; ".join(facts) + ". Self-touch gestures "
            "signal stress; open illustrative gestures signal engagement; varied pitch and "
            "loud, fast speech signal high arousal.")


def options_line(labels: tuple[str, ...]) -> str:
    return "Choose one from the following options: " + ", ".join(labels) + "."


def json_schema_line(labels: tuple[str, ...]) -> str:
    # A concrete shape, not a template: tiny models copy "<...>" placeholders verbatim.
    return ('Reply with JSON only, like {"label": "...", "valence": 0.0, "arousal": 0.0, '
            '"confidence": 0.5, "cues": ["..."]} where label is one of: '
            + ", ".join(labels) + ", and cues are names from the evidence.")


def plain_messages(window: EvidenceWindow, labels: tuple[str, ...], au_thr: float,
                   g_thr: float) -> list[Message]:
    """Single-turn prompt: evidence + fixed option list + JSON schema."""
    user = (render_evidence(window, au_thr, g_thr) + "\n\nWhat is the emotion of the person? "
            + options_line(labels) + "\n" + json_schema_line(labels))
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def pep_first(window: EvidenceWindow, labels: tuple[str, ...], au_thr: float,
              g_thr: float) -> list[Message]:
    user = ("Evidence slots:\n" + evidence_slots(window, au_thr, g_thr) + "\n\n"
            + render_evidence(window, au_thr, g_thr) + "\n" + knowledge_notes(labels)
            + "\n\nStep 1. What is the emotion of the person? " + options_line(labels)
            + " Answer with one word.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def pep_explain(label: str) -> Message:
    return {"role": "user", "content": f"Step 2. In one sentence, name the evidence items "
                                       f"that support '{label}'."}


def pep_final(check: str, labels: tuple[str, ...]) -> Message:
    return {"role": "user", "content": f"Step 3. Check against the evidence: {check}\n"
                                       f"Final answer. {json_schema_line(labels)}"}


def qa_messages(statement: str, evidence_text: str | None, pep: bool,
                slots: str | None = None) -> list[Message]:
    """Binary QA: a yes/no question or statement, optionally about an evidence window."""
    parts = []
    if evidence_text:
        if pep and slots:
            parts.append("Evidence slots:\n" + slots)
        parts.append(evidence_text)
    parts.append(f"Statement: {statement}")
    if pep:
        parts.append("Step 1. Is the statement true? Answer yes or no, then give one "
                     "sentence of explanation checked against the evidence and known facts.")
    else:
        parts.append("Is the statement true? Answer yes or no.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n".join(parts)}]


def qa_final() -> Message:
    return {"role": "user", "content": "Final answer, yes or no:"}


def mc_messages(question: str, options: list[str], evidence_text: str | None,
                pep: bool) -> list[Message]:
    letters = "\n".join(f"{chr(65 + i)}. {o}" for i, o in enumerate(options))
    parts = [evidence_text] if evidence_text else []
    parts.append(f"Question: {question}\n{letters}")
    if pep:
        parts.append("Step 1. Give your first answer letter and one sentence explaining it.")
    else:
        parts.append("Answer with the letter of the correct option.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n".join(parts)}]


def mc_final() -> Message:
    return {"role": "user", "content": "Final answer: the letter of the correct option."}
