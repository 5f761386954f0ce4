"""``emo-perception launch CONFIG [--source ...]``: start the node set without ros2 launch."""

from __future__ import annotations

import argparse
import shlex

from emo_perception.cli import CliError
from emo_perception.config import ConfigError
from emo_perception.launcher import Launcher, make_plan, process_command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", default="default.yaml",
                        help="YAML config (path, or name of a shipped config: default, cpu, "
                             "desktop_gpu, jetson)")
    parser.add_argument("--source", help="camera index, video file, image file or folder, "
                                         "bag, or WAV file (for mic_node)")
    parser.add_argument("--nodes", help="comma-separated nodes to run (default: the config's)")
    parser.add_argument("--namespace", help="namespace of the node set (default: the config's)")
    parser.add_argument("--param", action="append", default=[], metavar="NODE:NAME=VALUE",
                        help="override one node parameter (repeatable)")
    parser.add_argument("--container", action="append", metavar="NAME=NODE,NODE",
                        help="run these nodes in one process (repeatable; replaces the "
                             "config's containers)")
    parser.add_argument("--no-containers", action="store_true",
                        help="one process per node, whatever the config says")
    parser.add_argument("--container-executor", choices=("single", "events"),
                        help="executor of container processes (default: the config's)")
    parser.add_argument("--respawn", metavar="NODE,NODE|all",
                        help="restart these nodes (or containers) when they die (replaces "
                             "the config's emo_launch.respawn)")
    parser.add_argument("--respawn-delay", type=float, metavar="S",
                        help="seconds between a death and the restart (default: the "
                             "config's respawn_delay_s, 1.0)")
    parser.add_argument("--use-sim-time", action="store_true",
                        help="run the nodes on /clock (player_node, which publishes it from "
                             "a bag, excepted), as ros2 launch's use_sim_time:=true")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the process commands and exit")


def run(args: argparse.Namespace) -> int:
    nodes = [n.strip() for n in args.nodes.split(",") if n.strip()] if args.nodes else None
    try:
        plan = make_plan(args.config, source=args.source, nodes=nodes,
                         namespace=args.namespace, extra_params=args.param,
                         containers=[] if args.no_containers else args.container,
                         container_executor=args.container_executor,
                         respawn=None if args.respawn is None else
                         [n.strip() for n in args.respawn.split(",") if n.strip()],
                         respawn_delay_s=args.respawn_delay)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    if args.use_sim_time:
        from emo_perception.ros_launch import use_sim_time

        use_sim_time(plan)
    if args.dry_run:
        for process in plan.processes():
            print(shlex.join(process_command(plan, process)))
        return 0
    return Launcher(plan).run(duration=args.duration)
