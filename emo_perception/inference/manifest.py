"""The model manifest (models_onnx/manifest.yaml) and sha256 verification of model files."""

from __future__ import annotations

import hashlib
import pathlib
from typing import Any

import yaml

DEFAULT_MODELS_DIR = pathlib.Path(__file__).resolve().parents[2] / "models_onnx"
MANIFEST_NAME = "manifest.yaml"


class ModelFileError(RuntimeError):
    """A model file is missing, unreadable or does not match its manifest sha256."""


def sha256_file(path: str | pathlib.Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def load_manifest(path: str | pathlib.Path | None = None) -> dict[str, Any]:
    """Parsed manifest; ``path`` is the YAML file or its folder (default: models_onnx/)."""
    path = pathlib.Path(path) if path is not None else DEFAULT_MODELS_DIR
    if path.is_dir():
        path = path / MANIFEST_NAME
    if not path.is_file():
        raise ModelFileError(f"model manifest not found: {path}")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ModelFileError(f"model manifest {path} is not valid YAML: {exc}") from None
    if not isinstance(data.get("models"), list):
        raise ModelFileError(f"model manifest {path} has no 'models' list")
    data["_path"] = str(path)
    return data


def manifest_entry(
    manifest: dict[str, Any], model_file: str | pathlib.Path
) -> dict[str, Any] | None:
    """The entry whose ``file`` is ``model_file``'s name, or None."""
    name = pathlib.Path(model_file).name
    for entry in manifest["models"]:
        if entry.get("file") == name:
            return entry
    return None


def find_model(
    name: str, models_dir: str | pathlib.Path | None = None
) -> tuple[pathlib.Path, dict]:
    """Path and manifest entry of a model by its manifest ``name``."""
    manifest = load_manifest(models_dir)
    for entry in manifest["models"]:
        if entry.get("name") == name:
            return pathlib.Path(manifest["_path"]).parent / entry["file"], entry
    names = [e.get("name") for e in manifest["models"]]
    raise ModelFileError(f"model {name!r} is not in {manifest['_path']}; known: {names}")


def verify_model_file(path: str | pathlib.Path, expected_sha256: str | None) -> str:
    """Check that ``path`` exists and (if given) has the expected sha256; return its sha256."""
    path = pathlib.Path(path)
    want = f" (expected sha256 {expected_sha256})" if expected_sha256 else ""
    if not path.is_file():
        raise ModelFileError(f"model file missing: {path}{want}")
    try:
        digest = sha256_file(path)
    except OSError as exc:
        raise ModelFileError(f"model file unreadable: {path}{want}: {exc}") from None
    if expected_sha256 and digest != expected_sha256:
        raise ModelFileError(
            f"model file corrupt or replaced: {path} has sha256 {digest}, "
            f"manifest expects {expected_sha256}"
        )
    return digest


def resolve_model(spec: str, unknown: str) -> tuple[pathlib.Path, dict]:
    """Path and manifest entry of ``spec``: a manifest name, or a ``.onnx`` path whose folder
    holds a manifest listing it (``unknown`` ends the error when it is not listed)."""
    if not spec.endswith(".onnx"):
        return find_model(spec)
    path = pathlib.Path(spec)
    manifest = load_manifest(path.parent)
    entry = next((e for e in manifest["models"] if e.get("file") == path.name), None)
    if entry is None:
        raise ModelFileError(f"{path} is not listed in {manifest['_path']}: its {unknown}")
    return path, entry
