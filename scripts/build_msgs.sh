#!/usr/bin/env bash
# Build the emo_perception_msgs interface package into a Python virtual environment that
# holds the ROS 2 Jazzy wheels (no ROS install, nothing to source). Re-runs are fast:
# skipped entirely when the .msg files and this script are unchanged.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-$repo/.venv}"
build="$repo/build/emo_perception_msgs"
stamp="$venv/.emo_perception_msgs.stamp"

digest="$(cat "$repo"/emo_perception_msgs/msg/*.msg "$repo"/emo_perception_msgs/CMakeLists.txt \
  "$repo"/emo_perception_msgs/package.xml "$0" "$repo/scripts/cmake/strip_wheel_includes.cmake" \
  | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$digest" ]] \
   && "$venv/bin/python" -c "import emo_perception_msgs.msg" 2>/dev/null; then
  echo "emo_perception_msgs: up to date"
  exit 0
fi

echo "emo_perception_msgs: building into $venv"
mkdir -p "$(dirname "$build")"
export AMENT_PREFIX_PATH="$venv"
export PATH="$venv/bin:$PATH"
export VIRTUAL_ENV="$venv"
cmake -S "$repo/emo_perception_msgs" -B "$build" \
  -DCMAKE_PREFIX_PATH="$venv" -DCMAKE_INSTALL_PREFIX="$venv" \
  -DPython3_EXECUTABLE="$venv/bin/python" -DBUILD_TESTING=OFF \
  -DCMAKE_PROJECT_INCLUDE="$repo/scripts/cmake/strip_wheel_includes.cmake" \
  -DCMAKE_BUILD_TYPE=Release > "$build.configure.log" 2>&1 \
  || { tail -40 "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" > "$build.build.log" 2>&1 \
  || { tail -40 "$build.build.log"; exit 1; }
cmake --install "$build" > /dev/null
"$venv/bin/python" -c "import emo_perception_msgs.msg" \
  || { echo "emo_perception_msgs built but does not import; see $build.build.log" >&2; exit 1; }
echo "$digest" > "$stamp"
echo "emo_perception_msgs: installed"
