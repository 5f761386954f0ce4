"""Adversarial face scenes with exact ground truth, for testing de-identification (#11).

Real faces (group photos, portraits, LFW crops, animated faces) are located in their
source photos by a method that shares nothing with the de-identifier (dlib's HOG detector
and OpenCV's Haar profile cascade; never mediapipe), cut out with a generous margin and a
soft elliptical alpha, and composited onto real photos without faces: 24-260 px wide,
rotated up to +-25 deg, brightness 0.5-1.4, grey or colour, flipped, partly beyond the
frame edge, 1-4 per 640x480 frame, with JPEG artefacts, noise or blur on some. Whole group
photos (and sub-crops of them) give real multi-face scenes without compositing, and a cut
track holds scenes k frames each with abrupt cuts, written as PNG and as an .avi.

Every pasted face is known exactly (the compositing put it there), so the truth JSON is
ground truth by construction. Everything is drawn from seeded numpy Generators (one per
scene), so a preset and seed give the same bytes on the same library versions; the
hashes of the frozen presets are in docs/deid_test_data.md and checked by
test/test_scenes.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import math
import os
import pathlib
from typing import Callable, Iterator

import numpy as np

GENERATOR_VERSION = 1
FRAME_W, FRAME_H = 640, 480
REPO = pathlib.Path(__file__).resolve().parents[2]
FACE_API_DIR = REPO / ".cache" / "media" / "face-api-demo"
CACHE_DIR = REPO / ".cache" / "scenes"
OPENCV_DATA = pathlib.Path("/usr/share/doc/opencv-doc/examples/data")

# Background photos without human faces (baboon and chelsea: animal faces, negatives).
OPENCV_BACKGROUNDS = ("building.jpg", "home.jpg", "fruits.jpg", "baboon.jpg",
                      "starry_night.jpg", "aero1.jpg", "aero3.jpg", "leuvenA.jpg",
                      "stuff.jpg", "orange.jpg", "squirrel_cls.jpg", "graf1.png")
SKIMAGE_BACKGROUNDS = ("coffee", "chelsea", "rocket", "hubble_deep_field")
GROUP_PHOTOS = tuple(f"sample{i}.jpg" for i in range(1, 7))

# Truth face box = the dlib HOG rectangle (brows to lower lip) grown to forehead and chin.
GROW_LEFT_RIGHT, GROW_UP, GROW_DOWN = 0.10, 0.25, 0.10
# Crop around a face: this many face widths / heights (hair, chin, some neck).
CROP_W, CROP_H = 2.0, 2.2


# Faces located in the source files (dlib HOG 19.x/20.x, Haar profile; see _detect_faces),
# reviewed by eye on 2026-12-01 and frozen here so that the truth does not move with a
# detector version: the astronaut's mission patch (a dlib false positive) is dropped and
# the two faces dlib and Haar both missed in sample2.jpg (a profile looking down, a face
# looking down under hair) were boxed by hand ("manual"). Keyed by source, checked by the
# file's sha256; a source whose bytes differ is located afresh.
FROZEN_FACES: dict[str, tuple[str, list[tuple[tuple[float, float, float, float], str, bool]]]] = {
    "face-api-demo/sample1.jpg": ("8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51", [
        ((360.0, 332.2, 234.0, 263.2), "dlib-hog", False),
        ((811.5, 417.8, 234.0, 263.2), "dlib-hog", False),
        ((1435.5, 203.2, 234.0, 263.2), "dlib-hog", False),
    ]),
    "face-api-demo/sample2.jpg": ("7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691", [
        ((355.0, 120.0, 235.0, 310.0), "manual", True),
        ((900.0, 235.0, 175.0, 235.0), "manual", False),
        ((1435.5, 159.8, 234.0, 263.2), "dlib-hog", False),
    ]),
    "face-api-demo/sample3.jpg": ("8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936", [
        ((536.1, 295.5, 280.8, 315.9), "dlib-hog", False),
        ((1026.6, 217.5, 280.8, 315.9), "dlib-hog", False),
        ((1479.0, 309.8, 234.0, 263.2), "dlib-hog", False),
    ]),
    "face-api-demo/sample4.jpg": ("729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc", [
        ((180.0, 175.5, 297.0, 297.0), "haar-profile", True),
        ((588.8, 37.5, 279.0, 315.9), "dlib-hog", False),
        ((940.5, 159.8, 234.0, 263.2), "dlib-hog", False),
        ((1231.8, 169.5, 194.4, 218.7), "dlib-hog", False),
    ]),
    "face-api-demo/sample5.jpg": ("6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938", [
        ((360.0, 890.2, 234.0, 263.2), "dlib-hog", False),
        ((622.8, 438.0, 194.4, 218.7), "dlib-hog", False),
        ((769.5, 74.2, 234.0, 263.2), "dlib-hog", False),
        ((1069.5, 180.8, 234.0, 263.2), "dlib-hog", False),
        ((1371.0, 396.8, 234.0, 263.2), "dlib-hog", False),
    ]),
    "face-api-demo/sample6.jpg": ("9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87", [
        ((227.1, 475.5, 280.8, 315.9), "dlib-hog", False),
        ((614.1, 321.0, 280.8, 315.9), "dlib-hog", False),
        ((1156.5, 332.2, 234.0, 263.2), "dlib-hog", False),
        ((1439.1, 270.0, 280.8, 315.9), "dlib-hog", False),
    ]),
    "matplotlib/grace_hopper.jpg": ("a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130", [
        ((161.3, 92.2, 224.4, 252.5), "dlib-hog", False),
    ]),
    "opencv-doc/Megamind.avi@0": ("0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5", [
    ]),
    "opencv-doc/Megamind.avi@120": ("0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5", [
        ((347.4, 113.5, 223.2, 251.1), "dlib-hog", False),
    ]),
    "opencv-doc/Megamind.avi@30": ("0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5", [
        ((226.0, 163.5, 156.0, 175.5), "dlib-hog", False),
    ]),
    "opencv-doc/Megamind.avi@60": ("0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5", [
        ((220.5, 180.0, 186.0, 210.6), "dlib-hog", False),
    ]),
    "opencv-doc/Megamind.avi@90": ("0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5", [
        ((220.5, 111.0, 186.0, 210.6), "dlib-hog", False),
    ]),
    "opencv-doc/messi5.jpg": ("1d570e49654e84c7a943918537bd9e5e1ef82920152e147c834006e235be97c9", [
        ((221.3, 84.8, 44.4, 50.0), "dlib-hog", False),
    ]),
    "skimage/astronaut.png": ("88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5", [
        ((165.9, 53.2, 109.2, 122.9), "dlib-hog", False),
    ]),
}


# --------------------------------------------------------------------------- config

@dataclasses.dataclass(frozen=True)
class SceneConfig:
    """What a scene set holds. Counts are scenes; frames = scenes x frames held."""

    name: str = "custom"
    seed: int = 0
    composite_scenes: int = 9      # stills: faces pasted on a background
    still_hold: int = 2            # frames per still scene (faces drift a few px)
    group_photos: int = 1          # stills: whole group photo, cropped to 4:3
    group_subcrops: int = 1        # stills: a 4:3 window of a group photo
    negatives: int = 1             # stills: background only (animal faces allowed)
    cut_scenes: int = 4            # cut track: scenes held cut_hold frames, abrupt cuts
    cut_hold: int = 8
    fps: float = 30.0
    max_faces: int = 4
    width_range: tuple[int, int] = (24, 260)
    max_angle: float = 25.0
    brightness_range: tuple[float, float] = (0.5, 1.4)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


PRESETS: dict[str, SceneConfig] = {
    "ci": SceneConfig(name="ci", seed=1101, composite_scenes=9, still_hold=2,
                      group_photos=1, group_subcrops=1, negatives=1,
                      cut_scenes=4, cut_hold=8),
    "bench": SceneConfig(name="bench", seed=2202, composite_scenes=120, still_hold=2,
                         group_photos=4, group_subcrops=8, negatives=6,
                         cut_scenes=20, cut_hold=15),
}


def resolve_config(preset: str | SceneConfig, seed: int | None = None) -> SceneConfig:
    if isinstance(preset, SceneConfig):
        cfg = preset
    elif preset in PRESETS:
        cfg = PRESETS[preset]
    else:
        raise ValueError(f"unknown preset {preset!r} (known: {', '.join(PRESETS)})")
    if seed is not None:
        cfg = dataclasses.replace(cfg, seed=int(seed))
    return cfg


# --------------------------------------------------------------------------- sources

@dataclasses.dataclass
class SourceFace:
    key: str                  # unique, e.g. "sample3.jpg#2"
    identity: str             # same person in different photos only where known
    source: str               # source id, e.g. "face-api-demo/sample3.jpg"
    detector: str             # how the face was located
    rgba: np.ndarray          # crop, RGB + soft elliptical alpha, uint8
    face: tuple[float, float, float, float]   # truth face box in crop pixels (x, y, w, h)
    animated: bool = False
    profile: bool = False


@dataclasses.dataclass
class SourcePhoto:
    name: str
    source: str
    rgb: np.ndarray
    faces: list[tuple[str, tuple[float, float, float, float]]]   # (face key, box in photo)


@dataclasses.dataclass
class Sources:
    faces: list[SourceFace]
    photos: list[SourcePhoto]
    backgrounds: list[tuple[str, np.ndarray]]
    manifest: list[dict]      # every source file used: id, sha256, licence


def _cv2():
    import cv2

    cv2.setNumThreads(1)      # same results whatever the core count
    return cv2


def _sha256_file(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_rgb(path: pathlib.Path) -> np.ndarray:
    cv2 = _cv2()
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f"cannot read image {path}")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def _skimage_data_dir() -> pathlib.Path:
    spec = importlib.util.find_spec("skimage")
    return pathlib.Path(spec.origin).parent / "data"


def _grace_hopper_path() -> pathlib.Path:
    spec = importlib.util.find_spec("matplotlib")
    return pathlib.Path(spec.origin).parent / "mpl-data" / "sample_data" / "grace_hopper.jpg"


def missing_sources() -> list[str]:
    """Source files this machine lacks (a set made without them would differ)."""
    need = [FACE_API_DIR / n for n in GROUP_PHOTOS]
    need += [OPENCV_DATA / n for n in OPENCV_BACKGROUNDS + ("messi5.jpg", "Megamind.avi")]
    need += [_skimage_data_dir() / n for n in ("astronaut.png", "lfw_subset.npy", "coffee.png",
                                                "chelsea.png", "rocket.jpg",
                                                "hubble_deep_field.jpg")]
    need.append(_grace_hopper_path())
    return [str(p) for p in need if not p.is_file()]


def _grow(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return (x - GROW_LEFT_RIGHT * w, y - GROW_UP * h, w * (1 + 2 * GROW_LEFT_RIGHT),
            h * (1 + GROW_UP + GROW_DOWN))


def _iou(a, b) -> float:
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    ih = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    inter = iw * ih
    return inter / max(1e-9, a[2] * a[3] + b[2] * b[3] - inter)


def _detect_faces(rgb: np.ndarray, profiles: bool) -> list[dict]:
    """dlib HOG frontal faces (+ Haar profiles in both directions), boxes in image pixels."""
    import dlib

    cv2 = _cv2()
    h, w = rgb.shape[:2]
    scale = min(1.0, 1280.0 / max(h, w))
    small = cv2.resize(rgb, (round(w * scale), round(h * scale)),
                       interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    upsample = 1 if max(small.shape[:2]) > 400 else 2
    rects, scores, _ = dlib.get_frontal_face_detector().run(np.ascontiguousarray(small),
                                                            upsample, 0.0)
    found = []
    for r, s in zip(rects, scores):
        box = (r.left() / scale, r.top() / scale, r.width() / scale, r.height() / scale)
        found.append({"box": [round(v, 1) for v in _grow(box)], "score": round(float(s), 3),
                      "detector": "dlib-hog", "profile": False})
    if profiles:
        cascade = cv2.CascadeClassifier(os.path.join(cv2.data.haarcascades,
                                                     "haarcascade_profileface.xml"))
        grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        sw = grey.shape[1]
        min_side = max(40, sw // 30)
        for flipped in (False, True):
            img = grey[:, ::-1].copy() if flipped else grey
            hits = cascade.detectMultiScale(img, scaleFactor=1.1, minNeighbors=8,
                                            minSize=(min_side, min_side))
            for (x, y, bw, bh) in (hits if len(hits) else []):
                if flipped:
                    x = sw - x - bw
                box = (x / scale, y / scale, bw / scale, bh / scale)
                if any(_iou(box, f["box"]) > 0.1 or _inside(box, f["box"]) for f in found):
                    continue
                found.append({"box": [round(v, 1) for v in box], "score": 0.0,
                              "detector": "haar-profile", "profile": True})
    found.sort(key=lambda f: (f["box"][0], f["box"][1]))
    return found


def _inside(a, b) -> bool:
    cx, cy = a[0] + a[2] / 2, a[1] + a[3] / 2
    return b[0] <= cx <= b[0] + b[2] and b[1] <= cy <= b[1] + b[3]


def _soft_ellipse(h: int, w: int, cx: float, cy: float, rx: float, ry: float,
                  inner: float = 0.7) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((xx + 0.5 - cx) / rx) ** 2 + ((yy + 0.5 - cy) / ry) ** 2)
    t = np.clip((1.0 - r) / (1.0 - inner), 0.0, 1.0)
    alpha = t * t * (3 - 2 * t)                      # smoothstep: no hard edge
    ramp = max(2.0, 0.06 * min(h, w))                # and fade at a clipped crop border
    d = np.minimum(np.minimum(xx + 0.5, w - xx - 0.5), np.minimum(yy + 0.5, h - yy - 0.5))
    alpha *= np.clip(d / ramp, 0.0, 1.0)
    return alpha


def _crop_face(rgb: np.ndarray, box) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """RGBA crop with a generous margin around a face box; the box in crop pixels."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2 - 0.05 * h
    cw, ch = CROP_W * w, CROP_H * h
    x0, y0 = int(math.floor(cx - cw / 2)), int(math.floor(cy - ch / 2))
    x1, y1 = int(math.ceil(cx + cw / 2)), int(math.ceil(cy + ch / 2))
    H, W = rgb.shape[:2]
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    crop = rgb[cy0:cy1, cx0:cx1]
    alpha = _soft_ellipse(crop.shape[0], crop.shape[1], cx - cx0, cy - cy0, cw / 2, ch / 2)
    rgba = np.dstack([crop, np.round(alpha * 255).astype(np.uint8)])
    return rgba, (x - cx0, y - cy0, w, h)


def _detections_cached(key: str, sha: str, compute: Callable[[], list[dict]]) -> list[dict]:
    frozen = FROZEN_FACES.get(key)
    if frozen is not None and frozen[0] == sha:
        return [{"box": list(b), "detector": d, "profile": p, "score": None}
                for b, d, p in frozen[1]]
    path = CACHE_DIR / f"v{GENERATOR_VERSION}" / "detections.json"
    table = {}
    if path.is_file():
        try:
            table = json.loads(path.read_text())
        except ValueError:
            table = {}
    entry = table.get(key)
    if entry and entry.get("sha256") == sha:
        return entry["faces"]
    faces = compute()
    table[key] = {"sha256": sha, "faces": faces}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(table, indent=1, sort_keys=True))
    tmp.replace(path)
    return faces


def _write_crop_cache(face: SourceFace) -> None:
    cv2 = _cv2()
    folder = CACHE_DIR / f"v{GENERATOR_VERSION}" / "crops"
    folder.mkdir(parents=True, exist_ok=True)
    name = face.key.replace("/", "_").replace("#", "_") + ".png"
    path = folder / name
    if not path.exists():
        bgra = cv2.cvtColor(face.rgba, cv2.COLOR_RGBA2BGRA)
        cv2.imwrite(str(path), bgra)


def load_sources(progress: Callable[[str], None] | None = None) -> Sources:
    """Locate every source face (cached detections) and load the backgrounds."""
    missing = missing_sources()
    if missing:
        raise FileNotFoundError("scene sources missing: " + ", ".join(missing)
                                + " (run scripts/fetch_test_media.sh; apt opencv-doc)")
    cv2 = _cv2()
    faces: list[SourceFace] = []
    photos: list[SourcePhoto] = []
    manifest: list[dict] = []
    sk = _skimage_data_dir()

    def add_photo(source: str, path: pathlib.Path, rgb: np.ndarray, licence: str,
                  identity: Callable[[int], str], profiles: bool, group: bool,
                  single: bool = False) -> None:
        sha = _sha256_file(path)
        manifest.append({"source": source, "sha256": sha, "licence": licence})
        if progress:
            progress(source)
        dets = _detections_cached(source, sha, lambda: _detect_faces(rgb, profiles))
        if single and dets:                # a portrait: its one sitter, not a patch or badge
            dets = [max(dets, key=lambda d: d["box"][2] * (d["score"] or 1.0))]
        keyed = []
        for i, d in enumerate(dets):
            key = f"{source}#{i}"
            rgba, fbox = _crop_face(rgb, d["box"])
            faces.append(SourceFace(key, identity(i), source, d["detector"], rgba, fbox,
                                    profile=d["profile"]))
            keyed.append((key, tuple(d["box"])))
        if group:
            photos.append(SourcePhoto(path.name, source, rgb, keyed))

    for name in GROUP_PHOTOS:
        p = FACE_API_DIR / name
        stem = p.stem
        add_photo(f"face-api-demo/{name}", p, _read_rgb(p),
                  "MIT (@vladmandic/face-api 1.7.15 demo/ folder)",
                  lambda i, s=stem: f"{s}_p{i}", profiles=True, group=True)
    add_photo("skimage/astronaut.png", sk / "astronaut.png", _read_rgb(sk / "astronaut.png"),
              "public domain (NASA), per scikit-image", lambda i: "eileen_collins", profiles=False, group=False,
              single=True)
    gh = _grace_hopper_path()
    add_photo("matplotlib/grace_hopper.jpg", gh, _read_rgb(gh),
              "US Navy photo, public domain; shipped with matplotlib sample_data",
              lambda i: "grace_hopper", profiles=False, group=False, single=True)
    messi = OPENCV_DATA / "messi5.jpg"
    add_photo("opencv-doc/messi5.jpg", messi, _read_rgb(messi),
              "opencv-doc sample data (Debian package, OpenCV licence)",
              lambda i: f"messi5_p{i}", profiles=True, group=False)

    # Megamind (animated): one frame in 30, the dlib detections of up to 4 frames.
    mm = OPENCV_DATA / "Megamind.avi"
    mm_sha = _sha256_file(mm)
    manifest.append({"source": "opencv-doc/Megamind.avi", "sha256": mm_sha,
                     "licence": "opencv-doc sample data (Debian package, OpenCV licence)"})
    cap = cv2.VideoCapture(str(mm))
    mm_frames = {}
    idx = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        if idx % 30 == 0:
            mm_frames[idx] = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        idx += 1
    cap.release()
    kept = 0
    for fi in sorted(mm_frames):
        if kept >= 4:
            break
        src = f"opencv-doc/Megamind.avi@{fi}"
        rgb = mm_frames[fi]
        dets = _detections_cached(src, mm_sha, lambda rgb=rgb: _detect_faces(rgb, False))
        if not dets:
            continue
        d = max(dets, key=lambda d: d["box"][2])
        rgba, fbox = _crop_face(rgb, d["box"])
        faces.append(SourceFace(f"{src}#0", "megamind", src, d["detector"], rgba, fbox,
                                animated=True))
        kept += 1

    # LFW subset: 100 real 25x25 grey face crops (tight), for small far faces.
    lfw = np.load(sk / "lfw_subset.npy")
    manifest.append({"source": "skimage/lfw_subset.npy", "sha256": _sha256_file(
        sk / "lfw_subset.npy"), "licence": "LFW subset shipped with scikit-image "
                                           "(LFW: research use)"})
    for i in range(100):
        g = lfw[i]
        if g.dtype != np.uint8:
            g = np.clip(np.round(g * 255 if g.max() <= 1.0 else g), 0, 255).astype(np.uint8)
        rgb = np.dstack([g, g, g])
        alpha = _soft_ellipse(25, 25, 12.5, 12.5, 14.5, 15.5, inner=0.75)
        rgba = np.dstack([rgb, np.round(alpha * 255).astype(np.uint8)])
        faces.append(SourceFace(f"skimage/lfw_subset#{i}", f"lfw_subset_{i}",
                                "skimage/lfw_subset.npy", "lfw-crop", rgba,
                                (2.0, 2.0, 21.0, 21.0)))

    backgrounds: list[tuple[str, np.ndarray]] = []
    for name in OPENCV_BACKGROUNDS:
        p = OPENCV_DATA / name
        manifest.append({"source": f"opencv-doc/{name}", "sha256": _sha256_file(p),
                         "licence": "opencv-doc sample data (Debian package, OpenCV licence)"})
        backgrounds.append((f"opencv-doc/{name}", _read_rgb(p)))
    sk_lic = {"coffee": "CC0 (Rachel Michetti), per scikit-image",
              "chelsea": "CC0 (Stefan van der Walt), per scikit-image",
              "rocket": "public domain (SpaceX), per scikit-image",
              "hubble_deep_field": "public domain (NASA), per scikit-image"}
    for name in SKIMAGE_BACKGROUNDS:
        p = next(sk.glob(f"{name}.*"))
        manifest.append({"source": f"skimage/{p.name}", "sha256": _sha256_file(p),
                         "licence": sk_lic[name]})
        backgrounds.append((f"skimage/{p.name}", _read_rgb(p)))

    for f in faces:
        _write_crop_cache(f)
    return Sources(faces, photos, backgrounds, manifest)


# --------------------------------------------------------------------------- geometry

def _affine(scale: float, angle_deg: float, src_c: tuple[float, float],
            dst_c: tuple[float, float]) -> np.ndarray:
    """2x3 matrix: scale and rotate about the source point src_c, which lands on dst_c."""
    a = math.radians(angle_deg)
    ca, sa = math.cos(a) * scale, math.sin(a) * scale
    rot = np.array([[ca, sa], [-sa, ca]])          # positive angle = counter-clockwise
    m = np.zeros((2, 3))
    m[:, :2] = rot
    m[:, 2] = np.array(dst_c) - rot @ np.array(src_c)
    return m


def _box_through(m: np.ndarray, box) -> tuple[float, float, float, float]:
    x, y, w, h = box
    pts = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]]).T
    q = m @ pts
    x0, y0 = q[0].min(), q[1].min()
    return (float(x0), float(y0), float(q[0].max() - x0), float(q[1].max() - y0))


def _clip_box(box, W=FRAME_W, H=FRAME_H) -> tuple[float, float, float, float] | None:
    x0, y0 = max(0.0, box[0]), max(0.0, box[1])
    x1, y1 = min(float(W), box[0] + box[2]), min(float(H), box[1] + box[3])
    if x1 <= x0 or y1 <= y0:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def _r(v, nd=2):
    return [round(float(x), nd) for x in v]


# --------------------------------------------------------------------------- scenes

def _background(rng: np.random.Generator, backgrounds, name_filter=None) -> tuple[str, np.ndarray]:
    cv2 = _cv2()
    pool = [b for b in backgrounds if name_filter is None or name_filter(b[0])]
    name, img = pool[int(rng.integers(len(pool)))]
    H, W = img.shape[:2]
    full_w = min(W, H * 4 / 3)
    frac = float(rng.uniform(0.55, 1.0))
    cw = max(32.0, full_w * frac)
    ch = cw * 3 / 4
    x0 = float(rng.uniform(0, W - cw))
    y0 = float(rng.uniform(0, H - ch))
    sx, sy = FRAME_W / cw, FRAME_H / ch
    m = np.array([[sx, 0, -x0 * sx], [0, sy, -y0 * sy]])
    interp = cv2.INTER_AREA if sx < 1 else cv2.INTER_LINEAR
    bg = cv2.warpAffine(img, m, (FRAME_W, FRAME_H), flags=interp,
                        borderMode=cv2.BORDER_REFLECT)
    if rng.random() < 0.5:
        bg = bg[:, ::-1].copy()
    return name, bg


def _photometric(rgba: np.ndarray, brightness: float, contrast: float, grey: bool) -> np.ndarray:
    rgb = rgba[..., :3].astype(np.float32)
    if grey:
        g = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
        rgb = np.repeat(g[..., None], 3, axis=2)
    a = rgba[..., 3:4].astype(np.float32) / 255
    mean = float((rgb * a).sum() / max(1e-6, 3 * a.sum()))
    rgb = (rgb - mean) * contrast + mean
    rgb = rgb * brightness
    return np.dstack([np.clip(np.round(rgb), 0, 255).astype(np.uint8), rgba[..., 3]])


def _pick_width(rng: np.random.Generator, cfg: SceneConfig) -> float:
    lo, hi = cfg.width_range
    u = rng.random()
    if u < 0.25:                      # small / far
        return float(rng.uniform(lo, min(70, hi)))
    if u < 0.85:                      # the band the new user found misses in
        return float(rng.uniform(max(lo, 70), min(220, hi)))
    return float(rng.uniform(min(220, hi), hi))


def _pick_face(rng: np.random.Generator, faces: list[SourceFace], width: float) -> SourceFace:
    lfw = [f for f in faces if f.detector == "lfw-crop"]
    other = [f for f in faces if f.detector != "lfw-crop" and f.face[2] * 2.5 >= width]
    if width <= 60 and rng.random() < 0.5:
        pool = lfw
    else:
        pool = other or [f for f in faces if f.detector != "lfw-crop"]
    return pool[int(rng.integers(len(pool)))]


def _plan_composite(rng: np.random.Generator, cfg: SceneConfig, sources: Sources,
                    hold: int) -> dict:
    n = int(rng.integers(1, cfg.max_faces + 1))
    placed = []
    for _ in range(n):
        for _try in range(40):
            width = _pick_width(rng, cfg)
            face = _pick_face(rng, sources.faces, width)
            scale = width / face.face[2]
            angle = float(rng.uniform(-cfg.max_angle, cfg.max_angle))
            fw, fh = width, face.face[3] * scale
            edge = rng.random() < 0.2
            if edge:                          # centre near or beyond a frame edge
                side = int(rng.integers(4))
                along_x = float(rng.uniform(0, FRAME_W))
                along_y = float(rng.uniform(0, FRAME_H))
                off = float(rng.uniform(-0.3, 0.45))
                cx, cy = [(off * fw, along_y), (FRAME_W - off * fw, along_y),
                          (along_x, off * fh), (along_x, FRAME_H - off * fh)][side]
            else:
                if fw + 8 > FRAME_W or fh + 8 > FRAME_H:
                    continue
                cx = float(rng.uniform(fw / 2 + 4, FRAME_W - fw / 2 - 4))
                cy = float(rng.uniform(fh / 2 + 4, FRAME_H - fh / 2 - 4))
            box = (cx - fw / 2, cy - fh / 2, fw, fh)
            if any(_iou(box, p["_box"]) > 0.0 for p in placed):
                continue
            m = 0.25 * fw                      # keep face boxes (plus a margin) apart
            placed.append({
                "key": face.key, "width": width, "angle": angle, "cx": cx, "cy": cy,
                "vx": float(rng.uniform(-2, 2)), "vy": float(rng.uniform(-1.5, 1.5)),
                "brightness": float(rng.uniform(*cfg.brightness_range)),
                "contrast": float(rng.uniform(0.7, 1.3)),
                "grey": bool(rng.random() < 0.2 or face.detector == "lfw-crop"),
                "flipped": bool(rng.random() < 0.5),
                "_box": (box[0] - m, box[1] - m, fw + 2 * m, fh + 2 * m)})
            break
    return {"faces": placed}


def _degradation(rng: np.random.Generator) -> dict:
    d = {}
    if rng.random() < 0.3:
        d["jpeg_quality"] = int(rng.integers(30, 81))
    if rng.random() < 0.25:
        d["noise_sigma"] = round(float(rng.uniform(2, 8)), 2)
    if rng.random() < 0.2:
        d["blur_sigma"] = round(float(rng.uniform(0.6, 1.6)), 2)
    return d


def _degrade(img: np.ndarray, d: dict, rng: np.random.Generator) -> np.ndarray:
    cv2 = _cv2()
    out = img
    if "blur_sigma" in d:
        out = cv2.GaussianBlur(out, (0, 0), d["blur_sigma"])
    if "noise_sigma" in d:
        noise = rng.normal(0.0, d["noise_sigma"], out.shape)
        out = np.clip(np.round(out.astype(np.float64) + noise), 0, 255).astype(np.uint8)
    if "jpeg_quality" in d:
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, d["jpeg_quality"]])
        out = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return out


@dataclasses.dataclass
class RenderedFrame:
    frame: np.ndarray          # final RGB uint8 (H, W, 3)
    clean: np.ndarray          # composite before frame-level grey / degradation
    background: np.ndarray     # background before any face was pasted
    alphas: list[np.ndarray]   # per face (same order as truth faces): alpha in frame, float
    truth: dict                # this frame's truth record


def _face_record(identity, face: SourceFace, full, paste_full, extra: dict) -> dict | None:
    vis = _clip_box(full)
    if vis is None:
        return None
    area_full = full[2] * full[3]
    rec = {"identity": identity, "source": face.source, "source_face": face.key,
           "detector": face.detector, "animated": face.animated, "profile": face.profile,
           "box": _r(vis), "full_box": _r(full),
           "edge_clipped": round(1.0 - vis[2] * vis[3] / area_full, 3)}
    pv = _clip_box(paste_full)
    rec["paste_box"] = _r(pv) if pv else None
    rec.update(extra)
    return rec


def _render_composite(plan: dict, t: int, bg: np.ndarray, faces_by_key: dict) -> tuple:
    cv2 = _cv2()
    canvas = bg.astype(np.float32)
    records, alphas = [], []
    for p in plan["faces"]:
        face = faces_by_key[p["key"]]
        scale = p["width"] / face.face[2]
        fx, fy, fw, fh = face.face
        cx, cy = p["cx"] + p["vx"] * t, p["cy"] + p["vy"] * t
        cw = face.rgba.shape[1]
        fbox = (cw - fx - fw, fy, fw, fh) if p["flipped"] else face.face
        src = _photometric(face.rgba, p["brightness"], p["contrast"], p["grey"])
        if p["flipped"]:
            src = src[:, ::-1].copy()
        m = _affine(scale, p["angle"], (fbox[0] + fw / 2, fy + fh / 2), (cx, cy))
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        # premultiplied alpha so colour never bleeds from the transparent border
        pre = src[..., :3].astype(np.float32) * (src[..., 3:4].astype(np.float32) / 255)
        warped = cv2.warpAffine(np.dstack([pre, src[..., 3].astype(np.float32) / 255]), m,
                                (FRAME_W, FRAME_H), flags=interp,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        a = np.clip(warped[..., 3], 0.0, 1.0)
        canvas = canvas * (1 - a[..., None]) + warped[..., :3]
        full = _box_through(m, fbox)
        paste = _box_through(m, (0, 0, face.rgba.shape[1], face.rgba.shape[0]))
        rec = _face_record(face.identity, face, full, paste, {
            "width_px": round(full[2], 1), "face_width_px": round(p["width"], 1),
            "angle": round(p["angle"], 2), "brightness": round(p["brightness"], 3),
            "contrast": round(p["contrast"], 3), "grey": p["grey"], "flipped": p["flipped"],
            "composited": True})
        if rec is not None:
            records.append(rec)
            alphas.append(a)
    # how much of each face box the faces pasted after it cover (their hair / margin)
    cover = np.zeros((FRAME_H, FRAME_W), np.float32)
    for rec, a in zip(reversed(records), reversed(alphas)):
        x, y, w, h = rec["box"]
        x0, y0 = int(x), int(y)
        x1, y1 = max(x0 + 1, int(math.ceil(x + w))), max(y0 + 1, int(math.ceil(y + h)))
        rec["occluded"] = round(float(cover[y0:y1, x0:x1].mean()), 3)
        cover = 1 - (1 - cover) * (1 - a)
    clean = np.clip(np.round(canvas), 0, 255).astype(np.uint8)
    return clean, records, alphas


def _photo_window(rng: np.random.Generator, photo: SourcePhoto, whole: bool):
    H, W = photo.rgb.shape[:2]
    if whole:
        cw = min(W, H * 4 / 3)
        x0, y0 = (W - cw) / 2, (H - cw * 3 / 4) / 2
    else:
        fx, fy, fw, fh = photo.faces[int(rng.integers(len(photo.faces)))][1]
        cw = float(rng.uniform(max(fw * 2.0, 0.3 * W), 0.7 * W))
        ch = cw * 3 / 4
        x0 = float(np.clip(fx + fw / 2 - rng.uniform(0.2, 0.8) * cw, 0, W - cw))
        y0 = float(np.clip(fy + fh / 2 - rng.uniform(0.3, 0.7) * ch, 0, H - ch))
    return x0, y0, cw


def _render_photo(win, t: int, photo: SourcePhoto, faces_by_key: dict, drift) -> tuple:
    cv2 = _cv2()
    x0, y0, cw = win
    x0, y0 = x0 + drift[0] * t * cw / FRAME_W, y0 + drift[1] * t * cw / FRAME_W
    s = FRAME_W / cw
    m = np.array([[s, 0, -x0 * s], [0, s, -y0 * s]])
    img = cv2.warpAffine(photo.rgb, m, (FRAME_W, FRAME_H), flags=cv2.INTER_AREA,
                         borderMode=cv2.BORDER_REFLECT)
    records = []
    for key, box in photo.faces:
        face = faces_by_key[key]
        full = _box_through(m, box)
        rec = _face_record(face.identity, face, full, full, {
            "width_px": round(full[2], 1), "face_width_px": round(full[2], 1), "angle": 0.0,
            "brightness": 1.0, "contrast": 1.0, "grey": False, "flipped": False,
            "composited": False})
        if rec is not None:
            rec["paste_box"] = None
            rec["occluded"] = 0.0
            records.append(rec)
    return img, records


def _scene_plan(cfg: SceneConfig) -> list[tuple[str, str, int]]:
    """(track, kind, hold) per scene, in order."""
    plan = [("stills", "composite", cfg.still_hold)] * cfg.composite_scenes
    plan += [("stills", "group_photo", cfg.still_hold)] * cfg.group_photos
    plan += [("stills", "group_subcrop", cfg.still_hold)] * cfg.group_subcrops
    plan += [("stills", "negative", cfg.still_hold)] * cfg.negatives
    cut = []
    for i in range(cfg.cut_scenes):
        kind = "composite"
        if i % 5 == 3:
            kind = "group_subcrop"
        elif i % 10 == 7:
            kind = "group_photo"
        cut.append(("cut", kind, cfg.cut_hold))
    return plan + cut


def render_scenes(cfg: SceneConfig, sources: Sources | None = None
                  ) -> Iterator[tuple[dict, list[RenderedFrame]]]:
    """Yield (scene record, its frames) in order; frame truth has no index or file yet."""
    sources = sources or load_sources()
    by_key = {f.key: f for f in sources.faces}
    track_id = {"stills": 1, "cut": 2}
    counters = {"stills": 0, "cut": 0}
    for si, (track, kind, hold) in enumerate(_scene_plan(cfg)):
        ti = counters[track]
        counters[track] += 1
        rng = np.random.default_rng([cfg.seed, GENERATOR_VERSION, track_id[track], ti])
        scene = {"index": si, "track": track, "track_index": ti, "kind": kind, "hold": hold}
        frame_grey = bool(rng.random() < 0.08)
        degr = _degradation(rng)
        scene["frame_grey"] = frame_grey
        scene["degradation"] = degr
        frames: list[RenderedFrame] = []
        if kind in ("composite", "negative"):
            bg_name, bg = _background(rng, sources.backgrounds,
                                      (lambda n: "baboon" in n or "chelsea" in n)
                                      if kind == "negative" and rng.random() < 0.6 else None)
            scene["background"] = bg_name
            plan = _plan_composite(rng, cfg, sources, hold) if kind == "composite" \
                else {"faces": []}
            for t in range(hold):
                clean, recs, alphas = _render_composite(plan, t, bg, by_key)
                frames.append(RenderedFrame(clean, clean, bg, alphas, {"faces": recs}))
        else:
            photo = sources.photos[int(rng.integers(len(sources.photos)))]
            scene["background"] = None
            scene["photo"] = photo.source
            win = _photo_window(rng, photo, kind == "group_photo")
            drift = (float(rng.uniform(-1.5, 1.5)), float(rng.uniform(-1, 1)))
            if kind == "group_photo":
                drift = (0.0, 0.0)
            for t in range(hold):
                img, recs = _render_photo(win, t, photo, by_key, drift)
                frames.append(RenderedFrame(img, img, img, [], {"faces": recs}))
        noise_rng = np.random.default_rng([cfg.seed, GENERATOR_VERSION, track_id[track], ti, 7])
        for fr in frames:
            out = fr.clean
            if frame_grey:
                g = _cv2().cvtColor(out, _cv2().COLOR_RGB2GRAY)
                out = np.dstack([g, g, g])
                for rec in fr.truth["faces"]:
                    rec["grey"] = True
            fr.frame = _degrade(out, degr, noise_rng) if degr else out
        yield scene, frames


# --------------------------------------------------------------------------- sets

@dataclasses.dataclass
class SceneSet:
    out_dir: pathlib.Path
    preset: str
    seed: int
    frame_paths: list[pathlib.Path]
    video_path: pathlib.Path | None
    truth_path: pathlib.Path
    truth: dict
    truth_sha256: str
    pixels_sha256: str

    def frames(self) -> Iterator[tuple[np.ndarray, dict]]:
        """(RGB frame, its truth record) read back from the PNGs."""
        for rec in self.truth["frames"]:
            yield _read_rgb(self.out_dir / rec["file"]), rec


def _json_bytes(obj) -> bytes:
    return (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode()


def _open_video(path: pathlib.Path, fps: float):
    cv2 = _cv2()
    for codec in ("FFV1", "MJPG"):
        params = [cv2.VIDEOWRITER_PROP_QUALITY, 100] if codec == "MJPG" else []
        w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps,
                            (FRAME_W, FRAME_H), params)
        if w.isOpened():
            return w, codec
        w.release()
    raise RuntimeError(f"cannot open a video writer for {path}")


def generate(cfg: SceneConfig, sources: Sources | None = None,
             sink: Callable[[int, str, np.ndarray], None] | None = None,
             progress: Callable[[int, int], None] | None = None) -> tuple[dict, str]:
    """Render a set in memory: the truth dict and the sha256 of all frames' RGB bytes.

    ``sink(frame_index, track, rgb)`` receives every frame in order (to write it)."""
    sources = sources or load_sources()
    plan = _scene_plan(cfg)
    pix = hashlib.sha256()
    scenes, frames = [], []
    total_frames = sum(h for _, _, h in plan)
    for scene, rendered in render_scenes(cfg, sources):
        start = len(frames)
        for t, fr in enumerate(rendered):
            i = len(frames)
            rec = {"index": i, "track": scene["track"], "scene": scene["index"], "t": t,
                   "file": f"{scene['track']}/{i:05d}.png", "faces": fr.truth["faces"]}
            frames.append(rec)
            pix.update(np.ascontiguousarray(fr.frame).tobytes())
            if sink:
                sink(i, scene["track"], fr.frame)
            if progress:
                progress(i + 1, total_frames)
        scene["frames"] = [start, len(frames)]
        scenes.append(scene)
    cut = [f["index"] for f in frames if f["track"] == "cut"]
    truth = {
        "generator": "emo_perception.audit.scenes", "version": GENERATOR_VERSION,
        "preset": cfg.name, "seed": cfg.seed, "config": cfg.as_dict(),
        "frame_size": [FRAME_W, FRAME_H],
        "conventions": {
            "box": "[x, y, w, h] frame pixels, visible part (clipped to the frame) of the "
                   "axis-aligned box around the rotated face box",
            "full_box": "the same box unclipped (may extend beyond the frame)",
            "face_box": "dlib HOG rectangle grown 10% left/right, 25% up, 10% down; "
                        "Haar profile box as found; LFW crop: 21x21 centre",
            "paste_box": "clipped box of the whole pasted crop (alpha > 0 lies inside); "
                         "null for uncomposited group photos",
            "edge_clipped": "1 - visible/full area of box",
            "occluded": "mean alpha, over box, of the crops pasted after this face (their "
                        "hair / margin covering it)",
            "group_photos": "faces found by dlib HOG + Haar profile in the full-res photo; "
                            "a face both missed is absent from the truth"},
        "sources": sorted(sources.manifest, key=lambda m: m["source"]),
        "scenes": scenes, "frames": frames,
        "cut_video": {"file": "cut.avi" if cut else None,
                      "frames": [cut[0], cut[-1] + 1] if cut else None, "fps": cfg.fps,
                      "cuts_at": [s["frames"][0] for s in scenes if s["track"] == "cut"]},
    }
    return truth, pix.hexdigest()


def make_scene_set(out_dir: str | os.PathLike, preset: str | SceneConfig = "ci",
                   seed: int | None = None, video: bool = True,
                   progress: Callable[[int, int], None] | None = None) -> SceneSet:
    """Generate a scene set into out_dir: stills/*.png, cut/*.png, cut.avi, truth.json,
    manifest.json (hashes)."""
    cv2 = _cv2()
    cfg = resolve_config(preset, seed)
    out = pathlib.Path(out_dir)
    for sub in ("stills", "cut"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    writer, codec = (None, None)
    vpath = out / "cut.avi" if video and cfg.cut_scenes else None
    if vpath is not None:
        writer, codec = _open_video(vpath, cfg.fps)
    paths: list[pathlib.Path] = []

    def sink(i: int, track: str, rgb: np.ndarray) -> None:
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        p = out / track / f"{i:05d}.png"
        cv2.imwrite(str(p), bgr, [cv2.IMWRITE_PNG_COMPRESSION, 3])
        paths.append(p)
        if writer is not None and track == "cut":
            writer.write(bgr)

    try:
        truth, pix = generate(cfg, sink=sink, progress=progress)
    finally:
        if writer is not None:
            writer.release()
    tbytes = _json_bytes(truth)
    (out / "truth.json").write_bytes(tbytes)
    tsha = hashlib.sha256(tbytes).hexdigest()
    (out / "manifest.json").write_bytes(_json_bytes({
        "preset": cfg.name, "seed": cfg.seed, "truth_sha256": tsha, "pixels_sha256": pix,
        "frames": len(truth["frames"]), "generator_version": GENERATOR_VERSION,
        "video_codec": codec}))
    return SceneSet(out, cfg.name, cfg.seed, paths, vpath, out / "truth.json", truth, tsha, pix)


def truth_sha256(truth: dict) -> str:
    """Hash of the truth JSON exactly as make_scene_set writes it."""
    return hashlib.sha256(_json_bytes(truth)).hexdigest()


def scene_arrays(preset: str | SceneConfig = "ci", seed: int | None = None,
                 sources: Sources | None = None) -> tuple[list[np.ndarray], dict]:
    """The set's frames as RGB numpy arrays plus its truth, without touching the disk."""
    frames: list[np.ndarray] = []
    truth, _ = generate(resolve_config(preset, seed), sources,
                        sink=lambda i, track, rgb: frames.append(rgb))
    return frames, truth


def load_scene_set(out_dir: str | os.PathLike) -> SceneSet:
    out = pathlib.Path(out_dir)
    truth = json.loads((out / "truth.json").read_text())
    man = json.loads((out / "manifest.json").read_text())
    v = truth["cut_video"].get("file")
    return SceneSet(out, truth["preset"], truth["seed"],
                    [out / f["file"] for f in truth["frames"]], out / v if v else None,
                    out / "truth.json", truth, man["truth_sha256"], man["pixels_sha256"])


def cached_scene_set(preset: str = "ci",
                     on_generate: Callable[[pathlib.Path], None] | None = None) -> SceneSet:
    """The ``preset`` scene set in the cache (``CACHE_DIR/set-<preset>``), generated there
    first when it is missing or unreadable (``on_generate`` is told the folder)."""
    folder = CACHE_DIR / f"set-{preset}"
    try:
        return load_scene_set(folder)
    except Exception:  # noqa: BLE001 - not generated yet (or stale): make it
        if on_generate is not None:
            on_generate(folder)
        return make_scene_set(folder, preset)


def contact_sheet(frames: list[np.ndarray], truth: dict, cols: int = 4,
                  thumb: tuple[int, int] = (160, 120)) -> np.ndarray:
    """One frame per scene, truth boxes drawn (green; yellow = clipped at the edge)."""
    cv2 = _cv2()
    picks = [s["frames"][0] for s in truth["scenes"]]
    rows = math.ceil(len(picks) / cols)
    tw, th = thumb
    sheet = np.zeros((rows * th, cols * tw, 3), np.uint8)
    sx = tw / FRAME_W
    for k, fi in enumerate(picks):
        img = cv2.resize(frames[fi], (tw, th), interpolation=cv2.INTER_AREA).copy()
        for f in truth["frames"][fi]["faces"]:
            x, y, w, h = (v * sx for v in f["box"])
            col = (255, 220, 0) if f["edge_clipped"] > 0.05 else (0, 255, 0)
            cv2.rectangle(img, (int(x), int(y)), (int(x + w), int(y + h)), col, 1)
        r, c = divmod(k, cols)
        sheet[r * th:(r + 1) * th, c * tw:(c + 1) * tw] = img
    return sheet


def write_contact_sheet(path: str | os.PathLike, frames: list[np.ndarray], truth: dict,
                        colours: int = 128) -> pathlib.Path:
    """Contact sheet as a palette PNG (small enough to commit)."""
    from PIL import Image

    sheet = contact_sheet(frames, truth)
    img = Image.fromarray(sheet).quantize(colors=colours, method=Image.Quantize.MEDIANCUT,
                                          dither=Image.Dither.NONE)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=True)
    return path
