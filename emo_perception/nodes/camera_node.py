"""camera_node: frames from a camera index, a video file, an image folder or a bag's image
topic, published as ``sensor_msgs/Image`` + ``CameraInfo``.

Raw frames are identifying, so they go to ``private/image_raw`` (inside the node set's
namespace) and stay on the host: see the README's privacy section.
"""

from __future__ import annotations

import time
from typing import Any

from std_msgs.msg import Header

from emo_perception.nodes.common import ConsumerWait, EmoNode, run_node
from emo_perception.nodes.conversions import bgr_to_image, camera_info_to_msg
from emo_perception.perception.sources import SourceConfig, SourceError, open_source


class CameraNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("camera_node", **node_options)
        self.source_spec = str(self.param(
            "source", "0", "camera index (e.g. 0), video file, image file/folder, or bag",
            read_only=True))
        self.frame_id = str(self.param("frame_id", "camera", "frame_id of published images"))
        self.shutdown_on_end = bool(self.param(
            "shutdown_on_end", True,
            "exit (code 0) when a file source ends instead of idling; ignored when looping"))
        wait_nodes = [n for n in self.param(
            "wait_for_nodes", [""], "file source: before the first frame, wait until these "
            "nodes have subscribed to their inputs (they do once their models are loaded), "
            "so no frame is lost while they start; a camera or network stream never waits")
            if n]
        wait_timeout = float(self.param("wait_timeout_s", 60.0, "give up waiting for "
                                        "wait_for_nodes after this long [s]", (0.0, 600.0)))
        self.source_cfg: SourceConfig = self.declare_stages()["source"]
        try:
            self.source = open_source(self.source_spec, self.source_cfg)
        except SourceError as exc:
            raise SystemExit(f"camera_node: {exc}") from None
        self.backend = self.source.kind
        self.frames = iter(self.source)
        self.consumers = ConsumerWait(self, [] if self.source.live else wait_nodes,
                                      wait_timeout)
        fps = self.source_cfg.fps or self.source.nominal_fps or 30.0
        self.image_pub = self.topic_publisher("private/image_raw")
        self.info_pub = self.topic_publisher("private/camera_info")
        self.finished = False
        self.exit_code = 0
        self.timer = self.create_timer(1.0 / fps, self._tick)
        self.get_logger().info(
            f"publishing {self.source.kind} {self.source_spec!r} at {fps:.1f} Hz "
            f"on {self.image_pub.topic_name}")

    def _tick(self) -> None:
        if not self.consumers.poll():
            return
        t0 = time.perf_counter()
        try:
            frame = next(self.frames)
        except StopIteration:
            self.get_logger().info(
                f"end of source after {self.source.emitted} frames "
                f"({self.source.corrupt} corrupt frames skipped)")
            self.timer.cancel()
            if self.shutdown_on_end:
                self.finished = True
            return
        self.input_rate.tick()
        header = Header(stamp=self.get_clock().now().to_msg(), frame_id=self.frame_id)
        msg = bgr_to_image(frame.image, header)
        self.image_pub.publish(msg)
        info = camera_info_to_msg(header, msg.width, msg.height)
        self.info_pub.publish(info)
        self.count_processed(t0)

    def diagnostic_values(self) -> dict[str, object]:
        return {"source": self.source_spec, "corrupt_frames": self.source.corrupt,
                "frames_published": self.source.emitted,
                "waited_for_consumers_s": round(self.consumers.waited_s, 2),
                "consumers_not_ready": ",".join(self.consumers.timed_out)}

    def destroy_node(self) -> None:
        self.source.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    return run_node(CameraNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
