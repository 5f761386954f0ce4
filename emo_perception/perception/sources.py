"""Frame sources: video file, image file, image folder, camera index, rosbag2.

``open_source(spec)`` picks the reader from the spec and returns an iterator of
:class:`~emo_perception.perception.types.Frame`. Input that cannot be opened raises
:class:`SourceError` with a one-line message; frames that cannot be decoded inside an
otherwise readable source are skipped and counted in ``source.corrupt`` (never a crash,
never silent loss).
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from emo_perception.config import check_settings, setting
from emo_perception.perception.types import Frame

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
VIDEO_EXTENSIONS = (".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v")
IMAGE_TYPES = ("sensor_msgs/msg/Image", "sensor_msgs/msg/CompressedImage")


class SourceError(Exception):
    """The input cannot be read at all (one-line message)."""


@dataclass
class SourceConfig:
    """How frames are read. Zero means "as the source says" / "no limit"."""

    fps: float = setting(0.0,
                         "publish rate [Hz]; 0 = the source's own rate (video fps, 1 Hz for "
                         "images)",
                         range=(0.0, 240.0))
    loop: bool = setting(False, "restart a file source at its end")
    max_frames: int = setting(0, "stop after this many frames (0 = no limit)",
                              range=(0, 2**31 - 1))
    resize_width: int = setting(0,
                                "resize frames to this width [px] (0 = keep; set both or neither)",
                                range=(0, 8192))
    resize_height: int = setting(0,
                                 "resize frames to this height [px] (0 = keep; set both or "
                                 "neither)",
                                 range=(0, 8192))
    topic: str = setting("",
                         "image topic to read when the source is a bag (empty = first image "
                         "topic)")

    def __post_init__(self) -> None:
        check_settings(self)
        if (self.resize_width > 0) != (self.resize_height > 0) or min(
                self.resize_width, self.resize_height) < 0:
            raise ValueError("resize_width and resize_height must both be > 0, or both 0")


def to_bgr(image: np.ndarray) -> np.ndarray | None:
    """Convert gray / BGRA / 16-bit images to HxWx3 uint8 BGR; None when impossible."""
    if not isinstance(image, np.ndarray) or image.size == 0 or image.ndim not in (2, 3):
        return None
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        return None
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    channels = image.shape[2]
    if channels == 3:
        return image
    if channels == 1:
        return cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2BGR)
    if channels == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return None


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize for the models. Area averaging only where it matters: below half size
    bilinear sampling skips pixels and aliases, above it bilinear looks the same and costs
    a sixth (720x528 -> 640x480: 0.6 ms instead of 3.2 ms on one core)."""
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    shrink = min(width / w, height / h)
    interpolation = cv2.INTER_AREA if shrink < 0.5 else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


class FrameSource:
    """Base iterator: applies max_frames, resize and loop; counts corrupt frames."""

    kind = "source"
    live = False  # a camera: frames happen whether or not anyone listens (files wait)

    def __init__(self, spec: str, cfg: SourceConfig) -> None:
        self.spec = spec
        self.cfg = cfg
        self.corrupt = 0  # frames that could not be decoded and were skipped
        self.emitted = 0
        self.nominal_fps = cfg.fps or 0.0
        self.length = 0  # frames per pass, when known (0 = unknown)

    def _frames(self) -> Iterator[tuple[np.ndarray, float]]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Frame]:
        offset = 0.0
        while True:
            last = 0.0
            produced = False
            for image, stamp in self._frames():
                bgr = to_bgr(image)
                if bgr is None:
                    self.corrupt += 1
                    continue
                if self.cfg.resize_width:
                    bgr = resize(bgr, self.cfg.resize_width, self.cfg.resize_height)
                last = stamp + offset
                yield Frame(np.ascontiguousarray(bgr), last, self.emitted, self.kind)
                produced = True
                self.emitted += 1
                if self.cfg.max_frames and self.emitted >= self.cfg.max_frames:
                    return
            if not (self.cfg.loop and produced):
                return
            step = 1.0 / self.nominal_fps if self.nominal_fps else 0.0
            offset = last + step

    def __len__(self) -> int:
        n = self.length
        if self.cfg.max_frames:
            n = min(n, self.cfg.max_frames) if n else self.cfg.max_frames
        return n

    def close(self) -> None:
        """Release the underlying file or device."""


class VideoSource(FrameSource):
    kind = "video"

    @staticmethod
    def is_live(spec: str, device: int | None) -> bool:
        """A camera index, V4L path or network stream (rtsp://, http://): it runs whether
        it is read or not, so nothing waits for it."""
        return device is not None or spec.startswith("/dev/") or "://" in spec

    def __init__(self, spec: str, cfg: SourceConfig, device: int | None = None) -> None:
        super().__init__(spec, cfg)
        self._device = device
        self.live = self.is_live(spec, device)
        cap = self._open()
        ok, _ = cap.read()
        cap.release()
        if not ok:
            what = f"camera {device}" if device is not None else f"video {spec!r}"
            raise SourceError(f"cannot read any frame from {what}")

    def _open(self) -> cv2.VideoCapture:
        cap = cv2.VideoCapture(self._device if self._device is not None else self.spec)
        if not cap.isOpened():
            what = f"camera {self._device}" if self._device is not None else f"{self.spec!r}"
            raise SourceError(f"cannot open {what} (not a readable video or device)")
        if not self.nominal_fps:
            fps = cap.get(cv2.CAP_PROP_FPS)
            self.nominal_fps = float(fps) if 0 < fps < 1000 else 30.0
        self.length = max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), 0)
        return cap

    def _frames(self) -> Iterator[tuple[np.ndarray, float]]:
        cap = self._open()
        try:
            index = 0
            failures = 0
            while True:
                ok, image = cap.read()
                if not ok:
                    # A damaged packet inside a file reads as a failure too: skip it and
                    # seek past it (the decoder resynchronises on the next key frame), up
                    # to the frame count; where seeking fails, give up after a few and
                    # count the frames never read, so none vanish uncounted.
                    if self._device is None and self.length and index < self.length:
                        failures += 1
                        self.corrupt += 1
                        index += 1
                        if index < self.length and (
                                cap.set(cv2.CAP_PROP_POS_FRAMES, index) or failures < 5):
                            continue
                        self.corrupt += max(self.length - index, 0)
                    return
                failures = 0
                yield image, index / self.nominal_fps
                index += 1
        finally:
            cap.release()


class ImageFilesSource(FrameSource):
    kind = "images"

    def __init__(self, spec: str, cfg: SourceConfig, paths: list[pathlib.Path]) -> None:
        super().__init__(spec, cfg)
        if not paths:
            raise SourceError(f"no image files ({', '.join(IMAGE_EXTENSIONS)}) in {spec!r}")
        self.paths = paths
        self.skipped: list[dict[str, str]] = []  # files not decoded: name and reason
        self.files: list[str] = []  # names of the files read, in frame order
        self.nominal_fps = cfg.fps or 1.0
        self.length = len(paths)
        if len(paths) == 1 and cv2.imread(str(paths[0]), cv2.IMREAD_UNCHANGED) is None:
            raise SourceError(f"cannot decode image {spec!r}")

    def _frames(self) -> Iterator[tuple[np.ndarray, float]]:
        self.skipped.clear()  # one pass's worth: a looping camera must not grow them
        self.files.clear()
        for i, path in enumerate(self.paths):
            image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
            if image is None or to_bgr(image) is None:
                # Counted, and named with the reason, so a user finds the broken file.
                self.corrupt += 1
                self.skipped.append({"file": path.name, "reason": _unreadable(path, image)})
                continue
            self.files.append(path.name)
            yield image, i / self.nominal_fps


def _unreadable(path: pathlib.Path, image: np.ndarray | None) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot read: {exc.strerror}"
    if size == 0:
        return "empty file (0 bytes)"
    if image is not None:
        return f"unsupported pixel format ({image.dtype}, shape {image.shape})"
    return f"not a decodable image ({size} bytes; truncated or another format)"


class BagSource(FrameSource):
    """rosbag2 folder or .mcap/.db3 file; stamps are the image header stamps."""

    kind = "bag"

    def __init__(self, spec: str, cfg: SourceConfig) -> None:
        super().__init__(spec, cfg)
        from rosbags.highlevel import AnyReader
        from rosbags.typesys import Stores, get_typestore

        self._typestore = get_typestore(Stores.ROS2_JAZZY)
        path = pathlib.Path(spec)
        self._paths = [path]
        try:
            with AnyReader(self._paths, default_typestore=self._typestore) as reader:
                topics = {c.topic: c.msgtype for c in reader.connections}
                self.length = sum(c.msgcount for c in reader.connections
                                  if c.msgtype in IMAGE_TYPES)
        except Exception as exc:  # rosbags raises several unrelated types for bad bags
            raise SourceError(f"cannot read bag {spec!r}: {exc}".splitlines()[0]) from exc
        images = sorted(t for t, m in topics.items() if m in IMAGE_TYPES)
        if cfg.topic:
            if cfg.topic not in images:
                raise SourceError(f"bag {spec!r} has no image topic {cfg.topic!r} "
                                  f"(image topics: {images or 'none'})")
            self.topic = cfg.topic
        elif images:
            self.topic = images[0]
        else:
            raise SourceError(f"bag {spec!r} has no sensor_msgs Image/CompressedImage topic")

    def _frames(self) -> Iterator[tuple[np.ndarray, float]]:
        from rosbags.highlevel import AnyReader

        with AnyReader(self._paths, default_typestore=self._typestore) as reader:
            conns = [c for c in reader.connections if c.topic == self.topic]
            for conn, _t, raw in reader.messages(connections=conns):
                try:
                    msg = reader.deserialize(raw, conn.msgtype)
                    image = decode_image_msg(msg, conn.msgtype)
                except (ValueError, TypeError, AssertionError, IndexError, KeyError):
                    image = None
                if image is None:
                    self.corrupt += 1
                    continue
                stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
                yield image, float(stamp)


# encoding (lower case) -> (channels, dtype)
RAW_ENCODINGS: dict[str, tuple[int, type]] = {
    "bgr8": (3, np.uint8), "rgb8": (3, np.uint8), "bgra8": (4, np.uint8),
    "rgba8": (4, np.uint8), "mono8": (1, np.uint8), "8uc1": (1, np.uint8),
    "8uc3": (3, np.uint8), "8uc4": (4, np.uint8), "mono16": (1, np.uint16),
    "16uc1": (1, np.uint16),
}
MAX_IMAGE_PIXELS = 8192 * 8192


def decode_raw_image(msg: object) -> np.ndarray:
    """A ``sensor_msgs/Image`` (a live ROS message or a rosbags object) as HxWx3 uint8 BGR.

    One decoder for live topics and bags; raises ValueError with a one-line reason.
    """
    encoding = str(msg.encoding)
    if encoding.lower() not in RAW_ENCODINGS:
        raise ValueError(f"unsupported image encoding {encoding!r}; supported: "
                         f"{', '.join(RAW_ENCODINGS)}")
    channels, dtype = RAW_ENCODINGS[encoding.lower()]
    height, width, step = int(msg.height), int(msg.width), int(msg.step)
    if height == 0 or width == 0:
        raise ValueError(f"empty image ({width}x{height})")
    if height * width > MAX_IMAGE_PIXELS:
        raise ValueError(f"image too large ({width}x{height} > {MAX_IMAGE_PIXELS} px)")
    data = msg.data.view(np.uint8) if isinstance(msg.data, np.ndarray) else \
        np.frombuffer(msg.data, dtype=np.uint8)
    row_bytes = width * channels * np.dtype(dtype).itemsize
    if step < row_bytes or data.size < step * height:
        raise ValueError(f"image data too short for {width}x{height} {encoding} "
                         f"(step {step}, {data.size} bytes)")
    rows = data[: step * height].reshape(height, step)[:, :row_bytes]
    pixels = rows.view(dtype).reshape(height, width, channels)
    if dtype == np.uint16:
        if getattr(msg, "is_bigendian", 0):
            pixels = pixels.byteswap()
        pixels = (pixels >> 8).astype(np.uint8)
    enc = encoding.lower()
    if enc == "rgb8":
        pixels = pixels[:, :, ::-1]
    elif enc == "rgba8":
        pixels = pixels[:, :, 2::-1]
    elif channels == 4:
        pixels = pixels[:, :, :3]
    elif channels == 1:
        pixels = np.repeat(pixels, 3, axis=2)
    return np.ascontiguousarray(pixels)


def decode_image_msg(msg: object, msgtype: str) -> np.ndarray | None:
    """sensor_msgs Image / CompressedImage -> BGR(A)/gray ndarray, None when undecodable."""
    if msgtype.endswith("CompressedImage"):
        data = np.frombuffer(bytes(msg.data), np.uint8) if not isinstance(
            msg.data, np.ndarray) else msg.data.view(np.uint8)
        return cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    try:
        return decode_raw_image(msg)
    except ValueError:
        return None


def open_source(spec: str | int, cfg: SourceConfig | None = None) -> FrameSource:
    """Open a video, image, image folder, camera index ("0") or rosbag2 folder/.mcap."""
    cfg = cfg or SourceConfig()
    text = str(spec).strip()
    if text.isdigit():
        return VideoSource(text, cfg, device=int(text))
    path = pathlib.Path(text)
    if not path.exists():
        raise SourceError(f"input {text!r} does not exist")
    if path.is_dir():
        if (path / "metadata.yaml").exists() or any(path.glob("*.mcap")) or any(
                path.glob("*.db3")):
            return BagSource(text, cfg)
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
        return ImageFilesSource(text, cfg, files)
    suffix = path.suffix.lower()
    if suffix in (".mcap", ".db3"):
        return BagSource(text, cfg)
    if suffix in IMAGE_EXTENSIONS:
        return ImageFilesSource(text, cfg, [path])
    return VideoSource(text, cfg)
