"""AU-TTT: facial Action Unit detection with bidirectional TTT-Linear blocks and ROI scanning.

Input: a face crop (B, 3, S, S) in [0, 1] RGB, and ``rois`` (B, 2*A, 2): two region
centres per AU in crop coordinates [0, 1] (x, y), taken from the 478-point face mesh with
:func:`au_rois_from_mesh` (left/right for bilateral AUs, two midline points otherwise).

Network: patch embedding (stride ``patch``) -> ``depth`` bidirectional TTT-Linear blocks
over the patch tokens. Multi-scale features: a small convolutional stem at stride 4
(fine, local texture such as wrinkles and lid edges), the TTT token map (stride ``patch``,
global context) and a 2x pooled coarse map (global pooled features). AU-specific ROI scan:
the fine and the TTT maps are sampled (bilinear, 3x3 neighbourhood) around each AU's two
centres, giving one token per AU, and the AU tokens are scanned by one more bidirectional
TTT block so related AUs inform each other.
Each AU's logit comes from its own token plus the global features (per-AU linear head).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from emo_perception.labels import BP4D_AUS, DISFA_AUS
from emo_perception.models.ttt import BiTTTBlock, TTTConfig
# Re-exported: training and data preparation name them from here.
from emo_perception.perception.au_regions import AU_MESH_POINTS, au_rois_from_mesh  # noqa: F401

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass
class AUTTTConfig:
    """Sizes and label set of AU-TTT. ``dataset`` picks the AU list unless ``aus`` is set."""

    image_size: int = 112
    patch: int = 14
    dim: int = 64
    heads: int = 4
    depth: int = 2
    dataset: str = "bp4d"
    aus: tuple[int, ...] = field(default_factory=tuple)
    roi_radius: float = 0.05

    def __post_init__(self) -> None:
        if self.dataset not in ("bp4d", "disfa"):
            raise ValueError(
                f"AUTTTConfig.dataset must be 'bp4d' or 'disfa', got {self.dataset!r}"
            )
        if not self.aus:
            self.aus = BP4D_AUS if self.dataset == "bp4d" else DISFA_AUS
        self.aus = tuple(int(a) for a in self.aus)
        missing = [a for a in self.aus if a not in AU_MESH_POINTS]
        if missing:
            raise ValueError(f"AUTTTConfig: no ROI defined for AUs {missing}")
        if self.image_size % self.patch or self.image_size // self.patch < 2:
            raise ValueError(
                f"AUTTTConfig: image_size {self.image_size} must be a multiple of patch "
                f"{self.patch} with at least 2 patches per side"
            )
        if self.depth < 1:
            raise ValueError(f"AUTTTConfig.depth must be >= 1, got {self.depth}")
        TTTConfig(dim=self.dim, heads=self.heads)  # validates dim/heads

    @property
    def num_aus(self) -> int:
        return len(self.aus)


class AUTTT(nn.Module):
    """AU-TTT network; ``forward(image, rois) -> logits`` (B, A)."""

    def __init__(self, cfg: AUTTTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        tcfg = TTTConfig(dim=cfg.dim, heads=cfg.heads)
        side = cfg.image_size // cfg.patch
        self.side = side
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.embed = nn.Conv2d(3, cfg.dim, kernel_size=cfg.patch, stride=cfg.patch)
        fine = cfg.dim // 2
        self.stem = nn.Sequential(
            nn.Conv2d(3, fine, 3, stride=2, padding=1), nn.GELU(),
            nn.Conv2d(fine, fine, 3, stride=2, padding=1), nn.GELU(),
        )
        self.roi_in = nn.Linear(cfg.dim + fine, cfg.dim)
        self.pos = nn.Parameter(torch.randn(1, side * side, cfg.dim) * 0.02)
        self.blocks = nn.ModuleList(BiTTTBlock(tcfg) for _ in range(cfg.depth))
        self.norm = nn.LayerNorm(cfg.dim)
        self.coarse = nn.Conv2d(cfg.dim, cfg.dim, kernel_size=3, padding=1)
        self.global_proj = nn.Linear(2 * cfg.dim, cfg.dim)
        self.au_embed = nn.Parameter(torch.randn(1, cfg.num_aus, cfg.dim) * 0.02)
        self.roi_block = BiTTTBlock(tcfg)
        self.head_norm = nn.LayerNorm(cfg.dim)
        self.head_w = nn.Parameter(torch.randn(cfg.num_aus, cfg.dim) * 0.02)
        self.head_b = nn.Parameter(torch.zeros(cfg.num_aus))
        r = cfg.roi_radius
        offs = torch.tensor([(dx, dy) for dy in (-r, 0.0, r) for dx in (-r, 0.0, r)])
        self.register_buffer("roi_offsets", offs.view(1, 1, 9, 2))

    def forward(self, image: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        bsz = image.shape[0]
        norm = (image - self.mean) / self.std
        x = self.embed(norm)  # (B, C, s, s)
        fine = self.stem(norm)  # (B, C/2, S/4, S/4)
        tokens = x.flatten(2).transpose(1, 2) + self.pos
        for block in self.blocks:
            tokens = block(tokens)
        tokens = self.norm(tokens)
        fmap = tokens.transpose(1, 2).reshape(bsz, self.cfg.dim, self.side, self.side)
        coarse = F.relu(self.coarse(F.avg_pool2d(fmap, 2)))
        glob = self.global_proj(torch.cat([tokens.mean(1), coarse.mean((2, 3))], dim=-1))
        # ROI sampling: (B, 2A, 9, 2) points in [-1, 1] for grid_sample.
        grid = (rois.unsqueeze(2) + self.roi_offsets) * 2.0 - 1.0
        sampled = torch.cat([
            F.grid_sample(fmap, grid, mode="bilinear", align_corners=False),
            F.grid_sample(fine, grid, mode="bilinear", align_corners=False),
        ], dim=1)
        roi = sampled.mean(-1).transpose(1, 2)  # (B, 2A, C + C/2)
        roi = roi.reshape(bsz, self.cfg.num_aus, 2, roi.shape[-1]).mean(2)
        roi = self.roi_in(roi)
        roi = self.roi_block(roi + self.au_embed + glob.unsqueeze(1))
        feat = self.head_norm(roi)
        return (feat * self.head_w).sum(-1) + self.head_b


class AUTTTExport(nn.Module):
    """Export wrapper: outputs AU occurrence probabilities instead of logits."""

    def __init__(self, model: AUTTT) -> None:
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.model(image, rois))
