"""The privacy bench (`emo-perception bench --privacy`'s ci scene set and audit: dlib HOG,
Haar frontal and profile at 1x, dlib ResNet re-identification) with the stage settings of
shipped configs, e.g. the GPU configs with their movenet bodies; deface is not run.

    .venv/bin/python scripts/privacy_with_config.py desktop_gpu.yaml jetson.yaml
    .venv/bin/python scripts/privacy_with_config.py --coverage default.yaml \\
        default.yaml:movenet desktop_gpu.yaml desktop_gpu.yaml:mediapipe

``CONFIG:BACKEND`` overrides ``landmarks.body_backend``. ``--coverage`` skips the audit and
prints, per config, the true faces the blur masks cover and the ones they miss (frame, box,
width, share clipped by the frame edge). Host-side only (it runs the identity audit).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("configs", nargs="+", help="shipped config names or paths[:backend]")
    parser.add_argument("--modes", default="blur,pixelate,solid,silhouette,skeleton")
    parser.add_argument("--coverage", action="store_true",
                        help="blur masks' coverage of the true faces only (no audit)")
    args = parser.parse_args(argv)

    from emo_perception.audit.faces import AuditConfig, FaceAuditor
    from emo_perception.audit.privacy_bench import (format_markdown, run_ours,
                                                    run_privacy_bench, truth_coverage)
    from emo_perception.audit.scenes import cached_scene_set
    from emo_perception.cli.process import pipeline_config

    scenes = cached_scene_set("ci")
    frames, truth = [], []
    for rgb, rec in scenes.frames():
        frames.append(np.ascontiguousarray(rgb[:, :, ::-1]))
        truth.append(rec)
    print(f"ci set: {len(frames)} frames, {sum(len(r['faces']) for r in truth)} true faces",
          flush=True)
    auditor = None if args.coverage else FaceAuditor(AuditConfig(
        detectors=("hog", "haar", "profile"), upsample=(1,), after_scope="faces"))
    for spec in args.configs:
        name, _, backend = spec.partition(":")
        cfg = pipeline_config(name)
        if backend:
            cfg = dataclasses.replace(cfg, landmarks=dataclasses.replace(
                cfg.landmarks, body_backend=backend))
        lm = cfg.landmarks
        print(f"{spec}: body_backend {lm.body_backend}"
              + (f" at {lm.movenet_width} px" if lm.body_backend == "movenet" else ""),
              flush=True)
        if args.coverage:
            run = run_ours(frames, "blur", cfg)
            cov = truth_coverage(truth, run.regions, [o is None for o in run.outputs])
            print(f"  covered {cov['covered']}/{cov['faces']}; missed (frame, box, width px, "
                  "edge-clipped share):")
            for m in cov["missed"]:
                print(f"    {m['frame']} {[round(v) for v in m['box']]} "
                      f"{round(m['width_px'])} {m['edge_clipped']:.2f}")
            continue
        t0 = time.perf_counter()
        results = run_privacy_bench(
            frames, truth, [m for m in args.modes.split(",") if m], deface=False,
            pipeline_cfg=cfg, auditor=auditor,
            progress=lambda msg: print(f"  [{time.perf_counter() - t0:5.0f} s] {msg}",
                                       flush=True))
        print(format_markdown(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
