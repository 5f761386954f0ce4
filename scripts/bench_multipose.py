"""Cost of multi-person pose per frame: MoveNet MultiPose (ORT CPU, 1 thread and
onnxruntime's default) at several input widths, with mediapipe pose on the same frames.

    .venv/bin/python scripts/bench_multipose.py [--frames 20] [--widths 256 384 512 640 768]

Frames: opencv's vtest.avi (768x576 pedestrians), consecutive from frame 60, so
mediapipe's tracking runs as it does on video. Each timing is one call of the backend as
the landmark stage makes it (resize, model, decode into 33-point bodies). Prints a
markdown table for docs/benchmarks.md, with the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import platform
import subprocess
import sys
import time

import cv2
import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from emo_perception.models.npm_models import vtest_frames  # noqa: E402
from emo_perception.perception.multipose import MoveNetBodies  # noqa: E402
from emo_perception.reasoning.qa_windows import photo_bgr  # noqa: E402


def _times(fn, frames: list[np.ndarray], warm: int = 2) -> tuple[list[float], list[int]]:
    for f in frames[:warm]:
        fn(f)
    ms, counts = [], []
    for f in frames:
        t = time.perf_counter()
        n = fn(f)
        ms.append((time.perf_counter() - t) * 1000.0)
        counts.append(n)
    return ms, counts


def _row(ms: list[float]) -> str:
    return f"{np.percentile(ms, 50):.0f} / {np.percentile(ms, 95):.0f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--widths", type=int, nargs="+", default=[256, 384, 512, 640, 768])
    args = ap.parse_args()
    bgr = vtest_frames(tuple(range(60, 60 + args.frames)))
    if not bgr:
        raise SystemExit("opencv's vtest.avi missing (apt package opencv-doc)")
    rgb = [np.ascontiguousarray(cv2.cvtColor(f, cv2.COLOR_BGR2RGB)) for f in bgr]
    astro = np.ascontiguousarray(cv2.cvtColor(photo_bgr("astronaut"), cv2.COLOR_BGR2RGB))
    load0 = os.getloadavg()
    start = datetime.datetime.now(datetime.timezone.utc)
    rows = []
    for width in args.widths:
        cells = []
        for threads in (1, 0):
            model = MoveNetBodies(model_width=width, threads=threads, backend_order=("cpu",))
            ms, counts = _times(lambda f: len(model(f)), rgb)
            cells.append(_row(ms))
        people = f"{np.mean(counts):.1f} ({min(counts)}-{max(counts)})"
        rows.append(f"| movenet {width}x{model_width_height(width)} | {cells[0]} | "
                    f"{cells[1]} | {people} | {len(model(astro))} |")
    import mediapipe as mp

    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        ms, counts = _times(lambda f: int(pose.process(f).pose_landmarks is not None), rgb)
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
        astro_n = int(pose.process(astro).pose_landmarks is not None)
    rows.append(f"| mediapipe pose (complexity 1, video mode; its own threads) | {_row(ms)} "
                f"| - | {np.mean(counts):.1f} ({min(counts)}-{max(counts)}) | {astro_n} |")
    end = datetime.datetime.now(datetime.timezone.utc)
    load1 = os.getloadavg()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    print(f"Machine: {cpu}, {os.cpu_count()} cores, {start:%Y-%m-%d %H:%M}-{end:%H:%M} UTC; "
          f"load average {load0[0]:.1f} before, {load1[0]:.1f} after (`uptime`: {uptime})")
    print(f"vtest.avi frames 60-{59 + args.frames} (768x576), {args.frames} timed calls "
          "after 2 warm-up calls; p50 / p95 per frame.\n")
    print("| backend, input | ORT CPU 1 thread | ORT CPU default threads | people per frame "
          "(mean, range) | astronaut |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(r)
    return 0


def model_width_height(width: int) -> int:
    from emo_perception.perception.multipose import input_size

    return input_size(768, 576, width)[1]


if __name__ == "__main__":
    sys.exit(main())
