"""Inference interface over the real bundled ONNX models (onnxruntime; TensorRT on GPU)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from emo_perception.inference import ModelFileError, create_runner, find_model, load_manifest
from emo_perception.inference.manifest import sha256_file
from emo_perception.models.synthetic import GESTURE_IDS, synthetic_faces, synthetic_gestures
from emo_perception.models.train import f1_scores

REPO = pathlib.Path(__file__).resolve().parents[2]
MODELS = REPO / "models_onnx"


def test_manifest_lists_every_bundled_file_with_matching_sha256() -> None:
    manifest = load_manifest(MODELS)
    files = {p.name for p in MODELS.glob("*.onnx")}
    # Entries with bundled: false (movenet_multipose, 19 MB) are made by convert-models
    # and not committed: their file may be absent, and they do not count to the bundle.
    listed = {e.file for e in manifest.entries}
    assert files <= listed
    assert {e.file for e in manifest.entries if e.bundled} <= files
    total = 0
    for e in manifest.entries:
        assert e.path == MODELS / e.file
        if not e.path.is_file():
            assert e.bundled is False, e.name
            continue
        assert sha256_file(e.path) == e.sha256
        assert e.inputs and e.outputs and e.provenance.training_data, e.name
        for key in ("metrics", "fit_for_use", "parity"):
            assert key in e.raw, (e.name, key)
        if e.provenance.training_data == "generated":
            assert e.fit_for_use is False and e.enabled_by_default is False
        else:  # converted pretrained models name their package and licence
            assert e.provenance.package and e.provenance.licence, e.name
            assert e.preprocessing.get("size"), e.name
        assert e["parity"]["onnxruntime_cpu_max_abs_err"] < 1e-4
        assert (MODELS / e["card"]).is_file()
        if e.bundled:
            total += e.path.stat().st_size
    assert total < 8_000_000  # includes the converted pretrained models (issue 13)


def test_bundled_au_model_runs_on_cpu_and_detects_generated_aus() -> None:
    path, entry = find_model("au_ttt_bp4d_generated", MODELS)
    runner = create_runner(path, backend_order=("tensorrt", "cuda", "cpu"))
    assert runner.provider == "cpu"  # what really runs here; earlier backends explain why not
    assert runner.fallbacks and runner.fallbacks[0].startswith("tensorrt:")
    aus = tuple(int(a[2:]) for a in entry.labels)
    size = entry.inputs[0].shape[2]
    crops, rois, labels = synthetic_faces(64, size, aus, seed=123)
    prob = runner.run({"image": crops.transpose(0, 3, 1, 2) / 255.0, "rois": rois})["au_prob"]
    assert prob.shape == (64, len(aus)) and np.all((prob >= 0) & (prob <= 1))
    acc = np.mean((prob >= 0.5) == labels)
    assert acc > max(np.mean(labels == 0), np.mean(labels == 1)) + 0.1
    assert f1_scores(prob >= 0.5, labels).mean() > 0.6


def test_bundled_skeleton_model_classifies_generated_gestures() -> None:
    path, entry = find_model("skeleton_mg_imigue_generated", MODELS)
    runner = create_runner(path, backend_order=("cpu",))
    clips, labels, _ = synthetic_gestures(80, seed=321)
    out = runner.run({"skeleton": clips})
    assert out["probs"].shape == (80, 32)
    np.testing.assert_allclose(out["probs"].sum(1), 1.0, atol=1e-4)
    assert np.mean(out["probs"].argmax(1) == labels) > 0.5
    assert set(np.unique(out["probs"].argmax(1))) <= set(range(32))
    assert len(GESTURE_IDS) == 8


def test_streaming_ttt_step_keeps_state_across_calls() -> None:
    path, entry = find_model("ttt_linear_step", MODELS)
    runner = create_runner(path, backend_order=("cpu",))
    shapes = {i.name: i.shape for i in entry.inputs}
    x = np.random.default_rng(0).standard_normal((1, *shapes["x"][1:])).astype(np.float32)
    w = np.zeros((1, *shapes["w_delta"][1:]), np.float32)
    b = np.zeros((1, *shapes["b_delta"][1:]), np.float32)
    first = runner.run({"x": x, "w_delta": w, "b_delta": b})
    second = runner.run({"x": x, "w_delta": first["w_delta_out"], "b_delta": first["b_delta_out"]})
    assert np.abs(first["w_delta_out"]).sum() > 0
    assert not np.allclose(first["y"], second["y"])  # same tokens, new state: new output


def test_missing_and_corrupt_files_name_file_and_sha(tmp_path) -> None:
    manifest = load_manifest(MODELS)
    entry = manifest.entries[0]
    shutil.copy(MODELS / "manifest.yaml", tmp_path / "manifest.yaml")
    with pytest.raises(ModelFileError, match=f"missing.*{entry.file}.*{entry.sha256}"):
        create_runner(tmp_path / entry.file)
    data = bytearray(entry.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / entry.file).write_bytes(bytes(data))
    expect = f"corrupt.*{entry.file}.*expects {entry.sha256}"
    with pytest.raises(ModelFileError, match=expect):
        create_runner(tmp_path / entry.file)
    (tmp_path / "other.onnx").write_bytes(b"not onnx")
    with pytest.raises(ModelFileError, match="not listed"):
        create_runner(tmp_path / "other.onnx", manifest=str(tmp_path))
    with pytest.raises(ModelFileError, match="onnxruntime cannot load"):
        create_runner(tmp_path / "other.onnx", verify=False)


def _entry(**fields):
    base = {"name": "m", "file": "m.onnx", "sha256": "ab" * 32,
            "inputs": [{"name": "x", "shape": ["batch", 3]}], "outputs": [{"name": "y"}]}
    return {k: v for k, v in {**base, **fields}.items() if v is not None}


@pytest.mark.parametrize("fields, message", [
    ({"name": None}, r"entry 0: missing 'name'"),
    ({"file": "../m.onnx"}, r"entry 0 \('m'\): 'file' must be a file name"),
    ({"sha256": "abc"}, r"entry 0 \('m'\): 'sha256' must be 64 lowercase hex"),
    ({"inputs": [{"shape": [1]}]}, r"inputs\[0\] needs a 'name'"),
    ({"inputs": [{"name": "x", "shape": [0, 3]}]}, r"inputs 'x': shape \[0, 3\] must list"),
    ({"labels": "happy"}, r"'labels' must be a list of strings"),
    ({"fit_for_use": "yes"}, r"'fit_for_use' must be true or false, got 'yes'"),
    ({"preprocessing": ["size"]}, r"'preprocessing' must be a mapping"),
])
def test_a_bad_manifest_entry_is_refused_with_one_line(tmp_path, fields, message) -> None:
    import yaml

    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump({"models": [_entry(**fields)]}))
    with pytest.raises(ModelFileError, match=message) as err:
        load_manifest(tmp_path)
    assert "\n" not in str(err.value) and str(tmp_path) in str(err.value)


def test_manifest_entries_are_typed_and_keep_what_the_writers_added(tmp_path) -> None:
    import yaml

    twice = {"models": [_entry(), _entry(file="n.onnx")]}
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(twice))
    with pytest.raises(ModelFileError, match="model name 'm' appears twice"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.yaml").write_text("models: [\n")
    with pytest.raises(ModelFileError, match="not valid YAML") as err:
        load_manifest(tmp_path)
    assert "\n" not in str(err.value)
    one = {"models": [_entry(labels=["a"], setup_step="later", source={"licence": "MIT"})]}
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(one))
    entry = load_manifest(tmp_path).by_file("m.onnx")
    assert entry.inputs[0].shape == ("batch", 3) and entry.outputs[0].shape is None
    assert entry.labels == ("a",) and entry.fit_for_use is False and entry.bundled is True
    assert entry.provenance.licence == "MIT" and entry.path == tmp_path / "m.onnx"
    assert entry["setup_step"] == "later"  # keys without a field stay readable
    with pytest.raises(TypeError):
        entry.raw["name"] = "other"  # read-only


def test_bad_inputs_and_unusable_backends_are_clear() -> None:
    path, _ = find_model("skeleton_mg_imigue_generated", MODELS)
    runner = create_runner(path, backend_order=("cpu",))
    with pytest.raises(ValueError, match="missing inputs"):
        runner.run({})
    bad = np.full((1, 32, 75, 3), np.nan, np.float32)
    with pytest.raises(ValueError, match="NaN"):
        runner.run({"skeleton": bad})
    with pytest.raises(RuntimeError, match="no backend could run.*cuda"):
        create_runner(path, backend_order=("cuda",))
    with pytest.raises(ValueError, match="backend_order"):
        create_runner(path, backend_order=("npu",))


def test_build_engines_cli_says_why_without_tensorrt() -> None:
    proc = subprocess.run([sys.executable, "-m", "emo_perception.cli", "build-engines"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    if proc.returncode == 0:
        pytest.skip("TensorRT is usable here; covered by the gpu test")
    assert proc.returncode == 2 and "cannot build TensorRT engines" in proc.stderr


@pytest.mark.gpu
def test_tensorrt_fp16_matches_onnxruntime(tmp_path) -> None:
    pytest.importorskip("tensorrt")
    path, entry = find_model("au_ttt_bp4d_generated", MODELS)
    trt = create_runner(path, backend_order=("tensorrt",), fp16=True, cache_dir=str(tmp_path))
    cpu = create_runner(path, backend_order=("cpu",))
    aus = tuple(int(a[2:]) for a in entry.labels)
    crops, rois, _ = synthetic_faces(8, 112, aus, seed=5)
    feeds = {"image": crops.transpose(0, 3, 1, 2) / 255.0, "rois": rois}
    assert trt.provider == "tensorrt"
    assert np.abs(trt.run(feeds)["au_prob"] - cpu.run(feeds)["au_prob"]).max() < 1e-2
    again = create_runner(path, backend_order=("tensorrt",), fp16=True, cache_dir=str(tmp_path))
    assert again.engine_path == trt.engine_path and len(list(tmp_path.glob("*.engine"))) == 1


def test_models_are_found_in_the_share_folder_of_a_copy_install(tmp_path, monkeypatch) -> None:
    # `colcon build` without --symlink-install puts the Python package under lib/ and
    # models_onnx/ under share/emo_perception/: the checkout's folder is not there.
    from emo_perception.inference.manifest import models_dir

    prefix = tmp_path / "install" / "emo_perception"
    (prefix / "share" / "ament_index" / "resource_index" / "packages").mkdir(parents=True)
    (prefix / "share" / "ament_index" / "resource_index" / "packages" / "emo_perception"
     ).write_text("")
    shared = prefix / "share" / "emo_perception" / "models_onnx"
    shared.mkdir(parents=True)
    shutil.copy(MODELS / "manifest.yaml", shared / "manifest.yaml")
    monkeypatch.delenv("EMO_PERCEPTION_MODELS_DIR", raising=False)
    monkeypatch.setenv("AMENT_PREFIX_PATH", str(prefix))
    assert models_dir(local=tmp_path / "not_a_checkout") == shared
    assert models_dir() == MODELS  # a source checkout keeps its own folder
    monkeypatch.setenv("EMO_PERCEPTION_MODELS_DIR", str(tmp_path / "elsewhere"))
    assert models_dir() == tmp_path / "elsewhere"
