"""Round trips through every message the node set exchanges (emo_perception.nodes.conversions).

Each case goes perception value -> message -> wire bytes -> message -> perception value and
compares with the original (float32 fields within float32 precision, NaN equal to NaN).
On the way every message is rebuilt with rclpy's field checks on and serialised, so a value
that does not fit its field type (a float in an int, 300 in a uint8, ...) fails here rather
than being wrapped or rejected by the middleware. Malformed messages must raise
ConversionError with one line, nothing else.

``test_every_message_type_has_a_round_trip`` fails when a message type is added to
emo_perception_msgs/msg without a round trip here.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import pathlib
import subprocess
import sys
import typing
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from rclpy.serialization import deserialize_message, serialize_message
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from emo_perception import evidence as ev
from emo_perception.nodes import conversions as cv
from emo_perception.nodes.conversions import ConversionError
from emo_perception.perception.fusion import AffectSummary, PersonState
from emo_perception.perception.tracking import Track
from emo_perception.perception.types import (ActionUnitEstimate, Body, Box, Face, FaceAffect,
                                             Hand, MicroGestureEvent)
from emo_perception.reasoning.result import Cue, Flag, ReasoningResult
from emo_perception.voice.asr import SpeechResult
from emo_perception.voice.prosody import ProsodyFeatures
from emo_perception.voice.vad import ActivityUpdate
from emo_perception_msgs import msg as m

REPO = pathlib.Path(__file__).resolve().parents[2]
MESSAGE_TYPES = sorted(p.stem for p in (REPO / "emo_perception_msgs" / "msg").glob("*.msg"))
HEADER = Header(frame_id="camera", stamp=cv.sec_to_stamp(12.5))
RNG = np.random.default_rng(12)

# -- the wire and the coverage ledger --------------------------------------------------------
COVERED: dict[str, str] = {}  # message type -> the test that round-trips it
_SEEN: set[str] = set()  # message types that went over the wire in the running test


def covers(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Declare the message types a test round-trips; checked when the test runs."""

    def wrap(fn: Callable[..., None]) -> Callable[..., None]:
        for name in names:
            COVERED.setdefault(name, fn.__name__)

        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> None:
            _SEEN.clear()
            fn(*args, **kwargs)
            missing = set(names) - _SEEN
            assert not missing, f"{fn.__name__} declares {sorted(missing)} but never sent one"

        return inner

    return wrap


def _is_msg(value: object) -> bool:
    return hasattr(type(value), "get_fields_and_field_types")


def _checked(msg: Any) -> Any:
    """The message rebuilt with rclpy's field checks on (range, type, nested types)."""
    fields = {}
    for name in msg.get_fields_and_field_types():
        value = getattr(msg, name)
        if _is_msg(value):
            value = _checked(value)
        elif isinstance(value, list) and value and _is_msg(value[0]):
            value = [_checked(v) for v in value]
        fields[name] = value
    return type(msg)(check_fields=True, **fields)


def _types_in(msg: Any) -> set[str]:
    out = {type(msg).__name__}
    for name in msg.get_fields_and_field_types():
        value = getattr(msg, name)
        if _is_msg(value):
            out |= _types_in(value)
        elif isinstance(value, list):
            for v in value:
                if _is_msg(v):
                    out |= _types_in(v)
    return out


def wire(msg: Any) -> Any:
    """Field-check, serialise and deserialise ``msg`` (what a subscriber receives)."""
    _checked(msg)
    _SEEN.update(_types_in(msg))
    # (No byte comparison: CDR alignment padding is not zeroed.)
    return deserialize_message(serialize_message(msg), type(msg))


def assert_same(a: Any, b: Any, path: str = "value", rtol: float = 1e-6) -> None:
    """Deep equality: floats and arrays within float32 precision, NaN equal to NaN."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}", rtol)
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape, f"{path}: shape {a.shape} != {b.shape}"
        assert np.allclose(a, b, rtol=rtol, atol=1e-7, equal_nan=True), f"{path}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]", rtol)
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), f"{path}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]", rtol)
    elif isinstance(a, float) and not isinstance(b, bool):
        assert isinstance(b, (float, int)), f"{path}: {b!r} is not a number"
        assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rtol,
                                                                 abs_tol=1e-7), \
            f"{path}: {a!r} != {b!r}"
    else:
        assert a == b and type(a) is type(b), f"{path}: {a!r} != {b!r}"


def one_line_error(fn: Callable[..., Any], *args: Any, match: str = "") -> str:
    with pytest.raises(ConversionError) as info:
        fn(*args)
    text = str(info.value)
    assert text and "\n" not in text, repr(text)
    if match:
        assert match in text, text
    return text


# -- sample perception values ----------------------------------------------------------------
def _face(tid: str, mesh: bool = True, pose: bool = True) -> Face:
    return Face(box=Box(10.5, 20.25, 64.0, 72.5), score=0.875, track_id=tid,
                mesh=RNG.uniform(0, 640, (478, 3)).astype(np.float32) if mesh else None,
                head_pose=(0.125, -0.25, 0.5) if pose else None)


def _body(tid: str, hands: int = 2) -> Body:
    kp = np.concatenate([RNG.uniform(0, 640, (33, 3)), RNG.uniform(0, 1, (33, 1))], axis=1)
    hand_list = [Hand(side=side, score=0.75,
                      keypoints=RNG.uniform(0, 640, (21, 3)).astype(np.float32))
                 for side in ("left", "right")[:hands]]
    return Body(box=Box(100.0, 50.0, 250.0, 450.0), score=0.5,
                keypoints=kp.astype(np.float32), track_id=tid, hands=hand_list)


def _aus() -> list[ActionUnitEstimate]:
    return [ActionUnitEstimate(1, 0.25, 1.5), ActionUnitEstimate(12, 0.875, 3.0),
            ActionUnitEstimate(45, 0.0625, math.nan)]  # intensity NaN: not estimated


def _affect(tid: str, aus: list[ActionUnitEstimate] | None = None,
            source: str = "geometric") -> FaceAffect:
    probs = RNG.dirichlet(np.ones(7))
    return FaceAffect(track_id=tid, stamp=12.5, action_units=aus or [],
                      labels=("neutral", "happiness", "sadness", "surprise", "fear", "disgust",
                              "anger"), probabilities=probs, valence=0.25, arousal=-0.5,
                      confidence=0.625, source=source)


def _items() -> list[ev.EvidenceItem]:
    return [ev.EvidenceItem("face", "action_unit", "AU12", 0.75, 10.0, 12.5, 12),
            ev.EvidenceItem("body", "micro_gesture", "Folding arms", 0.5, 11.0, 12.0, 16),
            ev.EvidenceItem("voice", "prosody", "arousal", -0.25, 9.5, 11.25)]


def _summary(window_s: float) -> AffectSummary:
    probs = RNG.dirichlet(np.ones(7))
    labels = ("neutral", "happiness", "sadness", "surprise", "fear", "disgust", "anger")
    return AffectSummary(labels=labels, probabilities=probs, label=labels[int(np.argmax(probs))],
                         valence=0.5, arousal=0.125, confidence=0.75, window_s=window_s,
                         evidence=_items())


# -- images ----------------------------------------------------------------------------------
SHAPES = [(1, 1), (7, 13), (31, 47)]  # odd widths: rows are not word-aligned
ENCODE_CASES = {  # encoding -> (input image of shape HxW, decoded BGR expected)
    "bgr8": lambda h, w: _same(RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)),
    "rgb8": lambda h, w: _same(RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)),
    "mono8": lambda h, w: _gray(RNG.integers(0, 256, (h, w), dtype=np.uint8)),
    "bgra8": lambda h, w: _drop_alpha(RNG.integers(0, 256, (h, w, 4), dtype=np.uint8)),
    "rgba8": lambda h, w: _drop_alpha(RNG.integers(0, 256, (h, w, 4), dtype=np.uint8)),
    "16UC1": lambda h, w: _high_byte(RNG.integers(0, 65536, (h, w), dtype=np.uint16)),
    "mono16": lambda h, w: _high_byte(RNG.integers(0, 65536, (h, w), dtype=np.uint16)),
}


def _same(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return img, img


def _gray(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return img, np.repeat(img[:, :, None], 3, axis=2)


def _drop_alpha(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return img, img[:, :, :3]


def _high_byte(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return img, np.repeat((img >> 8).astype(np.uint8)[:, :, None], 3, axis=2)


def _padded(msg: Image, pad: int) -> Image:
    """The same image with ``pad`` garbage bytes after every row."""
    rows = np.frombuffer(bytes(msg.data), np.uint8).reshape(msg.height, msg.step)
    junk = np.full((msg.height, pad), 0xAB, dtype=np.uint8)
    return Image(header=msg.header, height=msg.height, width=msg.width, encoding=msg.encoding,
                 is_bigendian=msg.is_bigendian, step=msg.step + pad,
                 data=np.concatenate([rows, junk], axis=1).tobytes())


@covers("Image")
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("encoding", list(ENCODE_CASES))
def test_image_round_trip(encoding: str, shape: tuple[int, int]) -> None:
    image, expected = ENCODE_CASES[encoding](*shape)
    msg = wire(cv.bgr_to_image(image, HEADER, encoding))
    assert msg.encoding == encoding and (msg.height, msg.width) == shape
    assert msg.header.frame_id == "camera" and msg.is_bigendian == 0
    assert msg.step == shape[1] * len(bytes(msg.data)) // (shape[0] * shape[1])
    np.testing.assert_array_equal(cv.image_to_bgr(msg), expected)
    for pad in (1, 3, 64):  # step padding (odd pads misalign 16-bit rows)
        np.testing.assert_array_equal(cv.image_to_bgr(wire(_padded(msg, pad))), expected)


@covers("Image")
def test_image_opaque_alpha_and_big_endian_16_bit() -> None:
    bgr = RNG.integers(0, 256, (5, 9, 3), dtype=np.uint8)
    for encoding in ("bgra8", "rgba8"):
        msg = wire(cv.bgr_to_image(bgr, HEADER, encoding))
        pixels = np.frombuffer(bytes(msg.data), np.uint8).reshape(5, 9, 4)
        assert (pixels[:, :, 3] == 255).all()
        np.testing.assert_array_equal(cv.image_to_bgr(msg), bgr)
    depth = RNG.integers(0, 65536, (4, 7), dtype=np.uint16)
    msg = Image(height=4, width=7, encoding="16UC1", is_bigendian=1, step=14,
                data=depth.astype(">u2").tobytes())
    _, expected = _high_byte(depth)
    np.testing.assert_array_equal(cv.image_to_bgr(wire(msg)), expected)


@covers("CameraInfo")
def test_camera_info_round_trip() -> None:
    image = cv.bgr_to_image(np.zeros((31, 47, 3), np.uint8), HEADER)
    info = wire(cv.camera_info_to_msg(image.header, image.width, image.height))
    assert cv.msg_to_image_size(info) == (47, 31) == cv.msg_to_image_size(image)
    assert info.header.frame_id == "camera" and info.header.stamp == HEADER.stamp
    one_line_error(cv.msg_to_image_size, CameraInfo(), match="empty image size")


def test_malformed_images_raise_one_line() -> None:
    good = cv.bgr_to_image(RNG.integers(0, 256, (10, 11, 3), dtype=np.uint8))
    bad = [Image(height=4, width=4, encoding="yuv422", step=8, data=bytes(32)),
           Image(height=0, width=0, encoding="bgr8"),
           Image(height=10, width=11, encoding="bgr8", step=32, data=bytes(good.data)),
           Image(height=10, width=11, encoding="bgr8", step=33, data=bytes(good.data)[:-1]),
           Image(height=10, width=11, encoding="16UC1", step=22, data=bytes(219))]
    for msg in bad:
        one_line_error(cv.image_to_bgr, msg)
    one_line_error(cv.image_to_bgr, m.Face())  # not an image at all
    gray = np.zeros((4, 4), np.uint8)
    one_line_error(cv.bgr_to_image, gray, None, "yuv422", match="cannot encode")
    one_line_error(cv.bgr_to_image, gray, None, "bgr8", match="HxWx3")
    one_line_error(cv.bgr_to_image, gray, None, "16UC1", match="uint16")
    one_line_error(cv.bgr_to_image, gray.astype(np.float32), None, "mono8", match="uint8")
    one_line_error(cv.bgr_to_image, np.zeros((4, 4, 2), np.uint8), None, "bgra8",
                   match="HxWx4")


# -- faces, bodies, tracks -------------------------------------------------------------------
@covers("FaceArray", "Face", "Box2D")
def test_faces_round_trip_with_and_without_landmarks() -> None:
    faces = [_face("p1"), _face("p2", mesh=False), _face("p3", pose=False)]
    msg = wire(cv.face_array_to_msg(faces, HEADER, 640, 480, with_landmarks=True))
    assert (msg.image_width, msg.image_height) == (640, 480)
    assert all(f.header.stamp == HEADER.stamp for f in msg.faces)
    errors: list[str] = []
    assert_same(cv.msg_to_faces(msg, errors.append), faces)
    assert not errors
    public = wire(cv.face_array_to_msg(faces, HEADER, 640, 480, with_landmarks=False))
    back = cv.msg_to_faces(public)
    assert all(f.mesh is None for f in back)  # the public topic never carries meshes
    assert_same(back, [dataclasses.replace(f, mesh=None) for f in faces])


def test_malformed_faces_raise_or_are_skipped() -> None:
    face = cv.face_to_msg(_face("p1"), HEADER, with_landmarks=True)
    face.landmarks = face.landmarks[:-1]
    one_line_error(cv.msg_to_face, face, match="multiple of 3")
    for box in (m.Box2D(x=math.nan, width=1.0, height=1.0), m.Box2D(width=-2.0, height=1.0)):
        one_line_error(cv.msg_to_face, m.Face(track_id="p9", box=box), match="box")
    array_msg = m.FaceArray(faces=[face, cv.face_to_msg(_face("p2"), HEADER, True)])
    errors: list[str] = []
    assert [f.track_id for f in cv.msg_to_faces(array_msg, errors.append)] == ["p2"]
    assert len(errors) == 1 and errors[0].startswith("face 'p1'") and "\n" not in errors[0]
    one_line_error(cv.msg_to_faces, array_msg, match="face 'p1'")
    one_line_error(cv.msg_to_face, m.Body(), match="face")  # wrong message type


@covers("BodyArray", "Body", "Hand", "Keypoint", "Box2D")
def test_bodies_round_trip() -> None:
    bodies = [_body("p1"), _body("p2", hands=0)]
    msg = wire(cv.body_array_to_msg(bodies, HEADER, 640, 480))
    assert (msg.image_width, msg.image_height) == (640, 480)
    assert_same(cv.msg_to_bodies(msg), bodies)
    assert_same(cv.msg_to_body(msg.bodies[0]), bodies[0])


def test_wrong_keypoint_counts_raise_or_are_skipped() -> None:
    body = cv.body_to_msg(_body("p1"), HEADER)
    short = cv.body_to_msg(_body("p2"), HEADER)
    short.keypoints = short.keypoints[:17]
    one_line_error(cv.msg_to_body, short, match="17 keypoints, expected 33")
    hand = cv.body_to_msg(_body("p3"), HEADER)
    hand.hands[1].keypoints = hand.hands[1].keypoints[:20]
    one_line_error(cv.msg_to_body, hand, match="right hand has 20 keypoints")
    errors: list[str] = []
    got = cv.msg_to_bodies(m.BodyArray(bodies=[short, body, hand]), errors.append)
    assert [b.track_id for b in got] == ["p1"]
    assert [e.split(":")[0] for e in errors] == ["body 'p2'", "body 'p3'"]


@covers("PersonTrackArray", "PersonTrack")
def test_person_tracks_round_trip() -> None:
    tracks = [Track("p1", Box(1, 2, 3, 4), Box(0, 0, 10, 20), first_seen=3.25, last_seen=12.5,
                    hits=40, missed=0),
              Track("p2", None, Box(0, 0, 10, 20), first_seen=10.0, last_seen=12.5, hits=3),
              Track("p3", Box(1, 2, 3, 4), None, first_seen=11.0, last_seen=11.5, hits=5,
                    missed=2)]
    faces, bodies = [_face("p1", mesh=False)], [_body("p1"), _body("p2")]
    msg = wire(cv.tracks_to_msg(tracks, faces, bodies, HEADER))
    assert all(t.header.stamp == HEADER.stamp for t in msg.tracks)
    expected = [cv.PersonTrackInfo("p1", "p1", "p1", "", 3.25, 40, 0),
                cv.PersonTrackInfo("p2", "", "p2", "", 10.0, 3, 0),
                cv.PersonTrackInfo("p3", "", "", "", 11.0, 5, 2)]
    assert_same(cv.msg_to_tracks(msg), expected)
    info = cv.PersonTrackInfo("p4", voice_id="v1", first_seen=1.5, frames_seen=1)
    assert_same(cv.msg_to_person_track(wire(cv.person_track_to_msg(info, HEADER))), info)
    with pytest.raises(AssertionError):  # the wire's field check sees what rclpy would wrap
        wire(cv.person_track_to_msg(cv.PersonTrackInfo("p5", frames_seen=-1), HEADER))


# -- action units, expressions, gestures -----------------------------------------------------
@covers("ActionUnitsArray", "ActionUnits", "ActionUnit")
def test_action_units_round_trip() -> None:
    per_track = {"p1": _aus(), "p2": _aus()[:1], "p3": []}
    msg = wire(cv.action_units_array_to_msg(per_track, HEADER, m.ActionUnits.SOURCE_LEARNED))
    assert [f.source for f in msg.faces] == ["learned"] * 3
    assert msg.faces[0].units[1].name == "lip corner puller"
    assert_same(cv.msg_to_action_units_by_track(msg), per_track)
    assert_same(cv.msg_to_action_units(msg.faces[0]), per_track["p1"])
    one_line_error(cv.action_units_to_msg, "p1", [ActionUnitEstimate(1, "high", 1.0)], HEADER)


@covers("ExpressionArray", "Expression")
def test_expressions_round_trip_joined_with_action_units() -> None:
    aus = {"p1": _aus()}
    affects = [_affect("p1", aus["p1"]), _affect("p2", source=m.Expression.SOURCE_LEARNED),
               _affect("p3", source=m.Expression.SOURCE_ENSEMBLE_BOTH)]
    msg = wire(cv.expression_array_to_msg(affects, HEADER, m.Expression.LABEL_SET_BASIC7))
    assert [e.label for e in msg.expressions] == [a.label for a in affects]
    assert [e.source for e in msg.expressions] == ["geometric", "learned", "ensemble:both"]
    assert msg.expressions[0].label_set == "basic7"
    assert_same(cv.msg_to_affects(msg, aus), affects)
    assert_same(cv.expression_msg_to_affect(msg.expressions[0], aus["p1"]), affects[0])


@covers("ActionUnitsArray", "ActionUnits", "ActionUnit", "ExpressionArray", "Expression")
def test_face_affects_split_into_two_topics_and_join_again() -> None:
    affects = [_affect("p1", _aus()), _affect("p2", _aus()[1:]), _affect("p3")]
    units, expressions = cv.face_affects_to_msgs(affects, HEADER, "basic7", "learned")
    units, expressions = wire(units), wire(expressions)
    assert [f.track_id for f in units.faces] == ["p1", "p2", "p3"]
    assert {f.source for f in units.faces} == {"learned"}
    back = cv.msg_to_affects(expressions, cv.msg_to_action_units_by_track(units))
    assert_same(back, affects)


def test_malformed_expressions_raise_or_are_skipped() -> None:
    good = cv.affect_to_expression_msg(_affect("p1"), HEADER, "basic7")
    bad = cv.affect_to_expression_msg(_affect("p2"), HEADER, "basic7")
    bad.probabilities = bad.probabilities[:-1]
    one_line_error(cv.expression_msg_to_affect, bad, match="7 labels but 6 probabilities")
    one_line_error(cv.expression_msg_to_affect, m.Expression(), match="no labels")
    errors: list[str] = []
    got = cv.msg_to_affects(m.ExpressionArray(expressions=[bad, good]), None, errors.append)
    assert [a.track_id for a in got] == ["p1"] and errors[0].startswith("expression 'p2'")


@covers("MicroGestureArray", "MicroGesture")
def test_micro_gestures_round_trip() -> None:
    events = [MicroGestureEvent("p1", 16, "Folding arms", 0.75, 10.0, 12.5),
              MicroGestureEvent("p2", 8, "Arms akimbo", 0.5, 11.0, 11.0, dataset="smg")]
    msg = wire(cv.gestures_to_msg(events, HEADER))
    assert [g.source for g in msg.gestures] == ["geometric"] * 2
    assert_same(cv.msg_to_gestures(msg), events)
    one_line_error(cv.gesture_to_msg, dataclasses.replace(events[0], class_id="x"), HEADER)


# -- evidence and fusion state ---------------------------------------------------------------
@covers("EvidenceItem")
def test_evidence_items_round_trip() -> None:
    for item in _items():
        assert_same(cv.msg_to_evidence_item(wire(cv.evidence_item_to_msg(item))), item)


def test_malformed_evidence_items_raise_one_line() -> None:
    good = cv.evidence_item_to_msg(_items()[0])
    cases = {"modality": dict(modality="smell"), "kind": dict(kind="gossip"),
             "not finite": dict(value=math.nan),
             "ends before": dict(start=cv.sec_to_stamp(5.0), end=cv.sec_to_stamp(4.0))}
    for match, fields in cases.items():
        msg = cv.evidence_item_to_msg(_items()[0])
        for k, v in fields.items():
            setattr(msg, k, v)
        one_line_error(cv.msg_to_evidence_item, msg, match=match)
    assert cv.msg_to_evidence_item(good).name == "AU12"


@covers("EvidenceWindow", "EvidenceItem")
def test_evidence_window_round_trip() -> None:
    window = ev.EvidenceWindow(
        action_units={"AU6": 0.5, "AU12": 0.75}, expression={"happiness": 0.625, "neutral": 0.25},
        micro_gestures=[ev.MicroGestureSpan("Folding arms", 16, 14.0, 20.5, 0.875)],
        prosody={"arousal": 0.25, "f0_mean_hz": 180.5, "f0_range_st": math.nan},
        transcript="I am fine", duration_s=30.0, track_id="p1", start=12.5,
        expression_source="ensemble:both+learned")
    msg = wire(cv.evidence_window_to_msg(window, HEADER))
    assert msg.track_id == "p1" and msg.header.stamp == HEADER.stamp
    assert msg.expression_source == "ensemble:both+learned"
    back = cv.msg_to_evidence_window(msg)
    # A NaN prosody value is not evidence: the flat (message) form leaves it out.
    expected = dataclasses.replace(window, prosody={"arousal": 0.25, "f0_mean_hz": 180.5})
    assert_same(back, expected)
    bad = cv.evidence_window_to_msg(window, HEADER)
    bad.items[0].kind = "gossip"
    errors: list[str] = []
    partial = cv.msg_to_evidence_window(bad, errors.append)
    assert list(partial.action_units) == ["AU12"] and errors[0].startswith("item 'AU6'")
    one_line_error(cv.msg_to_evidence_window, bad, match="item 'AU6'")


@covers("EmotionStateArray", "EmotionState", "AffectState", "EvidenceItem")
def test_emotion_states_round_trip() -> None:
    states = [PersonState("p1", 12.5, _summary(3.0), _summary(120.0)),
              PersonState("p2", 12.5, _summary(3.0), _summary(120.0))]
    modalities = {"p1": {"voice", "face", "body"}}
    msg = wire(cv.person_states_to_msg(states, HEADER, modalities))
    assert list(msg.states[0].modalities) == ["body", "face", "voice"]
    assert list(msg.states[1].modalities) == []
    assert_same(cv.msg_to_person_states(msg), states)
    state = wire(cv.person_state_to_msg(states[0], HEADER, ["face"], first_seen=3.25))
    assert cv.stamp_to_sec(state.first_seen) == 3.25
    assert_same(cv.msg_to_person_state(state), states[0])
    summary = cv.affect_summary_to_msg(_summary(3.0))
    assert_same(cv.msg_to_affect_summary(wire(summary)).evidence, _items())
    summary.labels = summary.labels[:3]
    one_line_error(cv.msg_to_affect_summary, summary, match="3 labels but 7 probabilities")


# -- voice -----------------------------------------------------------------------------------
@covers("AudioChunk")
def test_audio_round_trip_and_channel_mixing() -> None:
    samples = RNG.uniform(-1, 1, 1601).astype(np.float32)
    msg = wire(cv.audio_to_msg(samples, 16000, HEADER, sequence=7, anonymised=True))
    assert (msg.sequence, msg.anonymised, msg.channels, msg.format) == (7, True, 1, "f32")
    back, rate = cv.msg_to_audio(msg)
    assert rate == 16000 and back.dtype == np.float32
    np.testing.assert_array_equal(back, samples)
    stereo = m.AudioChunk(sample_rate=48000, channels=2, format="f32",
                          samples=np.array([0.5, -0.5, 1.0, 0.0], np.float32))
    back, rate = cv.msg_to_audio(wire(stereo))
    assert rate == 48000 and back.tolist() == [0.0, 0.5]
    one_line_error(cv.msg_to_audio, m.AudioChunk(format="s16", sample_rate=16000),
                   match="unsupported audio format")
    one_line_error(cv.msg_to_audio, m.AudioChunk(format="f32", sample_rate=16000, channels=2,
                                                 samples=[0.1, 0.2, 0.3]), match="channels")
    one_line_error(cv.msg_to_audio, m.AudioChunk(format="f32"), match="sample rate")


def _prosody(f0: float = 182.5) -> ProsodyFeatures:
    nan_if = (lambda v: math.nan) if math.isnan(f0) else (lambda v: v)
    return ProsodyFeatures(start=20.0, end=22.5, f0_mean_hz=f0, f0_range_st=nan_if(4.5),
                           f0_slope_st_per_s=nan_if(-0.75), energy_db=-23.5,
                           energy_range_db=18.25, speaking_rate_sps=4.125, voiced_ratio=0.625,
                           pause_count=2, pause_ratio=0.125, arousal=0.375)


@covers("Prosody")
@pytest.mark.parametrize("f0", [182.5, math.nan], ids=["voiced", "unvoiced"])
def test_prosody_round_trip_and_evidence(f0: float) -> None:
    features = _prosody(f0)
    header = cv.make_header(features.end, "microphone")
    msg = wire(cv.prosody_to_msg(features, header, "v1", m.Prosody.KIND_SEGMENT))
    assert (msg.voice_id, msg.kind) == ("v1", "segment")
    assert_same(cv.msg_to_prosody(msg), features)
    items = cv.prosody_msg_to_evidence(msg)
    names = ["f0_mean_hz", "f0_range_st", "f0_slope_st_per_s", "energy_db",
             "speaking_rate_sps", "voiced_ratio", "pause_ratio", "arousal"]  # as offline
    if math.isnan(f0):
        names = [n for n in names if not n.startswith("f0")]
    assert [i.name for i in items] == names
    assert all((i.modality, i.kind, i.start, i.end) == ("voice", "prosody", 20.0, 22.5)
               for i in items)
    assert_same([i.value for i in items], [float(getattr(features, n)) for n in names])
    msg.window_end = cv.sec_to_stamp(19.0)
    one_line_error(cv.msg_to_prosody, msg, match="ends before it starts")
    one_line_error(cv.prosody_msg_to_evidence, msg, match="ends before it starts")


@covers("VoiceActivity")
@pytest.mark.parametrize("speaking", [True, False])
def test_voice_activity_round_trip(speaking: bool) -> None:
    update = ActivityUpdate(stamp=31.25, speaking=speaking, probability=0.875)
    seg_end = 0.0 if speaking else 31.25
    msg = wire(cv.voice_activity_to_msg(update, cv.make_header(update.stamp, "microphone"),
                                        "v1", 30.0, seg_end))
    assert_same(cv.msg_to_voice_activity(msg), cv.VoiceActivityInfo(update, "v1", 30.0, seg_end))


@covers("Speech")
def test_speech_round_trip_and_evidence() -> None:
    result = SpeechResult(text="  I am fine  ", start=40.0, end=41.5, avg_logprob=-0.25,
                          no_speech_prob=0.125, latency_s=0.5, parts=(("I am fine", 0.0, 1.5),))
    msg = wire(cv.speech_to_msg(result, cv.make_header(result.end, "microphone"), "v1", "en",
                                True))
    assert (msg.voice_id, msg.language, msg.from_anonymised) == ("v1", "en", True)
    assert math.isclose(msg.confidence, math.exp(-0.25), rel_tol=1e-6)
    expected = SpeechResult("I am fine", 40.0, 41.5, -0.25, 0.0, 0.0)  # what Speech carries
    assert_same(cv.msg_to_speech(msg), expected)
    items = cv.speech_msg_to_evidence(msg)
    assert_same(items, [ev.EvidenceItem("text", "speech", "I am fine", math.exp(-0.25), 40.0,
                                        41.5)])
    msg.end = cv.sec_to_stamp(39.0)  # clipped: an item never ends before it starts
    assert cv.speech_msg_to_evidence(msg)[0].end == 40.0
    assert cv.speech_msg_to_evidence(m.Speech(text="   ")) == []
    for avg, conf in ((5.0, 1.0), (-math.inf, 0.0), (math.nan, 0.0)):
        assert cv.speech_confidence(avg) == conf
    one_line_error(cv.speech_msg_to_evidence, m.Speech(text="hi", confidence=math.nan),
                   match="not finite")
    one_line_error(cv.msg_to_speech, m.Speech(text="hi", confidence=1.5), match="outside")


# -- reasoning -------------------------------------------------------------------------------
def _result(window_end: float = 42.5) -> ReasoningResult:
    return ReasoningResult(
        track_id="p1", label="happiness", label_set="basic7",
        distribution={"happiness": 0.625, "neutral": 0.25, "sadness": 0.125},
        valence=0.5, arousal=0.25, confidence=0.75,
        cues=[Cue("face", "action_unit", "AU12", 12.5, 20.0, "lip corners pulled"),
              Cue("text", "speech", "fine", description="said so")],  # no times: NaN
        rationale="Smiling while saying so.",
        flags=[Flag("fallback", "openai: connection refused"), Flag("timeout", "20 s")],
        backend="knowledge", model="", latency_s=0.0625, fallback_used=True,
        window_start=12.5, window_end=window_end)


@covers("EmotionReasoning", "ReasoningCue", "HallucinationFlag")
def test_reasoning_round_trip() -> None:
    result = _result()
    now = cv.sec_to_stamp(99.0)
    msg = wire(cv.reasoning_to_msg(result, now))
    assert msg.header.stamp == cv.sec_to_stamp(42.5) and msg.header.frame_id == "camera"
    assert [c.start for c in msg.cues][1] == cv.sec_to_stamp(0.0)  # unknown time is sent as 0
    assert_same(cv.msg_to_reasoning(msg), result)
    no_window = wire(cv.reasoning_to_msg(_result(window_end=0.0), now, frame_id="robot"))
    assert no_window.header.stamp == now and no_window.header.frame_id == "robot"
    for cue in result.cues:
        assert_same(cv.msg_to_cue(wire(cv.cue_to_msg(cue))), cue)
    for flag in result.flags:
        assert_same(cv.msg_to_flag(wire(cv.flag_to_msg(flag))), flag)


def test_malformed_reasoning_raises_one_line() -> None:
    msg = cv.reasoning_to_msg(_result(), cv.sec_to_stamp(1.0))
    msg.probabilities = msg.probabilities[:2]
    one_line_error(cv.msg_to_reasoning, msg, match="3 labels but 2 probabilities")
    msg = cv.reasoning_to_msg(_result(), cv.sec_to_stamp(1.0))
    msg.flags[0].kind = "gossip"
    one_line_error(cv.msg_to_reasoning, msg, match="flag kind 'gossip'")


# -- the module as a whole -------------------------------------------------------------------
def test_every_message_type_has_a_round_trip() -> None:
    missing = sorted(set(MESSAGE_TYPES) - set(COVERED))
    assert not missing, f"message types without a round trip in {__file__}: {missing}"
    stale = sorted(set(COVERED) - set(MESSAGE_TYPES) - {"Image", "CameraInfo"})
    assert not stale, f"round trips of message types that no longer exist: {stale}"
    assert len(MESSAGE_TYPES) >= 28


def test_stamps_round_trip() -> None:
    for seconds in (0.0, 1e-9, 12.5, 41.999999999, 1_700_000_000.123456):
        back = cv.stamp_to_sec(wire(Header(stamp=cv.sec_to_stamp(seconds))).stamp)
        assert abs(back - seconds) < 1e-6, (seconds, back)
    for bad in (-1.0, math.nan, math.inf):
        assert cv.sec_to_stamp(bad) == cv.sec_to_stamp(0.0)
    assert cv.sec_to_stamp(0.9999999999).sec == 1


def test_every_conversion_is_fully_typed() -> None:
    names = {"SpeechResult": SpeechResult, "ProsodyFeatures": ProsodyFeatures,
             "ActivityUpdate": ActivityUpdate}
    functions = [f for _, f in inspect.getmembers(cv, inspect.isfunction)
                 if f.__module__ == cv.__name__]
    assert len(functions) > 50
    for fn in functions:
        hints = typing.get_type_hints(fn, localns=names)  # every annotation resolves
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        untyped = [p.name for p in params if p.name not in hints]
        assert not untyped and "return" in hints, f"{fn.__name__}: untyped {untyped}"


def test_conversions_import_without_rclpy() -> None:
    script = (
        "import importlib.abc, sys\n"
        "class NoRos(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'rclpy' or name.startswith('rclpy.'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, NoRos())\n"
        "import emo_perception.nodes.conversions\n")
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=REPO)
    assert res.returncode == 0, res.stderr[-2000:]
