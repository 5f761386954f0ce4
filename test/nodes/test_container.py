"""Containers: several nodes in one process (emo_launch.containers), planned by the
launcher and run by emo_perception.nodes.container with either executor."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time

import cv2
import pytest
import skimage.data

from emo_perception.config import ConfigError
from emo_perception.launcher import Launcher, make_plan, process_command
from emo_perception.nodes.container import node_class, parse_args

REPO = pathlib.Path(__file__).resolve().parents[2]
PROBE = REPO / "test" / "tools" / "topic_probe.py"
ANALYSIS = "analysis=au_node,gesture_node,fusion_node"


def test_container_arguments_parse_per_node() -> None:
    executor, specs = parse_args(["--executor", "events", "--node", "au_node", "--ros-args",
                                  "-p", "a:=1", "--node", "fusion_node"])
    assert executor == "events"
    assert specs == [("au_node", ["--ros-args", "-p", "a:=1"]), ("fusion_node", [])]
    for bad, message in ((["au_node"], "unexpected argument"), ([], "no --node"),
                         (["--executor", "multi", "--node", "au_node"], "must be one of"),
                         (["--node", "au_node", "--node", "au_node"], "listed twice")):
        with pytest.raises(SystemExit, match=message):
            parse_args(bad)
    assert node_class("fusion_node").__name__ == "FusionNode"
    with pytest.raises(SystemExit, match="no node named"):
        node_class("fusion")


def test_events_executor_only_for_nodes_without_message_info_callbacks() -> None:
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    from emo_perception.nodes.common import make_executor

    rclpy.init()
    try:
        plain, with_info = rclpy.create_node("plain"), rclpy.create_node("with_info")
        with_info.takes_message_info = True  # as deid_node declares
        assert type(make_executor("events", [plain])).__name__ == "EventsExecutor"
        assert isinstance(make_executor("events", [plain, with_info]), SingleThreadedExecutor)
        assert isinstance(make_executor("single", [plain]), SingleThreadedExecutor)
        with pytest.raises(SystemExit, match="must be one of"):
            make_executor("multi", [plain])
    finally:
        rclpy.try_shutdown()


def test_plan_groups_container_nodes_into_one_process() -> None:
    plan = make_plan("default.yaml", source="clip.mp4", containers=[ANALYSIS],
                     container_executor="events", extra_params=["fusion_node:x=1"])
    assert plan.processes() == {
        "camera_node": ["camera_node"], "deid_node": ["deid_node"],
        "analysis": ["au_node", "gesture_node", "fusion_node"],
        "reasoning_node": ["reasoning_node"]}
    cmd = process_command(plan, "analysis")
    assert cmd[:5] == [sys.executable, "-m", "emo_perception.nodes.container",
                       "--executor", "events"]
    # Each node keeps its own arguments: the override goes to fusion_node only.
    fusion = cmd[cmd.index("fusion_node"):]
    assert "x:=1" in fusion and "x:=1" not in cmd[:cmd.index("fusion_node")]
    # Members that are not launched drop out; an empty container disappears.
    plan = make_plan("default.yaml", nodes=["camera_node", "fusion_node"],
                     containers=[ANALYSIS, "other=reasoning_node"])
    assert plan.containers == {"analysis": ["fusion_node"]}
    assert make_plan("default.yaml", containers=[]).containers == {}
    for containers, message in (([f"{ANALYSIS},camera_node"], "process of its own"),
                                (["au_node=fusion_node"], "is a node's name"),
                                (["a=au_node", "b=au_node"], "two containers"),
                                (["a=au_nod"], "unknown node"), (["a"], "NAME=NODE")):
        with pytest.raises(ConfigError, match=message):
            make_plan("default.yaml", containers=containers)
    with pytest.raises(ConfigError, match="single or events"):
        make_plan("default.yaml", container_executor="multi")


def test_launcher_reports_every_node_of_a_dead_container() -> None:
    plan = make_plan("default.yaml", nodes=["deid_node", "au_node", "fusion_node"],
                     containers=["analysis=au_node,fusion_node"])
    lines: list[str] = []
    launcher = Launcher(plan, log=lines.append)
    launcher.procs = {"deid_node": subprocess.Popen(["sleep", "30"]),
                      "analysis": subprocess.Popen(["sh", "-c", "exit 3"])}
    launcher.procs["analysis"].wait()
    launcher._reap()
    assert launcher.states() == {"deid_node": None, "au_node": 3, "fusion_node": 3}
    assert lines == ["[launch] analysis (au_node, fusion_node) died (exit 3); "
                     "still running: deid_node"]
    launcher.stop()
    assert launcher.states()["deid_node"] == 0


@pytest.mark.ros
# The events executor runs the same container path; it is a long case (make test-all).
@pytest.mark.parametrize("executor", ["single", pytest.param("events",
                                                             marks=pytest.mark.extended)])
def test_analysis_container_on_a_face_video(tmp_path, ros_env, executor) -> None:
    folder = tmp_path / "faces"
    folder.mkdir()
    cv2.imwrite(str(folder / "astronaut.png"),
                cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    out = tmp_path / "probe.json"
    topics = {"/emo/faces/expression": "emo_perception_msgs/msg/ExpressionArray",
              "/emo/bodies/micro_gestures": "emo_perception_msgs/msg/MicroGestureArray",
              "/emo/emotion/state": "emo_perception_msgs/msg/EmotionStateArray",
              "/emo/emotion/evidence": "emo_perception_msgs/msg/EvidenceWindow",
              "/diagnostics": "diagnostic_msgs/msg/DiagnosticArray"}
    # The probe stops once the launcher reports the container finished (a loaded machine
    # starts and stops the node set slower; 26 s used to end the window too early, and on
    # a clean-clone CI run 60 s once ended it before the 30 s run had stopped).
    probe = subprocess.Popen([sys.executable, str(PROBE), str(out), "120",
                              *[f"{t}:{ty}" for t, ty in topics.items()],
                              "--until-status=emo_perception: launcher: au_node=finished"],
                             env=ros_env)
    time.sleep(1.0)
    launch = subprocess.run(
        [sys.executable, "-m", "emo_perception.cli", "launch", "default.yaml",
         "--source", str(folder), "--nodes", "camera_node,deid_node,au_node,gesture_node,"
         "fusion_node", "--container", ANALYSIS, "--container-executor", executor,
         "--param", "camera_node:fps=4.0", "--param", "camera_node:loop=true",
         # a parameter of one member only (default 5 s)
         "--param", "fusion_node:evidence_period_s=1.0",
         # 30 s: on a loaded machine the container took ~15 s to start its models (the
         # camera waits for it, wait_for_nodes), and the run counts from the launch
         "--duration", "30"], env=ros_env, capture_output=True, text=True, timeout=150)
    output = launch.stdout + launch.stderr
    assert probe.wait(timeout=150) == 0
    assert launch.returncode == 0, output[-3000:]
    assert "started analysis (au_node, gesture_node, fusion_node)" in output
    assert "Traceback" not in output, output[-3000:]
    got = json.loads(out.read_text())
    labels = [lb for m in got["/emo/faces/expression"] for lb in m["labels"]]
    assert labels and labels.count("happiness") > 0.8 * len(labels)
    assert got["/emo/bodies/micro_gestures"]
    assert got["/emo/emotion/state"][-1]["labels"] == ["happiness"]
    last = {}
    for msg in got["/diagnostics"]:
        for status in msg["statuses"]:
            last[status["name"]] = status
    for node in ("au_node", "gesture_node", "fusion_node"):
        assert int(last[f"emo_perception: /emo/{node}"]["values"]["processed"]) > 10, node
    assert len(got["/emo/emotion/evidence"]) >= 7  # one per second, not one per 5 s
    assert last["emo_perception: launcher: au_node"]["message"] == "finished"


@pytest.mark.ros
@pytest.mark.slow
@pytest.mark.extended  # the benchmark command end to end: make test-all
def test_bench_node_set_with_a_container(tmp_path, ros_env) -> None:
    """The benchmark command end to end (short windows: this checks that it measures
    both sides and reports per process, not how fast they are)."""
    report = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "-m", "emo_perception.cli", "bench", "--node-set", "--seconds", "4",
         "--frames", "20", "--warmup", "3", "--camera-fps", "15", "--container", ANALYSIS,
         "--container-executor", "events", "--json", str(report)],
        env=ros_env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert "within 15 % of in-process in" in run.stdout
    assert "| analysis (au_node, gesture_node, fusion_node) |" in run.stdout
    data = json.loads(report.read_text())
    (only,) = data["runs"]
    assert only["node_set"]["fps"] > 1 and only["in_process"]["fps"] > 1
    assert only["in_process"]["cpu_percent"] > 10
    assert set(only["node_set"]["usage"]) == {
        "camera_node", "deid_node", "analysis (au_node, gesture_node, fusion_node)"}
