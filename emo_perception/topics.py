"""Topic names and types of the node set, relative to its namespace (default ``/emo``).

One table used by the nodes, ``record``, ``eval``, the tests and the README. Topics under
``private/`` carry identifying data (raw images, raw audio, face meshes): they stay on the
host and are never recorded unless asked for explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str  # relative to the node set's namespace
    type: str  # ROS type name
    publisher: str
    private: bool = False
    description: str = ""
    qos: str = "result"  # QOS_PROFILES key: "sensor" streams, "result" per frame, "latched"

    @property
    def message_class(self) -> type:
        """The ROS message class of :attr:`type` (imported on use)."""
        import importlib

        package, _, name = self.type.split("/")
        return getattr(importlib.import_module(f"{package}.msg"), name)


TOPICS: tuple[Topic, ...] = (
    Topic("private/image_raw", "sensor_msgs/msg/Image", "camera_node", True,
          "raw camera frames (identifying)", qos="sensor"),
    Topic("private/camera_info", "sensor_msgs/msg/CameraInfo", "camera_node", True,
          "frame size of the raw stream", qos="latched"),
    Topic("private/faces", "emo_perception_msgs/msg/FaceArray", "deid_node", True,
          "faces with 478-point meshes, for au_node (identity-bearing geometry)"),
    Topic("private/audio_raw", "emo_perception_msgs/msg/AudioChunk", "mic_node", True,
          "raw microphone audio (identifying voice)", qos="sensor"),
    Topic("deid/image", "sensor_msgs/msg/Image", "deid_node", False,
          "de-identified video (blur / pixelate / solid / silhouette / skeleton)", qos="sensor"),
    Topic("faces", "emo_perception_msgs/msg/FaceArray", "deid_node", False,
          "face boxes, scores, head pose and track ids (no landmarks unless enabled)"),
    Topic("bodies", "emo_perception_msgs/msg/BodyArray", "deid_node", False,
          "skeletons (33 pose + hands) with track ids"),
    Topic("tracks", "emo_perception_msgs/msg/PersonTrackArray", "deid_node", False,
          "temporary person tracks linking face and body"),
    Topic("faces/action_units", "emo_perception_msgs/msg/ActionUnitsArray", "au_node", False,
          "FACS action units per face"),
    Topic("faces/expression", "emo_perception_msgs/msg/ExpressionArray", "au_node", False,
          "expression distribution, valence, arousal per face"),
    Topic("bodies/micro_gestures", "emo_perception_msgs/msg/MicroGestureArray",
          "gesture_node", False, "micro-gestures (iMiGUE ids) with time windows"),
    Topic("voice/deid_audio", "emo_perception_msgs/msg/AudioChunk", "voice_node", False,
          "anonymised audio (recognised words re-spoken in a random pseudo-voice per "
          "utterance; or WORLD pseudo-voice, McAdams)", qos="sensor"),
    Topic("voice/activity", "emo_perception_msgs/msg/VoiceActivity", "voice_node", False,
          "voice activity (silero VAD)"),
    Topic("voice/prosody", "emo_perception_msgs/msg/Prosody", "voice_node", False,
          "pitch, energy, rate, pauses and an arousal estimate"),
    Topic("voice/speech", "emo_perception_msgs/msg/Speech", "voice_node", False,
          "speech transcript per voice segment (Whisper tiny.en)"),
    Topic("emotion/state", "emo_perception_msgs/msg/EmotionStateArray", "fusion_node", False,
          "fused per-person state, short and long term"),
    Topic("emotion/evidence", "emo_perception_msgs/msg/EvidenceWindow", "fusion_node", False,
          "per-person evidence windows for reasoning"),
    Topic("emotion/reasoning", "emo_perception_msgs/msg/EmotionReasoning", "reasoning_node",
          False, "grounded emotion explanation with hallucination flags"),
    Topic("/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", "every node", False,
          "rate, latency p50/p95, drops, fail-closed events, backend (1 Hz)"),
)

BY_NAME: dict[str, Topic] = {t.name: t for t in TOPICS}


def qualified(name: str, namespace: str = "/emo") -> str:
    """Absolute topic name in ``namespace``."""
    if name.startswith("/"):
        return name
    ns = "/" + namespace.strip("/") if namespace.strip("/") else ""
    return f"{ns}/{name}"


def public_topics() -> list[Topic]:
    return [t for t in TOPICS if not t.private]
