"""The model manifest (models_onnx/manifest.yaml) and sha256 verification of model files.

The YAML is parsed once, in :func:`load_manifest`, into a :class:`Manifest` of typed
:class:`ManifestEntry` values; a malformed entry raises :class:`ModelFileError` with one
line naming the manifest, the entry and the field. The file format is unchanged: what the
writers (``export``, ``convert-models``) put in an entry beyond the typed fields (metrics,
parity, sanity checks, card, ...) stays readable through ``entry["key"]`` /
``entry.get("key")``, a read-only view of the entry as written.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml

DEFAULT_MODELS_DIR = pathlib.Path(__file__).resolve().parents[2] / "models_onnx"
MANIFEST_NAME = "manifest.yaml"


def models_dir(local: pathlib.Path | None = None) -> pathlib.Path:
    """Folder of the manifest and model files: ``EMO_PERCEPTION_MODELS_DIR``, else the source
    checkout's models_onnx/, else the ament share folder a colcon install copies them to
    (without ``--symlink-install`` the package's Python files and models_onnx/ part ways)."""
    override = os.environ.get("EMO_PERCEPTION_MODELS_DIR")
    if override:
        return pathlib.Path(override)
    local = DEFAULT_MODELS_DIR if local is None else local  # read now: tests repoint it
    if (local / MANIFEST_NAME).is_file():
        return local
    try:
        from ament_index_python.packages import get_package_share_directory

        shared = pathlib.Path(get_package_share_directory("emo_perception")) / "models_onnx"
    except Exception:  # noqa: BLE001 - ament index absent or package not installed
        return local
    return shared if (shared / MANIFEST_NAME).is_file() else local


_SHA256 = re.compile(r"[0-9a-f]{64}")


class ModelFileError(RuntimeError):
    """A model file is missing, unreadable or does not match its manifest sha256, or the
    manifest itself is missing or malformed."""


@dataclass(frozen=True)
class TensorSpec:
    """One declared model input or output. ``shape`` holds ints for fixed sizes and names
    ("batch", "height") for free ones; None when the entry declares no shape."""

    name: str
    shape: tuple[int | str, ...] | None = None
    dtype: str = ""
    meaning: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where a model comes from: ``training_data`` ("generated" for the exercise models
    trained here), and for converted pretrained models the package it came from."""

    training_data: str = ""
    package: str = ""
    version: str = ""
    licence: str = ""
    homepage: str = ""


@dataclass(frozen=True, eq=False)
class ManifestEntry:
    """One model of the manifest. ``path`` is the model file next to the manifest."""

    name: str
    file: str
    path: pathlib.Path
    sha256: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    preprocessing: Mapping[str, Any]  # how inputs are made (crop, size, layout, range)
    config: Mapping[str, Any]  # architecture settings (trained models: image_size, aus)
    labels: tuple[str, ...]
    label_set: str | None
    provenance: Provenance
    fit_for_use: bool  # False: the model may not run on people (unless a stage allows it)
    enabled_by_default: bool
    bundled: bool  # False: not committed, made by a command (convert-models)
    notes: str
    raw: Mapping[str, Any]  # the entry as written, read-only

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)


@dataclass(frozen=True, eq=False)
class Manifest:
    """A parsed manifest: its file and its entries, in file order."""

    path: pathlib.Path
    entries: tuple[ManifestEntry, ...]

    @property
    def folder(self) -> pathlib.Path:
        return self.path.parent

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def by_name(self, name: str) -> ManifestEntry | None:
        return next((e for e in self.entries if e.name == name), None)

    def by_file(self, model_file: str | pathlib.Path) -> ManifestEntry | None:
        """The entry whose ``file`` is ``model_file``'s name, or None."""
        name = pathlib.Path(model_file).name
        return next((e for e in self.entries if e.file == name), None)


def sha256_file(path: str | pathlib.Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _tensors(value: Any, where: str, kind: str) -> tuple[TensorSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ModelFileError(f"{where}: '{kind}' must be a list, got {type(value).__name__}")
    out = []
    for i, spec in enumerate(value):
        if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str) \
                or not spec["name"]:
            raise ModelFileError(f"{where}: {kind}[{i}] needs a 'name'")
        shape = spec.get("shape")
        if shape is not None:
            if not isinstance(shape, list) or not all(
                    isinstance(d, str) or (isinstance(d, int) and not isinstance(d, bool)
                                           and d > 0) for d in shape):
                raise ModelFileError(f"{where}: {kind} {spec['name']!r}: shape {shape!r} must "
                                     "list positive sizes or names of free sizes")
            shape = tuple(shape)
        out.append(TensorSpec(spec["name"], shape, str(spec.get("dtype") or ""),
                              str(spec.get("meaning") or "")))
    return tuple(out)


def _mapping(entry: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = entry.get(key)
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ModelFileError(f"{where}: '{key}' must be a mapping, got {type(value).__name__}")
    return MappingProxyType(dict(value))


def _flag(entry: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise ModelFileError(f"{where}: '{key}' must be true or false, got {value!r}")
    return value


def parse_entry(entry: Any, folder: pathlib.Path, where: str) -> ManifestEntry:
    """One typed entry from its YAML mapping; ``where`` starts every error message."""
    if not isinstance(entry, Mapping):
        raise ModelFileError(f"{where}: an entry must be a mapping, got {type(entry).__name__}")
    name, file = entry.get("name"), entry.get("file")
    if not isinstance(name, str) or not name:
        raise ModelFileError(f"{where}: missing 'name'")
    where = f"{where} ({name!r})"
    if not isinstance(file, str) or not file or pathlib.Path(file).name != file:
        raise ModelFileError(f"{where}: 'file' must be a file name in the manifest's folder, "
                             f"got {file!r}")
    sha = entry.get("sha256")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise ModelFileError(f"{where}: 'sha256' must be 64 lowercase hex digits, got {sha!r}")
    labels = entry.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(lb, str) for lb in labels):
        raise ModelFileError(f"{where}: 'labels' must be a list of strings")
    label_set = entry.get("label_set")
    if label_set is not None and not isinstance(label_set, str):
        raise ModelFileError(f"{where}: 'label_set' must be a string, got {label_set!r}")
    source = _mapping(entry, "source", where)
    provenance = Provenance(str(entry.get("training_data") or ""),
                            *(str(source.get(k) or "")
                              for k in ("package", "version", "licence", "homepage")))
    return ManifestEntry(
        name=name, file=file, path=folder / file, sha256=sha,
        inputs=_tensors(entry.get("inputs"), where, "inputs"),
        outputs=_tensors(entry.get("outputs"), where, "outputs"),
        preprocessing=_mapping(entry, "preprocessing", where),
        config=_mapping(entry, "config", where),
        labels=tuple(labels), label_set=label_set, provenance=provenance,
        fit_for_use=_flag(entry, "fit_for_use", False, where),
        enabled_by_default=_flag(entry, "enabled_by_default", False, where),
        bundled=_flag(entry, "bundled", True, where),
        notes=str(entry.get("notes") or ""), raw=MappingProxyType(dict(entry)))


def parse_manifest(data: Any, path: str | pathlib.Path) -> Manifest:
    """A :class:`Manifest` from loaded YAML (``path``: where it came from; its folder holds
    the model files)."""
    path = pathlib.Path(path)
    if not isinstance(data, Mapping) or not isinstance(data.get("models"), list):
        raise ModelFileError(f"model manifest {path} has no 'models' list")
    entries = tuple(parse_entry(e, path.parent, f"model manifest {path}: entry {i}")
                    for i, e in enumerate(data["models"]))
    seen: set[str] = set()
    for e in entries:
        if e.name in seen:
            raise ModelFileError(f"model manifest {path}: model name {e.name!r} appears twice")
        seen.add(e.name)
    return Manifest(path, entries)


def load_manifest(path: str | pathlib.Path | None = None) -> Manifest:
    """Parsed manifest; ``path`` is the YAML file or its folder (default: models_onnx/)."""
    path = pathlib.Path(path) if path is not None else models_dir()
    if path.is_dir():
        path = path / MANIFEST_NAME
    if not path.is_file():
        raise ModelFileError(f"model manifest not found: {path}")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelFileError(f"model manifest {path} is not valid YAML: {first}") from None
    return parse_manifest(data, path)


def find_model(
    name: str, models_dir: str | pathlib.Path | None = None
) -> tuple[pathlib.Path, ManifestEntry]:
    """Path and manifest entry of a model by its manifest ``name``."""
    manifest = load_manifest(models_dir)
    entry = manifest.by_name(name)
    if entry is None:
        raise ModelFileError(f"model {name!r} is not in {manifest.path}; known: "
                             f"{manifest.names}")
    return entry.path, entry


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


def resolve_model(spec: str, unknown: str) -> tuple[pathlib.Path, ManifestEntry]:
    """Path and manifest entry of ``spec``: a manifest name, or a ``.onnx`` path whose folder
    holds a manifest listing it (``unknown`` ends the error when it is not listed)."""
    if not spec.endswith(".onnx"):
        return find_model(spec)
    path = pathlib.Path(spec)
    manifest = load_manifest(path.parent)
    entry = manifest.by_file(path)
    if entry is None:
        raise ModelFileError(f"{path} is not listed in {manifest.path}: its {unknown}")
    return path, entry
