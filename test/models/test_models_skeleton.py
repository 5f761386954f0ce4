"""Skeleton micro-gesture model, visual-text head, text embeddings, data readers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emo_perception.models.contrastive import (
    AdaptivePromptHead,
    class_descriptions,
    class_text_embeddings,
)
from emo_perception.models.data import ClipData, load_clip_folder, resample_clip, skeleton_frame
from emo_perception.models.losses import kl_contrastive_loss
from emo_perception.models.skeleton_mg import SkeletonMGConfig
from emo_perception.models.registry import create_model
from emo_perception.models.synthetic import GESTURE_IDS, GESTURES, synthetic_gestures
from emo_perception.models.train import TrainConfig, eval_skeleton, train_skeleton


@pytest.fixture(scope="module")
def clips():
    return synthetic_gestures(280, seed=0), synthetic_gestures(160, seed=1)


def test_heads_imigue_and_smg() -> None:
    for ds, n in (("imigue", 32), ("smg", 17)):
        model = create_model("skeleton_mg", {"dataset": ds, "dim": 32}).eval()
        out = model(torch.rand(3, 32, 75, 3))
        assert out["logits"].shape == (3, n)
        torch.testing.assert_close(out["gate"].sum(-1), torch.ones(3))


def test_text_embeddings_are_real_and_cached(tmp_path) -> None:
    texts = ["a person touching their jaw", "a person touching their chin",
             "a person folding their arms"]
    emb = class_text_embeddings(texts, cache_dir=tmp_path)
    assert emb.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert emb[0] @ emb[1] > emb[0] @ emb[2]  # a real sentence model, not random vectors
    assert list(tmp_path.rglob("*.npy"))
    np.testing.assert_array_equal(class_text_embeddings(texts, cache_dir=tmp_path), emb)


def test_skeleton_model_and_adaptive_prompt_head_learn(clips, tmp_path) -> None:
    """Fused head and text-similarity head both far above chance on held-out clips."""
    torch.set_num_threads(1)
    (x, _, idx), (xt, _, idxt) = clips
    text = torch.from_numpy(class_text_embeddings(class_descriptions(GESTURES), tmp_path))
    head = AdaptivePromptHead(text, visual_dim=8, joint_dim=64)
    assert head.prompt_scale.item() == pytest.approx(0.1)
    cfg = SkeletonMGConfig(dim=32, num_classes=len(GESTURES), text_head=True, text_joint_dim=64)
    model = train_skeleton(cfg, ClipData(x, idx), TrainConfig(epochs=6, lr=5e-3), text_emb=text)
    m = eval_skeleton(model, ClipData(xt, idxt))
    assert m["accuracy"] > 0.5 and m["accuracy"] > 2.5 * m["chance"], m
    assert m["text_accuracy"] > 2.5 * m["chance"], m
    sim = torch.tensor([[0.9, 0.1], [0.2, 0.8]])
    right = kl_contrastive_loss(sim, torch.tensor([0, 1]))
    assert right < kl_contrastive_loss(sim, torch.tensor([1, 0]))


def test_clip_folder_and_frame_builder(tmp_path) -> None:
    frame = skeleton_frame(np.full((33, 3), 100.0), {"left": np.full((21, 2), 50.0)}, 200, 100)
    assert frame.shape == (75, 3)
    assert frame[0, 0] == pytest.approx(0.5) and frame[0, 1] == pytest.approx(1.0)
    assert frame[33, 2] == 1 and frame[54:, 2].sum() == 0
    clip = resample_clip(np.stack([frame] * 10), 32)
    np.save(tmp_path / "clips.npy", np.stack([clip, clip]))
    (tmp_path / "labels.csv").write_text("index,label\n0,3\n1,31\n")
    data = load_clip_folder(tmp_path, 32)
    assert data.clips.shape == (2, 32, 75, 3) and list(data.labels) == [3, 31]
    with pytest.raises(ValueError, match="outside"):
        load_clip_folder(tmp_path, 17)
    assert len(set(GESTURE_IDS)) == len(GESTURES)
