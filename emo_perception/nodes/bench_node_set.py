"""Benchmark of the node set across processes against the in-process pipeline.

The node set runs through our launcher (one process per node, or the config's
containers; Fast DDS shared memory)
with camera_node feeding a video faster than the pipeline can follow; a subscriber in this
process measures end-to-end latency from camera capture (the header stamp, taken from the
wall clock when the frame is published) to ``emotion/state``, and the sustained rate of
``emotion/state``. CPU time and peak memory of each node come from /proc. The same video
then runs through :class:`~emo_perception.perception.pipeline.PerceptionPipeline` in one
process for the ratio. Used by ``emo-perception bench --node-set``.
"""

from __future__ import annotations

import os
import pathlib
import time
from dataclasses import dataclass, field

import rclpy
from rclpy.executors import SingleThreadedExecutor

from emo_perception.launcher import Launcher, make_plan
from emo_perception.nodes.common import RESULT_QOS
from emo_perception.nodes.conversions import stamp_to_sec
from emo_perception.runtime_stats import arrival_summary
from emo_perception_msgs.msg import EmotionStateArray

NODES = ("camera_node", "deid_node", "au_node", "gesture_node", "fusion_node")


@dataclass
class NodeUsage:
    cpu_percent: float  # of one core, over the measurement window
    peak_rss_mb: float


@dataclass
class NodeSetResult:
    fps: float
    latency_p50_ms: float
    latency_p95_ms: float
    frames: int
    seconds: float
    usage: dict[str, NodeUsage] = field(default_factory=dict)  # per process

    @property
    def cpu_percent(self) -> float:
        """All node-set processes together (% of one core)."""
        return sum(u.cpu_percent for u in self.usage.values())


def _proc_cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def _proc_peak_rss_mb(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def run_node_set(video: str, seconds: float = 30.0, warmup_s: float = 8.0,
                 camera_fps: float = 30.0, config: str = "default.yaml",
                 extra_params: list[str] | None = None, containers: list[str] | None = None,
                 container_executor: str | None = None, log=print) -> NodeSetResult:
    """Run the node set on ``video`` (640x480, looped) and measure it."""
    os.environ.setdefault("ROS_DOMAIN_ID", str(50 + os.getpid() % 40))
    plan = make_plan(config, source=video, nodes=list(NODES), extra_params=[
        f"camera_node:fps={camera_fps}", "camera_node:loop=true",
        # The in-process pipeline has no rate cap: lift deid_node's to the camera rate.
        f"deid_node:processing_rate={max(camera_fps, 1.0)}", *(extra_params or []),
        "camera_node:resize_width=640", "camera_node:resize_height=480"],
        containers=containers, container_executor=container_executor)
    plan.monitor = False
    os.environ.update({k: v for k, v in plan.env.items()
                       if k.startswith(("ROS_", "FASTRTPS_"))})
    rclpy.init()
    node = rclpy.create_node("node_set_bench")
    arrivals: list[tuple[float, float]] = []  # (receive wall time, latency s)

    def on_state(msg: EmotionStateArray) -> None:
        now = time.time()
        arrivals.append((now, now - stamp_to_sec(msg.header.stamp)))

    ns = plan.namespace
    node.create_subscription(EmotionStateArray, f"{ns}/emotion/state", on_state, RESULT_QOS)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    launcher = Launcher(plan, log=log)
    launcher.start()
    try:
        end_warm = time.time() + warmup_s
        while time.time() < end_warm:
            executor.spin_once(timeout_sec=0.05)
        cpu0 = {name: _proc_cpu_seconds(p.pid) for name, p in launcher.procs.items()}
        t0 = time.time()
        while time.time() < t0 + seconds:
            executor.spin_once(timeout_sec=0.05)
        t1 = time.time()
        cpu1 = {name: _proc_cpu_seconds(p.pid) for name, p in launcher.procs.items()}
        usage = {launcher.label(name): NodeUsage(100.0 * (cpu1[name] - cpu0[name]) / (t1 - t0),
                                                 _proc_peak_rss_mb(launcher.procs[name].pid))
                 for name in cpu0}
    finally:
        launcher.stop()
        node.destroy_node()
        rclpy.try_shutdown()
    return NodeSetResult(**arrival_summary(arrivals, t0, t1), seconds=t1 - t0, usage=usage)


def format_markdown(result: NodeSetResult, in_process: dict[str, float] | None = None) -> str:
    lines = ["| measure | node set | in-process |", "|---|---|---|"]
    ref = in_process or {}

    def cell(key: str, fmt: str) -> str:
        return fmt.format(ref[key]) if key in ref else "-"

    lines += [f"| sustained FPS (emotion/state) | {result.fps:.1f} | {cell('fps', '{:.1f}')} |",
              f"| latency camera -> emotion/state p50 | {result.latency_p50_ms:.0f} ms | "
              f"{cell('latency_p50_ms', '{:.0f} ms')} |",
              f"| latency camera -> emotion/state p95 | {result.latency_p95_ms:.0f} ms | "
              f"{cell('latency_p95_ms', '{:.0f} ms')} |"]
    lines.append(f"| CPU, all processes (% of one core) | {result.cpu_percent:.0f} % | "
                 f"{cell('cpu_percent', '{:.0f} %')} |")
    if ref.get("fps"):
        lines.append(f"| node set / in-process FPS | {result.fps / ref['fps']:.2f} | |")
    lines += ["", "| process | CPU (% of one core) | peak RSS |", "|---|---|---|"]
    for name, u in result.usage.items():
        lines.append(f"| {name} | {u.cpu_percent:.0f} % | {u.peak_rss_mb:.0f} MB |")
    return "\n".join(lines)
