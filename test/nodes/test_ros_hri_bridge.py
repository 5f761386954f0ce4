"""hri_bridge_node publishes our perception as REP-155 (ROS4HRI) topics. Real processes:
our launcher runs camera_node on a real face video (Megamind.avi from Debian's opencv-doc),
deid_node, au_node and the bridge; a ROS4HRI-style listener in another process follows ids
across the ``tracked`` lists and checks what arrives per id. Face crops on ``/humans`` are
judged with the independent detectors of the privacy audit, against the raw frame region
of the same stamp and ROI as positive control."""

from __future__ import annotations

import json
import pathlib
import signal
import subprocess
import sys

import numpy as np
import pytest


REPO = pathlib.Path(__file__).resolve().parents[2]
MEGAMIND = pathlib.Path("/usr/share/doc/opencv-doc/examples/data/Megamind.avi")
REP155_EXPRESSIONS = {"neutral", "angry", "sad", "happy", "surprised", "disgusted", "scared",
                      "pleading", "vulnerable", "despaired", "guilty", "disappointed",
                      "embarrassed", "horrified", "skeptical", "annoyed", "furious",
                      "suspicious", "rejected", "bored", "tired", "asleep", "confused",
                      "amazed", "excited"}
OUR_AUS = {1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26, 43, 45}


def test_hri_messages_can_be_recorded_with_rosidl_type_hashes() -> None:
    """Bags know the REP-155 types (``emo-perception record --topics /humans/...``), with
    the type hashes rosidl generated for the hri_msgs in this environment."""
    import sys

    from emo_perception import bags

    share = pathlib.Path(sys.prefix) / "share" / "hri_msgs" / "msg"
    specs = sorted(share.glob("*.json"))
    assert specs, f"hri_msgs not built into {sys.prefix} (scripts/build_msgs.sh)"
    for spec in specs:
        generated = json.loads(spec.read_text())["type_hashes"][0]["hash_string"]
        assert bags.typestore().hash_rihs01(f"hri_msgs/msg/{spec.stem}") == generated, spec


@pytest.mark.ros
@pytest.mark.slow
def test_ros4hri_listener_follows_faces_on_a_real_video(tmp_path, ros_env) -> None:
    if not MEGAMIND.exists():
        pytest.fail(f"{MEGAMIND} missing: install Debian's opencv-doc (make setup does)")
    out = tmp_path / "listener"
    listener = subprocess.Popen(
        [sys.executable, str(REPO / "test" / "tools" / "hri_listener.py"), str(out), "150"],
        env=ros_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert listener.stdout.readline().strip() == "listening"
    launch = subprocess.run(
        [sys.executable, "-m", "emo_perception.cli", "launch", "default.yaml", "--source",
         str(MEGAMIND), "--nodes", "camera_node,deid_node,au_node,hri_bridge_node",
         "--param", "camera_node:fps=4.0", "--param", "camera_node:max_frames=24",
         "--duration", "80"],
        env=ros_env, capture_output=True, text=True, timeout=150)
    listener.send_signal(signal.SIGINT)  # the node set has stopped: report what arrived
    log = listener.communicate(timeout=60)[0]
    assert "Traceback" not in launch.stdout + launch.stderr, launch.stderr[-3000:]
    assert launch.returncode == 0, launch.stdout[-2000:] + launch.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())

    faces = {i: f for i, f in report["faces"].items() if f["roi"]}
    assert faces, log[-2000:] + launch.stderr[-2000:]
    listed = {i for ids in report["tracked"]["faces"] for i in ids}
    assert set(faces) <= listed  # followed from the tracked list, not guessed
    main_id = max(faces, key=lambda i: len(faces[i]["roi"]))
    face = faces[main_id]
    assert len(face["roi"]) >= 3, face["roi"]
    for xmin, ymin, xmax, ymax, c in face["roi"]:
        assert 0.0 <= xmin < xmax <= 1.0 and 0.0 <= ymin < ymax <= 1.0 and 0.0 <= c <= 1.0
    assert face["expression"], "no expression for a tracked face"
    for e in face["expression"]:
        assert e["expression"] in REP155_EXPRESSIONS
        assert -1.0 <= e["valence"] <= 1.0 and 0.0 <= e["confidence"] <= 1.0
    assert face["facs"], "no facs for a tracked face"
    for f in face["facs"]:
        assert f["size"] == 99 and f["nonzero"]
        assert set(f["nonzero"]) <= OUR_AUS, f["nonzero"]  # indexed by FACS code
        assert all(0.0 <= v <= 1.0 for v in f["intensity"].values())
    # The person behind the face: latched face_id names it, anonymous is true.
    person = main_id[1:]
    assert person in {i for ids in report["tracked"]["persons"] for i in ids}
    assert main_id in report["persons"][person]["face_id"]
    assert report["persons"][person]["anonymous"] == [True]
    for body in report["bodies"].values():
        for skeleton in body["skeleton"]:
            points = np.array(skeleton)
            assert points.shape == (18, 3) and ((0 <= points) & (points <= 1)).all()

    # Crops come from the de-identified video. The privacy audit judges each crop against
    # the raw region of the same frame and ROI (its originals): independent detectors and
    # re-identification, with positive controls on the originals.
    assert report["controlled_crops"] >= 3, report["controlled_crops"]
    from emo_perception.audit.faces import FaceAuditor

    crops = np.load(out / "crops.npz")
    auditor = FaceAuditor()
    for kind in ("", "bodies_"):
        originals = list(crops[f"{kind}original"])
        shown = list(crops[f"{kind}shown"])
        if not originals:
            continue
        audit = auditor.audit_pairs(originals, shown)
        if kind == "":  # face crops: the originals hold faces the audit finds
            assert audit.faces and not audit.void, audit.summary()
        assert not audit.leaked, audit.summary()


@pytest.mark.ros
def test_voices_persons_and_extensions_in_process(ros_env) -> None:
    """The bridge node and a test node in one executor (real rclpy, real DDS): voice
    topics, person extensions, and per-id topics removed when the person's track ends."""
    import time

    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
    from std_msgs.msg import Bool, String

    from emo_perception.nodes.hri_bridge_node import HriBridgeNode
    from emo_perception_msgs import msg as m
    from hri_msgs.msg import AudioFeatures, IdsList, LiveSpeech

    ctx = rclpy.Context()
    rclpy.init(context=ctx)
    bridge = HriBridgeNode(context=ctx, namespace="/emo")
    node = rclpy.create_node("hri_probe", context=ctx)
    executor = SingleThreadedExecutor(context=ctx)
    executor.add_node(bridge)
    executor.add_node(node)
    got: dict[str, list] = {}
    reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)

    def listen(msg_type, topic, qos=reliable):
        node.create_subscription(msg_type, topic,
                                 lambda msg: got.setdefault(topic, []).append(msg), qos)

    def spin_until(done, timeout=20.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end and not done():
            executor.spin_once(timeout_sec=0.05)
        return done()

    try:
        for topic, typ in (("/humans/voices/tracked", IdsList),
                           ("/humans/persons/tracked", IdsList),
                           ("/humans/voices/v1/is_speaking", Bool),
                           ("/humans/voices/v1/speech", LiveSpeech),
                           ("/humans/voices/v1/features", AudioFeatures),
                           ("/humans/persons/p1/emo_perception/state", m.EmotionState),
                           ("/humans/persons/p1/emo_perception/reasoning",
                            m.EmotionReasoning)):
            listen(typ, topic)
        listen(String, "/humans/persons/p1/face_id", latched)
        pubs = {name: node.create_publisher(typ, f"/emo/{name}", reliable) for name, typ in (
            ("tracks", m.PersonTrackArray), ("voice/activity", m.VoiceActivity),
            ("voice/speech", m.Speech), ("voice/prosody", m.Prosody),
            ("emotion/state", m.EmotionStateArray), ("emotion/reasoning", m.EmotionReasoning))}
        assert spin_until(lambda: all(p.get_subscription_count() for p in pubs.values()))
        tracks = m.PersonTrackArray(tracks=[m.PersonTrack(track_id="p1", face_id="p1")])
        pubs["tracks"].publish(tracks)
        assert spin_until(lambda: "/humans/persons/tracked" in got)
        pubs["voice/activity"].publish(m.VoiceActivity(voice_id="v1", is_speaking=True))
        pubs["voice/speech"].publish(m.Speech(voice_id="v1", text="hello there",
                                              confidence=0.8, language="en"))
        pubs["voice/prosody"].publish(m.Prosody(voice_id="v1", f0_mean_hz=200.0,
                                                energy_db=-20.0))
        pubs["emotion/state"].publish(m.EmotionStateArray(
            states=[m.EmotionState(track_id="p1")]))
        pubs["emotion/reasoning"].publish(m.EmotionReasoning(track_id="p1"))
        wanted = ["/humans/voices/tracked", "/humans/voices/v1/is_speaking",
                  "/humans/voices/v1/speech", "/humans/voices/v1/features",
                  "/humans/persons/p1/emo_perception/state",
                  "/humans/persons/p1/emo_perception/reasoning", "/humans/persons/p1/face_id"]
        assert spin_until(lambda: all(t in got for t in wanted)), set(wanted) - set(got)
        assert got["/humans/persons/tracked"][-1].ids == ["p1"]
        assert got["/humans/persons/p1/face_id"][-1].data == "fp1"
        assert got["/humans/voices/tracked"][-1].ids == ["v1"]
        assert got["/humans/voices/v1/is_speaking"][-1].data is True
        speech = got["/humans/voices/v1/speech"][-1]
        assert (speech.final, speech.language) == ("hello there", "en")
        assert speech.confidence == pytest.approx(0.8)
        features = got["/humans/voices/v1/features"][-1]
        assert features.pitch == pytest.approx(0.4) and features.rms == pytest.approx(0.1)
        # The track ends: the person leaves the list and its topics go away.
        pubs["tracks"].publish(m.PersonTrackArray())
        assert spin_until(lambda: got["/humans/persons/tracked"][-1].ids == [])
        assert spin_until(lambda: node.count_publishers("/humans/persons/p1/face_id") == 0)
    finally:
        node.destroy_node()
        bridge.destroy_node()
        rclpy.try_shutdown(context=ctx)
