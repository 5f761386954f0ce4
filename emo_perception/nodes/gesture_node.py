"""gesture_node: micro-gestures (iMiGUE ids) from skeletons over sliding windows.

Bodies come from ``bodies``; face meshes from ``private/faces`` locate the face regions
(forehead, eyes, nose, ears, jaw) that hand-to-face gestures touch. A body whose frame's
faces have not arrived is processed without them (box-level face regions).
"""

from __future__ import annotations

import time
from typing import Any

from emo_perception.nodes.common import RESULT_QOS, EmoNode, StampCache, run_node
from emo_perception.nodes.conversions import (gesture_to_msg, msg_to_body, msg_to_faces,
                                              stamp_to_sec)
from emo_perception.perception.micro_gestures import MicroGestureConfig, MicroGestureDetector
from emo_perception_msgs.msg import BodyArray, FaceArray, MicroGestureArray

GESTURE_HELP = {
    "window_s": "motion window for illustrative gestures and shaking shoulders [s]",
    "min_duration_s": "shortest touch or hand gesture reported [s]",
    "posture_min_duration_s": "shortest posture (folding arms, akimbo, ...) reported [s]",
    "on_threshold": "score at which a gesture starts",
    "off_threshold": "score below which it ends",
    "use_hands": "use hand keypoints when present",
    "classes": "iMiGUE ids to detect (only geometrically decidable ones)",
}


class GestureNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("gesture_node", **node_options)
        self.use_face_mesh = bool(self.param(
            "use_face_mesh", True, "use face meshes from private/faces for face regions"))
        self.track_timeout_s = float(self.param(
            "track_timeout_s", 5.0, "forget a person's windows after this long unseen [s]",
            (0.1, 3600.0)))
        self.cfg: MicroGestureConfig = self.declare_config("gestures", MicroGestureConfig,
                                                           GESTURE_HELP)
        self.detector = MicroGestureDetector(self.cfg)
        self.backend = "geometric"
        self._faces = StampCache(30)
        self._last_seen: dict[str, float] = {}
        self.counters["gestures"] = 0
        if self.use_face_mesh:
            self.create_subscription(FaceArray, "private/faces", self._on_faces, RESULT_QOS)
        self.create_subscription(BodyArray, "bodies", self._on_bodies, RESULT_QOS)
        self.pub = self.create_publisher(MicroGestureArray, "bodies/micro_gestures", RESULT_QOS)

    def _on_faces(self, msg: FaceArray) -> None:
        self._faces.put(msg.header, msg_to_faces(msg, self.record_error))

    def _on_bodies(self, msg: BodyArray) -> None:
        t0 = time.perf_counter()
        self.counters["received"] += 1
        self.input_rate.tick()
        stamp = stamp_to_sec(msg.header.stamp)
        faces = self._faces.get(msg.header, [])
        out = MicroGestureArray(header=msg.header)
        for body_msg in msg.bodies:
            body = msg_to_body(body_msg)
            self._last_seen[body.track_id] = stamp
            for event in self.detector.update(body, stamp, faces):
                out.gestures.append(gesture_to_msg(event, msg.header))
        for track_id, seen in list(self._last_seen.items()):
            if stamp - seen > self.track_timeout_s:
                self.detector.forget(track_id)
                del self._last_seen[track_id]
        if self.detector.last_error:
            self.record_error(self.detector.last_error)
            self.detector.last_error = ""
        self.counters["gestures"] += len(out.gestures)
        self.pub.publish(out)
        self.counters["processed"] += 1
        self.output_rate.tick()
        self.latency.add(time.perf_counter() - t0)

    def diagnostic_values(self) -> dict[str, object]:
        return {"tracks": len(self.detector.tracks()), "skipped": self.detector.skipped}


def main(args: list[str] | None = None) -> int:
    return run_node(GestureNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
