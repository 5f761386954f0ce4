"""Offline evaluation of a bag of node-set outputs against labels (ROS-free).

Label files (CSV or JSON, format in docs/bags_and_eval.md) give emotion labels per person
or per segment, micro-gesture segments and AU frames. Scores:

- emotion: accuracy, macro-F1, UAR (mean per-class recall) and WAR (recall weighted by
  class support, equal to accuracy) per labelled segment and per prediction message,
  plus a confusion matrix;
- action units: per-AU F1 on occurrence (probability >= threshold) and their mean;
- micro-gestures: top-1 / top-5 per labelled segment;
- frames: every input frame is either matched by a per-frame output (processed) or not;
  the drop/error counters the nodes reported in ``/diagnostics`` are listed beside it.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import pathlib
from collections import Counter, defaultdict
from typing import Any

from emo_perception import labels as label_sets
from emo_perception.bags import BagError, bag_info, iter_messages, stamp_ns

NS = 1_000_000_000


class LabelError(ValueError):
    """A label file is missing or malformed (one-line message)."""


# -- labels ----------------------------------------------------------------------------
@dataclasses.dataclass
class EmotionLabel:
    label: str
    start: float | None = None  # [s]; None with end None = the whole recording
    end: float | None = None
    track_id: str = ""  # "" = whichever person the node set reports


@dataclasses.dataclass
class GestureLabel:
    class_id: int
    start: float
    end: float
    track_id: str = ""


@dataclasses.dataclass
class AUFrameLabel:
    stamp: float
    aus: dict[int, bool]
    track_id: str = ""


@dataclasses.dataclass
class Labels:
    emotion: list[EmotionLabel] = dataclasses.field(default_factory=list)
    gestures: list[GestureLabel] = dataclasses.field(default_factory=list)
    action_units: list[AUFrameLabel] = dataclasses.field(default_factory=list)
    time_base: str | None = None  # from a JSON file; None = use the config's

    def extend(self, other: "Labels") -> None:
        self.emotion += other.emotion
        self.gestures += other.gestures
        self.action_units += other.action_units
        self.time_base = other.time_base or self.time_base


def _num(value: Any, what: str, where: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise LabelError(f"{where}: {what} must be a number, got {value!r}") from None
    if not math.isfinite(out):
        raise LabelError(f"{where}: {what} must be finite, got {value!r}")
    return out


def _emotion(rec: dict[str, Any], where: str) -> EmotionLabel:
    label = str(rec.get("label") or "").strip().lower()
    if not label:
        raise LabelError(f"{where}: empty emotion label")
    start, end = rec.get("start"), rec.get("end")
    has = [v not in (None, "") for v in (start, end)]
    if any(has) and not all(has):
        raise LabelError(f"{where}: give both start and end, or neither (whole recording)")
    s = _num(start, "start", where) if has[0] else None
    e = _num(end, "end", where) if has[1] else None
    if s is not None and e is not None and e < s:
        raise LabelError(f"{where}: end {e} before start {s}")
    return EmotionLabel(label, s, e, str(rec.get("track_id") or ""))


def _gesture(rec: dict[str, Any], where: str) -> GestureLabel:
    s, e = _num(rec.get("start"), "start", where), _num(rec.get("end"), "end", where)
    if e < s:
        raise LabelError(f"{where}: end {e} before start {s}")
    cid = _num(rec.get("class_id"), "class_id", where)
    return GestureLabel(int(cid), s, e, str(rec.get("track_id") or ""))


def _au_code(key: str, where: str) -> int:
    text = str(key).strip().upper().removeprefix("AU")
    if not text.isdigit():
        raise LabelError(f"{where}: AU column/key must look like AU12 or 12, got {key!r}")
    return int(text)


def _au_frame(rec: dict[str, Any], aus: dict[str, Any], where: str) -> AUFrameLabel:
    values: dict[int, bool] = {}
    for key, value in aus.items():
        if value in (None, ""):
            continue  # not labelled in this frame
        v = _num(value, f"AU {key}", where)
        if v not in (0.0, 1.0):
            raise LabelError(f"{where}: AU {key} must be 0 or 1, got {value!r}")
        values[_au_code(key, where)] = bool(v)
    return AUFrameLabel(_num(rec.get("stamp"), "stamp", where), values,
                        str(rec.get("track_id") or ""))


def load_labels(path: str | pathlib.Path) -> Labels:
    """Read a CSV (kind from its header) or JSON label file."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise LabelError(f"label file {str(path)!r} does not exist")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelError(f"cannot read label file {str(path)!r}: {exc}") from None
    if path.suffix.lower() == ".json":
        return _load_json(text, path.name)
    return _load_csv(text, path.name)


def _load_json(text: str, name: str) -> Labels:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LabelError(f"{name}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise LabelError(f"{name}: expected an object with emotion / micro_gestures / "
                         f"action_units lists")
    unknown = set(data) - {"time_base", "emotion", "micro_gestures", "action_units"}
    if unknown:
        raise LabelError(f"{name}: unknown key(s) {sorted(unknown)}")
    out = Labels(time_base=data.get("time_base"))
    for key, parse in (("emotion", _emotion), ("micro_gestures", _gesture)):
        for i, rec in enumerate(data.get(key, [])):
            if not isinstance(rec, dict):
                raise LabelError(f"{name} {key}[{i}]: expected an object")
            item = parse(rec, f"{name} {key}[{i}]")
            (out.emotion if key == "emotion" else out.gestures).append(item)  # type: ignore
    for i, rec in enumerate(data.get("action_units", [])):
        where = f"{name} action_units[{i}]"
        if not isinstance(rec, dict) or not isinstance(rec.get("aus"), dict):
            raise LabelError(f"{where}: expected an object with stamp and an aus object")
        out.action_units.append(_au_frame(rec, rec["aus"], where))
    return out


def _load_csv(text: str, name: str) -> Labels:
    rows = list(csv.DictReader(line for line in text.splitlines()
                               if line.strip() and not line.lstrip().startswith("#")))
    if not rows:
        raise LabelError(f"{name}: no label rows")
    cols = {c.strip().lower() for c in rows[0] if c}
    out = Labels()
    for i, raw in enumerate(rows, start=2):
        rec = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        where = f"{name} line {i}"
        if "stamp" in cols:
            aus = {k: v for k, v in rec.items() if k.upper().startswith("AU")}
            out.action_units.append(_au_frame(rec, aus, where))
        elif "class_id" in cols:
            out.gestures.append(_gesture(rec, where))
        elif "label" in cols:
            out.emotion.append(_emotion(rec, where))
        else:
            raise LabelError(f"{name}: header needs 'label' (emotion), 'class_id' "
                             f"(micro-gestures) or 'stamp' (AU frames); got {sorted(cols)}")
    return out


# -- metrics ---------------------------------------------------------------------------
def classification_metrics(y_true: list[str], y_pred: list[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 (over the union of true and predicted classes), UAR (mean recall
    over classes present in ``y_true``), WAR (support-weighted recall) and the confusion
    matrix (rows true, columns predicted)."""
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    classes = _ordered_classes(set(y_true) | set(y_pred))
    index = {c: i for i, c in enumerate(classes)}
    matrix = [[0] * len(classes) for _ in classes]
    for t, p in zip(y_true, y_pred):
        matrix[index[t]][index[p]] += 1
    n = len(y_true)
    per_class: dict[str, dict[str, float | int]] = {}
    for c, i in index.items():
        tp = matrix[i][i]
        support = sum(matrix[i])
        predicted = sum(row[i] for row in matrix)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * tp / (support + predicted) if support + predicted else 0.0
        per_class[c] = {"precision": precision, "recall": recall, "f1": f1,
                        "support": support}
    present = [c for c in classes if per_class[c]["support"]]
    correct = sum(matrix[i][i] for i in range(len(classes)))
    return {
        "n": n,
        "accuracy": correct / n if n else math.nan,
        "macro_f1": sum(per_class[c]["f1"] for c in classes) / len(classes) if classes
        else math.nan,
        "uar": sum(per_class[c]["recall"] for c in present) / len(present) if present
        else math.nan,
        "war": sum(per_class[c]["recall"] * per_class[c]["support"] for c in present) / n
        if n else math.nan,
        "classes": classes, "confusion": matrix, "per_class": per_class,
    }


def _ordered_classes(found: set[str]) -> list[str]:
    order = label_sets.MAFW11
    known = [c for c in order if c in found]
    return known + sorted(found - set(order))


def binary_f1(pairs: list[tuple[bool, bool]]) -> float:
    """F1 of the positive class over (true, predicted) pairs; NaN with no positives at all."""
    tp = sum(t and p for t, p in pairs)
    fp = sum(p and not t for t, p in pairs)
    fn = sum(t and not p for t, p in pairs)
    return 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else math.nan


def save_confusion_png(metrics: dict[str, Any], path: pathlib.Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    classes, matrix = metrics["classes"], metrics["confusion"]
    size = 1.2 + 0.55 * max(2, len(classes))
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    im = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    peak = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center",
                    color="white" if value > peak / 2 else "black")
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -- bag outputs -----------------------------------------------------------------------
@dataclasses.dataclass
class EvalConfig:
    """How ``evaluate`` reads the bag and matches labels."""

    namespace: str = "/emo"
    emotion_source: str = "auto"  # "state" (emotion/state), "expression", or auto: state if any
    time_base: str = "relative"  # "relative": seconds from the first input frame; "absolute"
    au_threshold: float = 0.5  # occurrence = probability >= this
    au_tolerance_s: float = 0.05  # an AU label matches the nearest output within this
    top_k: int = 5

    def __post_init__(self) -> None:
        if self.emotion_source not in ("auto", "state", "expression"):
            raise ValueError(f"emotion_source must be auto, state or expression, got "
                             f"{self.emotion_source!r}")
        if self.time_base not in ("relative", "absolute"):
            raise ValueError(f"time_base must be relative or absolute, got {self.time_base!r}")
        if not 0.0 < self.au_threshold <= 1.0:
            raise ValueError(f"au_threshold must be in (0, 1], got {self.au_threshold}")
        if not 0.0 <= self.au_tolerance_s <= 10.0:
            raise ValueError(f"au_tolerance_s must be in [0, 10] s, got {self.au_tolerance_s}")
        if self.top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {self.top_k}")


PER_FRAME_TOPICS = ("faces", "bodies", "tracks", "deid/image", "faces/action_units",
                    "faces/expression")


@dataclasses.dataclass
class BagOutputs:
    """What ``evaluate`` needs from a bag; times in integer nanoseconds (header stamps)."""

    input_topic: str = ""
    input_stamps: list[int] = dataclasses.field(default_factory=list)
    output_stamps: set[int] = dataclasses.field(default_factory=set)
    states: list[tuple[int, str, str, dict[str, float]]] = dataclasses.field(
        default_factory=list)  # (t, track, label, probabilities)
    expressions: list[tuple[int, str, str, dict[str, float]]] = dataclasses.field(
        default_factory=list)
    aus: list[tuple[int, str, dict[int, float]]] = dataclasses.field(default_factory=list)
    gestures: list[tuple[str, int, float, int, int]] = dataclasses.field(
        default_factory=list)  # (track, class id, score, start, end)
    diagnostics: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)


def _affect(track: str, label: str, labels: list[str], probs: Any) -> tuple[str, str, dict]:
    return track, label, {k: float(v) for k, v in zip(labels, list(probs))}


def read_outputs(bag: str | pathlib.Path, cfg: EvalConfig) -> BagOutputs:
    from emo_perception.topics import qualified

    names = {rel: qualified(rel, cfg.namespace) for rel in (
        "private/image_raw", "deid/image", "emotion/state", "faces/expression",
        "faces/action_units", "bodies/micro_gestures", *PER_FRAME_TOPICS)}
    present = bag_info(bag).topics
    out = BagOutputs()
    for rel in ("private/image_raw", "deid/image"):
        if names[rel] in present:
            out.input_topic = names[rel]
            break
    per_frame = {names[r] for r in PER_FRAME_TOPICS} - {out.input_topic}
    wanted = set(names.values()) | {"/diagnostics"}
    for topic, _type, _t, msg in iter_messages(bag, [t for t in wanted if t in present]):
        if topic == out.input_topic:
            out.input_stamps.append(stamp_ns(msg.header.stamp))
            continue
        if topic in per_frame:
            out.output_stamps.add(stamp_ns(msg.header.stamp))
        if topic == names["emotion/state"]:
            for s in msg.states:
                t = stamp_ns(s.header.stamp) or stamp_ns(msg.header.stamp)
                out.states.append((t, *_affect(s.track_id, s.short_term.label,
                                               s.short_term.labels, s.short_term.probabilities)))
        elif topic == names["faces/expression"]:
            for e in msg.expressions:
                t = stamp_ns(e.header.stamp) or stamp_ns(msg.header.stamp)
                out.expressions.append((t, *_affect(e.track_id, e.label, e.labels,
                                                    e.probabilities)))
        elif topic == names["faces/action_units"]:
            for f in msg.faces:
                t = stamp_ns(f.header.stamp) or stamp_ns(msg.header.stamp)
                out.aus.append((t, f.track_id, {int(u.code): float(u.probability)
                                                for u in f.units}))
        elif topic == names["bodies/micro_gestures"]:
            for g in msg.gestures:
                out.gestures.append((g.track_id, int(g.class_id), float(g.score),
                                     stamp_ns(g.start), stamp_ns(g.end)))
        elif topic == "/diagnostics":
            for status in msg.status:  # keep each node's latest counters
                out.diagnostics[status.name] = {kv.key: kv.value for kv in status.values}
    return out


# -- scoring ---------------------------------------------------------------------------
def _in_window(t: float, start: float | None, end: float | None) -> bool:
    return start is None or start <= t <= end  # type: ignore[operator]


def score_emotion(preds: list[tuple[float, str, str, dict[str, float]]],
                  labels: list[EmotionLabel]) -> dict[str, Any]:
    """Per segment: the label whose probabilities summed over the segment's predictions
    are highest (votes when a prediction has no distribution); per message: each
    prediction inside a labelled segment against that segment's label."""
    seg_true, seg_pred, frame_true, frame_pred = [], [], [], []
    unscored: list[dict[str, Any]] = []
    for lab in labels:
        inside = [p for p in preds if (not lab.track_id or p[1] == lab.track_id)
                  and _in_window(p[0], lab.start, lab.end)]
        if not inside:
            unscored.append(dataclasses.asdict(lab))
            continue
        totals: Counter[str] = Counter()
        for _t, _track, label, probs in inside:
            if probs:
                totals.update(probs)
            else:
                totals[label] += 1.0
            frame_true.append(lab.label)
            frame_pred.append(label)
        best = max(sorted(totals), key=lambda c: totals[c])
        seg_true.append(lab.label)
        seg_pred.append(best)
    return {"segments": classification_metrics(seg_true, seg_pred),
            "messages": classification_metrics(frame_true, frame_pred),
            "unscored_segments": len(unscored), "unscored": unscored}


def score_action_units(preds: list[tuple[float, str, dict[int, float]]],
                       labels: list[AUFrameLabel], threshold: float,
                       tolerance: float) -> dict[str, Any]:
    pairs: dict[int, list[tuple[bool, bool]]] = defaultdict(list)
    unmatched = 0
    not_estimated: Counter[int] = Counter()
    for lab in labels:
        cands = [p for p in preds if (not lab.track_id or p[1] == lab.track_id)
                 and abs(p[0] - lab.stamp) <= tolerance]
        if not cands:
            unmatched += 1
            continue
        _t, _track, probs = min(cands, key=lambda p: abs(p[0] - lab.stamp))
        for code, truth in lab.aus.items():
            if code not in probs:
                not_estimated[code] += 1
                continue
            pairs[code].append((truth, probs[code] >= threshold))
    per_au = {f"AU{c}": {"f1": binary_f1(v), "n": len(v),
                         "positives": sum(t for t, _ in v)} for c, v in sorted(pairs.items())}
    defined = [v["f1"] for v in per_au.values() if not math.isnan(v["f1"])]
    return {"per_au": per_au, "mean_f1": sum(defined) / len(defined) if defined else math.nan,
            "frames": len(labels), "unmatched_frames": unmatched,
            "not_estimated": {f"AU{c}": n for c, n in sorted(not_estimated.items())}}


def score_gestures(preds: list[tuple[str, int, float, float, float]],
                   labels: list[GestureLabel], top_k: int) -> dict[str, Any]:
    """A segment is ranked by each class's best score among gestures overlapping it."""
    top1 = topk = no_detection = 0
    for lab in labels:
        best: dict[int, float] = {}
        for track, cid, score, start, end in preds:
            if (not lab.track_id or track == lab.track_id) and start <= lab.end \
                    and end >= lab.start:
                best[cid] = max(score, best.get(cid, -math.inf))
        ranked = sorted(best, key=lambda c: (-best[c], c))
        if not ranked:
            no_detection += 1
        top1 += bool(ranked) and ranked[0] == lab.class_id
        topk += lab.class_id in ranked[:top_k]
    n = len(labels)
    return {"segments": n, "top1": top1 / n if n else math.nan,
            f"top{top_k}": topk / n if n else math.nan, "no_detection": no_detection}


def account_frames(out: BagOutputs) -> dict[str, Any]:
    processed = sum(1 for t in out.input_stamps if t in out.output_stamps)
    nodes = {name: {k: int(v) for k, v in values.items()
                    if k in ("received", "processed", "dropped", "missed", "errors",
                             "fail_closed", "abandoned")
                    and v.lstrip("-").isdigit()}
             for name, values in sorted(out.diagnostics.items())}
    dropped = sum(v.get("dropped", 0) for v in nodes.values())
    # "missed": frames a node never saw (sequence-number gaps: overwritten while it was
    # busy, or lost in transport)
    missed = sum(v.get("missed", 0) for v in nodes.values())
    # "abandoned": accepted but still in a stage when the node stopped (counted at exit)
    abandoned = sum(v.get("abandoned", 0) for v in nodes.values())
    total = len(out.input_stamps)
    return {"input_topic": out.input_topic or None, "input_frames": total,
            "with_output": processed, "without_output": total - processed,
            "reported_dropped": dropped, "reported_missed": missed,
            "reported_abandoned": abandoned,
            "unaccounted": max(0, total - processed - dropped - missed - abandoned),
            "nodes": nodes}


def evaluate(bag: str | pathlib.Path, labels: Labels, cfg: EvalConfig | None = None
             ) -> dict[str, Any]:
    """Score a bag's outputs against ``labels``; returns the JSON-ready report."""
    cfg = cfg or EvalConfig()
    out = read_outputs(bag, cfg)
    base = labels.time_base or cfg.time_base
    t0 = 0
    if base == "relative":
        anchors = out.input_stamps or [p[0] for p in out.states + out.expressions] or \
            [p[0] for p in out.aus]
        t0 = min(anchors) if anchors else 0

    def sec(ns: int) -> float:
        return (ns - t0) / NS

    source = cfg.emotion_source
    if source == "auto":
        source = "state" if out.states else "expression"
    emo_preds = [(sec(t), *rest) for t, *rest in (out.states if source == "state"
                                                   else out.expressions)]
    report: dict[str, Any] = {"bag": str(bag), "time_base": base, "t0_ns": t0,
                              "frames": account_frames(out)}
    if labels.emotion:
        report["emotion"] = {"source": source, **score_emotion(emo_preds, labels.emotion)}
    if labels.action_units:
        report["action_units"] = score_action_units(
            [(sec(t), tr, p) for t, tr, p in out.aus], labels.action_units,
            cfg.au_threshold, cfg.au_tolerance_s)
    if labels.gestures:
        report["micro_gestures"] = score_gestures(
            [(tr, c, s, sec(a), sec(b)) for tr, c, s, a, b in out.gestures], labels.gestures,
            cfg.top_k)
    return report


def json_safe(value: Any) -> Any:
    """NaN -> None recursively, so the report is strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


__all__ = ["AUFrameLabel", "BagError", "EmotionLabel", "EvalConfig", "GestureLabel",
           "LabelError", "Labels", "binary_f1", "classification_metrics", "evaluate",
           "json_safe", "load_labels", "save_confusion_png"]
