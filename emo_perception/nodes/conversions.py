"""Pure, symmetric conversions between ROS messages and numpy / stage dataclasses.

Every failure raises :class:`ConversionError` with a one-line message, so a node can count
it and report it in diagnostics instead of crashing.
"""

from __future__ import annotations

import array

import numpy as np
from builtin_interfaces.msg import Time
from sensor_msgs.msg import Image

from emo_perception.perception.sources import decode_raw_image


class ConversionError(ValueError):
    """A message could not be converted (wrong encoding, size mismatch, ...)."""


def stamp_to_sec(stamp: Time) -> float:
    return float(stamp.sec) + float(stamp.nanosec) * 1e-9


def sec_to_stamp(seconds: float) -> Time:
    if not np.isfinite(seconds) or seconds < 0:
        seconds = 0.0
    sec = int(seconds)
    nanosec = int(round((seconds - sec) * 1e9))
    if nanosec >= 1_000_000_000:
        sec, nanosec = sec + 1, nanosec - 1_000_000_000
    return Time(sec=sec, nanosec=nanosec)


def image_to_bgr(msg: Image) -> np.ndarray:
    """``sensor_msgs/Image`` to an HxWx3 uint8 BGR array (the decoder bags use too)."""
    try:
        return decode_raw_image(msg)
    except ValueError as exc:
        raise ConversionError(str(exc)) from None


def bgr_to_image(image: np.ndarray, header=None, encoding: str = "bgr8") -> Image:
    """HxWx3 uint8 BGR (or HxW mono8) array to ``sensor_msgs/Image``."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise ConversionError("image must be a uint8 numpy array")
    if encoding == "mono8":
        if image.ndim != 2:
            raise ConversionError(f"mono8 needs an HxW array, got shape {image.shape}")
        channels = 1
    elif encoding in ("bgr8", "rgb8"):
        if image.ndim != 3 or image.shape[2] != 3:
            raise ConversionError(f"{encoding} needs an HxWx3 array, got shape {image.shape}")
        if encoding == "rgb8":
            image = image[:, :, ::-1]
        channels = 3
    else:
        raise ConversionError(f"cannot encode {encoding!r}; use bgr8, rgb8 or mono8")
    msg = Image()
    if header is not None:
        msg.header = header
    msg.height, msg.width = int(image.shape[0]), int(image.shape[1])
    msg.encoding = encoding
    msg.is_bigendian = 0
    msg.step = msg.width * channels
    # Assigning bytes is ~100x faster than assigning a numpy array (setup-facts.md).
    msg.data = np.ascontiguousarray(image).tobytes()
    return msg


# -- perception values <-> messages ----------------------------------------------------------
def _keypoints_to_msgs(points: np.ndarray | None) -> list:
    from emo_perception_msgs.msg import Keypoint

    if points is None:
        return []
    pts = np.asarray(points, dtype=np.float32)
    out = []
    for row in pts:
        z = float(row[2]) if pts.shape[1] > 2 else 0.0
        vis = float(row[3]) if pts.shape[1] > 3 else 1.0
        out.append(Keypoint(x=float(row[0]), y=float(row[1]), z=z, visibility=vis))
    return out


def _msgs_to_keypoints(points: list, columns: int) -> np.ndarray:
    arr = np.array([[p.x, p.y, p.z, p.visibility] for p in points], dtype=np.float32)
    if arr.size == 0:
        return np.zeros((0, columns), dtype=np.float32)
    return arr[:, :columns]


def box_to_msg(box):
    from emo_perception_msgs.msg import Box2D

    return Box2D(x=float(box.x), y=float(box.y), width=float(box.w), height=float(box.h))


def msg_to_box(msg):
    from emo_perception.perception.types import Box

    return Box(float(msg.x), float(msg.y), float(msg.width), float(msg.height))


def face_to_msg(face, header, with_landmarks: bool):
    """A :class:`~emo_perception.perception.types.Face` as ``Face.msg``.

    The mesh is included only when ``with_landmarks`` is set (see topics.py privacy).
    """
    from emo_perception_msgs.msg import Face

    msg = Face(header=header, track_id=face.track_id, score=float(face.score),
               box=box_to_msg(face.box))
    if with_landmarks and face.mesh is not None:
        mesh = np.asarray(face.mesh, dtype=np.float32)[:, :3]
        msg.landmarks = array.array("f", mesh.tobytes())  # bytes: no per-float Python loop
    if face.head_pose is not None:
        msg.roll, msg.pitch, msg.yaw = (float(v) for v in face.head_pose)
        msg.head_pose_valid = True
    return msg


def msg_to_face(msg):
    from emo_perception.perception.types import Face

    mesh = None
    if len(msg.landmarks):
        if len(msg.landmarks) % 3:
            raise ConversionError(f"face landmarks: {len(msg.landmarks)} values is not a "
                                  "multiple of 3 (x, y, z per point)")
        mesh = np.frombuffer(msg.landmarks, dtype=np.float32).reshape(-1, 3).copy()
    pose = (float(msg.roll), float(msg.pitch), float(msg.yaw)) if msg.head_pose_valid else None
    return Face(box=msg_to_box(msg.box), score=float(msg.score), track_id=msg.track_id,
                mesh=mesh, head_pose=pose)


def msg_to_faces(msg, on_error) -> list:
    """The faces of a ``FaceArray``; a malformed face is passed to ``on_error`` as a
    one-line message and skipped, so one bad publisher cannot crash a node."""
    faces = []
    for face_msg in msg.faces:
        try:
            faces.append(msg_to_face(face_msg))
        except ConversionError as exc:
            on_error(f"face {face_msg.track_id!r}: {exc}")
    return faces


def body_to_msg(body, header):
    from emo_perception_msgs.msg import Body, Hand

    hands = [Hand(side=h.side, score=float(h.score), keypoints=_keypoints_to_msgs(h.keypoints))
             for h in body.hands]
    return Body(header=header, track_id=body.track_id, score=float(body.score),
                box=box_to_msg(body.box), keypoints=_keypoints_to_msgs(body.keypoints),
                hands=hands)


def msg_to_body(msg):
    from emo_perception.perception.types import Body, Hand

    hands = [Hand(side=h.side, score=float(h.score), keypoints=_msgs_to_keypoints(h.keypoints, 3))
             for h in msg.hands]
    return Body(box=msg_to_box(msg.box), score=float(msg.score),
                keypoints=_msgs_to_keypoints(msg.keypoints, 4), track_id=msg.track_id,
                hands=hands)


def action_units_to_msg(track_id: str, aus, header, source: str = "geometric"):
    from emo_perception.labels import AU_NAMES
    from emo_perception_msgs.msg import ActionUnit, ActionUnits

    units = [ActionUnit(code=int(a.code), name=AU_NAMES.get(int(a.code), ""),
                        probability=float(a.probability), intensity=float(a.intensity))
             for a in aus]
    return ActionUnits(header=header, track_id=track_id, source=source, units=units)


def msg_to_action_units(msg) -> list:
    from emo_perception.perception.types import ActionUnitEstimate

    return [ActionUnitEstimate(int(u.code), float(u.probability), float(u.intensity))
            for u in msg.units]


def affect_to_expression_msg(affect, header, label_set: str):
    from emo_perception_msgs.msg import Expression

    probs = np.asarray(affect.probabilities, dtype=np.float64)
    return Expression(header=header, track_id=affect.track_id, label_set=label_set,
                      labels=list(affect.labels), probabilities=[float(p) for p in probs],
                      label=affect.label, valence=float(affect.valence),
                      arousal=float(affect.arousal), confidence=float(affect.confidence))


def expression_msg_to_affect(msg, aus: list | None = None):
    from emo_perception.perception.types import FaceAffect

    return FaceAffect(track_id=msg.track_id, stamp=stamp_to_sec(msg.header.stamp),
                      action_units=list(aus or []), labels=tuple(msg.labels),
                      probabilities=np.asarray(msg.probabilities, dtype=np.float64),
                      valence=float(msg.valence), arousal=float(msg.arousal),
                      confidence=float(msg.confidence))


def gesture_to_msg(event, header, source: str = "geometric"):
    from emo_perception_msgs.msg import MicroGesture

    return MicroGesture(header=header, track_id=event.track_id, dataset=event.dataset,
                        class_id=int(event.class_id), name=event.name, score=float(event.score),
                        start=sec_to_stamp(event.start), end=sec_to_stamp(event.end),
                        source=source)


def msg_to_gesture(msg):
    from emo_perception.perception.types import MicroGestureEvent

    return MicroGestureEvent(track_id=msg.track_id, class_id=int(msg.class_id), name=msg.name,
                             score=float(msg.score), start=stamp_to_sec(msg.start),
                             end=stamp_to_sec(msg.end), dataset=msg.dataset)


def evidence_item_to_msg(item):
    from emo_perception_msgs.msg import EvidenceItem

    return EvidenceItem(modality=item.modality, kind=item.kind, name=item.name,
                        value=float(item.value), ref_id=int(item.ref_id),
                        start=sec_to_stamp(item.start), end=sec_to_stamp(item.end))


def msg_to_evidence_item(msg):
    from emo_perception.evidence import EvidenceItem

    return EvidenceItem(modality=msg.modality, kind=msg.kind, name=msg.name,
                        value=float(msg.value), start=stamp_to_sec(msg.start),
                        end=stamp_to_sec(msg.end), ref_id=int(msg.ref_id))


def prosody_to_msg(features, header, voice_id: str, kind: str):
    from emo_perception_msgs.msg import Prosody

    return Prosody(header=header, voice_id=voice_id, kind=kind,
                   window_start=sec_to_stamp(features.start),
                   window_end=sec_to_stamp(features.end),
                   f0_mean_hz=float(features.f0_mean_hz), f0_range_st=float(features.f0_range_st),
                   f0_slope_st_per_s=float(features.f0_slope_st_per_s),
                   energy_db=float(features.energy_db),
                   energy_range_db=float(features.energy_range_db),
                   speaking_rate_sps=float(features.speaking_rate_sps),
                   voiced_ratio=float(features.voiced_ratio),
                   pause_ratio=float(features.pause_ratio), pause_count=int(features.pause_count),
                   arousal=float(features.arousal))


def audio_to_msg(samples: np.ndarray, sample_rate: int, header, sequence: int,
                 anonymised: bool):
    from emo_perception_msgs.msg import AudioChunk

    msg = AudioChunk(header=header, sample_rate=int(sample_rate), channels=1,
                     format=AudioChunk.FORMAT_F32, sequence=int(sequence),
                     anonymised=bool(anonymised))
    msg.samples = np.ascontiguousarray(samples, dtype=np.float32)
    return msg


def msg_to_audio(msg) -> tuple[np.ndarray, int]:
    """AudioChunk -> (mono float32 samples, sample rate); ConversionError when malformed."""
    if msg.format != "f32":
        raise ConversionError(f"unsupported audio format {msg.format!r}; expected 'f32'")
    channels = int(msg.channels) or 1
    data = np.asarray(msg.samples, dtype=np.float32)
    if data.size % channels:
        raise ConversionError(f"{data.size} samples do not split into {channels} channels")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, int(msg.sample_rate)
