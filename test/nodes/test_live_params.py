"""Parameters of a running node: a ``live`` setting changes what the node does from the
next frame on; any other setting is refused instead of reporting a change that never
happens (``ros2 param set /emo/deid_node deid.mode solid`` used to succeed and do
nothing, on the privacy boundary). Real processes: the launcher runs camera_node and
deid_node, a probe in another process sets the parameters through the parameter service
and measures the published video."""

from __future__ import annotations

import json
import pathlib
import signal
import subprocess
import sys

import cv2
import numpy as np
import pytest
import skimage.data

pytestmark = pytest.mark.ros
REPO = pathlib.Path(__file__).resolve().parents[2]


def test_deid_mode_changes_live_and_read_only_settings_are_refused(tmp_path, ros_env) -> None:
    image = tmp_path / "person.png"
    canvas = np.full((480, 640, 3), 60, np.uint8)
    face = cv2.resize(np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1]), (400, 400))
    canvas[40:440, 120:520] = face
    cv2.imwrite(str(image), canvas)
    probe = subprocess.Popen([sys.executable, str(REPO / "test" / "tools" /
                                                  "live_param_probe.py"), "--timeout", "60"],
                             env=ros_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    launch = subprocess.Popen(
        [sys.executable, "-m", "emo_perception.cli", "launch", "default.yaml", "--source",
         str(image), "--nodes", "camera_node,deid_node", "--param", "camera_node:fps=5.0",
         "--param", "camera_node:loop=true", "--duration", "60"],
        env=ros_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        output = probe.communicate(timeout=90)[0]
    finally:
        # The probe has what it needs: stop the node set as Ctrl-C would.
        launch.send_signal(signal.SIGINT)
        launch_out, launch_err = launch.communicate(timeout=60)
    assert "Traceback" not in launch_out + launch_err, launch_err[-3000:]
    report = json.loads(output.strip().splitlines()[-1])
    assert report, output[-2000:]
    assert report["set_mode"]["successful"], report
    # Blur leaves almost no pixel at exactly the fill colour; solid paints the face box
    # (about 10-16 % of the frame, depending on which detectors' boxes make the union).
    assert report["before"] < 0.01 and report["after"] > 0.05, report
    assert not report["set_read_only"]["successful"], report
    assert "read-only" in report["set_read_only"]["reason"] or \
        "read only" in report["set_read_only"]["reason"].lower(), report
