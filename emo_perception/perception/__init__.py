"""ROS-free perception stages: sources, landmarks and tracking, de-identification,
action units, expression, micro-gestures and fusion."""
