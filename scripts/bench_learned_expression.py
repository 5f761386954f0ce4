"""Learned expression model: ORT CPU latency and agreement with the geometric EMFACS
estimate on every real face we have (docs/benchmarks.md).

    .venv/bin/python scripts/bench_learned_expression.py [--json out.json]

Faces: skimage's LFW subset (100 crops of 25x25 px, upscaled 8x so the mesh finds them),
the face-api demo photos (.cache/media/face-api-demo, from `make setup`), the astronaut,
Grace Hopper and every 10th frame of Megamind.avi (opencv-doc). Each face is meshed by
our landmark stage (mediapipe, static images), then labelled by both backends: the
geometric one from the mesh's AUs, the learned one (face_expression_faceapi) from the crop.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import cv2
import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from emo_perception.inference import create_runner, find_model  # noqa: E402
from emo_perception.perception.action_units import ActionUnitEstimator  # noqa: E402
from emo_perception.perception.expression import (  # noqa: E402
    ExpressionConfig, ExpressionEstimator)
from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector  # noqa: E402
from emo_perception.perception.types import Frame  # noqa: E402

MEGAMIND = pathlib.Path("/usr/share/doc/opencv-doc/examples/data/Megamind.avi")
DEMO = REPO / ".cache" / "media" / "face-api-demo"


def latency(model: str = "face_expression_faceapi", repeats: int = 50) -> dict[str, float]:
    path, entry = find_model(model)
    size = int(entry.preprocessing["size"])
    out = {}
    for threads in (1, 0):
        runner = create_runner(path, backend_order=["cpu"], threads=threads)
        for batch in (1, 8):
            x = np.random.default_rng(0).uniform(0, 255, (batch, size, size, 3)).astype(
                np.float32)
            for _ in range(5):
                runner.run({"image": x})
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                runner.run({"image": x})
                times.append((time.perf_counter() - t0) * 1e3)
            key = f"threads{threads or 'default'}_batch{batch}"
            out[f"{key}_p50_ms"] = float(np.median(times))
            out[f"{key}_p95_ms"] = float(np.percentile(times, 95))
    return out


def images():
    from skimage import data
    import matplotlib

    for i, face in enumerate(data.lfw_subset()[:100]):
        grey = (face * 255).astype(np.uint8)
        big = cv2.resize(grey, (200, 200), interpolation=cv2.INTER_CUBIC)
        yield "lfw", f"lfw{i}", cv2.cvtColor(big, cv2.COLOR_GRAY2BGR)
    for path in sorted(DEMO.glob("sample*.jpg")):
        yield "faceapi_demo", path.stem, cv2.imread(str(path))
    yield "astronaut", "astronaut", cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    grace = pathlib.Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    yield "grace_hopper", "grace_hopper", cv2.imread(str(grace))
    cap = cv2.VideoCapture(str(MEGAMIND))
    k = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if k % 10 == 0:
            yield "megamind", f"megamind{k}", frame
        k += 1


def agreement() -> dict:
    lm = LandmarkDetector(LandmarkConfig(static_image_mode=True, pose=False, max_num_faces=16,
                                         parallel=False))
    ex = ExpressionEstimator(ExpressionConfig(backend="ensemble", backends=["cpu"]))
    labels = list(ex.labels)
    confusion = np.zeros((len(labels), len(labels)), int)  # rows geometric, cols learned
    per_set: dict[str, list[int]] = {}
    n_images = 0
    for group, name, bgr in images():
        n_images += 1
        res = lm.process(Frame(bgr, 0.0, 0))
        faces = [f for f in res.faces if f.mesh is not None]
        if not faces:
            continue
        rows = ex.learned_batch(bgr, faces)
        for j, (face, row) in enumerate(zip(faces, rows)):
            face.track_id = f"{name}_{j}"
            aus = ActionUnitEstimator().estimate(face, 0.0)  # fresh: one image, one baseline
            geo, _ = ex.geometric(aus)
            g, lrn = int(np.argmax(geo)), int(np.argmax(row))
            confusion[g, lrn] += 1
            per_set.setdefault(group, [0, 0])
            per_set[group][0] += 1
            per_set[group][1] += int(g == lrn)
    lm.close()
    total = int(confusion.sum())
    return {"labels": labels, "confusion_geometric_rows_learned_cols": confusion.tolist(),
            "faces": total, "images": n_images,
            "agree": int(np.trace(confusion)),
            "agree_share": float(np.trace(confusion) / total) if total else None,
            "per_set": {k: {"faces": v[0], "agree": v[1]} for k, v in per_set.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--latency-only", action="store_true")
    args = parser.parse_args()
    res = {"latency": {m: latency(m) for m in ("face_expression_faceapi",
                                               "emotion_human_minixception")}}
    for m, lat in res["latency"].items():
        for k, v in lat.items():
            print(f"{m} {k}: {v:.2f}")
    if args.latency_only:
        return 0
    res["agreement"] = agreement()
    a = res["agreement"]
    print(f"faces {a['faces']} from {a['images']} images; agree {a['agree']} "
          f"({a['agree_share']:.1%})")
    print("geometric \\ learned: " + " ".join(lb[:5] for lb in a["labels"]))
    for lb, row in zip(a["labels"], a["confusion_geometric_rows_learned_cols"]):
        print(f"{lb[:9]:>9}: " + " ".join(f"{v:5d}" for v in row))
    for k, v in a["per_set"].items():
        print(f"{k}: {v['agree']}/{v['faces']}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
