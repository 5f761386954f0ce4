"""Pure, symmetric conversions between ROS messages and numpy / stage dataclasses.

Every failure raises :class:`ConversionError` with a one-line message, so a node can count
it and report it in diagnostics instead of crashing.
"""

from __future__ import annotations

import numpy as np
from builtin_interfaces.msg import Time
from sensor_msgs.msg import Image

# encoding -> (channels, dtype, conversion to BGR)
_ENCODINGS: dict[str, tuple[int, type]] = {
    "bgr8": (3, np.uint8),
    "rgb8": (3, np.uint8),
    "bgra8": (4, np.uint8),
    "rgba8": (4, np.uint8),
    "mono8": (1, np.uint8),
    "8UC1": (1, np.uint8),
    "8UC3": (3, np.uint8),
    "mono16": (1, np.uint16),
    "16UC1": (1, np.uint16),
}
MAX_IMAGE_PIXELS = 8192 * 8192


class ConversionError(ValueError):
    """A message could not be converted (wrong encoding, size mismatch, ...)."""


def stamp_to_sec(stamp: Time) -> float:
    return float(stamp.sec) + float(stamp.nanosec) * 1e-9


def sec_to_stamp(seconds: float) -> Time:
    if not np.isfinite(seconds) or seconds < 0:
        seconds = 0.0
    sec = int(seconds)
    nanosec = int(round((seconds - sec) * 1e9))
    if nanosec >= 1_000_000_000:
        sec, nanosec = sec + 1, nanosec - 1_000_000_000
    return Time(sec=sec, nanosec=nanosec)


def image_to_bgr(msg: Image) -> np.ndarray:
    """``sensor_msgs/Image`` to an HxWx3 uint8 BGR array (copies only when converting)."""
    encoding = msg.encoding
    if encoding not in _ENCODINGS:
        raise ConversionError(
            f"unsupported image encoding {encoding!r}; supported: {', '.join(_ENCODINGS)}")
    channels, dtype = _ENCODINGS[encoding]
    height, width, step = int(msg.height), int(msg.width), int(msg.step)
    if height == 0 or width == 0:
        raise ConversionError(f"empty image ({width}x{height})")
    if height * width > MAX_IMAGE_PIXELS:
        raise ConversionError(f"image too large ({width}x{height} > {MAX_IMAGE_PIXELS} px)")
    itemsize = np.dtype(dtype).itemsize
    row_bytes = width * channels * itemsize
    if step < row_bytes or len(msg.data) < step * height:
        raise ConversionError(
            f"image data too short for {width}x{height} {encoding} "
            f"(step {step}, {len(msg.data)} bytes)")
    buf = np.frombuffer(msg.data, dtype=np.uint8, count=step * height).reshape(height, step)
    buf = buf[:, :row_bytes]
    pixels = buf.view(dtype).reshape(height, width, channels)
    if dtype == np.uint16:
        if msg.is_bigendian:
            pixels = pixels.byteswap()
        pixels = (pixels >> 8).astype(np.uint8)
    if encoding in ("bgr8", "8UC3"):
        return np.ascontiguousarray(pixels)
    if encoding == "rgb8":
        return np.ascontiguousarray(pixels[:, :, ::-1])
    if encoding == "bgra8":
        return np.ascontiguousarray(pixels[:, :, :3])
    if encoding == "rgba8":
        return np.ascontiguousarray(pixels[:, :, 2::-1])
    return np.ascontiguousarray(np.repeat(pixels, 3, axis=2))


def bgr_to_image(image: np.ndarray, header=None, encoding: str = "bgr8") -> Image:
    """HxWx3 uint8 BGR (or HxW mono8) array to ``sensor_msgs/Image``."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise ConversionError("image must be a uint8 numpy array")
    if encoding == "mono8":
        if image.ndim != 2:
            raise ConversionError(f"mono8 needs an HxW array, got shape {image.shape}")
        channels = 1
    elif encoding in ("bgr8", "rgb8"):
        if image.ndim != 3 or image.shape[2] != 3:
            raise ConversionError(f"{encoding} needs an HxWx3 array, got shape {image.shape}")
        if encoding == "rgb8":
            image = image[:, :, ::-1]
        channels = 3
    else:
        raise ConversionError(f"cannot encode {encoding!r}; use bgr8, rgb8 or mono8")
    msg = Image()
    if header is not None:
        msg.header = header
    msg.height, msg.width = int(image.shape[0]), int(image.shape[1])
    msg.encoding = encoding
    msg.is_bigendian = 0
    msg.step = msg.width * channels
    # Assigning bytes is ~100x faster than assigning a numpy array (setup-facts.md).
    msg.data = np.ascontiguousarray(image).tobytes()
    return msg
