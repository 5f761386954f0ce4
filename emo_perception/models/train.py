"""Training and evaluation loops for AU-TTT and the skeleton micro-gesture model.

Plain loops (AdamW, cosine schedule) sized for a laptop; deterministic given ``seed``.
Checkpoints are ``torch.save`` dicts ``{name, config, state_dict, metrics, class_names}``.
"""

from __future__ import annotations

import math
import pathlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from emo_perception.models.au_ttt import AUTTT, AUTTTConfig
from emo_perception.models.data import AUData, ClipData
from emo_perception.models.losses import (
    asymmetric_multilabel_loss,
    au_class_weights,
    balanced_stream_loss,
    kl_contrastive_loss,
)
from emo_perception.models.registry import config_dict, create_model
from emo_perception.models.skeleton_mg import SkeletonMG, SkeletonMGConfig


@dataclass
class TrainConfig:
    """Optimisation settings shared by both trainers."""

    epochs: int = 10
    batch: int = 32
    lr: float = 2e-3
    weight_decay: float = 0.01
    seed: int = 0
    tau: float = 0.05  # contrastive temperature
    text_weight: float = 0.5

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch < 1:
            raise ValueError(
                f"TrainConfig: epochs ({self.epochs}) and batch ({self.batch}) must be >= 1"
            )
        if not 0 < self.lr < 1:
            raise ValueError(f"TrainConfig.lr must be in (0, 1), got {self.lr}")


def _optimiser(model: torch.nn.Module, tc: TrainConfig, steps: int):
    opt = torch.optim.AdamW(model.parameters(), lr=tc.lr, weight_decay=tc.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, steps) / max(steps, 1)))
    )
    return opt, sched


def _images(crops: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(crops)).permute(0, 3, 1, 2).float() / 255.0


def train_au(cfg: AUTTTConfig, data: AUData, tc: TrainConfig | None = None,
             progress: Callable[[str], None] | None = None) -> AUTTT:
    """Train AU-TTT with the asymmetric class-weighted loss."""
    tc = tc or TrainConfig()
    torch.manual_seed(tc.seed)
    model = create_model("au_ttt", cfg)
    labels = torch.from_numpy(data.labels)
    weights = au_class_weights(labels)
    n = len(labels)
    steps = tc.epochs * math.ceil(n / tc.batch)
    opt, sched = _optimiser(model, tc, steps)
    gen = torch.Generator().manual_seed(tc.seed)
    model.train()
    for epoch in range(tc.epochs):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, tc.batch):
            idx = perm[i:i + tc.batch].numpy()
            img = _images(data.crops[np.sort(idx)])
            rois = torch.from_numpy(data.rois[np.sort(idx)])
            loss = asymmetric_multilabel_loss(model(img, rois), labels[np.sort(idx)], weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        if progress:
            progress(f"au_ttt epoch {epoch + 1}/{tc.epochs} loss {total / n:.4f}")
    return model.eval()


@torch.no_grad()
def predict_au(model: AUTTT, crops: np.ndarray, rois: np.ndarray, batch: int = 64) -> np.ndarray:
    """AU probabilities (N, A)."""
    model.eval()
    out = [torch.sigmoid(model(_images(crops[i:i + batch]), torch.from_numpy(rois[i:i + batch])))
           for i in range(0, len(crops), batch)]
    return torch.cat(out).numpy()


def f1_scores(pred: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-column F1 of binary predictions, ignoring labels outside {0, 1}."""
    f1 = np.zeros(labels.shape[1])
    for j in range(labels.shape[1]):
        ok = (labels[:, j] == 0) | (labels[:, j] == 1)
        p, y = pred[ok, j].astype(bool), labels[ok, j].astype(bool)
        tp, fp, fn = np.sum(p & y), np.sum(p & ~y), np.sum(~p & y)
        f1[j] = 2 * tp / max(2 * tp + fp + fn, 1)
    return f1


def eval_au(model: AUTTT, data: AUData, threshold: float = 0.5) -> dict[str, Any]:
    """Per-AU F1, mean F1 and mean accuracy on ``data``."""
    prob = predict_au(model, data.crops, data.rois)
    pred = (prob >= threshold).astype(np.int64)
    valid = (data.labels == 0) | (data.labels == 1)
    f1 = f1_scores(pred, data.labels)
    return {
        "f1_mean": float(f1.mean()),
        "f1_per_au": {f"AU{a}": round(float(v), 4) for a, v in zip(data.aus, f1)},
        "accuracy": float(((pred == data.labels) & valid).sum() / max(valid.sum(), 1)),
    }


def _augment_clips(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Micro-gesture augmentation: mild scale and shift, joint jitter, and a temporal shift
    of at most two frames; subtle so brief, small movements are not washed out."""
    b = x.shape[0]
    scale = 1 + 0.1 * (torch.rand(b, 1, 1, 1, generator=gen) - 0.5)
    shift = 0.03 * (torch.rand(b, 1, 1, 2, generator=gen) - 0.5)
    xy = (x[..., :2] - 0.5) * scale + 0.5 + shift
    xy = xy + 0.002 * torch.randn(xy.shape, generator=gen)
    out = torch.cat([xy * (x[..., 2:] > 0), x[..., 2:]], dim=-1)
    k = int(torch.randint(-2, 3, (1,), generator=gen))
    return torch.roll(out, k, dims=1) if k else out


def train_skeleton(cfg: SkeletonMGConfig, data: ClipData, tc: TrainConfig | None = None,
                   text_emb: torch.Tensor | None = None,
                   progress: Callable[[str], None] | None = None) -> SkeletonMG:
    """Train the skeleton model: balanced fused/stream loss (+ KL contrastive loss)."""
    tc = tc or TrainConfig()
    torch.manual_seed(tc.seed)
    kwargs = {"text_emb": text_emb} if cfg.text_head else {}
    model = create_model("skeleton_mg", cfg, **kwargs)
    clips, labels = torch.from_numpy(data.clips), torch.from_numpy(data.labels)
    n = len(labels)
    steps = tc.epochs * math.ceil(n / tc.batch)
    opt, sched = _optimiser(model, tc, steps)
    gen = torch.Generator().manual_seed(tc.seed)
    model.train()
    for epoch in range(tc.epochs):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, tc.batch):
            idx = perm[i:i + tc.batch]
            out = model(_augment_clips(clips[idx], gen))
            y = labels[idx]
            loss = balanced_stream_loss(out["logits"], out["spatial"], out["temporal"], y)
            if "text_sim" in out:
                loss = loss + tc.text_weight * kl_contrastive_loss(out["text_sim"], y, tc.tau)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        if progress:
            progress(f"skeleton_mg epoch {epoch + 1}/{tc.epochs} loss {total / n:.4f}")
    return model.eval()


@torch.no_grad()
def eval_skeleton(model: SkeletonMG, data: ClipData) -> dict[str, Any]:
    """Top-1 accuracy of the fused head and (if present) of the text-similarity head."""
    model.eval()
    out = model(torch.from_numpy(data.clips))
    labels = data.labels
    res = {"accuracy": float((out["logits"].argmax(-1).numpy() == labels).mean()),
           "spatial_accuracy": float((out["spatial"].argmax(-1).numpy() == labels).mean()),
           "temporal_accuracy": float((out["temporal"].argmax(-1).numpy() == labels).mean())}
    if "text_sim" in out:
        res["text_accuracy"] = float((out["text_sim"].argmax(-1).numpy() == labels).mean())
    present = np.unique(labels)
    res["chance"] = float(np.max(np.bincount(labels)[present]) / len(labels))
    return res


def save_checkpoint(path: str | pathlib.Path, name: str, cfg: Any, model: torch.nn.Module,
                    metrics: dict[str, Any], training_data: str) -> None:
    """Write a checkpoint that :func:`load_checkpoint` and ``emo-perception export`` read."""
    text_emb = getattr(getattr(model, "text_head", None), "text_emb", None)
    torch.save({"name": name, "config": config_dict(cfg), "state_dict": model.state_dict(),
                "metrics": metrics, "training_data": training_data,
                "text_emb": None if text_emb is None else text_emb.clone()}, path)


def load_checkpoint(path: str | pathlib.Path) -> tuple[str, torch.nn.Module, dict[str, Any]]:
    """(name, model in eval mode, checkpoint dict); clear error for missing/bad files."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        ck = torch.load(path, map_location="cpu", weights_only=False)
        name = ck["name"]
    except (RuntimeError, KeyError, EOFError, OSError) as exc:
        raise ValueError(f"{path}: not an emo_perception checkpoint ({exc})") from None
    kwargs = {"text_emb": ck["text_emb"]} if ck.get("text_emb") is not None else {}
    model = create_model(name, ck["config"], **kwargs)
    model.load_state_dict(ck["state_dict"])
    return name, model.eval(), ck
