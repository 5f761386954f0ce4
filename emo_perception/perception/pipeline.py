"""The whole embedded perception chain in one process, for offline runs and benchmarks.

landmarks -> tracking -> de-identification -> action units -> expression ->
micro-gestures -> fusion. ``PerceptionPipeline.process(frame)`` runs them in order;
``run(frames)`` overlaps the landmark models of the next frame (a worker thread; the
mediapipe graphs release the GIL) with the rest of the chain for the current one.
The ROS nodes split the same stages across processes.
"""

from __future__ import annotations

import dataclasses
import queue
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from emo_perception.evidence import EvidenceItem, EvidenceWindow
from emo_perception.perception.action_units import ActionUnitConfig
from emo_perception.perception.deid import DeidConfig, DeidResult, Deidentifier
from emo_perception.perception.expression import ExpressionConfig
from emo_perception.perception.face_analysis import AuBackendConfig, FaceAnalysis
from emo_perception.perception.face_finder import FaceFinderConfig
from emo_perception.perception.fusion import Fusion, FusionConfig, PersonState
from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
from emo_perception.perception.learned_action_units import LearnedActionUnitConfig
from emo_perception.perception.micro_gestures import MicroGestureConfig, MicroGestureDetector
from emo_perception.perception.overlap import OverlapRunner
from emo_perception.perception.sources import to_bgr
from emo_perception.perception.tracking import PersonTracker, Track, TrackEnds, TrackerConfig
from emo_perception.perception.types import (FaceAffect, Frame, Landmarks, MicroGestureEvent,
                                             Stage, StageStats)
from emo_perception.stages import BY_NAME, build_stage

# Per-frame latency keys of FrameResult (the face finder runs inside landmarks; "faces" is
# action units and expression together).
STAGES = ("landmarks", "tracking", "deid", "faces", "micro_gestures", "fusion")


@dataclass
class PipelineConfig:
    """One config per stage (each flat, as ROS parameters; field names are the stage
    names of ``emo_perception.stages``), plus how stages overlap."""

    landmarks: LandmarkConfig = field(default_factory=LandmarkConfig)
    finder: FaceFinderConfig = field(default_factory=FaceFinderConfig)
    tracking: TrackerConfig = field(default_factory=TrackerConfig)
    deid: DeidConfig = field(default_factory=DeidConfig)
    au_backend: AuBackendConfig = field(default_factory=AuBackendConfig)
    action_units: ActionUnitConfig = field(default_factory=ActionUnitConfig)
    learned: LearnedActionUnitConfig = field(default_factory=LearnedActionUnitConfig)
    expression: ExpressionConfig = field(default_factory=ExpressionConfig)
    micro_gestures: MicroGestureConfig = field(default_factory=MicroGestureConfig)
    fusion: FusionConfig = field(default_factory=FusionConfig)
    analysis: bool = True  # AUs, expression, micro-gestures and fusion (False: de-id only)
    threaded: bool = True  # landmarks of frame n+1 overlap the rest of frame n in run()


@dataclass
class FrameResult:
    """Everything the pipeline produced for one frame."""

    index: int
    stamp: float
    deid: DeidResult
    landmarks: Landmarks
    tracks: list[Track]
    affects: list[FaceAffect]
    gestures: list[MicroGestureEvent]
    persons: list[PersonState]
    latencies: dict[str, float]  # seconds per stage, plus "total"
    errors: list[str] = field(default_factory=list)  # analysis failures (counted, not raised)


class PerceptionPipeline:
    """Composes the perception stages; see the module docstring."""

    def __init__(self, cfg: PipelineConfig | None = None,
                 detector: LandmarkDetector | None = None) -> None:
        self.cfg = cfg = cfg or PipelineConfig()
        # Built by the stage table's builders, as the nodes build them (same backends).
        configs = {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)
                   if f.name in BY_NAME}
        # A detector may be passed in (e.g. one with injected faults in tests).
        self.detector: LandmarkDetector = detector or build_stage("landmarks", configs)
        self.tracker: PersonTracker = build_stage("tracking", configs)
        self.deid: Deidentifier = build_stage("deid", configs)
        # au_node's backend switch; a learned model that cannot load raises here.
        self.faces: FaceAnalysis = build_stage("au_backend", configs)
        self.gestures: MicroGestureDetector = build_stage("micro_gestures", configs)
        self.fusion: Fusion = build_stage("fusion", configs)
        self.error_count = 0
        self.track_ends = TrackEnds()
        # Final evidence window of every person whose track ended (process writes them to
        # evidence.json with those still live at the end).
        self.ended_evidence: dict[str, EvidenceWindow] = {}
        self._voice: list[EvidenceItem] = []
        self.voice_items_delivered = 0  # voice items handed to fusion (see voice_items_fused)

    @property
    def stages(self) -> dict[str, Stage]:
        """The stages in chain order (keys as in ``FrameResult.latencies``), each with
        ``forget(track_id)`` and ``stage_stats()``."""
        return {"landmarks": self.detector, "tracking": self.tracker, "deid": self.deid,
                "faces": self.faces, "micro_gestures": self.gestures, "fusion": self.fusion}

    def stage_stats(self) -> dict[str, StageStats]:
        """Every stage's counters, by stage."""
        return {name: stage.stage_stats() for name, stage in self.stages.items()}

    # -- entry points ------------------------------------------------------------------
    def process(self, frame: Frame) -> FrameResult:
        """Run every stage on one frame."""
        return self._after_landmarks(frame, self.detector.process(frame))

    def process_image(self, image: object, stamp: float, index: int) -> FrameResult:
        """Like :meth:`process` for a raw array: gray / BGRA / 16-bit images are converted
        (counted); anything that is not an image fails closed (obscured or blocked)."""
        bgr = to_bgr(image) if isinstance(image, np.ndarray) else None
        if bgr is None or min(bgr.shape[:2]) < 2:
            t0 = time.perf_counter()
            shape = getattr(image, "shape", None)
            reason = f"not a usable image (shape {shape}, dtype {getattr(image, 'dtype', None)})"
            result = self.deid.fail_closed(image, reason)
            w = int(shape[1]) if shape is not None and len(shape) >= 2 else 0
            h = int(shape[0]) if shape is not None and len(shape) >= 2 else 0
            lm = Landmarks(stamp, index, w, h, ok=False, error=reason)
            return FrameResult(index, stamp, result, lm, [], [], [], [],
                               {"total": time.perf_counter() - t0})
        if bgr is not image:
            self.deid.stats.converted += 1
        return self.process(Frame(np.ascontiguousarray(bgr), stamp, index))

    def run(self, frames: Iterable[Frame]) -> Iterator[FrameResult]:
        """Process a stream in order, overlapping landmarks of the next frame with the rest
        of the chain for the current one when threaded (the overlap runner deid_node uses,
        here taking every frame). A stage that raises stops the run with that error."""
        if not self.cfg.threaded:
            for frame in frames:
                yield self.process(frame)
            return
        done: queue.SimpleQueue = queue.SimpleQueue()
        runner: OverlapRunner[Frame, Landmarks] = OverlapRunner(
            self.detector.process, lambda f, lm: done.put(self._after_landmarks(f, lm)),
            newest_only=False, on_failure=lambda f, exc: done.put(exc), name="pipeline")
        submitted = finished = 0
        try:
            for frame in frames:
                runner.submit(frame)  # returns once landmarks of the previous frame are done
                submitted += 1
                # Yield frame n as soon as it is finished while frame n+1 is in landmarks
                # (one frame in flight: the latency of the old worker-thread pipeline).
                while submitted - finished > 1 or not done.empty():
                    finished += 1
                    yield _raise_or(done.get())
            while finished < submitted:
                finished += 1
                yield _raise_or(done.get())
        finally:
            runner.close()

    def add_voice_evidence(self, items: Iterable[EvidenceItem]) -> None:
        """Voice/speech evidence of the same recording (times on the frames' clock); each
        item reaches fusion with the first frame at or after its end."""
        self._voice = sorted([*self._voice, *items], key=lambda i: i.end)

    def _voice_until(self, stamp: float) -> list[EvidenceItem]:
        n = 0
        while n < len(self._voice) and self._voice[n].end <= stamp:
            n += 1
        due, self._voice = self._voice[:n], self._voice[n:]
        self.voice_items_delivered += len(due)
        return due

    @property
    def voice_items_fused(self) -> int:
        """Voice items fusion took: delivered ones, less those that arrived while nobody
        was tracked (fusion counts them as unassigned)."""
        return self.voice_items_delivered - self.fusion.unassigned_voice

    def close(self) -> None:
        self.detector.close()

    # -- stages after landmarks ------------------------------------------------------
    def _after_landmarks(self, frame: Frame, lm: Landmarks) -> FrameResult:
        lat = {"landmarks": lm.latency_s}
        t = time.perf_counter()
        tracks = self.tracker.update(lm)
        lat["tracking"] = _lap(t)
        t = time.perf_counter()
        deid = self.deid.apply(frame.image, lm)
        lat["deid"] = _lap(t)
        affects: list[FaceAffect] = []
        gestures: list[MicroGestureEvent] = []
        persons: list[PersonState] = []
        errors: list[str] = []
        if self.cfg.analysis and lm.ok:
            affects, gestures, persons = self._analyse(frame, lm, lat, errors)
        for track_id in self.track_ends.update(t.track_id for t in self.tracker.tracks):
            self.faces.forget(track_id)
            self.gestures.forget(track_id)
            window = self.fusion.end_track(track_id)
            if window is not None:
                self.ended_evidence[track_id] = window
        lat["total"] = sum(lat.values())
        self.error_count += len(errors)
        return FrameResult(frame.index, frame.stamp, deid, lm, tracks, affects, gestures,
                           persons, lat, errors)

    def _analyse(self, frame: Frame, lm: Landmarks, lat: dict[str, float],
                 errors: list[str]) -> tuple[list[FaceAffect], list[MicroGestureEvent],
                                             list[PersonState]]:
        stamp = frame.stamp
        gestures: list[MicroGestureEvent] = []
        persons: list[PersonState] = []
        # Analysis stages must not take de-identification down with them: failures are
        # recorded per frame and counted instead.
        t = time.perf_counter()
        before = self.faces.stage_stats().errors
        affects = self.faces.process(lm.faces, stamp,
                                     frame.image if self.faces.needs_image else None)
        if self.faces.stage_stats().errors > before:
            errors.append(f"faces: {self.faces.stage_stats().last_error}")
        lat["faces"] = _lap(t)
        t = time.perf_counter()
        for body in lm.bodies:
            if not body.track_id:
                continue
            try:
                gestures += self.gestures.update(body, stamp, lm.faces)
            except Exception as exc:  # noqa: BLE001 - counted, see _analyse comment
                errors.append(f"micro-gestures {body.track_id}: {exc}")
        lat["micro_gestures"] = _lap(t)
        t = time.perf_counter()
        try:
            persons = self.fusion.update(stamp, affects, gestures, self._voice_until(stamp))
        except Exception as exc:  # noqa: BLE001 - counted, see _analyse comment
            errors.append(f"fusion: {exc}")
        lat["fusion"] = _lap(t)
        return affects, gestures, persons


def _raise_or(result: FrameResult | BaseException) -> FrameResult:
    if isinstance(result, BaseException):
        raise result
    return result


def _lap(t0: float) -> float:
    return time.perf_counter() - t0
