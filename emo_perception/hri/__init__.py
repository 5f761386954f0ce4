"""REP-155 (ROS4HRI) view of our perception: a ROS-free mapping stage for hri_bridge_node."""
