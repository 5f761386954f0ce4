"""Shared pytest fixtures and markers.

Markers: ``ros`` (real rclpy, possibly across processes), ``slow`` (over ~20 s),
``gpu`` (skips without CUDA), ``reliability`` (test/reliability/: faults, bad input, load),
``extended`` (long cases deselected by pytest.ini; ``make reliability`` runs them). Real components only: no mocks of rclpy, mediapipe,
onnxruntime, the ASR model or the LLM.
"""

from __future__ import annotations

import itertools
import os
import pathlib
import random
import sys

import pytest

# ROS domains for ros_env, one per test (see there).
_DOMAINS = itertools.count(random.Random(os.getpid()).randrange(100))

REPO = pathlib.Path(__file__).resolve().parents[1]
# Tests live in folders mirroring emo_perception/; shared helpers (face_check) stay here.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ros: uses real rclpy (possibly several processes)")
    config.addinivalue_line("markers", "slow: takes more than ~20 s")
    config.addinivalue_line("markers", "gpu: needs an NVIDIA GPU; skipped without one")
    config.addinivalue_line("markers", "reliability: the reliability suite (test/reliability/)")
    config.addinivalue_line("markers", "extended: long case run outside CI by a documented "
                            "command (make reliability)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    has_gpu = os.path.exists("/dev/nvidia0") or os.path.exists("/dev/nvidiactl")
    skip_gpu = pytest.mark.skip(reason="no NVIDIA GPU on this machine")
    for item in items:
        if "gpu" in item.keywords and not has_gpu:
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    return REPO


VENV_PYTHON = REPO / ".venv" / "bin" / "python"
VTEST_AVI = pathlib.Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


@pytest.fixture
def ros_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for multi-process ROS tests: a domain of its own, localhost only.

    Each test takes the next of 100 domains, from a start drawn per run: a node still
    shutting down after one test cannot reach the next (the domain used to be drawn from
    ``id(monkeypatch)``, which repeats from test to test), and another run on the same
    machine most likely starts elsewhere.
    """
    domain = str(1 + next(_DOMAINS) % 100)
    monkeypatch.setenv("ROS_DOMAIN_ID", domain)
    monkeypatch.setenv("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    # Subscribers of images use the same shared-memory transport as the node set.
    monkeypatch.setenv("FASTRTPS_DEFAULT_PROFILES_FILE", str(REPO / "config" / "fastdds_shm.xml"))
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="session")
def vtest_avi() -> pathlib.Path:
    if not VTEST_AVI.exists():
        pytest.fail(f"{VTEST_AVI} missing: install Debian's opencv-doc (make setup does)")
    return VTEST_AVI
