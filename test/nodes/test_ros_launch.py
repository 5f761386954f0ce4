"""The ``ros2 launch`` file: its arguments, what it passes to the nodes, and that the node
set stops when a file source ends (under launch's own event handlers, as our launcher
does).

The ROS 2 wheels have no ``launch``/``launch_ros`` (and the package index has neither), so
here the checks are: every ``NAME:=`` the docs tell users to pass is a declared argument;
the launch file declares exactly the launcher's argument list, registers a process-exit
handler on the source that emits launch's Shutdown; and the plan it hands launch_ros
carries ``use_sim_time`` to every node. Where ``launch`` is importable (a ROS install with
this package built), the file is also loaded with launch's own API and run on a short
video until it shuts itself down.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import time

import cv2
import numpy as np
import pytest

from emo_perception.launcher import make_plan
from emo_perception.ros_launch import LAUNCH_ARGUMENTS, launch_entries, parse_bool, use_sim_time

REPO = pathlib.Path(__file__).resolve().parents[2]
LAUNCH_FILE = REPO / "launch" / "emo_perception.launch.py"
NAMES = [a.name for a in LAUNCH_ARGUMENTS]
HAS_LAUNCH = importlib.util.find_spec("launch") is not None and \
    importlib.util.find_spec("launch_ros") is not None


def _documented_launch_commands() -> list[str]:
    texts = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    commands = []
    for path in texts:
        # Shell continuation lines belong to the command they continue.
        text = path.read_text().replace("\\\n", " ")
        commands += [line for line in text.splitlines()
                     if "ros2 launch emo_perception" in line]
    return commands


def test_every_documented_launch_argument_is_declared() -> None:
    commands = _documented_launch_commands()
    assert commands, "the docs show no ros2 launch command"
    used = {m for line in commands for m in re.findall(r"(\w+):=", line)}
    assert "use_sim_time" in used  # docs/bags_and_eval.md tells replay users to pass it
    assert used <= set(NAMES), f"documented but not declared: {sorted(used - set(NAMES))}"


def test_launch_file_declares_the_arguments_and_stops_on_source_end() -> None:
    tree = ast.parse(LAUNCH_FILE.read_text())
    calls = {node.func.id if isinstance(node.func, ast.Name) else node.func.attr
             for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, (ast.Name, ast.Attribute))}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    # Declared from the launcher's list, so a new argument cannot be declared in one only.
    assert "DeclareLaunchArgument" in calls and "LAUNCH_ARGUMENTS" in names
    for needed in ("RegisterEventHandler", "OnProcessExit", "EmitEvent", "Shutdown",
                   "TimerAction", "make_plan", "launch_entries", "parse_bool", "use_sim_time"):
        assert needed in calls, f"launch file does not call {needed}"
    # Every declared argument reaches make_plan.
    performed = {node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and getattr(node.func, "id", "") == "arg" and node.args
                 and isinstance(node.args[0], ast.Constant)}
    assert performed == set(NAMES), performed


def test_plan_passes_use_sim_time_to_every_node_but_the_clock_source(tmp_path) -> None:
    bag_plan = use_sim_time(make_plan("cpu.yaml", nodes=[
        "camera_node", "deid_node", "au_node", "gesture_node", "fusion_node"]))
    entries = {e.process: e for e in launch_entries(bag_plan)}
    assert [e.is_source for e in entries.values()].count(True) == 1
    assert entries["camera_node"].is_source
    for entry in entries.values():
        if entry.command is None:
            assert entry.parameters[-1]["use_sim_time"] is True, entry
            assert [str(p) for p in bag_plan.config_files] == entry.parameters[:-1]
        else:  # a container: each node's own -p
            assert entry.command.count("use_sim_time:=true") == len(entry.nodes), entry
    plain = launch_entries(make_plan("default.yaml", nodes=["camera_node", "deid_node"]))
    assert not any("use_sim_time" in str(e.parameters) for e in plain)
    # A bag source runs player_node, which publishes /clock on its wall clock.
    from emo_perception import bags

    bag = tmp_path / "b"
    with bags.BagWriter(bag) as w:
        w.write("/emo/private/image_raw", "sensor_msgs/msg/Image", 1,
                bags.image_msg(np.zeros((8, 8, 3), np.uint8), 1))
    replay = {e.process: e for e in launch_entries(use_sim_time(make_plan(
        "default.yaml", source=str(bag), nodes=["camera_node", "deid_node"])))}
    assert "use_sim_time" not in replay["player_node"].parameters[-1]
    assert replay["deid_node"].parameters[-1]["use_sim_time"] is True
    assert parse_bool("use_sim_time", "True") and not parse_bool("use_sim_time", "false")
    with pytest.raises(ValueError, match="use_sim_time must be true or false"):
        parse_bool("use_sim_time", "maybe")


@pytest.mark.skipif(not HAS_LAUNCH, reason="ROS 2 launch/launch_ros not installed (no wheels "
                                           "exist); runs on a ROS install")
def test_launch_file_with_launch_api() -> None:
    from launch.launch_description_sources import get_launch_description_from_python_launch_file

    description = get_launch_description_from_python_launch_file(str(LAUNCH_FILE))
    declared = [a.name for a in description.get_launch_arguments()]
    assert declared == NAMES


@pytest.mark.ros
@pytest.mark.skipif(not HAS_LAUNCH or shutil.which("ros2") is None,
                    reason="needs ros2 launch and this package in a sourced workspace")
def test_ros2_launch_stops_when_the_video_ends(tmp_path, ros_env) -> None:
    video = tmp_path / "short.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (160, 120))
    for i in range(10):
        writer.write(np.full((120, 160, 3), 20 * i, np.uint8))
    writer.release()
    t0 = time.monotonic()
    res = subprocess.run(["ros2", "launch", "emo_perception", "emo_perception.launch.py",
                          f"source:={video}", "nodes:=camera_node,deid_node"],
                         env={**ros_env, **os.environ}, capture_output=True, text=True,
                         timeout=120)
    out = res.stdout + res.stderr
    assert "stopping in" in out, out[-3000:]
    assert res.returncode == 0 and time.monotonic() - t0 < 100, out[-3000:]


def test_our_launcher_takes_use_sim_time_too() -> None:
    import sys

    res = subprocess.run([sys.executable, "-m", "emo_perception.cli", "launch", "default.yaml",
                          "--nodes", "camera_node,deid_node", "--use-sim-time", "--dry-run"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 2 and all(line.endswith("-p use_sim_time:=true") for line in lines)
