"""Fusion over real face affects (mediapipe meshes of real photos), detector gestures
and voice evidence items."""

from __future__ import annotations

import json

import pytest

from emo_perception.evidence import EvidenceItem, EvidenceWindow
from emo_perception.perception.action_units import ActionUnitEstimator
from emo_perception.perception.expression import ExpressionEstimator
from emo_perception.perception.fusion import Fusion, FusionConfig
from emo_perception.perception.micro_gestures import MicroGestureDetector
from test_action_units import face_of, grace_rgb, mesh_of
from test_micro_gestures import BODY_GESTURES, body

skdata = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def affects():
    """Real FaceAffect factories: a smiling face (astronaut) and a calm one (Grace Hopper)."""
    meshes = {"happy": mesh_of(skdata.astronaut()), "calm": mesh_of(grace_rgb())}
    au, ex = ActionUnitEstimator(), ExpressionEstimator()

    def make(kind: str, tid: str, t: float):
        return ex.estimate(tid, t, au.estimate(face_of(meshes[kind], tid), t))
    return make


def stream(fusion, affects, kind, tid, t0, t1, fps=10.0):
    states, t = [], t0
    while t < t1 - 1e-9:
        states = fusion.update(t, [affects(kind, tid, t)], [], [])
        t += 1.0 / fps
    return states, t


def test_happy_stream_moves_short_term_first(affects):
    fusion = Fusion()
    _, t = stream(fusion, affects, "calm", "p", 0.0, 30.0)
    states, t = stream(fusion, affects, "happy", "p", t, t + 5.0)
    (st,) = states
    assert st.track_id == "p"
    assert st.short_term.label == "happiness" and st.short_term.valence > 0.5
    assert st.long_term.label == "neutral"
    assert 0.0 < st.long_term.valence < st.short_term.valence - 0.3
    assert st.short_term.window_s == 3.0 and st.long_term.window_s == 120.0
    assert 0.5 < st.short_term.confidence <= 1.0
    # The evidence that drove the short-term state are the real inputs: the smile's
    # expression and its AUs over the last seconds, not the earlier calm face.
    names = {(e.kind, e.name) for e in st.short_term.evidence}
    assert ("expression", "happiness") in names and ("action_unit", "AU12") in names
    for e in st.short_term.evidence:
        assert e.start >= 30.0 - 1e-6 and e.end <= t
    happy = [e for e in st.short_term.evidence if e.name == "happiness"][0]
    assert happy.start == pytest.approx(30.0) and happy.end == pytest.approx(t - 0.1)


def test_expiry_and_two_people(affects):
    fusion = Fusion(FusionConfig(expiry_s=2.0))
    fusion.update(0.0, [affects("happy", "a", 0.0), affects("calm", "b", 0.0)], [], [])
    states = fusion.update(1.0, [affects("calm", "b", 1.0)], [], [])
    assert {s.track_id for s in states} == {"a", "b"}
    states = fusion.update(2.5, [affects("calm", "b", 2.5)], [], [])
    assert [s.track_id for s in states] == ["b"] and fusion.expired == ["a"]
    with pytest.raises(KeyError, match="'a'"):
        fusion.evidence_window("a")


def test_a_track_end_gives_the_final_window_and_late_inputs_do_not_revive_it(affects):
    fusion = Fusion()
    stream(fusion, affects, "happy", "a", 0.0, 2.0)
    window = fusion.end_track("a")
    assert window is not None and window.track_id == "a"
    assert window.expression["happiness"] > 0.5
    assert fusion.tracks() == []
    # A slower node's result for one of a's earlier frames arrives after the end.
    states = fusion.update(2.1, [affects("happy", "a", 1.9), affects("calm", "b", 2.1)], [], [])
    assert [s.track_id for s in states] == ["b"]
    assert fusion.late_for_ended == 1 and fusion.stage_stats().skipped == 1
    assert fusion.end_track("never_seen") is None


def test_gestures_and_voice_feed_state_and_evidence_window(affects):
    fusion, quiet = Fusion(), Fusion()
    det = MicroGestureDetector()
    frames = BODY_GESTURES[16]()  # folding arms from 1.0 to 2.6 s
    seen_gestures = []
    for i, (kp, hands) in enumerate(frames):
        t = i / 30.0
        events = det.update(body(kp, hands, tid="p"), t, [])
        seen_gestures += events
        voice = [EvidenceItem("voice", "prosody", "arousal", 0.8, t, t)] if i % 3 == 0 else []
        if i == 40:
            voice.append(EvidenceItem("text", "speech", "I am fine", 1.0, t - 0.5, t))
        face = affects("calm", "p", t)
        states = fusion.update(t, [face], events, voice)
        without_voice = quiet.update(t, [face], events, [])
    assert seen_gestures, "the detector produced no events to fuse"
    st = states[0]
    assert st.short_term.arousal > without_voice[0].short_term.arousal + 0.05  # voice
    assert st.long_term.valence < 0  # folded arms read as defensive on a calm face
    win = fusion.evidence_window("p")
    assert [(g.id, g.name) for g in win.micro_gestures] == [(16, "Folding arms")]
    g = win.micro_gestures[0]
    assert g.start == pytest.approx(1.0) and g.end == pytest.approx(
        max(e.end for e in seen_gestures))
    assert win.prosody == {"arousal": pytest.approx(0.8)}
    assert win.transcript == "I am fine"
    assert win.expression["neutral"] > 0.5 and set(win.expression) == set(fusion.labels)
    assert win.expression_source == "geometric"  # where the expression evidence came from
    assert all(0.0 <= v <= 1.0 for v in win.action_units.values()) and "AU12" in win.action_units
    # JSON round trip in the documented form.
    again = EvidenceWindow.from_json(json.loads(json.dumps(win.to_json())))
    assert again.micro_gestures[0].id == 16 and again.track_id == "p"
    short = fusion.evidence_window("p", duration_s=0.5)
    assert short.duration_s <= 0.5 + 1e-9


def test_voice_without_people_is_counted():
    fusion = Fusion()
    assert fusion.update(0.0, [], [], [EvidenceItem("voice", "prosody", "arousal", 0.5, 0, 0)]) \
        == []
    assert fusion.unassigned_voice == 1


def test_wrong_label_set_is_rejected_not_mixed(affects):
    fusion = Fusion(FusionConfig(label_set="basic8"))
    assert fusion.update(0.0, [affects("happy", "p", 0.0)], [], []) == []
    assert fusion.rejected == 1


@pytest.mark.parametrize("kwargs", [dict(short_window_s=200.0), dict(label_set="x"),
                                    dict(expiry_s=0.0), dict(voice_weight=-1.0)])
def test_config_validation(kwargs):
    with pytest.raises(ValueError):
        FusionConfig(**kwargs)


def test_history_is_bounded_by_the_long_window():
    from emo_perception.perception.types import MicroGestureEvent

    fusion = Fusion(FusionConfig(short_window_s=1.0, long_window_s=5.0))
    for k in range(20):  # a 0.5 s neck touch every second, for 20 s
        t = float(k)
        fusion.update(t + 0.5, [], [MicroGestureEvent("p", 11, "Touching or scratching neck",
                                                      0.9, t, t + 0.5)], [])
    win = fusion.evidence_window("p")
    assert win.micro_gestures and all(g.end >= 19.5 - 5.0 for g in win.micro_gestures)
    st = fusion.state("p", 19.5)
    assert st.short_term.valence < 0 and st.short_term.label == "fear"
