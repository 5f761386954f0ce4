"""fusion_node when a frame's expressions overtake that frame's tracks.

au_node's ExpressionArray of a frame comes after deid_node's tracks of the same frame on an
idle machine, but the two travel separately, and one CI run saw the expressions first at
the frame where a person's track ended: the state of that frame still listed the person,
unlike `process`, where the end applies before the frame is fused. fusion_node now holds a
frame's expressions until that frame's tracks have arrived (at most ``tracks_wait_s``).
Checked across processes with the real node and the order forced by a driver.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

DRIVER = textwrap.dedent("""
    import json, time
    import rclpy
    from rclpy.qos import qos_profile_sensor_data
    from std_msgs.msg import Header
    from emo_perception_msgs.msg import (EmotionStateArray, Expression, ExpressionArray,
                                         PersonTrack, PersonTrackArray)
    LABELS = ["surprise", "fear", "disgust", "happiness", "sadness", "anger", "neutral"]
    rclpy.init()
    node = rclpy.create_node("order_driver", namespace="/emo")
    tracks = node.create_publisher(PersonTrackArray, "/emo/tracks", 10)
    expressions = node.create_publisher(ExpressionArray, "/emo/faces/expression", 10)
    got = []
    node.create_subscription(
        EmotionStateArray, "/emo/emotion/state",
        lambda m: got.append([m.header.stamp.sec, sorted(s.track_id for s in m.states)]),
        qos_profile_sensor_data)

    def spin(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            rclpy.spin_once(node, timeout_sec=0.02)

    end = time.monotonic() + 90
    while time.monotonic() < end and not (
            tracks.get_subscription_count() and expressions.get_subscription_count()
            and node.count_publishers("/emo/emotion/state")):
        spin(0.1)
    spin(1.5)  # discovery the other way round

    def header(sec):
        h = Header(frame_id="camera")
        h.stamp.sec = sec
        return h

    def send_tracks(sec, ids):
        tracks.publish(PersonTrackArray(header=header(sec), tracks=[
            PersonTrack(header=header(sec), track_id=i, face_id="f" + i) for i in ids]))

    def send_expressions(sec, ids):
        probs = [0.02, 0.02, 0.02, 0.88, 0.02, 0.02, 0.02]
        expressions.publish(ExpressionArray(header=header(sec), expressions=[
            Expression(header=header(sec), track_id=i, label_set="basic7", labels=LABELS,
                       probabilities=probs, label="happiness", valence=0.8, arousal=0.4,
                       confidence=0.9, source="geometric") for i in ids]))

    for sec in range(1, 6):  # p1 in five frames, tracks first as usual
        send_tracks(sec, ["p1"])
        spin(0.15)
        send_expressions(sec, ["p1"])
        spin(0.3)
    send_expressions(6, [])  # p1 has left: frame 6's expressions overtake its tracks
    spin(0.4)
    send_tracks(6, [])
    end = time.monotonic() + 15
    while time.monotonic() < end and not any(sec == 6 for sec, _ in got):
        spin(0.1)
    print("STATES", json.dumps(got), flush=True)
""")


@pytest.mark.ros
def test_a_frame_whose_expressions_overtake_its_tracks_waits_for_them(ros_env) -> None:
    fusion = subprocess.Popen(
        [sys.executable, "-m", "emo_perception.nodes.fusion_node", "--ros-args",
         "-r", "__node:=fusion_node", "-r", "__ns:=/emo"],
        env=ros_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        driver = subprocess.run([sys.executable, "-c", DRIVER], env=ros_env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=150)
    finally:
        fusion.terminate()
        log = fusion.communicate(timeout=30)[0]
    lines = [x for x in driver.stdout.splitlines() if x.startswith("STATES ")]
    assert driver.returncode == 0 and lines, driver.stdout[-2000:] + log[-2000:]
    states = dict((sec, ids) for sec, ids in json.loads(lines[-1][7:]))
    assert states.get(5) == ["p1"], (states, log[-2000:])  # the person was fused
    assert states.get(6) == [], (states, log[-2000:])  # and is gone in the frame it left
