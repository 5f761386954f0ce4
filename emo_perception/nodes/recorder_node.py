"""recorder_node: write the node set's topics to an MCAP rosbag2 folder (no rosbag2 needed).

Subscribes *raw* (serialized CDR) and writes the bytes unchanged, so recording costs no
deserialization. By default it records the de-identified and result topics of
:mod:`emo_perception.topics` plus ``/diagnostics``; topics under ``private/`` (raw images,
raw audio, face meshes) are identifying and are recorded only with ``include_private``.

Like ``ros2 bag record``, a result topic is subscribed once a publisher appears, with QoS
compatible with every publisher (best effort if any publisher is best effort, transient
local if all are latched); streams (images, audio) are subscribed best effort at start.
The bag timestamp is the receive time. Each topic is written with the QoS profiles its
publishers offered (``ros2 bag play`` replays with them); a topic that had a publisher, or
was asked for by name, is in the bag even when no message came.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy

from emo_perception import topics as topic_table
from emo_perception.bags import BagError, BagWriter, OfferedQos, typestore
from emo_perception.nodes.common import EmoNode, run_node

QUEUE_DEPTH = 100  # deep queues: the writer is fast, bursts of frames must not be lost
# Streams are published best effort live (a best-effort reader matches any publisher) and
# reliable on replay (``reliable_streams`` then loses nothing); results are reliable.
STREAM_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=QUEUE_DEPTH,
                        reliability=ReliabilityPolicy.BEST_EFFORT)
RELIABLE_STREAM_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=QUEUE_DEPTH,
                                 reliability=ReliabilityPolicy.RELIABLE)
LATCHED_RECORD_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=QUEUE_DEPTH,
                                reliability=ReliabilityPolicy.RELIABLE,
                                durability=DurabilityPolicy.TRANSIENT_LOCAL)


def is_private(name: str) -> bool:
    """Identifying topic: relative ``private/...`` or any absolute ``.../private/...``."""
    return name.startswith("private/") or "/private/" in name


def default_topics(namespace: str, include_private: bool) -> list[str]:
    """Absolute names of the topics recorded when none are given."""
    return [topic_table.qualified(t.name, namespace) for t in topic_table.TOPICS
            if include_private or not t.private]


def offered_qos(profile: QoSProfile) -> OfferedQos:
    """A publisher's QoS (from the ROS graph) as the bag records it."""
    def ns(duration: Any) -> int:
        return int(getattr(duration, "nanoseconds", 0))

    return OfferedQos(reliability=profile.reliability.name.lower(),
                      durability=profile.durability.name.lower(), depth=int(profile.depth),
                      history=profile.history.name.lower(), deadline_ns=ns(profile.deadline),
                      lifespan_ns=ns(profile.lifespan),
                      liveliness=profile.liveliness.name.lower(),
                      liveliness_lease_ns=ns(profile.liveliness_lease_duration))


def load_msg_class(type_name: str) -> Any:
    """``pkg/msg/Name`` -> the generated rclpy message class (clear error if missing)."""
    pkg, _, name = type_name.replace("/msg/", "/").partition("/")
    try:
        return getattr(importlib.import_module(f"{pkg}.msg"), name)
    except (ImportError, AttributeError):
        raise SystemExit(f"message type {type_name!r} is not installed") from None


class RecorderNode(EmoNode):
    #: on SIGINT, write what has already arrived before closing the bag
    drain_on_stop = True

    def __init__(self, **node_options: Any) -> None:
        super().__init__("recorder_node", **node_options)
        self.out = str(self.param("out", "", "output bag folder (must not exist)",
                                  read_only=True))
        namespace = str(self.param("target_namespace", "/emo",
                                   "namespace of the node set whose topics are recorded"))
        self.namespace = topic_table.qualified("", namespace).rstrip("/")
        requested = [t for t in self.param(
            "topics", [""], "topics to record, relative to target_namespace or absolute "
            "(empty = every non-private topic + /diagnostics)") if t]
        self.include_private = bool(self.param(
            "include_private", False, "also record identifying private/ topics (raw frames, "
            "raw audio, face meshes); off unless set explicitly"))
        self.duration = float(self.param("duration", 0.0, "stop after this many seconds "
                                         "(0 = until SIGINT)", (0.0, 1e7)))
        self.progress_s = float(self.param("progress_period_s", 2.0, "print message counts "
                                           "this often (0 = never)", (0.0, 3600.0)))
        self.reliable_streams = bool(self.param(
            "reliable_streams", False, "subscribe to image and audio streams reliably: for "
            "recording a replay (player_node offers them reliable), so a loaded machine loses "
            "no frame; a live camera publishes best effort and is then not recorded"))
        if not self.out:
            raise SystemExit("recorder_node: parameter 'out' (bag folder) is required")
        if requested:
            names = [topic_table.qualified(t, namespace) for t in requested]
            refused = [n for n in names if is_private(n)] if not self.include_private else []
            if refused:
                raise SystemExit(f"recorder_node: {', '.join(refused)} identifying; record "
                                 f"private topics only with include_private (--include-private)")
        else:
            names = default_topics(namespace, self.include_private)
        self.wanted = list(dict.fromkeys(names))
        self.known_types = {topic_table.qualified(t.name, namespace): t.type
                            for t in topic_table.TOPICS}
        self.known_qos = {topic_table.qualified(t.name, namespace): t.qos
                          for t in topic_table.TOPICS}
        try:
            typestore()  # built once (~0.5 s): now rather than on the first message
            self.writer = BagWriter(self.out).open()
        except BagError as exc:
            raise SystemExit(f"recorder_node: {exc}") from None
        self.subs: dict[str, Any] = {}
        self.types: dict[str, str] = {}
        self.requested = set(names) if requested else set()
        # topic -> QoS its publishers offered, noted when a publisher is first seen
        self.offered: dict[str, list[OfferedQos]] = {}
        self.started = time.monotonic()
        self.finished = False
        self.exit_code = 0
        # Topics of the node set's table: subscribe now, with the QoS the table says their
        # publishers offer, so no early message is missed while discovery catches up (a
        # node's first results can go out before a polled discovery would see it).
        for name in self.wanted:
            if name not in self.known_types:
                continue
            kind = self.known_qos[name]
            if kind == "sensor":
                qos = RELIABLE_STREAM_QOS if self.reliable_streams else STREAM_QOS
            elif kind == "latched":
                qos = LATCHED_RECORD_QOS
            else:
                qos = RELIABLE_STREAM_QOS
            self._subscribe(name, self.known_types[name], qos)
        self._discover()
        self._discover_timer = self.create_timer(0.2, self._discover)
        if self.progress_s > 0:
            self._progress_timer = self.create_timer(self.progress_s, self._progress)
        if self.duration > 0:
            self._stop_timer = self.create_timer(self.duration, self._stop)
        print(f"[record] writing {self.out}: {len(self.wanted)} topics"
              f"{' (private included)' if self.include_private else ''}", flush=True)

    # -- subscriptions -------------------------------------------------------------------
    def _discover(self) -> None:
        for name in self.wanted:
            if name in self.subs and name in self.offered:
                continue
            infos = self.get_publishers_info_by_topic(name)
            if not infos:
                continue
            if name not in self.offered:
                self.offered[name] = [offered_qos(i.qos_profile) for i in infos]
            if name in self.subs:
                continue
            type_name = infos[0].topic_type
            if any(i.topic_type != type_name for i in infos):
                self.record_error(f"{name} has publishers of different types; not recorded")
                continue
            reliable = all(i.qos_profile.reliability == ReliabilityPolicy.RELIABLE
                           for i in infos)
            latched = all(i.qos_profile.durability == DurabilityPolicy.TRANSIENT_LOCAL
                          for i in infos)
            qos = QoSProfile(
                history=HistoryPolicy.KEEP_LAST, depth=QUEUE_DEPTH,
                reliability=ReliabilityPolicy.RELIABLE if reliable
                else ReliabilityPolicy.BEST_EFFORT,
                durability=DurabilityPolicy.TRANSIENT_LOCAL if latched
                else DurabilityPolicy.VOLATILE)
            self._subscribe(name, type_name, qos)

    def _subscribe(self, name: str, type_name: str, qos: QoSProfile) -> None:
        self.types[name] = type_name
        self.subs[name] = self.create_subscription(
            load_msg_class(type_name), name, lambda data, n=name: self._on_message(n, data),
            qos, raw=True)
        self.get_logger().info(f"recording {name} ({type_name})")

    def _on_message(self, name: str, data: bytes) -> None:
        t0 = self.count_received()
        received_ns = self.get_clock().now().nanoseconds  # before any bookkeeping below
        try:
            if name not in self.writer.counts:
                self._add_topic(name)
            self.writer.write_raw(name, self.types[name], received_ns, data)
        except BagError as exc:
            self.record_error(str(exc))
            return
        self.count_processed(t0)

    def _add_topic(self, name: str) -> None:
        if name not in self.offered:  # a message can arrive before the next graph poll
            infos = self.get_publishers_info_by_topic(name)
            if infos:
                self.offered[name] = [offered_qos(i.qos_profile) for i in infos]
        self.writer.add_topic(name, self.types[name], self.offered.get(name))

    def _add_silent_topics(self) -> None:
        """Topics that had a publisher, or were asked for, but got no message."""
        for name in self.wanted:
            if name in self.writer.counts or name not in self.types:
                continue
            if name in self.offered or name in self.requested:
                try:
                    self._add_topic(name)
                except BagError as exc:
                    self.record_error(str(exc))

    # -- progress and stop ---------------------------------------------------------------
    def _progress(self) -> None:
        elapsed = time.monotonic() - self.started
        total = sum(self.writer.counts.values())
        per_topic = ", ".join(f"{k.removeprefix(self.namespace + '/')}={v}"
                              for k, v in sorted(self.writer.counts.items()))
        print(f"[record] {elapsed:6.1f} s  {total} messages  {per_topic}", flush=True)

    def _stop(self) -> None:
        self.finished = True

    def diagnostic_values(self) -> dict[str, object]:
        return {"bag": self.out, "topics_recording": len(self.subs),
                "messages_written": sum(self.writer.counts.values())}

    def summary(self) -> str:
        lines = [f"[record] {self.out}: {sum(self.writer.counts.values())} messages"]
        for name in self.wanted:
            lines.append(f"  {self.writer.counts.get(name, 0):7d}  {name}")
        return "\n".join(lines)

    def destroy_node(self) -> None:
        self._add_silent_topics()
        self.writer.close()
        print(self.summary(), flush=True)
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    return run_node(RecorderNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
