"""Conversions between the bridge stage's REP-155 structures (``emo_perception.hri.bridge``)
and ``hri_msgs`` messages: the real package where it is installed (ros-jazzy-hri-msgs),
our copy of its definitions otherwise (``hri_msgs/``, built by scripts/build_msgs.sh).

Kept apart from ``conversions.py`` so that nodes and tools that never use ROS4HRI do not
need ``hri_msgs`` installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from std_msgs.msg import Header

from emo_perception.hri.bridge import Facs, HriExpression, Roi, VoiceFeatures
from hri_msgs import msg as h


def ids_to_msg(ids: Sequence[str], header: Header) -> h.IdsList:
    return h.IdsList(header=header, ids=list(ids))


def msg_to_ids(msg: h.IdsList) -> list[str]:
    return list(msg.ids)


def roi_to_msg(roi: Roi, header: Header) -> h.NormalizedRegionOfInterest2D:
    return h.NormalizedRegionOfInterest2D(header=header, xmin=roi.xmin, ymin=roi.ymin,
                                          xmax=roi.xmax, ymax=roi.ymax, c=roi.c)


def msg_to_roi(msg: h.NormalizedRegionOfInterest2D) -> Roi:
    return Roi(float(msg.xmin), float(msg.ymin), float(msg.xmax), float(msg.ymax),
               float(msg.c))


def facs_to_msg(value: Facs, header: Header) -> h.FacialActionUnits:
    msg = h.FacialActionUnits(header=header)
    msg.intensity = np.asarray(value.intensity, np.float32)
    msg.confidence = np.asarray(value.confidence, np.float32)
    return msg


def msg_to_facs(msg: h.FacialActionUnits) -> Facs:
    return Facs(np.asarray(msg.intensity, np.float32), np.asarray(msg.confidence, np.float32))


def expression_to_msg(value: HriExpression, header: Header) -> h.Expression:
    return h.Expression(header=header, expression=value.expression, valence=value.valence,
                        arousal=value.arousal, confidence=value.confidence)


def msg_to_expression(msg: h.Expression) -> HriExpression:
    return HriExpression(msg.expression, float(msg.valence), float(msg.arousal),
                         float(msg.confidence))


def skeleton_to_msg(points: np.ndarray, header: Header) -> h.Skeleton2D:
    msg = h.Skeleton2D(header=header)
    msg.skeleton = [h.NormalizedPointOfInterest2D(x=float(x), y=float(y), c=float(c))
                    for x, y, c in np.asarray(points, np.float32)]
    return msg


def msg_to_skeleton(msg: h.Skeleton2D) -> np.ndarray:
    return np.array([[p.x, p.y, p.c] for p in msg.skeleton], np.float32).reshape(-1, 3)


def speech_to_live_speech(text: str, confidence: float, language: str,
                          header: Header) -> h.LiveSpeech:
    """Our speech results are final per voice segment (no incremental hypotheses)."""
    return h.LiveSpeech(header=header, incremental="", final=text,
                        confidence=float(confidence), language=language)


def features_to_msg(value: VoiceFeatures) -> h.AudioFeatures:
    return h.AudioFeatures(zcr=value.zcr, rms=value.rms, pitch=value.pitch, hnr=value.hnr,
                           mfcc=list(value.mfcc))


def msg_to_features(msg: h.AudioFeatures) -> VoiceFeatures:
    return VoiceFeatures(float(msg.zcr), float(msg.rms), float(msg.pitch), float(msg.hnr),
                         tuple(float(v) for v in msg.mfcc))


def ids_of(messages: Iterable[object], attribute: str = "track_id") -> list[str]:
    return [str(getattr(m, attribute)) for m in messages]
