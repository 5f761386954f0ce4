"""Evidence window -> compact text that an LLM can read and a human can audit."""

from __future__ import annotations

import math

from emo_perception.evidence import EvidenceWindow
from emo_perception.reasoning.tables import au_code, au_label


def render_evidence(window: EvidenceWindow, au_threshold: float = 0.5,
                    gesture_threshold: float = 0.3) -> str:
    """One line per modality; absent modalities say "none observed" so nothing is implied."""
    t0, t1 = window.start, window.start + window.duration_s
    lines = [f"Evidence window: {t0:.1f}-{t1:.1f} s ({window.duration_s:.1f} s)."]
    present, absent = [], []
    for name, p in sorted(window.action_units.items(), key=lambda kv: -kv[1]):
        code = au_code(name)
        text = au_label(code) if code is not None else name
        if p >= au_threshold:
            present.append(f"{text} {p:.2f}")
        else:  # codes only: absent AUs matter for auditing, not worth prompt tokens
            absent.append(f"AU{code}" if code is not None else name)
    lines.append("Facial action units present: " + ("; ".join(present) or "none observed"))
    if absent:
        lines.append("Facial action units below threshold: " + ", ".join(absent))
    expr = [f"{k} {v:.2f}" for k, v in sorted(window.expression.items(), key=lambda kv: -kv[1])
            if v >= 0.05]
    lines.append("Facial expression scores: " + (", ".join(expr) or "none observed"))
    gestures = [f"{g.name} (iMiGUE id {g.id}) {g.start:.1f}-{g.end:.1f} s score {g.score:.2f}"
                for g in window.micro_gestures if g.score >= gesture_threshold]
    lines.append("Body micro-gestures: " + ("; ".join(gestures) or "none observed"))
    prosody = [f"{k}={v:.1f}" for k, v in window.prosody.items() if math.isfinite(v)]
    lines.append("Voice prosody: " + (", ".join(prosody) or "none observed"))
    lines.append("Speech transcript: " + (f'"{window.transcript}"' if window.transcript
                                          else "none"))
    return "\n".join(lines)


def evidence_slots(window: EvidenceWindow, au_threshold: float = 0.5,
                   gesture_threshold: float = 0.3) -> str:
    """PEP-MEK step 1: the fixed evidence slots, filled from the window (never invented)."""
    aus = [au_label(c) for c in (au_code(k) for k, v in window.action_units.items()
                                 if v >= au_threshold) if c is not None]
    top_expr = max(window.expression.items(), key=lambda kv: kv[1])[0] \
        if window.expression else "not measured"
    gestures = [g.name for g in window.micro_gestures if g.score >= gesture_threshold]
    prosody = ", ".join(f"{k}={v:.1f}" for k, v in window.prosody.items() if math.isfinite(v))
    slots = [
        ("scene", "robot camera view, one tracked person"),
        ("number of people", "1 (this track only; others are separate tracks)"),
        ("facial expression", f"action units {', '.join(aus) or 'none present'}; "
                              f"classifier top label {top_expr}"),
        ("head pose and gaze", "not measured"),
        ("posture and gestures", ", ".join(gestures) or "none observed"),
        ("vocal tone", prosody or "not measured"),
        ("emotion words", f'"{window.transcript}"' if window.transcript else "none"),
        ("relations", "not measured"),
    ]
    return "\n".join(f"- {k}: {v}" for k, v in slots)
