"""Per-frame JSON records, run summaries and the timeline plot of ``process``.

Records hold no identifying data: boxes, head pose, AU values, expression, gestures and
fused states, but no face-mesh points and no pixels.
"""

from __future__ import annotations

import math
import pathlib
from collections import defaultdict
from typing import Any

import numpy as np

from emo_perception.perception.deid import DeidStats
from emo_perception.perception.fusion import AffectSummary
from emo_perception.perception.pipeline import STAGES, FrameResult
from emo_perception.perception.types import Box


def _box(b: Box | None) -> list[float] | None:
    return None if b is None else [round(b.x, 1), round(b.y, 1), round(b.w, 1), round(b.h, 1)]


def _num(x: float, nd: int = 4) -> float:
    return round(float(x), nd) if math.isfinite(x) else 0.0


def _summary_json(s: AffectSummary) -> dict[str, Any]:
    return {"label": s.label, "valence": _num(s.valence), "arousal": _num(s.arousal),
            "confidence": _num(s.confidence), "window_s": _num(s.window_s, 1),
            "probabilities": {lb: _num(p) for lb, p in zip(s.labels, s.probabilities)},
            "evidence": [{"modality": e.modality, "kind": e.kind, "name": e.name,
                          "value": _num(e.value), "start": _num(e.start, 3),
                          "end": _num(e.end, 3)} for e in s.evidence]}


def frame_record(r: FrameResult) -> dict[str, Any]:
    """One JSON-able line of ``frames.jsonl``."""
    lm = r.landmarks
    affect_of = {a.track_id: a for a in r.affects}
    faces = []
    for f in lm.faces:
        entry: dict[str, Any] = {"track_id": f.track_id, "box": _box(f.box),
                                 "score": _num(f.score, 3), "mesh": f.mesh is not None}
        if f.head_pose is not None:
            entry["head_pose_deg"] = [_num(math.degrees(a), 1) for a in f.head_pose]
        a = affect_of.get(f.track_id)
        if a is not None:
            entry["action_units"] = {f"AU{u.code}": {"p": _num(u.probability, 3),
                                                     "intensity": _num(u.intensity, 2)}
                                     for u in a.action_units}
            entry["expression"] = {
                "label": a.label, "valence": _num(a.valence), "arousal": _num(a.arousal),
                "confidence": _num(a.confidence), "source": a.source,
                "probabilities": {lb: _num(p) for lb, p in zip(a.labels, a.probabilities)}}
        faces.append(entry)
    return {
        "index": r.index, "stamp": _num(r.stamp, 6), "ok": lm.ok, "error": lm.error,
        "deid": {"fail_closed": r.deid.fail_closed, "blocked": r.deid.image is None,
                 "reason": r.deid.reason, "regions": len(r.deid.regions)},
        "tracks": [{"track_id": t.track_id, "face_box": _box(t.face_box),
                    "body_box": _box(t.body_box)} for t in r.tracks],
        "faces": faces,
        "bodies": [{"track_id": b.track_id, "box": _box(b.box), "score": _num(b.score, 3),
                    "hands": [h.side for h in b.hands]} for b in lm.bodies],
        "micro_gestures": [{"track_id": g.track_id, "id": g.class_id, "name": g.name,
                            "score": _num(g.score, 3), "start": _num(g.start, 3),
                            "end": _num(g.end, 3)} for g in r.gestures],
        "persons": [{"track_id": p.track_id, "short_term": _summary_json(p.short_term),
                     "long_term": _summary_json(p.long_term)} for p in r.persons],
        "latency_ms": {k: _num(v * 1000, 2) for k, v in r.latencies.items()},
        "errors": r.errors,
    }


class RunSummary:
    """Accumulates what ``summary.json`` and ``timeline.png`` need, frame by frame."""

    def __init__(self) -> None:
        self.frames = 0
        self.first_stamp: float | None = None
        self.last_stamp = 0.0
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.va: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        self.labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.seen: dict[str, list[float]] = {}
        self.gestures: dict[tuple[str, int, str], list[list[float]]] = defaultdict(list)
        self.errors = 0

    def add(self, r: FrameResult) -> None:
        self.frames += 1
        if self.first_stamp is None:
            self.first_stamp = r.stamp
        self.last_stamp = r.stamp
        for k, v in r.latencies.items():
            self.latencies[k].append(v)
        for t in r.tracks:
            span = self.seen.setdefault(t.track_id, [r.stamp, r.stamp, 0])
            span[1] = r.stamp
            span[2] += 1
        for p in r.persons:
            s = p.short_term
            self.va[p.track_id].append((r.stamp, s.valence, s.arousal))
        for a in r.affects:
            self.labels[a.track_id][a.label] += 1
        for g in r.gestures:
            spans = self.gestures[(g.track_id, g.class_id, g.name)]
            if spans and g.start <= spans[-1][1] + 1e-6:
                spans[-1][1] = max(spans[-1][1], g.end)
            else:
                spans.append([g.start, g.end])
        self.errors += len(r.errors)

    def to_json(self, stats: DeidStats, source: dict[str, Any], wall_s: float,
                config: dict[str, Any]) -> dict[str, Any]:
        people = {}
        for tid, (first, last, n) in self.seen.items():
            va = self.va.get(tid, [])
            labels = dict(self.labels.get(tid, {}))
            people[tid] = {
                "first_seen": _num(first, 3), "last_seen": _num(last, 3), "frames": n,
                "mean_valence": _num(np.mean([v for _, v, _ in va])) if va else None,
                "mean_arousal": _num(np.mean([a for _, _, a in va])) if va else None,
                "expression_frames": labels,
                "dominant_expression": max(labels, key=labels.get) if labels else None,
                "micro_gestures": [{"id": cid, "name": name, "start": _num(s, 3),
                                    "end": _num(e, 3)}
                                   for (t, cid, name), spans in self.gestures.items()
                                   if t == tid for s, e in spans],
            }
        lat = {k: {"p50_ms": _num(np.percentile(v, 50) * 1000, 2),
                   "p95_ms": _num(np.percentile(v, 95) * 1000, 2)}
               for k, v in self.latencies.items() if k in STAGES or k == "total"}
        return {
            "source": source, "frames": self.frames,
            "duration_s": _num(self.last_stamp - (self.first_stamp or 0.0), 3),
            "wall_s": _num(wall_s, 2), "fps": _num(self.frames / wall_s, 2) if wall_s else 0.0,
            "deid": vars(stats).copy(), "analysis_errors": self.errors,
            "latency": lat, "people": people, "config": config,
        }

    def plot(self, path: pathlib.Path) -> None:
        """Per-person valence/arousal over time and micro-gesture spans (PNG)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ids = sorted(self.seen, key=lambda t: self.seen[t][0])
        fig, (ax_va, ax_g) = plt.subplots(2, 1, figsize=(10, 6), sharex=True,
                                          gridspec_kw={"height_ratios": [2, 1]})
        for i, tid in enumerate(ids):
            va = self.va.get(tid)
            if not va:
                continue
            t, v, a = (np.array(x) for x in zip(*va))
            color = f"C{i % 10}"
            ax_va.plot(t, v, color=color, label=f"{tid} valence")
            ax_va.plot(t, a, color=color, linestyle="--", label=f"{tid} arousal")
        ax_va.set_ylim(-1.05, 1.05)
        ax_va.axhline(0, color="0.7", linewidth=0.8)
        ax_va.set_ylabel("short-term valence / arousal")
        if ax_va.lines[1:]:
            ax_va.legend(loc="upper right", fontsize="small", ncol=2)
        rows = sorted({(tid, name) for tid, _, name in self.gestures})
        for y, (tid, name) in enumerate(rows):
            for (t2, _cid, n2), spans in self.gestures.items():
                if (t2, n2) == (tid, name):
                    ax_g.broken_barh([(s, max(e - s, 0.05)) for s, e in spans], (y - 0.4, 0.8),
                                     color=f"C{ids.index(tid) % 10}" if tid in ids else "C0")
        ax_g.set_yticks(range(len(rows)), [f"{t}: {n}" for t, n in rows], fontsize="small")
        if not rows:
            ax_g.text(0.5, 0.5, "no micro-gestures detected", ha="center", va="center",
                      transform=ax_g.transAxes)
        ax_g.set_xlabel("time [s]")
        ax_g.set_title("micro-gestures", fontsize="small")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)


def plot_voice(report, path: pathlib.Path) -> None:
    """Voice timeline (PNG): speech segments and prosodic arousal / F0 per window."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_a, ax_s) = plt.subplots(2, 1, figsize=(10, 5), sharex=True,
                                     gridspec_kw={"height_ratios": [2, 1]})
    if report.windows:
        t = np.array([(w.start + w.end) / 2 for w in report.windows])
        ax_a.plot(t, [w.arousal for w in report.windows], color="C3", label="arousal")
        ax_f0 = ax_a.twinx()
        ax_f0.plot(t, [w.f0_mean_hz for w in report.windows], color="C0", alpha=0.6,
                   label="F0 mean [Hz]")
        ax_f0.set_ylabel("F0 [Hz]")
    ax_a.set_ylim(-1.05, 1.05)
    ax_a.set_ylabel("prosodic arousal")
    ax_a.set_title(f"voice: {report.source}", fontsize="small")
    ax_s.broken_barh([(s.segment.start, s.segment.duration) for s in report.segments],
                     (0.1, 0.8), color="C2")
    for sp in report.speech:
        ax_s.text(sp.start, 0.5, sp.text[:40], fontsize="x-small", va="center")
    ax_s.set_yticks([])
    ax_s.set_xlabel("time [s]")
    ax_s.set_title("speech segments and transcript", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
