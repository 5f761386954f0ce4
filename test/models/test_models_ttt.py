"""TTT-Linear: closed-form inner gradient vs autograd, dual form vs a primal loop, streaming."""

from __future__ import annotations

import pytest
import torch

from emo_perception.models.ttt import (
    BiTTTBlock,
    TTTConfig,
    TTTLinear,
    inner_grad_z,
    reference_inner_loss,
    ttt_minibatch,
)


def _rand(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64)


def test_closed_form_inner_gradient_matches_autograd() -> None:
    torch.manual_seed(0)
    bsz, h, n, d = 2, 3, 16, 8
    xk, xv = _rand(bsz, h, n, d), _rand(bsz, h, n, d)
    w = (_rand(bsz, h, d, d) * 0.3).requires_grad_(True)
    b = (_rand(bsz, h, 1, d) * 0.1).requires_grad_(True)
    gamma, beta = 1 + 0.2 * _rand(h, 1, d), 0.1 * _rand(h, 1, d)
    g = inner_grad_z(xk, xv, w, b, gamma, beta)
    for s in (0, 7, 15):
        loss = reference_inner_loss(xk, xv, w, b, gamma, beta)[..., s].sum()
        gw, gb = torch.autograd.grad(loss, (w, b))
        closed_w = xk[..., s, :].unsqueeze(-1) * g[..., s, :].unsqueeze(-2)
        torch.testing.assert_close(closed_w, gw, rtol=1e-9, atol=1e-10)
        torch.testing.assert_close(g[..., s, :].unsqueeze(-2), gb, rtol=1e-9, atol=1e-10)


def test_dual_form_equals_primal_per_token_loop() -> None:
    """Every token's output uses W_t = W_0 - sum_{s<=t} eta_s/t grad_s(W_0) (autograd grads)."""
    torch.manual_seed(1)
    bsz, h, n, d = 1, 2, 16, 6
    xq, xk, xv = _rand(bsz, h, n, d), _rand(bsz, h, n, d), _rand(bsz, h, n, d)
    eta = torch.rand(bsz, h, n, dtype=torch.float64)
    w = (_rand(bsz, h, d, d) * 0.3).requires_grad_(True)
    b = (_rand(bsz, h, 1, d) * 0.1).requires_grad_(True)
    gamma = torch.ones(h, 1, d, dtype=torch.float64)
    beta = torch.zeros(h, 1, d, dtype=torch.float64)
    z, w_new, b_new = ttt_minibatch(xq, xk, xv, eta, w.detach(), b.detach(), gamma, beta)
    grads = []
    for s in range(n):
        loss = reference_inner_loss(xk, xv, w, b, gamma, beta)[..., s].sum()
        grads.append(torch.autograd.grad(loss, (w, b)))
    for t in range(n):
        wt = w.detach().clone()
        bt = b.detach().clone()
        for s in range(t + 1):
            scale = (eta[..., s] / (t + 1))[..., None, None]
            wt = wt - scale * grads[s][0]
            bt = bt - scale * grads[s][1]
        zt = xq[..., t:t + 1, :] @ wt + bt
        ref = xq[..., t:t + 1, :] + torch.nn.functional.layer_norm(zt, (d,), eps=1e-6)
        torch.testing.assert_close(z[..., t:t + 1, :], ref, rtol=1e-9, atol=1e-10)
    torch.testing.assert_close(w_new, wt, rtol=1e-9, atol=1e-10)
    torch.testing.assert_close(b_new, bt, rtol=1e-9, atol=1e-10)


def test_state_updates_once_per_minibatch_and_streaming_matches_scan() -> None:
    torch.manual_seed(2)
    layer = TTTLinear(TTTConfig(dim=32, heads=4)).eval()
    x = torch.randn(2, 40, 32)  # 16 + 16 + 8: the last mini-batch is partial
    full = layer(x)
    w, b = layer.zero_state(2)
    parts = []
    for start in (0, 16, 32):
        out, w, b = layer.step(x[:, start:start + 16], w, b)
        parts.append(out)
    torch.testing.assert_close(torch.cat(parts, 1), full)
    assert float(w.detach().abs().sum()) > 0  # the state moved: the layer trained while reading
    # Causal scan: changing token 20 onwards leaves earlier outputs alone, changes later ones.
    x2 = x.clone()
    x2[:, 20:] += torch.randn(2, 20, 32)
    out2 = layer(x2)
    torch.testing.assert_close(out2[:, :20], full[:, :20])
    assert not torch.allclose(out2[:, 32:], full[:, 32:])


def test_bidirectional_block_sees_both_directions() -> None:
    torch.manual_seed(3)
    block = BiTTTBlock(TTTConfig(dim=16, heads=2)).eval()
    x = torch.randn(1, 32, 16)
    y = block(x)
    x2 = x.clone()
    x2[:, -1] += 3.0 * torch.randn(16)  # reaches the first token through the reversed scan
    assert not torch.allclose(block(x2)[:, 0], y[:, 0])


def test_config_errors_are_helpful() -> None:
    with pytest.raises(ValueError, match="divisible"):
        TTTConfig(dim=30, heads=4)
