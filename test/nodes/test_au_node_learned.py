"""au_node with the learned AU backend: refuses an unfit model with one line, and runs
AU-TTT through onnxruntime on real face crops when explicitly allowed (real rclpy, one
process, the node and a tester on one single-threaded executor)."""

from __future__ import annotations

import time

import cv2
import pytest
import skimage.data

pytestmark = pytest.mark.ros


def _node(extra: list[str]):
    import rclpy

    from emo_perception.config import resolve_config_path
    from emo_perception.nodes.au_node import AuNode

    rclpy.init(args=["--ros-args", "--params-file", str(resolve_config_path("default.yaml")),
                     "-p", "au_backend:=learned", *extra])
    return AuNode


def test_learned_backend_refuses_a_model_not_fit_for_use(ros_env) -> None:
    import rclpy

    cls = _node([])
    try:
        with pytest.raises(SystemExit) as info:
            cls()
        assert "not fit for use" in str(info.value) and "\n" not in str(info.value)
    finally:
        rclpy.try_shutdown()


def test_learned_backend_runs_au_ttt_on_face_crops(ros_env) -> None:
    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from sensor_msgs.msg import Image
    from std_msgs.msg import Header

    from emo_perception.nodes.common import RESULT_QOS, SENSOR_QOS
    from emo_perception.nodes.conversions import bgr_to_image, face_to_msg
    from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
    from emo_perception.perception.types import Frame
    from emo_perception_msgs.msg import ActionUnitsArray, FaceArray

    image = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    lm = LandmarkDetector(LandmarkConfig(static_image_mode=True, pose=False)).process(
        Frame(image, 0.0, 0))
    assert lm.faces and lm.faces[0].mesh is not None
    lm.faces[0].track_id = "p1"
    cls = _node(["-p", "learned.allow_unfit_model:=true"])
    try:
        node = cls()
        assert node.backend == "au_ttt:cpu"  # no GPU here: what actually runs is reported
        tester = rclpy.create_node("tester")
        got: list[ActionUnitsArray] = []
        tester.create_subscription(ActionUnitsArray, "faces/action_units", got.append,
                                   RESULT_QOS)
        img_pub = tester.create_publisher(Image, "private/image_raw", SENSOR_QOS)
        face_pub = tester.create_publisher(FaceArray, "private/faces", RESULT_QOS)
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        executor.add_node(tester)
        header = Header(stamp=tester.get_clock().now().to_msg(), frame_id="camera")
        deadline = time.monotonic() + 20
        while not got and time.monotonic() < deadline:
            img_pub.publish(bgr_to_image(image, header))
            executor.spin_once(timeout_sec=0.1)
            face_pub.publish(FaceArray(header=header, faces=[face_to_msg(lm.faces[0], header,
                                                                         True)]))
            for _ in range(5):
                executor.spin_once(timeout_sec=0.1)
        assert got, "no action units from the learned backend"
        units = got[-1].faces[0]
        assert units.source == "learned" and units.track_id == "p1"
        assert [u.code for u in units.units] == [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24]
        assert all(0.0 <= u.probability <= 1.0 for u in units.units)
        node.destroy_node()
        tester.destroy_node()
    finally:
        rclpy.try_shutdown()
