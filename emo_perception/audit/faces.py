"""Face privacy audit: independent detectors and face re-identification (issue #11).

The de-identifier finds faces with its own models (mediapipe); a check that used the same
models would share their blind spots. This judge uses detectors the de-identifier does not:

* dlib HOG + linear SVM (``get_frontal_face_detector``), at 1x and 2x upsampling;
* dlib MMOD CNN (``cnn_face_detection_model_v1``, ``mmod_human_face_detector.dat``);
* OpenCV Haar frontal (``haarcascade_frontalface_alt2``) and profile
  (``haarcascade_profileface`` on the frame and on its mirror image), at 1x and 2x.

Per original frame it finds faces BEFORE (all detectors, detections of the same face
merged by IoU / centre containment), then judges the de-identified frame:

* found AFTER: the same detectors on the de-identified frame; a face leaks when any
  detection there overlaps the original face's region;
* re-identification: dlib's ResNet face descriptor (128-D) of the original face, aligned by
  the 5-point shape predictor, against the descriptor of the SAME region of the
  de-identified frame aligned with the ORIGINAL's landmarks (the attacker knows where the
  face was). Distance < ``match_threshold`` (0.6) to its own original = re-identified;
  rank-1 identification against the gallery of all original faces of the run;
* positive controls: a JPEG-q30, a mirrored and a brightened copy of each original face
  must still match it; a face whose controls fail is VOID (the instrument cannot vouch for
  it), and the audit is void when more than ``void_fraction`` of the faces are.

ROS-free and file-free: :class:`FaceAuditor` works on numpy BGR arrays.
Descriptors are biometric templates: they are kept in memory only, never serialised.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import math
import pathlib
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

DETECTORS = ("hog", "cnn", "haar", "profile")
CONTROLS = ("jpeg30", "flip", "bright")
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (pixels, x1/y1 exclusive)


class AuditError(Exception):
    """Bad audit input or configuration (one-line message)."""


def models_dir() -> pathlib.Path:
    """The ``models/`` folder of the face-recognition-models package (without importing
    it: its ``__init__`` needs pkg_resources)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise AuditError("face-recognition-models is not installed (the audit extra: "
                         "pip install .[audit])")
    path = pathlib.Path(list(spec.submodule_search_locations)[0]) / "models"
    if not path.is_dir():
        raise AuditError(f"face-recognition-models has no models folder at {path}")
    return path


@dataclass
class AuditConfig:
    """Which detectors run at which upsampling, and the judging rules."""

    detectors: tuple[str, ...] = DETECTORS
    upsample: tuple[int, ...] = (1, 2)  # 1 = as is, 2 = 2x (dlib: upsample_num_times=1)
    cnn_upsample: tuple[int, ...] = (1,)  # the CNN is slow on CPU: 1x only by default
    cnn_max_side: int = 640  # larger frames are downscaled to this long side for the CNN
    upsample_max_side: int = 1280  # 2x (and more) is skipped on frames larger than this
    haar_min_neighbors: int = 4
    haar_scale_factor: float = 1.1
    merge_iou: float = 0.3  # detections of one face: IoU >= this or centre containment
    # A face BEFORE needs min_votes distinct detector@scale hits, or one dlib hit (HOG
    # score / CNN confidence) >= lone_min_score: lone weak hits and lone cascade hits are
    # mostly background, and an unmasked background "face" would count as a leak.
    min_votes: int = 2
    lone_min_score: float = 0.3
    match_threshold: float = 0.6  # dlib ResNet: same person when distance < 0.6
    void_fraction: float = 0.1  # audit void when more than this fraction of faces is void
    rank1_alpha: float = 0.01  # rank-1 above chance at this binomial p-value is a leak
    rank1_min_gallery: int = 3  # ... when the gallery has at least this many faces
    cache_frames: int = 256  # originals whose faces and descriptors are remembered
    # Where the detectors look AFTER de-identification: "frame" (the whole frame, also
    # counting faces that appear elsewhere) or "faces" (a crop of each original face grown
    # by after_margin on every side: the only place a leak of that face can be; several
    # times faster on masked frames, for benchmarks and tests over many frames).
    after_scope: str = "frame"
    after_margin: float = 1.0

    def __post_init__(self) -> None:
        self.detectors = tuple(self.detectors)
        self.upsample = tuple(int(u) for u in self.upsample)
        self.cnn_upsample = tuple(int(u) for u in self.cnn_upsample)
        bad = [d for d in self.detectors if d not in DETECTORS]
        if bad or not self.detectors:
            raise AuditError(f"unknown detector(s) {bad or '(none)'}; choose from "
                             f"{', '.join(DETECTORS)}")
        if not self.upsample or any(u < 1 or u > 4 for u in self.upsample) or \
                any(u < 1 or u > 4 for u in self.cnn_upsample):
            raise AuditError(f"upsample factors must be 1..4, got {self.upsample} "
                             f"(cnn {self.cnn_upsample})")
        if self.after_scope not in ("frame", "faces") or not 0.2 <= self.after_margin <= 4:
            raise AuditError(f"after_scope must be 'frame' or 'faces' and after_margin in "
                             f"[0.2, 4], got {self.after_scope!r}, {self.after_margin}")
        if not 0 < self.match_threshold < 2 or not 0 <= self.void_fraction <= 1:
            raise AuditError("match_threshold must be in (0, 2) and void_fraction in [0, 1]")


@dataclass
class Detection:
    detector: str
    scale: int
    box: Box
    score: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.detector}@{self.scale}x"


@dataclass
class AuditFace:
    """One face of an original frame and the verdict on its de-identified counterpart."""

    frame: int
    name: str
    box: Box
    detectors: list[str]  # "hog@1x", "cnn@1x", "haar@2x", ... that found it BEFORE
    detectors_after: list[str] = field(default_factory=list)  # ... that found it AFTER
    blocked: bool = False  # the de-identified frame was blocked (None): nothing leaks
    distance: float | None = None  # ResNet distance de-identified region <-> original
    rank1_correct: bool | None = None  # nearest gallery face is this identity
    rank1_face: int | None = None  # index (in report.faces) of the nearest gallery face
    controls: dict[str, float] = field(default_factory=dict)  # control -> distance
    controls_rank1: dict[str, bool] = field(default_factory=dict)
    void: bool = False
    void_reason: str = ""
    threshold: float = 0.6
    descriptor: np.ndarray | None = field(default=None, repr=False, compare=False)
    descriptor_after: np.ndarray | None = field(default=None, repr=False, compare=False)
    control_descriptors: dict[str, np.ndarray] = field(default_factory=dict, repr=False,
                                                       compare=False)

    @property
    def found_after(self) -> bool:
        return bool(self.detectors_after)

    @property
    def reidentified(self) -> bool:
        return self.distance is not None and self.distance < self.threshold

    @property
    def leaked(self) -> bool:
        return self.found_after or self.reidentified

    @property
    def size(self) -> int:
        return min(self.box[2] - self.box[0], self.box[3] - self.box[1])

    def to_json(self) -> dict[str, Any]:
        return {"frame": self.frame, "name": self.name, "box": list(self.box),
                "size_px": self.size, "detectors_before": self.detectors,
                "detectors_after": self.detectors_after, "blocked": self.blocked,
                "found_after": self.found_after,
                "distance": _round(self.distance), "reidentified": self.reidentified,
                "rank1_correct": self.rank1_correct, "rank1_face": self.rank1_face,
                "leaked": self.leaked,
                "controls": {k: _round(v) for k, v in self.controls.items()},
                "controls_rank1": self.controls_rank1,
                "void": self.void, "void_reason": self.void_reason}


def _round(v: float | None) -> float | None:
    return None if v is None else round(float(v), 4)


@dataclass
class FrameAudit:
    index: int
    name: str
    faces: int
    blocked: bool
    faces_after_unmatched: int = 0  # detections AFTER that overlap no original face
    # single weak detections BEFORE that were not audited as faces (see AuditConfig)
    weak_candidates: list[list[int]] = field(default_factory=list)


@dataclass
class AuditReport:
    faces: list[AuditFace]
    frames: list[FrameAudit]
    config: AuditConfig
    timings: dict[str, float]  # seconds, summed over the run, per detector label and stage
    calls: dict[str, int]  # runs per detector label and stage
    skipped: dict[str, int] = field(default_factory=dict)  # detector runs skipped (size)
    chance_level: float = 0.0  # see :attr:`chance`

    # -- totals ----------------------------------------------------------------------
    @property
    def leaks(self) -> list[AuditFace]:
        return [f for f in self.faces if f.leaked]

    @property
    def leaked_by_detection(self) -> list[AuditFace]:
        return [f for f in self.faces if f.found_after]

    @property
    def reidentified(self) -> list[AuditFace]:
        return [f for f in self.faces if f.reidentified]

    @property
    def void_faces(self) -> list[AuditFace]:
        return [f for f in self.faces if f.void]

    @property
    def gallery_size(self) -> int:
        return sum(1 for f in self.faces if f.descriptor is not None)

    @property
    def rank1_rate(self) -> float:
        """Fraction of all faces (blocked ones count as not identified) whose
        de-identified region is nearest to its own identity in the gallery."""
        return sum(1 for f in self.faces if f.rank1_correct) / len(self.faces) \
            if self.faces else 0.0

    @property
    def match_rate(self) -> float:
        """Fraction of all faces re-identified (distance < threshold)."""
        return len(self.reidentified) / len(self.faces) if self.faces else 0.0

    @property
    def chance(self) -> float:
        """Rank-1 rate of a random guess: mean over faces of (size of its identity group
        in the gallery) / gallery size; 1 / gallery size when every face is a different
        person. Computed by :meth:`FaceAuditor.report`."""
        return self.chance_level

    @property
    def rank1_p_value(self) -> float | None:
        """One-sided binomial p-value of the rank-1 hits among non-blocked faces at the
        chance level (None when the gallery is too small for the test)."""
        if self.gallery_size < self.config.rank1_min_gallery:
            return None
        judged = [f for f in self.faces if f.rank1_correct is not None and not f.blocked]
        n, k, p = len(judged), sum(1 for f in judged if f.rank1_correct), self.chance
        if n == 0 or p >= 1.0:
            return None
        return binomial_sf(k, n, p)

    @property
    def rank1_above_chance(self) -> bool:
        pv = self.rank1_p_value
        return pv is not None and pv < self.config.rank1_alpha

    @property
    def void_reason(self) -> str:
        if not self.faces:
            return "no face found in the originals: nothing was audited"
        nv = len(self.void_faces)
        if nv > self.config.void_fraction * len(self.faces):
            return (f"{nv} of {len(self.faces)} faces failed the positive controls "
                    f"(> {self.config.void_fraction:.0%} allowed)")
        return ""

    @property
    def void(self) -> bool:
        return bool(self.void_reason)

    @property
    def leaked(self) -> bool:
        return bool(self.leaks) or self.rank1_above_chance

    @property
    def exit_code(self) -> int:
        """3 void, 1 any leak, 0 clean (void wins: a void audit proves nothing)."""
        return 3 if self.void else 1 if self.leaked else 0

    @property
    def verdict(self) -> str:
        return {0: "CLEAN", 1: "LEAK", 3: "VOID"}[self.exit_code]

    def detector_counts(self) -> dict[str, dict[str, int]]:
        labels = sorted({d for f in self.faces for d in f.detectors + f.detectors_after})
        return {lab: {"before": sum(lab in f.detectors for f in self.faces),
                      "after": sum(lab in f.detectors_after for f in self.faces)}
                for lab in labels}

    def to_json(self) -> dict[str, Any]:
        pv = self.rank1_p_value
        return {
            "verdict": self.verdict, "exit_code": self.exit_code,
            "void": self.void, "void_reason": self.void_reason,
            "totals": {
                "frames": len(self.frames),
                "frames_blocked": sum(fr.blocked for fr in self.frames),
                "frames_without_faces": sum(fr.faces == 0 for fr in self.frames),
                "faces": len(self.faces),
                "faces_blocked": sum(f.blocked for f in self.faces),
                "leaked": len(self.leaks),
                "leaked_by_detection": len(self.leaked_by_detection),
                "reidentified": len(self.reidentified),
                "void_faces": len(self.void_faces),
                "rank1_rate": round(self.rank1_rate, 4),
                "match_rate": round(self.match_rate, 4),
                "chance": round(self.chance, 4), "gallery_size": self.gallery_size,
                "rank1_p_value": None if pv is None else float(f"{pv:.3g}"),
                "rank1_above_chance": self.rank1_above_chance,
                "detections_after_elsewhere": sum(fr.faces_after_unmatched
                                                  for fr in self.frames),
                "weak_candidates_not_audited": sum(len(fr.weak_candidates)
                                                   for fr in self.frames),
            },
            "per_detector": self.detector_counts(),
            "timings_s": {k: round(v, 4) for k, v in sorted(self.timings.items())},
            "calls": dict(sorted(self.calls.items())),
            "skipped_runs": dict(sorted(self.skipped.items())),
            "config": dataclasses.asdict(self.config),
            "rules": {
                "leak": "a detector finds a face overlapping the original face region in "
                        "the de-identified frame, or ResNet distance < match_threshold, or "
                        "run-level rank-1 rate above chance (binomial p < rank1_alpha)",
                "void_face": "a positive control (jpeg30, flip, bright) has distance >= "
                             "match_threshold or is not rank-1 correct",
                "void_audit": "no faces, or more than void_fraction of faces void",
            },
            "frames": [dataclasses.asdict(fr) for fr in self.frames],
            "faces": [f.to_json() for f in self.faces],
        }

    def summary(self) -> str:
        """A one-screen text summary."""
        t = self.to_json()["totals"]
        lines = [f"privacy audit: {self.verdict} (exit {self.exit_code})"]
        if self.void:
            lines.append(f"  *** AUDIT VOID: {self.void_reason} ***")
        lines += [
            f"  frames {t['frames']} (blocked {t['frames_blocked']}, without faces "
            f"{t['frames_without_faces']}); faces {t['faces']} (in blocked frames "
            f"{t['faces_blocked']})",
            f"  leaked {t['leaked']}: found after {t['leaked_by_detection']}, "
            f"re-identified {t['reidentified']} (distance < {self.config.match_threshold})",
            f"  match rate {t['match_rate']:.1%}; rank-1 rate {t['rank1_rate']:.1%} vs "
            f"chance {t['chance']:.1%} (gallery {t['gallery_size']}, p="
            f"{t['rank1_p_value']}){'  ABOVE CHANCE' if t['rank1_above_chance'] else ''}",
            f"  void faces (controls failed) {t['void_faces']}",
        ]
        counts = self.detector_counts()
        if counts:
            lines.append("  detector  before/after: " + ", ".join(
                f"{k} {v['before']}/{v['after']}" for k, v in counts.items()))
        det_t = {k: v for k, v in self.timings.items() if "@" in k}
        if det_t:
            lines.append("  detector s/run: " + ", ".join(
                f"{k} {v / max(self.calls.get(k, 1), 1):.2f}" for k, v in sorted(det_t.items())))
        worst = sorted(self.faces, key=_severity)[:5]
        for f in worst:
            if not (f.leaked or f.void):
                break
            lines.append(f"  ! frame {f.frame} {f.name} box {list(f.box)}: "
                         f"{'LEAK' if f.leaked else 'void'} d={_fmt(f.distance)} after="
                         f"{','.join(f.detectors_after) or '-'} {f.void_reason}")
        return "\n".join(lines)


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def _severity(f: AuditFace) -> tuple[int, int, float]:
    """Sort key, worst first: leaked, then void, then smallest distance."""
    return (0 if f.leaked else 1, 0 if f.void else 1,
            f.distance if f.distance is not None else 9.0)


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed in log space (no overflow for large n)."""
    if k <= 0:
        return 1.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
            + i * math.log(p) + (n - i) * math.log1p(-p) for i in range(k, n + 1)]
    top = max(logs)
    return float(min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs)))


# -- geometry ---------------------------------------------------------------------------
def iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _centre_in(a: Box, b: Box) -> bool:
    cx, cy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    return b[0] <= cx < b[2] and b[1] <= cy < b[3]


def same_face(a: Box, b: Box, min_iou: float = 0.3) -> bool:
    """IoU >= min_iou, or either box's centre inside the other."""
    return iou(a, b) >= min_iou or _centre_in(a, b) or _centre_in(b, a)


def _clip(box: Box, w: int, h: int) -> Box:
    return (max(0, min(w, box[0])), max(0, min(h, box[1])), max(0, min(w, box[2])),
            max(0, min(h, box[3])))


def expand(box: Box, frac: float, w: int, h: int) -> Box:
    bw, bh = box[2] - box[0], box[3] - box[1]
    return _clip((int(box[0] - frac * bw), int(box[1] - frac * bh),
                  int(math.ceil(box[2] + frac * bw)), int(math.ceil(box[3] + frac * bh))), w, h)


def _as_bgr(image: np.ndarray, what: str) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        raise AuditError(f"{what}: not an image (got {type(image).__name__} "
                         f"{getattr(image, 'shape', '')})")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    if image.dtype != np.uint8:
        raise AuditError(f"{what}: expected uint8 pixels, got {image.dtype}")
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    elif image.shape[2] == 1:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(image)


class FaceAuditor:
    """Independent face detectors + dlib ResNet re-identification.

    ``audit_pairs(originals, deidentified)`` for a whole run in memory; or
    ``add_pair(...)`` frame by frame (streaming) and ``report()`` at the end.
    """

    def __init__(self, config: AuditConfig | None = None) -> None:
        try:
            import dlib
        except ImportError:
            raise AuditError("dlib is not installed (the audit extra: pip install .[audit])"
                             ) from None

        self.config = cfg = config or AuditConfig()
        models = models_dir()
        self._dlib = dlib
        self._hog = dlib.get_frontal_face_detector() if "hog" in cfg.detectors else None
        self._verifier_hog = self._hog or dlib.get_frontal_face_detector()
        self._cnn = dlib.cnn_face_detection_model_v1(
            str(models / "mmod_human_face_detector.dat")) if "cnn" in cfg.detectors else None
        self._haar = self._cascade("haarcascade_frontalface_alt2.xml") \
            if "haar" in cfg.detectors else None
        self._profile = self._cascade("haarcascade_profileface.xml") \
            if "profile" in cfg.detectors else None
        self._shape = dlib.shape_predictor(str(models / "shape_predictor_5_face_landmarks.dat"))
        self._resnet = dlib.face_recognition_model_v1(
            str(models / "dlib_face_recognition_resnet_model_v1.dat"))
        # original frame hash -> faces, weak candidates, landmarks, descriptors (kept across
        # runs: auditing several de-identifiers against one set detects the originals once)
        self._cache: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self.reset()

    @staticmethod
    def _cascade(name: str) -> cv2.CascadeClassifier:
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
        if cascade.empty():
            raise AuditError(f"cannot load OpenCV cascade {name} from {cv2.data.haarcascades}")
        return cascade

    def reset(self) -> None:
        self.faces: list[AuditFace] = []
        self.frames: list[FrameAudit] = []
        self.timings: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.skipped: dict[str, int] = {}

    def _tick(self, key: str, t0: float) -> None:
        self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - t0
        self.calls[key] = self.calls.get(key, 0) + 1

    # -- detection ---------------------------------------------------------------------
    def detect(self, bgr: np.ndarray) -> list[Detection]:
        """Every enabled detector at every enabled upsampling, unmerged."""
        cfg = self.config
        bgr = _as_bgr(bgr, "image")
        h, w = bgr.shape[:2]
        rgb = np.ascontiguousarray(bgr[:, :, ::-1])
        gray = cv2.equalizeHist(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
        out: list[Detection] = []
        for scale in cfg.upsample:
            if scale > 1 and max(h, w) > cfg.upsample_max_side:
                for d in cfg.detectors:
                    if d != "cnn":
                        key = f"{d}@{scale}x"
                        self.skipped[key] = self.skipped.get(key, 0) + 1
                continue
            if self._hog is not None:
                t0 = time.perf_counter()
                rects, scores, _ = self._hog.run(rgb, scale - 1, 0.0)
                out += [Detection("hog", scale, _clip((r.left(), r.top(), r.right() + 1,
                                                       r.bottom() + 1), w, h), float(s))
                        for r, s in zip(rects, scores)]
                self._tick(f"hog@{scale}x", t0)
            if self._haar is not None or self._profile is not None:
                g = gray if scale == 1 else cv2.resize(gray, None, fx=scale, fy=scale,
                                                       interpolation=cv2.INTER_LINEAR)
                for name, cascade in (("haar", self._haar), ("profile", self._profile)):
                    if cascade is None:
                        continue
                    t0 = time.perf_counter()
                    out += self._cascade_run(name, cascade, g, scale, w, h)
                    self._tick(f"{name}@{scale}x", t0)
        if self._cnn is not None:
            for scale in cfg.cnn_upsample:
                if scale > 1 and max(h, w) > cfg.upsample_max_side:
                    self.skipped[f"cnn@{scale}x"] = self.skipped.get(f"cnn@{scale}x", 0) + 1
                    continue
                t0 = time.perf_counter()
                f = min(1.0, cfg.cnn_max_side / max(h, w))
                img = rgb if f >= 1.0 else cv2.resize(rgb, (round(w * f), round(h * f)),
                                                      interpolation=cv2.INTER_AREA)
                for d in self._cnn(np.ascontiguousarray(img), scale - 1):
                    r = d.rect
                    out.append(Detection("cnn", scale, _clip(
                        (int(r.left() / f), int(r.top() / f), int((r.right() + 1) / f),
                         int((r.bottom() + 1) / f)), w, h), float(d.confidence)))
                self._tick(f"cnn@{scale}x", t0)
        return [d for d in out if d.box[2] - d.box[0] > 1 and d.box[3] - d.box[1] > 1]

    def _detect_around(self, bgr: np.ndarray, boxes: Sequence[Box]) -> list[Detection]:
        """Detections in a crop around each box (grown by ``after_margin``), in frame
        coordinates."""
        h, w = bgr.shape[:2]
        out: list[Detection] = []
        for box in boxes:
            x0, y0, x1, y1 = expand(box, self.config.after_margin, w, h)
            if x1 - x0 < 8 or y1 - y0 < 8:
                continue
            for d in self.detect(np.ascontiguousarray(bgr[y0:y1, x0:x1])):
                b = d.box
                out.append(Detection(d.detector, d.scale,
                                     (b[0] + x0, b[1] + y0, b[2] + x0, b[3] + y0), d.score))
        return out

    def _cascade_run(self, name: str, cascade: cv2.CascadeClassifier, g: np.ndarray,
                     scale: int, w: int, h: int) -> list[Detection]:
        cfg = self.config
        found = []
        views = [(g, False)] + ([(cv2.flip(g, 1), True)] if name == "profile" else [])
        for img, mirrored in views:
            rects = cascade.detectMultiScale(img, scaleFactor=cfg.haar_scale_factor,
                                             minNeighbors=cfg.haar_min_neighbors,
                                             minSize=(20 * scale, 20 * scale))
            for x, y, bw, bh in (rects if len(rects) else []):
                if mirrored:
                    x = img.shape[1] - x - bw
                box = (int(x / scale), int(y / scale), int(math.ceil((x + bw) / scale)),
                       int(math.ceil((y + bh) / scale)))
                found.append(Detection(name, scale, _clip(box, w, h)))
        return found

    def merge(self, detections: Sequence[Detection], weak: list[Box] | None = None,
              bgr: np.ndarray | None = None) -> list[tuple[Box, list[str]]]:
        """Group detections of the same face; the box is the median box of the most
        trusted detector in the group (cnn > hog > haar > profile). A group is a face when
        ``min_votes`` distinct detector@scale labels found it, or a dlib detector did with
        a score >= ``lone_min_score``; the other groups are appended to ``weak``.

        Groups found by OpenCV cascades only must, with ``bgr`` given, be confirmed by dlib
        on an upsampled crop (:meth:`verify`, labels ``hog@crop`` / ``cnn@crop``); without
        ``bgr`` they are weak. ``haar`` at 1x and 2x see the same textures, and the frontal
        and profile cascades share their Haar features too: together they fired on a hand
        holding a glass (Megamind), which the audit then reported as a leaked face."""
        prio = {"cnn": 0, "hog": 1, "haar": 2, "profile": 3}
        groups: list[list[Detection]] = []
        # Sorted fully (cascades may return their boxes in any order across threads).
        for d in sorted(detections, key=lambda d: (prio[d.detector], d.scale, d.box)):
            for g in groups:
                if same_face(g[0].box, d.box, self.config.merge_iou):
                    g.append(d)
                    break
            else:
                groups.append([d])
        faces = []
        for g in groups:
            labels = sorted({d.label for d in g})
            strong = max((d.score for d in g if d.detector in ("hog", "cnn")), default=None)
            best = np.array([d.box for d in g if d.detector == g[0].detector])
            box = tuple(int(v) for v in np.median(best, axis=0).round())
            ok = len(labels) >= self.config.min_votes or (
                strong is not None and strong >= self.config.lone_min_score)
            if ok and strong is None:  # cascades only
                confirmed = self.verify(bgr, box) if bgr is not None else []
                labels = sorted(labels + confirmed)
                ok = bool(confirmed)
            if not ok:
                if weak is not None:
                    weak.append(box)
                continue
            faces.append((box, labels))
        return faces

    def verify(self, bgr: np.ndarray, box: Box) -> list[str]:
        """dlib detectors on a crop around ``box`` upsampled so the face is ~160 px:
        ``["hog@crop"]`` and/or ``["cnn@crop"]`` when they find a face there."""
        t0 = time.perf_counter()
        h, w = bgr.shape[:2]
        x0, y0, x1, y1 = expand(box, 0.5, w, h)
        f = 160.0 / max(1, min(box[2] - box[0], box[3] - box[1]))
        crop = cv2.resize(np.ascontiguousarray(bgr[y0:y1, x0:x1, ::-1]), None, fx=f, fy=f,
                          interpolation=cv2.INTER_LINEAR if f > 1 else cv2.INTER_AREA)
        crop = np.ascontiguousarray(crop)
        local = tuple(int(round(v)) for v in ((box[0] - x0) * f, (box[1] - y0) * f,
                                              (box[2] - x0) * f, (box[3] - y0) * f))
        found = []
        least = self.config.lone_min_score  # a patch upsampled to face size can score ~0.1
        rects_, scores, _ = self._verifier_hog.run(crop, 0, 0.0)
        rects = [(r.left(), r.top(), r.right() + 1, r.bottom() + 1)
                 for r, sc in zip(rects_, scores) if sc >= least]
        if any(same_face(local, r, self.config.merge_iou) for r in rects):
            found.append("hog@crop")
        if self._cnn is not None:
            rects = [(d.rect.left(), d.rect.top(), d.rect.right() + 1, d.rect.bottom() + 1)
                     for d in self._cnn(crop, 0) if d.confidence >= least]
            if any(same_face(local, r, self.config.merge_iou) for r in rects):
                found.append("cnn@crop")
        self._tick("verify", t0)
        return found

    def find_faces(self, bgr: np.ndarray) -> list[AuditFace]:
        """Faces in one frame, merged across detectors (no verdict yet)."""
        bgr = _as_bgr(bgr, "image")
        return [AuditFace(frame=-1, name="", box=box, detectors=labels,
                          threshold=self.config.match_threshold)
                for box, labels in self.merge(self.detect(bgr), None, bgr)]

    # -- re-identification -------------------------------------------------------------
    def _landmarks(self, rgb: np.ndarray, box: Box) -> Any:
        dlib = self._dlib
        return self._shape(rgb, dlib.rectangle(int(box[0]), int(box[1]), int(box[2]) - 1,
                                               int(box[3]) - 1))

    def _chip(self, rgb: np.ndarray, shape: Any) -> np.ndarray:
        return np.asarray(self._dlib.get_face_chip(rgb, shape, size=150, padding=0.25))

    def _shifted(self, shape: Any, dx: int, dy: int) -> Any:
        dlib = self._dlib
        r = shape.rect
        rect = dlib.rectangle(r.left() - dx, r.top() - dy, r.right() - dx, r.bottom() - dy)
        pts = dlib.points([dlib.point(p.x - dx, p.y - dy) for p in shape.parts()])
        return dlib.full_object_detection(rect, pts)

    def _controls(self, rgb: np.ndarray, box: Box, shape: Any, chip: np.ndarray
                  ) -> dict[str, np.ndarray]:
        """Chips of the positive controls: JPEG q30 and brightened (applied to the frame
        around the face, so the face keeps its resolution) and the mirrored chip."""
        h, w = rgb.shape[:2]
        x0, y0, x1, y1 = expand(box, 0.8, w, h)
        crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        local = self._shifted(shape, x0, y0)
        ok, enc = cv2.imencode(".jpg", crop[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 30])
        jpeg = np.ascontiguousarray(cv2.imdecode(enc, cv2.IMREAD_COLOR)[:, :, ::-1]) \
            if ok else crop
        bright = cv2.convertScaleAbs(crop, alpha=1.15, beta=35)
        return {"jpeg30": self._chip(jpeg, local), "flip": np.ascontiguousarray(chip[:, ::-1]),
                "bright": self._chip(np.ascontiguousarray(bright), local)}

    def _describe(self, chips: list[np.ndarray]) -> list[np.ndarray]:
        if not chips:
            return []
        t0 = time.perf_counter()
        vecs = self._resnet.compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
        self._tick("resnet", t0)
        return [np.asarray(v, dtype=np.float64) for v in vecs]

    # -- auditing ----------------------------------------------------------------------
    def add_pair(self, original: np.ndarray, deidentified: np.ndarray | None,
                 name: str | None = None) -> list[AuditFace]:
        """Audit one frame pair; ``deidentified`` None = the frame was blocked."""
        index = len(self.frames)
        name = name if name is not None else str(index)
        original = _as_bgr(original, f"original frame {name}")
        h, w = original.shape[:2]
        key = hashlib.blake2b(original.tobytes(), digest_size=16).hexdigest() + str(
            original.shape)
        cached = self._cache.get(key)
        if cached is None:
            t0 = time.perf_counter()
            weak: list[Box] = []
            found = self.merge(self.detect(original), weak, original)
            self._tick("before", t0)
        else:  # the same original again (e.g. one benchmark set, several de-identifiers)
            self._cache.move_to_end(key)
            found, weak = cached[0], cached[1]
            self.calls["before_cached"] = self.calls.get("before_cached", 0) + 1
        faces = [AuditFace(index, name, box, list(labels),
                           threshold=self.config.match_threshold) for box, labels in found]
        frame = FrameAudit(index, name, len(faces), deidentified is None,
                           weak_candidates=[list(b) for b in weak])
        self.frames.append(frame)
        if not faces:
            if cached is None and self.config.cache_frames > 0:
                self._cache[key] = (found, weak, [], [], [])
                while len(self._cache) > self.config.cache_frames:
                    self._cache.popitem(last=False)
            return faces
        deid = None
        if deidentified is not None:
            deid = _as_bgr(deidentified, f"de-identified frame {name}")
            if deid.shape[:2] != (h, w):
                deid = cv2.resize(deid, (w, h), interpolation=cv2.INTER_AREA)
            t0 = time.perf_counter()
            after = self.detect(deid) if self.config.after_scope == "frame" \
                else self._detect_around(deid, [f.box for f in faces])
            self._tick("after", t0)
            matched = set()
            for face in faces:
                hits = [i for i, d in enumerate(after)
                        if same_face(face.box, d.box, self.config.merge_iou)]
                matched.update(hits)
                face.detectors_after = sorted({after[i].label for i in hits})
            elsewhere: list[Box] = []
            frame.faces_after_unmatched = len(self.merge(
                [d for i, d in enumerate(after) if i not in matched], elsewhere)) + len(elsewhere)
        t0 = time.perf_counter()
        rgb = np.ascontiguousarray(original[:, :, ::-1])
        drgb = None if deid is None else np.ascontiguousarray(deid[:, :, ::-1])
        chips: list[np.ndarray] = []
        layout: list[tuple[AuditFace, str]] = []
        shapes = [self._landmarks(rgb, f.box) for f in faces] if cached is None else cached[2]
        for k, (face, shape) in enumerate(zip(faces, shapes)):
            if cached is None:
                chip = self._chip(rgb, shape)
                chips.append(chip)
                layout.append((face, "original"))
                for cname, cchip in self._controls(rgb, face.box, shape, chip).items():
                    chips.append(cchip)
                    layout.append((face, cname))
            else:
                face.descriptor = cached[3][k]
                face.control_descriptors = dict(cached[4][k])
            if drgb is not None:
                chips.append(self._chip(drgb, shape))  # the ORIGINAL's landmarks
                layout.append((face, "after"))
            else:
                face.blocked = True
        self._tick("chips", t0)
        for (face, what), vec in zip(layout, self._describe(chips)):
            if what == "original":
                face.descriptor = vec
            elif what == "after":
                face.descriptor_after = vec
            else:
                face.control_descriptors[what] = vec
        if cached is None and self.config.cache_frames > 0:
            self._cache[key] = (found, weak, shapes, [f.descriptor for f in faces],
                                [dict(f.control_descriptors) for f in faces])
            while len(self._cache) > self.config.cache_frames:
                self._cache.popitem(last=False)
        for face in faces:
            if face.descriptor_after is not None:
                face.distance = float(np.linalg.norm(face.descriptor_after - face.descriptor))
            face.controls = {k: float(np.linalg.norm(v - face.descriptor))
                             for k, v in face.control_descriptors.items()}
        self.faces.extend(faces)
        return faces

    def report(self) -> AuditReport:
        """Rank-1 identification against the gallery of all original faces, the controls'
        verdicts and the totals."""
        cfg = self.config
        faces = [f for f in self.faces if f.descriptor is not None]
        chance = 0.0
        if faces:
            gallery = np.stack([f.descriptor for f in faces])
            position = {id(f): k for k, f in enumerate(self.faces)}

            def nearest(vec: np.ndarray) -> int:
                return int(np.argmin(np.linalg.norm(gallery - vec, axis=1)))

            group_sizes = []
            for i, f in enumerate(faces):  # row by row: memory O(gallery), not O(gallery^2)
                same = np.linalg.norm(gallery - f.descriptor, axis=1) < cfg.match_threshold
                group_sizes.append(int(same.sum()))
                if f.descriptor_after is not None:
                    j = nearest(f.descriptor_after)
                    f.rank1_face, f.rank1_correct = position[id(faces[j])], bool(same[j])
                elif f.blocked:
                    f.rank1_correct = False
                f.controls_rank1 = {k: bool(same[nearest(v)])
                                    for k, v in f.control_descriptors.items()}
                bad = [k for k, d in f.controls.items() if d >= cfg.match_threshold]
                bad += [k for k, ok in f.controls_rank1.items() if not ok and k not in bad]
                f.void = bool(bad)
                f.void_reason = f"controls failed: {','.join(bad)}" if bad else ""
            chance = float(np.mean(group_sizes)) / len(faces)
        return AuditReport(list(self.faces), list(self.frames), cfg, dict(self.timings),
                           dict(self.calls), dict(self.skipped), chance)

    def audit_pairs(self, originals: Sequence[np.ndarray],
                    deidentified: Sequence[np.ndarray | None],
                    names: Sequence[str] | None = None, progress: bool = False
                    ) -> AuditReport:
        """Audit a run held in memory (pairs by index); starts from a clean state."""
        if len(originals) != len(deidentified):
            raise AuditError(f"{len(originals)} original frames but {len(deidentified)} "
                             "de-identified frames")
        if names is not None and len(names) != len(originals):
            raise AuditError(f"{len(names)} names for {len(originals)} frames")
        self.reset()
        pairs: Iterable[int] = range(len(originals))
        if progress:
            from tqdm import tqdm

            pairs = tqdm(pairs, unit="frame", desc="audit", disable=None)
        for i in pairs:
            self.add_pair(originals[i], deidentified[i], None if names is None else names[i])
        return self.report()


# -- contact sheet ----------------------------------------------------------------------
def face_crops(face: AuditFace, original: np.ndarray, deidentified: np.ndarray | None,
               size: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """(original crop, de-identified crop) of a face's region, padded, ``size`` square."""
    original = _as_bgr(original, "original")
    h, w = original.shape[:2]
    x0, y0, x1, y1 = expand(face.box, 0.25, w, h)
    orig = cv2.resize(original[y0:y1, x0:x1], (size, size), interpolation=cv2.INTER_AREA)
    if deidentified is None:
        deid = np.full_like(orig, 40)
        cv2.putText(deid, "BLOCKED", (8, size // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                    (200, 200, 200), 1, cv2.LINE_AA)
    else:
        d = _as_bgr(deidentified, "de-identified")
        if d.shape[:2] != (h, w):
            d = cv2.resize(d, (w, h), interpolation=cv2.INTER_AREA)
        deid = cv2.resize(d[y0:y1, x0:x1], (size, size), interpolation=cv2.INTER_AREA)
    return orig, deid


def contact_sheet(entries: Sequence[tuple[AuditFace, np.ndarray, np.ndarray]],
                  columns: int = 3, size: int = 128) -> np.ndarray:
    """Tiles of ``original | de-identified`` crops with a label (verdict, distance,
    detectors after), in the given order."""
    label_h = 46
    tile_w, tile_h = 2 * size + 6, size + label_h
    n = max(1, len(entries))
    cols = min(columns, n)
    rows = math.ceil(n / cols)
    sheet = np.full((rows * tile_h, cols * tile_w, 3), 255, np.uint8)
    if not entries:
        cv2.putText(sheet, "no faces", (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 1)
        return sheet
    for k, (face, orig, deid) in enumerate(entries):
        r, c = divmod(k, cols)
        x, y = c * tile_w, r * tile_h
        sheet[y:y + size, x:x + size] = cv2.resize(orig, (size, size))
        sheet[y:y + size, x + size + 2:x + 2 * size + 2] = cv2.resize(deid, (size, size))
        colour = (0, 0, 220) if face.leaked else (0, 140, 255) if face.void else (0, 140, 0)
        verdict = "LEAK" if face.leaked else "void" if face.void else "ok"
        text1 = f"{verdict} f{face.frame} d={_fmt(face.distance)}" + \
            (" r1" if face.rank1_correct else "")
        text2 = "after: " + (",".join(face.detectors_after) or "-")
        text3 = "before: " + ",".join(face.detectors)
        for i, t in enumerate((text1, text2, text3)):
            cv2.putText(sheet, t[:44], (x + 2, y + size + 13 + 14 * i),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.38, colour if i == 0 else (0, 0, 0), 1,
                        cv2.LINE_AA)
    return sheet


def worst_faces(report: AuditReport, limit: int = 24) -> list[AuditFace]:
    return sorted(report.faces, key=_severity)[:limit]


def write_contact_sheet(report: AuditReport, originals: Sequence[np.ndarray],
                        deidentified: Sequence[np.ndarray | None],
                        path: str | pathlib.Path, limit: int = 24) -> pathlib.Path:
    """PNG of the worst ``limit`` faces (leaked first, then void, then nearest distance).

    It shows ORIGINAL face crops: treat the file as private data."""
    entries = []
    for face in worst_faces(report, limit):
        orig, deid = face_crops(face, originals[face.frame], deidentified[face.frame])
        entries.append((face, orig, deid))
    path = pathlib.Path(path)
    if not cv2.imwrite(str(path), contact_sheet(entries)):
        raise AuditError(f"cannot write contact sheet {path}")
    return path
