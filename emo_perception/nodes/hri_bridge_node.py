"""hri_bridge_node: our perception as REP-155 (ROS4HRI) topics, so HRI applications
written for ROS4HRI (pyhri/libhri listeners, hri_rviz, ...) work unchanged.

Publishes (absolute names; ``<id>`` are the ids of the ``tracked`` lists):

- ``/humans/faces/tracked``; ``/humans/faces/<id>/roi``, ``expression``, ``facs``, and
  ``cropped`` (from the de-identified video only, or none: ``hri.crops``)
- ``/humans/bodies/tracked``; ``/humans/bodies/<id>/roi``, ``skeleton2d``, ``cropped`` (as
  for faces)
- ``/humans/voices/tracked``; ``/humans/voices/<id>/is_speaking``, ``speech``, ``features``
- ``/humans/persons/tracked``; ``/humans/persons/<id>/face_id``, ``body_id``, ``voice_id``,
  ``anonymous`` (latched)
- extensions (``hri.extensions``): ``/humans/faces/<id>/emo_perception/expression``
  (the full distribution), ``/humans/bodies/<id>/emo_perception/micro_gestures``,
  ``/humans/persons/<id>/emo_perception/state`` and ``.../reasoning``

It reads only the node set's public topics (no raw frame ever), so what it publishes is as
identity-free as they are. The mapping itself is the ROS-free stage
:mod:`emo_perception.hri.bridge`.
"""

from __future__ import annotations

from typing import Any

from std_msgs.msg import Bool, String

from emo_perception.hri import bridge as hb
from emo_perception.nodes.common import (LATCHED_QOS, RESULT_QOS, SENSOR_QOS, EmoNode,
                                         StampCache, handles_input, run_node)
from emo_perception.nodes.conversions import bgr_to_image, image_to_bgr, msg_to_bodies
from emo_perception.nodes.hri_conversions import (expression_to_msg, facs_to_msg,
                                                  features_to_msg, ids_to_msg, roi_to_msg,
                                                  skeleton_to_msg, speech_to_live_speech)
from emo_perception.perception.types import ActionUnitEstimate, Box
from emo_perception_msgs import msg as m
from hri_msgs import msg as h

ROOT = "/humans"
EXT = "emo_perception"  # sub-namespace of our extensions under each id


class HriBridgeNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("hri_bridge_node", **node_options)
        self.cfg: hb.HriBridgeConfig = self.declare_stages()["hri_bridge"]
        self.bridge = hb.HriBridge(self.cfg)
        self.backend = "rep155"
        self._per_id: dict[str, dict[str, Any]] = {}  # "faces/<id>" -> topic -> publisher
        self._tracked = {kind: self.create_publisher(h.IdsList, f"{ROOT}/{kind}/tracked",
                                                     RESULT_QOS)
                         for kind in ("faces", "bodies", "voices", "persons")}
        # frame stamp -> {(kind, id): roi} of faces and of bodies, for crops
        self._rois = {"faces": StampCache(30), "bodies": StampCache(30)}
        self._images = StampCache(10)  # frame stamp -> de-identified image message
        self.counters.update(faces=0, bodies=0, crops=0)
        self.subscribe("faces", self._on_faces)
        self.subscribe("bodies", self._on_bodies)
        self.subscribe("tracks", self._on_tracks)
        self.subscribe("faces/action_units", self._on_action_units)
        self.subscribe("faces/expression", self._on_expressions)
        self.subscribe("voice/activity", self._on_voice_activity)
        self.subscribe("voice/speech", self._on_speech)
        self.subscribe("voice/prosody", self._on_prosody)
        if self.cfg.crops == "deid":
            self.subscribe("deid/image", self._on_deid_image)
        if self.cfg.extensions:
            self.subscribe("bodies/micro_gestures", self._on_gestures)
            self.subscribe("emotion/state", self._on_states)
            self.subscribe("emotion/reasoning", self._on_reasoning)

    # -- per-id publishers -----------------------------------------------------------------
    def _pub(self, kind: str, ident: str, topic: str, msg_type: type, qos: Any = RESULT_QOS):
        slot = self._per_id.setdefault(f"{kind}/{ident}", {})
        pub = slot.get(topic)
        if pub is None:
            pub = slot[topic] = self.create_publisher(
                msg_type, f"{ROOT}/{kind}/{ident}/{topic}", qos)
        return pub

    def _drop(self, kind: str, ident: str) -> None:
        for pub in self._per_id.pop(f"{kind}/{ident}", {}).values():
            self.destroy_publisher(pub)

    # -- faces -----------------------------------------------------------------------------
    @handles_input
    def _on_faces(self, msg: m.FaceArray) -> None:
        width, height = int(msg.image_width), int(msg.image_height)
        tracked, _new = self.bridge.faces_seen(f.track_id for f in msg.faces)
        rois = {}
        if width > 0 and height > 0:
            for face in msg.faces:
                if not face.track_id:
                    continue
                fid = hb.face_id(face.track_id)
                box = Box(face.box.x, face.box.y, face.box.width, face.box.height)
                rois[fid] = hb.Roi.from_box(box, width, height, face.score)
                self._pub("faces", fid, "roi", h.NormalizedRegionOfInterest2D).publish(
                    roi_to_msg(rois[fid], msg.header))
        self._tracked["faces"].publish(ids_to_msg(tracked, msg.header))
        self.counters["faces"] += len(rois)
        if self.cfg.crops == "deid":
            self._rois["faces"].put(msg.header, rois)
            self._crop(msg.header)

    @handles_input
    def _on_deid_image(self, msg: Any) -> None:
        self._images.put(msg.header, msg)
        self._crop(msg.header)

    def _crop(self, header: Any) -> None:
        """Crops of the de-identified frame with this stamp, once its faces or bodies are
        known (each frame's crops once)."""
        image = self._images.get(header)
        if image is None:
            return
        bgr = None
        for kind, live in (("faces", self.bridge.live.faces),
                           ("bodies", self.bridge.live.bodies)):
            rois = self._rois[kind].get(header)
            if not rois:
                continue
            self._rois[kind].put(header, {})
            if bgr is None:
                try:
                    bgr = image_to_bgr(image)
                except ValueError as exc:
                    self.record_error(f"de-identified image: {exc}")
                    return
            for ident, roi in rois.items():
                if ident not in live:
                    continue
                crop = hb.crop(bgr, roi, self.cfg.crop_size)
                if crop is not None:
                    self._pub(kind, ident, "cropped", type(image), SENSOR_QOS).publish(
                        bgr_to_image(crop, image.header))
                    self.counters["crops"] += 1

    @handles_input
    def _on_action_units(self, msg: m.ActionUnitsArray) -> None:
        for face in msg.faces:
            fid = hb.face_id(face.track_id)
            if face.track_id and fid in self.bridge.live.faces:
                units = [ActionUnitEstimate(u.code, u.probability, u.intensity)
                         for u in face.units]
                self._pub("faces", fid, "facs", h.FacialActionUnits).publish(
                    facs_to_msg(hb.facs(units), face.header))

    @handles_input
    def _on_expressions(self, msg: m.ExpressionArray) -> None:
        for expr in msg.expressions:
            fid = hb.face_id(expr.track_id)
            if not expr.track_id or fid not in self.bridge.live.faces:
                continue
            value = hb.expression(list(expr.labels), list(expr.probabilities), expr.valence,
                                  expr.arousal)
            self._pub("faces", fid, "expression", h.Expression).publish(
                expression_to_msg(value, expr.header))
            if self.cfg.extensions:
                self._pub("faces", fid, f"{EXT}/expression", m.Expression).publish(expr)

    # -- bodies ----------------------------------------------------------------------------
    @handles_input
    def _on_bodies(self, msg: m.BodyArray) -> None:
        width, height = int(msg.image_width), int(msg.image_height)
        bodies = [b for b in msg_to_bodies(msg, self.record_error) if b.track_id]
        tracked, _new = self.bridge.bodies_seen(b.track_id for b in bodies)
        rois = {}
        if width > 0 and height > 0:
            for body in bodies:
                bid = hb.body_id(body.track_id)
                rois[bid] = hb.Roi.from_box(body.box, width, height, body.score)
                self._pub("bodies", bid, "roi", h.NormalizedRegionOfInterest2D).publish(
                    roi_to_msg(rois[bid], msg.header))
                self._pub("bodies", bid, "skeleton2d", h.Skeleton2D).publish(
                    skeleton_to_msg(hb.skeleton18(body.keypoints, width, height), msg.header))
        self._tracked["bodies"].publish(ids_to_msg(tracked, msg.header))
        self.counters["bodies"] += len(bodies)
        if self.cfg.crops == "deid":
            self._rois["bodies"].put(msg.header, rois)
            self._crop(msg.header)

    @handles_input
    def _on_gestures(self, msg: m.MicroGestureArray) -> None:
        by_body: dict[str, list] = {}
        for g in msg.gestures:
            if g.track_id and hb.body_id(g.track_id) in self.bridge.live.bodies:
                by_body.setdefault(hb.body_id(g.track_id), []).append(g)
        for bid, gestures in by_body.items():
            self._pub("bodies", bid, f"{EXT}/micro_gestures", m.MicroGestureArray).publish(
                m.MicroGestureArray(header=msg.header, gestures=gestures))

    # -- persons ---------------------------------------------------------------------------
    @handles_input
    def _on_tracks(self, msg: m.PersonTrackArray) -> None:
        changed, persons, ended = self.bridge.tracks(
            (t.track_id, t.face_id, t.body_id, t.voice_id) for t in msg.tracks)
        for person in changed:
            new = f"persons/{person.person}" not in self._per_id
            for topic, value in (("face_id", person.face), ("body_id", person.body),
                                 ("voice_id", person.voice)):
                self._pub("persons", person.person, topic, String, LATCHED_QOS).publish(
                    String(data=value))
            if new:  # our persons are never identified: anonymous, for their lifetime
                self._pub("persons", person.person, "anonymous", Bool, LATCHED_QOS).publish(
                    Bool(data=True))
        for kind, ids in (("faces", ended.faces), ("bodies", ended.bodies),
                          ("persons", ended.persons)):
            for ident in ids:
                self._drop(kind, ident)
        self._tracked["persons"].publish(ids_to_msg([p.person for p in persons], msg.header))
        if ended.faces:
            self._tracked["faces"].publish(ids_to_msg(self.bridge.tracked_faces, msg.header))
        if ended.bodies:
            self._tracked["bodies"].publish(ids_to_msg(self.bridge.tracked_bodies,
                                                       msg.header))

    @handles_input
    def _on_states(self, msg: m.EmotionStateArray) -> None:
        for state in msg.states:
            pid = hb.person_id(state.track_id)
            if state.track_id and pid in self.bridge.live.persons:
                self._pub("persons", pid, f"{EXT}/state", m.EmotionState).publish(state)

    @handles_input
    def _on_reasoning(self, msg: m.EmotionReasoning) -> None:
        pid = hb.person_id(msg.track_id)
        if msg.track_id and pid in self.bridge.live.persons:
            self._pub("persons", pid, f"{EXT}/reasoning", m.EmotionReasoning).publish(msg)

    # -- voices ----------------------------------------------------------------------------
    @handles_input
    def _on_voice_activity(self, msg: m.VoiceActivity) -> None:
        vid, new = self.bridge.voice_seen(msg.voice_id, msg.is_speaking)
        self._pub("voices", vid, "is_speaking", Bool).publish(Bool(data=bool(msg.is_speaking)))
        if new:
            self._tracked["voices"].publish(ids_to_msg(self.bridge.tracked_voices,
                                                       msg.header))

    @handles_input
    def _on_speech(self, msg: m.Speech) -> None:
        vid, _new = self.bridge.voice_seen(msg.voice_id, True)
        self._pub("voices", vid, "speech", h.LiveSpeech).publish(
            speech_to_live_speech(msg.text, msg.confidence, msg.language, msg.header))

    @handles_input
    def _on_prosody(self, msg: m.Prosody) -> None:
        vid, _new = self.bridge.voice_seen(msg.voice_id, True)
        self._pub("voices", vid, "features", h.AudioFeatures).publish(
            features_to_msg(hb.voice_features(float(msg.f0_mean_hz), float(msg.energy_db))))

    def diagnostic_values(self) -> dict[str, object]:
        live = self.bridge.live
        return {"faces_live": len(live.faces), "bodies_live": len(live.bodies),
                "voices_live": len(live.voices), "persons_live": len(live.persons),
                "crops_from": self.cfg.crops}


def main(args: list[str] | None = None) -> int:
    return run_node(HriBridgeNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
