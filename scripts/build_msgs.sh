#!/usr/bin/env bash
# Build our interface packages into a Python virtual environment that holds the ROS 2
# Jazzy wheels (no ROS install, nothing to source): emo_perception_msgs, and our copy of
# the ROS4HRI hri_msgs when the real one (ros-jazzy-hri-msgs) is not importable there.
# Re-runs are fast: a package is skipped when its files and this script are unchanged.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-$repo/.venv}"
strip="$repo/scripts/cmake/strip_wheel_includes.cmake"

# Imported from / so that the source folders of the repository (namespace packages when run
# from its root) cannot stand in for the built package.
imports() { (cd / && "$venv/bin/python" -c "import $1.msg as m; m.$2" 2>/dev/null); }

build_package() {  # NAME TYPE: source folder $repo/NAME, a message TYPE to import
  local name="$1" type="$2" src="$repo/$1" build="$repo/build/$1" stamp="$venv/.$1.stamp" digest
  digest="$(cat "$src"/msg/*.msg "$src/CMakeLists.txt" "$src/package.xml" "$0" "$strip" \
    | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$digest" ]] \
     && imports "$name" "$type"; then
    echo "$name: up to date"
    return 0
  fi
  echo "$name: building into $venv"
  mkdir -p "$(dirname "$build")"
  AMENT_PREFIX_PATH="$venv" PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv" \
  cmake -S "$src" -B "$build" \
    -DCMAKE_PREFIX_PATH="$venv" -DCMAKE_INSTALL_PREFIX="$venv" \
    -DPython3_EXECUTABLE="$venv/bin/python" -DBUILD_TESTING=OFF \
    -DCMAKE_PROJECT_INCLUDE="$strip" \
    -DCMAKE_BUILD_TYPE=Release > "$build.configure.log" 2>&1 \
    || { tail -40 "$build.configure.log"; return 1; }
  AMENT_PREFIX_PATH="$venv" PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv" \
  cmake --build "$build" -j "$(nproc)" > "$build.build.log" 2>&1 \
    || { tail -40 "$build.build.log"; return 1; }
  cmake --install "$build" > /dev/null
  imports "$name" "$type" \
    || { echo "$name built but does not import; see $build.build.log" >&2; return 1; }
  echo "$digest" > "$stamp"
  echo "$name: installed"
}

build_package emo_perception_msgs FaceArray
# The real hri_msgs wins where it is installed (its stamp-less import means it is not ours).
if [[ ! -f "$venv/.hri_msgs.stamp" ]] \
   && imports hri_msgs IdsList; then
  echo "hri_msgs: using the installed package"
else
  build_package hri_msgs IdsList
fi
