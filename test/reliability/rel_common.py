"""Helpers of the reliability suite. The case log: every case writes what it checked and
what it measured to ``out/reliability/<case>.json``; ``scripts/gen_reliability_doc.py``
renders them as the table of docs/reliability.md.

A case is recorded before its test asserts, with ``passed`` set from the same condition
the test asserts, so a failing case shows up in the table as failed instead of vanishing.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import time
from typing import Any

REPO = pathlib.Path(__file__).resolve().parents[2]
RESULTS = REPO / "out" / "reliability"
TOOLS = REPO / "test" / "tools"


def machine() -> dict[str, Any]:
    """Where a case ran: CPU count and load, so numbers from a busy machine say so."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    model = ""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "loadavg": load, "cpu": model,
            "python": platform.python_version()}


def record_case(case: str, group: str, checks: str, result: str, passed: bool,
                measured: dict[str, Any] | None = None, nodeid: str = "",
                extended: bool = False) -> None:
    """Write one case's outcome (``result`` is the one-line measured outcome)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    # pytest's temporary folders say nothing to a reader of the table
    result = re.sub(r"/tmp/pytest-of-[^/]+/pytest-\d+/[^/ ']+/", "", result)
    entry = {"case": case, "group": group, "checks": checks, "result": result,
             "passed": bool(passed), "measured": measured or {}, "test": nodeid,
             "extended": extended,
             "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             "machine": machine()}
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", case)
    (RESULTS / f"{safe}.json").write_text(json.dumps(entry, indent=2) + "\n")


# What mediapipe's and TFLite's C++ logging (absl/glog) prints on stderr by itself.
_NATIVE_LOG = re.compile(r"^([IWEF]\d{4} |WARNING: All log messages before absl|INFO: Created "
                         r"TensorFlow Lite)")


def our_lines(stderr: str) -> list[str]:
    """Non-empty stderr lines, without the native libraries' own log lines."""
    return [ln for ln in stderr.splitlines() if ln.strip() and not _NATIVE_LOG.match(ln)]


def one_line_error(output: str) -> str:
    """The error line of a command's output, or '' when the output is not one clear line:
    no traceback, exactly one non-empty line that says error (other lines are progress)."""
    if "Traceback" in output:
        return ""
    lines = [ln.strip() for ln in output.splitlines() if "error" in ln.lower()]
    return lines[0] if len(lines) == 1 else ""


def emo(*args: str, env: dict[str, str] | None = None, timeout: float = 120.0,
        cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess:
    """Run ``emo-perception ARGS`` in its own process."""
    return subprocess.run([sys.executable, "-m", "emo_perception.cli", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)


def hogs(n: int = 2) -> list[subprocess.Popen]:
    """One busy loop per core: the load a robot's other software puts on us."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def stop_all(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def wait_for(predicate, timeout: float, step: float = 0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def node_pids(domain: str) -> dict[str, int]:
    """Node name -> pid of its process (``python -m emo_perception.nodes.<node>``) among
    the processes of ROS domain ``domain`` (so parallel runs do not see each other's)."""
    out: dict[str, int] = {}
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"ROS_DOMAIN_ID={domain}".encode() not in env:
            continue
        for i, arg in enumerate(cmd[:-1]):
            if arg == b"-m" and cmd[i + 1].startswith(b"emo_perception.nodes."):
                out[cmd[i + 1].decode().rsplit(".", 1)[-1]] = int(proc.name)
    return out
