"""A ROS4HRI listener in its own process, written the way pyhri/libhri follow humans:
subscribe to ``/humans/{faces,bodies,persons}/tracked``, and for each id that appears
subscribe to its per-id topics; an id that leaves the list is dropped.

``python hri_listener.py OUT_DIR SECONDS`` writes ``OUT_DIR/report.json`` (per id: what
arrived and when it was tracked) and ``OUT_DIR/crops.npz`` (each face crop, with the raw
frame region of the same stamp and ROI, from ``/emo/private/image_raw``, as the positive
control of the privacy check; the same for body crops). It stops after SECONDS or on SIGINT.
"""

from __future__ import annotations

import json
import pathlib
import signal
import sys
import time

import numpy as np
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import (DurabilityPolicy, QoSProfile, ReliabilityPolicy,
                       qos_profile_sensor_data)
from sensor_msgs.msg import Image
from std_msgs.msg import Bool, String

from emo_perception.hri.bridge import crop
from emo_perception.nodes.conversions import image_to_bgr
from emo_perception.nodes.hri_conversions import (msg_to_expression, msg_to_facs, msg_to_roi,
                                                  msg_to_skeleton)
from hri_msgs.msg import (Expression, FacialActionUnits, IdsList,
                          NormalizedRegionOfInterest2D, Skeleton2D)

RELIABLE = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)


def key(header) -> tuple[int, int]:
    return (header.stamp.sec, header.stamp.nanosec)


class Listener:
    def __init__(self, node) -> None:
        self.node = node
        self.subs: dict[str, list] = {}
        self.faces: dict[str, dict] = {}
        self.bodies: dict[str, dict] = {}
        self.persons: dict[str, dict] = {}
        self.tracked_lists: dict[str, list[list[str]]] = {"faces": [], "bodies": [],
                                                          "persons": []}
        self.raw: dict[tuple[int, int], np.ndarray] = {}
        self.rois: dict[tuple[str, tuple[int, int]], object] = {}
        self.crops: list[tuple[np.ndarray, np.ndarray]] = []
        self.body_crops: list[tuple[np.ndarray, np.ndarray]] = []
        self.last_event = 0.0
        for kind in self.tracked_lists:
            node.create_subscription(IdsList, f"/humans/{kind}/tracked",
                                     lambda m, k=kind: self.on_tracked(k, m), RELIABLE)
        node.create_subscription(Image, "/emo/private/image_raw", self.on_raw,
                                 qos_profile_sensor_data)

    def on_raw(self, msg: Image) -> None:
        self.raw[key(msg.header)] = image_to_bgr(msg)
        while len(self.raw) > 120:
            self.raw.pop(next(iter(self.raw)))

    def on_tracked(self, kind: str, msg: IdsList) -> None:
        ids = list(msg.ids)
        self.tracked_lists[kind].append(ids)
        self.last_event = time.monotonic()
        for ident in ids:
            if f"{kind}/{ident}" not in self.subs:
                self.follow(kind, ident)
        for name in [n for n in self.subs if n.startswith(kind + "/")]:
            if name.split("/", 1)[1] not in ids and kind != "persons":
                for sub in self.subs.pop(name):  # the id ended: stop listening
                    self.node.destroy_subscription(sub)

    def follow(self, kind: str, ident: str) -> None:
        base = f"/humans/{kind}/{ident}"
        n = self.node
        subs = []
        if kind == "faces":
            rec = self.faces.setdefault(ident, {"roi": [], "expression": [], "facs": [],
                                                "crops": 0, "uncontrolled_crops": 0})
            subs += [
                n.create_subscription(NormalizedRegionOfInterest2D, f"{base}/roi",
                                      lambda m: self.on_roi(ident, m), RELIABLE),
                n.create_subscription(Expression, f"{base}/expression",
                                      lambda m: rec["expression"].append(
                                          msg_to_expression(m).__dict__), RELIABLE),
                n.create_subscription(FacialActionUnits, f"{base}/facs",
                                      lambda m: rec["facs"].append(self.facs_summary(m)),
                                      RELIABLE),
                n.create_subscription(Image, f"{base}/cropped",
                                      lambda m: self.on_crop(ident, m),
                                      qos_profile_sensor_data)]
        elif kind == "bodies":
            rec = self.bodies.setdefault(ident, {"skeleton": [], "crops": 0})
            subs += [
                n.create_subscription(NormalizedRegionOfInterest2D, f"{base}/roi",
                                      lambda m: self.rois.__setitem__(
                                          (ident, key(m.header)), msg_to_roi(m)), RELIABLE),
                n.create_subscription(
                    Skeleton2D, f"{base}/skeleton2d",
                    lambda m: rec["skeleton"].append(msg_to_skeleton(m).tolist()), RELIABLE),
                n.create_subscription(Image, f"{base}/cropped",
                                      lambda m: self.on_body_crop(ident, m),
                                      qos_profile_sensor_data)]
        else:
            rec = self.persons.setdefault(ident, {})
            for topic, typ in (("face_id", String), ("body_id", String), ("anonymous", Bool)):
                subs.append(n.create_subscription(
                    typ, f"{base}/{topic}",
                    lambda m, t=topic: rec.setdefault(t, []).append(m.data), LATCHED))
        self.subs[f"{kind}/{ident}"] = subs

    def on_roi(self, ident: str, msg) -> None:
        roi = msg_to_roi(msg)
        self.faces[ident]["roi"].append([roi.xmin, roi.ymin, roi.xmax, roi.ymax, roi.c])
        self.rois[(ident, key(msg.header))] = roi
        self.last_event = time.monotonic()

    def on_crop(self, ident: str, msg: Image) -> None:
        rec = self.faces[ident]
        rec["crops"] += 1
        shown = image_to_bgr(msg)
        roi, raw = self.rois.get((ident, key(msg.header))), self.raw.get(key(msg.header))
        if roi is None or raw is None:
            rec["uncontrolled_crops"] += 1
            return
        original = crop(raw, roi, shown.shape[0])
        if original is not None:
            self.crops.append((shown, original))

    def on_body_crop(self, ident: str, msg: Image) -> None:
        self.bodies[ident]["crops"] += 1
        shown = image_to_bgr(msg)
        roi, raw = self.rois.get((ident, key(msg.header))), self.raw.get(key(msg.header))
        original = crop(raw, roi, shown.shape[0]) if roi is not None and raw is not None \
            else None
        if original is not None:
            self.body_crops.append((shown, original))

    @staticmethod
    def facs_summary(msg) -> dict:
        facs = msg_to_facs(msg)
        return {"size": int(facs.intensity.size),
                "nonzero": [int(i) for i in np.flatnonzero(facs.confidence)],
                "intensity": {int(i): float(facs.intensity[i])
                              for i in np.flatnonzero(facs.confidence)}}


def main() -> int:
    out = pathlib.Path(sys.argv[1])
    seconds = float(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rclpy.init()
    node = rclpy.create_node("hri_listener")
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    listener = Listener(node)
    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))
    print("listening", flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stop:
        executor.spin_once(timeout_sec=0.05)
    report = {"faces": listener.faces, "bodies": listener.bodies,
              "persons": listener.persons, "tracked": listener.tracked_lists,
              "controlled_crops": len(listener.crops)}
    (out / "report.json").write_text(json.dumps(report))
    if listener.crops:
        np.savez_compressed(out / "crops.npz",
                            shown=np.stack([c[0] for c in listener.crops]),
                            original=np.stack([c[1] for c in listener.crops]),
                            bodies_shown=np.stack([c[0] for c in listener.body_crops])
                            if listener.body_crops else np.zeros((0, 1, 1, 3), np.uint8),
                            bodies_original=np.stack([c[1] for c in listener.body_crops])
                            if listener.body_crops else np.zeros((0, 1, 1, 3), np.uint8))
    node.destroy_node()
    rclpy.try_shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
