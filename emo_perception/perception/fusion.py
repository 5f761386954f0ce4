"""Per-person fusion of face, body and voice evidence into short- and long-term states.

Every observation becomes a weighted contribution to a label distribution, a valence
and an arousal. Two exponentially decaying accumulators per person (time constants
``short_window_s`` and ``long_window_s``) turn the contributions into a short-term
state (the last seconds) and a long-term state (the last minutes). Face expressions
weigh by their confidence, micro-gestures by their score through the knowledge table
``GESTURE_KNOWLEDGE``, and voice items (``kind="prosody"``, ``name="arousal"`` or
``"valence"``; ``kind="expression"`` with a label name) by ``voice_weight``. Each state
lists the evidence that drove it: merged spans of the real inputs, ranked by their
decayed weight. Documented in docs/micro_gestures.md ("Fusion").
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass, field

import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.evidence import EvidenceItem, EvidenceWindow, MicroGestureSpan
from emo_perception.labels import expression_labels
from emo_perception.perception.types import FaceAffect, MicroGestureEvent, StageStats

SELF_TOUCH = (-0.3, 0.3, {"fear": 0.3})  # self-adaptors: stress / anxiety
# iMiGUE id -> (valence, arousal, label masses). Our reading of the body-language
# literature: self-adaptors (self-touch, hand rubbing) accompany stress and anxiety;
# closed postures (folded arms) read as defensive; akimbo as dominance or impatience;
# steepling (minaret) as confidence; illustrators as engagement; hunched shoulders
# (turtle neck) as insecurity; restless torso movement as agitation.
GESTURE_KNOWLEDGE: dict[int, tuple[float, float, dict[str, float]]] = {
    0: (-0.4, 0.3, {"fear": 0.4}),
    3: SELF_TOUCH, 4: SELF_TOUCH, 7: SELF_TOUCH, 8: SELF_TOUCH, 10: SELF_TOUCH,
    11: SELF_TOUCH, 12: SELF_TOUCH, 14: (-0.4, 0.4, {"fear": 0.4}), 34: SELF_TOUCH,
    5: (-0.5, 0.2, {"sadness": 0.4, "fear": 0.2}),
    6: (-0.3, -0.2, {"sadness": 0.3}),
    16: (-0.3, 0.0, {"anger": 0.2, "contempt": 0.1}),
    18: (0.0, -0.1, {"neutral": 0.3}),
    19: (-0.1, 0.4, {"fear": 0.2}),
    22: (-0.2, 0.3, {"fear": 0.3}),
    23: (-0.2, 0.3, {"fear": 0.3}),
    24: (0.3, 0.1, {"neutral": 0.3, "happiness": 0.1}),
    27: (0.2, 0.2, {"happiness": 0.1, "contempt": 0.1}),
    29: (-0.2, 0.4, {"anger": 0.3}),
    30: (0.0, 0.5, {}),
    31: (0.1, 0.4, {}),
}


@dataclass
class AffectSummary:
    """A person's fused affect over a window."""

    labels: tuple[str, ...]
    probabilities: np.ndarray
    label: str
    valence: float  # -1..1
    arousal: float  # -1..1
    confidence: float  # 0..1
    window_s: float
    evidence: list[EvidenceItem]  # top contributors, merged spans of real inputs


@dataclass
class PersonState:
    track_id: str
    stamp: float
    short_term: AffectSummary
    long_term: AffectSummary


@dataclass
class FusionConfig:
    """Settings of :class:`Fusion`."""

    label_set: str = setting("basic7", "expression label set: basic7 or basic8",
                             choices=("basic7", "basic8"))
    short_window_s: float = setting(3.0, "time constant of the short-term state [s]",
                                    range=(0.01, 86400.0))
    long_window_s: float = setting(120.0,
                                   "time constant of the long-term state and evidence history [s]",
                                   range=(0.01, 86400.0))
    expiry_s: float = setting(5.0, "drop a person after this long without evidence [s]",
                              range=(0.01, 86400.0))
    face_weight: float = setting(1.0, "weight of facial expression evidence", range=(0.0, 100.0))
    gesture_weight: float = setting(0.5, "weight of micro-gesture evidence", range=(0.0, 100.0))
    voice_weight: float = setting(0.5, "weight of voice (prosody) evidence", range=(0.0, 100.0))
    top_evidence: int = setting(5, "evidence items listed per summary", range=(1, 1000))
    merge_gap_s: float = setting(1.0, "observations of one cue closer than this form one span",
                                 range=(0.01, 3600.0))
    max_history: int = setting(20000, "per-person frame records kept for evidence windows",
                               range=(1, 10000000))

    def __post_init__(self) -> None:
        expression_labels(self.label_set)  # raises for unknown names
        if not 0 < self.short_window_s < self.long_window_s:
            raise ValueError("FusionConfig needs 0 < short_window_s < long_window_s, got "
                             f"{self.short_window_s}, {self.long_window_s}")
        check_settings(self)


class _Accumulator:
    """Exponentially decaying weighted sums of label mass, valence and arousal."""

    def __init__(self, n_labels: int, tau: float) -> None:
        self.tau = tau
        self.mass = np.zeros(n_labels)
        self.v = self.vw = self.a = self.aw = 0.0
        self.t = -math.inf

    def decay_to(self, t: float) -> None:
        if self.t > -math.inf and t > self.t:
            k = math.exp(-(t - self.t) / self.tau)
            self.mass *= k
            self.v, self.vw, self.a, self.aw = self.v * k, self.vw * k, self.a * k, self.aw * k
        self.t = max(self.t, t)


@dataclass
class _Span:
    item: EvidenceItem
    total: float  # sum of values
    count: int
    weight: float  # contribution weight, decayed to ``stamp``
    stamp: float


@dataclass
class _Person:
    short: _Accumulator
    long: _Accumulator
    last_seen: float
    spans: dict = field(default_factory=dict)  # (kind, name) -> list[_Span]
    frames: deque = field(default_factory=deque)  # (stamp, {AU: p}, probs, source)
    prosody: deque = field(default_factory=deque)  # EvidenceItem
    speech: deque = field(default_factory=deque)  # EvidenceItem


class Fusion:
    """Fuses per-person evidence over time; see the module docstring."""

    def __init__(self, cfg: FusionConfig | None = None) -> None:
        self.cfg = cfg or FusionConfig()
        self.labels = expression_labels(self.cfg.label_set)
        self._people: dict[str, _Person] = {}
        self.expired: list[str] = []  # tracks dropped by the last update
        self.unassigned_voice = 0  # voice items that arrived while nobody was tracked
        self.rejected = 0  # inputs with wrong labels or stale stamps (counted)
        # Tracks the tracker ended (bounded; ids are never reused): a slower node's result
        # for one of their earlier frames must not bring the person back.
        self._ended: OrderedDict[str, None] = OrderedDict()
        self.late_for_ended = 0  # face / gesture inputs for an ended track, ignored

    def tracks(self) -> list[str]:
        return list(self._people)

    def update(self, stamp: float, affects: list[FaceAffect],
               gestures: list[MicroGestureEvent],
               voice: list[EvidenceItem]) -> list[PersonState]:
        """Add this instant's evidence; returns the state of every live person."""
        for fa in affects:
            self._add_face(fa)
        for ev in gestures:
            self._add_gesture(ev)
        if voice:
            live = [p for p in self._people.values() if stamp - p.last_seen <= self.cfg.expiry_s]
            if not live:
                self.unassigned_voice += len(voice)
            for item in voice:
                for person in live:
                    self._add_voice(person, item, 1.0 / len(live))
            for person in live:
                self._trim(person, stamp)
        self.expired = [tid for tid, p in self._people.items()
                        if stamp - p.last_seen > self.cfg.expiry_s]
        for tid in self.expired:
            del self._people[tid]
        return [self._state(tid, p, stamp) for tid, p in self._people.items()]

    def forget(self, track_id: str) -> None:
        """The tracker ended ``track_id``: the person leaves fusion (``end_track`` also
        returns their final evidence window)."""
        self._people.pop(track_id, None)
        self._ended[track_id] = None
        while len(self._ended) > 1024:
            self._ended.popitem(last=False)

    def end_track(self, track_id: str, duration_s: float | None = None
                  ) -> EvidenceWindow | None:
        """The final evidence window of a person whose track ended (None if fusion had no
        evidence of them), then :meth:`forget`."""
        window = self.evidence_window(track_id, duration_s) \
            if track_id in self._people else None
        self.forget(track_id)
        return window

    def stage_stats(self) -> StageStats:
        """Rejected inputs (wrong labels, stale stamps); voice items with nobody to go to
        and inputs for ended tracks count as skipped."""
        return StageStats(skipped=self.unassigned_voice + self.late_for_ended,
                          rejected=self.rejected)

    # -- contributions -------------------------------------------------------------
    def _person(self, track_id: str, stamp: float) -> _Person:
        p = self._people.get(track_id)
        if p is None:
            n = len(self.labels)
            p = _Person(_Accumulator(n, self.cfg.short_window_s),
                        _Accumulator(n, self.cfg.long_window_s), stamp)
            self._people[track_id] = p
        p.last_seen = max(p.last_seen, stamp)
        return p

    def _contribute(self, person: _Person, t: float, w: float, mass: np.ndarray | None,
                    valence: float | None, arousal: float | None) -> None:
        for acc in (person.short, person.long):
            acc.decay_to(t)
            if mass is not None:
                acc.mass += w * mass
            if valence is not None:
                acc.v += w * valence
                acc.vw += w
            if arousal is not None:
                acc.a += w * arousal
                acc.aw += w

    def _add_face(self, fa: FaceAffect) -> None:
        if tuple(fa.labels) != self.labels:
            self.rejected += 1
            return
        if fa.track_id in self._ended:
            self.late_for_ended += 1
            return
        person = self._person(fa.track_id, fa.stamp)
        w = self.cfg.face_weight * fa.confidence
        self._contribute(person, fa.stamp, w, np.asarray(fa.probabilities, float), fa.valence,
                         fa.arousal)
        top = fa.label
        self._note(person, EvidenceItem("face", "expression", top,
                                        float(np.max(fa.probabilities)), fa.stamp, fa.stamp), w)
        aus = {a.code: a.probability for a in fa.action_units}
        for code, prob in aus.items():
            if prob >= 0.5:
                self._note(person, EvidenceItem("face", "action_unit", f"AU{code}", prob,
                                                fa.stamp, fa.stamp, code), w * prob)
        person.frames.append((fa.stamp, aus, np.asarray(fa.probabilities, float), fa.source))
        self._trim(person, fa.stamp)

    def _add_gesture(self, ev: MicroGestureEvent) -> None:
        if ev.track_id in self._ended:
            self.late_for_ended += 1
            return
        person = self._person(ev.track_id, ev.end)
        valence, arousal, masses = GESTURE_KNOWLEDGE.get(ev.class_id, (0.0, 0.0, {}))
        mass = np.array([masses.get(lb, 0.0) for lb in self.labels])
        w = self.cfg.gesture_weight * ev.score
        self._contribute(person, ev.end, w, mass if mass.any() else None, valence, arousal)
        self._note(person, EvidenceItem("body", "micro_gesture", ev.name, ev.score, ev.start,
                                        ev.end, ev.class_id), w)
        self._trim(person, ev.end)

    def _add_voice(self, person: _Person, item: EvidenceItem, share: float) -> None:
        w = self.cfg.voice_weight * share
        if item.kind == "prosody":
            person.prosody.append(item)
            if item.name in ("arousal", "valence"):
                value = float(np.clip(item.value, -1.0, 1.0))
                self._contribute(person, item.end, w, None,
                                 value if item.name == "valence" else None,
                                 value if item.name == "arousal" else None)
                self._note(person, item, w * abs(value))
        elif item.kind == "speech":
            person.speech.append(item)
            self._note(person, item, 0.0)
        elif item.kind == "expression" and item.name in self.labels:
            mass = np.zeros(len(self.labels))
            mass[self.labels.index(item.name)] = float(np.clip(item.value, 0.0, 1.0))
            self._contribute(person, item.end, w, mass, None, None)
            self._note(person, item, w * item.value)
        else:
            self.rejected += 1

    def _note(self, person: _Person, item: EvidenceItem, weight: float) -> None:
        """Merge an observation into its cue's latest span (or open a new span)."""
        spans = person.spans.setdefault((item.kind, item.name), [])
        tau = self.cfg.short_window_s
        if spans and item.start - spans[-1].item.end <= self.cfg.merge_gap_s:
            s = spans[-1]
            k = math.exp(-max(0.0, item.end - s.stamp) / tau)
            s.total, s.count = s.total + item.value, s.count + 1
            s.weight, s.stamp = s.weight * k + weight, max(s.stamp, item.end)
            old = s.item
            s.item = EvidenceItem(old.modality, old.kind, old.name, s.total / s.count,
                                  min(old.start, item.start), max(old.end, item.end),
                                  old.ref_id)
        else:
            spans.append(_Span(item, item.value, 1, weight, item.end))

    def _trim(self, person: _Person, stamp: float) -> None:
        horizon = stamp - self.cfg.long_window_s
        while person.frames and (person.frames[0][0] < horizon
                                 or len(person.frames) > self.cfg.max_history):
            person.frames.popleft()
        for q in (person.prosody, person.speech):
            while q and q[0].end < horizon:
                q.popleft()
        for key in list(person.spans):
            kept = [s for s in person.spans[key] if s.item.end >= horizon]
            if kept:
                person.spans[key] = kept
            else:
                del person.spans[key]

    # -- outputs ---------------------------------------------------------------------
    def _summary(self, person: _Person, acc: _Accumulator, stamp: float) -> AffectSummary:
        acc.decay_to(stamp)
        total = float(acc.mass.sum())
        if total > 0:
            probs = acc.mass / total
        else:
            probs = np.zeros(len(self.labels))
            probs[self.labels.index("neutral")] = 1.0
        valence = acc.v / acc.vw if acc.vw > 0 else 0.0
        arousal = acc.a / acc.aw if acc.aw > 0 else 0.0
        support = max(acc.vw, total)
        confidence = float(np.max(probs)) * support / (support + 1.0) if total > 0 else 0.0
        ranked = []
        for spans in person.spans.values():
            for s in spans:
                if s.item.end < stamp - 3.0 * acc.tau:
                    continue
                w = s.weight * math.exp(-max(0.0, stamp - s.stamp) / acc.tau)
                ranked.append((w, s.item))
        ranked.sort(key=lambda x: -x[0])
        evidence = [item for w, item in ranked[:self.cfg.top_evidence] if w > 0]
        return AffectSummary(self.labels, probs, self.labels[int(np.argmax(probs))],
                             float(np.clip(valence, -1, 1)), float(np.clip(arousal, -1, 1)),
                             float(np.clip(confidence, 0, 1)), acc.tau, evidence)

    def _state(self, tid: str, person: _Person, stamp: float) -> PersonState:
        return PersonState(tid, stamp, self._summary(person, person.short, stamp),
                           self._summary(person, person.long, stamp))

    def state(self, track_id: str, stamp: float) -> PersonState:
        """The current state of one person; KeyError naming the track if unknown."""
        if track_id not in self._people:
            raise KeyError(f"fusion has no person {track_id!r}; live: {self.tracks()}")
        return self._state(track_id, self._people[track_id], stamp)

    def evidence_window(self, track_id: str, duration_s: float | None = None) -> EvidenceWindow:
        """A person's evidence over the last ``duration_s`` (default: the long window)."""
        if track_id not in self._people:
            raise KeyError(f"fusion has no person {track_id!r}; live: {self.tracks()}")
        person = self._people[track_id]
        duration = self.cfg.long_window_s if duration_s is None else float(duration_s)
        if not duration > 0:
            raise ValueError(f"evidence window duration must be > 0, got {duration_s}")
        end = person.last_seen
        start = end - duration
        frames = [f for f in person.frames if f[0] >= start]
        au_values: dict[int, list[float]] = {}
        for _, aus, _, _ in frames:
            for code, prob in aus.items():
                au_values.setdefault(code, []).append(prob)
        expression = {}
        sources: dict[str, int] = {}
        if frames:
            mean = np.mean([f[2] for f in frames], axis=0)
            expression = {lb: float(p) for lb, p in zip(self.labels, mean)}
            for f in frames:
                sources[f[3]] = sources.get(f[3], 0) + 1
        gestures = [MicroGestureSpan(s.item.name, s.item.ref_id, s.item.start, s.item.end,
                                     s.item.value)
                    for (kind, _), spans in person.spans.items() if kind == "micro_gesture"
                    for s in spans if s.item.end >= start]
        prosody: dict[str, list[float]] = {}
        for item in person.prosody:
            if item.end >= start:
                prosody.setdefault(item.name, []).append(item.value)
        speech = sorted((i for i in person.speech if i.end >= start), key=lambda i: i.start)
        first = min([f[0] for f in frames] + [g.start for g in gestures], default=end)
        first = max(first, start)
        return EvidenceWindow(
            action_units={f"AU{c}": float(np.mean(v)) for c, v in sorted(au_values.items())},
            expression=expression,
            micro_gestures=sorted(gestures, key=lambda g: g.start),
            prosody={k: float(np.mean(v)) for k, v in prosody.items()},
            transcript=" ".join(i.name for i in speech),
            duration_s=float(end - first), track_id=track_id, start=float(first),
            expression_source="+".join(sorted(sources, key=lambda k: (-sources[k], k))))
