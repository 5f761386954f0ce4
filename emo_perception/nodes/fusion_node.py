"""fusion_node: per-person emotional state (short and long term) from expressions, action
units, micro-gestures and voice, plus evidence windows for reasoning_node.

The state is updated once per face frame (au_node publishes an ExpressionArray for every
frame, empty when nobody is seen), so ``emotion/state`` carries that frame's stamp.
Micro-gestures and voice arriving between frames are folded into the next update.
"""

from __future__ import annotations

import math
import time
from typing import Any

from emo_perception.evidence import EvidenceItem
from emo_perception.nodes.common import RESULT_QOS, EmoNode, StampCache, run_node
from emo_perception.nodes.conversions import (evidence_item_to_msg, expression_msg_to_affect,
                                              msg_to_action_units, msg_to_gesture, sec_to_stamp,
                                              stamp_to_sec)
from emo_perception.perception.fusion import AffectSummary, Fusion, FusionConfig
from emo_perception_msgs.msg import (ActionUnitsArray, AffectState, EmotionState,
                                     EmotionStateArray, EvidenceWindow, ExpressionArray,
                                     MicroGestureArray, Prosody, Speech)

# Same names as the offline voice evidence (emo_perception.voice.offline).
PROSODY_FIELDS = ("f0_mean_hz", "f0_range_st", "f0_slope_st_per_s", "energy_db",
                  "speaking_rate_sps", "voiced_ratio", "pause_ratio")
FUSION_HELP = {
    "short_window_s": "time constant of the short-term state [s]",
    "long_window_s": "time constant of the long-term state and evidence history [s]",
    "expiry_s": "drop a person after this long without evidence [s]",
    "face_weight": "weight of facial expression evidence",
    "gesture_weight": "weight of micro-gesture evidence",
    "voice_weight": "weight of voice (prosody) evidence",
}


class FusionNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("fusion_node", **node_options)
        self.evidence_period_s = float(self.param(
            "evidence_period_s", 5.0, "publish each person's evidence window this often [s]",
            (0.1, 3600.0)))
        self.evidence_window_s = float(self.param(
            "evidence_window_s", 30.0, "length of published evidence windows [s]",
            (1.0, 3600.0)))
        self.cfg: FusionConfig = self.declare_config("fusion", FusionConfig, FUSION_HELP)
        self.fusion = Fusion(self.cfg)
        self.backend = "rules"
        self._aus = StampCache(60)  # per frame: track id -> action units
        self._gestures: list = []
        self._voice: list[EvidenceItem] = []
        self._last_evidence: dict[str, float] = {}
        self._modalities: dict[str, set[str]] = {}
        self.create_subscription(ActionUnitsArray, "faces/action_units", self._on_aus,
                                 RESULT_QOS)
        self.create_subscription(ExpressionArray, "faces/expression", self._on_expression,
                                 RESULT_QOS)
        self.create_subscription(MicroGestureArray, "bodies/micro_gestures", self._on_gestures,
                                 RESULT_QOS)
        self.create_subscription(Prosody, "voice/prosody", self._on_prosody, RESULT_QOS)
        self.create_subscription(Speech, "voice/speech", self._on_speech, RESULT_QOS)
        self.state_pub = self.create_publisher(EmotionStateArray, "emotion/state", RESULT_QOS)
        self.evidence_pub = self.create_publisher(EvidenceWindow, "emotion/evidence", RESULT_QOS)

    # -- inputs --------------------------------------------------------------------------
    def _on_aus(self, msg: ActionUnitsArray) -> None:
        self._aus.put(msg.header, {f.track_id: msg_to_action_units(f) for f in msg.faces})

    def _on_gestures(self, msg: MicroGestureArray) -> None:
        self._gestures.extend(msg_to_gesture(g) for g in msg.gestures)

    def _on_prosody(self, msg: Prosody) -> None:
        if msg.kind != Prosody.KIND_SEGMENT:
            return  # sliding windows overlap; segments are the evidence units
        start, end = stamp_to_sec(msg.window_start), stamp_to_sec(msg.window_end)
        if end < start:
            self.record_error("prosody window ends before it starts; ignored")
            return
        items = [EvidenceItem("voice", "prosody", "arousal", float(msg.arousal), start, end)]
        for name in PROSODY_FIELDS:
            value = float(getattr(msg, name))
            if math.isfinite(value):
                items.append(EvidenceItem("voice", "prosody", name, value, start, end))
        if math.isfinite(items[0].value):
            self._voice.extend(items)
        else:
            self._voice.extend(items[1:])

    def _on_speech(self, msg: Speech) -> None:
        if msg.text.strip():
            start, end = stamp_to_sec(msg.start), stamp_to_sec(msg.end)
            self._voice.append(EvidenceItem("text", "speech", msg.text.strip(),
                                            float(msg.confidence), start, max(start, end)))

    def _on_expression(self, msg: ExpressionArray) -> None:
        t0 = time.perf_counter()
        self.counters["received"] += 1
        self.input_rate.tick()
        stamp = stamp_to_sec(msg.header.stamp)
        aus = self._aus.get(msg.header, {})
        affects = [expression_msg_to_affect(e, aus.get(e.track_id)) for e in msg.expressions]
        gestures, voice = self._gestures, self._voice
        self._gestures, self._voice = [], []
        for a in affects:
            self._modalities.setdefault(a.track_id, set()).add("face")
        for g in gestures:
            self._modalities.setdefault(g.track_id, set()).add("body")
        try:
            states = self.fusion.update(stamp, affects, gestures, voice)
        except (ValueError, KeyError) as exc:
            self.record_error(f"fusion: {exc}")
            return
        if voice:
            for s in states:
                self._modalities.setdefault(s.track_id, set()).add("voice")
        out = EmotionStateArray(header=msg.header)
        for state in states:
            out.states.append(EmotionState(
                header=msg.header, track_id=state.track_id,
                short_term=_affect_msg(state.short_term), long_term=_affect_msg(state.long_term),
                modalities=sorted(self._modalities.get(state.track_id, set()))))
        self.state_pub.publish(out)
        for tid in self.fusion.expired:
            self._last_evidence.pop(tid, None)
            self._modalities.pop(tid, None)
        self._publish_evidence(msg.header, stamp, [s.track_id for s in states])
        self.counters["processed"] += 1
        self.output_rate.tick()
        self.latency.add(time.perf_counter() - t0)

    def _publish_evidence(self, header, stamp: float, track_ids: list[str]) -> None:
        for tid in track_ids:
            if stamp - self._last_evidence.get(tid, -math.inf) < self.evidence_period_s:
                continue
            self._last_evidence[tid] = stamp
            window = self.fusion.evidence_window(tid, self.evidence_window_s)
            self.evidence_pub.publish(EvidenceWindow(
                header=header, track_id=tid, window_start=sec_to_stamp(window.start),
                duration_s=float(window.duration_s),
                items=[evidence_item_to_msg(i) for i in window.items()],
                transcript=window.transcript))

    def diagnostic_values(self) -> dict[str, object]:
        return {"people": len(self.fusion.tracks()),
                "unassigned_voice": getattr(self.fusion, "unassigned_voice", 0)}


def _affect_msg(summary: AffectSummary) -> AffectState:
    return AffectState(labels=list(summary.labels),
                       probabilities=[float(p) for p in summary.probabilities],
                       label=summary.label, valence=float(summary.valence),
                       arousal=float(summary.arousal), confidence=float(summary.confidence),
                       window_s=float(summary.window_s),
                       evidence=[evidence_item_to_msg(i) for i in summary.evidence])


def main(args: list[str] | None = None) -> int:
    return run_node(FusionNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
