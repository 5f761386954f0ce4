"""The code that does the work does not import rclpy: every module outside
``emo_perception/nodes`` imports with rclpy made unimportable."""

from __future__ import annotations

import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]

SCRIPT = r"""
import importlib, importlib.abc, pathlib, sys

class NoRos(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "rclpy" or name.startswith("rclpy."):
            raise ImportError(f"{name} imported outside the node layer")
        return None

sys.meta_path.insert(0, NoRos())
root = pathlib.Path(sys.argv[1])
failed = []
for path in sorted((root / "emo_perception").rglob("*.py")):
    rel = path.relative_to(root).with_suffix("")
    if "nodes" in rel.parts or rel.name == "__main__":
        continue
    name = ".".join(rel.parts).removesuffix(".__init__")
    try:
        importlib.import_module(name)
    except ImportError as exc:
        if "outside the node layer" in str(exc):
            failed.append(f"{name}: {exc}")
print("\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_stages_import_without_rclpy() -> None:
    res = subprocess.run([sys.executable, "-c", SCRIPT, str(REPO)], capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr[-2000:]
