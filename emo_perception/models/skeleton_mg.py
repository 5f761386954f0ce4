"""Skeleton micro-gesture classifier: spatial + temporal streams with balancing fusion.

Input ``skeleton`` (B, T, 75, 3): per frame the 33 mediapipe pose landmarks, then 21 left-
hand and 21 right-hand landmarks; channels (x, y, visibility) with x, y in image-normalised
coordinates [0, 1] and visibility 0 for missing joints (see ``data.py`` for how to build
it from our landmark stage). The model normalises each clip itself: origin at the mean
mid-shoulder point, unit = mean shoulder width, so ONNX consumers feed raw landmarks.

- Spatial stream: per-frame joint configuration (positions) -> MLP -> frame tokens; pooled
  over time (mean + max). It sees *where* the hands are relative to the body.
- Temporal stream: frame-to-frame motion (velocities) -> MLP -> two temporal 1-D
  convolutions; pooled. It sees subtle, brief, repetitive movement.
- Balancing fusion: each stream has its own head; a per-sample gate (softmax over the two
  streams, from both features) weighs the LayerNorm-ed stream features before the fused
  head. In training :func:`losses.balanced_stream_loss` gives the currently weaker
  stream the larger auxiliary loss weight, so neither stream dominates.
- Optional visual-text head (:class:`contrastive.AdaptivePromptHead`) on the fused clip
  embedding and the frame tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from emo_perception.labels import IMIGUE_CLASSES, SMG_CLASSES
from emo_perception.models.contrastive import AdaptivePromptHead

NUM_JOINTS = 75  # 33 pose + 21 left hand + 21 right hand
POSE_L_SHOULDER, POSE_R_SHOULDER = 11, 12

LABEL_SETS: dict[str, tuple[str, ...]] = {"imigue": IMIGUE_CLASSES, "smg": SMG_CLASSES}


@dataclass
class SkeletonMGConfig:
    """Sizes of the skeleton model; ``dataset`` picks the head (iMiGUE-32 or SMG-17)."""

    frames: int = 32
    dim: int = 128
    dataset: str = "imigue"
    num_classes: int = 0  # 0: size of the dataset's label set
    text_head: bool = False
    text_joint_dim: int = 256  # joint visual-text space of the contrastive head
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if self.dataset not in LABEL_SETS:
            raise ValueError(
                f"SkeletonMGConfig.dataset must be one of {sorted(LABEL_SETS)}, "
                f"got {self.dataset!r}"
            )
        if self.num_classes == 0:
            self.num_classes = len(LABEL_SETS[self.dataset])
        if self.num_classes < 2:
            raise ValueError(f"SkeletonMGConfig.num_classes must be >= 2, got {self.num_classes}")
        if self.frames < 4:
            raise ValueError(f"SkeletonMGConfig.frames must be >= 4, got {self.frames}")
        if self.text_joint_dim < 8 or self.text_joint_dim % 4:
            raise ValueError(
                f"SkeletonMGConfig.text_joint_dim must be a multiple of 4 (4 attention heads) "
                f">= 8, got {self.text_joint_dim}"
            )
        if self.dim < 8:
            raise ValueError(f"SkeletonMGConfig.dim must be >= 8, got {self.dim}")

    @property
    def class_names(self) -> tuple[str, ...]:
        names = LABEL_SETS[self.dataset]
        return names[: self.num_classes] if self.num_classes <= len(names) else tuple(
            f"class {i}" for i in range(self.num_classes)
        )


def normalise_clip(skeleton: torch.Tensor) -> torch.Tensor:
    """Centre on the clip's mean mid-shoulder, scale by mean shoulder width; keep visibility."""
    xy, vis = skeleton[..., :2], skeleton[..., 2:3]
    ls, rs = xy[:, :, POSE_L_SHOULDER], xy[:, :, POSE_R_SHOULDER]
    centre = ((ls + rs) / 2).mean(1, keepdim=True).unsqueeze(2)  # (B, 1, 1, 2)
    width = (ls - rs).norm(dim=-1).mean(1).clamp(min=1e-3).view(-1, 1, 1, 1)
    return torch.cat([(xy - centre) / width * (vis > 0.1).to(xy.dtype), vis], dim=-1)


class SkeletonMG(nn.Module):
    """``forward(skeleton) -> dict`` with ``logits``, ``spatial``, ``temporal``, ``gate``,
    ``embedding``, ``tokens`` and, with the text head, ``text_sim``."""

    def __init__(self, cfg: SkeletonMGConfig, text_emb: torch.Tensor | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        d, nin = cfg.dim, NUM_JOINTS * 3
        self.spatial_in = nn.Sequential(
            nn.Linear(nin, 2 * d), nn.GELU(), nn.Dropout(cfg.dropout), nn.Linear(2 * d, d)
        )
        self.temporal_in = nn.Sequential(nn.Linear(nin, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.temporal_conv = nn.Sequential(
            nn.Conv1d(d, d, 5, padding=2), nn.GELU(), nn.Conv1d(d, d, 5, padding=4, dilation=2),
        )
        self.norm_s = nn.LayerNorm(2 * d)
        self.norm_t = nn.LayerNorm(2 * d)
        self.gate = nn.Linear(4 * d, 2)
        self.head_s = nn.Linear(2 * d, cfg.num_classes)
        self.head_t = nn.Linear(2 * d, cfg.num_classes)
        self.fuse = nn.Sequential(nn.Linear(2 * d, d), nn.GELU(), nn.Dropout(cfg.dropout))
        self.head = nn.Linear(d, cfg.num_classes)
        self.text_head: nn.Module | None = None
        if cfg.text_head:
            if text_emb is None:
                raise ValueError("SkeletonMG: text_head=True needs class text embeddings")
            if text_emb.shape[0] != cfg.num_classes:
                raise ValueError(
                    f"SkeletonMG: {text_emb.shape[0]} text embeddings for "
                    f"{cfg.num_classes} classes"
                )
            self.text_head = AdaptivePromptHead(text_emb, d, joint_dim=cfg.text_joint_dim)

    def forward(self, skeleton: torch.Tensor) -> dict[str, torch.Tensor]:
        x = normalise_clip(skeleton)
        bsz, t = x.shape[:2]
        flat = x.reshape(bsz, t, -1)
        tokens = self.spatial_in(flat)  # (B, T, d)
        f_s = self.norm_s(torch.cat([tokens.mean(1), tokens.amax(1)], -1))
        vel = flat[:, 1:] - flat[:, :-1]
        m = self.temporal_conv(self.temporal_in(vel).transpose(1, 2))  # (B, d, T-1)
        f_t = self.norm_t(torch.cat([m.mean(2), m.amax(2)], -1))
        gate = F.softmax(self.gate(torch.cat([f_s, f_t], -1)), dim=-1)
        fused = self.fuse(gate[:, :1] * f_s + gate[:, 1:] * f_t)
        out = {
            "logits": self.head(fused),
            "spatial": self.head_s(f_s),
            "temporal": self.head_t(f_t),
            "gate": gate,
            "embedding": fused,
            "tokens": tokens,
        }
        if self.text_head is not None:
            out["text_sim"] = self.text_head(fused, tokens)
        return out


class SkeletonMGExport(nn.Module):
    """Export wrapper: class probabilities (fused head), plus text similarities if present."""

    def __init__(self, model: SkeletonMG) -> None:
        super().__init__()
        self.model = model

    def forward(self, skeleton: torch.Tensor):
        out = self.model(skeleton)
        probs = F.softmax(out["logits"], dim=-1)
        if "text_sim" in out:
            return probs, out["text_sim"]
        return probs
