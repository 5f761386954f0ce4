"""ros2 launch emo_perception emo_perception.launch.py [config:=...] [source:=...]
[nodes:=camera_node,deid_node,...] [namespace:=emo]

Reads the same YAML as ``emo-perception launch`` and resolves it with the same code
(``emo_perception.launcher.make_plan``), so both start the same node set.
"""

import yaml
from launch import LaunchDescription
from launch.actions import (DeclareLaunchArgument, ExecuteProcess, OpaqueFunction,
                            SetEnvironmentVariable)
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node


def _node_set(context, *args, **kwargs):
    from emo_perception.launcher import make_plan, process_command

    def arg(name):
        return LaunchConfiguration(name).perform(context).strip()

    nodes = [n.strip() for n in arg("nodes").split(",") if n.strip()] or None
    plan = make_plan(arg("config"), source=arg("source") or None, nodes=nodes,
                     namespace=arg("namespace") or None)
    actions = []
    for var in ("FASTRTPS_DEFAULT_PROFILES_FILE", "ROS_AUTOMATIC_DISCOVERY_RANGE"):
        if var in plan.env:
            actions.append(SetEnvironmentVariable(var, plan.env[var]))
    for process, members in plan.processes().items():
        if process in plan.containers:
            # Nodes sharing a process each carry their own ROS arguments; launch_ros's Node
            # would append process-wide ones, so start our container as a plain process.
            actions.append(ExecuteProcess(cmd=process_command(plan, process), name=process,
                                          output="screen", emulate_tty=True))
            continue
        node = members[0]
        params = [str(p) for p in plan.config_files]
        if plan.overrides.get(node):
            # -p on the command line parses values as YAML; do the same here.
            params.append({k: yaml.safe_load(v) for k, v in plan.overrides[node].items()})
        actions.append(Node(
            package="emo_perception", executable=node, name=node,
            namespace=plan.namespace.lstrip("/") or None, parameters=params,
            output="screen", emulate_tty=True))
    return actions


def generate_launch_description():
    return LaunchDescription([
        DeclareLaunchArgument("config", default_value="default.yaml",
                              description="YAML config: a path or a shipped name "
                                          "(default, cpu, desktop_gpu, jetson)"),
        DeclareLaunchArgument("source", default_value="",
                              description="camera index, video, image folder, bag or WAV "
                                          "(empty = the config's)"),
        DeclareLaunchArgument("nodes", default_value="",
                              description="comma-separated nodes (empty = the config's)"),
        DeclareLaunchArgument("namespace", default_value="",
                              description="namespace (empty = the config's, default emo)"),
        OpaqueFunction(function=_node_set),
    ])
