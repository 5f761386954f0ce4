"""``ros2 param set`` semantics on a running node, through rclpy's parameter client (the
SetParameters service the CLI calls): a set is applied and validated, or refused with a
reason, and a refused set leaves the old value (``deid.mode bogus`` used to report success
and leave frames blurred while ``param get`` said ``bogus``). The node is started the way
both launchers start it, with ``use_sim_time`` from the launch plan: its diagnostics then
carry the /clock time this test publishes."""

from __future__ import annotations

import subprocess
import time

import pytest

from emo_perception.launcher import make_plan, node_command
from emo_perception.ros_launch import use_sim_time

pytestmark = pytest.mark.ros
CLOCK_S = 1234  # simulated time published on /clock, far from the wall clock


def test_param_set_is_applied_or_refused_with_a_reason(ros_env) -> None:
    import rclpy
    from diagnostic_msgs.msg import DiagnosticArray
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.parameter import Parameter, parameter_value_to_python
    from rclpy.parameter_client import AsyncParameterClient
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from rosgraph_msgs.msg import Clock

    plan = use_sim_time(make_plan("default.yaml", nodes=["deid_node"], namespace="/emo"))
    proc = subprocess.Popen(node_command(plan, "deid_node"), env=ros_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ctx = rclpy.Context()
    rclpy.init(context=ctx)
    node = rclpy.create_node("param_cli", context=ctx)
    executor = SingleThreadedExecutor(context=ctx)
    executor.add_node(node)
    diagnostics: list = []
    node.create_subscription(
        DiagnosticArray, "/diagnostics",
        lambda m: diagnostics.extend((m.header.stamp.sec, s) for s in m.status
                                     if s.name.endswith("/emo/deid_node")), 50)
    clock_pub = node.create_publisher(Clock, "/clock", QoSProfile(
        depth=1, reliability=ReliabilityPolicy.RELIABLE))
    ticks = [0]

    def tick() -> None:  # 0.1 s of simulated time per 0.05 s of wall time
        ticks[0] += 1
        ns = CLOCK_S * 1_000_000_000 + ticks[0] * 100_000_000
        clock_pub.publish(Clock(clock=rclpy.time.Time(nanoseconds=ns).to_msg()))

    node.create_timer(0.05, tick)
    client = AsyncParameterClient(node, "/emo/deid_node")
    deadline = time.monotonic() + 90

    def spin_until(done) -> bool:
        while time.monotonic() < deadline and not done() and proc.poll() is None:
            executor.spin_once(timeout_sec=0.05)
        return done()

    def call(future):
        assert spin_until(future.done), "no answer from /emo/deid_node"
        return future.result()

    def set_one(name, value):
        result = call(client.set_parameters([Parameter(name, value=value)])).results[0]
        return result.successful, result.reason

    def get(name):
        return parameter_value_to_python(call(client.get_parameters([name])).values[0])

    def reported_mode(since: int) -> str:
        assert spin_until(lambda: len(diagnostics) > since), "no diagnostics"
        values = {kv.key: kv.value for kv in diagnostics[-1][1].values}
        return values["deid_mode"]

    try:
        assert spin_until(client.services_are_ready), proc.stdout.read()[-3000:] \
            if proc.poll() is not None else "parameter services never appeared"
        assert get("use_sim_time") is True
        # Diagnostics run on a node timer: on sim time they fire on our /clock, stamped
        # with it (a node on the wall clock would stamp today's date).
        assert spin_until(lambda: diagnostics), "deid_node published no diagnostics"
        assert CLOCK_S <= diagnostics[-1][0] < CLOCK_S + 600, diagnostics[-1][0]

        ok, reason = set_one("deid.mode", "bogus")
        assert not ok and "bogus" in reason and "blur" in reason, reason  # names the choices
        assert get("deid.mode") == "blur"
        ok, reason = set_one("deid.mode", 3)  # wrong type, as `ros2 param set ... 3` sends
        assert not ok and reason, reason
        ok, reason = set_one("deid.margin", 5.0)  # outside the declared range 0..2
        assert not ok and reason, reason
        assert get("deid.margin") == pytest.approx(0.25)
        ok, reason = set_one("landmarks.face_range", "short")  # read at start only
        assert not ok and "read" in reason.lower(), reason
        ok, reason = set_one("no_such_parameter", 1)
        assert not ok
        assert reported_mode(len(diagnostics)) == "blur"

        ok, reason = set_one("deid.mode", "pixelate")
        assert ok, reason
        assert get("deid.mode") == "pixelate"
        # The node applies what it accepted: its diagnostics report the new mode.
        seen = len(diagnostics)
        assert reported_mode(seen) == "pixelate"
    finally:
        node.destroy_node()
        rclpy.try_shutdown(context=ctx)
        proc.send_signal(2)
        try:
            out = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0]
    assert "Traceback" not in out, out[-3000:]
