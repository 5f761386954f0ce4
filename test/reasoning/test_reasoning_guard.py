"""Hallucination guard and output parsing on real evidence (astronaut photo) and text."""

from __future__ import annotations

import pytest

from emo_perception.evidence import EvidenceWindow
from emo_perception.reasoning.guard import HallucinationGuard
from emo_perception.reasoning.knowledge import KnowledgeReasoner
from emo_perception.reasoning.parse import (
    extract_cues, parse_choice, parse_json_object, parse_label, parse_yes_no,
)
from emo_perception.reasoning.qa_windows import face_window, photo_bgr
from emo_perception.reasoning.result import Cue, ReasoningResult

pytest.importorskip("mediapipe")
LABELS = ("surprise", "fear", "disgust", "happiness", "sadness", "anger", "neutral")


@pytest.fixture(scope="module")
def window() -> EvidenceWindow:
    w = face_window(photo_bgr("astronaut"), track_id="a", start=10.0, duration_s=4.0)
    w.micro_gestures = []  # the photo shows no gesture; cues about one must be rejected
    w.transcript = "what a lovely day"
    return w


def result_with(label: str, cues: list[Cue]) -> ReasoningResult:
    return ReasoningResult("a", label, "basic7", {label: 1.0}, 0.5, 0.3, 0.8, cues=cues)


def test_injected_unsupported_cues_are_removed_and_flagged(window):
    good = Cue("face", "action_unit", "AU12", description="lip corners up")
    injected = [
        Cue("face", "action_unit", "AU4"),  # measured, but far below threshold
        Cue("face", "action_unit", "AU12", 30.0, 31.0),  # right AU, wrong time
        Cue("body", "micro_gesture", "Folding arms"),  # no gesture in the window
        Cue("text", "speech", "terrible"),  # not said
        Cue("voice", "prosody", "f0_mean_hz"),  # no voice evidence at all
        Cue("face", "micro_gesture", "AU12"),  # wrong modality/kind pairing
    ]
    checked = HallucinationGuard().check(result_with("happiness", [good] + injected), window)
    assert [c.name for c in checked.cues] == ["AU12"]
    assert checked.cues[0].supported and checked.cues[0].start == 10.0
    assert len(checked.rejected_cues) == len(injected)
    assert all(not c.supported for c in checked.rejected_cues)
    assert checked.flag_kinds().count("unsupported_cue") == len(injected)


def test_supported_quote_and_named_au_pass(window):
    cues = [Cue("text", "speech", "'lovely day'"), Cue("face", "action_unit", "cheek raiser")]
    checked = HallucinationGuard().check(result_with("happiness", cues), window)
    assert len(checked.cues) == 2 and not checked.flags


def test_label_against_strong_evidence_is_flagged(window):
    guard = HallucinationGuard()
    sad = guard.check(result_with("sadness", []), window)
    details = " ".join(f.detail for f in sad.flags)
    assert "happiness prototype" in details and "sadness without" in details
    calm = EvidenceWindow.from_json({"action_units": {"AU12": 0.05, "AU6": 0.1},
                                     "duration_s": 2.0})
    happy = guard.check(result_with("happiness", []), calm)
    assert any("lip-corner" in f.detail for f in happy.flags)
    own = KnowledgeReasoner().reason(window)
    assert "contradiction" not in guard.check(own, window).flag_kinds()


def test_valence_sign_against_label_is_inconsistent(window):
    r = result_with("happiness", [])
    r.valence = -0.8
    assert "inconsistent" in HallucinationGuard().check(r, window).flag_kinds()


@pytest.mark.parametrize("text, label", [
    ('{"label": "happiness", "valence": 0.7}', "happiness"),
    ("{'label': 'Sad', 'cues': ['AU15',],}", "sadness"),
    ("The person looks happy and relaxed.", "happiness"),
    ("Answer: anger. Not sadness.", "anger"),
    ("I cannot tell from this.", None),
    ('{"label": "<one of surprise|fear>"', "surprise"),
])
def test_parse_label(text, label):
    assert parse_label(text, LABELS) == label


def test_parse_helpers():
    assert parse_json_object('noise {"a": 1} trailing } more') == {"a": 1}
    assert parse_yes_no("Yes, that is right.") == "yes"
    assert parse_yes_no("No. It is not true") == "no"
    assert parse_yes_no('{"answer": "no"}') == "no"
    assert parse_yes_no("Maybe.") is None
    opts = ["fear", "anxiety", "anger"]
    assert parse_choice("B", opts) == 1
    assert parse_choice("(c) anger", opts) == 2
    assert parse_choice("The answer is anxiety", opts) == 1
    assert parse_choice("unclear", opts) is None
    cues = extract_cues("AU 6 and AU12 plus Folding arms", {"cues": ["AU25", {"name": "'hi'"}]})
    assert [(c.kind, c.name) for c in cues] == [
        ("action_unit", "AU25"), ("speech", "hi"), ("action_unit", "AU6"),
        ("action_unit", "AU12"), ("micro_gesture", "Folding arms")]
