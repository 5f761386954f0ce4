"""LLM reasoner: prompts a chat backend, parses, guards, and falls back when it must.

Whatever happens inside (garbage output, timeout, dead server), ``reason`` returns a
:class:`ReasoningResult`; failures become flags and a knowledge-backend result.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Protocol, Sequence

from emo_perception.evidence import EvidenceWindow
from emo_perception.labels import expression_labels
from emo_perception.reasoning import prompts
from emo_perception.reasoning.backends import (
    BackendError, BackendTimeout, DeidentifiedKeyframe, OpenAIChat, TransformersChat,
)
from emo_perception.reasoning.guard import HallucinationGuard, sanitize
from emo_perception.reasoning.knowledge import KnowledgeReasoner
from emo_perception.reasoning.parse import (
    extract_cues, parse_json_object, parse_label, parse_unit,
)
from emo_perception.reasoning.result import Flag, ReasoningConfig, ReasoningResult
from emo_perception.reasoning.tables import CIRCUMPLEX


class ChatBackend(Protocol):
    name: str
    model_name: str

    def chat(self, messages: Sequence[dict[str, str]], max_tokens: int,
             images: Sequence[DeidentifiedKeyframe] = ()) -> str: ...


class Reasoner(Protocol):
    def reason(self, window: EvidenceWindow, track_id: str = "") -> ReasoningResult: ...


class LLMReasoner:
    """Evidence window -> grounded result through a chat backend (PEP-MEK or plain)."""

    def __init__(self, config: ReasoningConfig, backend: ChatBackend) -> None:
        self.config = config
        self.backend = backend
        self.labels = expression_labels(config.label_set)
        self.guard = HallucinationGuard(config)
        self.fallback = KnowledgeReasoner(config)

    def reason(self, window: EvidenceWindow, track_id: str = "",
               keyframes: Sequence[DeidentifiedKeyframe] = ()) -> ReasoningResult:
        t0 = time.perf_counter()
        track_id = track_id or window.track_id
        window, _ = sanitize(window)
        flags: list[Flag] = []
        images = keyframes if self.config.attach_keyframes else ()
        for attempt in range(1 + self.config.retries):
            try:
                text, obj, label, explanation = self._ask(window, images, strict=attempt > 0)
            except BackendTimeout as exc:
                flags.append(Flag("timeout", str(exc)))
                break
            except BackendError as exc:
                flags.append(Flag("backend_error", str(exc)))
                break
            if label is None:
                flags.append(Flag("parse_error", f"attempt {attempt + 1}: no label in "
                                                 f"{text[:80]!r}"))
                continue
            result = self._result(track_id, window, label, obj, text + " " + explanation)
            result = self.guard.check(result, window)
            result.flags = flags + result.flags
            result.latency_s = time.perf_counter() - t0
            return result
        fb = self.fallback.reason(window, track_id)
        fb.flags = flags + [Flag("fallback", f"{self.backend.name} failed; knowledge backend "
                                             "used")] + fb.flags
        return replace(fb, fallback_used=True, latency_s=time.perf_counter() - t0,
                       model=f"{fb.model} (fallback from {self.backend.model_name})")

    def _ask(self, window: EvidenceWindow, images: Sequence[DeidentifiedKeyframe],
             strict: bool) -> tuple[str, dict | None, str | None, str]:
        cfg, labels = self.config, self.labels
        n = cfg.max_new_tokens
        if not cfg.pep:
            msgs = prompts.plain_messages(window, labels, cfg.au_threshold,
                                          cfg.gesture_threshold)
            if strict:
                msgs[-1]["content"] += "\nAnswer with exactly one option word."
            text = self.backend.chat(msgs, n, images)
            obj = parse_json_object(text)
            return text, obj, parse_label(text, labels), ""
        msgs = prompts.pep_first(window, labels, cfg.au_threshold, cfg.gesture_threshold)
        first = self.backend.chat(msgs, min(n, 8), images)
        first_label = parse_label(first, labels)
        msgs.append({"role": "assistant", "content": first})
        msgs.append(prompts.pep_explain(first_label or first.strip()[:40]))
        explanation = self.backend.chat(msgs, n)
        check = self._check_text(first_label, explanation, window)
        msgs.append({"role": "assistant", "content": explanation})
        msgs.append(prompts.pep_final(check, labels))
        if strict:
            msgs[-1]["content"] += "\nAnswer with exactly one option word if unsure of JSON."
        final = self.backend.chat(msgs, n)
        obj = parse_json_object(final)
        return final, obj, parse_label(final, labels) or first_label, explanation

    def _check_text(self, label: str | None, explanation: str, window: EvidenceWindow) -> str:
        """PEP step 3: what our guard says about the explanation, fed back to the model."""
        from emo_perception.reasoning.claims import SUPPORTED, ClaimReader, check_claims

        items = window.items()
        ok, bad = [], []
        for cue in extract_cues(explanation):
            (ok if self.guard.match(cue, items) else bad).append(cue.name)
        ctx = self.guard.context(window)
        for v in check_claims(ClaimReader().read(explanation).claims, window, ctx):
            if v.claim.kind in ("action_unit", "gesture") and v.claim.via == "rule" and \
                    v.claim.value in ok + bad:
                continue  # named cue, already listed
            (ok if v.status == SUPPORTED else bad).append(f"'{v.claim.text}'")
        ok, bad = list(dict.fromkeys(ok)), list(dict.fromkeys(bad))
        parts = [f"supported cues: {', '.join(ok) or 'none'}",
                 f"not in the evidence: {', '.join(bad) or 'none'}"]
        if label:
            v = CIRCUMPLEX.get(label, (0.0, 0.0))[0]
            for flag in self.guard.contradictions(label, v, window, []):
                parts.append(f"warning: {flag.detail}")
        return "; ".join(parts) + "."

    def _result(self, track_id: str, window: EvidenceWindow, label: str, obj: dict | None,
                text: str) -> ReasoningResult:
        default_v, default_a = CIRCUMPLEX.get(label, (0.0, 0.0))
        valence = parse_unit(obj, "valence", -1.0, 1.0)
        arousal = parse_unit(obj, "arousal", -1.0, 1.0)
        confidence = parse_unit(obj, "confidence", 0.0, 1.0)
        conf = 0.5 if confidence is None else confidence
        rest = (1.0 - conf) / max(1, len(self.labels) - 1)
        dist = {k: (conf if k == label else rest) for k in self.labels}
        rationale = str(obj.get("rationale", "")) if obj else ""
        stated = []
        if obj is not None and isinstance(obj.get("cues"), list):
            stated = [str(e.get("name", "")) if isinstance(e, dict) else str(e)
                      for e in obj["cues"]]
            stated = [t for t in stated if t.strip() and t.strip() != "..."]
        return ReasoningResult(
            track_id=track_id, label=label, label_set=self.config.label_set, distribution=dist,
            valence=default_v if valence is None else valence,
            arousal=default_a if arousal is None else arousal,
            confidence=conf, cues=extract_cues(text, obj),
            rationale=rationale or text.strip()[:500], backend=self.backend.name,
            model=self.backend.model_name, window_start=window.start,
            window_end=window.start + window.duration_s, stated_cues=stated,
        )


def create_backend(config: ReasoningConfig) -> ChatBackend:
    """The chat backend named by ``config.backend`` (not for "knowledge")."""
    if config.backend == "transformers":
        return TransformersChat(config.gguf_path)
    if config.backend == "openai":
        return OpenAIChat(config.base_url, config.model, config.api_key, config.timeout_s)
    raise ValueError(f"backend {config.backend!r} has no chat model")


def create_reasoner(config: ReasoningConfig, backend: ChatBackend | None = None) -> Reasoner:
    """The reasoner for ``config``; pass ``backend`` to share one loaded model."""
    if config.backend == "knowledge":
        return KnowledgeReasoner(config)
    return LLMReasoner(config, backend or create_backend(config))
