"""GPU check for the learned models: TensorRT engines, parity vs PyTorch, throughput.

Run on a machine with an NVIDIA GPU (see scripts/gpu_check.sh). For each architecture a
model is built from the default config (fixed seed), exported to ONNX, and run by
(1) PyTorch on CUDA in FP32 (the reference), (2) TensorRT FP16 and FP32 engines when the
tensorrt package is importable, (3) onnxruntime CUDA when available. Reported: max abs
error vs PyTorch, and throughput in crops/s (AU-TTT) and clips/s (skeleton) at batch
1/8/64 with inputs already on the GPU. Results go to <out>/gpu_check.json and .md.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import torch

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from emo_perception.inference import create_runner  # noqa: E402
from emo_perception.inference.manifest import sha256_file  # noqa: E402
from emo_perception.inference.tensorrt_backend import unavailable_reason  # noqa: E402
from emo_perception.models.au_ttt import AUTTTConfig, AUTTTExport  # noqa: E402
from emo_perception.models.export import export_au, export_skeleton  # noqa: E402
from emo_perception.models.registry import create_model  # noqa: E402
from emo_perception.models.skeleton_mg import SkeletonMGConfig, SkeletonMGExport  # noqa: E402

BATCHES = (1, 8, 64)


def cuda_time(fn, iters: int) -> float:
    """Seconds per call, CUDA-event timed after warm-up."""
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / 1000.0 / iters


def inputs_for(kind: str, batch: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(batch)
    if kind == "au":
        return {"image": torch.rand(batch, 3, 112, 112, generator=g),
                "rois": 0.2 + 0.6 * torch.rand(batch, 24, 2, generator=g)}
    clip = torch.rand(batch, 32, 75, 3, generator=g)
    clip[..., 2] = 1.0
    return {"skeleton": clip}


def check(kind: str, tmp: pathlib.Path, iters: int) -> dict:
    torch.manual_seed(0)
    if kind == "au":
        model = create_model("au_ttt", AUTTTConfig()).eval()
        wrapper, path, unit = AUTTTExport(model), tmp / "au_ttt.onnx", "crops/s"
        export_au(model, path)
    else:
        model = create_model("skeleton_mg", SkeletonMGConfig()).eval()
        wrapper, path, unit = SkeletonMGExport(model), tmp / "skeleton_mg.onnx", "clips/s"
        export_skeleton(model, path)
    wrapper = wrapper.cuda()
    res = {"model": kind, "unit": unit, "onnx_sha256": sha256_file(path), "backends": {}}
    manifest = {"models": [{"name": path.stem, "file": path.name,
                            "sha256": res["onnx_sha256"]}]}
    runners = {}
    if not unavailable_reason():
        for prec in ("fp16", "fp32"):
            t0 = time.perf_counter()
            runners[f"tensorrt_{prec}"] = create_runner(
                path, ("tensorrt",), fp16=prec == "fp16", cache_dir=str(tmp / "engines"),
                manifest=manifest, max_batch=max(BATCHES))
            res[f"engine_build_s_{prec}"] = round(time.perf_counter() - t0, 1)
    else:
        res["tensorrt"] = unavailable_reason()
    try:
        cuda = create_runner(path, ("cuda",), manifest=manifest)
        runners["ort_cuda"] = cuda
    except RuntimeError as exc:
        res["ort_cuda"] = str(exc)
    with torch.no_grad():
        for batch in BATCHES:
            feeds = {k: v.cuda() for k, v in inputs_for(kind, batch).items()}
            ref = wrapper(*feeds.values())
            ref = ref[0] if isinstance(ref, tuple) else ref
            t = cuda_time(lambda: wrapper(*feeds.values()), iters)
            res["backends"].setdefault("pytorch_fp32", {})[f"b{batch}"] = {
                "per_s": round(batch / t), "max_abs_err": 0.0}
            with torch.autocast("cuda", dtype=torch.float16):
                t = cuda_time(lambda: wrapper(*feeds.values()), iters)
            res["backends"].setdefault("pytorch_autocast_fp16", {})[f"b{batch}"] = {
                "per_s": round(batch / t)}
            for name, runner in runners.items():
                if name.startswith("tensorrt"):
                    out = runner.run_device(feeds)
                    got = out[runner.output_names[0]]
                    t = cuda_time(lambda: runner.run_device(feeds), iters)
                else:
                    host = {k: v.cpu().numpy() for k, v in feeds.items()}
                    got = torch.from_numpy(runner.run(host)[runner.output_names[0]]).cuda()
                    t0 = time.perf_counter()
                    for _ in range(iters):
                        runner.run(host)
                    t = (time.perf_counter() - t0) / iters
                err = float((got.float() - ref.float()).abs().max())
                res["backends"].setdefault(name, {})[f"b{batch}"] = {
                    "per_s": round(batch / t), "max_abs_err": err}
    return res


def markdown(results: list[dict], device: str) -> str:
    lines = [f"GPU: {device}; torch {torch.__version__}", "",
             "| model | backend | b1 /s | b8 /s | b64 /s | max abs err vs PyTorch (b64) |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        for name, vals in r["backends"].items():
            err = vals["b64"].get("max_abs_err")
            lines.append(f"| {r['model']} ({r['unit']}) | {name} | {vals['b1']['per_s']} | "
                         f"{vals['b8']['per_s']} | {vals['b64']['per_s']} | "
                         f"{'' if err is None else f'{err:.1e}'} |")
        for key in ("tensorrt", "ort_cuda"):
            if key in r:
                lines.append(f"| {r['model']} | {key} | not run: {r[key]} | | | |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out/gpu_check")
    parser.add_argument("--iters", type=int, default=50)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("gpu_check: no CUDA device visible to torch", file=sys.stderr)
        return 2
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    device = torch.cuda.get_device_name(0)
    results = [check(kind, out, args.iters) for kind in ("au", "skeleton")]
    report = {"device": device, "results": results}
    (out / "gpu_check.json").write_text(json.dumps(report, indent=1))
    text = markdown(results, device)
    (out / "gpu_check.md").write_text(text + "\n")
    print(text)
    au = results[0]["backends"].get("tensorrt_fp16")
    if au:
        ok = au["b64"]["per_s"] >= 5000 and au["b64"]["max_abs_err"] <= 1e-2
        verdict = "met" if ok else "NOT met"
        print(f"target AU-TTT >= 5000 crops/s FP16 TensorRT within 1e-2: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
