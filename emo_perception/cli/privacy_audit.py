"""``emo-perception privacy-audit ORIGINAL DEIDENTIFIED [--out DIR]`` (issue #11).

Judges de-identified media with face detectors the de-identifier does not use (dlib HOG
and MMOD CNN, OpenCV Haar frontal and profile) and with dlib's ResNet face
re-identification; see docs/privacy_audit.md and :mod:`emo_perception.audit.faces`.

ORIGINAL and DEIDENTIFIED are each an image, an image folder, a video or a rosbag2 bag.
Images, folders (sorted by file name) and videos pair by frame index; bags pair by image
header stamp (an original frame with no de-identified partner counts as blocked: the
de-identifier published nothing). ``--run CONFIG`` de-identifies ORIGINAL first with the
offline pipeline and that config instead of reading DEIDENTIFIED.

Writes ``DIR/privacy_audit.json`` and ``DIR/contact_sheet.png`` (it shows ORIGINAL face
crops: private data) and prints a one-screen summary.

Exit codes: 0 clean, 1 a leak (a face found after de-identification, a face
re-identified, or rank-1 identification above chance), 2 usage / input error (one line),
3 the audit is void (positive controls failed on too many faces, or no face at all).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np

from emo_perception.cli import CliError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
VIDEO_EXTENSIONS = (".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("original", help="original media: image, image folder, video or "
                        "rosbag2 bag (folder or .mcap/.db3)")
    parser.add_argument("deidentified", nargs="?", default=None,
                        help="the de-identified counterpart (same kind); omit with --run")
    parser.add_argument("--run", metavar="CONFIG", default=None,
                        help="de-identify ORIGINAL first with this params YAML through the "
                        "offline pipeline, then audit the result")
    parser.add_argument("--mode", default=None, help="with --run: override the config's "
                        "de-identification mode (blur, pixelate, solid, silhouette, skeleton)")
    parser.add_argument("--out", default="privacy_audit",
                        help="output folder for privacy_audit.json and contact_sheet.png "
                        "(default: ./privacy_audit)")
    parser.add_argument("--detectors", default="hog,cnn,haar,profile",
                        help="comma list of hog, cnn, haar, profile (default: all)")
    parser.add_argument("--upsample", default="1,2",
                        help="upsampling factors for hog/haar/profile (default 1,2)")
    parser.add_argument("--after-scope", choices=("frame", "faces"), default="frame",
                        help="where the detectors look after de-identification: the whole "
                        "frame, or crops around each original face (faster)")
    parser.add_argument("--cnn-upsample", default="1", help="upsampling for the CNN "
                        "(default 1: it takes seconds per frame on a CPU)")
    parser.add_argument("--cnn-max-side", type=int, default=640,
                        help="frames larger than this are downscaled for the CNN")
    parser.add_argument("--upsample-max-side", type=int, default=1280,
                        help="no 2x upsampling on frames larger than this")
    parser.add_argument("--threshold", type=float, default=0.6,
                        help="ResNet match distance (default 0.6, dlib's)")
    parser.add_argument("--void-fraction", type=float, default=0.1,
                        help="audit void when more than this fraction of faces fail the "
                        "positive controls (default 0.1)")
    parser.add_argument("--every", type=int, default=1, help="audit every N-th frame")
    parser.add_argument("--max-frames", type=int, default=0,
                        help="stop after N audited frames (0 = all)")
    parser.add_argument("--original-topic", default="", help="bag topic of the originals "
                        "(default: an image_raw / private topic)")
    parser.add_argument("--deid-topic", default="", help="bag topic of the de-identified "
                        "frames (default: a deid topic)")
    parser.add_argument("--sheet", type=int, default=24,
                        help="faces on the contact sheet (worst first; 0 = no sheet)")


# -- readers ----------------------------------------------------------------------------
def _kind(path: pathlib.Path) -> str:
    if not path.exists():
        raise CliError(f"input {str(path)!r} does not exist")
    if path.is_dir():
        if (path / "metadata.yaml").exists() or any(path.glob("*.mcap")) or \
                any(path.glob("*.db3")):
            return "bag"
        return "folder"
    suffix = path.suffix.lower()
    if suffix in (".mcap", ".db3"):
        return "bag"
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    if suffix in VIDEO_EXTENSIONS:
        return "video"
    raise CliError(f"{str(path)!r}: not an image, image folder, video or rosbag2 bag")


def _folder_files(path: pathlib.Path) -> list[pathlib.Path]:
    files = sorted(p for p in path.iterdir() if p.is_file()
                   and p.suffix.lower() in IMAGE_EXTENSIONS)
    if not files:
        raise CliError(f"no image files in folder {str(path)!r}")
    return files


def _read_image(path: pathlib.Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise CliError(f"cannot decode image {str(path)!r}")
    return img


def _video_frames(path: pathlib.Path) -> Iterator[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise CliError(f"cannot open video {str(path)!r}")
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            yield frame
    finally:
        cap.release()


def _video_length(path: pathlib.Path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if cap.isOpened() else 0
    cap.release()
    return max(n, 0)


def _bag_topic(path: pathlib.Path, wanted: str, prefer: tuple[str, ...],
               avoid: tuple[str, ...]) -> str:
    from emo_perception.bags import BagError, bag_info
    from emo_perception.perception.sources import IMAGE_TYPES

    try:
        info = bag_info(path)
    except BagError as exc:
        raise CliError(str(exc)) from None
    images = sorted(t for t, ti in info.topics.items() if ti.msgtype in IMAGE_TYPES)
    if wanted:
        if wanted not in images:
            raise CliError(f"bag {str(path)!r} has no image topic {wanted!r} "
                           f"(image topics: {images or 'none'})")
        return wanted
    if not images:
        raise CliError(f"bag {str(path)!r} has no sensor_msgs Image/CompressedImage topic")
    for key in prefer:
        for t in images:
            if key in t:
                return t
    rest = [t for t in images if not any(a in t for a in avoid)]
    return (rest or images)[0]


def _bag_frames(path: pathlib.Path, topic: str) -> Iterator[tuple[int, np.ndarray]]:
    """(header stamp in microseconds, BGR) per decodable image on ``topic``."""
    from emo_perception.perception.sources import SourceConfig, SourceError, open_source, \
        to_bgr

    try:
        source = open_source(str(path), SourceConfig(topic=topic))
    except SourceError as exc:
        raise CliError(str(exc)) from None
    try:
        for frame in source:
            bgr = to_bgr(frame.image) if frame.image.ndim != 3 or frame.image.shape[2] != 3 \
                else frame.image
            if bgr is not None:
                yield round(frame.stamp * 1e6), bgr
    finally:
        source.close()


class Media:
    """One side of the audit: its kind, a frame count when known and a frame iterator."""

    def __init__(self, spec: str, side: str, topic: str = "") -> None:
        self.path = pathlib.Path(spec)
        self.kind = _kind(self.path)
        self.side = side
        self.topic = ""
        self.files: list[pathlib.Path] = []
        if self.kind == "folder":
            self.files = _folder_files(self.path)
        elif self.kind == "image":
            self.files = [self.path]
        elif self.kind == "bag":
            prefer = ("image_raw", "private") if side == "original" else ("deid",)
            avoid = ("deid",) if side == "original" else ("image_raw", "private")
            self.topic = _bag_topic(self.path, topic, prefer, avoid)

    def __len__(self) -> int:
        if self.files:
            return len(self.files)
        if self.kind == "video":
            return _video_length(self.path)
        return 0

    def names(self) -> list[str]:
        return [p.name for p in self.files]

    def frames(self) -> Iterator[tuple[str, np.ndarray]]:
        if self.files:
            for p in self.files:
                yield p.name, _read_image(p)
        elif self.kind == "video":
            for i, frame in enumerate(_video_frames(self.path)):
                yield f"{self.path.name}#{i}", frame
        else:
            for stamp, frame in _bag_frames(self.path, self.topic):
                yield f"t={stamp / 1e6:.6f}", frame


def _pairs_from_media(orig: Media, deid: Media) -> tuple[Iterator[tuple[str, np.ndarray,
                                                                      np.ndarray | None]],
                                                         dict[str, Any]]:
    info: dict[str, Any] = {"original": str(orig.path), "original_kind": orig.kind,
                            "deidentified": str(deid.path), "deidentified_kind": deid.kind}
    if orig.kind == "bag" or deid.kind == "bag":
        if orig.kind != "bag" or deid.kind != "bag":
            raise CliError("a bag pairs only with a bag (frames pair by header stamp)")
        info.update(original_topic=orig.topic, deidentified_topic=deid.topic)
        if orig.path == deid.path and orig.topic == deid.topic:
            raise CliError(f"original and de-identified are the same topic {orig.topic!r}; "
                           "give --original-topic / --deid-topic")
        after = {stamp: frame for stamp, frame in _bag_frames(deid.path, deid.topic)}
        info["deidentified_frames"] = len(after)

        def by_stamp() -> Iterator[tuple[str, np.ndarray, np.ndarray | None]]:
            unpaired = 0
            for stamp, frame in _bag_frames(orig.path, orig.topic):
                partner = after.pop(stamp, None)
                unpaired += partner is None
                info["unpaired_original_frames"] = unpaired
                yield f"t={stamp / 1e6:.6f}", frame, partner
            info["unpaired_deidentified_frames"] = len(after)

        return by_stamp(), info
    if orig.files and deid.files and len(orig.files) != len(deid.files):
        raise CliError(f"{len(orig.files)} original images but {len(deid.files)} "
                       "de-identified images (folders pair by sorted file name)")

    def by_index() -> Iterator[tuple[str, np.ndarray, np.ndarray | None]]:
        theirs = deid.frames()
        count = 0
        for name, frame in orig.frames():
            partner = next(theirs, None)
            if partner is None:
                raise CliError(f"{deid.kind} {str(deid.path)!r} has fewer frames than "
                               f"the original ({count})")
            count += 1
            yield name, frame, partner[1]
        if next(theirs, None) is not None:
            info["extra_deidentified_frames"] = True

    return by_index(), info


def _pairs_from_run(orig: Media, config: str, mode: str | None) -> tuple[Iterator[tuple[str, np.ndarray,
                                                                    np.ndarray | None]],
                                                       dict[str, Any]]:
    import dataclasses

    from emo_perception.cli.process import pipeline_config
    from emo_perception.perception.pipeline import PerceptionPipeline

    if not pathlib.Path(config).exists():
        raise CliError(f"config {config!r} does not exist")
    from emo_perception.perception.deid import MODES

    if mode is not None and mode not in MODES:
        raise CliError(f"--mode must be one of {', '.join(MODES)}, got {mode!r}")
    cfg = pipeline_config(config, mode)
    cfg.analysis = False
    cfg.threaded = False
    if orig.kind in ("image", "folder"):
        cfg.landmarks = dataclasses.replace(cfg.landmarks, static_image_mode=True)
    info: dict[str, Any] = {"original": str(orig.path), "original_kind": orig.kind,
                            "deidentified": f"--run {config}", "run_config": config,
                            "deid_mode": cfg.deid.mode, "blocked_by_deidentifier": 0}

    def run() -> Iterator[tuple[str, np.ndarray, np.ndarray | None]]:
        pipeline = PerceptionPipeline(cfg)
        try:
            for i, (name, frame) in enumerate(orig.frames()):
                result = pipeline.process_image(frame, float(i), i)
                info["blocked_by_deidentifier"] += result.deid.image is None
                yield name, frame, result.deid.image
        finally:
            pipeline.close()

    return run(), info


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise CliError(f"{what} must be a comma list of integers, got {text!r}") from None
    if not values:
        raise CliError(f"{what} is empty")
    return values


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from emo_perception.audit.faces import (AuditConfig, AuditError, FaceAuditor,
                                            _severity, contact_sheet, face_crops)

    if (args.deidentified is None) == (args.run is None):
        raise CliError("give either DEIDENTIFIED or --run CONFIG (exactly one)")
    if args.mode is not None and args.run is None:
        raise CliError("--mode needs --run CONFIG")
    if args.every < 1 or args.max_frames < 0 or args.sheet < 0:
        raise CliError("--every must be >= 1, --max-frames and --sheet >= 0")
    try:
        cfg = AuditConfig(detectors=tuple(d.strip() for d in args.detectors.split(",")
                                          if d.strip()),
                          upsample=_ints(args.upsample, "--upsample"),
                          cnn_upsample=_ints(args.cnn_upsample, "--cnn-upsample"),
                          cnn_max_side=args.cnn_max_side,
                          upsample_max_side=args.upsample_max_side,
                          match_threshold=args.threshold, void_fraction=args.void_fraction,
                          after_scope=args.after_scope)
    except AuditError as exc:
        raise CliError(str(exc)) from None
    orig = Media(args.original, "original", args.original_topic)
    if args.run is not None:
        pairs, info = _pairs_from_run(orig, args.run, args.mode)
    else:
        pairs, info = _pairs_from_media(orig, Media(args.deidentified, "deidentified",
                                                    args.deid_topic))
    out_dir = pathlib.Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot create output folder {out_dir}: {exc.strerror}") from None
    try:
        auditor = FaceAuditor(cfg)
    except AuditError as exc:
        raise CliError(str(exc)) from None

    total = len(orig)
    if total:
        total = -(-total // args.every)
        if args.max_frames:
            total = min(total, args.max_frames)
    bar = tqdm(total=total or None, unit="frame", desc="privacy-audit", disable=None,
               file=sys.stderr)
    worst: list[tuple[Any, np.ndarray, np.ndarray]] = []
    t0 = time.perf_counter()
    audited = 0
    try:
        for i, (name, frame, deid) in enumerate(pairs):
            if i % args.every:
                continue
            try:
                faces = auditor.add_pair(frame, deid, name)
            except AuditError as exc:
                raise CliError(str(exc)) from None
            if args.sheet:
                for face in faces:
                    worst.append((face, *face_crops(face, frame, deid)))
                worst.sort(key=lambda e: _severity(e[0]))
                del worst[args.sheet:]
            audited += 1
            bar.update(1)
            if args.max_frames and audited >= args.max_frames:
                break
    finally:
        bar.close()
    if audited == 0:
        raise CliError(f"no readable frames in {args.original!r}")
    report = auditor.report()
    worst.sort(key=lambda e: _severity(e[0]))  # rank-1 and void are known only now
    wall = time.perf_counter() - t0
    data = report.to_json()
    data["input"] = info
    data["timings_s"]["wall"] = round(wall, 3)
    json_path = out_dir / "privacy_audit.json"
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    paths = [json_path]
    if args.sheet:
        sheet_path = out_dir / "contact_sheet.png"
        if not cv2.imwrite(str(sheet_path), contact_sheet(worst)):
            raise CliError(f"cannot write {sheet_path}")
        paths.append(sheet_path)
    print(report.summary())
    print(f"  audited {audited} frames in {wall:.1f} s ({info.get('original_kind')} vs "
          f"{info.get('deidentified_kind', info.get('deidentified'))})")
    for p in paths:
        print(f"  {p}")
    if report.void:
        print(f"privacy-audit: AUDIT VOID: {report.void_reason}", file=sys.stderr)
    return report.exit_code
