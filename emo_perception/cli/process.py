"""``emo-perception process INPUT --out DIR``: the perception chain on a file, offline.

Writes ``deid.mp4`` (or ``deid.avi``), ``frames.jsonl`` (one record per frame),
``summary.json``, ``evidence.json`` (each person's evidence window) and
``timeline.png`` into DIR. Nothing identifying is written: video frames are the
de-identified ones and records carry no mesh points or pixels.

Audio: a WAV (or other audio) file runs the voice chain alone; a video with an audio track
runs it on the track first and feeds the voice evidence (prosody, transcript) into fusion
with the frames. Either way the folder gets ``voice_anonymised.wav`` (McAdams) and the
voice JSON files, never the raw voice.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pathlib
import sys
import time
from typing import Any

import cv2
import numpy as np

from emo_perception.cli import CliError
from emo_perception.perception.deid import MODES
from emo_perception.media_types import AUDIO_EXTENSIONS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="video file, image file, image folder, camera index "
                        "or rosbag2 folder/.mcap")
    parser.add_argument("--out", required=True, help="output folder (created if missing)")
    parser.add_argument("--config", default=None,
                        help="ROS 2 params YAML (default: built-in defaults)")
    parser.add_argument("--mode", choices=MODES, default=None, help="de-identification mode")
    parser.add_argument("--max-frames", type=int, default=0, help="stop after N frames")
    parser.add_argument("--topic", default="", help="bag image topic (default: the first)")
    parser.add_argument("--deterministic-ids", action="store_true",
                        help="track ids p1, p2, ... so reruns give identical records")
    parser.add_argument("--no-analysis", action="store_true",
                        help="de-identification only (no AUs, expression, gestures, fusion)")
    parser.add_argument("--no-voice", action="store_true",
                        help="ignore the audio track of a video")


def pipeline_config(path: str | None, mode: str | None = None) -> Any:
    """PipelineConfig from a config file (every stage PipelineConfig has, read where the
    stage table says the node set reads it), or defaults."""
    from emo_perception.perception.pipeline import PipelineConfig

    if path is None:
        cfg = PipelineConfig()
    else:
        from emo_perception.config import ConfigError, load_config
        from emo_perception.stages import BY_NAME, stage_configs

        names = [f.name for f in dataclasses.fields(PipelineConfig) if f.name in BY_NAME]
        try:
            cfg = PipelineConfig(**stage_configs(load_config(path), names))
        except ConfigError as exc:
            raise CliError(str(exc)) from None
    if mode is not None:
        cfg.deid = dataclasses.replace(cfg.deid, mode=mode)
    return cfg


class VideoOut:
    """De-identified video writer: mp4 (mp4v), else avi (MJPG). Blocked frames are
    written as flat gray so the video keeps the source's timing (and are counted)."""

    def __init__(self, out_dir: pathlib.Path, fps: float) -> None:
        self.out_dir, self.fps = out_dir, fps if 0 < fps < 1000 else 10.0
        self.writer: cv2.VideoWriter | None = None
        self.size: tuple[int, int] | None = None
        self.path: pathlib.Path | None = None
        self.frames = 0

    def _open(self, size: tuple[int, int]) -> None:
        for name, fourcc in (("deid.mp4", "mp4v"), ("deid.avi", "MJPG")):
            path = self.out_dir / name
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), self.fps, size)
            if writer.isOpened():
                self.writer, self.path, self.size = writer, path, size
                return
            writer.release()
        raise CliError(f"cannot write a video in {self.out_dir} (no mp4v or MJPG encoder)")

    def write(self, image: np.ndarray | None, shape: tuple[int, int]) -> None:
        if self.writer is None:
            self._open((shape[1], shape[0]))
        assert self.size is not None and self.writer is not None
        if image is None:
            image = np.full((self.size[1], self.size[0], 3), 128, np.uint8)
        elif (image.shape[1], image.shape[0]) != self.size:
            image = cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)
        self.writer.write(image)
        self.frames += 1

    def close(self) -> None:
        if self.writer is not None:
            self.writer.release()


def voice_config(path: str | None) -> Any:
    from emo_perception.voice.pipeline import VoiceConfig

    if path is None:
        return VoiceConfig()
    from emo_perception.config import ConfigError, load_config
    from emo_perception.stages import stage_config

    try:
        return stage_config(load_config(path), "voice")
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def run_voice(path: str, out_dir: pathlib.Path, config: str | None,
              required: bool) -> tuple[Any, str]:
    """Voice chain over ``path``; (report, "") or (None, why) when there is no usable audio."""
    from emo_perception.voice.offline import VoiceInputError, process_audio

    try:
        return process_audio(path, out_dir, voice_config(config)), ""
    except VoiceInputError as exc:
        if required:
            raise CliError(str(exc)) from None
        return None, str(exc)


def run_audio_only(args: argparse.Namespace, out_dir: pathlib.Path) -> int:
    """An audio file: anonymised voice, segments, prosody, transcript, evidence, plot."""
    from emo_perception.evidence import window_from_items
    from emo_perception.perception.records import plot_voice

    t0 = time.perf_counter()
    report, _ = run_voice(args.input, out_dir, args.config, required=True)
    window = window_from_items(report.evidence, "v1", 0.0, report.duration_s,
                               report.transcript)
    summary = {"input": str(args.input), "kind": "audio", "voice": report.summary(),
               "wall_s": time.perf_counter() - t0}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out_dir / "evidence.json").write_text(json.dumps({"v1": window.to_json()}, indent=2)
                                           + "\n")
    plot_voice(report, out_dir / "timeline.png")
    print(f"voice: {len(report.segments)} speech segments, {report.duration_s:.1f} s of audio;"
          f" transcript: {report.transcript[:80]!r}")
    for path in [*report.files.values(), out_dir / "summary.json", out_dir / "evidence.json",
                 out_dir / "timeline.png"]:
        print(f"  {path}")
    return 0


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from emo_perception.perception.pipeline import PerceptionPipeline
    from emo_perception.perception.records import RunSummary, frame_record
    from emo_perception.perception.sources import SourceConfig, SourceError, open_source

    if args.max_frames < 0:
        raise CliError("--max-frames must be >= 0")
    if not str(args.input).strip().isdigit() and not pathlib.Path(args.input).exists():
        raise CliError(f"input {str(args.input)!r} does not exist")
    out_dir = pathlib.Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot create output folder {out_dir}: {exc.strerror}") from None
    if pathlib.Path(str(args.input)).suffix.lower() in AUDIO_EXTENSIONS:
        return run_audio_only(args, out_dir)
    cfg = pipeline_config(args.config, args.mode)
    try:
        source = open_source(args.input, SourceConfig(max_frames=args.max_frames,
                                                      topic=args.topic))
    except (SourceError, ValueError) as exc:
        raise CliError(str(exc)) from None
    if source.kind == "images":
        # Unrelated stills: no tracking inside the mediapipe graphs between them.
        cfg.landmarks = dataclasses.replace(cfg.landmarks, static_image_mode=True)
    if args.deterministic_ids:
        cfg.tracking = dataclasses.replace(cfg.tracking, deterministic_ids=True)
    if args.no_analysis:
        cfg.analysis = False
    voice, voice_note = None, "disabled (--no-voice)" if args.no_voice else ""
    if source.kind == "video" and not args.no_voice and not args.no_analysis:
        voice, voice_note = run_voice(str(args.input), out_dir, args.config, required=False)

    try:
        pipeline = PerceptionPipeline(cfg)
    except (OSError, RuntimeError, ValueError) as exc:  # e.g. a learned model that is missing
        raise CliError(f"cannot start the pipeline ({cfg.au_backend.au_backend} action "
                       f"units, {cfg.expression.backend} expression, "
                       f"{cfg.landmarks.body_backend} bodies): "
                       f"{str(exc).splitlines()[0]}") from None
    if voice is not None:
        pipeline.add_voice_evidence(voice.evidence)
    summary = RunSummary()
    video = VideoOut(out_dir, source.nominal_fps)
    t0 = time.perf_counter()
    bar = tqdm(total=len(source) or None, unit="frame", desc="process", disable=None,
               file=sys.stderr)
    try:
        with open(out_dir / "frames.jsonl", "w") as records:
            last_image = None
            for result in pipeline.run(source):
                video.write(result.deid.image, (result.landmarks.height,
                                                result.landmarks.width))
                last_image = result.deid.image
                records.write(json.dumps(frame_record(result)) + "\n")
                summary.add(result)
                bar.update(1)
    finally:
        bar.close()
        video.close()
        source.close()
    wall = time.perf_counter() - t0
    still = None
    if source.kind == "images" and summary.frames == 1 and last_image is not None:
        still = out_dir / "deid.png"  # a single photo: the de-identified photo itself
        cv2.imwrite(str(still), last_image)
    if summary.frames == 0:
        pipeline.close()
        raise CliError(f"no readable frames in {args.input!r} ({source.corrupt} corrupt)")
    # Everyone seen: the final window of each track that ended, then those still live.
    evidence = {tid: w.to_json() for tid, w in pipeline.ended_evidence.items()}
    evidence.update({tid: pipeline.fusion.evidence_window(tid).to_json()
                     for tid in pipeline.fusion.tracks()})
    pipeline.close()
    src_info = {"input": str(args.input), "kind": source.kind, "fps": source.nominal_fps,
                "corrupt_frames": source.corrupt}
    if hasattr(source, "skipped"):  # an image folder names what it skipped, and why
        src_info.update(skipped=source.skipped, files=source.files)
    report = summary.to_json(pipeline.deid.stats, src_info, wall, dataclasses.asdict(cfg))
    report["au_backend"] = pipeline.faces.name
    report["expression_backend"] = pipeline.faces.expression_name
    report["body_backend"] = pipeline.detector.body_provider
    if voice is not None:
        report["voice"] = voice.summary()
        report["voice"]["evidence_items_delivered"] = pipeline.voice_items_delivered
        report["voice"]["evidence_items_fused"] = pipeline.voice_items_fused
        report["voice"]["evidence_items_unassigned"] = pipeline.fusion.unassigned_voice
    else:
        report["voice"] = {"note": voice_note or "no audio (not a video)"}
    (out_dir / "summary.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / "evidence.json").write_text(json.dumps(evidence, indent=2) + "\n")
    summary.plot(out_dir / "timeline.png")
    stats = pipeline.deid.stats
    print(f"processed {summary.frames} frames in {wall:.1f} s ({summary.frames / wall:.1f} FPS);"
          f" faces masked {stats.faces_masked}, fail-closed frames {stats.fail_closed},"
          f" corrupt frames skipped {source.corrupt}")
    if voice is not None:
        print(f"voice: {len(voice.segments)} speech segments, "
              f"{pipeline.voice_items_fused} evidence items fused; "
              f"transcript: {voice.transcript[:80]!r}")
    for path in (still or video.path, out_dir / "frames.jsonl", out_dir / "summary.json",
                 out_dir / "evidence.json", out_dir / "timeline.png",
                 *(voice.files.values() if voice is not None else ())):
        print(f"  {path}")
    return 0
