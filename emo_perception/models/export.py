"""ONNX export of the learned models with an onnxruntime parity check, and manifest entries.

Exports use the TorchScript-based exporter (``dynamo=False``, opset 17) with a dynamic
batch axis; the TTT mini-batch loop is unrolled for the model's fixed token count. TTT is
also exported as a streaming step ``(x, w_delta, b_delta) -> (y, w_delta', b_delta')``:
a node starts a sequence with zero deltas and feeds back the returned state.
"""

from __future__ import annotations

import pathlib
import warnings
from typing import Any

import numpy as np
import torch

from emo_perception.models.au_ttt import AUTTT, AUTTTExport
from emo_perception.models.registry import config_dict
from emo_perception.models.skeleton_mg import NUM_JOINTS, SkeletonMG, SkeletonMGExport
from emo_perception.models.ttt import TTTLinear, TTTStepExport

OPSET = 17


def export_module(module: torch.nn.Module, inputs: dict[str, torch.Tensor],
                  output_names: list[str], path: str | pathlib.Path,
                  dynamic_batch: bool = True) -> None:
    """torch.onnx.export with named inputs/outputs and a dynamic batch axis."""
    axes = {n: {0: "batch"} for n in [*inputs, *output_names]} if dynamic_batch else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about the unrolled TTT loop
        torch.onnx.export(
            module.eval(), tuple(inputs.values()), str(path), input_names=list(inputs),
            output_names=output_names, dynamic_axes=axes, opset_version=OPSET, dynamo=False,
        )


def ort_outputs(path: str | pathlib.Path, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Run the ONNX file once on onnxruntime CPU."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, inputs)


def parity(module: torch.nn.Module, path: str | pathlib.Path,
           inputs: dict[str, torch.Tensor]) -> float:
    """Max abs difference between PyTorch and onnxruntime CPU outputs."""
    with torch.no_grad():
        ref = module.eval()(*inputs.values())
    ref = ref if isinstance(ref, (tuple, list)) else (ref,)
    got = ort_outputs(path, {k: v.numpy() for k, v in inputs.items()})
    return max(float(np.abs(r.numpy() - g).max()) for r, g in zip(ref, got))


def _io(name: str, shape: list[Any], meaning: str) -> dict[str, Any]:
    return {"name": name, "shape": shape, "dtype": "float32", "meaning": meaning}


def export_au(model: AUTTT, path: str | pathlib.Path, seed: int = 0) -> dict[str, Any]:
    """Export AU-TTT (probabilities); returns the manifest fields it knows."""
    cfg = model.cfg
    g = torch.Generator().manual_seed(seed)
    s = cfg.image_size
    inputs = {"image": torch.rand(4, 3, s, s, generator=g),
              "rois": 0.2 + 0.6 * torch.rand(4, 2 * cfg.num_aus, 2, generator=g)}
    wrapper = AUTTTExport(model)
    export_module(wrapper, inputs, ["au_prob"], path)
    return {
        "architecture": "au_ttt",
        "config": config_dict(cfg),
        "inputs": [
            _io("image", ["batch", 3, s, s], "RGB face crop, values in [0, 1]"),
            _io("rois", ["batch", 2 * cfg.num_aus, 2],
                "two region centres per AU, crop coords [0,1] (au_ttt.au_rois_from_mesh)"),
        ],
        "outputs": [_io("au_prob", ["batch", cfg.num_aus], "AU occurrence probability")],
        "label_set": cfg.dataset,
        "labels": [f"AU{a}" for a in cfg.aus],
        "parity_max_abs_err": parity(wrapper, path, inputs),
    }


def export_skeleton(model: SkeletonMG, path: str | pathlib.Path, seed: int = 0) -> dict[str, Any]:
    """Export the skeleton model (class probabilities [+ text similarities])."""
    cfg = model.cfg
    g = torch.Generator().manual_seed(seed)
    clip = torch.rand(4, cfg.frames, NUM_JOINTS, 3, generator=g)
    clip[..., 2] = 1.0
    wrapper = SkeletonMGExport(model)
    outs = ["probs"] + (["text_sim"] if cfg.text_head else [])
    export_module(wrapper, {"skeleton": clip}, outs, path)
    outputs = [_io("probs", ["batch", cfg.num_classes], "class probabilities (fused head)")]
    if cfg.text_head:
        outputs.append(_io("text_sim", ["batch", cfg.num_classes],
                           "cosine similarity to adaptive-prompted class texts"))
    return {
        "architecture": "skeleton_mg",
        "config": config_dict(cfg),
        "inputs": [_io("skeleton", ["batch", cfg.frames, NUM_JOINTS, 3],
                       "33 pose + 21 left + 21 right hand landmarks; x, y in [0,1], visibility")],
        "outputs": outputs,
        "label_set": cfg.dataset,
        "labels": list(cfg.class_names),
        "parity_max_abs_err": parity(wrapper, path, {"skeleton": clip}),
    }


def export_ttt_step(layer: TTTLinear, path: str | pathlib.Path, seed: int = 0,
                    chunks: int = 3) -> dict[str, Any]:
    """Export one streaming mini-batch step; parity = ONNX stepped over ``chunks``
    mini-batches (state fed back) vs the PyTorch full-sequence scan."""
    cfg = layer.cfg
    mb, h, d = cfg.mini_batch, cfg.heads, cfg.head_dim
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2, mb * chunks, cfg.dim, generator=g)
    w0, b0 = layer.zero_state(2)
    step = TTTStepExport(layer)
    export_module(step, {"x": x[:, :mb], "w_delta": w0, "b_delta": b0},
                  ["y", "w_delta_out", "b_delta_out"], path)
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    w, b = w0.numpy(), b0.numpy()
    ys = []
    for c in range(chunks):
        feeds = {"x": x[:, c * mb:(c + 1) * mb].numpy(), "w_delta": w, "b_delta": b}
        y, w, b = sess.run(None, feeds)
        ys.append(y)
    with torch.no_grad():
        ref = layer.eval()(x).numpy()
    err = float(np.abs(np.concatenate(ys, 1) - ref).max())
    return {
        "architecture": "ttt_linear_step",
        "config": config_dict(cfg),
        "inputs": [
            _io("x", ["batch", mb, cfg.dim], "one mini-batch of tokens"),
            _io("w_delta", ["batch", h, d, d], "state W minus the learned init (zeros at start)"),
            _io("b_delta", ["batch", h, 1, d], "state b minus the learned init (zeros at start)"),
        ],
        "outputs": [
            _io("y", ["batch", mb, cfg.dim], "layer output"),
            _io("w_delta_out", ["batch", h, d, d], "state to feed back"),
            _io("b_delta_out", ["batch", h, 1, d], "state to feed back"),
        ],
        "label_set": None,
        "labels": [],
        "parity_max_abs_err": err,
    }
