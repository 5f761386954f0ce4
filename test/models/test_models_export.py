"""ONNX export parity (PyTorch vs onnxruntime) and checkpoint -> manifest -> runner."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import numpy as np
import torch
import yaml

from emo_perception.inference import create_runner
from emo_perception.models.au_ttt import AUTTTConfig, AUTTTExport
from emo_perception.models.bundle import export_checkpoint
from emo_perception.models.data import ClipData
from emo_perception.models.export import export_skeleton, export_ttt_step
from emo_perception.models.registry import create_model
from emo_perception.models.skeleton_mg import SkeletonMGConfig
from emo_perception.models.synthetic import synthetic_faces, synthetic_gestures
from emo_perception.models.train import TrainConfig, save_checkpoint, train_skeleton
from emo_perception.models.ttt import TTTConfig, TTTLinear

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_ttt_streaming_step_onnx_matches_full_scan(tmp_path) -> None:
    torch.manual_seed(0)
    layer = TTTLinear(TTTConfig(dim=32, heads=4))
    info = export_ttt_step(layer, tmp_path / "step.onnx", chunks=3)
    assert info["parity_max_abs_err"] < 1e-4
    assert [i["name"] for i in info["inputs"]] == ["x", "w_delta", "b_delta"]


def test_au_checkpoint_export_manifest_and_runner(tmp_path) -> None:
    torch.manual_seed(0)
    aus = (1, 2, 12)
    cfg = AUTTTConfig(image_size=48, patch=8, dim=32, heads=2, depth=1, aus=aus)
    model = create_model("au_ttt", cfg).eval()
    ck = tmp_path / "au_demo.pt"
    save_checkpoint(ck, "au_ttt", cfg, model, {"f1_mean": 0.0}, "generated")
    entry = export_checkpoint(ck, tmp_path / "out")
    assert entry["parity"]["onnxruntime_cpu_max_abs_err"] < 1e-4
    assert entry["fit_for_use"] is False and entry["training_data"] == "generated"
    manifest = yaml.safe_load((tmp_path / "out" / "manifest.yaml").read_text())
    assert manifest["models"][0]["sha256"] == entry["sha256"]
    runner = create_runner(tmp_path / "out" / entry["file"], backend_order=("cpu",))
    crops, rois, _ = synthetic_faces(5, 48, aus, seed=3)
    img = crops.transpose(0, 3, 1, 2).astype(np.float32) / 255
    got = runner.run({"image": img, "rois": rois})["au_prob"]
    with torch.no_grad():
        ref = AUTTTExport(model)(torch.from_numpy(img), torch.from_numpy(rois)).numpy()
    assert got.shape == (5, 3) and np.abs(got - ref).max() < 1e-4


def test_skeleton_with_text_head_exports(tmp_path) -> None:
    torch.manual_seed(0)
    x, y, idx = synthetic_gestures(40, seed=0)
    cfg = SkeletonMGConfig(dim=16, num_classes=8, text_head=True, text_joint_dim=32)
    text = torch.nn.functional.normalize(torch.randn(8, 384), dim=-1)
    model = train_skeleton(cfg, ClipData(x, idx), TrainConfig(epochs=1), text_emb=text)
    info = export_skeleton(model, tmp_path / "sk.onnx")
    assert info["parity_max_abs_err"] < 1e-4
    assert [o["name"] for o in info["outputs"]] == ["probs", "text_sim"]


def test_train_and_export_cli_round_trip(tmp_path) -> None:
    ck = tmp_path / "sk.pt"
    cmd = [sys.executable, "-m", "emo_perception.cli"]
    proc = subprocess.run(cmd + ["train", "skeleton_mg", "--generated", "48", "--epochs", "1",
                                 "--config", '{"dim": 16}', "--out", str(ck)],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert '"training_data": "generated"' in proc.stdout and ck.is_file()
    proc = subprocess.run(cmd + ["export", "--checkpoint", str(ck), "--out", str(tmp_path / "m")],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    manifest = yaml.safe_load((tmp_path / "m" / "manifest.yaml").read_text())
    assert manifest["models"][0]["fit_for_use"] is False
    bad = subprocess.run(cmd + ["export", "--checkpoint", str(tmp_path / "none.pt")],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert bad.returncode == 2 and "checkpoint not found" in bad.stderr
    bad = subprocess.run(cmd + ["train", "au_ttt", "--generated", "8", "--config", '{"dim": 30}',
                                "--out", str(tmp_path / "x.pt")],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert bad.returncode == 2 and "divisible" in bad.stderr


def test_registry_contract_over_every_model() -> None:
    import pytest

    from emo_perception.models.registry import make_config, model_names

    torch.manual_seed(0)
    samples = {
        "au_ttt": lambda: (torch.rand(2, 3, 112, 112), torch.rand(2, 24, 2)),
        "skeleton_mg": lambda: (torch.rand(2, 32, 75, 3),),
        "ttt_linear": lambda: (torch.randn(2, 20, 64),),
    }
    assert set(model_names()) == set(samples)
    for name in model_names():
        model = create_model(name).eval()
        with torch.no_grad():
            out = model(*samples[name]())
        tensors = out.values() if isinstance(out, dict) else [out]
        assert all(torch.isfinite(t).all() for t in tensors), name
    with pytest.raises(ValueError, match="unknown model"):
        create_model("resnet")
    with pytest.raises(ValueError, match="unknown config keys"):
        make_config("au_ttt", {"depht": 3})
