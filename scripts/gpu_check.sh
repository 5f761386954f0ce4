#!/usr/bin/env bash
# GPU check of the learned models: TensorRT engines (FP16/FP32), parity vs PyTorch,
# throughput at batch 1/8/64, plus the gpu-marked tests. Usage: scripts/gpu_check.sh [OUT]
# Needs: an NVIDIA GPU, a CUDA build of torch, onnx, onnxruntime(-gpu), and the tensorrt
# Python package for the TensorRT rows (without it those rows say why they did not run).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-${OUT:-out/gpu_check}}"
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] && [ -z "${PYTHON:-}" ] && PY=.venv/bin/python
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
"$PY" -c "import tensorrt as t; print('tensorrt', t.__version__)" 2>/dev/null || echo "tensorrt: not installed"
"$PY" scripts/gpu_check.py --out "$OUT"
"$PY" -m pytest -q -m gpu test/test_inference.py -p no:cacheprovider || true
