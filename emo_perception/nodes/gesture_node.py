"""gesture_node: micro-gestures (iMiGUE ids) from skeletons over sliding windows.

Bodies come from ``bodies``; face meshes from ``private/faces`` locate the face regions
(forehead, eyes, nose, ears, jaw) that hand-to-face gestures touch. A body whose frame's
faces have not arrived is processed without them (box-level face regions). A person's
windows are dropped when their track leaves the ``tracks`` topic, the rule the offline
pipeline follows.
"""

from __future__ import annotations

from typing import Any

from emo_perception.nodes.common import EmoNode, StampCache, handles_input, run_node
from emo_perception.nodes.conversions import (gestures_to_msg, msg_to_bodies, msg_to_faces,
                                              stamp_to_sec)
from emo_perception.perception.micro_gestures import MicroGestureConfig, MicroGestureDetector
from emo_perception.perception.tracking import TrackEnds
from emo_perception.stages import build_stage
from emo_perception_msgs.msg import BodyArray, FaceArray, PersonTrackArray


class GestureNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("gesture_node", **node_options)
        self.use_face_mesh = bool(self.param(
            "use_face_mesh", True, "use face meshes from private/faces for face regions"))
        self.cfg: MicroGestureConfig = self.declare_stages()["micro_gestures"]
        self.detector: MicroGestureDetector = build_stage("micro_gestures",
                                                          {"micro_gestures": self.cfg})
        self.backend = "geometric"
        self._faces = StampCache(30)
        self.track_ends = TrackEnds()
        self.counters["gestures"] = 0
        if self.use_face_mesh:
            self.subscribe("private/faces", self._on_faces)
        self.subscribe("bodies", self._on_bodies)
        self.subscribe("tracks", self._on_tracks)
        self.pub = self.topic_publisher("bodies/micro_gestures")

    def _on_faces(self, msg: FaceArray) -> None:
        self._faces.put(msg.header, msg_to_faces(msg, self.record_error))

    def _on_tracks(self, msg: PersonTrackArray) -> None:
        for track_id in self.track_ends.update(t.track_id for t in msg.tracks):
            self.detector.forget(track_id)

    @handles_input
    def _on_bodies(self, msg: BodyArray) -> None:
        stamp = stamp_to_sec(msg.header.stamp)
        faces = self._faces.get(msg.header, [])
        events = []
        for body in msg_to_bodies(msg, self.record_error):
            events += self.detector.update(body, stamp, faces)
        out = gestures_to_msg(events, msg.header)
        if self.detector.last_error:
            self.record_error(self.detector.last_error)
            self.detector.last_error = ""
        self.counters["gestures"] += len(out.gestures)
        self.pub.publish(out)

    def diagnostic_values(self) -> dict[str, object]:
        return {"tracks": len(self.detector.tracks()), "skipped": self.detector.skipped,
                "tracks_ended": self.track_ends.ended}


def main(args: list[str] | None = None) -> int:
    return run_node(GestureNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
