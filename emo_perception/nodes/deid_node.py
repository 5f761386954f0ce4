"""deid_node: the privacy boundary. Raw frames in; de-identified video, face boxes,
skeletons and person tracks out.

The image callback keeps only the newest frame (older ones are dropped and counted); a
landmarks thread takes the newest frame whenever it is free, and a publish thread tracks,
de-identifies and publishes each frame while landmarks run on the next one.
``processing_rate`` caps the rate.
De-identification fails closed: a frame whose conversion or detection failed or timed out
is published fully obscured (or not at all with ``deid.on_failure: block``), counted in
diagnostics as ``fail_closed``.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sensor_msgs.msg import Image

from emo_perception.nodes.common import (NEWEST_ONLY_QOS, RESULT_QOS, SENSOR_QOS, EmoNode,
                                         run_node)
from emo_perception.nodes.conversions import (ConversionError, bgr_to_image,
                                              body_array_to_msg, face_array_to_msg,
                                              image_to_bgr, stamp_to_sec, tracks_to_msg)
from emo_perception.perception.deid import DeidConfig, Deidentifier, obscure_all
from emo_perception.perception.face_finder import SOURCES, FaceFinderConfig
from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
from emo_perception.perception.tracking import PersonTracker, TrackerConfig
from emo_perception.perception.types import Frame
from emo_perception.runtime_stats import NewestOnlyQueue, RateLimiter, SequenceGaps
from emo_perception_msgs.msg import BodyArray, FaceArray, PersonTrackArray


class DeidNode(EmoNode):
    takes_message_info = True  # publication sequence numbers count missed frames

    def __init__(self, **node_options: Any) -> None:
        super().__init__("deid_node", **node_options)
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
        configs = self.declare_stages()
        lm_cfg: LandmarkConfig = configs["landmarks"]
        self.deid_cfg: DeidConfig = configs["deid"]
        track_cfg: TrackerConfig = configs["tracking"]
        finder_cfg: FaceFinderConfig = configs["finder"]
        if self.deid_cfg.mode == "silhouette" and not lm_cfg.segmentation:
            self.get_logger().info("deid.mode silhouette: enabling landmarks.segmentation")
            lm_cfg = dataclasses.replace(lm_cfg, segmentation=True)
        self.detector = LandmarkDetector(lm_cfg, finder_cfg)
        self.tracker = PersonTracker(track_cfg)
        self.deid = Deidentifier(self.deid_cfg, require_pairing=True)
        self.backend = "mediapipe-cpu"
        if finder_cfg.centerface:
            self.backend += f"+centerface-{self.detector.finder.provider}"
        self.queue = NewestOnlyQueue(1)
        self.sequence_gaps = SequenceGaps()  # frames the node never saw
        self.counters.update({"fail_closed": 0, "blocked": 0, "faces": 0, "bodies": 0,
                              "worker_errors": 0, "missed": 0})
        self.create_subscription(Image, "private/image_raw", self._on_image, NEWEST_ONLY_QOS)
        self.image_pub = self.create_publisher(Image, "deid/image", SENSOR_QOS)
        self.faces_pub = self.create_publisher(FaceArray, "faces", RESULT_QOS)
        self.private_faces_pub = self.create_publisher(FaceArray, "private/faces", RESULT_QOS)
        self.bodies_pub = self.create_publisher(BodyArray, "bodies", RESULT_QOS)
        self.tracks_pub = self.create_publisher(PersonTrackArray, "tracks", RESULT_QOS)
        # Frames flow through two worker threads, not executor callbacks: "landmarks" runs
        # the models on the newest frame while "publish" tracks, de-identifies and publishes
        # the frame before it, in order. The executor only hands over incoming frames, so
        # its overhead does not grow with the frame rate.
        self._rate_limit = RateLimiter(self.processing_rate)
        if self.publish_raw_passthrough:
            self.get_logger().warning("publish_raw_passthrough is set: deid/image carries "
                                      "IDENTIFYING raw frames")
        self._index = 0
        self._lock = threading.Lock()
        self._busy = False
        self._closing = False
        self._landmark_pool = ThreadPoolExecutor(1, thread_name_prefix="landmarks")
        self._publish_pool = ThreadPoolExecutor(1, thread_name_prefix="publish")
        # Landmarks wait rather than pile frames up when publishing falls behind.
        self._publish_slots = threading.BoundedSemaphore(2)

    def _on_image(self, msg: Image, info: dict) -> None:
        self.counters["received"] += 1
        self.sequence_gaps.update(info.get("publication_sequence_number"))
        self.counters["missed"] = self.sequence_gaps.missed
        self.input_rate.tick()
        self.queue.put(msg)
        self.counters["dropped"] = self.queue.dropped
        with self._lock:
            if self._busy or self._closing:
                return
            self._busy = True
        self._landmark_pool.submit(self._landmarks_loop).add_done_callback(self._report)

    def _report(self, future) -> None:
        """Worker threads swallow exceptions: count and report them instead. A frame whose
        publishing failed was not published at all, so this fails closed too."""
        if future.cancelled() or future.exception() is None:
            return
        if not self.context.ok():  # shutting down: publishers are already gone
            return
        self.counters["worker_errors"] += 1
        self.counters["fail_closed"] += 1  # the frame in hand was never published
        self.counters["blocked"] += 1
        self.record_error(f"worker: {type(future.exception()).__name__}: {future.exception()}")

    def _landmarks_loop(self) -> None:
        """Run landmarks on the newest queued frame until the queue is empty."""
        try:
            self._landmarks_until_empty()
        finally:
            with self._lock:
                self._busy = False

    def _landmarks_until_empty(self) -> None:
        while True:
            wait = self._rate_limit.wait_s(time.perf_counter())
            if wait > 0:
                time.sleep(wait)  # processing_rate caps the rate; the newest frame wins
            with self._lock:
                msg = None if self._closing else self.queue.pop()
                if msg is None:
                    self._busy = False
                    return
            t0 = time.perf_counter()
            self._rate_limit.take(t0)
            try:
                image = image_to_bgr(msg)
                frame = Frame(image, stamp_to_sec(msg.header.stamp), self._index,
                              msg.header.frame_id)
            except (ConversionError, ValueError) as exc:
                self._publish_pool.submit(self._fail_closed, msg, str(exc)).add_done_callback(
                    self._report)
                continue
            self._index += 1
            landmarks = self.detector.process(frame)  # never raises: failures give ok=False
            self._publish_slots.acquire()
            future = self._publish_pool.submit(self._finish, msg, image, landmarks, t0)
            future.add_done_callback(self._report)
            future.add_done_callback(lambda _: self._publish_slots.release())

    def _finish(self, msg: Image, image, landmarks, t0: float) -> None:
        self.tracker.update(landmarks)
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
            self._publish_people(msg, landmarks, self.tracker.tracks)
        self.counters["processed"] += 1
        self.output_rate.tick()
        self.latency.add(time.perf_counter() - t0)

    def _publish_people(self, msg: Image, landmarks, tracks) -> None:
        header, w, h = msg.header, landmarks.width, landmarks.height
        self.faces_pub.publish(face_array_to_msg(landmarks.faces, header, w, h,
                                                 self.publish_face_landmarks))
        if self.publish_private_faces:
            self.private_faces_pub.publish(face_array_to_msg(landmarks.faces, header, w, h,
                                                             True))
        self.bodies_pub.publish(body_array_to_msg(landmarks.bodies, header, w, h))
        # Every live track, seen in this frame or not: a track that leaves this list has
        # ended, and au_node and gesture_node drop its state (the offline rule).
        self.tracks_pub.publish(tracks_to_msg(tracks, landmarks.faces, landmarks.bodies, header))
        self.counters["faces"] += len(landmarks.faces)
        self.counters["bodies"] += len(landmarks.bodies)

    def on_live_change(self, prefix: str, cfg: DeidConfig) -> None:
        """``ros2 param set`` of a live deid setting: the next frame uses it."""
        if prefix != "deid":
            raise NotImplementedError(f"{prefix} cannot change live")
        if cfg.mode == "silhouette" and not self.detector.cfg.segmentation:
            raise ValueError("deid.mode silhouette needs landmarks.segmentation, which is "
                             "set at start (start the node with mode silhouette)")
        self.deid_cfg = self.deid.cfg = cfg

    def _fail_closed(self, msg: Image, reason: str) -> None:
        """A frame that could not even be decoded: publish an obscured frame of its size."""
        self.record_error(f"bad frame: {reason}")
        self.counters["fail_closed"] += 1
        self.deid.stats.fail_closed += 1
        h, w = int(msg.height), int(msg.width)
        if self.deid_cfg.on_failure == "block" or not (0 < h <= 8192 and 0 < w <= 8192):
            self.counters["blocked"] += 1
            return
        self.image_pub.publish(bgr_to_image(obscure_all(h, w), msg.header))

    def diagnostic_values(self) -> dict[str, object]:
        stats = self.deid.stats
        finder = self.detector.finder
        values: dict[str, object] = {
            "deid_mode": self.deid_cfg.mode, "faces_masked": stats.faces_masked,
            "held": stats.held, "unpaired": stats.unpaired,
            "tracks_live": len(self.tracker.tracks),
            "finder_detectors": ",".join(finder.cfg.enabled_sources()) if finder else "none"}
        if finder is not None:
            values.update({f"found_{s}": finder.counts[s] for s in SOURCES})
            smallest = finder.cfg.measured_min_face_px()
            values["finder_min_face_px_at_640x480"] = smallest if smallest else "not measured"
        return values

    def destroy_node(self) -> None:
        with self._lock:
            self._closing = True
        self._landmark_pool.shutdown(wait=True, cancel_futures=True)
        self._publish_pool.shutdown(wait=True)
        self.detector.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    return run_node(DeidNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
