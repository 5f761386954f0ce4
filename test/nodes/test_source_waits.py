"""A file source waits for the nodes behind it.

A video or WAV played by camera_node / mic_node starts at once, while deid_node may still
be loading its models for seconds: what went out before its subscription existed was lost
and no node could count it. The launcher now names the consumers (``wait_for_nodes``) and
a file source holds its first frame until each of them has subscribed. Checked here across
processes with a consumer that starts 3 s late: with the wait it gets every frame (every
audio chunk, from sequence 0), without it (the control) the same run loses them.
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
# it receives (argv: seconds, message module, type, topic, how many to wait for).
LATE_LISTENER = textwrap.dedent("""
    import importlib, sys, time
    import rclpy
    from rclpy.qos import qos_profile_sensor_data
    seconds, module, name, topic, want = sys.argv[1:6]
    msg_type = getattr(importlib.import_module(module), name)
    rclpy.init()
    node = rclpy.create_node("late_listener", namespace="/emo")
    time.sleep(3.0)
    got = []
    node.create_subscription(msg_type, topic, got.append, qos_profile_sensor_data)
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end and len(got) < int(want):
        rclpy.spin_once(node, timeout_sec=0.05)
    first = getattr(got[0], "sequence", -1) if got else -1
    print("received", len(got), "first", first, flush=True)
""")


def _listen(env: dict[str, str], msg: str, topic: str, want: int) -> subprocess.Popen:
    module, _, name = msg.rpartition(".")
    return subprocess.Popen([sys.executable, "-c", LATE_LISTENER, "20", module, name, topic,
                             str(want)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _received(listener: subprocess.Popen) -> tuple[int, int]:
    out = listener.communicate(timeout=60)[0]
    lines = [line.split() for line in out.splitlines() if line.startswith("received")]
    assert lines, out[-2000:]
    return int(lines[-1][1]), int(lines[-1][3])


def _folder(tmp_path: pathlib.Path) -> pathlib.Path:
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(FRAMES):
        cv2.imwrite(str(folder / f"{i:03d}.png"), np.full((48, 64, 3), 20 * i, np.uint8))
    return folder


def _run(folder: pathlib.Path, env: dict[str, str], wait: bool) -> tuple[int, str]:
    listener = _listen(env, "sensor_msgs.msg.Image", "/emo/private/image_raw", FRAMES)
    cmd = [sys.executable, "-m", "emo_perception.nodes.camera_node", "--ros-args",
           "-r", "__node:=camera_node", "-r", "__ns:=/emo", "-p", f"source:='{folder}'",
           "-p", "fps:=10.0"]
    if wait:
        cmd += ["-p", "wait_for_nodes:=[late_listener]", "-p", "wait_timeout_s:=30.0"]
    camera = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=90)
    assert camera.returncode == 0, camera.stdout[-2000:]
    return _received(listener)[0], camera.stdout


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


@pytest.mark.ros
def test_a_wav_source_waits_for_a_late_consumer(tmp_path, ros_env) -> None:
    import soundfile

    wav = tmp_path / "tone.wav"
    t = np.arange(int(1.2 * 16000)) / 16000.0
    soundfile.write(str(wav), (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    chunks = 12  # 1.2 s in blocks of 1600 samples

    def run(wait: bool) -> tuple[int, int, str]:
        listener = _listen(ros_env, "emo_perception_msgs.msg.AudioChunk",
                           "/emo/private/audio_raw", chunks)
        cmd = [sys.executable, "-m", "emo_perception.nodes.mic_node", "--ros-args",
               "-r", "__node:=mic_node", "-r", "__ns:=/emo", "-p", f"source:='{wav}'",
               "-p", "block_size:=1600"]
        if wait:
            cmd += ["-p", "wait_for_nodes:=[late_listener]", "-p", "wait_timeout_s:=30.0"]
        mic = subprocess.run(cmd, env=ros_env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=90)
        assert mic.returncode == 0, mic.stdout[-2000:]
        return (*_received(listener), mic.stdout)

    received, first, log = run(wait=True)
    assert (received, first) == (chunks, 0), log[-2000:]  # every chunk, from the first
    assert "waited" in log and "late_listener" in log, log[-2000:]
    time.sleep(0.5)
    lost, _, _ = run(wait=False)  # control: played before anyone listened
    assert lost < chunks


@pytest.mark.ros
def test_a_consumer_that_never_comes_delays_the_source_only_until_the_timeout(
        tmp_path, ros_env) -> None:
    folder = _folder(tmp_path)
    t0 = time.monotonic()
    camera = subprocess.run(
        [sys.executable, "-m", "emo_perception.nodes.camera_node", "--ros-args",
         "-r", "__node:=camera_node", "-r", "__ns:=/emo", "-p", f"source:='{folder}'",
         "-p", "fps:=10.0", "-p", "wait_for_nodes:=[nobody_node]", "-p", "wait_timeout_s:=2.0"],
        env=ros_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=90)
    assert camera.returncode == 0, camera.stdout[-2000:]
    assert "nobody_node not ready after 2 s; starting anyway" in camera.stdout, \
        camera.stdout[-2000:]
    assert f"end of source after {FRAMES} frames" in camera.stdout, camera.stdout[-2000:]
    assert time.monotonic() - t0 >= 2.0


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
