"""Build the bundled ONNX models, their manifest and model cards.

``build_bundle`` trains the demo models on *generated* data (no real dataset is reachable
here), exports them, checks parity and writes ``manifest.yaml`` + one card per model.
Every generated-data model is marked ``fit_for_use: false`` and ``enabled_by_default:
false``. ``export_checkpoint`` exports a model trained with ``emo-perception train`` on
a real dataset and adds/replaces its manifest entry.
"""

from __future__ import annotations

import datetime
import pathlib
from typing import Any, Callable

import torch
import yaml

from emo_perception.inference.manifest import MANIFEST_NAME, sha256_file
from emo_perception.models.au_ttt import AUTTT, AUTTTConfig
from emo_perception.models.contrastive import class_descriptions, class_text_embeddings
from emo_perception.models.data import AUData, ClipData
from emo_perception.models.export import OPSET, export_au, export_skeleton, export_ttt_step
from emo_perception.models.skeleton_mg import SkeletonMG, SkeletonMGConfig
from emo_perception.models.synthetic import GESTURES, synthetic_faces, synthetic_gestures
from emo_perception.models.train import (
    TrainConfig,
    eval_au,
    eval_skeleton,
    train_au,
    train_skeleton,
)

GENERATED_NOTE = (
    "Trained only on generated data (cartoon faces / synthetic skeleton clips) to exercise "
    "training, export and inference. Not fit for use on people: train on BP4D/DISFA or "
    "iMiGUE/SMG with `emo-perception train` and export the checkpoint."
)


def _card(entry: dict[str, Any]) -> str:
    lines = [f"# {entry['name']}", "", entry.get("description", ""), "",
             f"- architecture: `{entry['architecture']}`",
             f"- file: `{entry['file']}` (sha256 `{entry['sha256']}`)",
             f"- training data: {entry['training_data']}",
             f"- fit for use: {entry['fit_for_use']}; enabled by default: "
             f"{entry['enabled_by_default']}",
             f"- ONNX opset {entry['opset']}; parity vs PyTorch (onnxruntime CPU, max abs error): "
             f"{entry['parity']['onnxruntime_cpu_max_abs_err']:.2e}", "", "## Inputs", ""]
    lines += [f"- `{i['name']}` {i['shape']}: {i['meaning']}" for i in entry["inputs"]]
    lines += ["", "## Outputs", ""]
    lines += [f"- `{o['name']}` {o['shape']}: {o['meaning']}" for o in entry["outputs"]]
    lines += ["", "## Metrics (held-out split of the training data source)", ""]
    lines += [f"- {k}: {v}" for k, v in entry.get("metrics", {}).items()]
    lines += ["", "## Limitations", "", entry.get("notes", ""), ""]
    return "\n".join(lines)


def _finish(entry: dict[str, Any], out_dir: pathlib.Path) -> dict[str, Any]:
    path = out_dir / entry["file"]
    entry["sha256"] = sha256_file(path)
    entry["size_bytes"] = path.stat().st_size
    entry["opset"] = OPSET
    entry["parity"] = {"onnxruntime_cpu_max_abs_err": float(entry.pop("parity_max_abs_err"))}
    entry["card"] = entry["file"].replace(".onnx", ".md")
    (out_dir / entry["card"]).write_text(_card(entry))
    return entry


def write_manifest(out_dir: pathlib.Path, entries: list[dict[str, Any]]) -> pathlib.Path:
    """Write (merge by name into) ``out_dir/manifest.yaml``."""
    path = out_dir / MANIFEST_NAME
    old = yaml.safe_load(path.read_text()) if path.is_file() else None
    new_names = {e["name"] for e in entries}
    models = [m for m in (old or {}).get("models", []) if m["name"] not in new_names]
    data = {
        "version": 1,
        "generated": datetime.date.today().isoformat(),
        "note": "Written by `emo-perception export`; sha256 is checked at load time.",
        "models": models + entries,
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=99))
    return path


def build_bundle(out_dir: str | pathlib.Path, quick: bool = False, seed: int = 0,
                 progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Train demo models on generated data, export, parity-check, write the manifest."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _m: None)
    torch.manual_seed(seed)
    # Sized so the full bundle trains in minutes on a 2-core CPU.
    n_face, n_clip = (120, 120) if quick else (640, 600)
    epochs = 1 if quick else 6

    au_cfg = AUTTTConfig()
    say(f"generating {n_face} + 300 face crops")
    tr = AUData(*synthetic_faces(n_face, au_cfg.image_size, au_cfg.aus, seed=seed), au_cfg.aus)
    te = AUData(*synthetic_faces(300, au_cfg.image_size, au_cfg.aus, seed=seed + 1), au_cfg.aus)
    au = train_au(au_cfg, tr, TrainConfig(epochs=epochs, batch=32, lr=3e-3, seed=seed), say)
    au_metrics = eval_au(au, te)
    entries = [_finish({
        "name": "au_ttt_bp4d_generated",
        "file": "au_ttt_bp4d_generated.onnx",
        "description": "AU-TTT (bidirectional TTT-Linear + AU ROI scan), BP4D-12 AU head.",
        **export_au(au, out_dir / "au_ttt_bp4d_generated.onnx", seed),
        "training_data": "generated",
        "fit_for_use": False,
        "enabled_by_default": False,
        "metrics": {"heldout_generated_f1_mean": round(au_metrics["f1_mean"], 4),
                    "heldout_generated_accuracy": round(au_metrics["accuracy"], 4)},
        "notes": GENERATED_NOTE,
    }, out_dir)]
    entries.append(_finish({
        "name": "ttt_linear_step",
        "file": "ttt_linear_step.onnx",
        "description": "Streaming TTT-Linear step (AU-TTT block 0, forward scan) with explicit "
                       "state in/out, for nodes that keep the state across calls.",
        **export_ttt_step(au.blocks[0].fwd, out_dir / "ttt_linear_step.onnx", seed),
        "training_data": "generated",
        "fit_for_use": False,
        "enabled_by_default": False,
        "metrics": {},
        "notes": GENERATED_NOTE,
    }, out_dir))

    sk_cfg = SkeletonMGConfig(dim=64, text_head=True, text_joint_dim=128)
    text = torch.from_numpy(class_text_embeddings(class_descriptions(sk_cfg.class_names)))
    say(f"generating {n_clip} + 300 skeleton clips")
    x, y, _ = synthetic_gestures(n_clip, sk_cfg.frames, seed=seed)
    xt, yt, _ = synthetic_gestures(300, sk_cfg.frames, seed=seed + 1)
    sk_tc = TrainConfig(epochs=max(epochs, 2), lr=3e-3, seed=seed)
    sk = train_skeleton(sk_cfg, ClipData(x, y), sk_tc, text_emb=text, progress=say)
    sk_metrics = eval_skeleton(sk, ClipData(xt, yt))
    entries.append(_finish({
        "name": "skeleton_mg_imigue_generated",
        "file": "skeleton_mg_imigue_generated.onnx",
        "description": "Skeleton micro-gesture model (spatial + temporal streams, balancing "
                       "fusion) with the adaptive-prompting visual-text head; iMiGUE-32 head. "
                       f"Generated data covers {len(GESTURES)} of the 32 classes.",
        **export_skeleton(sk, out_dir / "skeleton_mg_imigue_generated.onnx", seed),
        "training_data": "generated",
        "fit_for_use": False,
        "enabled_by_default": False,
        "metrics": {f"heldout_generated_{k}": round(v, 4) for k, v in sk_metrics.items()},
        "notes": GENERATED_NOTE,
    }, out_dir))
    write_manifest(out_dir, entries)
    return entries


def export_checkpoint(checkpoint: str | pathlib.Path, out_dir: str | pathlib.Path,
                      name: str | None = None) -> dict[str, Any]:
    """Export a trained checkpoint and merge its entry into the manifest."""
    from emo_perception.models.train import load_checkpoint

    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    arch, model, ck = load_checkpoint(checkpoint)
    name = name or pathlib.Path(checkpoint).stem
    fname = f"{name}.onnx"
    if isinstance(model, AUTTT):
        fields = export_au(model, out_dir / fname)
    elif isinstance(model, SkeletonMG):
        fields = export_skeleton(model, out_dir / fname)
    else:
        raise ValueError(f"{checkpoint}: cannot export architecture {arch!r}")
    data = str(ck.get("training_data", "unknown"))
    entry = _finish({
        "name": name, "file": fname,
        "description": f"{arch} exported from {pathlib.Path(checkpoint).name}",
        **fields, "training_data": data,
        "fit_for_use": data != "generated", "enabled_by_default": False,
        "metrics": {k: v for k, v in ck.get("metrics", {}).items() if not isinstance(v, dict)},
        "notes": GENERATED_NOTE if data == "generated" else "Check the metrics before enabling.",
    }, out_dir)
    write_manifest(out_dir, [entry])
    return entry


def parity_inputs_ok(entries: list[dict[str, Any]], tol: float = 1e-4) -> list[str]:
    """Names of entries whose recorded ORT parity error exceeds ``tol``."""
    return [e["name"] for e in entries if e["parity"]["onnxruntime_cpu_max_abs_err"] > tol]


__all__ = ["build_bundle", "export_checkpoint", "parity_inputs_ok", "write_manifest"]
