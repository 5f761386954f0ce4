"""Record a session, replay it through the node set twice with deterministic ids and run
``process`` on it offline, and get the same results: same track ids, same expression
labels, and AUs equal up to landmark tracking jitter, for every frame that both runs
processed (real mediapipe, real processes, real bags). Offline and live are assembled
from the same stage table, so they must agree."""

from __future__ import annotations

import pathlib
import signal
import subprocess
import sys
import time

import cv2
import matplotlib
import numpy as np
import pytest
import skimage.data

from emo_perception import bags

pytestmark = [pytest.mark.ros, pytest.mark.slow]
EMO = [sys.executable, "-m", "emo_perception.cli"]


def _canvas(img: np.ndarray, dx: int) -> np.ndarray:
    canvas = np.full((480, 640, 3), 90, np.uint8)
    h, w = img.shape[:2]
    s = 400 / max(h, w)
    im = cv2.resize(img, (int(w * s), int(h * s)))
    y, x = 40, 100 + dx
    canvas[y:y + im.shape[0], x:x + im.shape[1]] = im
    return canvas


SESSION_STAMPS = [1_000_000_000 + i * 100_000_000 for i in range(30)]  # ns, 10 Hz, 3 s


def _session_bag(path: pathlib.Path) -> None:
    """A person who smiles, then another, drifting a little each frame (10 Hz, 3 s)."""
    smiling = np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1])
    other = cv2.imread(str(pathlib.Path(matplotlib.get_data_path()) / "sample_data" /
                           "grace_hopper.jpg"))
    with bags.BagWriter(path) as writer:
        for i, ns in enumerate(SESSION_STAMPS):
            frame = _canvas(smiling if i < 15 else other, dx=2 * (i % 15))
            writer.write("/emo/private/image_raw", "sensor_msgs/msg/Image", ns,
                         bags.image_msg(frame, ns))


def _replay_and_record(source: pathlib.Path, out: pathlib.Path, env) -> None:
    recorder = subprocess.Popen(EMO + ["record", "--out", str(out), "--progress", "0"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
    try:
        time.sleep(2.0)
        launch = subprocess.run(
            EMO + ["launch", "default.yaml", "--source", str(source),
                   "--nodes", "camera_node,deid_node,au_node,fusion_node",
                   "--param", "deid_node:tracking.deterministic_ids=true",
                   "--param", "player_node:rate=0.5"],
            env=env, capture_output=True, text=True, timeout=180)
        assert launch.returncode == 0, launch.stdout[-2000:] + launch.stderr[-2000:]
        time.sleep(1.0)
    finally:
        recorder.send_signal(signal.SIGINT)
        output = recorder.communicate(timeout=30)[0]
    assert recorder.returncode == 0, output[-2000:]


def _results(bag: pathlib.Path) -> dict[int, dict]:
    """Per frame stamp: track ids and labels of faces/expression, AUs per track."""
    out: dict[int, dict] = {}
    for topic, _type, _t, msg in bags.iter_messages(bag, ["/emo/faces/expression",
                                                          "/emo/faces/action_units"]):
        stamp = bags.stamp_ns(msg.header.stamp)
        entry = out.setdefault(stamp, {})
        if topic.endswith("expression"):
            entry["expr"] = sorted((e.track_id, e.label) for e in msg.expressions)
        else:
            entry["aus"] = {f.track_id: {u.code: u.probability for u in f.units}
                            for f in msg.faces}
    return out


def _offline_results(bag: pathlib.Path, out: pathlib.Path, env) -> dict[int, dict]:
    """The same per-frame view as :func:`_results`, from ``process`` on the bag."""
    import json

    res = subprocess.run(EMO + ["process", str(bag), "--out", str(out), "--config",
                                "default.yaml", "--deterministic-ids"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    results: dict[int, dict] = {}
    for line in (out / "frames.jsonl").read_text().splitlines():
        record = json.loads(line)
        faces = [f for f in record["faces"] if "expression" in f]
        results[round(record["stamp"] * 1e6) * 1000] = {
            "expr": sorted((f["track_id"], f["expression"]["label"]) for f in faces),
            "aus": {f["track_id"]: {int(k[2:]): v["p"] for k, v in f["action_units"].items()}
                    for f in faces}}
    return results


def _skipped_before(run: dict[int, dict], stamp: int) -> bool:
    """Whether ``run`` has no result for an input frame before ``stamp`` (a live run drops
    frames it cannot keep up with; it counts them)."""
    return any(s not in run for s in SESSION_STAMPS if s < stamp)


def _agree(a: dict[int, dict], b: dict[int, dict], what: str) -> list[int]:
    common = sorted(set(a) & set(b))
    assert len(common) >= 20, f"{what}: only {len(common)} frames processed by both"
    for stamp in common:
        assert a[stamp].get("expr") == b[stamp].get("expr"), (what, stamp)
        # mediapipe's video mode tracks landmarks from the previous processed frame, so
        # once one run has dropped a frame the other processed, its later meshes differ a
        # little (on a loaded machine AUs then differed by up to 0.19). Until then both
        # saw the same frames in the same order and must agree closely.
        drifted = _skipped_before(a, stamp) or _skipped_before(b, stamp)
        tolerance = 0.3 if drifted else 0.15
        for track, aus in a[stamp].get("aus", {}).items():
            other = b[stamp]["aus"][track]
            assert max(abs(aus[c] - other[c]) for c in aus) < tolerance, \
                (what, stamp, track, drifted)
    return common


def test_replays_and_offline_processing_give_the_same_results(tmp_path, ros_env) -> None:
    session = tmp_path / "session"
    _session_bag(session)
    first, second = tmp_path / "replay1", tmp_path / "replay2"
    _replay_and_record(session, first, ros_env)
    _replay_and_record(session, second, ros_env)
    a, b = _results(first), _results(second)
    common = _agree(a, b, "live vs live")
    offline = _offline_results(session, tmp_path / "offline", ros_env)
    assert len(offline) == 30  # offline processes every frame
    _agree(a, offline, "live vs offline")
    ids = {t for s in common for t, _ in a[s]["expr"]}
    assert ids <= {"p1", "p2"} and "p1" in ids  # deterministic ids, in order of appearance
    labels = {lb for s in common[:5] for _, lb in a[s]["expr"]}
    assert labels == {"happiness"}
