"""``emo-perception bench --privacy``: our de-identification against deface on the frozen
adversarial scene set, judged by instruments neither of them uses.

For each method (ours in every de-identification mode, deface with its defaults) the same
frames run in the same process, one method after the other, and are judged twice:

- by the privacy audit (``audit.faces``: dlib HOG / MMOD CNN and OpenCV Haar frontal and
  profile find the faces before and after; dlib's face-recognition ResNet re-identifies),
- by the scene set's ground truth (every pasted face is known): a face counts as covered
  when its centre and at least ``COVER`` of its visible box lie inside masked regions.

Our frames run as one video through :class:`PerceptionPipeline` (tracking state kept, so
every still is a scene cut); FPS is de-identification throughput with the face finder,
mesh and pose (the ``analysis`` stages off), as deid_node does it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np

from emo_perception.perception.types import Box

COVER = 0.6  # share of a true face's visible box that must be masked


@dataclasses.dataclass
class MethodRun:
    name: str
    outputs: list[np.ndarray | None]
    regions: list[list[Box]]
    seconds: float
    latencies: list[float]
    replaces_frame: bool = False  # skeleton mode: no source pixel is published at all
    # the onnxruntime provider the CenterFace session really runs on (not the one asked for)
    provider: str = ""
    stage_seconds: dict[str, list[float]] = dataclasses.field(default_factory=dict)

    @property
    def fps(self) -> float:
        return len(self.regions) / self.seconds if self.seconds > 0 else float("nan")


def run_ours(frames: Sequence[np.ndarray], mode: str, pipeline_cfg: Any = None,
             warmup: int = 5) -> MethodRun:
    from emo_perception.perception.deid import DeidConfig
    from emo_perception.perception.pipeline import PerceptionPipeline, PipelineConfig
    from emo_perception.perception.types import Frame

    cfg = pipeline_cfg or PipelineConfig()
    cfg = dataclasses.replace(cfg, analysis=False,
                              deid=dataclasses.replace(cfg.deid or DeidConfig(), mode=mode))
    pipe = PerceptionPipeline(cfg)
    for _ in pipe.run(Frame(np.ascontiguousarray(f), i / 30.0, i)
                      for i, f in enumerate(frames[:warmup])):
        pass
    outputs, regions, lat = [], [], []
    stage_seconds: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    stream = (Frame(np.ascontiguousarray(f), (warmup + i) / 30.0, warmup + i)
              for i, f in enumerate(frames))
    for result in pipe.run(stream):
        outputs.append(result.deid.image)
        regions.append(result.deid.regions)
        lat.append(result.latencies["total"])
        for stage, value in result.latencies.items():
            stage_seconds.setdefault(stage, []).append(value)
    seconds = time.perf_counter() - t0
    finder = getattr(pipe.detector, "finder", None)
    provider = finder.provider if finder is not None else ""
    pipe.close()
    return MethodRun(f"ours-{mode}", outputs, regions, seconds, lat, mode == "skeleton",
                     provider, stage_seconds)


def run_deface(frames: Sequence[np.ndarray], warmup: int = 5,
               keep_outputs: bool = True,
               provider: str = "CPUExecutionProvider") -> MethodRun:
    """deface 1.5.0 with its defaults (CenterFace at the frame's size, threshold 0.2,
    mask scale 1.3, elliptical blur) on onnxruntime ``provider`` (CPU unless a GPU
    benchmark asks for CUDAExecutionProvider). ``keep_outputs=False`` keeps only the
    regions (speed benchmarks need no images)."""
    from deface.centerface import CenterFace
    from deface.deface import anonymize_frame

    h, w = frames[0].shape[:2]
    # deface picks the first provider onnxruntime lists; pin it so both sides run on the
    # execution provider the benchmark names.
    net = CenterFace(in_shape=(w, h), backend="onnxrt", override_execution_provider=provider)
    for im in frames[:warmup]:
        net(np.ascontiguousarray(im[:, :, ::-1]), threshold=0.2)
    outputs, regions, lat = [], [], []
    t0 = time.perf_counter()
    for im in frames:
        t = time.perf_counter()
        rgb = np.ascontiguousarray(im[:, :, ::-1])
        dets, _ = net(rgb, threshold=0.2)
        anonymize_frame(dets, rgb, mask_scale=1.3, replacewith="blur", ellipse=True,
                        draw_scores=False, replaceimg=None, mosaicsize=20)
        if keep_outputs:
            outputs.append(np.ascontiguousarray(rgb[:, :, ::-1]))
        regions.append([_scaled(d[:4], 1.3) for d in dets])
        lat.append(time.perf_counter() - t)
    return MethodRun("deface", outputs, regions, time.perf_counter() - t0, lat,
                     provider=net.sess.get_providers()[0])


def _scaled(xyxy: np.ndarray, scale: float) -> Box:
    x1, y1, x2, y2 = (float(v) for v in xyxy)
    w, h = x2 - x1, y2 - y1
    return Box(x1 - w * (scale - 1) / 2, y1 - h * (scale - 1) / 2, w * scale, h * scale)


def truth_coverage(truth_frames: Sequence[dict], regions: Sequence[list[Box]],
                   blocked: Sequence[bool]) -> dict[str, Any]:
    """How many ground-truth faces the masked regions cover (a blocked frame covers all)."""
    total = covered = 0
    missed: list[dict[str, Any]] = []
    for index, (rec, boxes, gone) in enumerate(zip(truth_frames, regions, blocked)):
        h, w = rec.get("height", 480), rec.get("width", 640)
        mask = _region_mask(boxes, w, h)
        for face in rec.get("faces", []):
            total += 1
            x, y, fw, fh = face["box"]
            if gone or _covered(Box(x, y, fw, fh), mask):
                covered += 1
            else:
                missed.append({"frame": index, "file": rec.get("file"), "box": face["box"],
                               "width_px": face.get("face_width_px", fw),
                               "angle": face.get("angle"), "source": face.get("source"),
                               "edge_clipped": face.get("edge_clipped", 0.0)})
    return {"faces": total, "covered": covered, "missed": missed,
            "recall": round(covered / total, 4) if total else float("nan")}


def _region_mask(regions: list[Box], w: int, h: int) -> np.ndarray:
    mask = np.zeros((h, w), np.uint8)
    for r in regions:
        cv2.rectangle(mask, (int(r.x), int(r.y)), (int(np.ceil(r.x + r.w)),
                                                   int(np.ceil(r.y + r.h))), 1, -1)
    return mask


def _covered(face: Box, mask: np.ndarray) -> bool:
    h, w = mask.shape
    x0, y0 = int(max(face.x, 0)), int(max(face.y, 0))
    x1, y1 = int(min(face.x + face.w, w)), int(min(face.y + face.h, h))
    if x1 <= x0 or y1 <= y0:
        return True
    cx, cy = int(min(max(face.center[0], 0), w - 1)), int(min(max(face.center[1], 0), h - 1))
    return bool(mask[cy, cx]) and float(mask[y0:y1, x0:x1].mean()) >= COVER


def leaks_on_true_faces(leaked: Sequence[Any], truth_frames: Sequence[dict]) -> list[Any]:
    """The audit's leaks whose box holds the centre of a pasted (true) face of that frame.

    The audit's detectors also fire on things that are not faces (a mission patch two Haar
    cascades agree on); the scene truth tells those apart. Both counts are reported."""
    out = []
    for face in leaked:
        x0, y0, x1, y1 = face.box
        faces = truth_frames[face.frame].get("faces", []) if face.frame < len(truth_frames) \
            else []
        for t in faces:
            tx, ty, tw, th = t["box"]
            cx, cy = tx + tw / 2, ty + th / 2
            if x0 <= cx <= x1 and y0 <= cy <= y1:
                out.append(face)
                break
    return out


def judge(run: MethodRun, originals: Sequence[np.ndarray], truth_frames: Sequence[dict],
          auditor: Any) -> dict[str, Any]:
    report = auditor.audit_pairs(list(originals), run.outputs)
    on_truth = leaks_on_true_faces(report.leaked_by_detection, truth_frames)
    truth = truth_coverage(truth_frames, run.regions,
                           [o is None or run.replaces_frame for o in run.outputs])
    lat = np.asarray(run.latencies) * 1000.0
    return {
        "method": run.name, "frames": len(run.outputs), "fps": round(run.fps, 2),
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p95_ms": round(float(np.percentile(lat, 95)), 1),
        "audit_faces": len(report.faces), "leaked_by_detection": len(report.leaked_by_detection),
        "leaked_true_faces": len(on_truth),
        "leaks": [{"frame": f.frame, "box": list(f.box), "detectors_after": f.detectors_after,
                   "true_face": f in on_truth} for f in report.leaked_by_detection],
        "reidentified": len(report.reidentified), "rank1": round(report.rank1_rate, 4),
        "match_rate": round(report.match_rate, 4), "chance": round(report.chance, 4),
        "void": report.void, "audit_exit": report.exit_code,
        "truth_faces": truth["faces"], "truth_covered": truth["covered"],
        "truth_recall": truth["recall"], "truth_missed": truth["missed"][:50],
        "_report": report, "_outputs": run.outputs,
    }


def run_privacy_bench(originals: Sequence[np.ndarray], truth_frames: Sequence[dict],
                      modes: Sequence[str], deface: bool = True, pipeline_cfg: Any = None,
                      auditor: Any = None,
                      progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Every method on the same BGR frames; one result dict per method."""
    from emo_perception.audit.faces import FaceAuditor

    auditor = auditor or FaceAuditor()
    say = progress or (lambda _msg: None)
    results = []
    runs: list[Callable[[], MethodRun]] = [
        (lambda m=m: run_ours(originals, m, pipeline_cfg)) for m in modes]
    if deface:
        runs.append(lambda: run_deface(originals))
    for make in runs:
        run = make()
        say(f"{run.name}: {run.fps:.1f} FPS, auditing {len(run.outputs)} frames")
        results.append(judge(run, originals, truth_frames, auditor))
    return results


def format_markdown(results: Sequence[dict[str, Any]]) -> str:
    rows = ["| method | FPS | p50 ms | audit faces | leaked (detected after; of them true "
            "faces) | re-identified | rank-1 (chance) | truth faces covered |",
            "|---|---|---|---|---|---|---|---|"]
    for r in results:
        rows.append(
            f"| {r['method']} | {r['fps']:.1f} | {r['p50_ms']:.0f} | {r['audit_faces']} | "
            f"{r['leaked_by_detection']} ({r['leaked_true_faces']}) | "
            f"{r['reidentified']} ({r['match_rate']:.1%}) | "
            f"{r['rank1']:.1%} ({r['chance']:.1%}) | {r['truth_covered']}/{r['truth_faces']} "
            f"({r['truth_recall']:.1%}) |")
    return "\n".join(rows)
