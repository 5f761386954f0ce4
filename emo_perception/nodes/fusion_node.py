"""fusion_node: per-person emotional state (short and long term) from expressions, action
units, micro-gestures and voice, plus evidence windows for reasoning_node.

The state is updated once per face frame (au_node publishes an ExpressionArray for every
frame, empty when nobody is seen), so ``emotion/state`` carries that frame's stamp.
Micro-gestures and voice arriving between frames are folded into the next update.
"""

from __future__ import annotations

import collections
import math
import time
from typing import Any

from emo_perception.evidence import EvidenceItem
from emo_perception.nodes.common import EmoNode, StampCache, handles_input, run_node
from emo_perception.nodes.conversions import (ConversionError, evidence_window_to_msg,
                                              msg_to_action_units_by_track, msg_to_affects,
                                              msg_to_gestures, person_states_to_msg,
                                              prosody_msg_to_evidence, speech_msg_to_evidence,
                                              stamp_to_sec)
from emo_perception.perception.fusion import Fusion, FusionConfig
from emo_perception.perception.tracking import TrackEnds
from emo_perception.stages import build_stage
from emo_perception_msgs.msg import (ActionUnitsArray, ExpressionArray, MicroGestureArray, Prosody,
                                     Speech)


class FusionNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("fusion_node", **node_options)
        self.evidence_period_s = float(self.param(
            "evidence_period_s", 5.0, "publish each person's evidence window this often [s]",
            (0.1, 3600.0)))
        self.evidence_window_s = float(self.param(
            "evidence_window_s", 30.0, "length of published evidence windows [s]",
            (1.0, 3600.0)))
        self.track_end_wait_s = float(self.param(
            "track_end_wait_s", 5.0, "how long a track end waits for the face chain to reach "
            "its frame before the final evidence window goes out without it [s]",
            (0.0, 600.0)))
        self.tracks_wait_s = float(self.param(
            "tracks_wait_s", 1.0, "how long a frame's expressions wait for that frame's "
            "tracks (deid_node) before they are fused without them [s]", (0.0, 60.0)))
        self.cfg: FusionConfig = self.declare_stages()["fusion"]
        self.fusion: Fusion = build_stage("fusion", {"fusion": self.cfg})
        self.backend = "rules"
        self._aus = StampCache(60)  # per frame: track id -> action units
        self._gestures: list = []
        self._voice: list[EvidenceItem] = []
        self._last_evidence: dict[str, float] = {}
        self._modalities: dict[str, set[str]] = {}
        self.counters["au_join_missed"] = 0
        self.track_ends = TrackEnds()
        # Track ends wait here until the face chain (au_node, behind deid_node) has
        # published the frame they happened in: applied at once, a loaded au_node's last
        # expressions of the person would come after their final window, and be discarded.
        self._pending_ends: collections.deque = collections.deque()  # (stamp, t, ids, header)
        self._face_stamp = -math.inf  # newest frame of the face chain fused so far
        self.counters["track_ends_waited_out"] = 0
        # A frame's expressions (au_node) can overtake that frame's tracks (deid_node) on a
        # loaded machine; fused at once, a person whose track ended in that frame would
        # still be in its state. They wait here, in order, for the tracks of their frame.
        self._tracks_stamp = -math.inf  # newest frame whose tracks have arrived
        self._ahead: collections.deque = collections.deque()  # (arrival, ExpressionArray)
        self.counters["expressions_ahead_of_tracks"] = 0
        self.counters["tracks_waited_out"] = 0
        self.create_timer(0.5, self._ends_waited_out)
        self.subscribe("tracks", self._on_tracks)
        self.subscribe("faces/action_units", self._on_aus)
        self.subscribe("faces/expression", self._on_expression)
        self.subscribe("bodies/micro_gestures", self._on_gestures)
        self.subscribe("voice/prosody", self._on_prosody)
        self.subscribe("voice/speech", self._on_speech)
        self.state_pub = self.topic_publisher("emotion/state")
        self.evidence_pub = self.topic_publisher("emotion/evidence")

    # -- inputs --------------------------------------------------------------------------
    def _on_tracks(self, msg) -> None:
        """A person whose track ended gets a final evidence window (stamped with the frame
        the track ended in) and leaves fusion, as in ``process``: once the face chain has
        caught up with that frame, or after ``track_end_wait_s``."""
        gone = self.track_ends.update(t.track_id for t in msg.tracks)
        stamp = stamp_to_sec(msg.header.stamp)
        if gone:
            self._pending_ends.append((stamp, time.monotonic(), gone, msg.header))
            self._apply_ends(self._face_stamp)
        self._tracks_stamp = max(self._tracks_stamp, stamp)
        self._release_ahead()

    def _release_ahead(self, force: bool = False) -> None:
        """Fuse the waiting expressions whose frame's tracks have arrived (all of them when
        ``force``; those waiting longer than ``tracks_wait_s`` too: deid_node may be gone)."""
        now = time.monotonic()
        while self._ahead:
            arrived, msg = self._ahead[0]
            waited_out = now - arrived >= self.tracks_wait_s
            if not (force or waited_out or stamp_to_sec(msg.header.stamp) <= self._tracks_stamp):
                return
            self._ahead.popleft()
            if waited_out and not force:
                self.counters["tracks_waited_out"] += 1
            try:
                self._fuse(msg)
            except Exception as exc:  # noqa: BLE001 - as handles_input: count, carry on
                self.record_error(f"_fuse: {type(exc).__name__}: {exc}")

    def _apply_ends(self, up_to_stamp: float, force: bool = False) -> None:
        while self._pending_ends and (force or self._pending_ends[0][0] <= up_to_stamp):
            _stamp, _t, gone, header = self._pending_ends.popleft()
            for track_id in gone:
                window = self.fusion.end_track(track_id, self.evidence_window_s)
                self._drop(track_id)
                if window is not None:
                    self.evidence_pub.publish(evidence_window_to_msg(window, header))

    def _ends_waited_out(self) -> None:
        """The face chain is silent (au_node stopped, or not running): end anyway."""
        self._release_ahead()
        while self._pending_ends and \
                time.monotonic() - self._pending_ends[0][1] >= self.track_end_wait_s:
            self.counters["track_ends_waited_out"] += 1
            self._apply_ends(self._pending_ends[0][0])

    def stop_work(self) -> None:
        """Tracks that ended before the stop still get their final window."""
        self._release_ahead(force=True)
        self._apply_ends(math.inf, force=True)

    def _drop(self, track_id: str) -> None:
        self._last_evidence.pop(track_id, None)
        self._modalities.pop(track_id, None)

    def _on_aus(self, msg: ActionUnitsArray) -> None:
        try:
            self._aus.put(msg.header, msg_to_action_units_by_track(msg))
        except ConversionError as exc:
            self.record_error(f"action units: {exc}")

    def _on_gestures(self, msg: MicroGestureArray) -> None:
        try:
            self._gestures.extend(msg_to_gestures(msg))
        except ConversionError as exc:
            self.record_error(f"micro-gestures: {exc}")

    def _on_prosody(self, msg: Prosody) -> None:
        if msg.kind != Prosody.KIND_SEGMENT:
            return  # sliding windows overlap; segments are the evidence units
        try:  # the same evidence items offline `process` builds from a segment
            self._voice.extend(prosody_msg_to_evidence(msg))
        except ConversionError as exc:
            self.record_error(f"prosody: {exc}; ignored")

    def _on_speech(self, msg: Speech) -> None:
        try:
            self._voice.extend(speech_msg_to_evidence(msg))
        except ConversionError as exc:
            self.record_error(f"speech: {exc}; ignored")

    @handles_input
    def _on_expression(self, msg: ExpressionArray) -> bool | None:
        # Once tracks flow, a frame waits for its own tracks (and behind earlier waiters).
        if self._ahead or -math.inf < self._tracks_stamp < stamp_to_sec(msg.header.stamp):
            self._ahead.append((time.monotonic(), msg))
            self.counters["expressions_ahead_of_tracks"] += 1
            return None
        return self._fuse(msg)

    def _fuse(self, msg: ExpressionArray) -> bool | None:
        stamp = stamp_to_sec(msg.header.stamp)
        aus = self._aus.get(msg.header)
        if aus is None and msg.expressions:
            self.counters["au_join_missed"] += 1  # expressions without their frame's AUs
            aus = {}
        affects = msg_to_affects(msg, aus, self.record_error)
        # Tracks that ended by this frame leave first: this frame no longer shows them.
        self._face_stamp = max(self._face_stamp, stamp)
        self._apply_ends(self._face_stamp)
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
            return False
        if voice:
            for s in states:
                self._modalities.setdefault(s.track_id, set()).add("voice")
        self.state_pub.publish(person_states_to_msg(states, msg.header, self._modalities))
        for tid in self.fusion.expired:
            self._drop(tid)
        self._publish_evidence(msg.header, stamp, [s.track_id for s in states])

    def _publish_evidence(self, header, stamp: float, track_ids: list[str]) -> None:
        for tid in track_ids:
            if stamp - self._last_evidence.get(tid, -math.inf) < self.evidence_period_s:
                continue
            self._last_evidence[tid] = stamp
            window = self.fusion.evidence_window(tid, self.evidence_window_s)
            self.evidence_pub.publish(evidence_window_to_msg(window, header))

    def diagnostic_values(self) -> dict[str, object]:
        return {"people": len(self.fusion.tracks()), "tracks_ended": self.track_ends.ended,
                "track_ends_waiting": len(self._pending_ends),
                "late_for_ended_tracks": self.fusion.late_for_ended,
                "unassigned_voice": self.fusion.unassigned_voice,
                "fusion_rejected": self.fusion.rejected}


def main(args: list[str] | None = None) -> int:
    return run_node(FusionNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
