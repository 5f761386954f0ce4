"""Hallucination guard: cues must match evidence; labels must not contradict it; every
claim of an LLM's free-text rationale and stated cues must be supported (claims.py).

A cue is supported when an evidence item of the window has the same modality and kind,
the same name (AU by FACS code, gesture by iMiGUE/SMG name, transcript by quoted word),
a value at or above its presence threshold, and a time span overlapping the cue's (a cue
without times takes the item's). Unsupported cues are removed and flagged; so is a label
that strong evidence speaks against.
"""

from __future__ import annotations

import math
from dataclasses import replace

from emo_perception.evidence import EvidenceItem, EvidenceWindow
from emo_perception.reasoning.result import Cue, Flag, ReasoningConfig, ReasoningResult
from emo_perception.reasoning.tables import (
    CIRCUMPLEX, EMOTION_WORDS, GESTURE_KNOWLEDGE, NEGATIVE, POSITIVE, au_code,
    canonical_gesture, emfacs_variants,
)

TIME_TOLERANCE_S = 0.25  # timestamps from LLMs are read from text; allow rounding


def sanitize(window: EvidenceWindow) -> tuple[EvidenceWindow, int]:
    """A copy without non-finite values or reversed gesture spans, and how many were cut."""
    def finite(d: dict[str, float]) -> dict[str, float]:
        return {k: v for k, v in d.items() if math.isfinite(v)}

    gestures = [g for g in window.micro_gestures
                if math.isfinite(g.score) and math.isfinite(g.start) and math.isfinite(g.end)
                and g.end >= g.start]
    clean = replace(window, action_units=finite(window.action_units),
                    expression=finite(window.expression), prosody=finite(window.prosody),
                    micro_gestures=gestures)
    dropped = (len(window.action_units) + len(window.expression) + len(window.prosody)
               + len(window.micro_gestures)) - (len(clean.action_units) + len(clean.expression)
                                                + len(clean.prosody) + len(gestures))
    return clean, dropped


class HallucinationGuard:
    """Checks a result against the window it claims to explain."""

    def __init__(self, config: ReasoningConfig | None = None) -> None:
        self.config = config or ReasoningConfig()

    def check(self, result: ReasoningResult, window: EvidenceWindow) -> ReasoningResult:
        items = window.items()
        kept: list[Cue] = []
        rejected: list[Cue] = list(result.rejected_cues)
        flags = list(result.flags)
        for cue in result.cues:
            item = self.match(cue, items)
            if item is None:
                rejected.append(replace(cue, supported=False))
                flags.append(Flag("unsupported_cue",
                                  f"{cue.modality}/{cue.kind} '{cue.name}' matches no evidence"))
                continue
            start = cue.start if math.isfinite(cue.start) else item.start
            end = cue.end if math.isfinite(cue.end) else item.end
            kept.append(replace(cue, start=start, end=end, supported=True))
        flags += self.contradictions(result.label, result.valence, window, kept)
        result = replace(result, cues=kept, rejected_cues=rejected, flags=flags)
        if result.backend == "knowledge":
            return result  # its rationale is written from its own cues, grounded already
        return self.check_text(result, window)

    # -- free text: rationale and stated cues, claim by claim ------------------------------
    def check_text(self, result: ReasoningResult, window: EvidenceWindow) -> ReasoningResult:
        """Read the rationale and the stated cue texts into claims and check each one.

        A rationale sentence is published only when it holds at least one claim and every
        claim in it is supported; other sentences are removed and each failed or unreadable
        claim is flagged. Stated cue texts the parser could not type are read the same way:
        supported ones become cues, the rest are rejected and flagged."""
        from emo_perception.reasoning.claims import SUPPORTED, ClaimReader, check_claims

        reader = ClaimReader()
        ctx = self.context(window)
        flags = list(result.flags)
        kept_cues, rejected = list(result.cues), list(result.rejected_cues)
        records: list[dict[str, str]] = []
        known = {c.name.lower() for c in kept_cues + rejected}
        for text in result.stated_cues:
            if text.strip().lower() in known:
                continue  # already typed and checked above
            reading = reader.read(text)
            verdicts = check_claims(reading.claims, window, ctx)
            records += _records(verdicts, "cue")
            bad = [v for v in verdicts if v.status != SUPPORTED]
            if verdicts and not bad and not reading.unreadable:
                for v in verdicts:
                    kept_cues.append(_cue_of(v, text))
                continue
            rejected.append(Cue("text", "speech", text, description="stated cue",
                                supported=False))
            flags += _claim_flags(bad, reading.unreadable, "stated cue")
        reading = reader.read(result.rationale)
        shown, removed = [], []
        for sentence in reading.sentences:
            verdicts = check_claims(sentence.claims, window, ctx)
            records += _records(verdicts, "rationale")
            bad = [v for v in verdicts if v.status != SUPPORTED]
            if verdicts and not bad and not sentence.unreadable:
                shown.append(sentence.text)
                continue
            removed.append(sentence.text)
            flags += _claim_flags(bad, sentence.unreadable, "rationale")
        rationale = " ".join(shown)
        if removed and not shown:
            rationale = ("Supported by the evidence: " + "; ".join(
                c.description or c.name for c in kept_cues) + "." if kept_cues
                else "No claim of the model's explanation could be checked against the "
                     "evidence.")
        return replace(result, cues=kept_cues, rejected_cues=rejected, flags=flags,
                       rationale=rationale if removed else result.rationale,
                       removed_rationale=removed, claims=records)

    def context(self, window: EvidenceWindow):
        """What claim checking needs: thresholds and the knowledge reading of the window."""
        from emo_perception.reasoning.claims import CheckContext
        from emo_perception.reasoning.knowledge import KnowledgeReasoner

        fused = KnowledgeReasoner(replace(self.config, backend="knowledge")).reason(window)
        return CheckContext(self.config.au_threshold, self.config.gesture_threshold,
                            knowledge_label=fused.label, knowledge_valence=fused.valence)

    # -- cue matching ----------------------------------------------------------------------
    def match(self, cue: Cue, items: list[EvidenceItem]) -> EvidenceItem | None:
        """The evidence item supporting ``cue``, or None."""
        for item in items:
            if item.modality != cue.modality or item.kind != cue.kind:
                continue
            if not self._same_name(cue, item) or not self._present(item):
                continue
            if self._overlaps(cue, item):
                return item
        return None

    def _same_name(self, cue: Cue, item: EvidenceItem) -> bool:
        if cue.kind == "action_unit":
            code = au_code(cue.name)
            return code is not None and code == au_code(item.name)
        if cue.kind == "micro_gesture":
            a, b = canonical_gesture(cue.name), canonical_gesture(item.name)
            return a is not None and a == b
        if cue.kind == "speech":
            quote = cue.name.strip().strip("'\"").lower()
            return bool(quote) and quote in item.name.lower()
        return cue.name.strip().lower() == item.name.strip().lower()

    def _present(self, item: EvidenceItem) -> bool:
        if item.kind == "action_unit":
            return item.value >= self.config.au_threshold
        if item.kind == "micro_gesture":
            return item.value >= self.config.gesture_threshold
        if item.kind == "expression":
            return item.value >= 0.2
        return True

    @staticmethod
    def _overlaps(cue: Cue, item: EvidenceItem) -> bool:
        start = cue.start if math.isfinite(cue.start) else item.start
        end = cue.end if math.isfinite(cue.end) else item.end
        return start <= item.end + TIME_TOLERANCE_S and end >= item.start - TIME_TOLERANCE_S

    # -- label checks ----------------------------------------------------------------------
    def contradictions(self, label: str, valence: float, window: EvidenceWindow,
                       cues: list[Cue]) -> list[Flag]:
        flags: list[Flag] = []
        thr = self.config.au_threshold
        aus = {c: p for c, p in ((au_code(k), v) for k, v in window.action_units.items())
               if c is not None}
        positive = self._has_valenced_cue(window, POSITIVE)
        negative = self._has_valenced_cue(window, NEGATIVE)
        expr = {k.lower(): v for k, v in window.expression.items()}
        if label == "happiness" and aus.get(12, 0.0) < thr and not positive \
                and expr.get("happiness", 0.0) < 0.3:
            flags.append(Flag("contradiction", "happiness without lip-corner pulling (AU12) "
                                               "and without any positive cue"))
        if label in NEGATIVE and not negative and aus and expr.get(label, 0.0) < 0.3 \
                and not any(aus.get(c, 0.0) >= thr for v in emfacs_variants(label) for c in v):
            flags.append(Flag("contradiction", f"{label} without any of its EMFACS action "
                                               "units and without any negative cue"))
        # A complete prototype of another emotion is strong evidence against this label.
        for emotion in CIRCUMPLEX:
            if emotion == label:
                continue
            for variant in emfacs_variants(emotion):
                if aus and all(aus.get(c, 0.0) >= max(thr, 0.7) for c in variant):
                    flags.append(Flag("contradiction", f"full EMFACS {emotion} prototype "
                                      f"({'+'.join(f'AU{c}' for c in variant)}) present but "
                                      f"label is {label}"))
                    break
        if label in CIRCUMPLEX and label != "neutral":
            expected = CIRCUMPLEX[label][0]
            if expected * valence < 0 and abs(valence) > 0.3 and abs(expected) > 0.3:
                flags.append(Flag("inconsistent", f"label {label} with valence {valence:+.2f}"))
        return flags

    def _has_valenced_cue(self, window: EvidenceWindow, group: frozenset[str]) -> bool:
        for g in window.micro_gestures:
            known = canonical_gesture(g.name)
            if known and g.score >= self.config.gesture_threshold:
                if any(e in group for e in GESTURE_KNOWLEDGE[known][2]):
                    return True
        words = window.transcript.lower().split()
        if any(EMOTION_WORDS.get(w.strip(".,!?")) in group for w in words):
            return True
        for name, p in window.expression.items():
            if name.lower() in group and p >= 0.3:
                return True
        return False



def _records(verdicts, where: str) -> list[dict[str, str]]:
    return [{"where": where, "text": v.claim.text, "claim": v.claim.describe(),
             "status": v.status, "detail": v.detail} for v in verdicts]


def _claim_flags(bad, unreadable, where: str) -> list[Flag]:
    flags = [Flag(f"{'contradicted' if v.status == 'contradicted' else 'unsupported'}_claim",
                  f"{where}: '{v.claim.text}' ({v.claim.describe()}): {v.detail}")
             for v in bad]
    flags += [Flag("unreadable_claim", f"{where}: '{u.text}': {u.reason}") for u in unreadable]
    return flags


def _cue_of(verdict, text: str) -> Cue:
    c = verdict.claim
    kind = {"action_unit": "action_unit", "gesture": "micro_gesture", "prosody": "prosody",
            "prosody_value": "prosody", "quote": "speech", "transcript_content": "speech",
            "transcript_emotion": "speech", "emotion": "expression"}.get(c.kind, "expression")
    modality = {"action_unit": "face", "micro_gesture": "body", "prosody": "voice",
                "speech": "text"}.get(kind, "face")
    name = c.value.split("|")[0]
    return Cue(modality, kind, name, description=f"{text} ({verdict.detail})")
