"""Subscribe to topics in a separate process and dump what arrived as JSON.

Used by multi-process tests: ``python topic_probe.py OUT.json SECONDS TOPIC:TYPE ...``
where TYPE is ``pkg/msg/Name``. For each topic it records the message count, the header
stamps, and a short summary of each message (fields chosen per type in ``summarise``).
It exits early once every topic has ``--min`` messages, or once a ``/diagnostics``
status named NAME reports MESSAGE (``--until-status=NAME=MESSAGE``, e.g. the launcher's
``finished`` for a node), so a test can give a loaded machine a long window without
waiting it out on an idle one; SIGINT also ends the window (what arrived is written).
"""

from __future__ import annotations

import importlib
import json
import signal
import sys
import time

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy


def load_type(name: str):
    pkg, _, cls = name.replace("/msg/", "/").partition("/")
    return getattr(importlib.import_module(f"{pkg}.msg"), cls)


T0 = time.time()


def summarise(msg) -> dict:
    out: dict = {"t": time.time() - T0}
    header = getattr(msg, "header", None)
    if header is not None:
        out["stamp"] = header.stamp.sec + header.stamp.nanosec * 1e-9
        out["frame_id"] = header.frame_id
    for field in ("height", "width", "encoding"):
        if hasattr(msg, field):
            out[field] = getattr(msg, field)
    if hasattr(msg, "data") and isinstance(getattr(msg, "data"), (bytes, bytearray, list)) \
            or hasattr(msg, "data") and hasattr(getattr(msg, "data"), "__len__"):
        data = bytes(msg.data) if not isinstance(msg.data, bytes) else msg.data
        out["bytes"] = len(data)
        out["mean"] = (sum(data[::97]) / max(1, len(data[::97]))) if data else 0.0
    for field in ("faces", "bodies", "expressions", "gestures", "states", "status", "tracks"):
        if hasattr(msg, field):
            out[f"n_{field}"] = len(getattr(msg, field))
    if hasattr(msg, "expressions"):
        out["labels"] = [e.label for e in msg.expressions]
        out["track_ids"] = [e.track_id for e in msg.expressions]
    if hasattr(msg, "faces") and msg.faces and hasattr(msg.faces[0], "units"):
        out["aus"] = [{f"AU{u.code}": round(u.probability, 3) for u in f.units} for f in msg.faces]
    if hasattr(msg, "faces") and msg.faces and hasattr(msg.faces[0], "landmarks"):
        out["n_landmarks"] = [len(f.landmarks) for f in msg.faces]
    if hasattr(msg, "states"):
        out["labels"] = [s.short_term.label for s in msg.states]
        out["track_ids"] = [s.track_id for s in msg.states]
    if hasattr(msg, "tracks"):
        out["track_ids"] = [t.track_id for t in msg.tracks]
    if hasattr(msg, "rationale"):
        out.update(label=msg.label, backend=msg.backend, n_cues=len(msg.cues),
                   flags=[f.kind for f in msg.flags], track_id=msg.track_id)
    if hasattr(msg, "items") and hasattr(msg, "duration_s"):
        out["items"] = [(i.kind, i.name) for i in msg.items]
        out["track_id"] = msg.track_id
    if hasattr(msg, "status"):
        out["statuses"] = [{"name": s.name, "level": int.from_bytes(s.level, "little")
                            if isinstance(s.level, bytes) else int(s.level), "message": s.message,
                            "values": {kv.key: kv.value for kv in s.values}} for s in msg.status]
    return out


def main() -> int:
    out_path, seconds = sys.argv[1], float(sys.argv[2])
    specs = [a for a in sys.argv[3:] if not a.startswith("--")]
    min_count = 0
    for a in sys.argv[3:]:
        if a.startswith("--min="):
            min_count = int(a.split("=", 1)[1])
    until = next((a.split("=", 1)[1] for a in sys.argv[3:]
                  if a.startswith("--until-status=")), "")
    until_name, _, until_message = until.rpartition("=")
    # --reliable: streams too (for a replayed bag, whose player offers them reliable)
    all_reliable = "--reliable" in sys.argv[3:]
    rclpy.init(signal_handler_options=rclpy.signals.SignalHandlerOptions.NO)
    stopped = []
    signal.signal(signal.SIGINT, lambda *_: stopped.append(True))
    node = rclpy.create_node("topic_probe")
    received: dict[str, list] = {}
    reliable = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE)
    for spec in specs:
        topic, _, type_name = spec.partition(":")
        received[topic] = []
        msg_type = load_type(type_name)
        stream = topic.endswith(("image_raw", "image", "audio_raw", "deid_audio"))
        qos = qos_profile_sensor_data if stream and not all_reliable else reliable
        node.create_subscription(
            msg_type, topic, lambda m, t=topic: received[t].append(summarise(m)), qos)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stopped:
        executor.spin_once(timeout_sec=0.05)
        if min_count and all(len(v) >= min_count for v in received.values()):
            break
        if until and any(st["name"] == until_name and st["message"] == until_message
                         for m in received.get("/diagnostics", [])[-20:]
                         for st in m.get("statuses", [])):
            break
    with open(out_path, "w") as fh:
        json.dump(received, fh)
    node.destroy_node()
    rclpy.try_shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
