"""The ROS layer: one thin rclpy node per stage, plus message conversions."""
