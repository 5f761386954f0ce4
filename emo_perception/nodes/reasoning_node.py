"""reasoning_node: grounded emotion explanations per person from evidence windows.

Reasoning runs in a worker thread with a timeout and a per-person rate limit
(``emo_perception.reasoning.runner``): perception never waits for it. Every result carries
its backend, latency and hallucination flags; a failed or slow backend yields a flagged
knowledge-based result, never a crash.
"""

from __future__ import annotations

from typing import Any

import cv2
from sensor_msgs.msg import Image

from emo_perception.nodes.common import EmoNode, run_node
from emo_perception.nodes.conversions import (ConversionError, image_to_bgr,
                                              msg_to_evidence_window, reasoning_to_msg,
                                              stamp_to_sec)
from emo_perception.reasoning.backends import DeidentifiedKeyframe
from emo_perception.reasoning.result import ReasoningConfig
from emo_perception.reasoning.runner import ReasoningRunner, RunnerConfig
from emo_perception_msgs.msg import EvidenceWindow


class ReasoningNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("reasoning_node", **node_options)
        configs = self.declare_stages()
        self.cfg: ReasoningConfig = configs["reasoning"]
        runner_cfg: RunnerConfig = configs["runner"]
        self.backend = self.cfg.backend
        self.runner = ReasoningRunner(self.cfg, runner_cfg).start()
        self._keyframe: DeidentifiedKeyframe | None = None
        self._deid_mode = str(self.param("keyframe_method", "blur",
                                         "how deid/image was de-identified (matches deid.mode)"))
        self.subscribe("emotion/evidence", self._on_evidence)
        if self.cfg.attach_keyframes:
            self.subscribe("deid/image", self._on_deid_image)
        self.pub = self.topic_publisher("emotion/reasoning")
        self.create_timer(0.05, self._publish_results)

    def _on_evidence(self, msg: EvidenceWindow) -> None:
        self.count_received()  # processed is counted per published result
        try:
            window = msg_to_evidence_window(
                msg, lambda e: self.record_error(f"bad evidence item: {e}"))
        except ConversionError as exc:
            self.record_error(f"evidence window: {exc}")
            return
        frames = (self._keyframe,) if self._keyframe is not None else ()
        self.runner.submit(window, msg.track_id, keyframes=frames)

    def _on_deid_image(self, msg: Image) -> None:
        try:
            image = image_to_bgr(msg)
        except ConversionError as exc:
            self.record_error(f"keyframe: {exc}")
            return
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
        if ok:
            self._keyframe = DeidentifiedKeyframe(jpeg.tobytes(), self._deid_mode,
                                                  stamp_to_sec(msg.header.stamp))

    def _publish_results(self) -> None:
        for result in self.runner.poll():
            self.pub.publish(reasoning_to_msg(result, self.get_clock().now().to_msg()))
            self.count_processed(latency_s=result.latency_s)  # the runner's submit to result
        stats = self.runner.stats
        self.counters["dropped"] = stats.dropped + stats.results_dropped

    def diagnostic_values(self) -> dict[str, object]:
        s = self.runner.stats
        return {"submitted": s.submitted, "rate_limited": s.rate_limited,
                "timeouts": s.timeouts, "fallbacks": s.fallbacks, "backend_errors": s.errors}

    def destroy_node(self) -> None:
        self.runner.stop()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    return run_node(ReasoningNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
