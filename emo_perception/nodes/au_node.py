"""au_node: facial action units and expression per face, from the face meshes that
deid_node publishes on ``private/faces``.

``au_backend: geometric`` (default) measures AUs on the mesh. ``au_backend: learned`` runs
AU-TTT on face crops through the inference interface (TensorRT -> onnxruntime CUDA ->
CPU); it then also subscribes to the raw frames, which is why au_node sits inside the
privacy boundary. A learned model that cannot be loaded, or that its manifest marks unfit
for use, stops the node with a one-line error instead of running something else.
Outputs carry the stamp of the frame the face came from.
"""

from __future__ import annotations

import time
from typing import Any

from sensor_msgs.msg import Image

from emo_perception.nodes.common import RESULT_QOS, SENSOR_QOS, EmoNode, StampCache, run_node
from emo_perception.nodes.conversions import (ConversionError, action_units_to_msg,
                                              affect_to_expression_msg, image_to_bgr,
                                              msg_to_faces, stamp_to_sec)
from emo_perception.perception.action_units import ActionUnitConfig, ActionUnitEstimator
from emo_perception.perception.expression import ExpressionConfig, ExpressionEstimator
from emo_perception.perception.learned_action_units import (LearnedActionUnitConfig,
                                                            LearnedActionUnitEstimator)
from emo_perception_msgs.msg import ActionUnitsArray, ExpressionArray, FaceArray

AU_HELP = {
    "baseline_mode": "neutral reference: 'population' or 'running' (first frames of a track)",
    "baseline_frames": "frames a running baseline collects before use",
    "max_abs_yaw_deg": "faces turned further than this are skipped (counted)",
    "aus": "FACS codes to report",
}
LEARNED_HELP = {
    "model": "learned AU model: manifest name or .onnx path (models_onnx/manifest.yaml)",
    "backends": "inference backends in order of preference: tensorrt, cuda, cpu",
    "fp16": "TensorRT FP16 engine",
    "allow_unfit_model": "run a model its manifest marks not fit for use (generated data)",
    "threads": "onnxruntime CPU threads (0 = default)",
}
EXPR_HELP = {
    "label_set": "expression label set: basic7 or basic8",
    "temperature": "softmax temperature over EMFACS scores (smaller = peakier)",
    "neutral_bias": "added to the neutral score (> 0 favours neutral)",
}


class AuNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("au_node", **node_options)
        backend = str(self.param(
            "au_backend", "geometric",
            "action-unit estimator: 'geometric' (face-mesh rules) or 'learned' (AU-TTT)",
            read_only=True))
        if backend not in ("geometric", "learned"):
            raise SystemExit(f"au_node: au_backend must be 'geometric' or 'learned', "
                             f"got {backend!r}")
        self.au_cfg: ActionUnitConfig = self.declare_config("action_units", ActionUnitConfig,
                                                            AU_HELP)
        self.learned_cfg: LearnedActionUnitConfig = self.declare_config(
            "learned", LearnedActionUnitConfig, LEARNED_HELP)
        self.learned = None
        self._frames = StampCache(10)  # raw frames, joined with their faces by stamp
        if backend == "learned":
            try:
                self.learned = LearnedActionUnitEstimator(self.learned_cfg)
            except (OSError, RuntimeError, ValueError) as exc:
                raise SystemExit(f"au_node: learned AU model unavailable: "
                                 f"{str(exc).splitlines()[0]}") from None
            self.create_subscription(Image, "private/image_raw", self._on_image, SENSOR_QOS)
        self.expr_cfg: ExpressionConfig = self.declare_config("expression", ExpressionConfig,
                                                              EXPR_HELP)
        self.estimator = ActionUnitEstimator(self.au_cfg)
        self.expression = ExpressionEstimator(self.expr_cfg)
        self.backend = "geometric" if self.learned is None else \
            f"au_ttt:{self.learned.provider}"
        self.counters["faces"] = 0
        self.create_subscription(FaceArray, "private/faces", self._on_faces, RESULT_QOS)
        self.au_pub = self.create_publisher(ActionUnitsArray, "faces/action_units", RESULT_QOS)
        self.expr_pub = self.create_publisher(ExpressionArray, "faces/expression", RESULT_QOS)

    def _on_image(self, msg: Image) -> None:
        self._frames.put(msg.header, msg)

    def _learned_aus(self, msg: FaceArray, faces: list) -> dict:
        image_msg = self._frames.get(msg.header)
        if image_msg is None:
            self.counters["dropped"] += 1  # faces whose frame never arrived here
            return {}
        try:
            return self.learned.estimate(image_to_bgr(image_msg), faces)
        except (ConversionError, ValueError, RuntimeError) as exc:
            self.record_error(f"learned AUs: {exc}")
            return {}

    def _on_faces(self, msg: FaceArray) -> None:
        t0 = time.perf_counter()
        self.counters["received"] += 1
        self.input_rate.tick()
        stamp = stamp_to_sec(msg.header.stamp)
        au_out = ActionUnitsArray(header=msg.header)
        expr_out = ExpressionArray(header=msg.header)
        # A face without a mesh has nothing to measure.
        faces = [f for f in msg_to_faces(msg, self.record_error)
                 if f.mesh is not None and len(f.mesh) >= 468]
        learned = self._learned_aus(msg, faces) if self.learned is not None and faces else {}
        for face in faces:
            try:
                if self.learned is not None:
                    if face.track_id not in learned:
                        continue
                    aus = learned[face.track_id]
                else:
                    aus = self.estimator.estimate(face, stamp)
                affect = self.expression.estimate(face.track_id, stamp, aus)
            except (ValueError, FloatingPointError) as exc:
                self.record_error(f"face {face.track_id}: {exc}")
                continue
            self.counters["faces"] += 1
            au_out.faces.append(action_units_to_msg(
                face.track_id, aus, msg.header,
                "geometric" if self.learned is None else "learned"))
            expr_out.expressions.append(
                affect_to_expression_msg(affect, msg.header, self.expr_cfg.label_set))
        self.au_pub.publish(au_out)
        self.expr_pub.publish(expr_out)
        self.counters["processed"] += 1
        self.output_rate.tick()
        self.latency.add(time.perf_counter() - t0)


def main(args: list[str] | None = None) -> int:
    return run_node(AuNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
