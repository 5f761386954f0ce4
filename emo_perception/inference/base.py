"""The runner interface every inference backend implements (its own module, so backends
and the factory in ``runner.py`` import it without importing each other)."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Runner:
    """Base: ``run({name: array}) -> {name: array}`` plus what runs it."""

    model_path: pathlib.Path
    provider: str
    input_names: list[str]
    output_names: list[str]
    sha256: str = ""
    fallbacks: list[str] = field(default_factory=list)

    def run(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _check_inputs(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        missing = [n for n in self.input_names if n not in inputs]
        if missing:
            raise ValueError(f"{self.model_path.name}: missing inputs {missing}; "
                             f"expected {self.input_names}")
        out = {}
        for name in self.input_names:
            arr = np.ascontiguousarray(inputs[name], dtype=np.float32)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{self.model_path.name}: input {name!r} has NaN or inf values")
            out[name] = arr
        return out
