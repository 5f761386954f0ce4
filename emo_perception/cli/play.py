"""``emo-perception play BAG``: publish a bag with its original timing (no rosbag2 needed).

Runs :mod:`emo_perception.nodes.player_node` in this process. On a ROS install
``ros2 bag play BAG --clock`` plays the same bags.
"""

from __future__ import annotations

import argparse
import json

from emo_perception.bags import BagError, bag_info
from emo_perception.cli import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bag", help="bag folder or .mcap file")
    parser.add_argument("--rate", type=float, default=1.0, help="speed factor (default 1.0)")
    parser.add_argument("--loop", action="store_true", help="restart at the end")
    parser.add_argument("--clock", action="store_true",
                        help="publish /clock with bag time (start nodes with use_sim_time)")
    parser.add_argument("--topics", nargs="+", metavar="TOPIC", help="play only these topics")
    parser.add_argument("--remap", action="append", default=[], metavar="OLD:=NEW",
                        help="publish topic OLD as NEW (absolute names; repeatable)")
    parser.add_argument("--wait-for-subscribers", action="store_true",
                        help="after --delay, wait (up to 30 s) until every played topic has "
                             "a subscriber")
    parser.add_argument("--delay", type=float, default=1.0,
                        help="seconds to wait before the first message (default 1.0)")


def ros_args(args: argparse.Namespace) -> list[str]:
    params: dict[str, object] = {"bag": args.bag, "rate": float(args.rate),
                                 "loop": bool(args.loop), "clock": bool(args.clock),
                                 "start_delay_s": float(args.delay),
                                 "wait_for_subscribers": bool(args.wait_for_subscribers)}
    if args.topics:
        params["topics"] = list(args.topics)
    if args.remap:
        params["remap"] = list(args.remap)
    out = ["emo-perception-play", "--ros-args"]
    for key, value in params.items():
        out += ["-p", f"{key}:={json.dumps(value)}"]
    return out


def run(args: argparse.Namespace) -> int:
    if not 0.01 <= args.rate <= 100.0:
        raise CliError("--rate must be within [0.01, 100]")
    if not 0.0 <= args.delay <= 60.0:
        raise CliError("--delay must be within [0, 60] seconds")
    try:
        info = bag_info(args.bag)  # fail fast, before ROS starts
    except BagError as exc:
        raise CliError(str(exc)) from None
    print(f"[play] {args.bag}: {info.message_count} messages, {info.duration_s:.1f} s",
          flush=True)
    from emo_perception.nodes.player_node import main

    return main(ros_args(args))
