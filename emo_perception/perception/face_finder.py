"""Face finder for de-identification: several independent detectors, union of their boxes.

A face that no detector reports is published unmasked, so this stage trades precision for
recall: every detector runs on the same frame and every box any of them reports is
masked (when they disagree, more is masked, never less). What runs, each with its own
blind spots:

- ``mediapipe_short``: BlazeFace short range (128 px input; large, near, frontal faces).
- ``mediapipe_full``: BlazeFace full range (192 px input; small and far faces, but it
  misses some large frontal faces that the short-range model finds).
- ``centerface``: CenterFace (anchor-free CNN, a different architecture and training set;
  finds rotated, dark and partly turned faces the BlazeFace models miss), run at
  ``centerface_width`` pixels across for speed, optionally a second time at
  ``centerface_second_width`` (it finds at one scale faces it misses at another), each
  pass in float or int8 (:mod:`~emo_perception.perception.centerface`).
- ``tiles``: the full-range model once more on an n x n grid of overlapping tiles, so a
  face far away is seen at up to n times its size.

Head regions from the body pose (profiles, the back of a head) and faces held from
earlier frames are added by :class:`~emo_perception.perception.deid.Deidentifier`.

The finder never decides alone whether a frame is safe: any exception propagates to the
landmark stage, which reports the frame as failed so de-identification fails closed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from emo_perception.perception.types import Box, FoundFace

SOURCES = ("mediapipe_short", "mediapipe_full", "centerface", "tiles")

# Smallest face width [px] at which the union found each of 24 real faces alone on a plain
# frame at 640x480, by (CenterFace passes as (width, precision), tiles) with both BlazeFace
# models on; measured by `emo-perception bench --finder-limits` (docs/benchmarks.md).
MEASURED_MIN_FACE_PX = {(((480, "float"),), 2): 20, (((320, "float"),), 2): 40,
                        (((320, "float"),), 0): 48, (((480, "float"),), 0): 20,
                        (((480, "float"), (640, "int8")), 0): 20,
                        (((320, "float"), (640, "float")), 0): 16}


@dataclass
class FaceFinderConfig:
    """Detectors whose union is masked (flat fields map 1:1 to ROS parameters)."""

    mediapipe_short: bool = field(default=True, metadata={
        "help": "BlazeFace short-range detector (near, large faces)"})
    mediapipe_full: bool = field(default=True, metadata={
        "help": "BlazeFace full-range detector (small, far faces)"})
    min_score: float = field(default=0.3, metadata={
        "help": "score threshold of the BlazeFace detectors (low: masking a non-face costs "
                "little, missing a face leaks it)", "range": (0.05, 0.95)})
    centerface: bool = field(default=True, metadata={
        "help": "CenterFace CNN (a different architecture; rotated, dark, turned faces)"})
    centerface_width: int = field(default=320, metadata={
        "help": "CenterFace input width [px] (rounded up to a multiple of 32); cost grows "
                "with its square, the smallest faces are lost first", "range": (96, 1920)})
    centerface_precision: str = field(default="float", metadata={
        "help": "float | int8 for the centerface_width pass (int8: a statically quantised "
                "copy, made once from the float model into the model cache)"})
    centerface_second_width: int = field(default=640, metadata={
        "help": "a second CenterFace pass at this input width [px] (0 = off): the model "
                "finds at one scale faces it misses at another; 320 + 640 covered 490 of "
                "532 bench-set faces against 484 for 480 alone or 480 + 2x2 tiles, and every "
                "face from 16 px at 640x480 (docs/benchmarks.md)",
        "range": (0, 1920)})
    centerface_second_precision: str = field(default="float", metadata={
        "help": "float | int8 for the second pass (int8 costs about 0.7x float on CPUs "
                "with VNNI, and more than float without: 1.1x on an AMD EPYC without it)"})
    centerface_score: float = field(default=0.3, metadata={
        "help": "CenterFace heatmap threshold", "range": (0.05, 0.95)})
    centerface_threads: int = field(default=1, metadata={
        "help": "onnxruntime threads for CenterFace", "range": (1, 16)})
    centerface_backend: str = field(default="cpu", metadata={
        "help": "cpu | cuda (onnxruntime CUDA; refused without one) | auto (CUDA when the "
                "session really runs on it, else CPU; the provider is in diagnostics)"})
    tiles: int = field(default=0, metadata={
        "help": "full-range detector on an n x n grid of overlapping tiles (0 = off; an "
                "older small-face path: with CenterFace at 480 or 320 + 640 px it found no "
                "face the CNN missed, for 60 ms of CPU a frame)", "range": (0, 4)})
    parallel: bool = field(default=True, metadata={
        "help": "run each CenterFace pass in a worker thread beside the BlazeFace detectors"})

    def __post_init__(self) -> None:
        if not (self.mediapipe_short or self.mediapipe_full or self.centerface):
            raise ValueError("finder: at least one of mediapipe_short, mediapipe_full, "
                             "centerface must be on")
        for name in ("min_score", "centerface_score"):
            value = getattr(self, name)
            if not 0.05 <= value <= 0.95:
                raise ValueError(f"finder.{name} must be in [0.05, 0.95], got {value}")
        if not 96 <= self.centerface_width <= 1920:
            raise ValueError(f"finder.centerface_width must be 96..1920 px, "
                             f"got {self.centerface_width}")
        if self.centerface_second_width and not 96 <= self.centerface_second_width <= 1920:
            raise ValueError(f"finder.centerface_second_width must be 0 (off) or 96..1920 px, "
                             f"got {self.centerface_second_width}")
        for name in ("centerface_precision", "centerface_second_precision"):
            if getattr(self, name) not in ("float", "int8"):
                raise ValueError(f"finder.{name} must be float or int8, "
                                 f"got {getattr(self, name)!r}")
        if not 0 <= self.tiles <= 4:
            raise ValueError(f"finder.tiles must be 0..4 (0 = off), got {self.tiles}")
        if self.centerface_backend not in ("cpu", "cuda", "auto"):
            raise ValueError(f"finder.centerface_backend must be cpu, cuda or auto, "
                             f"got {self.centerface_backend!r}")
        if not 1 <= self.centerface_threads <= 16:
            raise ValueError(f"finder.centerface_threads must be 1..16, "
                             f"got {self.centerface_threads}")

    def centerface_passes(self) -> tuple[tuple[int, str], ...]:
        """(input width, precision) of each CenterFace pass."""
        passes = [(self.centerface_width, self.centerface_precision)]
        if self.centerface_second_width:
            passes.append((self.centerface_second_width, self.centerface_second_precision))
        return tuple(passes)

    def measured_min_face_px(self) -> int | None:
        """The measured smallest face found at 640x480 for this setting, None when this
        combination was not measured."""
        if not self.centerface:
            return None
        return MEASURED_MIN_FACE_PX.get((self.centerface_passes(), self.tiles))

    def enabled_sources(self) -> tuple[str, ...]:
        flags = (self.mediapipe_short, self.mediapipe_full, self.centerface, self.tiles >= 2)
        return tuple(s for s, on in zip(SOURCES, flags) if on)


class FaceFinder:
    """``find(rgb)`` -> every face box of every configured detector on that frame."""

    def __init__(self, cfg: FaceFinderConfig | None = None) -> None:
        import mediapipe as mp

        self.cfg = cfg = cfg or FaceFinderConfig()
        fd = mp.solutions.face_detection.FaceDetection
        self._short = fd(min_detection_confidence=cfg.min_score, model_selection=0) \
            if cfg.mediapipe_short else None
        self._full = fd(min_detection_confidence=cfg.min_score, model_selection=1) \
            if cfg.mediapipe_full else None
        # Tiles get their own graph: mediapipe graphs keep per-size state.
        self._tile = fd(min_detection_confidence=cfg.min_score, model_selection=1) \
            if cfg.tiles >= 2 else None
        # CenterFace passes: (input width, session); one session per precision (an
        # onnxruntime session may be run from several threads at once).
        self._passes: list[tuple[int, Any]] = []
        if cfg.centerface:
            sessions: dict[str, Any] = {}
            for width, precision in cfg.centerface_passes():
                if precision not in sessions:
                    sessions[precision] = _centerface(cfg, precision)
                self._passes.append((width, sessions[precision]))
        self._centerface = self._passes[0][1] if self._passes else None
        # One worker per pass: both run beside the BlazeFace detectors on the caller's
        # thread, so the finder takes as long as its slowest pass, not their sum.
        self._pool = ThreadPoolExecutor(len(self._passes), thread_name_prefix="centerface") \
            if cfg.parallel and self._passes else None
        self.counts = {s: 0 for s in SOURCES}  # boxes found per source, for diagnostics

    @property
    def provider(self) -> str:
        return self._centerface.provider if self._centerface is not None else ""

    def find(self, rgb: np.ndarray) -> list[FoundFace]:
        """All boxes, in image pixels, clipped to the frame. Raises on model failure."""
        h, w = rgb.shape[:2]
        futures = []
        if self._pool is not None:
            futures = [self._pool.submit(self._run_centerface, rgb, width, net)
                       for width, net in self._passes]
        found: list[FoundFace] = []
        if self._short is not None:
            found += _blazeface(self._short.process(rgb), w, h, 0, 0, w, h, "mediapipe_short")
        if self._full is not None:
            found += _blazeface(self._full.process(rgb), w, h, 0, 0, w, h, "mediapipe_full")
        if self._tile is not None:
            found += self._run_tiles(rgb)
        if self._pool is not None:
            for future in futures:
                found += future.result()
        else:
            for width, net in self._passes:
                found += self._run_centerface(rgb, width, net)
        found = [f for f in found if f.box.w > 1 and f.box.h > 1]
        for f in found:
            self.counts[f.source] += 1
        return found

    def _run_centerface(self, rgb: np.ndarray, width: int, net: Any) -> list[FoundFace]:
        h, w = rgb.shape[:2]
        dets = net.detect(rgb, width, self.cfg.centerface_score, rgb=True)
        return [FoundFace(d.box.clamp(w, h), d.score, "centerface") for d in dets]

    def _run_tiles(self, rgb: np.ndarray) -> list[FoundFace]:
        h, w = rgb.shape[:2]
        n = self.cfg.tiles
        # Tiles overlap by a quarter of a tile so a face on a seam is whole in one of them.
        tw, th = int(np.ceil(w / (n - 0.25 * (n - 1)))), int(np.ceil(h / (n - 0.25 * (n - 1))))
        out: list[FoundFace] = []
        for row in range(n):
            for col in range(n):
                x0 = min(int(round(col * 0.75 * tw)), w - tw)
                y0 = min(int(round(row * 0.75 * th)), h - th)
                tile = np.ascontiguousarray(rgb[y0:y0 + th, x0:x0 + tw])
                out += _blazeface(self._tile.process(tile), tw, th, x0, y0, w, h, "tiles")
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        for model in (self._short, self._full, self._tile):
            if model is not None:
                model.close()


def _centerface(cfg: FaceFinderConfig, precision: str) -> Any:
    from emo_perception.perception.centerface import CenterFace

    if cfg.centerface_backend != "cpu":
        try:
            return CenterFace(threads=cfg.centerface_threads,
                              providers=["CUDAExecutionProvider", "CPUExecutionProvider"],
                              precision=precision)
        except RuntimeError:
            if cfg.centerface_backend == "cuda":
                raise
    return CenterFace(threads=cfg.centerface_threads, providers=["CPUExecutionProvider"],
                      precision=precision)


def _blazeface(result: Any, tw: int, th: int, x0: int, y0: int, w: int, h: int,
               source: str) -> list[FoundFace]:
    """mediapipe detections of a (tw x th) image placed at (x0, y0) of a (w x h) frame."""
    out: list[FoundFace] = []
    for d in result.detections or []:
        rb = d.location_data.relative_bounding_box
        box = Box(x0 + rb.xmin * tw, y0 + rb.ymin * th, rb.width * tw, rb.height * th)
        kps = np.array([[x0 + k.x * tw, y0 + k.y * th]
                        for k in d.location_data.relative_keypoints], dtype=np.float32)
        out.append(FoundFace(box.clamp(w, h), float(d.score[0]), source, kps))
    return out
