"""``emo-perception build-engines``: TensorRT engines for every model in the manifest.

Engines are cached by ONNX sha256 + GPU name + TensorRT version + precision; a second run
reuses them. Without TensorRT or a GPU the command says so and exits 2.
"""

from __future__ import annotations

import argparse
import time

from emo_perception.cli import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models", default="models_onnx", help="folder with manifest.yaml")
    parser.add_argument("--only", nargs="*", default=None, help="manifest names to build")
    parser.add_argument("--fp16", action="store_true", help="allow FP16 kernels")
    parser.add_argument("--max-batch", type=int, default=64)
    parser.add_argument("--cache-dir", default=None,
                        help="engine cache (default ~/.cache/emo_perception/engines)")


def run(args: argparse.Namespace) -> int:
    from emo_perception.inference import ModelFileError, create_runner, load_manifest
    from emo_perception.inference.tensorrt_backend import unavailable_reason

    reason = unavailable_reason()
    if reason:
        raise CliError(f"cannot build TensorRT engines: {reason}")
    try:
        manifest = load_manifest(args.models)
    except ModelFileError as exc:
        raise CliError(str(exc)) from None
    names = manifest.names
    unknown = sorted(set(args.only or []) - set(names))
    if unknown:
        raise CliError(f"not in the manifest: {unknown}; known: {names}")
    for entry in manifest.entries:
        if args.only and entry.name not in args.only:
            continue
        t0 = time.perf_counter()
        try:
            runner = create_runner(entry.path, ("tensorrt",), fp16=args.fp16,
                                   cache_dir=args.cache_dir, manifest=manifest,
                                   max_batch=args.max_batch)
        except (ModelFileError, RuntimeError) as exc:
            raise CliError(f"{entry.name}: {exc}") from None
        print(f"{entry.name}: {runner.engine_path} ({time.perf_counter() - t0:.1f} s)")
    return 0
