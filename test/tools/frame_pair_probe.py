"""Save raw and de-identified frames of a running node set as PNG pairs, keyed by stamp.

``python frame_pair_probe.py OUT_DIR SECONDS [--namespace /emo] [--max N]`` subscribes (in
its own process, like any other subscriber on the host) to ``private/image_raw`` and
``deid/image`` and writes ``OUT_DIR/raw/<stamp>.png`` and ``OUT_DIR/deid/<stamp>.png``, so
a test can pair each published frame with the frame it came from and judge it with
detectors of its own. Frames are decoded with the project's own decoder.
"""

from __future__ import annotations

import pathlib
import sys
import time

import cv2
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image

from emo_perception.nodes.conversions import image_to_bgr


def main() -> int:
    out, seconds = pathlib.Path(sys.argv[1]), float(sys.argv[2])
    args = sys.argv[3:]
    namespace = args[args.index("--namespace") + 1] if "--namespace" in args else "/emo"
    most = int(args[args.index("--max") + 1]) if "--max" in args else 400
    for sub in ("raw", "deid"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    rclpy.init()
    node = rclpy.create_node("frame_pair_probe")
    counts = {"raw": 0, "deid": 0}
    # Best effort like the streams are offered, with a deep queue; a raw frame the probe
    # misses only leaves its de-identified twin unjudged (the test counts pairs).
    qos = QoSProfile(depth=100, reliability=ReliabilityPolicy.BEST_EFFORT)

    def save(kind: str, msg: Image) -> None:
        if counts[kind] >= most:
            return
        stamp = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
        cv2.imwrite(str(out / kind / f"{stamp:020d}.png"), image_to_bgr(msg),
                    [cv2.IMWRITE_PNG_COMPRESSION, 1])
        counts[kind] += 1

    node.create_subscription(Image, f"{namespace}/private/image_raw",
                             lambda m: save("raw", m), qos)
    node.create_subscription(Image, f"{namespace}/deid/image", lambda m: save("deid", m), qos)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    end = time.monotonic() + seconds
    while time.monotonic() < end and min(counts.values()) < most:
        executor.spin_once(timeout_sec=0.05)
    node.destroy_node()
    rclpy.try_shutdown()
    print(f"frame_pair_probe: raw {counts['raw']}, deid {counts['deid']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
