"""AU-TTT: shapes, ROI mapping, loss, and real learning on generated faces."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emo_perception.models.au_ttt import AU_MESH_POINTS, AUTTTConfig, au_rois_from_mesh
from emo_perception.models.data import AUData
from emo_perception.models.losses import asymmetric_multilabel_loss, au_class_weights
from emo_perception.models.registry import create_model
from emo_perception.models.synthetic import synthetic_faces
from emo_perception.models.train import TrainConfig, eval_au, train_au

AUS = (1, 2, 4, 12, 15, 24)


def test_default_model_shapes_bp4d_and_disfa() -> None:
    torch.manual_seed(0)
    for dataset, n in (("bp4d", 12), ("disfa", 8)):
        cfg = AUTTTConfig(dataset=dataset)
        model = create_model("au_ttt", cfg).eval()
        out = model(torch.rand(2, 3, 112, 112), torch.rand(2, 2 * n, 2))
        assert out.shape == (2, n) and torch.isfinite(out).all()


def test_rois_from_mesh_follow_the_crop() -> None:
    mesh = np.random.default_rng(0).uniform(100, 300, (478, 3))
    rois = au_rois_from_mesh(mesh, (100, 100, 200, 200))
    assert rois.shape == (24, 2)
    idx = AU_MESH_POINTS[12][0]
    np.testing.assert_allclose(rois[2 * 6], (mesh[idx, :2] - 100) / 200, rtol=1e-6)
    with pytest.raises(ValueError, match="AU99"):
        au_rois_from_mesh(mesh, (0, 0, 10, 10), aus=(99,))
    with pytest.raises(ValueError, match="mesh"):
        au_rois_from_mesh(mesh[:10], (0, 0, 10, 10))


def test_asymmetric_loss_masks_unknown_and_weights_rare_aus() -> None:
    logits = torch.tensor([[2.0, -1.0, 0.5]])
    lab = torch.tensor([[1, 9, 0]])
    base = asymmetric_multilabel_loss(logits, lab)
    changed = asymmetric_multilabel_loss(logits + torch.tensor([0.0, 5.0, 0.0]), lab)
    assert torch.isclose(base, changed)  # the unknown (9) column does not count
    w = au_class_weights(torch.tensor([[1, 0], [0, 0], [0, 0], [1, 1]]))
    assert w[1] > w[0] and torch.isclose(w.mean(), torch.tensor(1.0))


def test_au_ttt_learns_generated_faces() -> None:
    """Held-out AU accuracy must be far above the majority baseline (~0.6)."""
    torch.set_num_threads(1)
    cfg = AUTTTConfig(image_size=48, patch=8, dim=32, heads=2, depth=1, aus=AUS)
    tr = AUData(*synthetic_faces(480, 48, AUS, seed=0), AUS)
    te = AUData(*synthetic_faces(200, 48, AUS, seed=1), AUS)
    model = train_au(cfg, tr, TrainConfig(epochs=10, batch=48, lr=5e-3))
    metrics = eval_au(model, te)
    majority = max(np.mean(te.labels == 0), np.mean(te.labels == 1))
    assert metrics["accuracy"] > majority + 0.15, metrics
    assert metrics["f1_mean"] > 0.7, metrics


def test_bp4d_disfa_label_readers_and_prepared_folder(tmp_path) -> None:
    from emo_perception.models.data import load_au_folder, read_bp4d_au_csv, read_disfa_au_dir

    (tmp_path / "F001_T1.csv").write_text("0,1,2,4,12\n10,1,0,9,1\n11,0,0,0,1\n")
    lab = read_bp4d_au_csv(tmp_path / "F001_T1.csv", (1, 4, 12))
    assert lab[10].tolist() == [1, -1, 1] and lab[11].tolist() == [0, 0, 1]
    with pytest.raises(ValueError, match=r"\[15\]"):
        read_bp4d_au_csv(tmp_path / "F001_T1.csv", (1, 15))
    disfa = tmp_path / "SN001"
    disfa.mkdir()
    (disfa / "SN001_au1.txt").write_text("1,0\n2,3\n")
    (disfa / "SN001_au12.txt").write_text("1,2\n2,1\n")
    d = read_disfa_au_dir(disfa, (1, 12))
    assert d[1].tolist() == [0, 1] and d[2].tolist() == [1, 0]
    crops, rois, labels = synthetic_faces(3, 32, (1, 12), seed=0)
    np.save(tmp_path / "crops.npy", crops)
    np.save(tmp_path / "rois.npy", rois)
    rows = "\n".join(f"{i},F001,{a},{b}" for i, (a, b) in enumerate(labels))
    (tmp_path / "labels.csv").write_text("index,subject,AU1,AU12\n" + rows + "\n")
    data = load_au_folder(tmp_path, (1, 12))
    assert data.labels.tolist() == labels.tolist() and data.crops.shape == (3, 32, 32, 3)
    with pytest.raises(FileNotFoundError, match="crops.npy"):
        load_au_folder(tmp_path / "nowhere", (1,))
