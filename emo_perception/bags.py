"""rosbag2 bags without ROS: a typestore that knows our messages, MCAP writing, reading.

Everything here uses the pure-Python ``rosbags`` library, so recording tools, the player's
reader, ``eval`` and the tests share one way to open bags. Our own message types are
registered from the ``.msg`` files of ``emo_perception_msgs`` (the repository copy or the
one installed under ``<prefix>/share``); ``rosbags`` computes the same RIHS01 type hashes
as rosidl, so ``ros2 bag play`` accepts the bags we write.

Bags carry what ``ros2 bag play`` needs to replay a topic as it was published: the QoS
profiles its publishers offered (``offered_qos_profiles``; without them rosbag2 falls back
to its default QoS, so latched and best-effort topics replay wrongly), the ROS distribution
(``ros_distro``), and every recorded topic, also one that got no message.

Every failure to open or read a bag is raised as :class:`BagError` with a one-line
message naming the bag.
"""

from __future__ import annotations

import dataclasses
import functools
import pathlib
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from emo_perception import topics as topic_table

MSG_PACKAGE = "emo_perception_msgs"
_REPO_MSG_DIR = pathlib.Path(__file__).resolve().parents[1] / MSG_PACKAGE / "msg"
_REPO_HRI_DIR = pathlib.Path(__file__).resolve().parents[1] / "hri_msgs" / "msg"

# Primitive ROS types -> numpy dtype used by rosbags for arrays/sequences of them.
_DTYPES = {
    "bool": np.bool_, "byte": np.uint8, "char": np.uint8, "int8": np.int8, "uint8": np.uint8,
    "int16": np.int16, "uint16": np.uint16, "int32": np.int32, "uint32": np.uint32,
    "int64": np.int64, "uint64": np.uint64, "float32": np.float32, "float64": np.float64,
}


# The distribution our wheels and messages are built for (metadata ``ros_distro``; rosbags
# itself writes "rosbags" there).
ROS_DISTRO = "jazzy"
# rmw's "infinite" duration as rosbag2 stores it (deadline, lifespan, lease of default QoS).
_INFINITE_NS = 0x7FFFFFFFFFFFFFFF


@dataclasses.dataclass(frozen=True)
class OfferedQos:
    """One publisher's QoS as rosbag2 records it. Durations in ns; 0 = unspecified,
    ``_INFINITE_NS`` = infinite (what rmw reports for a default profile)."""

    reliability: str = "reliable"  # reliable | best_effort
    durability: str = "volatile"  # volatile | transient_local
    depth: int = 10
    history: str = "keep_last"  # keep_last | keep_all
    deadline_ns: int = _INFINITE_NS
    lifespan_ns: int = _INFINITE_NS
    liveliness: str = "automatic"
    liveliness_lease_ns: int = _INFINITE_NS

    def to_rosbags(self) -> Any:
        from rosbags.interfaces import (Qos, QosDurability, QosHistory, QosLiveliness,
                                        QosReliability, QosTime)

        def duration(ns: int) -> Any:
            ns = max(0, int(ns))
            return QosTime(ns // 1_000_000_000, ns % 1_000_000_000)

        try:
            return Qos(QosHistory[self.history.upper()], int(self.depth),
                       QosReliability[self.reliability.upper()],
                       QosDurability[self.durability.upper()], duration(self.deadline_ns),
                       duration(self.lifespan_ns), QosLiveliness[self.liveliness.upper()],
                       duration(self.liveliness_lease_ns), False)
        except KeyError as exc:
            raise BagError(f"unknown QoS policy value {exc.args[0]!r}") from None


# What the node set's publishers offer per kind of topic (emo_perception.nodes.common).
TABLE_QOS = {
    "sensor": OfferedQos(reliability="best_effort", depth=5),
    "result": OfferedQos(depth=10),
    "latched": OfferedQos(durability="transient_local", depth=1),
}


def table_qos(topic: str) -> OfferedQos:
    """The QoS our nodes offer on ``topic`` (absolute, any namespace; a topic outside the
    topic table gets rclpy's default: reliable, volatile, keep last 10)."""
    for t in topic_table.TOPICS:
        if topic == t.name or (not t.name.startswith("/") and topic.endswith("/" + t.name)):
            return TABLE_QOS[t.qos]
    return OfferedQos()


class BagError(Exception):
    """A bag could not be opened, read or written (one-line message)."""


def _one_line(prefix: str, exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{prefix}: {text}"


def msg_dir() -> pathlib.Path:
    """Folder with the ``.msg`` files of our interface package."""
    # The installed definitions first: the running nodes' messages were generated from
    # them, and a bag must describe what was published (a source .msg edited but not yet
    # rebuilt made bags whose schema other readers could not decode).
    candidates = [pathlib.Path(sys.prefix) / "share" / MSG_PACKAGE / "msg", _REPO_MSG_DIR]
    for path in candidates:
        if path.is_dir() and any(path.glob("*.msg")):
            return path
    raise BagError(f"cannot find {MSG_PACKAGE} .msg files (looked in "
                   f"{', '.join(str(p) for p in candidates)})")


@functools.lru_cache(maxsize=1)
def typestore() -> Any:
    """A ROS 2 Jazzy typestore with every ``emo_perception_msgs`` message registered."""
    from rosbags.typesys import Stores, get_types_from_msg, get_typestore

    store = get_typestore(Stores.ROS2_JAZZY)
    types: dict[str, Any] = {}
    for path in sorted(msg_dir().glob("*.msg")):
        types.update(get_types_from_msg(path.read_text(), f"{MSG_PACKAGE}/msg/{path.stem}"))
    # REP-155 messages of hri_bridge_node, so /humans topics can be recorded too: the
    # installed ones (the real hri_msgs or our build of the copy), else the copy's source.
    for folder in (pathlib.Path(sys.prefix) / "share" / "hri_msgs" / "msg", _REPO_HRI_DIR):
        if folder.is_dir() and any(folder.glob("*.msg")):
            for path in sorted(folder.glob("*.msg")):
                types.update(get_types_from_msg(path.read_text(), f"hri_msgs/msg/{path.stem}"))
            break
    store.register(types)
    return store


def is_bag(spec: str | pathlib.Path) -> bool:
    """True for a rosbag2 folder (metadata.yaml or .mcap/.db3 inside) or an .mcap/.db3 file."""
    path = pathlib.Path(spec)
    if path.is_dir():
        return (path / "metadata.yaml").exists() or any(path.glob("*.mcap")) or any(
            path.glob("*.db3"))
    return path.suffix.lower() in (".mcap", ".db3")


def new_message(msgtype: str, **fields: Any) -> Any:
    """A rosbags message of ``msgtype`` with every field defaulted (zero, empty), then
    ``fields`` applied. Nested messages are defaulted recursively."""
    store = typestore()
    try:
        msgdef = store.get_msgdef(msgtype)
    except KeyError:
        raise BagError(f"unknown message type {msgtype!r}") from None
    values: dict[str, Any] = {}
    for name, (nodetype, desc) in msgdef.fields:
        values[name] = _default(nodetype, desc)
    unknown = set(fields) - set(values)
    if unknown:
        raise BagError(f"{msgtype} has no field(s) {sorted(unknown)}")
    values.update(fields)
    return msgdef.cls(**values)


def _default(nodetype: Any, desc: Any) -> Any:
    kind = int(nodetype)
    if kind == 1:  # BASE: (type, max string length)
        name = desc[0]
        if name == "string":
            return ""
        if name == "bool":
            return False
        return 0.0 if name.startswith("float") else 0
    if kind == 2:  # NAME: a nested message
        return new_message(desc)
    sub, count = desc  # ARRAY (fixed length) or SEQUENCE (count = max length)
    sub_kind, sub_desc = sub
    if int(sub_kind) == 1 and sub_desc[0] in _DTYPES:
        return np.zeros(count if kind == 3 else 0, dtype=_DTYPES[sub_desc[0]])
    if kind == 3:
        return [_default(sub_kind, sub_desc) for _ in range(count)]
    return []


def serialize(msg: Any, msgtype: str) -> bytes:
    return bytes(typestore().serialize_cdr(msg, msgtype))


def deserialize(raw: bytes | memoryview, msgtype: str) -> Any:
    return typestore().deserialize_cdr(raw, msgtype)


class BagWriter:
    """MCAP rosbag2 writer (rosbag2 metadata version 9) for raw CDR or rosbags messages.

    A topic is added with :meth:`add_topic` (with the QoS its publishers offered), or on its
    first message with the QoS the topic table gives it; ``counts`` keeps the number of
    messages written per topic (0 for a topic added without messages).
    """

    def __init__(self, path: str | pathlib.Path, ros_distro: str = ROS_DISTRO) -> None:
        from rosbags.rosbag2 import StoragePlugin, Writer

        self.path = pathlib.Path(path)
        if self.path.exists():
            raise BagError(f"output {str(self.path)!r} already exists; choose a new folder")
        if not self.path.parent.is_dir():
            raise BagError(f"parent folder of {str(self.path)!r} does not exist")
        self._writer = Writer(self.path, version=9, storage_plugin=StoragePlugin.MCAP)
        self.ros_distro = ros_distro
        self._conns: dict[str, Any] = {}
        self.counts: dict[str, int] = {}
        self._open = False

    def open(self) -> "BagWriter":
        try:
            self._writer.open()
        except Exception as exc:  # rosbags raises WriterError, OSError, ...
            raise BagError(_one_line(f"cannot create bag {str(self.path)!r}", exc)) from exc
        self._open = True
        return self

    def __enter__(self) -> "BagWriter":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        # rosbags writes its own name as the distribution, into metadata.yaml and into the
        # copy of the metadata inside the MCAP file; both get ours.
        storage = self._writer.storage
        if storage is not None:
            close_storage = storage.close
            storage.close = lambda version, text: close_storage(version, self._distro(text))
        self._writer.close()
        meta = self.path / "metadata.yaml"
        if meta.is_file():
            meta.write_text(self._distro(meta.read_text()))

    def _distro(self, text: str) -> str:
        return text.replace("ros_distro: rosbags", f"ros_distro: {self.ros_distro}")

    def add_topic(self, topic: str, msgtype: str,
                  offered_qos: Iterable[OfferedQos] | None = None) -> None:
        """Add ``topic`` to the bag now (listed even if no message follows), with the QoS
        profiles its publishers offered (default: the topic table's)."""
        if topic in self._conns:
            if self._conns[topic].msgtype != msgtype:
                raise BagError(f"topic {topic} already recorded as "
                               f"{self._conns[topic].msgtype}, got {msgtype}")
            return
        profiles = list(offered_qos) if offered_qos is not None else [table_qos(topic)]
        try:
            conn = self._writer.add_connection(
                topic, msgtype, typestore=typestore(),
                offered_qos_profiles=[q.to_rosbags() for q in profiles])
        except BagError:
            raise
        except Exception as exc:  # unknown type definitions, duplicate topics
            raise BagError(_one_line(f"cannot add topic {topic} ({msgtype})", exc)) from exc
        self._conns[topic] = conn
        self.counts.setdefault(topic, 0)

    def write_raw(self, topic: str, msgtype: str, stamp_ns: int, data: bytes) -> None:
        """Write serialized CDR ``data`` (with its 4-byte encapsulation header)."""
        conn = self._conns.get(topic)
        if conn is None:
            self.add_topic(topic, msgtype)
            conn = self._conns[topic]
        elif conn.msgtype != msgtype:
            raise BagError(f"topic {topic} already recorded as {conn.msgtype}, got {msgtype}")
        self._writer.write(conn, int(stamp_ns), data)
        self.counts[topic] = self.counts.get(topic, 0) + 1

    def write(self, topic: str, msgtype: str, stamp_ns: int, msg: Any) -> None:
        self.write_raw(topic, msgtype, stamp_ns, serialize(msg, msgtype))


@dataclasses.dataclass
class TopicInfo:
    name: str
    msgtype: str
    count: int


@dataclasses.dataclass
class BagInfo:
    path: pathlib.Path
    topics: dict[str, TopicInfo]
    start_ns: int
    end_ns: int

    @property
    def duration_s(self) -> float:
        return max(0, self.end_ns - self.start_ns) * 1e-9

    @property
    def message_count(self) -> int:
        return sum(t.count for t in self.topics.values())


def _reader(path: pathlib.Path) -> Any:
    from rosbags.highlevel import AnyReader

    if not path.exists():
        raise BagError(f"bag {str(path)!r} does not exist")
    if not is_bag(path):
        raise BagError(f"{str(path)!r} is not a rosbag2 folder or .mcap/.db3 file")
    return AnyReader([path], default_typestore=typestore())


def bag_info(path: str | pathlib.Path) -> BagInfo:
    """Topics, types, message counts and time span of a bag (reads the metadata only)."""
    path = pathlib.Path(path)
    try:
        with _reader(path) as reader:
            topics: dict[str, TopicInfo] = {}
            for conn in reader.connections:
                info = topics.setdefault(conn.topic, TopicInfo(conn.topic, conn.msgtype, 0))
                info.count += conn.msgcount
            return BagInfo(path, topics, int(reader.start_time), int(reader.end_time))
    except BagError:
        raise
    except Exception as exc:  # rosbags raises many unrelated types for damaged bags
        raise BagError(_one_line(f"cannot read bag {str(path)!r}", exc)) from exc


def iter_raw(path: str | pathlib.Path, topics: Iterable[str] | None = None
             ) -> Iterator[tuple[str, str, int, bytes]]:
    """Yield ``(topic, msgtype, log_time_ns, cdr_bytes)`` in log-time order.

    A damaged bag raises :class:`BagError` (possibly after yielding the readable part):
    callers decide whether a partial read is acceptable.
    """
    path = pathlib.Path(path)
    wanted = set(topics) if topics is not None else None
    try:
        with _reader(path) as reader:
            conns = [c for c in reader.connections if wanted is None or c.topic in wanted]
            if wanted is not None and not conns:
                return
            for conn, stamp, raw in reader.messages(connections=conns):
                yield conn.topic, conn.msgtype, int(stamp), bytes(raw)
    except BagError:
        raise
    except Exception as exc:  # see bag_info
        raise BagError(_one_line(f"cannot read bag {str(path)!r}", exc)) from exc


def iter_messages(path: str | pathlib.Path, topics: Iterable[str] | None = None
                  ) -> Iterator[tuple[str, str, int, Any]]:
    """Like :func:`iter_raw` but deserialized; an undecodable message raises BagError."""
    for topic, msgtype, stamp, raw in iter_raw(path, topics):
        try:
            msg = deserialize(raw, msgtype)
        except Exception as exc:  # rosbags' CDR decoder raises struct/index/value errors
            raise BagError(_one_line(f"bad {msgtype} message on {topic} in {str(path)!r}",
                                     exc)) from exc
        yield topic, msgtype, stamp, msg


def stamp_ns(stamp: Any) -> int:
    """``builtin_interfaces/Time`` (rosbags or generated ROS message) to integer ns."""
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


def time_msg(ns: int) -> Any:
    return new_message("builtin_interfaces/msg/Time", sec=int(ns // 1_000_000_000),
                       nanosec=int(ns % 1_000_000_000))


def header(ns: int, frame_id: str = "camera") -> Any:
    return new_message("std_msgs/msg/Header", stamp=time_msg(ns), frame_id=frame_id)


def image_msg(bgr: np.ndarray, ns: int, frame_id: str = "camera") -> Any:
    """A ``sensor_msgs/Image`` (bgr8) for an HxWx3 uint8 array."""
    if bgr.dtype != np.uint8 or bgr.ndim != 3 or bgr.shape[2] != 3:
        raise BagError(f"image must be HxWx3 uint8, got {bgr.dtype} {bgr.shape}")
    h, w = bgr.shape[:2]
    return new_message("sensor_msgs/msg/Image", header=header(ns, frame_id), height=h, width=w,
                       encoding="bgr8", is_bigendian=0, step=w * 3,
                       data=np.ascontiguousarray(bgr).reshape(-1))


def bench(frames: int = 200, width: int = 640, height: int = 480) -> dict[str, float]:
    """Write, read and decode ``frames`` bgr8 frames in a temporary MCAP bag (no ROS)."""
    import tempfile
    import time

    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "bench"
        raw = serialize(image_msg(image, 0), "sensor_msgs/msg/Image")
        t0 = time.perf_counter()
        with BagWriter(path) as writer:
            for i in range(frames):
                writer.write_raw("/emo/private/image_raw", "sensor_msgs/msg/Image",
                                 i * 33_000_000, raw)
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        blobs = [r for *_x, r in iter_raw(path)]
        t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        for blob in blobs:
            deserialize(blob, "sensor_msgs/msg/Image")
        t_decode = time.perf_counter() - t0
    mb = len(raw) * frames / 1e6
    return {"frames": frames, "frame_mb": len(raw) / 1e6, "write_fps": frames / t_write,
            "write_mb_s": mb / t_write, "read_fps": frames / t_read,
            "decode_fps": frames / t_decode}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="MCAP bag write/read throughput (no ROS)")
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    a = parser.parse_args()
    for key, value in bench(a.frames, a.width, a.height).items():
        print(f"{key:12s} {value:10.1f}")
