"""deid_node: the privacy boundary. Raw frames in; de-identified video, face boxes,
skeletons and person tracks out.

Frames go through the overlap runner (``perception/overlap.py``, shared with the offline
pipeline and tested alone): the image callback hands over the newest frame (a frame still
waiting when a newer one arrives is dropped and counted), one thread runs the landmark
models on it while another tracks, de-identifies and publishes the frame before it, in
order, each with its own detections. ``processing_rate`` caps the rate.
De-identification fails closed: a frame whose conversion or detection failed or timed out
is published fully obscured (or not at all with ``deid.on_failure: block``), counted in
diagnostics as ``fail_closed``.
"""

from __future__ import annotations

import time
from typing import Any

from sensor_msgs.msg import Image

from emo_perception.nodes.common import NEWEST_ONLY_QOS, EmoNode, run_node
from emo_perception.nodes.conversions import (ConversionError, bgr_to_image,
                                              body_array_to_msg, face_array_to_msg,
                                              image_to_bgr, stamp_to_sec, tracks_to_msg)
from emo_perception.perception.deid import DeidConfig, Deidentifier, obscure_all
from emo_perception.perception.face_finder import SOURCES, FaceFinderConfig
from emo_perception.perception.landmarks import LandmarkDetector
from emo_perception.perception.overlap import OverlapRunner
from emo_perception.perception.tracking import PersonTracker
from emo_perception.perception.types import Frame
from emo_perception.runtime_stats import SequenceGaps
from emo_perception.stages import build_stage


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
        self.deid_cfg: DeidConfig = configs["deid"]
        finder_cfg: FaceFinderConfig = configs["finder"]
        try:  # built by the stage table, as the offline pipeline builds them
            self.detector: LandmarkDetector = build_stage("landmarks", configs)
        except (OSError, RuntimeError) as exc:  # e.g. body_backend movenet, model not made
            raise SystemExit(f"deid_node: landmark models unavailable: "
                             f"{str(exc).splitlines()[0]}") from None
        if self.detector.cfg.segmentation and not configs["landmarks"].segmentation:
            self.get_logger().info("deid.mode silhouette: enabling landmarks.segmentation")
        self.tracker: PersonTracker = build_stage("tracking", configs)
        self.deid: Deidentifier = build_stage("deid", configs)
        self.backend = "mediapipe-cpu"
        if self.detector.body_provider.startswith("movenet"):
            self.backend += f"+{self.detector.body_provider}"
        if finder_cfg.centerface:
            self.backend += f"+centerface-{self.detector.finder.provider}"
        self.sequence_gaps = SequenceGaps()  # frames the node never saw
        self.models_still_running = False  # set at shutdown when a frame never came back
        self.counters.update({"fail_closed": 0, "blocked": 0, "faces": 0, "bodies": 0,
                              "worker_errors": 0, "missed": 0, "abandoned": 0})
        # Publishers first: a player waiting for this node's subscription then starts only
        # after every output is announced, so recorders match them before the first result.
        self.image_pub = self.topic_publisher("deid/image")
        self.faces_pub = self.topic_publisher("faces")
        self.private_faces_pub = self.topic_publisher("private/faces")
        self.bodies_pub = self.topic_publisher("bodies")
        self.tracks_pub = self.topic_publisher("tracks")
        if self.publish_raw_passthrough:
            self.get_logger().warning("publish_raw_passthrough is set: deid/image carries "
                                      "IDENTIFYING raw frames")
        self._index = 0
        # Frames flow through the overlap runner's two threads, not executor callbacks:
        # landmarks run on the newest frame while the frame before it is tracked,
        # de-identified and published, in order (each with its own detections). The
        # executor only hands frames over, so its overhead does not grow with the rate.
        self.runner: OverlapRunner[Image, tuple] = OverlapRunner(
            self._landmarks, self._finish, newest_only=True, on_failure=self._on_failure,
            rate_hz=self.processing_rate, name="deid")
        self.subscribe("private/image_raw", self._on_image, NEWEST_ONLY_QOS)

    def _on_image(self, msg: Image, info: dict) -> None:
        self.count_received()  # processed is counted when the runner publishes the frame
        self.sequence_gaps.update(info.get("publication_sequence_number"))
        self.counters["missed"] = self.sequence_gaps.missed
        self.runner.submit(msg)

    def _landmarks(self, msg: Image) -> tuple:
        """Stage one (runner thread): decode and run the models; never publishes."""
        t0 = time.perf_counter()
        try:
            image = image_to_bgr(msg)
            frame = Frame(image, stamp_to_sec(msg.header.stamp), self._index,
                          msg.header.frame_id)
        except (ConversionError, ValueError) as exc:
            raise _BadFrame(str(exc)) from None
        self._index += 1
        return image, self.detector.process(frame), t0  # failures give landmarks.ok False

    def _on_failure(self, msg: Image, exc: BaseException) -> None:
        """A frame that could not be decoded, or whose processing raised: fail closed."""
        if not isinstance(exc, _BadFrame):
            self.counters["worker_errors"] += 1
        self._fail_closed(msg, f"{'bad frame' if isinstance(exc, _BadFrame) else 'worker'}: "
                               f"{exc}")

    def stop_work(self) -> None:
        """Finish the frames already accepted (or count them abandoned) before the final
        diagnostics go out."""
        counts = self.runner.close(timeout_s=5.0)
        self.counters["abandoned"] = counts.abandoned
        self.counters["dropped"] = counts.dropped

    def _finish(self, msg: Image, mid: tuple) -> None:
        """Stage two (runner thread, in order): track, de-identify, publish."""
        image, landmarks, t0 = mid
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
        self.count_processed(t0)

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
        """Publish an obscured frame of the message's size (or none: ``block``)."""
        self.record_error(f"fail-closed: {reason}")
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
        counts = self.runner.counts()
        self.counters["dropped"] = counts.dropped
        values: dict[str, object] = {
            "in_flight": counts.in_flight,
            "deid_mode": self.deid_cfg.mode, "faces_masked": stats.faces_masked,
            "held": stats.held, "unpaired": stats.unpaired,
            "tracks_live": len(self.tracker.tracks),
            "landmark_errors": self.detector.stage_stats().errors,
            "finder_detectors": ",".join(finder.cfg.enabled_sources()) if finder else "none"}
        if finder is not None:
            values.update({f"found_{s}": finder.counts[s] for s in SOURCES})
            smallest = finder.cfg.measured_min_face_px()
            values["finder_min_face_px_at_640x480"] = smallest if smallest else "not measured"
        return values

    def destroy_node(self) -> None:
        self.stop_work()
        if self.runner.working():
            # A frame still inside the models: closing their graphs would wait for it (or
            # pull them from under it); the process is ending and frees them anyway.
            self.get_logger().warning("a frame was still being processed at shutdown: "
                                      "leaving the models to the process exit")
            self.models_still_running = True  # run_nodes exits without waiting for them
        else:
            self.detector.close()
        super().destroy_node()


class _BadFrame(ValueError):
    """An image message that cannot be decoded (stage one)."""


def main(args: list[str] | None = None) -> int:
    return run_node(DeidNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
