"""The REP-155 (ROS4HRI) mapping of ``emo_perception/hri/bridge.py`` without ROS: FACS
intensities, expression names, the 18-point skeleton, ROIs and per-id lifetimes. The node
that publishes it is tested across processes in test/nodes/test_ros_hri_bridge.py."""

from __future__ import annotations

import numpy as np
import pytest

from emo_perception.hri import bridge as hb
from emo_perception.perception.types import ActionUnitEstimate


def test_stage_maps_to_rep155_conventions() -> None:
    facs = hb.facs([ActionUnitEstimate(12, 0.9, 3.0), ActionUnitEstimate(25, 0.4, float("nan")),
                    ActionUnitEstimate(200, 1.0, 5.0)])
    assert facs.intensity.shape == (99,) and facs.intensity[12] == pytest.approx(0.6)
    assert facs.confidence[12] == pytest.approx(0.9)
    assert facs.intensity[25] == pytest.approx(0.4)  # no intensity estimate: probability
    assert np.count_nonzero(facs.confidence) == 2
    expr = hb.expression(["happiness", "contempt", "neutral"], [0.3, 0.5, 0.2], 0.4, 2.0)
    assert (expr.expression, expr.confidence, expr.arousal) == ("happy", 0.3, 1.0)
    pose = np.zeros((33, 4))
    pose[:, 3] = 1.0
    pose[11, :2], pose[12, :2] = (60, 40), (40, 40)  # the person's left, right shoulder
    pose[0, :2] = (50, 20)
    sk = hb.skeleton18(pose, 100, 200)
    assert sk[0].tolist() == pytest.approx([0.5, 0.1, 1.0])
    assert sk[1].tolist() == pytest.approx([0.5, 0.2, 1.0])  # neck: between the shoulders
    assert sk[2, 0] == pytest.approx(0.4) and sk[5, 0] == pytest.approx(0.6)
    roi = hb.Roi.from_box(hb.Box(-10, 20, 60, 400), 100, 200, 0.8)
    assert (roi.xmin, roi.ymin, roi.xmax, roi.ymax) == (0.0, 0.1, 0.5, 1.0)
    bridge = hb.HriBridge()
    assert bridge.faces_seen(["p1", "p2"]) == (["fp1", "fp2"], ["fp1", "fp2"])
    assert bridge.faces_seen(["p2"]) == (["fp2"], [])
    changed, persons, ended = bridge.tracks([("p1", "p1", "", ""), ("p2", "", "p2", "")])
    assert [p.face for p in persons] == ["fp1", ""] and len(changed) == 2
    changed, persons, ended = bridge.tracks([("p2", "", "p2", "")])
    assert changed == [] and ended.faces == {"fp1"} and ended.persons == {"p1"}
    assert "fp1" not in bridge.live.faces
    with pytest.raises(ValueError, match="choices|one of"):
        hb.HriBridgeConfig(crops="raw")
