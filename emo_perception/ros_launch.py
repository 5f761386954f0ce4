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
from emo_perception.launcher import LaunchPlan, process_command
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


# Node parameters declared as strings whose values may read as another YAML type
# (``source:=0`` is camera 0, not the integer 0, which the node would refuse).
STRING_PARAMETERS = ("source", "bag")


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


@dataclasses.dataclass
class ExitDecision:
    """What the launch file does when a process exits: ``log`` the message, ``respawn``
    the process ``delay_s`` later, or ``stop`` the node set ``delay_s`` later."""

    action: str
    message: str
    delay_s: float = 0.0


class ExitPolicy:
    """Our launcher's rules for a process that exited (:class:`emo_perception.launcher.
    Launcher`), for the launch file's ``OnProcessExit`` handlers.

    launch's own ``respawn`` restarts a process whatever its exit code, so a respawned
    video source would play again after its clean end; here, as in our launcher, only a
    process that died (exit code not 0) is restarted, up to ``respawn_max_retries``."""

    def __init__(self, plan: LaunchPlan) -> None:
        self.sources = {p for p, nodes in plan.processes().items()
                        if any(n in SOURCE_NODES for n in nodes)}
        self.stop_when_source_ends = plan.stop_when_source_ends
        self.drain_s = plan.drain_s
        self.respawn = set(plan.respawn)
        self.delay_s = plan.respawn_delay_s
        self.max_retries = plan.respawn_max_retries
        self.ended: set[str] = set()
        self.restarts: dict[str, int] = {}

    def on_exit(self, process: str, returncode: int | None,
                shutting_down: bool = False) -> ExitDecision:
        if shutting_down:
            return ExitDecision("log", f"[launch] {process} stopped (exit {returncode})")
        if returncode == 0:
            if process not in self.sources or not self.stop_when_source_ends:
                return ExitDecision("log", f"[launch] {process} finished")
            self.ended.add(process)
            waiting = sorted(self.sources - self.ended)
            if waiting:
                return ExitDecision("log", f"[launch] source {process} finished; waiting "
                                           f"for {', '.join(waiting)}")
            return ExitDecision("stop", f"[launch] source {process} finished; stopping in "
                                        f"{self.drain_s:.1f} s", self.drain_s)
        died = f"[launch] {process} died (exit {returncode})"
        if process in self.respawn:
            done = self.restarts.get(process, 0)
            if self.max_retries < 0 or done < self.max_retries:
                self.restarts[process] = done + 1
                return ExitDecision("respawn", f"{died}; respawning in {self.delay_s:.1f} s "
                                               f"(restart {done + 1})", self.delay_s)
            return ExitDecision("log", f"{died}; respawn limit ({self.max_retries}) reached")
        return ExitDecision("log", f"{died}; the other nodes keep running")
