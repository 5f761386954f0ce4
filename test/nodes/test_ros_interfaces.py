"""What a ROS user reads about our interfaces is true: names in message comments exist,
rosdep finds both packages from the paths the README gives it, and the package builds
without packaging warnings."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
MSG_DIR = REPO / "emo_perception_msgs" / "msg"


def _declared_parameters() -> dict[str, set[str]]:
    """Node -> parameter names, from docs/ros_api.md (generated from the nodes; test_spine
    checks it is current)."""
    out: dict[str, set[str]] = {}
    node = None
    for line in (REPO / "docs" / "ros_api.md").read_text().splitlines():
        heading = re.match(r"^## (\w+_node)\s*$", line)
        if heading:
            node = heading.group(1)
            out[node] = set()
        elif node and line.startswith("| `"):
            out[node].add(line.split("`")[1])
    return out


def _fields(msg_text: str) -> set[str]:
    names = set()
    for line in msg_text.splitlines():
        code = line.split("#", 1)[0].split()
        if len(code) >= 2:
            names.add(code[1].split("=")[0])
    return names


def test_message_comments_name_existing_parameters_and_fields() -> None:
    params = _declared_parameters()
    assert "fusion_node" in params and "fusion.short_window_s" in params["fusion_node"]
    every = set().union(*params.values())
    wrong = []
    for path in sorted(MSG_DIR.glob("*.msg")):
        text = path.read_text()
        fields = _fields(text)
        for lineno, line in enumerate(text.splitlines(), 1):
            if "#" not in line:
                continue
            comment = line.split("#", 1)[1]
            nodes = re.findall(r"\b(\w+_node)\b", comment)
            for name in re.findall(r"`([^`]+)`", comment):
                known = set().union(*(params.get(n, set()) for n in nodes)) if nodes else every
                if name not in known and name not in fields:
                    wrong.append(f"{path.name}:{lineno}: `{name}`")
    assert not wrong, "comments name parameters or fields that do not exist: " + ", ".join(wrong)


def _readme_command(prefix: str) -> list[str]:
    text = (REPO / "README.md").read_text().replace("\\\n", " ")
    lines = [ln.split("#", 1)[0].strip() for ln in text.splitlines()
             if ln.strip().startswith(prefix)]
    assert lines, f"README has no `{prefix}` line"
    return lines[0].split()


def test_rosdep_line_of_the_readme_finds_both_packages(tmp_path: pathlib.Path) -> None:
    """rosdep's --from-paths crawls with catkin_pkg, which does not descend into a folder
    that is a package itself: the nested emo_perception_msgs must be named, or rosdep looks
    it up as a system dependency and fails (`Cannot locate rosdep definition`)."""
    from catkin_pkg.packages import find_packages

    words = _readme_command("rosdep install")
    paths = []
    for i, word in enumerate(words):
        if word == "--from-paths":
            paths += [w for w in words[i + 1:] if not w.startswith("-")][:8]
            break
    assert paths and "--ignore-src" in words, words
    ws = tmp_path / "ws"
    (ws / "src").mkdir(parents=True)
    (ws / "src" / "emo_perception").symlink_to(REPO)  # the README's clone
    found = {}
    for path in dict.fromkeys(paths):
        found.update({pkg.name: pkg for pkg in find_packages(str(ws / path)).values()})
    assert {"emo_perception", "emo_perception_msgs"} <= set(found), sorted(found)
    # --ignore-src resolves in-tree keys by name: emo_perception's dependency on the
    # messages is satisfied from source, nothing else it names is ours.
    deps = {d.name for d in found["emo_perception"].exec_depends}
    assert "emo_perception_msgs" in deps


def test_package_builds_without_packaging_warnings(tmp_path: pathlib.Path) -> None:
    """setuptools warned that data/qa was a package left out of ``packages``."""
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    src = tmp_path / "src"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{REPO}", str(src)],
                   check=True, capture_output=True)
    # The working tree's packaging files, committed or not.
    for name in ("setup.py", "setup.cfg", "MANIFEST.in"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, src / name)
    res = subprocess.run([sys.executable, "setup.py", "-q", "build", "--build-base",
                          str(tmp_path / "build")], cwd=src, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    warnings = [ln for ln in (res.stdout + res.stderr).splitlines()
                if "absent from the `packages` configuration" in ln or
                "Package would be ignored" in ln]
    assert not warnings, warnings
    built = tmp_path / "build" / "lib" / "emo_perception" / "data"
    assert any((built / "qa").glob("*")), "data/qa was not packaged"
