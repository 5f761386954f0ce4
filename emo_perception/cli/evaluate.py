"""``emo-perception eval BAG --labels FILE``: score the node set's outputs in a bag.

Writes ``report.json`` and ``confusion_emotion.png`` into ``--out`` and prints a summary.
Label formats: docs/bags_and_eval.md.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
from typing import Any

from emo_perception.cli import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bag", help="bag folder or .mcap file with the node set's outputs")
    parser.add_argument("--labels", action="append", required=True, metavar="FILE",
                        help="label file, CSV or JSON (repeatable: e.g. emotion + AU frames)")
    parser.add_argument("--out", default="eval_out", help="folder for report.json and plots")
    parser.add_argument("--namespace", default="/emo", help="namespace of the recorded topics")
    parser.add_argument("--emotion-source", default="auto",
                        choices=("auto", "state", "expression"),
                        help="emotion/state (fused) or faces/expression; auto = state if any")
    parser.add_argument("--time-base", choices=("relative", "absolute"),
                        help="label times: seconds from the first input frame (relative, "
                             "default) or header stamps (absolute); a JSON file may set it")
    parser.add_argument("--au-threshold", type=float, default=0.5,
                        help="AU occurrence threshold on probability (default 0.5)")
    parser.add_argument("--au-tolerance", type=float, default=0.05,
                        help="max time between an AU label frame and an output [s]")
    parser.add_argument("--top-k", type=int, default=5, help="k of micro-gesture top-k")


def _fmt(value: Any) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{100 * value:.1f} %"


def summary_lines(report: dict[str, Any]) -> list[str]:
    f = report["frames"]
    lines = [f"frames: {f['input_frames']} input ({f['input_topic']}), {f['with_output']} "
             f"with output, {f['without_output']} without, {f['reported_dropped']} drops "
             f"and {f.get('reported_missed', 0)} missed reported, "
             f"{f['unaccounted']} unaccounted"]
    if "emotion" in report:
        e = report["emotion"]
        for level in ("segments", "messages"):
            m = e[level]
            lines.append(f"emotion ({e['source']}, {level}, n={m['n']}): accuracy "
                         f"{_fmt(m['accuracy'])}, macro-F1 {_fmt(m['macro_f1'])}, UAR "
                         f"{_fmt(m['uar'])}, WAR {_fmt(m['war'])}")
        if e["unscored_segments"]:
            lines.append(f"emotion: {e['unscored_segments']} labelled segments had no "
                         f"prediction (not scored)")
    if "action_units" in report:
        a = report["action_units"]
        per = ", ".join(f"{k} {_fmt(v['f1'])}" for k, v in a["per_au"].items())
        lines.append(f"AUs ({a['frames']} frames, {a['unmatched_frames']} unmatched): mean "
                     f"F1 {_fmt(a['mean_f1'])}; {per}")
    if "micro_gestures" in report:
        g = report["micro_gestures"]
        k = next(key for key in g if key.startswith("top") and key != "top1")
        lines.append(f"micro-gestures ({g['segments']} segments, {g['no_detection']} without "
                     f"detection): top-1 {_fmt(g['top1'])}, top-{k[3:]} {_fmt(g[k])}")
    return lines


def run(args: argparse.Namespace) -> int:
    from emo_perception.bags import BagError
    from emo_perception.evaluation import (EvalConfig, LabelError, Labels, evaluate, json_safe,
                                           load_labels, save_confusion_png)

    try:
        cfg = EvalConfig(namespace=args.namespace, emotion_source=args.emotion_source,
                         time_base=args.time_base or "relative", au_threshold=args.au_threshold,
                         au_tolerance_s=args.au_tolerance, top_k=args.top_k)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    labels = Labels()
    try:
        for path in args.labels:
            labels.extend(load_labels(path))
    except LabelError as exc:
        raise CliError(str(exc)) from None
    if args.time_base:
        labels.time_base = args.time_base
    try:
        report = evaluate(args.bag, labels, cfg)
    except BagError as exc:
        raise CliError(str(exc)) from None
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if "emotion" in report and report["emotion"]["segments"]["n"]:
        png = out / "confusion_emotion.png"
        save_confusion_png(report["emotion"]["segments"], png,
                           f"emotion ({report['emotion']['source']}), per segment")
        report["emotion"]["confusion_png"] = str(png)
    (out / "report.json").write_text(json.dumps(json_safe(report), indent=2))
    for line in summary_lines(report):
        print(line)
    print(f"report: {out / 'report.json'}")
    return 0
