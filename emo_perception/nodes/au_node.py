"""au_node: facial action units and expression per face, from the face meshes that
deid_node publishes on ``private/faces``.

A thin adapter around :class:`~emo_perception.perception.face_analysis.FaceAnalysis`,
built from the stage table exactly as ``process`` builds it: ``au_backend: geometric``
(default) measures AUs on the mesh; ``au_backend: learned`` runs AU-TTT on face crops
through the inference interface (TensorRT -> onnxruntime CUDA -> CPU), and
``expression.backend: learned | ensemble`` runs a pretrained expression model on the
crops the same way; either then also subscribes to the raw frames, which is why au_node
sits inside the privacy boundary. Each published expression names its ``source``. A
learned model that cannot be loaded, or that its manifest marks unfit for use, stops the
node with a one-line error instead of running something else.

Per-track state (running baselines) is dropped when a track leaves the ``tracks`` topic,
the rule the offline pipeline follows. Outputs carry the stamp of the frame the face
came from.
"""

from __future__ import annotations

from typing import Any

from sensor_msgs.msg import Image

from emo_perception.nodes.common import EmoNode, StampCache, handles_input, run_node
from emo_perception.nodes.conversions import (ConversionError, face_affects_to_msgs,
                                              image_to_bgr, msg_to_faces, stamp_to_sec)
from emo_perception.perception.tracking import TrackEnds
from emo_perception.stages import build_stage
from emo_perception_msgs.msg import FaceArray, PersonTrackArray


class AuNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("au_node", **node_options)
        self.configs = self.declare_stages()
        self.expr_cfg = self.configs["expression"]
        try:
            self.analysis = build_stage("au_backend", self.configs)
        except (OSError, RuntimeError, ValueError) as exc:
            raise SystemExit(f"au_node: learned AU or expression model unavailable: "
                             f"{str(exc).splitlines()[0]}") from None
        self.backend = self.analysis.name
        if self.expr_cfg.backend != "geometric":
            self.backend += f"; expression {self.analysis.expression_name}"
        self.track_ends = TrackEnds()
        self._frames = StampCache(10)  # raw frames, joined with their faces by stamp
        self.counters.update({"faces": 0, "frame_missing": 0})
        if self.analysis.needs_image:
            self.subscribe("private/image_raw", self._on_image)
        self.subscribe("private/faces", self._on_faces)
        self.subscribe("tracks", self._on_tracks)
        self.au_pub = self.topic_publisher("faces/action_units")
        self.expr_pub = self.topic_publisher("faces/expression")

    def _on_image(self, msg: Image) -> None:
        self._frames.put(msg.header, msg)

    def _on_tracks(self, msg: PersonTrackArray) -> None:
        for track_id in self.track_ends.update(t.track_id for t in msg.tracks):
            self.analysis.forget(track_id)

    def _frame_of(self, msg: FaceArray):
        """The raw frame of these faces (learned backend only); None when it never came."""
        image_msg = self._frames.get(msg.header)
        if image_msg is None:
            self.counters["frame_missing"] += 1
            self.counters["dropped"] += 1  # faces whose frame never arrived here
            return None
        try:
            return image_to_bgr(image_msg)
        except ConversionError as exc:
            self.record_error(f"learned AUs/expression: {exc}")
            return None

    @handles_input
    def _on_faces(self, msg: FaceArray) -> None:
        stamp = stamp_to_sec(msg.header.stamp)
        faces = msg_to_faces(msg, self.record_error)
        image = None
        if self.analysis.needs_image and faces:
            image = self._frame_of(msg)
        errors_before = self.analysis.stage_stats().errors
        affects = [] if self.analysis.needs_image and image is None else \
            self.analysis.process(faces, stamp, image)
        stats = self.analysis.stage_stats()
        if stats.errors > errors_before:
            self.record_error(stats.last_error)
        au_out, expr_out = face_affects_to_msgs(affects, msg.header, self.expr_cfg.label_set,
                                                self.analysis.source)
        self.counters["faces"] += len(affects)
        self.au_pub.publish(au_out)
        self.expr_pub.publish(expr_out)

    def diagnostic_values(self) -> dict[str, object]:
        stats = self.analysis.stage_stats()
        return {"faces_skipped": stats.skipped, "analysis_errors": stats.errors,
                "tracks_with_state": len(self.analysis.tracks()),
                "tracks_ended": self.track_ends.ended}


def main(args: list[str] | None = None) -> int:
    return run_node(AuNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
