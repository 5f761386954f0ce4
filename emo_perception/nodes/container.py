"""Several nodes in one process, spun by one executor: a Python counterpart of ROS 2's
component containers, used by the launcher for the config's ``containers``.

    python -m emo_perception.nodes.container [--executor single|events] \\
        --node au_node --ros-args --params-file default.yaml -r __ns:=/emo \\
        --node fusion_node --ros-args ...

Each ``--node`` starts one node with its own ROS arguments (namespace, parameter files,
``-p`` overrides), so nodes sharing a process keep their own parameters. Topics between
them still go through DDS (rclpy has no intra-process transport), but one process saves
an interpreter (~120 MB), a DDS participant and its threads, and the wake-ups of one
process per message; the price is that a crash takes all of them down.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys

from emo_perception.nodes.common import EXECUTORS, EmoNode, run_nodes

USAGE = ("usage: container [--executor single|events] --node NAME [--ros-args ...] "
         "[--node NAME [--ros-args ...] ...]")


def parse_args(argv: list[str]) -> tuple[str, list[tuple[str, list[str]]]]:
    """``(executor, [(node name, its ROS arguments), ...])``; one-line SystemExit on misuse."""
    executor = "single"
    specs: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--executor" and not specs and i + 1 < len(argv):
            executor = argv[i + 1]
            i += 2
        elif arg == "--node" and i + 1 < len(argv):
            specs.append((argv[i + 1], []))
            i += 2
        elif specs:
            specs[-1][1].append(arg)
            i += 1
        else:
            raise SystemExit(f"container: unexpected argument {arg!r}\n{USAGE}")
    if not specs:
        raise SystemExit(f"container: no --node given\n{USAGE}")
    if executor not in EXECUTORS:
        raise SystemExit(f"container: --executor must be one of {', '.join(EXECUTORS)}, "
                         f"got {executor!r}")
    names = [name for name, _ in specs]
    if len(set(names)) != len(names):
        raise SystemExit(f"container: a node is listed twice: {', '.join(names)}")
    return executor, specs


def node_class(name: str) -> type[EmoNode]:
    """The node class defined in ``emo_perception.nodes.<name>``."""
    try:
        module = importlib.import_module(f"emo_perception.nodes.{name}")
    except ModuleNotFoundError:
        raise SystemExit(f"container: no node named {name!r}") from None
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if issubclass(cls, EmoNode) and cls.__module__ == module.__name__:
            return cls
    raise SystemExit(f"container: {name!r} is not an emo_perception node")


def main(args: list[str] | None = None) -> int:
    argv = sys.argv[1:] if args is None else args
    try:
        executor, specs = parse_args(argv)
        factories = [functools.partial(node_class(name), cli_args=node_args)
                     for name, node_args in specs]
    except SystemExit as exc:
        print(exc.code, file=sys.stderr)
        return 2
    # Every ROS argument belongs to one node: rclpy itself gets none (with sys.argv it
    # would apply the first node's remappings to all of them).
    return run_nodes(factories, args=[sys.argv[0]], executor=executor)


if __name__ == "__main__":
    raise SystemExit(main())
