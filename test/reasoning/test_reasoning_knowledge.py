"""Knowledge backend and guard on real evidence from our perception and voice stages."""

from __future__ import annotations

import json
import math

import pytest

from emo_perception.evidence import EvidenceWindow
from emo_perception.labels import IMIGUE_CLASSES, SMG_CLASSES
from emo_perception.reasoning.guard import HallucinationGuard
from emo_perception.reasoning.knowledge import KnowledgeReasoner
from emo_perception.reasoning.qa_windows import face_window, photo_bgr, speech_evidence
from emo_perception.reasoning.render import evidence_slots, render_evidence
from emo_perception.reasoning.result import ReasoningConfig
from emo_perception.reasoning.tables import GESTURE_KNOWLEDGE, SMG_TO_IMIGUE, canonical_gesture

pytest.importorskip("mediapipe")


@pytest.fixture(scope="module")
def windows() -> dict[str, EvidenceWindow]:
    """Real windows: mediapipe mesh -> AUs -> expression; espeak-ng -> prosody."""
    out = {name: face_window(photo_bgr(name), track_id=name, start=5.0, duration_s=3.0)
           for name in ("astronaut", "grace_hopper", "chelsea")}
    glad = "I am so glad you came, this is wonderful news!"
    talk = face_window(photo_bgr("astronaut"), track_id="talk", start=5.0, duration_s=3.0)
    talk.prosody = speech_evidence(glad, speed_wpm=210, pitch=80)
    talk.transcript = glad
    out["astronaut_talking"] = talk
    return out


def test_every_cue_is_an_evidence_item(windows):
    guard = HallucinationGuard()
    for name, window in windows.items():
        result = KnowledgeReasoner().reason(window)
        items = window.items()
        for cue in result.cues:
            item = guard.match(cue, items)
            assert item is not None, f"{name}: cue {cue} is not in the evidence"
            assert cue.name in result.rationale or cue.name.lower() in result.rationale
        checked = guard.check(result, window)
        assert "unsupported_cue" not in checked.flag_kinds(), (name, checked.flags)
        assert len(checked.cues) == len(result.cues)


def test_smiling_astronaut_is_happy_with_au6_au12_cues(windows):
    result = KnowledgeReasoner().reason(windows["astronaut"])
    assert result.label == "happiness", result.distribution
    names = {c.name for c in result.cues if c.kind == "action_unit"}
    assert {"AU6", "AU12"} <= names
    assert result.valence > 0.3 and 0.0 < result.confidence <= 1.0
    assert math.isclose(sum(result.distribution.values()), 1.0, rel_tol=1e-6)
    assert (result.window_start, result.window_end) == (5.0, 8.0)
    published = json.loads(json.dumps(result.to_json()))
    assert published["label"] == "happiness" and published["cues"][0]["supported"] is True
    assert "contradiction" not in HallucinationGuard().check(
        result, windows["astronaut"]).flag_kinds()


def test_grace_hopper_is_neutral_and_no_face_is_flagged(windows):
    assert KnowledgeReasoner().reason(windows["grace_hopper"]).label == "neutral"
    cat = KnowledgeReasoner().reason(windows["chelsea"])
    assert windows["chelsea"].action_units == {}
    assert cat.label == "neutral" and cat.cues == []
    assert "no_evidence" in cat.flag_kinds()


def test_speech_adds_word_and_prosody_cues(windows):
    window = windows["astronaut_talking"]
    result = KnowledgeReasoner().reason(window)
    kinds = {c.kind for c in result.cues}
    assert "speech" in kinds, result.cues
    words = [c.name for c in result.cues if c.kind == "speech"]
    assert all(w in window.transcript.lower() for w in words)
    assert result.label == "happiness"


def test_negated_emotion_word_is_not_a_cue():
    window = EvidenceWindow(transcript="I am not happy about this", duration_s=2.0)
    result = KnowledgeReasoner().reason(window)
    assert not [c for c in result.cues if c.name == "happy"]


def test_gestures_fold_into_smaller_label_sets():
    window = EvidenceWindow.from_json({"micro_gestures": [
        {"name": "Biting nails", "id": 9, "start": 1.0, "end": 2.0, "score": 0.9}],
        "duration_s": 4.0})
    wide = KnowledgeReasoner(ReasoningConfig(label_set="mafw11")).reason(window)
    basic = KnowledgeReasoner(ReasoningConfig(label_set="basic7")).reason(window)
    assert wide.distribution["anxiety"] > wide.distribution["happiness"]
    assert "anxiety" not in basic.distribution
    assert basic.distribution["fear"] > basic.distribution["happiness"]
    assert wide.valence < 0
    cue = wide.cues[0]
    assert (cue.kind, cue.start, cue.end) == ("micro_gesture", 1.0, 2.0)


def test_rendering_states_absent_modalities(windows):
    text = render_evidence(windows["astronaut"])
    assert "AU12 (lip corner puller)" in text and "Body micro-gestures: none observed" in text
    slots = evidence_slots(windows["astronaut"])
    assert "- posture and gestures: none observed" in slots


@pytest.mark.parametrize("kwargs, message", [
    ({"backend": "gpt"}, "backend"), ({"label_set": "basic9"}, "label_set"),
    ({"timeout_s": 0}, "timeout_s"), ({"au_threshold": 1.5}, "au_threshold"),
    ({"backend": "openai", "base_url": "127.0.0.1:8080"}, "base_url"),
])
def test_config_errors_name_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReasoningConfig(**kwargs)


def test_gesture_table_covers_imigue_and_maps_smg():
    assert set(IMIGUE_CLASSES) <= set(GESTURE_KNOWLEDGE)
    assert set(SMG_TO_IMIGUE) <= set(SMG_CLASSES)
    assert canonical_gesture("pulling shirt collar") == IMIGUE_CLASSES[13]
    assert canonical_gesture("waving") is None
