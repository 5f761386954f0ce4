"""Publish a scripted sequence of good and bad frames to ``/emo/private/image_raw``.

``python publish_frames.py IMAGE.png`` publishes, at 5 Hz: good frames, frames with a
wrong encoding, truncated data, an empty frame, a gray frame, and good frames again, and
prints what it sent. Used to check that deid_node fails closed and stays up.
"""

from __future__ import annotations

import sys
import time

import cv2
import rclpy
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image

from emo_perception.nodes.conversions import bgr_to_image


def main() -> int:
    image = cv2.imread(sys.argv[1])
    rclpy.init()
    node = rclpy.create_node("frame_injector")
    pub = node.create_publisher(Image, "/emo/private/image_raw", qos_profile_sensor_data)
    good = bgr_to_image(image)
    yuv = Image(height=good.height, width=good.width, encoding="yuv422",
                step=good.width * 2, data=bytes(good.width * good.height * 2))
    truncated = Image(height=good.height, width=good.width, encoding="bgr8", step=good.step,
                      data=bytes(good.data)[: len(good.data) // 3])
    empty = Image(height=0, width=0, encoding="bgr8", step=0, data=b"")
    gray = bgr_to_image(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), encoding="mono8")
    script = [("good", good)] * 5 + [("yuv422", yuv)] * 3 + [("truncated", truncated)] * 3 + \
        [("empty", empty)] * 2 + [("mono8", gray)] * 3 + [("good", good)] * 5
    time.sleep(1.0)
    for i in range(2):  # twice: the subscriber may join late
        for name, msg in script:
            msg.header.stamp = node.get_clock().now().to_msg()
            msg.header.frame_id = name
            pub.publish(msg)
            time.sleep(0.25)
    node.destroy_node()
    rclpy.try_shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
