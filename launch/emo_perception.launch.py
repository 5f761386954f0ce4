"""ros2 launch emo_perception emo_perception.launch.py [config:=...] [source:=...]
[nodes:=camera_node,deid_node,...] [namespace:=emo] [use_sim_time:=true]

Reads the same YAML as ``emo-perception launch`` and resolves it with the same code
(``emo_perception.launcher.make_plan``; ``emo_perception.ros_launch``), so both start the same node
set. Like our launcher, it shuts the node set down ``drain_s`` seconds after every file source
(camera_node, mic_node, player_node) has ended with exit code 0, unless the config sets
``emo_launch.stop_when_source_ends: false``, and restarts a process listed in
``emo_launch.respawn`` only when it dies (``ExitPolicy``; launch's own respawn would also
restart a video source that ended cleanly).
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
    from emo_perception.launcher import ExitPolicy, make_plan
    from emo_perception.ros_launch import launch_entries, parse_bool, use_sim_time

    def arg(name):
        return LaunchConfiguration(name).perform(context).strip()

    nodes = [n.strip() for n in arg("nodes").split(",") if n.strip()] or None
    plan = make_plan(arg("config"), source=arg("source") or None, nodes=nodes,
                     namespace=arg("namespace") or None)
    if parse_bool("use_sim_time", arg("use_sim_time")):
        use_sim_time(plan)
    policy = ExitPolicy(plan)
    actions = []
    for var in ("FASTRTPS_DEFAULT_PROFILES_FILE", "ROS_AUTOMATIC_DISCOVERY_RANGE"):
        if var in plan.env:
            actions.append(SetEnvironmentVariable(var, plan.env[var]))
    for entry in launch_entries(plan):
        actions += _start(entry, policy)
    return actions


def _start(entry, policy):
    """A new launch action for ``entry`` (an action runs once; a respawn needs a new one)
    and the handler that applies ``policy`` when its process exits."""
    if entry.command is not None:
        action = ExecuteProcess(cmd=entry.command, name=entry.process, output="screen",
                                emulate_tty=True)
    else:
        action = Node(package="emo_perception", executable=entry.nodes[0],
                      name=entry.nodes[0], namespace=entry.namespace or None,
                      parameters=entry.parameters, output="screen", emulate_tty=True)
    return [action, RegisterEventHandler(OnProcessExit(
        target_action=action,
        on_exit=lambda event, context: _exited(event, context, entry, policy)))]


def _exited(event, context, entry, policy):
    decision = policy.on_exit(entry.process, event.returncode, context.is_shutdown)
    out = [LogInfo(msg=decision.message)]
    if decision.action == "respawn":
        out.append(TimerAction(period=decision.delay_s, actions=[
            OpaqueFunction(function=lambda _context: _start(entry, policy))]))
    elif decision.action == "stop":
        out.append(TimerAction(period=decision.delay_s, actions=[
            EmitEvent(event=Shutdown(reason=f"source {entry.process} ended"))]))
    return out


def generate_launch_description():
    from emo_perception.ros_launch import LAUNCH_ARGUMENTS

    return LaunchDescription([
        *[DeclareLaunchArgument(a.name, default_value=a.default, description=a.description)
          for a in LAUNCH_ARGUMENTS],
        OpaqueFunction(function=_node_set),
    ])
