"""``emo-perception export``: ONNX export of the learned models with a parity check.

Without ``--checkpoint`` it rebuilds the bundled demo models (trained on generated data,
never enabled by default) into ``--out`` and rewrites the manifest there.
"""

from __future__ import annotations

import argparse
import pathlib

from emo_perception.cli import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", help="checkpoint from `emo-perception train` to export")
    parser.add_argument("--name", help="manifest name for the exported checkpoint")
    parser.add_argument("--out", default="models_onnx", help="output folder (default models_onnx)")
    parser.add_argument("--quick", action="store_true",
                        help="demo bundle with tiny trainings (seconds; for smoke tests)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-parity-error", type=float, default=1e-4,
                        help="fail if torch vs onnxruntime differ by more (default 1e-4)")


def run(args: argparse.Namespace) -> int:
    from emo_perception.models.bundle import build_bundle, export_checkpoint, parity_inputs_ok

    out = pathlib.Path(args.out)
    try:
        if args.checkpoint:
            entries = [export_checkpoint(args.checkpoint, out, args.name)]
        else:
            entries = build_bundle(out, quick=args.quick, seed=args.seed, progress=print)
    except (FileNotFoundError, ValueError) as exc:
        raise CliError(str(exc)) from None
    for e in entries:
        err = e["parity"]["onnxruntime_cpu_max_abs_err"]
        print(f"{e['file']}: sha256 {e['sha256'][:16]}..., {e['size_bytes'] / 1e6:.2f} MB, "
              f"parity max abs err {err:.2e}, fit_for_use={e['fit_for_use']}")
    bad = parity_inputs_ok(entries, args.max_parity_error)
    if bad:
        raise CliError(f"parity error above {args.max_parity_error:g} for {bad}")
    print(f"manifest: {out / 'manifest.yaml'}")
    return 0
