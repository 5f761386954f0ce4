"""deid_node: the privacy boundary. Raw frames in; de-identified video, face boxes,
skeletons and person tracks out.

The image callback only stores the newest frame (older ones are dropped and counted); a
timer at ``processing_rate`` runs landmarks -> tracking -> de-identification on it.
De-identification fails closed: a frame whose conversion or detection failed or timed out
is published fully obscured (or not at all with ``deid.on_failure: block``), counted in
diagnostics as ``fail_closed``.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor

from sensor_msgs.msg import Image

from emo_perception.nodes.common import (NEWEST_ONLY_QOS, RESULT_QOS, SENSOR_QOS, EmoNode,
                                         run_node)
from emo_perception.nodes.conversions import (ConversionError, bgr_to_image, body_to_msg,
                                              face_to_msg, image_to_bgr, sec_to_stamp,
                                              stamp_to_sec)
from emo_perception.perception.deid import DeidConfig, Deidentifier, obscure_all
from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
from emo_perception.perception.tracking import PersonTracker, TrackerConfig
from emo_perception.perception.types import Frame
from emo_perception.runtime_stats import NewestOnlyQueue
from emo_perception_msgs.msg import BodyArray, FaceArray, PersonTrack, PersonTrackArray

LANDMARK_HELP = {
    "face_range": "face detector: 'short' (within ~2 m) or 'full' (within ~5 m)",
    "min_face_score": "minimum face detection score",
    "face_mesh": "run the 478-point face mesh (needed by au_node and hand-to-face gestures)",
    "max_num_faces": "most faces meshed per frame",
    "pose": "run the 33-point body pose (needed by gesture_node)",
    "hands": "run hand landmarks (costly; needed by finger-level micro-gestures)",
    "segmentation": "run people segmentation (needed by deid.mode silhouette)",
    "parallel": "run face and body models in two threads",
    "timeout_ms": "per-frame landmark budget [ms]; over it the frame fails closed (0 = none)",
}
DEID_HELP = {
    "mode": "blur | pixelate | solid | silhouette | skeleton",
    "margin": "grow each face box by this fraction of its size on every side",
    "hold_frames": "keep masking a face this many frames after the detector loses it",
    "on_failure": "failed frames: 'obscure' (publish fully obscured) or 'block' (publish none)",
}
TRACK_HELP = {
    "max_missed": "frames a track survives without a detection",
    "deterministic_ids": "ids p1, p2, ... in order of appearance (reproducible replays)",
}


class DeidNode(EmoNode):
    def __init__(self) -> None:
        super().__init__("deid_node")
        self.processing_rate = float(self.param(
            "processing_rate", 30.0, "frames processed per second at most [Hz]", (0.1, 240.0)))
        self.publish_face_landmarks = bool(self.param(
            "publish_face_landmarks", False,
            "IDENTIFYING: include 478-point meshes in the public `faces` topic"))
        self.publish_private_faces = bool(self.param(
            "publish_private_faces", True,
            "publish faces with meshes on private/faces for au_node and gesture_node"))
        self.publish_raw_passthrough = bool(self.param(
            "publish_raw_passthrough", False,
            "IDENTIFYING: skip de-identification and publish the raw frame on deid/image"))
        lm_cfg: LandmarkConfig = self.declare_config("landmarks", LandmarkConfig, LANDMARK_HELP)
        self.deid_cfg: DeidConfig = self.declare_config("deid", DeidConfig, DEID_HELP)
        track_cfg: TrackerConfig = self.declare_config("tracking", TrackerConfig, TRACK_HELP)
        if self.deid_cfg.mode == "silhouette" and not lm_cfg.segmentation:
            self.get_logger().info("deid.mode silhouette: enabling landmarks.segmentation")
            lm_cfg = dataclasses.replace(lm_cfg, segmentation=True)
        self.detector = LandmarkDetector(lm_cfg)
        self.tracker = PersonTracker(track_cfg)
        self.deid = Deidentifier(self.deid_cfg)
        self.backend = "mediapipe-cpu"
        self.queue = NewestOnlyQueue(1)
        self.counters.update({"fail_closed": 0, "blocked": 0, "faces": 0, "bodies": 0})
        self.create_subscription(Image, "private/image_raw", self._on_image, NEWEST_ONLY_QOS)
        self.image_pub = self.create_publisher(Image, "deid/image", SENSOR_QOS)
        self.faces_pub = self.create_publisher(FaceArray, "faces", RESULT_QOS)
        self.private_faces_pub = self.create_publisher(FaceArray, "private/faces", RESULT_QOS)
        self.bodies_pub = self.create_publisher(BodyArray, "bodies", RESULT_QOS)
        self.tracks_pub = self.create_publisher(PersonTrackArray, "tracks", RESULT_QOS)
        # Poll often and process as soon as a frame is there (a timer at processing_rate
        # would add up to one period of latency); processing_rate caps the rate.
        self._min_interval = 1.0 / self.processing_rate
        self._last_start = 0.0
        self.create_timer(0.004, self._process)
        if self.publish_raw_passthrough:
            self.get_logger().warning("publish_raw_passthrough is set: deid/image carries "
                                      "IDENTIFYING raw frames")
        self._index = 0
        self._pending = None  # (msg, image, landmarks future, start time)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="landmarks")

    def _on_image(self, msg: Image) -> None:
        self.counters["received"] += 1
        self.input_rate.tick()
        self.queue.put(msg)
        self.counters["dropped"] = self.queue.dropped

    def _process(self) -> None:
        """Start landmarks for the newest frame in a worker thread, then finish the frame
        before it (tracking, de-id, publishing) while the worker runs: the two overlap as in
        the in-process pipeline, and frames still finish in order."""
        pending = self._pending
        if pending is not None and not pending[2].done():
            return
        t0 = time.perf_counter()
        self._pending = None
        if t0 - self._last_start >= self._min_interval and len(self.queue):
            self._last_start = t0
            self._start(self.queue.pop(), t0)
        if pending is not None:
            self._finish(*pending)

    def _start(self, msg: Image, t0: float) -> None:
        try:
            image = image_to_bgr(msg)
            frame = Frame(image, stamp_to_sec(msg.header.stamp), self._index,
                          msg.header.frame_id)
        except (ConversionError, ValueError) as exc:
            self.record_error(f"bad frame: {exc}")
            self._fail_closed(msg, str(exc))
            return
        self._index += 1
        self._pending = (msg, image, self._pool.submit(self.detector.process, frame), t0)

    def _finish(self, msg: Image, image, future, t0: float) -> None:
        landmarks = future.result()  # the stage never raises: failures give ok=False
        tracks = self.tracker.update(landmarks)
        if self.publish_raw_passthrough:
            out_image = image
        else:
            result = self.deid.apply(image, landmarks)
            if result.fail_closed:
                self.counters["fail_closed"] += 1
                self.record_error(f"fail-closed: {result.reason}")
            out_image = result.image
        if out_image is not None:
            self.image_pub.publish(bgr_to_image(out_image, msg.header))
        else:
            self.counters["blocked"] += 1
        if landmarks.ok:
            self._publish_people(msg, landmarks, tracks)
        self.counters["processed"] += 1
        self.output_rate.tick()
        self.latency.add(time.perf_counter() - t0)

    def _publish_people(self, msg: Image, landmarks, tracks) -> None:
        header = msg.header
        faces = FaceArray(header=header, image_width=landmarks.width,
                          image_height=landmarks.height,
                          faces=[face_to_msg(f, header, self.publish_face_landmarks)
                                 for f in landmarks.faces])
        self.faces_pub.publish(faces)
        if self.publish_private_faces:
            self.private_faces_pub.publish(FaceArray(
                header=header, image_width=landmarks.width, image_height=landmarks.height,
                faces=[face_to_msg(f, header, True) for f in landmarks.faces]))
        self.bodies_pub.publish(BodyArray(
            header=header, image_width=landmarks.width, image_height=landmarks.height,
            bodies=[body_to_msg(b, header) for b in landmarks.bodies]))
        face_ids = {f.track_id for f in landmarks.faces}
        body_ids = {b.track_id for b in landmarks.bodies}
        self.tracks_pub.publish(PersonTrackArray(header=header, tracks=[
            PersonTrack(header=header, track_id=t.track_id,
                        face_id=t.track_id if t.track_id in face_ids else "",
                        body_id=t.track_id if t.track_id in body_ids else "",
                        first_seen=sec_to_stamp(t.first_seen), frames_seen=t.hits,
                        frames_missing=t.missed) for t in tracks]))
        self.counters["faces"] += len(landmarks.faces)
        self.counters["bodies"] += len(landmarks.bodies)

    def _fail_closed(self, msg: Image, reason: str) -> None:
        """A frame that could not even be decoded: publish an obscured frame of its size."""
        self.counters["fail_closed"] += 1
        self.deid.stats.fail_closed += 1
        h, w = int(msg.height), int(msg.width)
        if self.deid_cfg.on_failure == "block" or not (0 < h <= 8192 and 0 < w <= 8192):
            self.counters["blocked"] += 1
            return
        self.image_pub.publish(bgr_to_image(obscure_all(h, w), msg.header))

    def diagnostic_values(self) -> dict[str, object]:
        stats = self.deid.stats
        return {"deid_mode": self.deid_cfg.mode, "faces_masked": stats.faces_masked,
                "held": stats.held, "tracks_live": len(self.tracker.tracks)}

    def destroy_node(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.detector.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    return run_node(DeidNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
