"""TensorRT engines built from the ONNX models, cached, and run with CUDA buffers.

``tensorrt`` is imported lazily: it is absent on CPU machines. Device buffers come from
PyTorch (already a dependency; its CUDA build on GPU machines). An engine is cached as
``<cache>/<onnx sha256[:16]>_<gpu>_trt<version>_<fp16|fp32>_b<max batch>.engine``, so a
new model, another GPU or TensorRT version, or another precision builds a new engine.
The batch axis (axis 0) gets an optimisation profile 1..max_batch.
"""

from __future__ import annotations

import os
import pathlib
import re
from typing import Any

import numpy as np

from emo_perception.inference.base import Runner


def unavailable_reason() -> str:
    """Empty if TensorRT and a CUDA device are usable, else why not (one line)."""
    try:
        import tensorrt  # noqa: F401
    except ImportError:
        return "python package tensorrt is not installed"
    try:
        import torch
    except ImportError:
        return "torch is needed for CUDA buffers"
    if not torch.cuda.is_available():
        return "no CUDA device visible to torch"
    return ""


def default_cache_dir() -> pathlib.Path:
    home_cache = pathlib.Path.home() / ".cache" / "emo_perception"
    base = os.environ.get("EMO_PERCEPTION_CACHE", home_cache)
    return pathlib.Path(base) / "engines"


def engine_cache_path(onnx_sha256: str, fp16: bool, max_batch: int,
                      cache_dir: str | os.PathLike | None = None) -> pathlib.Path:
    """Where the engine for this ONNX hash, GPU, TensorRT version and precision lives."""
    import tensorrt as trt
    import torch

    gpu = re.sub(r"[^A-Za-z0-9]+", "-", torch.cuda.get_device_name(0)).strip("-")
    prec = "fp16" if fp16 else "fp32"
    name = f"{onnx_sha256[:16]}_{gpu}_trt{trt.__version__}_{prec}_b{max_batch}"
    return pathlib.Path(cache_dir or default_cache_dir()) / f"{name}.engine"


def build_engine(onnx_path: pathlib.Path, fp16: bool, max_batch: int,
                 opt_batch: int | None = None) -> bytes:
    """Serialized engine for ``onnx_path`` with a dynamic batch profile."""
    import tensorrt as trt

    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    flags = 0
    if hasattr(trt.NetworkDefinitionCreationFlag, "EXPLICIT_BATCH"):  # TensorRT < 10
        flags = 1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)
    network = builder.create_network(flags)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse(onnx_path.read_bytes()):
        errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise RuntimeError(f"TensorRT cannot parse {onnx_path}: {errors}")
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, 2 << 30)
    if fp16:
        config.set_flag(trt.BuilderFlag.FP16)
    profile = builder.create_optimization_profile()
    opt = opt_batch or max_batch
    for i in range(network.num_inputs):
        tensor = network.get_input(i)
        shape = list(tensor.shape)
        if any(d < 0 for d in shape[1:]):
            raise RuntimeError(
                f"{onnx_path}: input {tensor.name} has dynamic non-batch dims {shape}"
            )
        rest = shape[1:]
        profile.set_shape(tensor.name, [1, *rest], [opt, *rest], [max_batch, *rest])
    config.add_optimization_profile(profile)
    serialized = builder.build_serialized_network(network, config)
    if serialized is None:
        raise RuntimeError(f"TensorRT failed to build an engine for {onnx_path}")
    return bytes(serialized)


class TensorRTRunner(Runner):
    """Runs a deserialized engine; numpy in/out via ``run``, torch CUDA tensors via
    ``run_device`` (no host copies, for throughput measurements)."""

    def __init__(self, model_path: pathlib.Path, engine_bytes: bytes, sha256: str,
                 engine_path: pathlib.Path, fallbacks: list[str]) -> None:
        import tensorrt as trt
        import torch

        self._trt = trt
        self._torch = torch
        # The logger and runtime must outlive the engine, so they are kept on the object.
        self._logger = trt.Logger(trt.Logger.WARNING)
        self._runtime = trt.Runtime(self._logger)
        self.engine = self._runtime.deserialize_cuda_engine(engine_bytes)
        if self.engine is None:
            raise RuntimeError(f"TensorRT could not load engine {engine_path}")
        self.context = self.engine.create_execution_context()
        names = [self.engine.get_tensor_name(i) for i in range(self.engine.num_io_tensors)]
        inputs = [n for n in names if self.engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        outputs = [n for n in names if n not in inputs]
        super().__init__(model_path, "tensorrt", inputs, outputs, sha256, fallbacks)
        self.engine_path = engine_path
        self.stream = torch.cuda.Stream()

    @classmethod
    def build_or_load(cls, onnx_path: pathlib.Path, onnx_sha256: str, fp16: bool,
                      cache_dir: str | None, max_batch: int,
                      fallbacks: list[str]) -> "TensorRTRunner":
        engine_path = engine_cache_path(onnx_sha256, fp16, max_batch, cache_dir)
        if engine_path.is_file():
            data = engine_path.read_bytes()
        else:
            data = build_engine(onnx_path, fp16, max_batch)
            engine_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = engine_path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(engine_path)  # atomic: a crash never leaves half an engine
        return cls(onnx_path, data, onnx_sha256, engine_path, fallbacks)

    def run_device(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Run on torch CUDA float32 tensors; returns torch CUDA tensors."""
        torch = self._torch
        for name in self.input_names:
            t = inputs[name]
            self.context.set_input_shape(name, tuple(t.shape))
            self.context.set_tensor_address(name, t.data_ptr())
        outs = {}
        for name in self.output_names:
            shape = tuple(self.context.get_tensor_shape(name))
            outs[name] = torch.empty(shape, dtype=torch.float32, device="cuda")
            self.context.set_tensor_address(name, outs[name].data_ptr())
        # Inputs were written on torch's current stream; order our stream after it.
        self.stream.wait_stream(torch.cuda.current_stream())
        if not self.context.execute_async_v3(self.stream.cuda_stream):
            raise RuntimeError(f"TensorRT execution failed for {self.model_path.name}")
        self.stream.synchronize()
        return outs

    def run(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        feeds = self._check_inputs(inputs)
        torch = self._torch
        dev = {k: torch.from_numpy(v).cuda() for k, v in feeds.items()}
        torch.cuda.synchronize()
        return {k: v.cpu().numpy() for k, v in self.run_device(dev).items()}
