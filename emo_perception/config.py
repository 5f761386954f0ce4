"""One YAML config for ``ros2 launch``, ``emo-perception launch`` and ``process``.

The file is a ROS 2 parameters file, so ``--params-file`` hands it to every node as it
is. Each node reads the section of its own name (``/**/deid_node`` matches the node in any
namespace); a stage's settings are a nested mapping inside it, so they become dotted ROS
parameters (``deid.mode``) and, here, the fields of the stage's config dataclass. The
launcher's own settings sit under ``emo_launch``, a name no node has.

Config dataclasses use only ROS parameter types (bool, int, float, str and lists of
them) so that one field is one parameter.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import os
import pathlib
from collections.abc import Sequence
from typing import Any, TypeVar

import yaml

LAUNCH_SECTION = "emo_launch"
REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]

T = TypeVar("T")


class ConfigError(ValueError):
    """A config file or value is wrong; the message says where and how to fix it."""


def setting(default: Any, help: str, range: tuple[float, float] | None = None,  # noqa: A002
            choices: Sequence[Any] | None = None, live: bool = False) -> Any:
    """A config dataclass field with its one description: ``help`` (the ROS parameter
    description and docs/ros_api.md), ``range`` (closed interval, enforced by
    :func:`check_settings` and declared to ROS), ``choices`` (allowed values; for a list,
    allowed items) and ``live`` (the stage applies a change while running, so its ROS
    parameter is writable; every other stage parameter is read-only)."""
    metadata: dict[str, Any] = {"help": help, "live": live}
    if range is not None:
        metadata["range"] = range
    if choices is not None:
        metadata["choices"] = tuple(choices)
    if isinstance(default, (list, dict, set)):
        return dataclasses.field(default_factory=lambda: copy.deepcopy(default),
                                 metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def check_settings(obj: Any) -> None:
    """Raise ValueError naming the first field of config dataclass ``obj`` outside its
    declared ``range`` or ``choices`` (call from ``__post_init__``; cross-field rules
    stay there)."""
    cls = type(obj).__name__
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        rng = f.metadata.get("range")
        if rng is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = rng
            if not lo <= value <= hi:
                raise ValueError(f"{cls}.{f.name} must be in [{lo:g}, {hi:g}], got {value}")
        choices = f.metadata.get("choices")
        if choices is not None:
            items = value if isinstance(value, (list, tuple)) else [value]
            bad = [v for v in items if v not in choices]
            if bad:
                raise ValueError(f"{cls}.{f.name}: {bad[0]!r} is not one of "
                                 f"{', '.join(map(repr, choices))}")


def field_help(cls: type) -> dict[str, str]:
    """Field name -> help text of a config dataclass (empty where none is declared)."""
    return {f.name: f.metadata.get("help", "") for f in dataclasses.fields(cls)}


def config_dir() -> pathlib.Path:
    """Folder of the shipped YAML files: source checkout, or the ament share folder."""
    override = os.environ.get("EMO_PERCEPTION_CONFIG_DIR")
    if override:
        return pathlib.Path(override)
    local = REPO_ROOT / "config"
    if local.is_dir():
        return local
    try:
        from ament_index_python.packages import get_package_share_directory

        return pathlib.Path(get_package_share_directory("emo_perception")) / "config"
    except Exception:  # noqa: BLE001 - ament index absent or package not installed
        return local


def resolve_config_path(path: str | os.PathLike[str]) -> pathlib.Path:
    """A path as given, else a bare name looked up among the shipped configs."""
    candidate = pathlib.Path(path)
    if candidate.is_file():
        return candidate
    for name in (candidate.name, f"{candidate.name}.yaml"):
        shipped = config_dir() / name
        if shipped.is_file():
            return shipped
    raise ConfigError(f"config file not found: {path} (shipped configs are in {config_dir()})")


def load_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    resolved = resolve_config_path(path)
    try:
        data = yaml.safe_load(resolved.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{resolved}: not valid YAML ({exc})".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{resolved}: expected a mapping of node names at the top level")
    return data


def config_chain(path: str | os.PathLike[str]) -> list[pathlib.Path]:
    """The files a config is made of, base first.

    A variant names its base with ``emo_launch: ros__parameters: base: default.yaml``
    (resolved next to the variant, then among shipped configs) and overrides only what
    differs. ROS nodes get every file as ``--params-file`` in this order; later files win.
    """
    chain: list[pathlib.Path] = []
    current: pathlib.Path | None = resolve_config_path(path).resolve()
    while current is not None:
        if current in chain:
            raise ConfigError(f"{current}: config bases form a loop")
        chain.insert(0, current)
        base = launch_settings(load_yaml(current)).get("base")
        if not base:
            break
        sibling = current.parent / str(base)
        current = (sibling if sibling.is_file() else resolve_config_path(str(base))).resolve()
    return chain


def load_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A config with its bases merged in (what the nodes end up seeing)."""
    merged: dict[str, Any] = {}
    for part in config_chain(path):
        _deep_update(merged, load_yaml(part))
    return merged


def node_section(data: dict[str, Any], node_name: str) -> dict[str, Any]:
    """The ``ros__parameters`` of ``node_name``, merged over the ``/**`` wildcard section."""
    merged: dict[str, Any] = {}
    keys = ("/**", f"/**/{node_name}", node_name, f"/{node_name}")
    for key in keys:
        section = data.get(key)
        if isinstance(section, dict):
            _deep_update(merged, section.get("ros__parameters", {}) or {})
    return merged


def launch_settings(data: dict[str, Any]) -> dict[str, Any]:
    section = data.get(LAUNCH_SECTION, {}) or {}
    return dict(section.get("ros__parameters", {}) or {})


def build_dataclass(cls: type[T], values: dict[str, Any] | None, where: str = "") -> T:
    """Instantiate a config dataclass from a mapping, rejecting unknown keys clearly."""
    values = dict(values or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = [k for k in values if k not in fields]
    if unknown:
        key = unknown[0]
        hint = difflib.get_close_matches(key, fields, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        raise ConfigError(f"{where or cls.__name__}: unknown setting {key!r}{suggestion}")
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where or cls.__name__}: {exc}") from None


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mapping to dotted ROS parameter names."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def unflatten(values: dict[str, Any]) -> dict[str, Any]:
    """Dotted ROS parameter names back to a nested mapping."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        node = out
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def dataclass_defaults(cls: type) -> dict[str, Any]:
    """Field name -> default value of a config dataclass (all fields must have defaults)."""
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            out[f.name] = f.default_factory()  # type: ignore[misc]
    return out


def _deep_update(dst: dict[str, Any], src: dict[str, Any]) -> None:
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            _deep_update(dst[key], value)
        else:
            dst[key] = value
