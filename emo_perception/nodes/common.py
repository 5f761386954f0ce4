"""What every emo_perception node shares: parameters from config dataclasses,
diagnostics at 1 Hz, QoS profiles, and a ``main`` that spins one executor (for one node,
or several in a container process) and shuts down cleanly on SIGINT/SIGTERM.

(MultiThreadedExecutor is avoided on purpose: in the Jazzy wheels it can fall into a
100 % CPU busy loop that starves timers.)
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import faulthandler
import functools
import math
import os
import signal
import sys
import threading
import time
import typing
from typing import Any

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                ParameterType, SetParametersResult)
from rclpy.exceptions import InvalidParameterTypeException, InvalidParameterValueException
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import (DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy,
                       qos_profile_sensor_data)
from rclpy.signals import SignalHandlerOptions

from emo_perception.config import ConfigError, build_dataclass
from emo_perception.runtime_stats import LatencyWindow, RateMeter
from emo_perception.topics import BY_NAME

SENSOR_QOS = qos_profile_sensor_data  # best effort, keep last 5: streams
RESULT_QOS = QoSProfile(  # per-frame results: reliable so analysis tools miss nothing
    history=HistoryPolicy.KEEP_LAST, depth=10, reliability=ReliabilityPolicy.RELIABLE)
# Inputs a node processes newest-first: DDS keeps only the latest sample, so a node that
# was busy never works through a backlog of stale frames (drops are counted upstream).
NEWEST_ONLY_QOS = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=1, reliability=ReliabilityPolicy.BEST_EFFORT,
    durability=DurabilityPolicy.VOLATILE)
LATCHED_QOS = QoSProfile(  # rarely changing state (e.g. camera info, active config)
    history=HistoryPolicy.KEEP_LAST, depth=1, reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.TRANSIENT_LOCAL)

QOS_PROFILES = {"sensor": SENSOR_QOS, "result": RESULT_QOS, "latched": LATCHED_QOS}

_TYPE_OF: dict[Any, int] = {
    bool: ParameterType.PARAMETER_BOOL,
    int: ParameterType.PARAMETER_INTEGER,
    float: ParameterType.PARAMETER_DOUBLE,
    str: ParameterType.PARAMETER_STRING,
    list[bool]: ParameterType.PARAMETER_BOOL_ARRAY,
    list[int]: ParameterType.PARAMETER_INTEGER_ARRAY,
    list[float]: ParameterType.PARAMETER_DOUBLE_ARRAY,
    list[str]: ParameterType.PARAMETER_STRING_ARRAY,
    tuple[int, ...]: ParameterType.PARAMETER_INTEGER_ARRAY,
    tuple[float, ...]: ParameterType.PARAMETER_DOUBLE_ARRAY,
    tuple[str, ...]: ParameterType.PARAMETER_STRING_ARRAY,
}


def descriptor(name: str, ptype: int, description: str,
               value_range: tuple[float, float] | None = None,
               read_only: bool = False) -> ParameterDescriptor:
    desc = ParameterDescriptor(name=name, type=ptype, description=description,
                               read_only=read_only)
    if value_range is not None:
        lo, hi = value_range
        if ptype == ParameterType.PARAMETER_INTEGER:
            desc.integer_range = [IntegerRange(from_value=int(lo), to_value=int(hi), step=0)]
        elif ptype == ParameterType.PARAMETER_DOUBLE:
            desc.floating_point_range = [
                FloatingPointRange(from_value=float(lo), to_value=float(hi), step=0.0)]
    return desc


class EmoNode(Node):
    """Base node: declared parameters, counters, and ``/diagnostics`` at 1 Hz."""

    #: name of the backend doing the work, reported in diagnostics
    backend = "cpu"
    #: a subscription callback takes message info (rclpy's EventsExecutor cannot serve it)
    takes_message_info = False

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.kind = name  # the node's name in the stage table and node list (not remapped)
        self.latency = LatencyWindow()
        self.input_rate = RateMeter()
        self.output_rate = RateMeter()
        self.counters: dict[str, int] = {"received": 0, "processed": 0, "dropped": 0,
                                         "errors": 0}
        self.last_error = ""
        self.latency_warn_ms = float(self.declare_parameter(
            "diagnostics.latency_warn_ms", 100.0,
            descriptor("diagnostics.latency_warn_ms", ParameterType.PARAMETER_DOUBLE,
                       "p95 processing latency above which diagnostics turn WARN [ms]",
                       (1.0, 10000.0))).value)
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self._diag_timer = self.create_timer(1.0, self._publish_diagnostics)
        self._last_dropped = 0
        self._live_parameters: dict[str, str] = {}  # parameter name -> its config prefix
        self._live_configs: dict[str, Any] = {}
        self._set_callback_added = False

    # -- topics (names, types and QoS from emo_perception.topics) -------------------------
    def topic_publisher(self, name: str, qos: QoSProfile | None = None) -> Any:
        """Publisher of topic ``name`` of the topic table, with its type and QoS."""
        topic = BY_NAME[name]
        return self.create_publisher(topic.message_class, name, qos or QOS_PROFILES[topic.qos])

    def subscribe(self, name: str, callback: typing.Callable[..., None],
                  qos: QoSProfile | None = None) -> Any:
        """Subscription to topic ``name`` of the topic table (its type; its QoS unless a
        node needs another, e.g. deid_node's newest-only input)."""
        topic = BY_NAME[name]
        return self.create_subscription(topic.message_class, name, callback,
                                        qos or QOS_PROFILES[topic.qos])

    # -- parameters ------------------------------------------------------------------------
    def declare_parameter(self, name: str, value: Any = None, descriptor: Any = None,
                          ignore_override: bool = False) -> Any:
        """rclpy's, but a wrongly typed or out-of-range value from YAML or the command line
        stops the node with one line instead of a traceback."""
        try:
            return super().declare_parameter(name, value, descriptor, ignore_override)
        except (InvalidParameterTypeException, InvalidParameterValueException) as exc:
            message = str(exc).splitlines()[0]
            if "of type 'INTEGER', expecting type 'DOUBLE'" in message:
                message += " (write a decimal point, e.g. 30.0)"
            raise SystemExit(f"{self.get_name()}: bad parameter {name}: {message}") from None

    def refuse_unknown_parameters(self) -> None:
        """Stop with one line when this node was given a parameter (params file, ``-p``)
        that it never declared: rclpy drops those silently, so a misspelt key in a config
        would otherwise do nothing without a word."""
        unknown = sorted(set(self._parameter_overrides) - set(self._parameters))
        if not unknown:
            return
        hint = difflib.get_close_matches(unknown[0], list(self._parameters), n=1)
        more = f" (and {len(unknown) - 1} more: {', '.join(unknown[1:4])})" \
            if len(unknown) > 1 else ""
        raise SystemExit(f"{self.get_name()}: unknown parameter {unknown[0]!r}"
                         + (f"; did you mean {hint[0]!r}?" if hint else "") + more
                         + " (docs/ros_api.md lists every parameter)")

    def declare_config(self, prefix: str, cls: type) -> Any:
        """Declare one parameter per field of config dataclass ``cls`` (named
        ``prefix.field``, or ``field`` when prefix is empty) and build the config from them.

        Description, range and whether it may change at run time come from the field
        (:func:`emo_perception.config.setting`): a parameter is read-only unless its field
        is ``live``, so ``ros2 param set`` on a setting the stage only reads at start is
        refused instead of reporting a change that never happens.
        """
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            pname = f"{prefix}.{f.name}" if prefix else f.name
            factory = f.default_factory  # type: ignore[misc]
            default = f.default if f.default is not dataclasses.MISSING else (
                factory() if factory is not dataclasses.MISSING else None)
            ptype = _param_type(hints.get(f.name), default)
            if ptype is None:
                continue  # not a ROS parameter type: not configurable from ROS
            text = f.metadata.get("help") or f"{cls.__name__}.{f.name}"
            live = bool(f.metadata.get("live", False))
            if isinstance(default, tuple):
                default = list(default)
            value = self.declare_parameter(
                pname, default, descriptor(pname, ptype, text, f.metadata.get("range"),
                                           read_only=not live)).value
            if isinstance(f.default, tuple) and isinstance(value, list):
                value = tuple(value)
            values[f.name] = value
            if live:
                self._live_parameters[pname] = prefix
        try:
            cfg = build_dataclass(cls, values,
                                  where=f"{self.get_name()} {prefix or 'parameters'}")
        except ConfigError as exc:
            raise SystemExit(f"{self.get_name()}: bad parameter: {exc}") from None
        if prefix in self._live_parameters.values():
            self._live_configs[prefix] = cfg
            if not self._set_callback_added:
                self.add_on_set_parameters_callback(self._on_set_parameters)
                self._set_callback_added = True
        return cfg

    def declare_stages(self) -> dict[str, Any]:
        """Declare the parameters of every stage the stage table assigns to this node and
        return their configs by stage name."""
        from emo_perception.stages import stages_of

        return {s.name: self.declare_config(s.prefix, s.config) for s in stages_of(self.kind)}

    def param(self, name: str, default: Any, text: str,
              value_range: tuple[float, float] | None = None, read_only: bool = True) -> Any:
        """A node-level parameter; read-only, as the node reads it once at start."""
        ptype = _param_type(type(default), default)
        return self.declare_parameter(
            name, default, descriptor(name, ptype, text, value_range, read_only)).value

    def on_live_change(self, prefix: str, cfg: Any) -> None:
        """Apply ``cfg``, the config of ``prefix`` with changed live settings (already
        validated by its dataclass); override in nodes whose stages have live settings."""
        raise NotImplementedError(f"{self.get_name()} cannot change {prefix} live")

    def _on_set_parameters(self, params: list) -> SetParametersResult:
        updates: dict[str, dict[str, Any]] = {}
        for p in params:
            prefix = self._live_parameters.get(p.name)
            if prefix is not None:
                updates.setdefault(prefix, {})[p.name.rsplit(".", 1)[-1]] = p.value
        for prefix, values in updates.items():
            try:
                cfg = dataclasses.replace(self._live_configs[prefix], **values)
                self.on_live_change(prefix, cfg)
            except (ValueError, TypeError, NotImplementedError) as exc:
                return SetParametersResult(successful=False, reason=str(exc).splitlines()[0])
            self._live_configs[prefix] = cfg
            self.get_logger().info(f"changed live: {prefix} {values}")
        return SetParametersResult(successful=True)

    # -- diagnostics -----------------------------------------------------------------------
    def diagnostic_values(self) -> dict[str, Any]:
        """Extra key/values for this node's diagnostics (override)."""
        return {}

    def record_error(self, message: str) -> None:
        """Count an error and keep its one-line message for diagnostics (logged throttled)."""
        self.counters["errors"] += 1
        self.last_error = message.splitlines()[0][:300] if message else "error"
        self.get_logger().warning(self.last_error, throttle_duration_sec=5.0)

    def _publish_diagnostics(self) -> None:
        p50, p95 = self.latency.percentiles_ms(50, 95)
        values = {
            "input_rate_hz": f"{self.input_rate.rate():.2f}",
            "output_rate_hz": f"{self.output_rate.rate():.2f}",
            "latency_p50_ms": f"{p50:.2f}",
            "latency_p95_ms": f"{p95:.2f}",
            "backend": self.backend,
        }
        extra = self.diagnostic_values()  # may refresh counters (e.g. the runner's drops)
        values.update({k: str(v) for k, v in self.counters.items()})
        values.update({k: str(v) for k, v in extra.items()})
        if self.last_error:
            values["last_error"] = self.last_error
        level, message = DiagnosticStatus.OK, "ok"
        dropped = self.counters.get("dropped", 0)
        if dropped > self._last_dropped:
            level, message = DiagnosticStatus.WARN, f"dropping inputs ({dropped} so far)"
        if p95 == p95 and p95 > self.latency_warn_ms:  # p95 is NaN before the first item
            level, message = DiagnosticStatus.WARN, f"p95 latency {p95:.0f} ms"
        if self.counters.get("fail_closed", 0) > 0 and level == DiagnosticStatus.OK:
            message = f"fail-closed events: {self.counters['fail_closed']}"
        override = self.diagnostic_level()
        if override is not None:
            level, message = override
        self._last_dropped = dropped
        status = DiagnosticStatus(
            level=level, name=f"emo_perception: {self.get_fully_qualified_name()}",
            message=message, hardware_id=self.get_fully_qualified_name(),
            values=[KeyValue(key=k, value=str(v)) for k, v in values.items()])
        arr = DiagnosticArray()
        arr.header.stamp = self.get_clock().now().to_msg()
        arr.status = [status]
        self._diag_pub.publish(arr)

    def stop_work(self) -> None:
        """Finish or count work still in flight (override in nodes with worker threads);
        called on shutdown before the final diagnostics."""

    def diagnostic_level(self) -> tuple[bytes, str] | None:
        """Override to force a level and message (e.g. ERROR when a model is missing)."""
        return None

    # -- bookkeeping (the one place inputs, outputs, rates and latency are counted) -------
    def count_received(self) -> float:
        """An input arrived; returns its start time for :meth:`count_processed`."""
        self.counters["received"] += 1
        self.input_rate.tick()
        return time.perf_counter()

    def count_processed(self, t0: float | None = None, latency_s: float | None = None) -> None:
        """An input was handled and its outputs published. Latency: since ``t0`` (from
        :meth:`count_received`), or ``latency_s`` measured elsewhere (a worker's submit to
        result); neither: none is recorded (a non-finite one neither)."""
        self.counters["processed"] += 1
        self.output_rate.tick()
        if latency_s is None and t0 is not None:
            latency_s = time.perf_counter() - t0
        if latency_s is not None and math.isfinite(latency_s):
            self.latency.add(latency_s)


def handles_input(callback: typing.Callable[..., Any]) -> typing.Callable[..., None]:
    """Decorator of a node's input callback: counts it received, and processed (with its
    latency) unless it returns False; an exception is counted as an error with its one-line
    message in diagnostics instead of stopping the node's executor."""

    @functools.wraps(callback)
    def wrapper(self: EmoNode, *args: Any) -> None:
        t0 = self.count_received()
        try:
            handled = callback(self, *args)
        except Exception as exc:  # noqa: BLE001 - see docstring
            self.record_error(f"{callback.__name__}: {type(exc).__name__}: {exc}")
            return
        if handled is not False:
            self.count_processed(t0)

    return wrapper


def _param_type(hint: Any, default: Any) -> int | None:
    if hint in _TYPE_OF:
        return _TYPE_OF[hint]
    origin = typing.get_origin(hint)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return None
    for py_type in (bool, int, float, str):
        if type(default) is py_type:
            return _TYPE_OF[py_type]
    if isinstance(default, (list, tuple)) and default:
        first = type(default[0])
        return _TYPE_OF.get(list[first])  # type: ignore[valid-type]
    return None


EXECUTORS = ("single", "events")


def make_executor(kind: str, nodes: typing.Sequence[Node]) -> Any:
    """``single``: rclpy's SingleThreadedExecutor. ``events``: rclpy's EventsExecutor (C++,
    experimental in Jazzy; about a third less CPU per message), used only when no node
    takes message info in a callback, which it does not support."""
    if kind not in EXECUTORS:
        raise SystemExit(f"executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")
    if kind == "events":
        blockers = [n.get_name() for n in nodes if getattr(n, "takes_message_info", False)]
        if blockers:
            nodes[0].get_logger().warning(
                f"executor 'events' cannot serve {', '.join(blockers)} (callbacks take "
                "message info): using 'single'")
        else:
            from rclpy.experimental import EventsExecutor
            return EventsExecutor()
    return SingleThreadedExecutor()


def _wait_acked(node: Node, limit_s: float = 1.0) -> None:
    """Give reliable subscribers up to ``limit_s`` to acknowledge what the node published
    last (the results of frames finished while stopping, the final counters): a writer
    destroyed with unacknowledged samples loses them."""
    from rclpy.duration import Duration

    end = time.monotonic() + limit_s
    for pub in list(node.publishers):
        left = end - time.monotonic()
        if left <= 0:
            return
        try:
            pub.wait_for_all_acked(Duration(nanoseconds=int(left * 1e9)))
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass


def _drain(spinner: Any, nodes: list[Node], quiet_s: float = 0.3, limit_s: float = 3.0) -> None:
    """Keep serving nodes that asked for it (``drain_on_stop``, e.g. the recorder) after a
    signal until nothing new arrived for ``quiet_s``: messages already delivered to their
    subscriptions are handled instead of discarded with the process."""
    if not nodes:
        return
    end = time.monotonic() + limit_s
    seen = -1
    quiet_since = time.monotonic()
    while time.monotonic() < end:
        spinner.spin_once(timeout_sec=0.05)
        received = sum(getattr(n, "counters", {}).get("received", 0) for n in nodes)
        if received != seen:
            seen, quiet_since = received, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return


def run_node(node_factory: typing.Callable[[], Node], args: list[str] | None = None) -> int:
    """Init rclpy, spin ``node_factory()`` on a single-threaded executor, shut down cleanly.

    Returns the process exit code: 0 on SIGINT/SIGTERM or a normal finish, 2 when the
    node refuses to start (bad parameter, missing input), with a one-line message.
    """
    return run_nodes([node_factory], args)


def run_nodes(node_factories: typing.Sequence[typing.Callable[[], Node]],
              args: list[str] | None = None, executor: str = "single") -> int:
    """:func:`run_node` for several nodes sharing one process and one executor (a
    container): spins until a signal, or until all of them have finished (only sources
    finish, and they are never put in containers). The exit code is the highest of the
    nodes'."""
    # rclpy's own handler shuts the context down at once, while a callback or worker
    # thread may be publishing: that publish then fails with a traceback. Here a signal
    # only ends the spin loop; the nodes are destroyed first, then the context.
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():  # asked again while stopping: show where the stop is stuck
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a 2nd Ctrl-C forces

    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    nodes: list[Node] = []
    code = 0
    try:
        for factory in node_factories:
            nodes.append(factory())
            if isinstance(nodes[-1], EmoNode):
                nodes[-1].refuse_unknown_parameters()
        spinner = make_executor(executor, nodes)
        for node in nodes:
            spinner.add_node(node)
        while not stop.is_set() and rclpy.ok() and \
                not all(getattr(node, "finished", False) for node in nodes):
            spinner.spin_once(timeout_sec=0.1)
        if stop.is_set() and rclpy.ok():
            _drain(spinner, [n for n in nodes if getattr(n, "drain_on_stop", False)])
        code = max(int(getattr(node, "exit_code", 0)) for node in nodes)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            code = 2
        else:
            code = int(exc.code or 0)
    finally:
        for node in nodes:
            if rclpy.ok() and isinstance(node, EmoNode):
                try:  # accepted work first, then final counters that account for it
                    node.stop_work()
                except Exception:  # noqa: BLE001 - a failing drain must not block exit
                    pass
                try:  # final counters, so a recording accounts for every input
                    node._publish_diagnostics()
                except Exception:  # noqa: BLE001 - a failing report must not block exit
                    pass
                _wait_acked(node)
            node.destroy_node()
        rclpy.try_shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if any(getattr(node, "models_still_running", False) for node in nodes):
        # A model call that never returned: the interpreter would wait for its worker
        # thread at exit (pool threads are not daemons) until the launcher kills us.
        # Everything that needs saying has been published and logged.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


class StampCache:
    """The last ``size`` values keyed by header stamp: joins two topics that carry the
    same frame's stamp (e.g. faces and bodies of one frame) without a synchronizer."""

    def __init__(self, size: int) -> None:
        self._items: collections.OrderedDict[tuple[int, int], Any] = collections.OrderedDict()
        self._size = size

    def put(self, header, value: Any) -> None:
        self._items[(header.stamp.sec, header.stamp.nanosec)] = value
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, header, default: Any = None) -> Any:
        return self._items.get((header.stamp.sec, header.stamp.nanosec), default)


# Topics every rclpy node may touch by itself; they say nothing about a node being ready.
_HOUSEKEEPING_TOPICS = frozenset({"/parameter_events", "/rosout", "/clock"})


def nodes_not_ready(node: Node, names: typing.Sequence[str]) -> list[str]:
    """Those of ``names`` (nodes in ``node``'s namespace) that have not yet subscribed to
    any topic. Our nodes create their input subscriptions last, once their models are
    loaded, so a subscription is the sign that a node will see what is published next."""
    namespace = node.get_namespace()
    present = {n for n, ns in node.get_node_names_and_namespaces() if ns == namespace}
    waiting = []
    for name in names:
        if name not in present:
            waiting.append(name)
            continue
        try:
            topics = node.get_subscriber_names_and_types_by_node(name, namespace)
        except Exception:  # the node left the graph between the two queries
            waiting.append(name)
            continue
        if not any(topic not in _HOUSEKEEPING_TOPICS for topic, _ in topics):
            waiting.append(name)
    return waiting


class ConsumerWait:
    """Holds a file source's first output until ``names`` are ready (``nodes_not_ready``),
    then ``settle_s`` longer for discovery to match the rest of the graph. A frame of a
    video published while deid_node still loads its models would be lost uncounted; a
    camera's frames are live and never wait.

    ``poll()`` is cheap and non-blocking (a timer calls it every tick) and returns True from
    the moment the source may publish. After ``timeout_s`` it gives up with one warning
    naming the nodes still missing, and the source starts anyway."""

    def __init__(self, node: Node, names: typing.Sequence[str], timeout_s: float = 60.0,
                 settle_s: float = 1.0) -> None:
        self.node = node
        self.names = [n for n in names if n and n != node.get_name()]
        self.timeout_s = timeout_s
        self.settle_s = settle_s
        self.started = time.monotonic()
        self.ready_at: float | None = None
        self.waited_s = 0.0
        self.timed_out: list[str] = []
        self.done = not self.names
        if self.names:
            node.get_logger().info(f"holding the first output until {', '.join(self.names)} "
                                   f"have subscribed (at most {timeout_s:g} s)")

    def poll(self) -> bool:
        if self.done:
            return True
        now = time.monotonic()
        if self.ready_at is None:
            waiting = nodes_not_ready(self.node, self.names)
            if waiting and now - self.started < self.timeout_s:
                return False
            if waiting:
                self.timed_out = waiting
                self.node.get_logger().warning(
                    f"{', '.join(waiting)} not ready after {self.timeout_s:g} s; starting "
                    "anyway (what they miss is lost)")
                self.ready_at = now - self.settle_s
            else:
                self.ready_at = now
        if now - self.ready_at < self.settle_s:
            return False
        self.done = True
        self.waited_s = now - self.started
        self.node.get_logger().info(f"waited {self.waited_s:.1f} s for "
                                    f"{', '.join(self.names)}")
        return True
