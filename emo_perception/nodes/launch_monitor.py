"""Diagnostics for the launcher: one ``/diagnostics`` status per launched node saying
whether its process is alive, so a node that died shows up next to the live ones'
own diagnostics (which a dead process cannot publish)."""

from __future__ import annotations

import threading
from typing import Callable

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.executors import SingleThreadedExecutor


class LaunchMonitor:
    """Publishes process states from ``states()`` at 1 Hz in a thread of its own."""

    def __init__(self, namespace: str, states: Callable[[], dict[str, int | None]],
                 restarts: Callable[[], dict[str, int]] | None = None) -> None:
        self._states = states
        self._restarts = restarts or (lambda: {})
        self._context = rclpy.Context()
        rclpy.init(context=self._context, signal_handler_options=rclpy.SignalHandlerOptions.NO)
        self._node = rclpy.create_node("launcher", namespace=namespace or "/",
                                       context=self._context)
        self._pub = self._node.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self._node.create_timer(1.0, self.publish)
        self._executor = SingleThreadedExecutor(context=self._context)
        self._executor.add_node(self._node)
        self._thread = threading.Thread(target=self._spin, name="launch-monitor", daemon=True)
        self._thread.start()

    def _spin(self) -> None:
        while self._context.ok():
            try:
                self._executor.spin_once(timeout_sec=0.2)
            except Exception:  # noqa: BLE001 - context shut down while spinning
                return

    def publish(self) -> None:
        arr = DiagnosticArray()
        arr.header.stamp = self._node.get_clock().now().to_msg()
        restarts = self._restarts()
        for name, code in self._states().items():
            if code is None:
                level, message = DiagnosticStatus.OK, "running"
                if restarts.get(name):
                    message = f"running (respawned {restarts[name]}x)"
            elif code == 0:
                level, message = DiagnosticStatus.OK, "finished"
            else:
                level, message = DiagnosticStatus.ERROR, f"died (exit {code})"
            arr.status.append(DiagnosticStatus(
                level=level, name=f"emo_perception: launcher: {name}", message=message,
                hardware_id=name, values=[
                    KeyValue(key="exit_code", value="" if code is None else str(code)),
                    KeyValue(key="restarts", value=str(restarts.get(name, 0)))]))
        self._pub.publish(arr)

    def close(self) -> None:
        try:
            self.publish()  # last word: final states
        finally:
            self._node.destroy_node()
            self._context.try_shutdown()
            self._thread.join(timeout=2.0)
