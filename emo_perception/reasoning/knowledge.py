"""Knowledge backend: EMFACS, micro-gesture, prosody and word knowledge over evidence.

Every score contribution comes from one evidence item of the window, and that item is
the cue the result names, so the rationale is grounded by construction (the guard
checks it anyway).
"""

from __future__ import annotations

import math
import re
import time

from emo_perception.evidence import EvidenceWindow
from emo_perception.labels import expression_labels
from emo_perception.reasoning.result import Cue, Flag, ReasoningConfig, ReasoningResult
from emo_perception.reasoning.tables import (
    CIRCUMPLEX, EMOTION_WORDS, GESTURE_KNOWLEDGE, NEGATORS, au_code, au_label,
    canonical_gesture, emfacs_variants, fold_label,
)

# Relative weights of the evidence sources. A full EMFACS prototype outweighs a gesture
# reading; an expression classifier output counts as much as the AU rule it came from.
W_AU = 2.0
W_EXPR = 1.5
W_GESTURE = 0.6
W_WORD = 1.0
NEUTRAL_PRIOR = 0.5

# Prosody: arousal rises with pitch variability, loudness and speaking rate. Thresholds
# are typical adult conversational values (no per-speaker baseline is available here).
PROSODY_RULES: dict[str, tuple[float, float, str]] = {
    # key: (low, high, meaning); value above high -> +arousal, below low -> -arousal.
    # Keys are the voice stage's evidence features (emo_perception.voice.offline).
    "energy_db": (-34.0, -18.0, "loudness"),
    "f0_range_st": (2.0, 10.0, "pitch range (semitones)"),
    "speaking_rate_sps": (2.5, 5.5, "speaking rate (syllables/s)"),
    "arousal": (-0.4, 0.4, "vocal arousal score"),
    "f0_std_hz": (15.0, 40.0, "pitch variability"),
}

_WORD_RE = re.compile(r"[a-z']+")


class KnowledgeReasoner:
    """Rule-based reasoner; deterministic and fast (microseconds per window)."""

    name = "knowledge"

    def __init__(self, config: ReasoningConfig | None = None) -> None:
        self.config = config or ReasoningConfig()
        self.labels = expression_labels(self.config.label_set)

    def reason(self, window: EvidenceWindow, track_id: str = "") -> ReasoningResult:
        t0 = time.perf_counter()
        scores = {label: 0.0 for label in self.labels}
        if "neutral" in scores:
            scores["neutral"] = NEUTRAL_PRIOR
        cues: list[Cue] = []
        reasons: list[str] = []
        w0, w1 = window.start, window.start + window.duration_s

        self._faces(window, scores, cues, reasons, w0, w1)
        gv, ga = self._gestures(window, scores, cues, reasons)
        pa = self._prosody(window, cues, reasons, w0, w1)
        self._words(window, scores, cues, reasons, w0, w1)

        total = sum(scores.values())
        if total <= 0:
            scores = {label: 1.0 for label in self.labels}
            total = float(len(self.labels))
        dist = {k: v / total for k, v in scores.items()}
        label = max(dist, key=lambda k: (dist[k], k == "neutral"))
        base_v = sum(p * CIRCUMPLEX.get(k, (0.0, 0.0))[0] for k, p in dist.items())
        base_a = sum(p * CIRCUMPLEX.get(k, (0.0, 0.0))[1] for k, p in dist.items())
        valence = _clip(base_v + 0.5 * gv)
        arousal = _clip(base_a + 0.5 * ga + pa)
        flags: list[Flag] = []
        if not cues:
            flags.append(Flag("no_evidence", "no evidence item passed its threshold"))
        ordered = sorted(dist.values(), reverse=True)
        margin = ordered[0] - (ordered[1] if len(ordered) > 1 else 0.0)
        confidence = float(min(1.0, ordered[0] * (0.5 + margin)))
        rationale = self._rationale(label, reasons)
        return ReasoningResult(
            track_id=track_id or window.track_id, label=label, label_set=self.config.label_set,
            distribution=dist, valence=valence, arousal=arousal, confidence=confidence,
            cues=cues, rationale=rationale, flags=flags, backend="knowledge",
            model="emfacs+gesture+prosody tables", latency_s=time.perf_counter() - t0,
            window_start=w0, window_end=w1,
        )

    # -- sources -------------------------------------------------------------------------
    def _faces(self, window, scores, cues, reasons, w0, w1) -> None:
        thr = self.config.au_threshold
        aus: dict[int, tuple[str, float]] = {}
        for name, p in window.action_units.items():
            code = au_code(name)
            if code is not None and math.isfinite(p):
                aus[code] = (name, p)
        used: set[int] = set()
        for emotion in self.labels:
            best, best_variant = 0.0, ()
            for variant in emfacs_variants(emotion):
                probs = [aus[c][1] if c in aus else 0.0 for c in variant]
                soft = sum(probs) / len(probs)
                if soft > best:
                    best, best_variant = soft, variant
            present = [c for c in best_variant if c in aus and aus[c][1] >= thr]
            # Half a prototype or more must be present before it says anything.
            if best_variant and len(present) * 2 >= len(best_variant) and best >= 0.3:
                scores[emotion] += W_AU * best
                for c in present:
                    if c not in used:
                        used.add(c)
                        cues.append(Cue("face", "action_unit", aus[c][0], w0, w1,
                                        f"{au_label(c)} p={aus[c][1]:.2f}"))
                reasons.append(
                    f"{' + '.join(f'AU{c}' for c in present)} present (EMFACS {emotion}: "
                    f"{'+'.join(str(c) for c in best_variant)}, soft score {best:.2f})")
        for name, p in window.expression.items():
            target = fold_label(name.lower(), self.labels)
            if target is None or not math.isfinite(p) or p < 0.2:
                continue
            scores[target] += W_EXPR * p
            cues.append(Cue("face", "expression", name, w0, w1, f"expression {name} p={p:.2f}"))
            reasons.append(f"expression classifier gives {name} {p:.2f}")

    def _gestures(self, window, scores, cues, reasons) -> tuple[float, float]:
        dv = da = 0.0
        for g in window.micro_gestures:
            known = canonical_gesture(g.name)
            if known is None or g.score < self.config.gesture_threshold:
                continue
            v, a, emotions, reading = GESTURE_KNOWLEDGE[known]
            dv += v * g.score
            da += a * g.score
            hinted = []
            for emo in emotions:
                target = fold_label(emo, self.labels)
                if target is not None:
                    scores[target] += W_GESTURE * g.score / len(emotions)
                    hinted.append(target)
            cues.append(Cue("body", "micro_gesture", g.name, g.start, g.end,
                            f"{g.name} ({reading}) {g.start:.1f}-{g.end:.1f} s"))
            hint = f", often read as {'/'.join(dict.fromkeys(hinted))}" if hinted else ""
            reasons.append(f"micro-gesture '{g.name}' at {g.start:.1f}-{g.end:.1f} s "
                           f"({reading}{hint})")
        return _clip(dv), _clip(da)

    def _prosody(self, window, cues, reasons, w0, w1) -> float:
        da = 0.0
        for key, value in window.prosody.items():
            rule = PROSODY_RULES.get(key)
            if rule is None or not math.isfinite(value):
                continue
            low, high, meaning = rule
            if value > high:
                da += 0.2
                direction = "high"
            elif value < low:
                da -= 0.2
                direction = "low"
            else:
                continue
            cues.append(Cue("voice", "prosody", key, w0, w1, f"{direction} {meaning} "
                            f"({key}={value:.1f})"))
            reasons.append(f"{direction} {meaning} ({key}={value:.1f}) -> "
                           f"{'higher' if direction == 'high' else 'lower'} arousal")
        return da

    def _words(self, window, scores, cues, reasons, w0, w1) -> None:
        tokens = _WORD_RE.findall(window.transcript.lower())
        for i, tok in enumerate(tokens):
            emotion = _word_emotion(tok)
            if emotion is None:
                continue
            if any(t in NEGATORS or t.endswith("n't") for t in tokens[max(0, i - 3):i]):
                continue  # "not happy" says little about which emotion it is
            target = fold_label(emotion, self.labels)
            if target is None:
                continue
            scores[target] += W_WORD
            cues.append(Cue("text", "speech", tok, w0, w1, f"emotion word '{tok}'"))
            reasons.append(f"the person said '{tok}' ({target} word)")

    def _rationale(self, label: str, reasons: list[str]) -> str:
        if not reasons:
            return f"No evidence above threshold; defaulting to {label}."
        return f"{label}: " + "; ".join(reasons) + "."


def _word_emotion(token: str) -> str | None:
    if token in EMOTION_WORDS:
        return EMOTION_WORDS[token]
    for stem, emotion in EMOTION_WORDS.items():
        if len(stem) >= 4 and token.startswith(stem) and len(token) - len(stem) <= 3:
            return emotion
    return None


def _clip(x: float) -> float:
    return float(max(-1.0, min(1.0, x)))
