"""TTT-Linear: a sequence layer whose hidden state is a linear model trained while it reads.

Per head (dimension d) the state is ``W`` (d x d) and ``b`` (d). The inner model is
``f(x) = x + LN(x W + b)`` and every token ``s`` brings the self-supervised loss
``l_s = 1/2 ||LN(x_K W + b) - (x_V - x_K)||^2``. Tokens are processed in mini-batches of
16: every token of a mini-batch takes its gradient at the state from the start of the
mini-batch, and the state is updated once per mini-batch.

Choice documented here (the paper's dual form, as in its public code): inside a mini-batch
token ``t`` (1-based position) sees the cumulative state

    W_t = W_0 - sum_{s<=t} (1/t) * eta_s * grad_W l_s(W_0),   b_t likewise,

so its output ``z_t = x_Q,t + LN(x_Q,t W_t + b_t)`` already uses the gradients of the
tokens before it in the same mini-batch (causal). The state carried to the next
mini-batch is ``W_n`` of the last token. ``eta_s = base_lr * sigmoid(theta . x_s + c) / d``
is a learned per-token, per-head gate computed from the layer input.

The inner gradient is written in closed form (LayerNorm backward by hand), so forward
never calls autograd and the layer exports to ONNX; ``test_models_ttt`` checks it against
``torch.autograd``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

LN_EPS = 1e-6


@dataclass
class TTTConfig:
    """Sizes of one TTT-Linear layer."""

    dim: int = 64
    heads: int = 4
    mini_batch: int = 16
    base_lr: float = 1.0

    def __post_init__(self) -> None:
        if self.dim <= 0 or self.heads <= 0:
            raise ValueError(f"TTTConfig: dim ({self.dim}) and heads ({self.heads}) must be > 0")
        if self.dim % self.heads:
            raise ValueError(
                f"TTTConfig: dim {self.dim} must be divisible by heads {self.heads}; "
                f"try dim={self.heads * max(1, self.dim // self.heads)}"
            )
        if not 1 <= self.mini_batch <= 256:
            raise ValueError(f"TTTConfig: mini_batch must be in [1, 256], got {self.mini_batch}")
        if self.base_lr <= 0:
            raise ValueError(f"TTTConfig: base_lr must be > 0, got {self.base_lr}")

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads


def _layer_norm(z: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor):
    """LayerNorm over the last axis; also returns x_hat and std for the hand-written backward."""
    mu = z.mean(dim=-1, keepdim=True)
    var = ((z - mu) ** 2).mean(dim=-1, keepdim=True)
    std = torch.sqrt(var + LN_EPS)
    x_hat = (z - mu) / std
    return gamma * x_hat + beta, x_hat, std


def inner_grad_z(
    xk: torch.Tensor, xv: torch.Tensor, w: torch.Tensor, b: torch.Tensor,
    gamma: torch.Tensor, beta: torch.Tensor,
) -> torch.Tensor:
    """Closed-form dl_s/dZ_s for every token, Z_s = x_K,s W + b.

    Shapes: xk, xv (..., n, d); w (..., d, d); b (..., 1, d); gamma, beta broadcastable to
    (..., n, d). dl/dW for token s is ``outer(x_K,s, g_s)`` and dl/db is ``g_s``.
    """
    z = xk @ w + b
    y, x_hat, std = _layer_norm(z, gamma, beta)
    g_y = y - (xv - xk)
    g_hat = g_y * gamma
    # LayerNorm backward: (g - mean(g) - x_hat * mean(g * x_hat)) / std.
    return (
        g_hat
        - g_hat.mean(dim=-1, keepdim=True)
        - x_hat * (g_hat * x_hat).mean(dim=-1, keepdim=True)
    ) / std


def ttt_minibatch(
    xq: torch.Tensor, xk: torch.Tensor, xv: torch.Tensor, eta: torch.Tensor,
    w: torch.Tensor, b: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One mini-batch of TTT-Linear in dual form.

    xq, xk, xv: (B, H, n, d); eta: (B, H, n) per-token gate (without the 1/t scale);
    w: (B, H, d, d); b: (B, H, 1, d); gamma, beta: (H, 1, d) inner LayerNorm.
    Returns z (B, H, n, d), the state after the mini-batch (w_new, b_new).
    """
    n = xq.shape[-2]
    g = inner_grad_z(xk, xv, w, b, gamma, beta)
    pos = torch.arange(1, n + 1, dtype=xq.dtype, device=xq.device)
    # E[t, s] = eta_s / t for s <= t: cumulative average of the in-mini-batch gradients.
    e = torch.tril(eta.unsqueeze(-2).expand(*eta.shape[:-1], n, n)) / pos.unsqueeze(-1)
    attn = xq @ xk.transpose(-1, -2)
    z_bar = xq @ w + b - (e * attn) @ g - e @ g
    y, _, _ = _layer_norm(z_bar, gamma, beta)
    last = e[..., -1, :].unsqueeze(-1)  # (B, H, n, 1): weights of the final token's state
    w_new = w - (xk * last).transpose(-1, -2) @ g
    b_new = b - (last * g).sum(dim=-2, keepdim=True)
    return xq + y, w_new, b_new


class TTTLinear(nn.Module):
    """Multi-head TTT-Linear over a token sequence (causal scan, one direction)."""

    def __init__(self, cfg: TTTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        h, d, dim = cfg.heads, cfg.head_dim, cfg.dim
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)
        self.w0 = nn.Parameter(torch.randn(h, d, d) * 0.02)
        self.b0 = nn.Parameter(torch.zeros(h, 1, d))
        self.gate_theta = nn.Parameter(torch.randn(h, dim) * 0.02)
        self.gate_c = nn.Parameter(torch.zeros(h))
        self.ln_gamma = nn.Parameter(torch.ones(h, 1, d))
        self.ln_beta = nn.Parameter(torch.zeros(h, 1, d))
        self.post_norm = nn.LayerNorm(dim)

    def _heads(self, t: torch.Tensor) -> torch.Tensor:
        bsz, n, _ = t.shape
        return t.view(bsz, n, self.cfg.heads, self.cfg.head_dim).transpose(1, 2)

    def zero_state(self, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Streaming state at the start of a sequence: deltas from the learned init (zeros)."""
        h, d = self.cfg.heads, self.cfg.head_dim
        ref = self.w0
        return ref.new_zeros(batch, h, d, d), ref.new_zeros(batch, h, 1, d)

    def step(
        self, x: torch.Tensor, w_delta: torch.Tensor, b_delta: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One mini-batch (x: B, n<=mini_batch, dim) with explicit state in and out.

        The state travels as the difference from the learned initial state, so a caller
        (a node, an ONNX session) starts every sequence from zeros.
        """
        bsz, n, dim = x.shape
        q, k, v = self._heads(self.q(x)), self._heads(self.k(x)), self._heads(self.v(x))
        eta = self.cfg.base_lr * torch.sigmoid(
            torch.einsum("bnc,hc->bhn", x, self.gate_theta) + self.gate_c[None, :, None]
        ) / self.cfg.head_dim
        w = self.w0.unsqueeze(0) + w_delta
        b = self.b0.unsqueeze(0) + b_delta
        z, w_new, b_new = ttt_minibatch(q, k, v, eta, w, b, self.ln_gamma, self.ln_beta)
        z = z.transpose(1, 2).reshape(bsz, n, dim)
        out = self.o(self.post_norm(z))
        return out, w_new - self.w0.unsqueeze(0), b_new - self.b0.unsqueeze(0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scan the whole sequence (B, N, dim) from the learned initial state."""
        w, b = self.zero_state(x.shape[0])
        outs = []
        mb = self.cfg.mini_batch
        for start in range(0, x.shape[1], mb):
            out, w, b = self.step(x[:, start:start + mb], w, b)
            outs.append(out)
        return torch.cat(outs, dim=1)


class BiTTTBlock(nn.Module):
    """Pre-norm block: forward and reversed TTT-Linear scans merged, then an MLP.

    The two scans have their own weights; their outputs are concatenated and mixed by a
    linear layer so the block can weigh the directions per channel.
    """

    def __init__(self, cfg: TTTConfig, mlp_ratio: float = 2.0) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.dim)
        self.fwd = TTTLinear(cfg)
        self.bwd = TTTLinear(cfg)
        self.merge = nn.Linear(2 * cfg.dim, cfg.dim)
        self.norm2 = nn.LayerNorm(cfg.dim)
        hidden = int(cfg.dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(cfg.dim, hidden), nn.GELU(), nn.Linear(hidden, cfg.dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm1(x)
        f = self.fwd(h)
        r = torch.flip(self.bwd(torch.flip(h, dims=[1])), dims=[1])
        x = x + self.merge(torch.cat([f, r], dim=-1))
        return x + self.mlp(self.norm2(x))


class TTTStepExport(nn.Module):
    """Wrapper with the streaming signature used for ONNX: (x, W, b) -> (y, W', b')."""

    def __init__(self, layer: TTTLinear) -> None:
        super().__init__()
        self.layer = layer

    def forward(self, x: torch.Tensor, w_delta: torch.Tensor, b_delta: torch.Tensor):
        return self.layer.step(x, w_delta, b_delta)


def reference_inner_loss(
    xk: torch.Tensor, xv: torch.Tensor, w: torch.Tensor, b: torch.Tensor,
    gamma: torch.Tensor, beta: torch.Tensor,
) -> torch.Tensor:
    """Per-token inner loss with torch's own LayerNorm (the autograd reference in tests)."""
    z = xk @ w + b
    y = F.layer_norm(z, (z.shape[-1],), eps=LN_EPS) * gamma + beta
    return 0.5 * ((y - (xv - xk)) ** 2).sum(dim=-1)
