"""ros2 launch emo_perception emo_perception.launch.py [config:=...] [source:=...]
[nodes:=camera_node,deid_node,...] [namespace:=emo] [use_sim_time:=true]

Reads the same YAML as ``emo-perception launch`` and resolves it with the same code
(``emo_perception.launcher.make_plan``; ``emo_perception.ros_launch``), so both start the same node
set. Like our launcher, it shuts the node set down ``drain_s`` seconds after a file source
(camera_node, mic_node, player_node) has ended with exit code 0, unless the config sets
``emo_launch.stop_when_source_ends: false``.
"""

from launch import LaunchDescription
from launch.actions import (DeclareLaunchArgument, EmitEvent, ExecuteProcess, LogInfo,
                            OpaqueFunction, RegisterEventHandler, SetEnvironmentVariable,
                            TimerAction)
from launch.event_handlers import OnProcessExit
from launch.events import Shutdown
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node


def _node_set(context, *args, **kwargs):
    from emo_perception.launcher import make_plan
    from emo_perception.ros_launch import launch_entries, parse_bool, use_sim_time

    def arg(name):
        return LaunchConfiguration(name).perform(context).strip()

    nodes = [n.strip() for n in arg("nodes").split(",") if n.strip()] or None
    plan = make_plan(arg("config"), source=arg("source") or None, nodes=nodes,
                     namespace=arg("namespace") or None)
    if parse_bool("use_sim_time", arg("use_sim_time")):
        use_sim_time(plan)
    entries = launch_entries(plan)
    sources = {e.process for e in entries if e.is_source}
    ended = set()
    actions = []
    for var in ("FASTRTPS_DEFAULT_PROFILES_FILE", "ROS_AUTOMATIC_DISCOVERY_RANGE"):
        if var in plan.env:
            actions.append(SetEnvironmentVariable(var, plan.env[var]))
    for entry in entries:
        # emo_launch.respawn maps onto launch's own respawn (same delay and retry limit).
        again = {"respawn": True, "respawn_delay": entry.respawn_delay,
                 "respawn_max_retries": entry.respawn_max_retries} if entry.respawn else {}
        if entry.command is not None:
            action = ExecuteProcess(cmd=entry.command, name=entry.process, output="screen",
                                    emulate_tty=True, **again)
        else:
            action = Node(package="emo_perception", executable=entry.nodes[0],
                          name=entry.nodes[0], namespace=entry.namespace or None,
                          parameters=entry.parameters, output="screen", emulate_tty=True,
                          **again)
        actions.append(action)
        if entry.is_source and plan.stop_when_source_ends:
            actions.append(RegisterEventHandler(OnProcessExit(
                target_action=action,
                on_exit=lambda event, _context, name=entry.process:
                    _source_ended(event, name, sources, ended, plan.drain_s))))
    return actions


def _source_ended(event, name, sources, ended, drain_s):
    """What our launcher does once every source has ended: let the pipeline drain, then
    stop all nodes."""
    if event.returncode != 0:
        return [LogInfo(msg=f"[launch] {name} died (exit {event.returncode}); the other "
                            "nodes keep running")]
    ended.add(name)
    if ended != sources:
        return [LogInfo(msg=f"[launch] source {name} finished; waiting for "
                            f"{', '.join(sorted(sources - ended))}")]
    return [LogInfo(msg=f"[launch] source {name} finished; stopping in {drain_s:.1f} s"),
            TimerAction(period=drain_s, actions=[
                EmitEvent(event=Shutdown(reason=f"source {name} ended"))])]


def generate_launch_description():
    from emo_perception.ros_launch import LAUNCH_ARGUMENTS

    return LaunchDescription([
        *[DeclareLaunchArgument(a.name, default_value=a.default, description=a.description)
          for a in LAUNCH_ARGUMENTS],
        OpaqueFunction(function=_node_set),
    ])
