"""What ``launch/emo_perception.launch.py`` hands to ``ros2 launch``, kept free of the launch
packages (the ROS 2 wheels have none) so it is tested where launch is not installed.

The launch file declares :data:`LAUNCH_ARGUMENTS`, resolves them with the same
:func:`emo_perception.launcher.make_plan` as ``emo-perception launch``, and starts one
:class:`LaunchEntry` per process of the plan.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import sys
from typing import Any

from emo_perception.config import ConfigError
from emo_perception.launcher import STRING_PARAMETERS, LaunchPlan, process_command
from emo_perception.node_list import SOURCE_NODES


@dataclasses.dataclass(frozen=True)
class LaunchArgument:
    name: str
    default: str
    description: str


# ``ros2 launch emo_perception emo_perception.launch.py NAME:=VALUE``: the launch file
# declares exactly these.
LAUNCH_ARGUMENTS = (
    LaunchArgument("config", "default.yaml", "YAML config: a path or a shipped name "
                   "(default, cpu, desktop_gpu, jetson)"),
    LaunchArgument("source", "", "camera index, video, image folder, bag or WAV (empty = "
                   "the config's)"),
    LaunchArgument("nodes", "", "comma-separated nodes (empty = the config's)"),
    LaunchArgument("namespace", "", "namespace (empty = the config's, default emo)"),
    LaunchArgument("use_sim_time", "false", "run the nodes on /clock (e.g. from ros2 bag "
                   "play --clock); a bag source starts player_node, which publishes it"),
)


def parse_bool(name: str, text: str) -> bool:
    """``true``/``false`` (any case; also 1/0, yes/no, on/off) of a launch argument."""
    value = text.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, got {text!r}")


def use_sim_time(plan: LaunchPlan) -> LaunchPlan:
    """Set the ROS parameter ``use_sim_time`` on every node of ``plan`` but player_node,
    whose /clock is the simulated time (an explicit override of a node is kept)."""
    for node in plan.nodes:
        if node != "player_node":
            plan.overrides.setdefault(node, {}).setdefault("use_sim_time", "true")
    return plan


@dataclasses.dataclass
class LaunchEntry:
    """One process of a plan as ``ros2 launch`` starts it: a node through launch_ros
    (executable ``nodes[0]`` of package emo_perception, its namespace and parameters), or a
    container as a plain ``command``."""

    process: str
    nodes: list[str]
    namespace: str
    parameters: list[Any]  # config file paths, then a dict of the node's overrides if any
    command: list[str] | None  # containers only
    is_source: bool  # its end (exit 0) ends the run unless the config says otherwise
    respawn: bool = False  # emo_launch.respawn: restarted when it dies (ExitPolicy)
    respawn_delay: float = 0.0
    respawn_max_retries: int = -1


def override_value(key: str, text: str) -> Any:
    """A ``-p KEY:=TEXT`` override as a launch_ros parameter value: parsed as YAML like the
    command line does, except the string parameters above."""
    import yaml

    return text if key in STRING_PARAMETERS else yaml.safe_load(text)


def installed_interpreter(node: str, fallback: str = sys.executable) -> str:
    """The Python that runs ``node``'s installed executable (``lib/emo_perception/<node>``
    of the package's ament prefix; colcon writes its Python into the first line).

    ``ros2 launch`` runs on the system Python, which on an install with a venv for
    mediapipe & co. (README) cannot run the nodes; a container must use the nodes' Python.
    ``fallback`` where the package is not in an ament prefix or the line names no file."""
    try:
        from ament_index_python.packages import PackageNotFoundError, get_package_prefix
    except ImportError:
        return fallback
    try:
        prefix = get_package_prefix("emo_perception")
    except (PackageNotFoundError, LookupError, OSError, ValueError):
        return fallback
    script = os.path.join(prefix, "lib", "emo_perception", node)
    try:
        with open(script, "rb") as fh:
            first = fh.readline(4096).decode("utf-8", "replace").strip()
    except OSError:
        return fallback
    if not first.startswith("#!"):
        return fallback
    words = shlex.split(first[2:])
    if len(words) == 1 and os.path.isfile(words[0]) and os.access(words[0], os.X_OK):
        return words[0]
    return fallback


def launch_entries(plan: LaunchPlan) -> list[LaunchEntry]:
    out = []
    for process, members in plan.processes().items():
        params: list[Any] = [str(p) for p in plan.config_files]
        command = None
        if process in plan.containers:
            # Nodes sharing a process each carry their own ROS arguments; launch_ros's
            # Node would append process-wide ones, so a container is a plain command,
            # run by the Python of the installed node executables.
            command = process_command(plan, process)
            if command[0] == sys.executable:
                command[0] = installed_interpreter(members[0])
        elif plan.overrides.get(members[0]):
            # -p on the command line parses values as YAML; do the same here.
            params.append({k: override_value(k, v)
                           for k, v in plan.overrides[members[0]].items()})
        out.append(LaunchEntry(process, list(members), plan.namespace.lstrip("/"), params,
                               command, any(n in SOURCE_NODES for n in members),
                               process in plan.respawn, plan.respawn_delay_s,
                               plan.respawn_max_retries))
    return out
