"""Change deid_node's parameters from another process, as ``ros2 param set`` does, and
report what the published video did.

``python live_param_probe.py [--namespace /emo] [--timeout S]`` waits for ``deid/image``,
measures the share of pixels exactly equal to the solid-mode fill (128, 128, 128) in a
few frames, sets ``deid.mode`` to ``solid`` through the parameter service, measures again,
and tries to set the read-only ``landmarks.face_range``. Prints one JSON line:
``{"before": f, "after": f, "set_mode": {...}, "set_read_only": {...}}``.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.parameter import Parameter
from rclpy.parameter_client import AsyncParameterClient
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image

from emo_perception.nodes.conversions import image_to_bgr


def main() -> int:
    args = sys.argv[1:]
    namespace = args[args.index("--namespace") + 1] if "--namespace" in args else "/emo"
    timeout = float(args[args.index("--timeout") + 1]) if "--timeout" in args else 60.0
    rclpy.init()
    node = rclpy.create_node("live_param_probe")
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    frames: list[np.ndarray] = []
    node.create_subscription(
        Image, f"{namespace}/deid/image", lambda m: frames.append(image_to_bgr(m)),
        QoSProfile(depth=10, reliability=ReliabilityPolicy.BEST_EFFORT))
    deadline = time.monotonic() + timeout

    def spin_until(done) -> bool:
        while time.monotonic() < deadline and not done():
            executor.spin_once(timeout_sec=0.05)
        return done()

    def fill_share(n: int) -> float:
        """Median share of solid-fill pixels over the next n frames."""
        start = len(frames)
        if not spin_until(lambda: len(frames) >= start + n):
            return float("nan")
        return float(np.median([np.all(f == 128, axis=2).mean() for f in frames[start:]]))

    def set_param(name: str, value) -> dict:
        future = client.set_parameters([Parameter(name, value=value)])
        if not spin_until(future.done):
            return {"successful": False, "reason": "no answer"}
        result = future.result().results[0]
        return {"successful": bool(result.successful), "reason": result.reason}

    client = AsyncParameterClient(node, f"{namespace}/deid_node")
    report: dict = {}
    if spin_until(lambda: client.services_are_ready() and len(frames) > 0):
        report["before"] = fill_share(5)
        report["set_mode"] = set_param("deid.mode", "solid")
        fill_share(3)  # frames already in flight were rendered before the change
        report["after"] = fill_share(5)
        report["set_read_only"] = set_param("landmarks.face_range", "short")
    print(json.dumps(report))
    node.destroy_node()
    rclpy.try_shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
