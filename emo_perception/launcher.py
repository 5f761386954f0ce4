"""Our own launcher for installs without ``ros2 launch`` (the ROS 2 wheels have no launch).

Each configured node runs in its own process:
``python -m emo_perception.nodes.<node> --ros-args -r __ns:=/<ns> --params-file CONFIG``.
One process per node keeps a crash contained (the others keep running and the launcher
reports the death) and lets each node use its own core. Images cross processes through
Fast DDS shared memory (``config/fastdds_shm.xml``). Nodes the config lists under
``containers`` share one process instead (``emo_perception.nodes.container``): less CPU
and memory on small machines, one crash domain.

The launcher forwards SIGINT/SIGTERM to every node, reports a node that dies, and exits
non-zero when any node failed. Processes listed under ``respawn`` (like ros2 launch's
``respawn=True``) are started again ``respawn_delay_s`` after they die, up to
``respawn_max_retries`` times (-1: no limit); the run's exit code then reflects how each
process ended last, and every death and restart is logged and counted in diagnostics.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.util
import os
import pathlib
import signal
import subprocess
import sys
import time
from typing import Any

from emo_perception.bags import BagError, bag_info, is_bag
from emo_perception.config import (ConfigError, config_chain, config_dir, launch_settings,
                                   load_config, node_section)
from emo_perception.media_types import AUDIO_EXTENSIONS
from emo_perception.node_list import LAUNCHABLE_NODES, SOURCE_NODES

ALL_NODES = LAUNCHABLE_NODES
# Every key emo_launch may hold; anything else is a typo that would silently do nothing.
LAUNCH_KEYS = ("base", "namespace", "nodes", "transport", "discovery_range",
               "stop_when_source_ends", "drain_s", "containers", "container_executor",
               "respawn", "respawn_delay_s", "respawn_max_retries")


@dataclasses.dataclass
class LaunchPlan:
    config_path: pathlib.Path
    config_files: list[pathlib.Path]  # base first; each becomes a --params-file
    namespace: str
    nodes: list[str]
    overrides: dict[str, dict[str, str]]  # node -> {param: value}
    env: dict[str, str]
    stop_when_source_ends: bool = True
    drain_s: float = 2.0
    monitor: bool = True  # publish per-node alive/dead status on /diagnostics
    containers: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    container_executor: str = "single"
    respawn: list[str] = dataclasses.field(default_factory=list)  # process names
    respawn_delay_s: float = 1.0
    respawn_max_retries: int = -1  # -1: no limit

    def processes(self) -> dict[str, list[str]]:
        """Process name -> its nodes, in launch order: a container starts where its first
        node is listed; every other node is a process of its own, named after it."""
        home = {node: name for name, members in self.containers.items() for node in members}
        out: dict[str, list[str]] = {}
        for node in self.nodes:
            out.setdefault(home.get(node, node), []).append(node)
        return out


def _clean_namespace(ns: str) -> str:
    ns = "/" + ns.strip().strip("/")
    return ns if ns != "/" else ""


def make_plan(config: str | os.PathLike[str], source: str | None = None,
              nodes: list[str] | None = None, namespace: str | None = None,
              extra_params: list[str] | None = None, containers: list[str] | None = None,
              container_executor: str | None = None,
              respawn: list[str] | None = None, respawn_delay_s: float | None = None
              ) -> LaunchPlan:
    """Resolve config, node list, source and environment into a plan (no side effects).

    ``containers`` (``NAME=NODE,NODE``) and ``container_executor`` replace the config's.
    ``respawn`` (node or container names, or ``all``) and ``respawn_delay_s`` replace the
    config's."""
    chain = config_chain(config)
    config_path = chain[-1]
    data = load_config(config_path)
    settings = launch_settings(data)
    for key in settings:
        if key not in LAUNCH_KEYS:
            hint = difflib.get_close_matches(str(key), LAUNCH_KEYS, n=1)
            raise ConfigError(f"{config_path}: unknown emo_launch setting {key!r}"
                              + (f"; did you mean {hint[0]!r}?" if hint else ""))
    chosen = list(nodes) if nodes else list(settings.get("nodes", ["camera_node"]))
    for name in chosen:
        if name not in ALL_NODES:
            raise ConfigError(f"unknown node {name!r}; nodes are: {', '.join(ALL_NODES)}")
        if importlib.util.find_spec(f"emo_perception.nodes.{name}") is None:
            raise ConfigError(f"node {name!r} is not available in this installation")
    overrides: dict[str, dict[str, str]] = {name: {} for name in chosen}
    if source is not None and is_bag(source) and "camera_node" in chosen:
        # A bag replays through player_node (original timing, /clock), not camera_node.
        chosen[chosen.index("camera_node")] = "player_node"
        overrides["player_node"] = overrides.pop("camera_node")
    if source is not None and "player_node" in chosen and is_bag(source):
        # The player waits for the nodes that consume what it plays: a node still loading
        # its models when the first frames go out would miss them uncounted.
        try:
            played = " ".join(bag_info(source).topics)
        except BagError:  # player_node reports a broken bag itself, with one line
            played = "image_raw"
        consumers = [node for node, kind in (("deid_node", "image_raw"),
                                             ("voice_node", "audio_raw"))
                     if node in chosen and kind in played]
        overrides["player_node"].update(bag=source, clock="true", only_inputs="true",
                                        wait_for_subscribers="true")
        if consumers:
            overrides["player_node"]["wait_for_nodes"] = "[" + ",".join(consumers) + "]"
    elif source is not None:
        target = "mic_node" if pathlib.Path(source).suffix.lower() in AUDIO_EXTENSIONS \
            else "camera_node"
        if target not in chosen:
            raise ConfigError(f"--source {source!r} needs {target}, which is not launched")
        overrides[target]["source"] = source
    # A file source (video, image folder, WAV) starts when the nodes behind it are ready:
    # frames published while deid_node still loads its models are lost uncounted. A live
    # camera or microphone ignores this. The config's own wait_for_nodes, if any, wins.
    consumers = [node for node in chosen if node not in SOURCE_NODES]
    for src in ("camera_node", "mic_node"):
        if src in chosen and consumers and "wait_for_nodes" not in node_section(data, src):
            overrides[src]["wait_for_nodes"] = "[" + ",".join(consumers) + "]"
    for item in extra_params or []:
        node, _, assignment = item.partition(":")
        key, sep, value = assignment.partition("=")
        if not sep or node not in overrides or not key:
            raise ConfigError(f"--param expects NODE:NAME=VALUE for a launched node, got {item!r}")
        overrides[node][key] = value

    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if settings.get("transport", "shm") == "shm":
        profile = config_dir() / "fastdds_shm.xml"
        if not profile.is_file():
            profile = config_path.parent / "fastdds_shm.xml"
        if profile.is_file():
            env.setdefault("FASTRTPS_DEFAULT_PROFILES_FILE", str(profile))
    discovery = str(settings.get("discovery_range", "localhost")).upper()
    if discovery not in ("LOCALHOST", "SUBNET", "OFF", "SYSTEM_DEFAULT"):
        raise ConfigError(f"emo_launch.discovery_range must be localhost, subnet, off or "
                          f"system_default, got {discovery.lower()!r}")
    env.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", discovery)
    ns = namespace if namespace is not None else str(settings.get("namespace", "emo"))
    executor = container_executor or str(settings.get("container_executor", "single"))
    if executor not in ("single", "events"):
        raise ConfigError(f"emo_launch.container_executor must be single or events, "
                          f"got {executor!r}")
    plan = LaunchPlan(
        config_path=config_path, config_files=chain, namespace=_clean_namespace(ns), nodes=chosen,
        overrides=overrides, env=env,
        stop_when_source_ends=bool(settings.get("stop_when_source_ends", True)),
        drain_s=float(settings.get("drain_s", 2.0)),
        containers=_containers(settings.get("containers") or {} if containers is None
                               else _parse_containers(containers), chosen),
        container_executor=executor)
    plan.respawn = _respawn(settings.get("respawn", []) if respawn is None else respawn, plan)
    delay = settings.get("respawn_delay_s", 1.0) if respawn_delay_s is None else respawn_delay_s
    retries = settings.get("respawn_max_retries", -1)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or \
            not 0.0 <= float(delay) <= 3600.0:
        raise ConfigError(f"emo_launch.respawn_delay_s must be a number in [0, 3600], "
                          f"got {delay!r}")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < -1:
        raise ConfigError(f"emo_launch.respawn_max_retries must be an integer >= -1 "
                          f"(-1: no limit), got {retries!r}")
    plan.respawn_delay_s, plan.respawn_max_retries = float(delay), retries
    return plan


def _respawn(spec: Any, plan: LaunchPlan) -> list[str]:
    """Process names to restart when they die: ``true``/``all`` (every process), or node
    and container names (a node inside a container restarts its whole container)."""
    processes = plan.processes()
    if spec is True or spec == "all" or spec == ["all"]:
        return list(processes)
    if spec is False or spec is None or spec == "":
        return []
    if isinstance(spec, str):
        spec = [s.strip() for s in spec.split(",") if s.strip()]
    if not isinstance(spec, list) or not all(isinstance(s, str) for s in spec):
        raise ConfigError("emo_launch.respawn must be true, 'all', or a list of node names")
    home = {node: name for name, nodes in processes.items() for node in nodes}
    out: list[str] = []
    for name in spec:
        if name not in ALL_NODES and name not in plan.containers:
            raise ConfigError(f"respawn: unknown node {name!r}; nodes are: "
                              f"{', '.join(ALL_NODES)}")
        process = home.get(name, name if name in processes else None)
        if process is not None and process not in out:  # not launched: nothing to restart
            out.append(process)
    return out


def _parse_containers(items: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        name, sep, nodes = item.partition("=")
        if not sep or not name.strip() or not nodes.strip():
            raise ConfigError(f"--container expects NAME=NODE,NODE,..., got {item!r}")
        out[name.strip()] = [n.strip() for n in nodes.split(",") if n.strip()]
    return out


def _containers(spec: Any, chosen: list[str]) -> dict[str, list[str]]:
    """Validated ``emo_launch.containers`` (name -> nodes), keeping launched nodes only."""
    if not isinstance(spec, dict):
        raise ConfigError("emo_launch.containers must map a container name to a list of nodes")
    out: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for name, members in spec.items():
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise ConfigError(f"emo_launch.containers.{name} must be a list of node names")
        if name in ALL_NODES:
            raise ConfigError(f"container name {name!r} is a node's name; choose another")
        for node in members:
            if node not in ALL_NODES:
                raise ConfigError(f"emo_launch.containers.{name}: unknown node {node!r}")
            if node in SOURCE_NODES:
                # A source ends the run when its input ends; inside a container it could not.
                raise ConfigError(f"emo_launch.containers.{name}: {node} runs in a process of "
                                  "its own (sources end the run when their input ends)")
            if node in seen:
                raise ConfigError(f"{node} is in two containers: {seen[node]} and {name}")
            seen[node] = name
        launched = [node for node in members if node in chosen]
        if launched:
            out[str(name)] = launched
    return out


def node_arguments(plan: LaunchPlan, node: str) -> list[str]:
    """The ROS arguments of one node: name, parameter files, namespace, overrides."""
    args = ["--ros-args", "-r", f"__node:={node}"]
    for path in plan.config_files:
        args += ["--params-file", str(path)]
    if plan.namespace:
        args += ["-r", f"__ns:={plan.namespace}"]
    for key, value in plan.overrides.get(node, {}).items():
        if key in STRING_PARAMETERS:
            value = yaml_string(value)
        args += ["-p", f"{key}:={value}"]
    return args


# rcl reads a `-p` value as YAML: camera index 0 would arrive as an integer, which the
# string parameter refuses. The launcher's own path-like settings go in quoted.
STRING_PARAMETERS = frozenset({"source", "bag"})


def yaml_string(value: str) -> str:
    """``value`` as a YAML single-quoted scalar (a quote inside is doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def node_command(plan: LaunchPlan, node: str) -> list[str]:
    return [sys.executable, "-m", f"emo_perception.nodes.{node}", *node_arguments(plan, node)]


def container_arguments(plan: LaunchPlan, nodes: list[str]) -> list[str]:
    args = ["--executor", plan.container_executor]
    for node in nodes:
        args += ["--node", node, *node_arguments(plan, node)]
    return args


def process_command(plan: LaunchPlan, process: str) -> list[str]:
    """Command line of one process of ``plan.processes()``: a node or a container."""
    nodes = plan.processes()[process]
    if process not in plan.containers:
        return node_command(plan, nodes[0])
    return [sys.executable, "-m", "emo_perception.nodes.container",
            *container_arguments(plan, nodes)]


@dataclasses.dataclass
class ExitDecision:
    """What the launch file does when a process exits: ``log`` the message, ``respawn``
    the process ``delay_s`` later, or ``stop`` the node set ``delay_s`` later."""

    action: str
    message: str
    delay_s: float = 0.0


class ExitPolicy:
    """What happens when a process of the node set exits, for :class:`Launcher` and the
    ``ros2 launch`` file's ``OnProcessExit`` handlers alike.

    Only a process that died (exit code not 0) is restarted, up to
    ``respawn_max_retries``: launch's own ``respawn`` restarts a process whatever its exit
    code, so a respawned video source would play again after its clean end. The node set
    stops ``drain_s`` after every source ended cleanly."""

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

    def on_exit(self, process: str, returncode: int | None, shutting_down: bool = False,
                label: str | None = None, alive: list[str] | None = None) -> ExitDecision:
        """``label`` names the process in messages (a container lists its nodes);
        ``alive``, where the caller knows it, the processes still running."""
        name = label or process
        if shutting_down:
            return ExitDecision("log", f"[launch] {name} stopped (exit {returncode})")
        if returncode == 0:
            if process not in self.sources or not self.stop_when_source_ends:
                return ExitDecision("log", f"[launch] {name} finished")
            self.ended.add(process)
            waiting = sorted(self.sources - self.ended)
            if waiting:
                return ExitDecision("log", f"[launch] source {process} finished; waiting "
                                           f"for {', '.join(waiting)}")
            return ExitDecision("stop", f"[launch] source {process} finished; stopping in "
                                        f"{self.drain_s:.1f} s", self.drain_s)
        died = f"[launch] {name} died (exit {returncode}); " + (
            f"still running: {', '.join(alive) or 'none'}" if alive is not None
            else "the other nodes keep running")
        if process in self.respawn:
            done = self.restarts.get(process, 0)
            if self.max_retries < 0 or done < self.max_retries:
                self.restarts[process] = done + 1
                return ExitDecision("respawn", f"{died}; respawning in {self.delay_s:.1f} s "
                                               f"(restart {done + 1})", self.delay_s)
            return ExitDecision("log", f"{died}; respawn limit ({self.max_retries}) reached")
        return ExitDecision("log", died)


class Launcher:
    """Runs a plan's nodes as child processes and supervises them."""

    def __init__(self, plan: LaunchPlan, log=print) -> None:
        self.plan = plan
        self.log = log
        self.members = plan.processes()  # process name -> its nodes
        self.procs: dict[str, subprocess.Popen[Any]] = {}  # process name -> process
        self.exit_codes: dict[str, int] = {}
        self.restarts: dict[str, int] = {name: 0 for name in self.members}
        self._respawn_at: dict[str, float] = {}  # process name -> when to start it again
        self._drain_until: float | None = None  # every source ended: stop at this time
        self._stop_requested = False
        self.policy = ExitPolicy(plan)

    def start(self) -> None:
        self._start_monitor()
        for name in self.members:
            self._spawn(name)

    def _spawn(self, name: str) -> None:
        self.procs[name] = subprocess.Popen(process_command(self.plan, name), env=self.plan.env)
        verb = "started" if not self.restarts[name] else \
            f"respawned (restart {self.restarts[name]})"
        self.log(f"[launch] {verb} {self.label(name)} (pid {self.procs[name].pid})")

    def label(self, process: str) -> str:
        """``deid_node``, or ``analysis (au_node, gesture_node)`` for a container."""
        nodes = self.members[process]
        return process if nodes == [process] else f"{process} ({', '.join(nodes)})"

    def _start_monitor(self) -> None:
        """Per-node alive/dead diagnostics; optional (the launcher works without rclpy)."""
        self.monitor = None
        if not self.plan.monitor:
            return
        os.environ.update({k: v for k, v in self.plan.env.items()
                           if k.startswith(("ROS_", "FASTRTPS_", "RMW_"))})
        try:
            from emo_perception.nodes.launch_monitor import LaunchMonitor
        except ImportError as exc:
            self.log(f"[launch] no launcher diagnostics (rclpy unavailable: {exc})")
            return
        self.monitor = LaunchMonitor(self.plan.namespace, self.states, self.node_restarts)

    def states(self) -> dict[str, int | None]:
        """Node -> exit code of its process, None while running."""
        return {node: self.exit_codes.get(name, proc.poll())
                for name, proc in self.procs.items() for node in self.members[name]}

    def node_restarts(self) -> dict[str, int]:
        """Node -> how many times its process was respawned."""
        return {node: self.restarts[name] for name in self.procs for node in self.members[name]}

    def request_stop(self, *_args: object) -> None:
        self._stop_requested = True

    def run(self, duration: float | None = None) -> int:
        """Start, supervise until every node ended (or stop requested), return exit code."""
        old = {sig: signal.signal(sig, self.request_stop)
               for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            deadline = time.monotonic() + duration if duration else None
            while True:
                self._reap()
                now = time.monotonic()
                if not self._stop_requested:
                    self._respawn_due(now)
                if len(self.exit_codes) == len(self.procs) and not self._respawn_at:
                    break
                if self._stop_requested or (deadline and now >= deadline) or \
                        (self._drain_until and now >= self._drain_until):
                    break
                time.sleep(0.05)
            self.stop()
        finally:
            if getattr(self, "monitor", None) is not None:
                self.monitor.close()
            for sig, handler in old.items():
                signal.signal(sig, handler)
        failed = {n: c for n, c in self.exit_codes.items() if c not in (0, -signal.SIGINT)}
        if failed:
            self.log("[launch] failed nodes: "
                     + ", ".join(f"{self.label(n)} (exit {c})" for n, c in failed.items()))
            return 1
        return 0

    def _reap(self) -> None:
        for name, proc in self.procs.items():
            if name in self.exit_codes:
                continue
            code = proc.poll()
            if code is None:
                continue
            self.exit_codes[name] = code
            alive = [self.label(n) for n in self.procs if n not in self.exit_codes]
            decision = self.policy.on_exit(name, code, self._stop_requested,
                                           label=self.label(name), alive=alive)
            self.log(decision.message)
            if decision.action == "respawn":
                self._respawn_at[name] = time.monotonic() + decision.delay_s
            elif decision.action == "stop" and self._drain_until is None \
                    and len(self.exit_codes) < len(self.procs):
                self._drain_until = time.monotonic() + decision.delay_s

    def _respawn_due(self, now: float) -> None:
        for name, when in list(self._respawn_at.items()):
            if now >= when:
                del self._respawn_at[name]
                self.restarts[name] += 1
                del self.exit_codes[name]
                self._spawn(name)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGINT everyone, then SIGTERM, then SIGKILL whoever is left."""
        for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
            alive = [p for n, p in self.procs.items() if p.poll() is None]
            if not alive:
                break
            if sig != signal.SIGINT:  # say who did not stop in time (nodes print where)
                late = [self.label(n) for n, p in self.procs.items() if p in alive]
                self.log(f"[launch] {', '.join(late)} still running after "
                         f"{'SIGINT' if sig == signal.SIGTERM else 'SIGTERM'}: "
                         f"sending {signal.Signals(sig).name}")
            for proc in alive:
                proc.send_signal(sig)
            end = time.monotonic() + wait
            while time.monotonic() < end and any(p.poll() is None for p in alive):
                time.sleep(0.05)
        for name, proc in self.procs.items():
            if name not in self.exit_codes:
                code = proc.wait()
                # Stopped on request: a clean SIGINT exit is success.
                self.exit_codes[name] = 0 if code in (0, -signal.SIGINT) else code
