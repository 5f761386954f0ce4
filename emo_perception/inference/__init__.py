"""Inference backends for the learned models (TensorRT, onnxruntime CUDA, onnxruntime CPU)."""

from emo_perception.inference.manifest import (Manifest, ManifestEntry, ModelFileError,
                                               find_model, load_manifest)
from emo_perception.inference.runner import BACKENDS, Runner, RunnerConfig, create_runner

__all__ = [
    "BACKENDS", "Manifest", "ManifestEntry", "ModelFileError", "Runner", "RunnerConfig",
    "create_runner", "find_model", "load_manifest",
]
