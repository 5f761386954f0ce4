"""``emo-perception record --out DIR``: record the node set's topics to an MCAP bag.

Runs :mod:`emo_perception.nodes.recorder_node` in this process. Private (identifying)
topics are recorded only with ``--include-private``.
"""

from __future__ import annotations

import argparse
import json
import pathlib

from emo_perception.cli import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="bag folder to create (must not exist)")
    parser.add_argument("--namespace", default="/emo", help="namespace of the node set")
    parser.add_argument("--topics", nargs="+", metavar="TOPIC",
                        help="topics to record, relative to the namespace or absolute "
                             "(default: every non-private topic and /diagnostics)")
    parser.add_argument("--include-private", action="store_true",
                        help="also record identifying private/ topics (raw frames and audio); "
                             "keep such bags on the host")
    parser.add_argument("--duration", type=float, default=0.0,
                        help="stop after this many seconds (default: until Ctrl-C)")
    parser.add_argument("--progress", type=float, default=2.0, metavar="S",
                        help="print message counts every S seconds (0 = off)")
    parser.add_argument("--reliable-streams", action="store_true",
                        help="record image/audio streams reliably (recording a replay: no "
                             "frame lost on a loaded machine; a live camera, which publishes "
                             "best effort, is then not recorded)")


def ros_args(args: argparse.Namespace) -> list[str]:
    params = {"out": str(pathlib.Path(args.out).absolute()), "target_namespace": args.namespace,
              "include_private": bool(args.include_private), "duration": float(args.duration),
              "progress_period_s": float(args.progress),
              "reliable_streams": bool(args.reliable_streams)}
    if args.topics:
        params["topics"] = list(args.topics)
    out = ["emo-perception-record", "--ros-args"]
    for key, value in params.items():
        out += ["-p", f"{key}:={json.dumps(value)}"]
    return out


def run(args: argparse.Namespace) -> int:
    if args.duration < 0:
        raise CliError("--duration must be >= 0")
    if pathlib.Path(args.out).exists():
        raise CliError(f"output {args.out!r} already exists; choose a new folder")
    from emo_perception.nodes.recorder_node import main

    return main(ros_args(args))
