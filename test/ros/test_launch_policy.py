"""What the ``ros2 launch`` file decides without the launch packages (they have no wheels):
the exit rules its ``OnProcessExit`` handlers apply (``ExitPolicy``, our launcher's rules),
the parameter values it hands launch_ros, and the Python that runs a container.

Defects found by reading launch's and launch_ros's own sources (README, "For ROS 2 users"):
launch's ``respawn`` restarts a process whatever its exit code, so a respawned video source
played again after its clean end; ``source:=0`` reached camera_node as the integer 0, which
it refuses; a container ran on the Python of ``ros2 launch`` (the system's), not the
nodes' (a venv's, with mediapipe).
"""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
import yaml

from emo_perception.launcher import ExitPolicy, make_plan
from emo_perception.ros_launch import (installed_interpreter, launch_entries, override_value,
                                       use_sim_time)

REPO = pathlib.Path(__file__).resolve().parents[2]


def _plan(**kw):
    return make_plan("default.yaml", nodes=kw.pop("nodes", ["camera_node", "deid_node"]), **kw)


def test_clean_source_end_stops_after_drain_and_is_never_respawned() -> None:
    plan = _plan(respawn=["all"])
    policy = ExitPolicy(plan)
    assert policy.sources == {"camera_node"} and policy.respawn == {"camera_node", "deid_node"}
    decision = policy.on_exit("camera_node", 0)
    assert (decision.action, decision.delay_s) == ("stop", plan.drain_s), decision
    # What launch does to the others after Shutdown is not this policy's business.
    assert policy.on_exit("deid_node", -2, shutting_down=True).action == "log"


def test_death_respawns_up_to_the_retry_limit_only_for_listed_processes(tmp_path) -> None:
    config = tmp_path / "r.yaml"
    config.write_text("emo_launch:\n  ros__parameters:\n    base: default.yaml\n"
                      "    respawn: [deid_node]\n    respawn_delay_s: 0.5\n"
                      "    respawn_max_retries: 2\n")
    policy = ExitPolicy(make_plan(config, nodes=["camera_node", "deid_node"]))
    first, second, third = (policy.on_exit("deid_node", 1) for _ in range(3))
    assert (first.action, first.delay_s) == ("respawn", 0.5) and "restart 1" in first.message
    assert second.action == "respawn" and "restart 2" in second.message
    assert third.action == "log" and "respawn limit (2) reached" in third.message
    died = policy.on_exit("camera_node", 3)  # a source that fails: the rest keeps running
    assert died.action == "log" and "exit 3" in died.message and "keep running" in died.message
    assert policy.on_exit("camera_node", 0).action == "stop"  # ... until it ends cleanly


def test_stop_waits_for_every_source_and_can_be_turned_off(tmp_path) -> None:
    plan = make_plan("default.yaml", nodes=["camera_node", "mic_node", "deid_node"])
    policy = ExitPolicy(plan)
    waiting = policy.on_exit("mic_node", 0)
    assert waiting.action == "log" and "waiting for camera_node" in waiting.message
    assert policy.on_exit("deid_node", 0).action == "log"  # not a source
    assert policy.on_exit("camera_node", 0).action == "stop"
    keep = tmp_path / "k.yaml"
    keep.write_text("emo_launch:\n  ros__parameters:\n    base: default.yaml\n"
                    "    stop_when_source_ends: false\n")
    assert ExitPolicy(make_plan(keep, nodes=["camera_node"])).on_exit(
        "camera_node", 0).action == "log"


def test_string_parameters_stay_strings() -> None:
    assert override_value("source", "0") == "0"
    assert override_value("bag", "2026") == "2026"
    assert override_value("use_sim_time", "true") is True
    assert override_value("wait_for_nodes", "[deid_node]") == ["deid_node"]
    entry = {e.process: e for e in launch_entries(_plan(source="0"))}["camera_node"]
    assert entry.parameters[-1] == {"source": "0", "wait_for_nodes": ["deid_node"]}


@pytest.mark.ros
def test_camera_node_takes_the_parameter_file_launch_ros_writes(tmp_path, ros_env) -> None:
    """launch_ros turns a dict of ``parameters`` into a YAML file keyed by the full node name
    (``Node._create_params_file_from_dict``) and passes it after the config files; the real
    camera_node must accept ours: ``source`` as a string and ``use_sim_time`` as a bool."""
    import rclpy
    from rclpy.parameter import parameter_value_to_python
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.parameter_client import AsyncParameterClient

    video = tmp_path / "0"  # a file source named like a camera index
    writer = cv2.VideoWriter(str(video) + ".avi", cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for i in range(5):
        writer.write(np.full((48, 64, 3), 40 * i, np.uint8))
    writer.release()
    entry = {e.process: e for e in launch_entries(use_sim_time(_plan(
        source=str(video) + ".avi", nodes=["camera_node"], namespace="/emo")))}["camera_node"]
    overrides = entry.parameters[-1]
    assert overrides == {"source": str(video) + ".avi", "use_sim_time": True}
    params_file = tmp_path / "launch_params.yaml"
    params_file.write_text(yaml.dump({"/emo/camera_node": {"ros__parameters": overrides}},
                                     default_flow_style=False))
    cmd = [sys.executable, "-m", "emo_perception.nodes.camera_node", "--ros-args",
           "-r", "__node:=camera_node", "-r", "__ns:=/emo",
           *[a for p in entry.parameters[:-1] for a in ("--params-file", p)],
           "--params-file", str(params_file)]
    proc = subprocess.Popen(cmd, env=ros_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    ctx = rclpy.Context()
    rclpy.init(context=ctx)
    node = rclpy.create_node("launch_param_check", context=ctx)
    executor = SingleThreadedExecutor(context=ctx)
    executor.add_node(node)
    try:
        client = AsyncParameterClient(node, "/emo/camera_node")
        deadline = time.monotonic() + 60
        while not client.services_are_ready() and proc.poll() is None and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.services_are_ready(), \
            proc.communicate(timeout=10)[0][-2000:] if proc.poll() is not None else "no services"
        # A request sent while discovery is still matching the response writer can be lost
        # (services_are_ready only sees the request side), so ask again until one answers.
        result = None
        deadline = time.monotonic() + 60
        while result is None and proc.poll() is None and time.monotonic() < deadline:
            future = client.get_parameters(["use_sim_time", "source"])
            asked = time.monotonic()
            while not future.done() and time.monotonic() - asked < 5:
                executor.spin_once(timeout_sec=0.1)
            result = future.result() if future.done() else None
        assert result is not None, "camera_node never answered get_parameters"
        values = [parameter_value_to_python(v) for v in result.values]
        assert values == [True, str(video) + ".avi"], values
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=20)[0]
        executor.shutdown()
        node.destroy_node()
        rclpy.shutdown(context=ctx)
    assert proc.returncode == 0, out[-2000:]


def test_container_runs_on_the_python_of_the_installed_nodes(tmp_path, monkeypatch) -> None:
    plan = make_plan("cpu.yaml", nodes=["camera_node", "deid_node", "au_node", "fusion_node"])
    assert plan.containers, "cpu.yaml has no container any more"
    process = next(iter(plan.containers))
    monkeypatch.delenv("AMENT_PREFIX_PATH", raising=False)
    entries = {e.process: e for e in launch_entries(plan)}
    assert entries[process].command[0] == sys.executable  # not installed: this Python
    # An ament prefix as colcon installs it, its executables written for another Python.
    prefix = tmp_path / "install" / "emo_perception"
    (prefix / "share" / "ament_index" / "resource_index" / "packages").mkdir(parents=True)
    (prefix / "share" / "ament_index" / "resource_index" / "packages" / "emo_perception"
     ).write_text("")
    python = tmp_path / "venv" / "bin" / "python3"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')  # stands for a venv's
    python.chmod(0o755)
    lib = prefix / "lib" / "emo_perception"
    lib.mkdir(parents=True)
    first = plan.containers[process][0]
    (lib / first).write_text(f"#!{python}\nimport sys\n")
    monkeypatch.setenv("AMENT_PREFIX_PATH", str(prefix))
    assert installed_interpreter(first) == str(python)
    command = {e.process: e for e in launch_entries(plan)}[process].command
    assert command[0] == str(python) and command[1:3] == ["-m", "emo_perception.nodes.container"]
    res = subprocess.run([*command[:3], "--help"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "usage: container" in res.stdout + res.stderr
    (lib / first).write_text("#!/no/such/python\n")  # a stale line: fall back, one Python
    assert installed_interpreter(first) == sys.executable
