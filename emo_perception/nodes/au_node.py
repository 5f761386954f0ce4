"""au_node: facial action units and expression per face, from the face meshes that
deid_node publishes on ``private/faces``.

Outputs carry the stamp of the frame the face came from.
"""

from __future__ import annotations

import time

from emo_perception.nodes.common import RESULT_QOS, EmoNode, run_node
from emo_perception.nodes.conversions import (action_units_to_msg, affect_to_expression_msg,
                                              msg_to_face, stamp_to_sec)
from emo_perception.perception.action_units import ActionUnitConfig, ActionUnitEstimator
from emo_perception.perception.expression import ExpressionConfig, ExpressionEstimator
from emo_perception_msgs.msg import ActionUnitsArray, ExpressionArray, FaceArray

AU_HELP = {
    "baseline_mode": "neutral reference: 'population' or 'running' (first frames of a track)",
    "baseline_frames": "frames a running baseline collects before use",
    "max_abs_yaw_deg": "faces turned further than this are skipped (counted)",
    "aus": "FACS codes to report",
}
EXPR_HELP = {
    "label_set": "expression label set: basic7 or basic8",
    "temperature": "softmax temperature over EMFACS scores (smaller = peakier)",
    "neutral_bias": "added to the neutral score (> 0 favours neutral)",
}


class AuNode(EmoNode):
    def __init__(self) -> None:
        super().__init__("au_node")
        backend = str(self.param("au_backend", "geometric",
                                 "action-unit estimator: 'geometric' (face-mesh rules)",
                                 read_only=True))
        if backend != "geometric":
            # The learned AU model needs face crops and a fit-for-use model; refusing is
            # better than silently running something else.
            raise SystemExit(f"au_node: au_backend {backend!r} is not available in this "
                             "node yet; use 'geometric'")
        self.au_cfg: ActionUnitConfig = self.declare_config("action_units", ActionUnitConfig,
                                                            AU_HELP)
        self.expr_cfg: ExpressionConfig = self.declare_config("expression", ExpressionConfig,
                                                              EXPR_HELP)
        self.estimator = ActionUnitEstimator(self.au_cfg)
        self.expression = ExpressionEstimator(self.expr_cfg)
        self.backend = "geometric"
        self.counters["faces"] = 0
        self.create_subscription(FaceArray, "private/faces", self._on_faces, RESULT_QOS)
        self.au_pub = self.create_publisher(ActionUnitsArray, "faces/action_units", RESULT_QOS)
        self.expr_pub = self.create_publisher(ExpressionArray, "faces/expression", RESULT_QOS)

    def _on_faces(self, msg: FaceArray) -> None:
        t0 = time.perf_counter()
        self.counters["received"] += 1
        self.input_rate.tick()
        stamp = stamp_to_sec(msg.header.stamp)
        au_out = ActionUnitsArray(header=msg.header)
        expr_out = ExpressionArray(header=msg.header)
        for face_msg in msg.faces:
            face = msg_to_face(face_msg)
            if face.mesh is None or len(face.mesh) < 468:
                continue  # a face without a mesh has nothing to measure
            try:
                aus = self.estimator.estimate(face, stamp)
                affect = self.expression.estimate(face.track_id, stamp, aus)
            except (ValueError, FloatingPointError) as exc:
                self.record_error(f"face {face.track_id}: {exc}")
                continue
            self.counters["faces"] += 1
            au_out.faces.append(action_units_to_msg(face.track_id, aus, msg.header))
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
