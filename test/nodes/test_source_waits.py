"""A file source waits for the nodes behind it.

A video or WAV played by camera_node / mic_node starts at once, while deid_node may still
be loading its models for seconds: what went out before its subscription existed was lost
and no node could count it. The launcher now names the consumers (``wait_for_nodes``) and
a file source holds its first frame until each of them has subscribed. Checked here across
processes with a consumer that starts 3 s late: with the wait it gets every frame, without
it (the control) the same run loses them.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap
import time

import cv2
import numpy as np
import pytest

from emo_perception.launcher import make_plan

FRAMES = 8

# A consumer that takes 3 s to "load its models" before it subscribes, then counts what
# it receives until the camera has been gone for a while.
LATE_LISTENER = textwrap.dedent("""
    import sys, time
    import rclpy
    from rclpy.qos import qos_profile_sensor_data
    from sensor_msgs.msg import Image
    rclpy.init()
    node = rclpy.create_node("late_listener", namespace="/emo")
    time.sleep(3.0)
    got = []
    node.create_subscription(Image, "/emo/private/image_raw",
                             lambda m: got.append(m.height), qos_profile_sensor_data)
    end = time.monotonic() + float(sys.argv[1])
    while time.monotonic() < end:
        rclpy.spin_once(node, timeout_sec=0.05)
        if got and len(got) >= %d:
            break
    print("received", len(got), flush=True)
""" % FRAMES)


def _folder(tmp_path: pathlib.Path) -> pathlib.Path:
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(FRAMES):
        cv2.imwrite(str(folder / f"{i:03d}.png"), np.full((48, 64, 3), 20 * i, np.uint8))
    return folder


def _run(folder: pathlib.Path, env: dict[str, str], wait: bool) -> tuple[int, str]:
    listener = subprocess.Popen([sys.executable, "-c", LATE_LISTENER, "20"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cmd = [sys.executable, "-m", "emo_perception.nodes.camera_node", "--ros-args",
           "-r", "__node:=camera_node", "-r", "__ns:=/emo", "-p", f"source:='{folder}'",
           "-p", "fps:=10.0"]
    if wait:
        cmd += ["-p", "wait_for_nodes:=[late_listener]", "-p", "wait_timeout_s:=30.0"]
    camera = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=90)
    out = listener.communicate(timeout=60)[0]
    assert camera.returncode == 0, camera.stdout[-2000:]
    received = [line for line in out.splitlines() if line.startswith("received")]
    assert received, out[-2000:]
    return int(received[-1].split()[1]), camera.stdout


@pytest.mark.ros
def test_a_folder_source_waits_for_a_late_consumer(tmp_path, ros_env) -> None:
    folder = _folder(tmp_path)
    received, log = _run(folder, ros_env, wait=True)
    assert received == FRAMES, log[-2000:]
    assert "waited" in log and "late_listener" in log, log[-2000:]
    # Control: the same run without the wait loses the frames (the camera is done before
    # the listener subscribes), so the check above can fail.
    time.sleep(0.5)
    lost, _ = _run(folder, ros_env, wait=False)
    assert lost < FRAMES


def test_the_launcher_names_the_consumers_of_file_sources(tmp_path) -> None:
    plan = make_plan("default.yaml", source="clip.avi",
                     nodes=["camera_node", "mic_node", "deid_node", "au_node", "voice_node"])
    for src in ("camera_node", "mic_node"):
        assert plan.overrides[src]["wait_for_nodes"] == "[deid_node,au_node,voice_node]"
    alone = make_plan("default.yaml", nodes=["camera_node"])
    assert "wait_for_nodes" not in alone.overrides["camera_node"]
    own = tmp_path / "own.yaml"
    own.write_text("emo_launch:\n  ros__parameters:\n    base: default.yaml\n"
                   "camera_node:\n  ros__parameters:\n    wait_for_nodes: ['']\n")
    assert "wait_for_nodes" not in make_plan(own, nodes=["camera_node", "deid_node"]
                                             ).overrides["camera_node"]
