"""Bags from ``emo-perception record`` carry what ``ros2 bag play`` needs: the QoS profiles
the publishers offered (rosbag2 falls back to its default QoS without them, so a latched
topic replays volatile), a real ROS distribution, and the topics that got no message.
Real processes: the recorder in one, publishers in this one (a context of its own)."""

from __future__ import annotations

import pathlib
import signal
import subprocess
import sys
import time

import pytest
import yaml

from emo_perception import bags

pytestmark = pytest.mark.ros


def _wait_for_line(proc: subprocess.Popen, text: str, timeout: float) -> str:
    seen = ""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stdout.readline()
        seen += line
        if text in line:
            return seen
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"{text!r} not printed; output so far:\n{seen[-2000:]}")


def test_recorded_bag_has_offered_qos_distro_and_silent_topics(tmp_path: pathlib.Path,
                                                               ros_env) -> None:
    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
    from std_msgs.msg import String

    from emo_perception_msgs.msg import FaceArray, PersonTrackArray

    out = tmp_path / "rec"
    recorder = subprocess.Popen(
        [sys.executable, "-m", "emo_perception.cli", "record", "--out", str(out), "--topics",
         "faces", "tracks", "bodies", "/test/status", "--progress", "0"],
        env=ros_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ctx = rclpy.Context()
    rclpy.init(context=ctx)
    node = rclpy.create_node("qos_publisher", context=ctx)
    executor = SingleThreadedExecutor(context=ctx)
    executor.add_node(node)
    try:
        _wait_for_line(recorder, "[record] writing", 60)
        faces = node.create_publisher(FaceArray, "/emo/faces", QoSProfile(
            depth=10, reliability=ReliabilityPolicy.RELIABLE))
        latched = node.create_publisher(String, "/test/status", QoSProfile(
            depth=1, reliability=ReliabilityPolicy.RELIABLE,
            durability=DurabilityPolicy.TRANSIENT_LOCAL))
        # A publisher that never publishes: rosbag2 lists such a topic with 0 messages. It
        # offers best effort where the node set offers reliable: the bag must say its QoS.
        node.create_publisher(PersonTrackArray, "/emo/tracks", QoSProfile(
            depth=7, reliability=ReliabilityPolicy.BEST_EFFORT))
        latched.publish(String(data="ready"))
        end = time.monotonic() + 30
        while time.monotonic() < end and faces.get_subscription_count() == 0:
            executor.spin_once(timeout_sec=0.05)
        for _ in range(3):
            faces.publish(FaceArray())
            executor.spin_once(timeout_sec=0.05)
        faces.wait_for_all_acked()
        time.sleep(1.5)  # the recorder polls the graph every 0.2 s; let it see /emo/tracks
        recorder.send_signal(signal.SIGINT)
        output = recorder.communicate(timeout=30)[0]
    finally:
        if recorder.poll() is None:
            recorder.kill()
        node.destroy_node()
        rclpy.try_shutdown(context=ctx)
    assert recorder.returncode == 0, output[-2000:]

    meta = yaml.safe_load((out / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
    assert meta["ros_distro"] == "jazzy", meta["ros_distro"]
    topics = {t["topic_metadata"]["name"]: t for t in meta["topics_with_message_count"]}
    counts = {name: t["message_count"] for name, t in topics.items()}
    # /emo/bodies was asked for by name but never had a publisher: listed, 0 messages.
    assert counts == {"/emo/faces": 3, "/test/status": 1, "/emo/tracks": 0,
                      "/emo/bodies": 0}, counts
    qos = {name: t["topic_metadata"]["offered_qos_profiles"] for name, t in topics.items()}
    assert all(isinstance(q, list) and q for q in qos.values()), qos
    status = qos["/test/status"][0]
    assert (status["durability"], status["reliability"]) == ("transient_local", "reliable")
    assert (qos["/emo/faces"][0]["reliability"], qos["/emo/faces"][0]["durability"]) == \
        ("reliable", "volatile")
    assert qos["/emo/tracks"][0]["reliability"] == "best_effort", qos["/emo/tracks"]
    # No publisher seen: what the node set's deid_node offers on bodies.
    assert (qos["/emo/bodies"][0]["reliability"], qos["/emo/bodies"][0]["depth"]) == \
        ("reliable", 10)
    for profile in (p for q in qos.values() for p in q):
        assert set(profile) >= {"history", "depth", "reliability", "durability", "deadline",
                                "lifespan", "liveliness", "liveliness_lease_duration"}

    # The MCAP file carries the same facts for readers that ignore metadata.yaml.
    from mcap.reader import make_reader

    with open(next(out.glob("*.mcap")), "rb") as f:
        reader = make_reader(f)
        channels = {c.topic: c for c in reader.get_summary().channels.values()}
        embedded = [m for m in reader.iter_metadata() if m.name == "rosbag2"]
    assert set(channels) == set(counts)
    assert "transient_local" in channels["/test/status"].metadata["offered_qos_profiles"]
    assert embedded and "ros_distro: jazzy" in embedded[0].metadata["serialized_metadata"]
    # Our own reader still opens it, silent topics included.
    info = bags.bag_info(out)
    assert {n: t.count for n, t in info.topics.items()} == counts
    assert [m.data for _t, _ty, _s, m in bags.iter_messages(out, ["/test/status"])] == ["ready"]
