"""Identity-free evidence: what perception hands to fusion and reasoning.

An :class:`EvidenceItem` is one observation (an AU, an expression, a micro-gesture,
a prosody feature, a transcript snippet) with the modality it came from and the time
span it covers. An :class:`EvidenceWindow` gathers a person's items over seconds to
minutes. Its JSON form is the one documented in the README ("Evidence windows"): the
reasoning stage consumes it, QA items embed it, and ``process`` writes it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

MODALITIES = ("face", "body", "voice", "text")
KINDS = ("action_unit", "expression", "micro_gesture", "prosody", "speech", "voice_activity")


@dataclass(frozen=True)
class EvidenceItem:
    """One observation. ``start``/``end`` are seconds on the source clock."""

    modality: str  # one of MODALITIES
    kind: str  # one of KINDS
    name: str  # e.g. "AU12", "happiness", "Folding arms", "f0_mean_hz", transcript text
    value: float  # probability, score or feature value
    start: float
    end: float
    ref_id: int = -1  # dataset id where one exists (iMiGUE id, FACS code)

    def __post_init__(self) -> None:
        if self.modality not in MODALITIES:
            raise ValueError(f"modality {self.modality!r} not in {MODALITIES}")
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} not in {KINDS}")
        if not math.isfinite(self.value):
            raise ValueError(f"evidence value for {self.name!r} is not finite")
        if self.end < self.start:
            raise ValueError(f"evidence {self.name!r} ends before it starts")


# Prosody features that reach fusion as voice evidence, offline and live (the Prosody
# message fields of the same names, plus the arousal estimate).
PROSODY_EVIDENCE = ("f0_mean_hz", "f0_range_st", "f0_slope_st_per_s", "energy_db",
                    "speaking_rate_sps", "voiced_ratio", "pause_ratio", "arousal")


def prosody_evidence(features: dict[str, float], start: float,
                     end: float) -> list[EvidenceItem]:
    """Voice evidence of one speech segment: one item per finite feature in
    :data:`PROSODY_EVIDENCE` (a feature that could not be measured is left out)."""
    if end < start:
        raise ValueError(f"prosody segment ends ({end}) before it starts ({start})")
    return [EvidenceItem("voice", "prosody", name, float(features[name]), start, end)
            for name in PROSODY_EVIDENCE
            if name in features and math.isfinite(float(features[name]))]


def speech_evidence(text: str, confidence: float, start: float,
                    end: float) -> EvidenceItem | None:
    """Text evidence of one transcript (None for an empty one)."""
    text = text.strip()
    if not text:
        return None
    conf = float(confidence)
    if math.isfinite(conf):  # NaN is left for EvidenceItem to refuse
        conf = min(1.0, max(0.0, conf))
    return EvidenceItem("text", "speech", text, conf, start, max(start, end))


@dataclass
class MicroGestureSpan:
    name: str
    id: int
    start: float
    end: float
    score: float


@dataclass
class EvidenceWindow:
    """A person's evidence over a window, in the documented JSON form."""

    action_units: dict[str, float] = field(default_factory=dict)  # "AU12" -> probability
    expression: dict[str, float] = field(default_factory=dict)  # label -> probability
    micro_gestures: list[MicroGestureSpan] = field(default_factory=list)
    prosody: dict[str, float] = field(default_factory=dict)
    transcript: str = ""
    duration_s: float = 0.0
    track_id: str = ""
    start: float = 0.0
    # where ``expression`` came from: the estimator source of its frames (FaceAffect.source,
    # e.g. "geometric", "learned", "ensemble:both"), several joined by "+" by frequency
    expression_source: str = ""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["micro_gestures"] = [asdict(m) for m in self.micro_gestures]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "EvidenceWindow":
        if not isinstance(data, dict):
            raise ValueError("evidence window must be a JSON object")
        gestures = [
            MicroGestureSpan(
                name=str(g["name"]),
                id=int(g.get("id", -1)),
                start=float(g.get("start", 0.0)),
                end=float(g.get("end", 0.0)),
                score=float(g.get("score", 1.0)),
            )
            for g in data.get("micro_gestures", [])
        ]
        return cls(
            action_units={str(k): float(v) for k, v in data.get("action_units", {}).items()},
            expression={str(k): float(v) for k, v in data.get("expression", {}).items()},
            micro_gestures=gestures,
            prosody={str(k): float(v) for k, v in data.get("prosody", {}).items()},
            transcript=str(data.get("transcript", "")),
            duration_s=float(data.get("duration_s", 0.0)),
            track_id=str(data.get("track_id", "")),
            start=float(data.get("start", 0.0)),
            expression_source=str(data.get("expression_source", "")),
        )

    def items(self) -> list[EvidenceItem]:
        """The window flattened into evidence items (what cues are checked against)."""
        t0, t1 = self.start, self.start + self.duration_s
        out = [
            EvidenceItem("face", "action_unit", k, v, t0, t1, _au_code(k))
            for k, v in self.action_units.items()
        ]
        out += [EvidenceItem("face", "expression", k, v, t0, t1)
                for k, v in self.expression.items()]
        out += [
            EvidenceItem("body", "micro_gesture", g.name, g.score, g.start, g.end, g.id)
            for g in self.micro_gestures
        ]
        out += [EvidenceItem("voice", "prosody", k, v, t0, t1) for k, v in self.prosody.items()
                if math.isfinite(v)]
        if self.transcript:
            out.append(EvidenceItem("text", "speech", self.transcript, 1.0, t0, t1))
        return out


def _au_code(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) if digits else -1


def window_from_items(items: list[EvidenceItem], track_id: str, start: float,
                      duration_s: float, transcript: str = "",
                      expression_source: str = "") -> EvidenceWindow:
    """Rebuild the JSON-form window from flattened items (inverse of ``items()``)."""
    window = EvidenceWindow(track_id=track_id, start=start, duration_s=duration_s,
                            transcript=transcript, expression_source=expression_source)
    speech: list[str] = []
    for item in items:
        if item.kind == "action_unit":
            window.action_units[item.name] = item.value
        elif item.kind == "expression":
            window.expression[item.name] = item.value
        elif item.kind == "micro_gesture":
            window.micro_gestures.append(
                MicroGestureSpan(item.name, item.ref_id, item.start, item.end, item.value))
        elif item.kind == "prosody":
            window.prosody[item.name] = item.value
        elif item.kind == "speech" and not transcript:
            speech.append(item.name)
    if speech:
        window.transcript = " ".join(speech)
    return window
