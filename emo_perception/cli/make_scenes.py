"""``emo-perception make-scenes OUT``: adversarial face scenes with exact ground truth.

Writes OUT/stills/*.png, OUT/cut/*.png, OUT/cut.avi (the cut track as video),
OUT/truth.json and OUT/manifest.json (sha256 of the truth and of the frames' pixels).
See docs/deid_test_data.md.
"""

from __future__ import annotations

import argparse
import pathlib

from emo_perception.cli import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", help="output folder (created)")
    parser.add_argument("--preset", default="ci", choices=("ci", "bench"),
                        help="ci: 56 frames for the test suite; bench: the large set")
    parser.add_argument("--seed", type=int, default=None,
                        help="override the preset's seed (the frozen hashes hold only "
                             "for the preset's own seed)")
    parser.add_argument("--no-video", action="store_true", help="PNG frames only")
    parser.add_argument("--contact-sheet", default="",
                        help="also write a contact sheet (one frame per scene) to this PNG")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from emo_perception.audit import scenes

    out = pathlib.Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"{out} exists and is not a folder")
    missing = scenes.missing_sources()
    if missing:
        raise CliError(f"{len(missing)} source file(s) missing, first {missing[0]} "
                       "(run scripts/fetch_test_media.sh; apt-get install opencv-doc)")
    bar = tqdm(total=None, unit="frame", desc=f"make-scenes {args.preset}")

    def progress(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        result = scenes.make_scene_set(out, args.preset, seed=args.seed,
                                       video=not args.no_video, progress=progress)
    except (OSError, RuntimeError, ValueError) as exc:
        raise CliError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    finally:
        bar.close()
    if args.contact_sheet:
        frames = [img for img, _ in result.frames()]
        scenes.write_contact_sheet(args.contact_sheet, frames, result.truth)
    faces = sum(len(f["faces"]) for f in result.truth["frames"])
    print(f"{len(result.truth['frames'])} frames, {faces} face boxes, "
          f"{len(result.truth['scenes'])} scenes -> {out}")
    print(f"truth  sha256 {result.truth_sha256}")
    print(f"pixels sha256 {result.pixels_sha256}")
    return 0
