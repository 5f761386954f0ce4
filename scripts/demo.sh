#!/usr/bin/env bash
# The main job on real offline media: de-identify and analyse a pedestrian video and an
# animated clip with faces and speech (Debian's opencv-doc vtest.avi and Megamind.avi) and
# two photos of real people (skimage's astronaut, matplotlib's Grace Hopper), then print
# where the outputs are.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$repo/out/demo}"
emo="$repo/.venv/bin/emo-perception"
py="$repo/.venv/bin/python"
mkdir -p "$out/inputs"

"$py" - "$out/inputs" <<'PY'
import pathlib, shutil, sys
import cv2, matplotlib, skimage.data
dst = pathlib.Path(sys.argv[1])
cv2.imwrite(str(dst / "astronaut.png"), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
src = pathlib.Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
shutil.copy(src, dst / "grace_hopper.jpg")
PY

data=/usr/share/doc/opencv-doc/examples/data
"$emo" process "$data/vtest.avi" --out "$out/vtest" --max-frames 200
"$emo" process "$data/Megamind.avi" --out "$out/megamind"   # faces and a speech track
"$emo" process "$out/inputs/astronaut.png" --out "$out/astronaut"
"$emo" process "$out/inputs/grace_hopper.jpg" --out "$out/grace_hopper"

echo
echo "Demo outputs (de-identified video, frames.jsonl, summary.json, timeline.png):"
for d in vtest megamind astronaut grace_hopper; do echo "  $out/$d"; done
