"""A small explicit model registry: ``create_model(name, cfg)`` for every learned model."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any, Callable

from torch import nn

from emo_perception.models.au_ttt import AUTTT, AUTTTConfig
from emo_perception.models.skeleton_mg import SkeletonMG, SkeletonMGConfig
from emo_perception.models.ttt import TTTConfig, TTTLinear

# name -> (config class, builder). Filled here, not by import side effects.
REGISTRY: dict[str, tuple[type, Callable[..., nn.Module]]] = {
    "au_ttt": (AUTTTConfig, AUTTT),
    "skeleton_mg": (SkeletonMGConfig, SkeletonMG),
    "ttt_linear": (TTTConfig, TTTLinear),
}


def model_names() -> list[str]:
    """Registered model names."""
    return sorted(REGISTRY)


def make_config(name: str, cfg: Any = None) -> Any:
    """Config dataclass for ``name`` from None (defaults), a dict, or a config instance."""
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; choose one of {model_names()}")
    cls = REGISTRY[name][0]
    if cfg is None:
        return cls()
    if isinstance(cfg, cls):
        return cfg
    if isinstance(cfg, dict):
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(cfg) - known)
        if unknown:
            raise ValueError(f"{name}: unknown config keys {unknown}; known: {sorted(known)}")
        return cls(**cfg)
    raise TypeError(
        f"{name}: cfg must be None, a dict or {cls.__name__}, got {type(cfg).__name__}"
    )


def create_model(name: str, cfg: Any = None, **kwargs: Any) -> nn.Module:
    """Build a registered model; extra kwargs go to the model (e.g. ``text_emb``)."""
    config = make_config(name, cfg)
    return REGISTRY[name][1](config, **kwargs)


def config_dict(cfg: Any) -> dict[str, Any]:
    """Plain dict of a config (tuples as lists) for checkpoints and manifests."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(cfg).items()}
