"""Training losses: asymmetric multi-label AU loss, KL contrastive loss, stream balancing."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def asymmetric_multilabel_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    class_weights: torch.Tensor | None = None,
    gamma_pos: float = 0.0,
    gamma_neg: float = 2.0,
    clip: float = 0.05,
) -> torch.Tensor:
    """Asymmetric focal loss for multi-label AU occurrence, with per-class weights.

    Negatives are down-weighted by ``p**gamma_neg`` and probability-shifted by ``clip`` so
    that the many easy "AU absent" frames do not drown the rare positives (ASL, Ridnik et
    al.); ``class_weights`` (A,) re-weights the AUs by difficulty/rarity (see
    :func:`au_class_weights`). Targets outside {0, 1} (BP4D's 9 = unknown, -1) are masked.
    """
    valid = (targets == 0) | (targets == 1)
    t = torch.where(valid, targets, torch.zeros_like(targets)).to(logits.dtype)
    p = torch.sigmoid(logits)
    p_neg = (p - clip).clamp(min=0) if clip > 0 else p
    loss_pos = t * (1 - p) ** gamma_pos * F.logsigmoid(logits)
    loss_neg = (1 - t) * p_neg**gamma_neg * torch.log((1 - p_neg).clamp(min=1e-8))
    loss = -(loss_pos + loss_neg) * valid.to(logits.dtype)
    if class_weights is not None:
        loss = loss * class_weights.to(loss.dtype)
    return loss.sum() / valid.sum().clamp(min=1)


def au_class_weights(labels: torch.Tensor, max_weight: float = 5.0) -> torch.Tensor:
    """Per-AU weights from training labels: rarer AUs weigh more, mean weight 1."""
    valid = (labels == 0) | (labels == 1)
    pos = ((labels == 1) & valid).sum(0).float()
    rate = pos / valid.sum(0).clamp(min=1).float()
    w = 1.0 / rate.clamp(min=1.0 / max_weight)
    return w * (len(w) / w.sum())


def kl_contrastive_loss(
    similarity: torch.Tensor, labels: torch.Tensor, tau: float = 0.05
) -> torch.Tensor:
    """KL(label distribution || softmax(similarity / tau)).

    ``similarity`` (B, C) holds cosine similarities between each clip and each class text;
    ``labels`` (B,) are class ids, turned into one-hot distributions.
    """
    target = F.one_hot(labels, similarity.shape[-1]).to(similarity.dtype)
    return F.kl_div(F.log_softmax(similarity / tau, dim=-1), target, reduction="batchmean")


def balanced_stream_loss(
    fused: torch.Tensor, spatial: torch.Tensor, temporal: torch.Tensor, labels: torch.Tensor,
    aux_weight: float = 0.5,
) -> torch.Tensor:
    """Cross-entropy on the fused logits plus balance-weighted auxiliary stream losses.

    Each stream's confidence on the true class is measured on the batch; the stream that
    is currently weaker gets the larger auxiliary weight (ratio clamped to [0.25, 4]), so
    the stronger stream cannot dominate the shared features (the idea behind on-the-fly
    gradient modulation, applied to loss weights).
    """
    ce_f = F.cross_entropy(fused, labels)
    ce_s = F.cross_entropy(spatial, labels)
    ce_t = F.cross_entropy(temporal, labels)
    with torch.no_grad():
        conf_s = F.softmax(spatial, -1).gather(1, labels[:, None]).mean()
        conf_t = F.softmax(temporal, -1).gather(1, labels[:, None]).mean()
        ratio = (conf_s / conf_t.clamp(min=1e-6)).clamp(0.25, 4.0)
        w_s = 2.0 / (1.0 + ratio)  # ratio > 1: spatial is stronger, so it weighs less
        w_t = 2.0 - w_s
    return ce_f + aux_weight * (w_s * ce_s + w_t * ce_t)
