"""Our launch file run by the real ``launch``/``launch_ros`` (optional: skips without them).

There are no wheels of launch, launch_ros or ros2cli, so on pip installs (and in CI) every
case here skips with the reason. On a ROS 2 machine (``source /opt/ros/jazzy/setup.bash``,
this package built with colcon and ``install/setup.bash`` sourced, README "For ROS 2 users")
they run the launch file of this checkout with ``ros2 launch FILE`` (or, without ros2cli,
with launch's ``LaunchService`` as ``ros2 launch`` does) on Megamind.avi:

- the declared arguments (``ros2 launch --show-args``) are the README's, defaults included;
- ``use_sim_time:=true`` reaches every node, those in the analysis container too (read back
  with rclpy's parameter client, as ``ros2 param get`` does);
- Ctrl-C (SIGINT to the launch's process group, as a terminal sends it) stops every node
  process: each exits with code 0 and none is left running;
- the end of the video stops the whole node set under the launch file's own handlers
  (``extended``: it plays the whole 11 s video; ``pytest -m extended test/ros``).
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from emo_perception.ros_launch import LAUNCH_ARGUMENTS

REPO = pathlib.Path(__file__).resolve().parents[2]
LAUNCH_FILE = REPO / "launch" / "emo_perception.launch.py"
MEGAMIND = pathlib.Path("/usr/share/doc/opencv-doc/examples/data/Megamind.avi")
NODES = "camera_node,deid_node,au_node,fusion_node"  # cpu.yaml: au+fusion in one container
# What ros2launch does for `ros2 launch FILE NAME:=VALUE`, where ros2cli is not installed.
RUNNER = """
import sys
import launch
from launch.actions import IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource
args = [a.split(':=', 1) for a in sys.argv[2:]]
service = launch.LaunchService(argv=sys.argv[2:])
service.include_launch_description(launch.LaunchDescription([IncludeLaunchDescription(
    PythonLaunchDescriptionSource(sys.argv[1]), launch_arguments=args)]))
sys.exit(service.run())
"""


def _missing() -> str | None:
    for module in ("launch", "launch_ros"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not importable (no wheels exist; source a ROS 2 install)"
    try:
        from ament_index_python.packages import get_package_prefix

        prefix = get_package_prefix("emo_perception")
    except Exception as exc:  # noqa: BLE001 - any failure means: not installed
        return f"emo_perception is not in an ament prefix ({exc}); build it with colcon"
    if not os.access(os.path.join(prefix, "lib", "emo_perception", "camera_node"), os.X_OK):
        return f"{prefix}/lib/emo_perception/camera_node missing; rebuild with colcon"
    return None


MISSING = _missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))


def _launch_command(*args: str) -> list[str]:
    if shutil.which("ros2"):
        return ["ros2", "launch", str(LAUNCH_FILE), *args]
    return [sys.executable, "-c", RUNNER, str(LAUNCH_FILE), *args]


def _start(ros_env, *args: str) -> subprocess.Popen:
    return subprocess.Popen(_launch_command(*args), env=ros_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _processes(out: str) -> tuple[dict[int, str], dict[int, int]]:
    """From launch's log: pid -> process name of every start, pid -> exit code."""
    started = {int(pid): name for name, pid in
               re.findall(r"\[INFO\] \[([\w.-]+)\]: process started with pid \[(\d+)\]", out)}
    codes = {int(pid): 0 for pid in re.findall(r"process has finished cleanly \[pid (\d+)\]",
                                               out)}
    codes.update({int(pid): int(code) for pid, code in
                  re.findall(r"process has died \[pid (\d+), exit code (-?\d+)", out)})
    return started, codes


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _readme_arguments() -> dict[str, str]:
    """The README's table of launch arguments: name -> default column."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("## For ROS 2 users"):]
    names = {a.name for a in LAUNCH_ARGUMENTS}
    return {name: default.strip() for name, default in
            re.findall(r"^\| `(\w+)` \| ([^|]+) \|", section, re.M) if name in names}


def test_declared_arguments_are_the_readmes() -> None:
    from launch import LaunchContext
    from launch.launch_description_sources import get_launch_description_from_python_launch_file
    from launch.utilities import perform_substitutions

    description = get_launch_description_from_python_launch_file(str(LAUNCH_FILE))
    declared = {a.name: (perform_substitutions(LaunchContext(), a.default_value), a.description)
                for a in description.get_launch_arguments()}
    assert list(declared) == [a.name for a in LAUNCH_ARGUMENTS]
    for a in LAUNCH_ARGUMENTS:
        assert declared[a.name] == (a.default, a.description)
    readme = _readme_arguments()
    assert set(readme) == set(declared), readme
    for name, (default, _) in declared.items():
        assert readme[name].strip("`") == default or not default, (name, readme[name])


@pytest.mark.ros
@pytest.mark.slow
def test_use_sim_time_reaches_every_node_and_ctrl_c_stops_them(ros_env, tmp_path) -> None:
    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.parameter import parameter_value_to_python
    from rclpy.parameter_client import AsyncParameterClient

    config = tmp_path / "keep.yaml"  # the video's end must not stop the set before Ctrl-C
    config.write_text("emo_launch:\n  ros__parameters:\n    base: cpu.yaml\n"
                      "    stop_when_source_ends: false\n")
    proc = _start(ros_env, f"config:={config}", f"source:={MEGAMIND}", f"nodes:={NODES}",
                  "use_sim_time:=true")
    ctx = rclpy.Context()
    rclpy.init(context=ctx)
    node = rclpy.create_node("real_launch_check", context=ctx)
    executor = SingleThreadedExecutor(context=ctx)
    executor.add_node(node)
    values = {}
    try:
        deadline = time.monotonic() + 90
        for name in NODES.split(","):
            client = AsyncParameterClient(node, f"/emo/{name}")
            while not client.services_are_ready() and proc.poll() is None and \
                    time.monotonic() < deadline:
                executor.spin_once(timeout_sec=0.1)
            assert client.services_are_ready(), f"/emo/{name} has no parameter services"
            future = client.get_parameters(["use_sim_time"])
            while not future.done() and time.monotonic() < deadline:
                executor.spin_once(timeout_sec=0.1)
            values[name] = parameter_value_to_python(future.result().values[0])
    finally:
        executor.shutdown()
        node.destroy_node()
        rclpy.shutdown(context=ctx)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        out = proc.communicate(timeout=60)[0]
    assert values == {name: True for name in NODES.split(",")}, (values, out[-4000:])
    started, codes = _processes(out)
    # camera_node, deid_node and the analysis container (au_node, fusion_node)
    assert len(started) == 3 and any(n.startswith("analysis") for n in started.values()), \
        out[-4000:]
    assert set(codes) == set(started), out[-4000:]
    assert all(code == 0 for code in codes.values()), codes
    assert not [pid for pid in started if _alive(pid)], "orphans after Ctrl-C"


@pytest.mark.ros
@pytest.mark.extended
def test_end_of_video_stops_the_whole_node_set(ros_env) -> None:
    t0 = time.monotonic()
    proc = _start(ros_env, "config:=cpu.yaml", f"source:={MEGAMIND}", f"nodes:={NODES}")
    try:
        out = proc.communicate(timeout=240)[0]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    started, codes = _processes(out)
    assert "source camera_node finished; stopping in" in out, out[-4000:]
    assert proc.returncode == 0, out[-4000:]
    assert set(codes) == set(started) and len(started) == 3, out[-4000:]
    assert all(code == 0 for code in codes.values()), codes
    assert not [pid for pid in started if _alive(pid)]
    assert time.monotonic() - t0 < 240
