"""Geometric micro-gesture detectors over pose and hand landmarks (iMiGUE ids).

Each update scores every decidable class for the current frame (0..1, from distances
in body units: the shoulder width, or 0.8 x the shoulder-to-hip length when that is
larger, so that people seen from the side keep a sensible scale) and for the recent
sliding window (motion classes). A per-track, per-class hysteresis turns frame scores
into events: a class starts once its score stays at or above ``on_threshold`` for its
minimum duration and ends once it stays below ``off_threshold`` for ``gap_s``. While a
gesture holds it is reported on every update (same start, growing end) and once more
when it ends. Rules are documented in docs/micro_gestures.md; classes geometry cannot
decide are never emitted.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.labels import imigue_name
from emo_perception.perception import gesture_rules as rules
from emo_perception.perception.types import Body, Face, MicroGestureEvent, StageStats

# Classes this module can emit (the EALD id 34 replaces 7 for the nose when configured).
GEOMETRIC_CLASSES: tuple[int, ...] = (0, 3, 4, 5, 6, 7, 8, 10, 11, 12, 14, 16, 18, 19, 22, 23,
                                      24, 27, 29, 30, 31, 34)
POSTURE_CLASSES = frozenset({0, 16, 18, 27, 29})


@dataclass
class MicroGestureConfig:
    """Settings of :class:`MicroGestureDetector` (lengths in body units, times in s)."""

    window_s: float = setting(2.0,
                              "motion window for illustrative gestures and shaking shoulders [s]",
                              range=(0.1, 60.0))
    torso_window_s: float = setting(3.0, "window for torso sway", range=(0.1, 60.0))
    baseline_s: float = setting(30.0, "history kept for a person's own neck/head-pitch baseline",
                                range=(0.1, 3600.0))
    baseline_min_s: float = setting(3.0, "history needed before turtle neck / head up can fire",
                                    range=(0.0, 3600.0))
    min_duration_s: float = setting(0.4, "shortest touch or hand gesture reported [s]",
                                    range=(0.0, 60.0))
    posture_min_duration_s: float = setting(1.0,
                                            "shortest posture (folding arms, akimbo, ...) "
                                            "reported [s]",
                                            range=(0.0, 60.0))
    gap_s: float = setting(0.3, "drop-outs shorter than this do not end a gesture",
                           range=(0.0, 60.0))
    on_threshold: float = setting(0.6, "score at which a gesture starts", range=(0.01, 1.0))
    off_threshold: float = setting(0.4, "score below which it ends", range=(0.01, 1.0))
    min_visibility: float = setting(0.5, "pose points below this are treated as unseen",
                                    range=(0.0, 1.0))
    motion_min_body_px: float = setting(60.0, "smaller bodies: landmark jitter rivals the motion",
                                        range=(0.0, 10000.0))
    touch_radius_scale: float = setting(1.0, "multiplies every face-region radius",
                                        range=(0.1, 10.0))
    nose_as_eald: bool = setting(True, "nose touches as EALD 34 'Touching nose' (else iMiGUE 7)")
    use_hands: bool = setting(True, "use hand keypoints when present")
    classes: list[int] = setting(list(GEOMETRIC_CLASSES),
                                 "iMiGUE ids to detect (only geometrically decidable ones)",
                                 choices=GEOMETRIC_CLASSES)

    def __post_init__(self) -> None:
        check_settings(self)
        if self.baseline_min_s > self.baseline_s:
            raise ValueError("MicroGestureConfig.baseline_min_s must not exceed baseline_s")
        if not 0 < self.off_threshold <= self.on_threshold <= 1:
            raise ValueError("MicroGestureConfig needs 0 < off_threshold <= on_threshold <= 1, "
                             f"got {self.off_threshold}, {self.on_threshold}")


@dataclass
class _Active:
    start: float
    last_on: float
    scores: list[float]
    confirmed: bool = False


@dataclass
class _Track:
    history: deque = field(default_factory=deque)  # rules.MotionSample within windows
    baseline: deque = field(default_factory=deque)  # (stamp, neck, nose_gap)
    active: dict[int, _Active] = field(default_factory=dict)
    last_stamp: float = -math.inf


class MicroGestureDetector:
    """Per-track geometric micro-gesture events from a stream of bodies."""

    def __init__(self, cfg: MicroGestureConfig | None = None) -> None:
        self.cfg = cfg or MicroGestureConfig()
        self._tracks: dict[str, _Track] = {}
        self.skipped = 0  # frames without a usable skeleton (counted, not raised)
        self.motion_gated = 0  # frames whose body was too small for the motion classes
        self.last_error = ""

    def forget(self, track_id: str) -> None:
        """Drop a track's windows, baselines and open gestures."""
        self._tracks.pop(track_id, None)

    def stage_stats(self) -> StageStats:
        """Skipped bodies (no usable skeleton, stamps going backwards) and the last reason."""
        return StageStats(skipped=self.skipped, last_error=self.last_error)

    def tracks(self) -> list[str]:
        return list(self._tracks)

    def update(self, body: Body, stamp: float,
               faces: list[Face] | None = None) -> list[MicroGestureEvent]:
        """Feed one body at ``stamp``; returns the gestures holding now or just ended."""
        cfg = self.cfg
        track = self._tracks.setdefault(body.track_id, _Track())
        if stamp < track.last_stamp:
            self.skipped += 1
            self.last_error = f"track {body.track_id!r}: stamp {stamp} went backwards"
            return []
        track.last_stamp = stamp
        try:
            pose = rules.Pose.from_body(body, cfg.min_visibility, cfg.use_hands,
                                        _face_for(body, faces or []))
        except ValueError as exc:
            self.skipped += 1
            self.last_error = str(exc)
            return self._advance(track, body.track_id, stamp, {})
        horizon = max(cfg.window_s, cfg.torso_window_s)
        track.history.append(rules.MotionSample.of(stamp, pose))
        while track.history and track.history[0].stamp < stamp - horizon:
            track.history.popleft()
        scores = rules.frame_scores(pose, cfg.touch_radius_scale, cfg.nose_as_eald)
        recent = [m for m in track.history if m.stamp >= stamp - cfg.window_s]
        torso = [m for m in track.history if m.stamp >= stamp - cfg.torso_window_s]
        if pose.u >= cfg.motion_min_body_px:
            scores.update(rules.motion_scores(recent, torso,
                                              touching=bool(rules.TOUCH_IDS & set(scores))))
        else:
            self.motion_gated += 1
        scores.update(self._baseline_scores(track, stamp, pose))
        return self._advance(track, body.track_id, stamp, scores)

    def _baseline_scores(self, track: _Track, stamp: float,
                         pose: rules.Pose) -> dict[int, float]:
        cfg = self.cfg
        neck, gap = track.history[-1].neck, pose.nose_gap()
        neck = None if math.isnan(neck) else neck
        out: dict[int, float] = {}
        hist = track.baseline
        if hist and hist[-1][0] - hist[0][0] >= cfg.baseline_min_s:
            base_neck = _median([n for _, n, _ in hist if n is not None])
            base_gap = _median([g for _, _, g in hist if g is not None])
            if neck is not None and base_neck:
                out[0] = rules.ramp(1.0 - neck / base_neck, 0.12, 0.3)
            if gap is not None and base_gap:
                out[27] = rules.ramp(1.0 - gap / base_gap, 0.35, 0.7)
        hist.append((stamp, neck, gap))
        while hist and hist[0][0] < stamp - cfg.baseline_s:
            hist.popleft()
        return out

    def _advance(self, track: _Track, track_id: str, stamp: float,
                 scores: dict[int, float]) -> list[MicroGestureEvent]:
        cfg = self.cfg
        events = []
        for cid in set(scores) | set(track.active):
            if cid not in cfg.classes:
                continue
            s = scores.get(cid, 0.0)
            act = track.active.get(cid)
            if act is None:
                if s >= cfg.on_threshold:
                    track.active[cid] = _Active(stamp, stamp, [s])
                continue
            need = cfg.posture_min_duration_s if cid in POSTURE_CLASSES else cfg.min_duration_s
            if s >= cfg.off_threshold:
                act.last_on = stamp
                act.scores.append(s)
                if act.last_on - act.start >= need:
                    act.confirmed = True
                if act.confirmed:
                    events.append(self._event(track_id, cid, act, stamp))
            elif stamp - act.last_on > cfg.gap_s:
                if act.confirmed:
                    events.append(self._event(track_id, cid, act, act.last_on))
                del track.active[cid]
        return sorted(events, key=lambda e: e.class_id)

    @staticmethod
    def _event(track_id: str, cid: int, act: _Active, end: float) -> MicroGestureEvent:
        return MicroGestureEvent(track_id, cid, imigue_name(cid),
                                 float(np.clip(np.mean(act.scores), 0.0, 1.0)), act.start, end)


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else 0.0


def _face_for(body: Body, faces: list[Face]) -> Face | None:
    """The face mesh belonging to this body: same track id, else none."""
    for face in faces:
        if face.mesh is not None and body.track_id and face.track_id == body.track_id:
            return face
    return None
