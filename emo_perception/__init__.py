"""emo_perception: identity-free emotion perception for robots (ROS 2 node set).

Layout by dependency direction:
  labels, evidence, config       shared, ROS-free vocabulary
  perception/, voice/, reasoning/ ROS-free stages (plain classes, typed dataclasses)
  models/, inference/            learned models and accelerated runtimes
  nodes/                         thin ROS 2 node adapters around one stage each
  cli/                           the ``emo-perception`` command
"""

__version__ = "0.1.0"
