"""Pure, symmetric conversions between ROS messages and numpy / stage dataclasses.

Every message the node set publishes is built here and every message it reads is read
here, one ``X_to_msg`` / ``msg_to_X`` pair per message kind, so the nodes hold no field
lists of their own. No rclpy: message classes only, so the functions run (and are tested)
without a ROS context.

Every failure raises :class:`ConversionError` with a one-line message, so a node can count
it and report it in diagnostics instead of crashing. Readers of arrays (``msg_to_faces``,
``msg_to_bodies``, ``msg_to_affects``, ``msg_to_evidence_window``) can instead pass each
bad element to an ``on_error`` callback and skip it, so one bad publisher cannot crash a
node.

What a message does not carry comes back as a documented default (e.g. a face's detector
keypoints, an AU's asymmetry, a speech result's latency); see each reader.
"""

from __future__ import annotations

import array
import functools
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import numpy as np
from builtin_interfaces.msg import Time
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from emo_perception import evidence as ev
from emo_perception.labels import AU_NAMES
from emo_perception.perception.fusion import AffectSummary, PersonState
from emo_perception.perception.sources import decode_raw_image
from emo_perception.perception.tracking import Track
from emo_perception.perception.types import (ActionUnitEstimate, Body, Box, Face, FaceAffect,
                                             Hand, MicroGestureEvent)
from emo_perception.reasoning.result import Cue, Flag, ReasoningResult
from emo_perception_msgs import msg as m

if TYPE_CHECKING:  # voice stages pull in scipy; imported where first used
    from emo_perception.voice.asr import SpeechResult
    from emo_perception.voice.prosody import ProsodyFeatures
    from emo_perception.voice.vad import ActivityUpdate

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
OnError = Callable[[str], None]

BODY_KEYPOINTS = 33  # mediapipe pose topology (Body.msg)
HAND_KEYPOINTS = 21  # mediapipe hand topology (Hand.msg)
# Prosody fields that become voice evidence, after "arousal" (fusion_node's order).
PROSODY_EVIDENCE_FIELDS = tuple(n for n in ev.PROSODY_EVIDENCE if n != "arousal")


class ConversionError(ValueError):
    """A message could not be converted (wrong encoding, size mismatch, ...)."""

    def __init__(self, message: object) -> None:
        super().__init__(" ".join(str(message).split("\n")).strip())


# Exceptions a malformed message (or a value that does not fit a field) can raise inside a
# conversion; rclpy's generated setters use ``assert`` for range and type checks.
_MALFORMED = (AssertionError, AttributeError, IndexError, KeyError, OverflowError, TypeError,
              ValueError)


def _converts(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn any failure of the wrapped conversion into a one-line ConversionError."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except ConversionError:
                raise
            except _MALFORMED as exc:
                lines = str(exc).strip().splitlines()
                reason = lines[0] if lines else type(exc).__name__
                raise ConversionError(f"{what}: {reason}") from None

        return inner

    return wrap


def _each(msgs: Iterable[T], convert: Callable[[T], R], name: Callable[[T], str],
          on_error: OnError | None) -> list[R]:
    """Convert every element; a bad one goes to ``on_error`` (and is skipped) or raises."""
    out = []
    for msg in msgs:
        try:
            out.append(convert(msg))
        except ConversionError as exc:
            if on_error is None:
                raise ConversionError(f"{name(msg)}: {exc}") from None
            on_error(f"{name(msg)}: {exc}")
    return out


def _labels_and_probs(labels: Sequence[str], probs: Sequence[float],
                      what: str) -> tuple[tuple[str, ...], np.ndarray]:
    if len(labels) != len(probs):
        raise ConversionError(f"{what}: {len(labels)} labels but {len(probs)} probabilities")
    return tuple(str(lb) for lb in labels), np.asarray(probs, dtype=np.float64)


# -- time and headers ------------------------------------------------------------------------
def stamp_to_sec(stamp: Time) -> float:
    return float(stamp.sec) + float(stamp.nanosec) * 1e-9


def sec_to_stamp(seconds: float) -> Time:
    """Seconds as a stamp; NaN, infinite and negative times become 0 (Time is unsigned)."""
    if not np.isfinite(seconds) or seconds < 0:
        seconds = 0.0
    sec = int(seconds)
    nanosec = int(round((seconds - sec) * 1e9))
    if nanosec >= 1_000_000_000:
        sec, nanosec = sec + 1, nanosec - 1_000_000_000
    return Time(sec=sec, nanosec=nanosec)


def make_header(stamp: float, frame_id: str) -> Header:
    """A header at ``stamp`` seconds (voice_node's per-output headers)."""
    return Header(stamp=sec_to_stamp(stamp), frame_id=frame_id)


# -- images ----------------------------------------------------------------------------------
# encoding -> (channels, dtype); names as sensor_msgs/image_encodings spells them.
IMAGE_ENCODINGS: dict[str, tuple[int, type]] = {
    "bgr8": (3, np.uint8), "rgb8": (3, np.uint8), "bgra8": (4, np.uint8),
    "rgba8": (4, np.uint8), "mono8": (1, np.uint8), "mono16": (1, np.uint16),
    "16UC1": (1, np.uint16),
}


def image_to_bgr(msg: Image) -> np.ndarray:
    """``sensor_msgs/Image`` to an HxWx3 uint8 BGR array (the decoder bags use too).

    Reads every encoding of ``sources.RAW_ENCODINGS`` (bgr8, rgb8, bgra8, rgba8, mono8,
    mono16/16UC1, 8UC1/3/4) with any row ``step`` >= the row size; 16-bit images keep their
    high byte, mono images are repeated into three channels, alpha is dropped.
    """
    try:
        return decode_raw_image(msg)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConversionError(str(exc)) from None


def bgr_to_image(image: np.ndarray, header: Header | None = None,
                 encoding: str = "bgr8") -> Image:
    """A BGR (or mono) numpy image to ``sensor_msgs/Image`` with a tight ``step``.

    bgr8 / rgb8: HxWx3 uint8 BGR. bgra8 / rgba8: HxWx4 uint8 BGRA, or HxWx3 BGR (made
    opaque). mono8: HxW uint8. mono16 / 16UC1: HxW uint16 (little-endian).
    """
    canonical = {k.lower(): k for k in IMAGE_ENCODINGS}.get(str(encoding).lower())
    if canonical is None:
        raise ConversionError(f"cannot encode {encoding!r}; use one of "
                              f"{', '.join(IMAGE_ENCODINGS)}")
    channels, dtype = IMAGE_ENCODINGS[canonical]
    if not isinstance(image, np.ndarray) or image.dtype != dtype:
        raise ConversionError(f"{canonical} needs a {np.dtype(dtype).name} numpy array, got "
                              f"{getattr(image, 'dtype', type(image).__name__)}")
    if channels == 1:
        if image.ndim != 2:
            raise ConversionError(f"{canonical} needs an HxW array, got shape {image.shape}")
    elif channels == 3:
        if image.ndim != 3 or image.shape[2] != 3:
            raise ConversionError(f"{canonical} needs an HxWx3 array, got shape {image.shape}")
        if canonical == "rgb8":
            image = image[:, :, ::-1]
    else:
        if image.ndim != 3 or image.shape[2] not in (3, 4):
            raise ConversionError(f"{canonical} needs an HxWx4 (or HxWx3) array, got shape "
                                  f"{image.shape}")
        if image.shape[2] == 3:
            alpha = np.full(image.shape[:2] + (1,), 255, dtype=np.uint8)
            image = np.concatenate([image, alpha], axis=2)
        if canonical == "rgba8":
            image = image[:, :, [2, 1, 0, 3]]
    msg = Image()
    if header is not None:
        msg.header = header
    msg.height, msg.width = int(image.shape[0]), int(image.shape[1])
    msg.encoding = canonical
    msg.is_bigendian = 0
    msg.step = msg.width * channels * np.dtype(dtype).itemsize
    # Assigning bytes is ~100x faster than assigning a numpy array (setup-facts.md).
    msg.data = np.ascontiguousarray(image, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()
    return msg


def camera_info_to_msg(header: Header, width: int, height: int) -> CameraInfo:
    """The ``CameraInfo`` camera_node publishes beside each frame (size only, uncalibrated)."""
    return CameraInfo(header=header, width=int(width), height=int(height))


@_converts("camera info")
def msg_to_image_size(msg: CameraInfo | Image) -> tuple[int, int]:
    """(width, height) of a ``CameraInfo`` (or ``Image``); ConversionError when empty."""
    width, height = int(msg.width), int(msg.height)
    if width <= 0 or height <= 0:
        raise ConversionError(f"empty image size {width}x{height}")
    return width, height


# -- faces and bodies ------------------------------------------------------------------------
def _keypoints_to_msgs(points: np.ndarray | None) -> list[m.Keypoint]:
    if points is None:
        return []
    pts = np.asarray(points, dtype=np.float32)
    out = []
    for row in pts:
        z = float(row[2]) if pts.shape[1] > 2 else 0.0
        vis = float(row[3]) if pts.shape[1] > 3 else 1.0
        out.append(m.Keypoint(x=float(row[0]), y=float(row[1]), z=z, visibility=vis))
    return out


def _msgs_to_keypoints(points: Sequence[m.Keypoint], columns: int) -> np.ndarray:
    arr = np.array([[p.x, p.y, p.z, p.visibility] for p in points], dtype=np.float32)
    if arr.size == 0:
        return np.zeros((0, columns), dtype=np.float32)
    return arr[:, :columns]


def box_to_msg(box: Box) -> m.Box2D:
    return m.Box2D(x=float(box.x), y=float(box.y), width=float(box.w), height=float(box.h))


@_converts("box")
def msg_to_box(msg: m.Box2D) -> Box:
    values = (float(msg.x), float(msg.y), float(msg.width), float(msg.height))
    if not all(math.isfinite(v) for v in values):
        raise ConversionError(f"box {values} is not finite")
    if values[2] < 0 or values[3] < 0:
        raise ConversionError(f"box size {values[2]}x{values[3]} is negative")
    return Box(*values)


@_converts("face")
def face_to_msg(face: Face, header: Header, with_landmarks: bool) -> m.Face:
    """A :class:`~emo_perception.perception.types.Face` as ``Face.msg``.

    The mesh is included only when ``with_landmarks`` is set (see topics.py privacy).
    Detector keypoints are not carried.
    """
    msg = m.Face(header=header, track_id=face.track_id, score=float(face.score),
                 box=box_to_msg(face.box))
    if with_landmarks and face.mesh is not None:
        mesh = np.ascontiguousarray(np.asarray(face.mesh, dtype=np.float32)[:, :3])
        msg.landmarks = array.array("f", mesh.tobytes())  # bytes: no per-float Python loop
    if face.head_pose is not None:
        msg.roll, msg.pitch, msg.yaw = (float(v) for v in face.head_pose)
        msg.head_pose_valid = True
    return msg


@_converts("face")
def msg_to_face(msg: m.Face) -> Face:
    """``Face.msg`` -> Face (``keypoints`` None: not carried; ``mesh`` None without one)."""
    mesh = None
    if len(msg.landmarks):
        if len(msg.landmarks) % 3:
            raise ConversionError(f"face landmarks: {len(msg.landmarks)} values is not a "
                                  "multiple of 3 (x, y, z per point)")
        mesh = np.frombuffer(msg.landmarks, dtype=np.float32).reshape(-1, 3).copy()
    pose = (float(msg.roll), float(msg.pitch), float(msg.yaw)) if msg.head_pose_valid else None
    return Face(box=msg_to_box(msg.box), score=float(msg.score), track_id=msg.track_id,
                mesh=mesh, head_pose=pose)


def face_array_to_msg(faces: Sequence[Face], header: Header, width: int, height: int,
                      with_landmarks: bool) -> m.FaceArray:
    """A frame's faces (deid_node's ``faces`` and ``private/faces``)."""
    return m.FaceArray(header=header, image_width=int(width), image_height=int(height),
                       faces=[face_to_msg(f, header, with_landmarks) for f in faces])


def msg_to_faces(msg: m.FaceArray, on_error: OnError | None = None) -> list[Face]:
    """The faces of a ``FaceArray``; a malformed face is passed to ``on_error`` as a
    one-line message and skipped (raises ConversionError without ``on_error``)."""
    return _each(msg.faces, msg_to_face, lambda f: f"face {f.track_id!r}", on_error)


@_converts("body")
def body_to_msg(body: Body, header: Header) -> m.Body:
    """A Body as ``Body.msg`` (the segmentation mask is not carried)."""
    hands = [m.Hand(side=h.side, score=float(h.score), keypoints=_keypoints_to_msgs(h.keypoints))
             for h in body.hands]
    return m.Body(header=header, track_id=body.track_id, score=float(body.score),
                  box=box_to_msg(body.box), keypoints=_keypoints_to_msgs(body.keypoints),
                  hands=hands)


@_converts("body")
def msg_to_body(msg: m.Body) -> Body:
    """``Body.msg`` -> Body: keypoints (33, 4) x, y, z, visibility; hands (21, 3)."""
    if len(msg.keypoints) != BODY_KEYPOINTS:
        raise ConversionError(f"body has {len(msg.keypoints)} keypoints, expected "
                              f"{BODY_KEYPOINTS} (mediapipe pose)")
    hands = []
    for h in msg.hands:
        if len(h.keypoints) != HAND_KEYPOINTS:
            raise ConversionError(f"{h.side or 'unnamed'} hand has {len(h.keypoints)} "
                                  f"keypoints, expected {HAND_KEYPOINTS}")
        hands.append(Hand(side=h.side, score=float(h.score),
                          keypoints=_msgs_to_keypoints(h.keypoints, 3)))
    return Body(box=msg_to_box(msg.box), score=float(msg.score),
                keypoints=_msgs_to_keypoints(msg.keypoints, 4), track_id=msg.track_id,
                hands=hands)


def body_array_to_msg(bodies: Sequence[Body], header: Header, width: int,
                      height: int) -> m.BodyArray:
    """A frame's bodies (deid_node's ``bodies``)."""
    return m.BodyArray(header=header, image_width=int(width), image_height=int(height),
                       bodies=[body_to_msg(b, header) for b in bodies])


def msg_to_bodies(msg: m.BodyArray, on_error: OnError | None = None) -> list[Body]:
    """The bodies of a ``BodyArray``; bad ones go to ``on_error`` (or raise)."""
    return _each(msg.bodies, msg_to_body, lambda b: f"body {b.track_id!r}", on_error)


# -- person tracks ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonTrackInfo:
    """What ``PersonTrack.msg`` says about a track (``Track`` boxes are not carried)."""

    track_id: str
    face_id: str = ""  # the track's id when a face is associated this frame, else ""
    body_id: str = ""
    voice_id: str = ""
    first_seen: float = 0.0
    frames_seen: int = 0
    frames_missing: int = 0


def track_info(track: Track, face_ids: Collection[str],
               body_ids: Collection[str]) -> PersonTrackInfo:
    """A tracker's Track with the ids of the faces and bodies of this frame."""
    tid = track.track_id
    return PersonTrackInfo(track_id=tid, face_id=tid if tid in face_ids else "",
                           body_id=tid if tid in body_ids else "",
                           first_seen=float(track.first_seen), frames_seen=int(track.hits),
                           frames_missing=int(track.missed))


@_converts("person track")
def person_track_to_msg(info: PersonTrackInfo, header: Header) -> m.PersonTrack:
    return m.PersonTrack(header=header, track_id=info.track_id, face_id=info.face_id,
                         body_id=info.body_id, voice_id=info.voice_id,
                         first_seen=sec_to_stamp(info.first_seen),
                         frames_seen=int(info.frames_seen),
                         frames_missing=int(info.frames_missing))


@_converts("person track")
def msg_to_person_track(msg: m.PersonTrack) -> PersonTrackInfo:
    return PersonTrackInfo(track_id=msg.track_id, face_id=msg.face_id, body_id=msg.body_id,
                           voice_id=msg.voice_id, first_seen=stamp_to_sec(msg.first_seen),
                           frames_seen=int(msg.frames_seen),
                           frames_missing=int(msg.frames_missing))


def tracks_to_msg(tracks: Sequence[Track], faces: Sequence[Face], bodies: Sequence[Body],
                  header: Header) -> m.PersonTrackArray:
    """deid_node's ``tracks``: every live track, with face/body ids of this frame's people."""
    face_ids = {f.track_id for f in faces}
    body_ids = {b.track_id for b in bodies}
    return m.PersonTrackArray(header=header, tracks=[
        person_track_to_msg(track_info(t, face_ids, body_ids), header) for t in tracks])


def msg_to_tracks(msg: m.PersonTrackArray) -> list[PersonTrackInfo]:
    return [msg_to_person_track(t) for t in msg.tracks]


# -- action units and expressions ------------------------------------------------------------
@_converts("action units")
def action_units_to_msg(track_id: str, aus: Iterable[ActionUnitEstimate], header: Header,
                        source: str = "geometric") -> m.ActionUnits:
    units = [m.ActionUnit(code=int(a.code), name=AU_NAMES.get(int(a.code), ""),
                          probability=float(a.probability), intensity=float(a.intensity))
             for a in aus]
    return m.ActionUnits(header=header, track_id=track_id, source=source, units=units)


@_converts("action units")
def msg_to_action_units(msg: m.ActionUnits) -> list[ActionUnitEstimate]:
    """``ActionUnits.msg`` -> estimates (``asymmetry`` 0: not carried)."""
    return [ActionUnitEstimate(int(u.code), float(u.probability), float(u.intensity))
            for u in msg.units]


def action_units_array_to_msg(aus_by_track: Mapping[str, Iterable[ActionUnitEstimate]],
                              header: Header,
                              source: str = "geometric") -> m.ActionUnitsArray:
    """au_node's ``faces/action_units``: one ActionUnits per face, in mapping order."""
    return m.ActionUnitsArray(header=header, faces=[
        action_units_to_msg(tid, aus, header, source) for tid, aus in aus_by_track.items()])


def msg_to_action_units_by_track(
        msg: m.ActionUnitsArray) -> dict[str, list[ActionUnitEstimate]]:
    """track id -> action units (what fusion_node joins with the expressions)."""
    return {f.track_id: msg_to_action_units(f) for f in msg.faces}


@_converts("expression")
def affect_to_expression_msg(affect: FaceAffect, header: Header,
                             label_set: str) -> m.Expression:
    """A FaceAffect's expression (its action units travel in ``ActionUnits``)."""
    probs = np.asarray(affect.probabilities, dtype=np.float64)
    return m.Expression(header=header, track_id=affect.track_id, label_set=label_set,
                        labels=list(affect.labels), probabilities=[float(p) for p in probs],
                        label=affect.label, valence=float(affect.valence),
                        arousal=float(affect.arousal), confidence=float(affect.confidence),
                        source=affect.source)


@_converts("expression")
def expression_msg_to_affect(msg: m.Expression,
                             aus: Sequence[ActionUnitEstimate] | None = None) -> FaceAffect:
    """``Expression.msg`` (+ the face's action units, joined by the caller) -> FaceAffect;
    ``stamp`` is the header stamp."""
    labels, probs = _labels_and_probs(msg.labels, msg.probabilities, "expression")
    if not labels:
        raise ConversionError("expression has no labels")
    return FaceAffect(track_id=msg.track_id, stamp=stamp_to_sec(msg.header.stamp),
                      action_units=list(aus or []), labels=labels, probabilities=probs,
                      valence=float(msg.valence), arousal=float(msg.arousal),
                      confidence=float(msg.confidence), source=msg.source or "geometric")


def expression_array_to_msg(affects: Sequence[FaceAffect], header: Header,
                            label_set: str) -> m.ExpressionArray:
    """au_node's ``faces/expression`` (published for every frame, empty without faces)."""
    return m.ExpressionArray(header=header, expressions=[
        affect_to_expression_msg(a, header, label_set) for a in affects])


def msg_to_affects(msg: m.ExpressionArray,
                   aus_by_track: Mapping[str, Sequence[ActionUnitEstimate]] | None = None,
                   on_error: OnError | None = None) -> list[FaceAffect]:
    """The FaceAffects of an ``ExpressionArray``, each joined with its track's action units
    from ``aus_by_track``; bad expressions go to ``on_error`` (or raise)."""
    aus = aus_by_track or {}
    return _each(msg.expressions, lambda e: expression_msg_to_affect(e, aus.get(e.track_id)),
                 lambda e: f"expression {e.track_id!r}", on_error)


def face_affects_to_msgs(affects: Sequence[FaceAffect], header: Header, label_set: str,
                         source: str = "geometric"
                         ) -> tuple[m.ActionUnitsArray, m.ExpressionArray]:
    """A frame's FaceAffects as au_node publishes them: action units and expressions, one
    entry per affect in the same order. ``msg_to_affects(expressions,
    msg_to_action_units_by_track(units))`` joins them again."""
    units = m.ActionUnitsArray(header=header, faces=[
        action_units_to_msg(a.track_id, a.action_units, header, source) for a in affects])
    return units, expression_array_to_msg(affects, header, label_set)


# -- micro-gestures --------------------------------------------------------------------------
@_converts("micro-gesture")
def gesture_to_msg(event: MicroGestureEvent, header: Header,
                   source: str = "geometric") -> m.MicroGesture:
    return m.MicroGesture(header=header, track_id=event.track_id, dataset=event.dataset,
                          class_id=int(event.class_id), name=event.name,
                          score=float(event.score), start=sec_to_stamp(event.start),
                          end=sec_to_stamp(event.end), source=source)


@_converts("micro-gesture")
def msg_to_gesture(msg: m.MicroGesture) -> MicroGestureEvent:
    return MicroGestureEvent(track_id=msg.track_id, class_id=int(msg.class_id), name=msg.name,
                             score=float(msg.score), start=stamp_to_sec(msg.start),
                             end=stamp_to_sec(msg.end), dataset=msg.dataset)


def gestures_to_msg(events: Iterable[MicroGestureEvent], header: Header,
                    source: str = "geometric") -> m.MicroGestureArray:
    """gesture_node's ``bodies/micro_gestures`` for one frame."""
    return m.MicroGestureArray(header=header,
                               gestures=[gesture_to_msg(e, header, source) for e in events])


def msg_to_gestures(msg: m.MicroGestureArray) -> list[MicroGestureEvent]:
    return [msg_to_gesture(g) for g in msg.gestures]


# -- evidence --------------------------------------------------------------------------------
@_converts("evidence item")
def evidence_item_to_msg(item: ev.EvidenceItem) -> m.EvidenceItem:
    return m.EvidenceItem(modality=item.modality, kind=item.kind, name=item.name,
                          value=float(item.value), ref_id=int(item.ref_id),
                          start=sec_to_stamp(item.start), end=sec_to_stamp(item.end))


@_converts("evidence item")
def msg_to_evidence_item(msg: m.EvidenceItem) -> ev.EvidenceItem:
    """``EvidenceItem.msg`` -> EvidenceItem; an unknown modality or kind, a non-finite
    value or an end before the start raise ConversionError."""
    return ev.EvidenceItem(modality=msg.modality, kind=msg.kind, name=msg.name,
                           value=float(msg.value), start=stamp_to_sec(msg.start),
                           end=stamp_to_sec(msg.end), ref_id=int(msg.ref_id))


@_converts("evidence window")
def evidence_window_to_msg(window: ev.EvidenceWindow, header: Header) -> m.EvidenceWindow:
    """fusion_node's ``emotion/evidence``: the window flattened into items (``items()``)."""
    return m.EvidenceWindow(header=header, track_id=window.track_id,
                            window_start=sec_to_stamp(window.start),
                            duration_s=float(window.duration_s),
                            items=[evidence_item_to_msg(i) for i in window.items()],
                            transcript=window.transcript,
                            expression_source=window.expression_source)


@_converts("evidence window")
def msg_to_evidence_window(msg: m.EvidenceWindow,
                           on_error: OnError | None = None) -> ev.EvidenceWindow:
    """``EvidenceWindow.msg`` -> the JSON-form window reasoning works on (inverse of
    :func:`evidence_window_to_msg`; non-finite prosody values are not carried). A bad item
    goes to ``on_error`` and is skipped, or raises without ``on_error``."""
    items = _each(msg.items, msg_to_evidence_item, lambda i: f"item {i.name!r}", on_error)
    return ev.window_from_items(items, msg.track_id, stamp_to_sec(msg.window_start),
                                float(msg.duration_s), msg.transcript, msg.expression_source)


# -- fusion state ----------------------------------------------------------------------------
@_converts("affect state")
def affect_summary_to_msg(summary: AffectSummary) -> m.AffectState:
    return m.AffectState(labels=list(summary.labels),
                         probabilities=[float(p) for p in summary.probabilities],
                         label=summary.label, valence=float(summary.valence),
                         arousal=float(summary.arousal), confidence=float(summary.confidence),
                         window_s=float(summary.window_s),
                         evidence=[evidence_item_to_msg(i) for i in summary.evidence])


@_converts("affect state")
def msg_to_affect_summary(msg: m.AffectState) -> AffectSummary:
    labels, probs = _labels_and_probs(msg.labels, msg.probabilities, "affect state")
    return AffectSummary(labels=labels, probabilities=probs, label=msg.label,
                         valence=float(msg.valence), arousal=float(msg.arousal),
                         confidence=float(msg.confidence), window_s=float(msg.window_s),
                         evidence=[msg_to_evidence_item(i) for i in msg.evidence])


@_converts("emotion state")
def person_state_to_msg(state: PersonState, header: Header, modalities: Iterable[str] = (),
                        first_seen: float | None = None) -> m.EmotionState:
    """One person's fused state; ``modalities`` are listed sorted. ``first_seen`` stays 0
    when not given (fusion_node does not track it)."""
    msg = m.EmotionState(header=header, track_id=state.track_id,
                         short_term=affect_summary_to_msg(state.short_term),
                         long_term=affect_summary_to_msg(state.long_term),
                         modalities=sorted(modalities))
    if first_seen is not None:
        msg.first_seen = sec_to_stamp(first_seen)
    return msg


@_converts("emotion state")
def msg_to_person_state(msg: m.EmotionState) -> PersonState:
    """``EmotionState.msg`` -> PersonState (``stamp`` = header stamp; ``modalities`` and
    ``first_seen`` stay on the message)."""
    return PersonState(track_id=msg.track_id, stamp=stamp_to_sec(msg.header.stamp),
                       short_term=msg_to_affect_summary(msg.short_term),
                       long_term=msg_to_affect_summary(msg.long_term))


def person_states_to_msg(states: Sequence[PersonState], header: Header,
                         modalities: Mapping[str, Collection[str]] | None = None
                         ) -> m.EmotionStateArray:
    """fusion_node's ``emotion/state``; ``modalities`` maps track id -> contributing ones."""
    mods = modalities or {}
    return m.EmotionStateArray(header=header, states=[
        person_state_to_msg(s, header, mods.get(s.track_id, ())) for s in states])


def msg_to_person_states(msg: m.EmotionStateArray) -> list[PersonState]:
    return [msg_to_person_state(s) for s in msg.states]


# -- voice -----------------------------------------------------------------------------------
@_converts("audio chunk")
def audio_to_msg(samples: np.ndarray, sample_rate: int, header: Header, sequence: int,
                 anonymised: bool) -> m.AudioChunk:
    """Mono float32 samples as an ``AudioChunk``."""
    msg = m.AudioChunk(header=header, sample_rate=int(sample_rate), channels=1,
                       format=m.AudioChunk.FORMAT_F32, sequence=int(sequence),
                       anonymised=bool(anonymised))
    msg.samples = np.ascontiguousarray(samples, dtype=np.float32)
    return msg


@_converts("audio chunk")
def msg_to_audio(msg: m.AudioChunk) -> tuple[np.ndarray, int]:
    """AudioChunk -> (mono float32 samples, sample rate); ConversionError when malformed."""
    if msg.format != m.AudioChunk.FORMAT_F32:
        raise ConversionError(f"unsupported audio format {msg.format!r}; expected 'f32'")
    if int(msg.sample_rate) <= 0:
        raise ConversionError(f"sample rate {msg.sample_rate} is not positive")
    channels = int(msg.channels) or 1
    data = np.asarray(msg.samples, dtype=np.float32)
    if data.size % channels:
        raise ConversionError(f"{data.size} samples do not split into {channels} channels")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, int(msg.sample_rate)


@_converts("prosody")
def prosody_to_msg(features: ProsodyFeatures, header: Header, voice_id: str,
                   kind: str) -> m.Prosody:
    """``kind``: ``Prosody.KIND_WINDOW`` (sliding) or ``Prosody.KIND_SEGMENT``."""
    return m.Prosody(header=header, voice_id=voice_id, kind=kind,
                     window_start=sec_to_stamp(features.start),
                     window_end=sec_to_stamp(features.end),
                     f0_mean_hz=float(features.f0_mean_hz),
                     f0_range_st=float(features.f0_range_st),
                     f0_slope_st_per_s=float(features.f0_slope_st_per_s),
                     energy_db=float(features.energy_db),
                     energy_range_db=float(features.energy_range_db),
                     speaking_rate_sps=float(features.speaking_rate_sps),
                     voiced_ratio=float(features.voiced_ratio),
                     pause_ratio=float(features.pause_ratio),
                     pause_count=int(features.pause_count), arousal=float(features.arousal))


@_converts("prosody")
def msg_to_prosody(msg: m.Prosody) -> ProsodyFeatures:
    """``Prosody.msg`` -> ProsodyFeatures (NaN F0 fields stay NaN)."""
    from emo_perception.voice.prosody import ProsodyFeatures

    start, end = stamp_to_sec(msg.window_start), stamp_to_sec(msg.window_end)
    if end < start:
        raise ConversionError("prosody window ends before it starts")
    return ProsodyFeatures(start=start, end=end, f0_mean_hz=float(msg.f0_mean_hz),
                           f0_range_st=float(msg.f0_range_st),
                           f0_slope_st_per_s=float(msg.f0_slope_st_per_s),
                           energy_db=float(msg.energy_db),
                           energy_range_db=float(msg.energy_range_db),
                           speaking_rate_sps=float(msg.speaking_rate_sps),
                           voiced_ratio=float(msg.voiced_ratio),
                           pause_count=int(msg.pause_count), pause_ratio=float(msg.pause_ratio),
                           arousal=float(msg.arousal))


@_converts("prosody")
def prosody_msg_to_evidence(msg: m.Prosody) -> list[ev.EvidenceItem]:
    """Voice evidence of a prosody message, built by ``evidence.prosody_evidence`` exactly
    as offline ``process`` builds it from a speech segment (non-finite values, e.g. F0 when
    nothing was voiced, are left out). Takes any kind; fusion_node uses segments only."""
    start, end = stamp_to_sec(msg.window_start), stamp_to_sec(msg.window_end)
    if end < start:
        raise ConversionError("prosody window ends before it starts")
    features = {name: float(getattr(msg, name)) for name in ev.PROSODY_EVIDENCE}
    return ev.prosody_evidence(features, start, end)


@dataclass(frozen=True)
class VoiceActivityInfo:
    """What ``VoiceActivity.msg`` says: the VAD update (stamp = header stamp), the voice and
    the current / last speech segment (``segment_end`` 0 while speaking)."""

    update: ActivityUpdate
    voice_id: str
    segment_start: float
    segment_end: float


@_converts("voice activity")
def voice_activity_to_msg(update: ActivityUpdate, header: Header, voice_id: str,
                          segment_start: float, segment_end: float) -> m.VoiceActivity:
    """``header`` should carry ``update.stamp`` (:func:`make_header`)."""
    return m.VoiceActivity(header=header, voice_id=voice_id, is_speaking=bool(update.speaking),
                           probability=float(update.probability),
                           segment_start=sec_to_stamp(segment_start),
                           segment_end=sec_to_stamp(segment_end))


@_converts("voice activity")
def msg_to_voice_activity(msg: m.VoiceActivity) -> VoiceActivityInfo:
    from emo_perception.voice.vad import ActivityUpdate

    update = ActivityUpdate(stamp=stamp_to_sec(msg.header.stamp), speaking=bool(msg.is_speaking),
                            probability=float(msg.probability))
    return VoiceActivityInfo(update=update, voice_id=msg.voice_id,
                             segment_start=stamp_to_sec(msg.segment_start),
                             segment_end=stamp_to_sec(msg.segment_end))


def speech_confidence(avg_logprob: float) -> float:
    """Whisper's mean token log-probability as a probability in [0, 1]."""
    if math.isnan(avg_logprob):
        return 0.0
    return float(min(1.0, max(0.0, math.exp(min(avg_logprob, 0.0)))))


@_converts("speech")
def speech_to_msg(result: SpeechResult, header: Header, voice_id: str, language: str,
                  from_anonymised: bool) -> m.Speech:
    """A transcript (text stripped; confidence = exp(avg_logprob) in [0, 1]). voice_node
    skips blank transcripts before calling this."""
    return m.Speech(header=header, voice_id=voice_id, text=result.text.strip(),
                    start=sec_to_stamp(result.start), end=sec_to_stamp(result.end),
                    confidence=speech_confidence(result.avg_logprob), language=language,
                    from_anonymised=bool(from_anonymised))


@_converts("speech")
def msg_to_speech(msg: m.Speech) -> SpeechResult:
    """``Speech.msg`` -> SpeechResult: ``avg_logprob`` = log(confidence) (-inf at 0);
    ``no_speech_prob``, ``latency_s`` 0 and ``parts`` empty (not carried)."""
    from emo_perception.voice.asr import SpeechResult

    conf = float(msg.confidence)
    if not 0.0 <= conf <= 1.0:
        raise ConversionError(f"speech confidence {conf} is outside [0, 1]")
    logprob = math.log(conf) if conf > 0 else -math.inf
    return SpeechResult(text=msg.text, start=stamp_to_sec(msg.start), end=stamp_to_sec(msg.end),
                        avg_logprob=logprob, no_speech_prob=0.0, latency_s=0.0)


@_converts("speech")
def speech_msg_to_evidence(msg: m.Speech) -> list[ev.EvidenceItem]:
    """Text evidence of a transcript ([] when blank), built by ``evidence.speech_evidence``
    as offline: value = confidence, the span clipped so it never ends before it starts."""
    item = ev.speech_evidence(msg.text, float(msg.confidence), stamp_to_sec(msg.start),
                              stamp_to_sec(msg.end))
    return [] if item is None else [item]


# -- reasoning -------------------------------------------------------------------------------
@_converts("reasoning cue")
def cue_to_msg(cue: Cue) -> m.ReasoningCue:
    """A cue; an unknown (NaN) time is sent as 0."""
    return m.ReasoningCue(modality=cue.modality, kind=cue.kind, name=cue.name,
                          description=cue.description,
                          start=sec_to_stamp(cue.start if math.isfinite(cue.start) else 0.0),
                          end=sec_to_stamp(cue.end if math.isfinite(cue.end) else 0.0),
                          supported=bool(cue.supported))


def _stamp_or_nan(stamp: Time) -> float:
    return math.nan if stamp.sec == 0 and stamp.nanosec == 0 else stamp_to_sec(stamp)


@_converts("reasoning cue")
def msg_to_cue(msg: m.ReasoningCue) -> Cue:
    """``ReasoningCue.msg`` -> Cue; a zero stamp reads back as NaN (the backend did not
    give a time)."""
    return Cue(modality=msg.modality, kind=msg.kind, name=msg.name,
               start=_stamp_or_nan(msg.start), end=_stamp_or_nan(msg.end),
               description=msg.description, supported=bool(msg.supported))


def flag_to_msg(flag: Flag) -> m.HallucinationFlag:
    return m.HallucinationFlag(kind=flag.kind, detail=flag.detail)


@_converts("hallucination flag")
def msg_to_flag(msg: m.HallucinationFlag) -> Flag:
    """Raises ConversionError for a kind outside ``reasoning.result.FLAG_KINDS``."""
    return Flag(kind=msg.kind, detail=msg.detail)


@_converts("reasoning")
def reasoning_to_msg(result: ReasoningResult, now: Time,
                     frame_id: str = "camera") -> m.EmotionReasoning:
    """reasoning_node's ``emotion/reasoning``: stamped at the window end, or ``now`` when
    the result has no window. Only supported cues and the flags are carried."""
    msg = m.EmotionReasoning(
        track_id=result.track_id, label_set=result.label_set, label=result.label,
        labels=list(result.distribution),
        probabilities=[float(p) for p in result.distribution.values()],
        valence=float(result.valence), arousal=float(result.arousal),
        confidence=float(result.confidence), rationale=result.rationale,
        backend=result.backend, model=result.model, latency_s=float(result.latency_s),
        fallback_used=bool(result.fallback_used),
        window_start=sec_to_stamp(result.window_start),
        window_end=sec_to_stamp(result.window_end))
    msg.header.stamp = sec_to_stamp(result.window_end) if result.window_end > 0 else now
    msg.header.frame_id = frame_id
    msg.cues = [cue_to_msg(c) for c in result.cues]
    msg.flags = [flag_to_msg(f) for f in result.flags]
    return msg


@_converts("reasoning")
def msg_to_reasoning(msg: m.EmotionReasoning) -> ReasoningResult:
    """``EmotionReasoning.msg`` -> ReasoningResult (rejected cues, stated cues, removed
    rationale and claims are not carried and come back empty)."""
    labels, probs = _labels_and_probs(msg.labels, msg.probabilities, "reasoning")
    return ReasoningResult(
        track_id=msg.track_id, label=msg.label, label_set=msg.label_set,
        distribution={lb: float(p) for lb, p in zip(labels, probs)},
        valence=float(msg.valence), arousal=float(msg.arousal),
        confidence=float(msg.confidence), cues=[msg_to_cue(c) for c in msg.cues],
        rationale=msg.rationale, flags=[msg_to_flag(f) for f in msg.flags],
        backend=msg.backend, model=msg.model, latency_s=float(msg.latency_s),
        fallback_used=bool(msg.fallback_used), window_start=stamp_to_sec(msg.window_start),
        window_end=stamp_to_sec(msg.window_end))
