"""What the de-identification face finder can see: detection rate per detector by face
width and by in-plane rotation, at 640x480.

Each real source face of the scene generator (photographic faces only: group photos,
portraits; not the 25 px LFW crops, not the animated ones) is pasted alone, with its soft
alpha, at the centre of a plain mid-grey frame at a given width and angle, and the finder's
detectors run on that frame. A face counts as found by a detector when one of its boxes
contains the face's centre. ``emo-perception bench --finder-limits`` prints the tables
(docs/benchmarks.md holds the measured ones; the README quotes the summary).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from emo_perception.perception.types import Box

WIDTHS = (16, 20, 24, 32, 40, 48, 64, 80, 112, 160, 220, 300)
ANGLES = (0, 15, 30, 45, 60, 90)
FRAME = (640, 480)


def _paste(face: Any, width: float, angle: float) -> tuple[np.ndarray, Box]:
    import cv2

    from emo_perception.audit.scenes import _affine, _box_through

    w, h = FRAME
    fx, fy, fw, fh = face.face
    m = _affine(width / fw, angle, (fx + fw / 2, fy + fh / 2), (w / 2, h / 2))
    rgba = face.rgba.astype(np.float32)
    warped = cv2.warpAffine(rgba, m, (w, h), flags=cv2.INTER_AREA if width < fw
                            else cv2.INTER_LINEAR, borderValue=0)
    alpha = warped[..., 3:4] / 255.0
    canvas = np.full((h, w, 3), 118.0) * (1 - alpha) + warped[..., :3] * alpha
    return np.clip(canvas, 0, 255).astype(np.uint8), Box(*_box_through(m, face.face))


def measure(widths: Sequence[int] = WIDTHS, angles: Sequence[int] = ANGLES,
            finder_cfg: Any = None) -> dict[str, Any]:
    """{"by_width": {width: {source: rate}}, "by_angle": {...}, "faces": n}."""
    from emo_perception.audit.scenes import load_sources
    from emo_perception.perception.face_finder import FaceFinder, FaceFinderConfig

    faces = [f for f in load_sources().faces if not f.animated and f.face[2] >= 60]
    finder = FaceFinder(finder_cfg or FaceFinderConfig())
    sources = [*finder.cfg.enabled_sources(), "union"]

    def rates(cases: list[tuple[float, float]]) -> dict[str, float]:
        hits = {s: 0 for s in sources}
        for face in faces:
            for width, angle in cases:
                rgb, box = _paste(face, width, angle)
                cx, cy = box.center
                found = {f.source for f in finder.find(rgb)
                         if f.box.x <= cx <= f.box.x + f.box.w
                         and f.box.y <= cy <= f.box.y + f.box.h}
                for s in found:
                    hits[s] += 1
                hits["union"] += bool(found)
        n = len(faces) * len(cases)
        return {s: round(v / n, 3) for s, v in hits.items()}

    by_width = {int(w): rates([(w, 0.0)]) for w in widths}
    by_angle = {int(a): rates([(120.0, a), (120.0, -a)]) for a in angles}
    finder.close()
    return {"faces": len(faces), "sources": sources, "by_width": by_width,
            "by_angle": by_angle}


def format_markdown(result: dict[str, Any]) -> str:
    sources = result["sources"]
    head = "| {} | " + " | ".join(sources) + " |"
    rule = "|---" * (len(sources) + 1) + "|"
    out = [f"{result['faces']} real faces, each alone on mid-grey at 640x480; share found "
           "(a box containing the face centre).", "", head.format("face width px"), rule]
    for w, r in result["by_width"].items():
        out.append(f"| {w} | " + " | ".join(f"{r[s]:.0%}" for s in sources) + " |")
    out += ["", head.format("rotation (±deg, 120 px)"), rule]
    for a, r in result["by_angle"].items():
        out.append(f"| {a} | " + " | ".join(f"{r[s]:.0%}" for s in sources) + " |")
    return "\n".join(out)
