"""One inference interface for the learned models: TensorRT -> ORT CUDA -> ORT CPU.

``create_runner`` tries the backends in ``backend_order`` and returns the first that
*really* runs the model. onnxruntime-gpu lists CUDA/TensorRT providers even where no GPU
exists and then silently runs on the CPU, so the ORT CUDA backend checks
``session.get_providers()`` (what the session uses), never
``get_available_providers()`` (what the build contains). ``Runner.provider`` names the
backend that runs; ``Runner.fallbacks`` says why earlier backends were skipped.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from emo_perception.inference.base import Runner
from emo_perception.inference.manifest import (
    Manifest,
    ManifestEntry,
    ModelFileError,
    load_manifest,
    parse_manifest,
    verify_model_file,
)

BACKENDS = ("tensorrt", "cuda", "cpu")


@dataclass
class RunnerConfig:
    """How to load a model: backend order, precision, engine cache, sha256 check."""

    backend_order: tuple[str, ...] = BACKENDS
    fp16: bool = False
    cache_dir: str | None = None
    max_batch: int = 64
    threads: int = 0  # ORT intra-op threads; 0 = ORT default
    verify: bool = True

    def __post_init__(self) -> None:
        self.backend_order = tuple(self.backend_order)
        unknown = [b for b in self.backend_order if b not in BACKENDS]
        if unknown or not self.backend_order:
            raise ValueError(
                f"RunnerConfig.backend_order {self.backend_order!r}: "
                f"use a non-empty subset of {BACKENDS}"
            )
        if self.max_batch < 1:
            raise ValueError(f"RunnerConfig.max_batch must be >= 1, got {self.max_batch}")


class OrtRunner(Runner):
    """onnxruntime session (CPU or CUDA provider)."""

    def __init__(self, model_path: pathlib.Path, session: Any, sha256: str,
                 fallbacks: list[str]) -> None:
        provider = session.get_providers()[0]
        super().__init__(
            model_path=model_path,
            provider="cuda" if provider == "CUDAExecutionProvider" else "cpu",
            input_names=[i.name for i in session.get_inputs()],
            output_names=[o.name for o in session.get_outputs()],
            sha256=sha256,
            fallbacks=fallbacks,
        )
        self.session = session
        self.ort_provider = provider

    def run(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        feeds = self._check_inputs(inputs)
        outs = self.session.run(self.output_names, feeds)
        return dict(zip(self.output_names, outs))


def _ort_session(path: pathlib.Path, providers: list[str], threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    try:
        return ort.InferenceSession(str(path), sess_options=opts, providers=providers)
    except Exception as exc:  # noqa: BLE001 - ORT raises its own untyped errors for bad files
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelFileError(f"onnxruntime cannot load {path}: {first}") from None


ManifestSource = Manifest | Mapping[str, Any] | str | pathlib.Path | None


def _manifest_of(model_path: pathlib.Path, manifest: ManifestSource) -> Manifest | None:
    """The manifest to check ``model_path`` against: the one given (parsed, a mapping as
    loaded from YAML, or a path), else the one next to the file (None when there is none;
    a given one that cannot be read raises)."""
    if isinstance(manifest, Manifest):
        return manifest
    if isinstance(manifest, Mapping):
        return parse_manifest(manifest, model_path.parent / "<given manifest>")
    try:
        return load_manifest(manifest if manifest is not None else model_path.parent)
    except ModelFileError:
        if manifest is not None:
            raise
        return None


def expected_sha256(model_path: pathlib.Path, manifest: ManifestSource) -> str | None:
    """Manifest sha256 for ``model_path`` (manifest, mapping, path, or the file's folder)."""
    data = _manifest_of(model_path, manifest)
    entry = data.by_file(model_path) if data is not None else None
    return entry.sha256 if entry else None


def check_signature(runner: Runner, entry: ManifestEntry | None) -> None:
    """Raise :class:`ModelFileError` when the model's inputs or outputs (names, ranks, fixed
    sizes) differ from its manifest entry: a valid ONNX file of another model would
    otherwise load and then fail on every call."""
    if entry is None:
        return
    shapes: dict[str, list] = {}
    session = getattr(runner, "session", None)
    if session is not None:
        shapes = {a.name: list(a.shape) for a in [*session.get_inputs(), *session.get_outputs()]}
    for kind, names in (("inputs", runner.input_names), ("outputs", runner.output_names)):
        declared: tuple = getattr(entry, kind)
        if not declared:
            continue
        want = [d.name for d in declared]
        if sorted(want) != sorted(names):
            raise ModelFileError(f"{runner.model_path.name}: {kind} {names} do not match the "
                                 f"manifest's {want} (a different model under this name?)")
        for d in declared:
            got = shapes.get(d.name)
            if got is None or d.shape is None:
                continue
            mismatch = len(got) != len(d.shape) or any(
                isinstance(a, int) and isinstance(b, int) and a != b
                for a, b in zip(got, d.shape))
            if mismatch:
                raise ModelFileError(f"{runner.model_path.name}: {kind[:-1]} {d.name!r} "
                                     f"has shape {got}, the manifest says {list(d.shape)}")


def _checked(runner: Runner, path: pathlib.Path, manifest: ManifestSource) -> Runner:
    try:
        data = _manifest_of(path, manifest)
    except ModelFileError:
        return runner  # no manifest to check against (verify=False callers)
    check_signature(runner, data.by_file(path) if data is not None else None)
    return runner


def create_runner(
    model_path: str | pathlib.Path,
    backend_order: Sequence[str] = BACKENDS,
    fp16: bool = False,
    cache_dir: str | None = None,
    manifest: ManifestSource = None,
    max_batch: int = 64,
    threads: int = 0,
    verify: bool = True,
) -> Runner:
    """Load ``model_path`` with the first backend of ``backend_order`` that really runs it.

    The file's sha256 is checked against its manifest entry (the manifest next to the
    file unless ``manifest`` is given: a :class:`Manifest`, its folder or file, or a
    mapping in the YAML's form); a missing or mismatching file raises
    :class:`ModelFileError` naming the file and the expected sha256.
    """
    cfg = RunnerConfig(tuple(backend_order), fp16, cache_dir, max_batch, threads, verify)
    path = pathlib.Path(model_path)
    want = expected_sha256(path, manifest) if cfg.verify else None
    if cfg.verify and manifest is not None and want is None:
        raise ModelFileError(f"{path.name} is not listed in the model manifest")
    digest = verify_model_file(path, want)
    fallbacks: list[str] = []
    for backend in cfg.backend_order:
        if backend == "tensorrt":
            from emo_perception.inference import tensorrt_backend as trt_backend

            reason = trt_backend.unavailable_reason()
            if reason:
                fallbacks.append(f"tensorrt: {reason}")
                continue
            return _checked(trt_backend.TensorRTRunner.build_or_load(
                path, digest, fp16=cfg.fp16, cache_dir=cfg.cache_dir,
                max_batch=cfg.max_batch, fallbacks=fallbacks,
            ), path, manifest)
        if backend == "cuda":
            import onnxruntime as ort

            if "CUDAExecutionProvider" not in ort.get_available_providers():
                fallbacks.append("cuda: onnxruntime build has no CUDAExecutionProvider")
                continue
            providers = ["CUDAExecutionProvider", "CPUExecutionProvider"]
            sess = _ort_session(path, providers, cfg.threads)
            if sess.get_providers()[0] != "CUDAExecutionProvider":
                fallbacks.append("cuda: onnxruntime fell back to CPU (no usable CUDA device)")
                continue
            return _checked(OrtRunner(path, sess, digest, fallbacks), path, manifest)
        sess = _ort_session(path, ["CPUExecutionProvider"], cfg.threads)
        return _checked(OrtRunner(path, sess, digest, fallbacks), path, manifest)
    raise RuntimeError(f"no backend could run {path.name}: " + "; ".join(fallbacks))
