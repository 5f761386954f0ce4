"""The offline ``process`` command on a real clip, an image folder and bad input."""

from __future__ import annotations

import json
import pathlib

import cv2
import pytest
from face_check import VIDEO_DIR, IndependentDetector, real_photos

from emo_perception.cli import main

MEGAMIND = VIDEO_DIR / "Megamind.avi"


def _run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(["process", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_process_clip_writes_all_outputs(tmp_path: pathlib.Path, capsys, repo_root) -> None:
    out = tmp_path / "out"
    rc, stdout, _ = _run(capsys, str(MEGAMIND), "--out", str(out), "--max-frames", "12",
                         "--config", str(repo_root / "config" / "default.yaml"),
                         "--deterministic-ids", "--mode", "pixelate")
    assert rc == 0
    assert "processed 12 frames" in stdout
    for name in ("deid.mp4", "frames.jsonl", "summary.json", "evidence.json", "timeline.png"):
        assert (out / name).stat().st_size > 0, name
    records = [json.loads(line) for line in (out / "frames.jsonl").read_text().splitlines()]
    assert [r["index"] for r in records] == list(range(12))
    faces = [f for r in records for f in r["faces"]]
    assert faces and all("mesh" in f and isinstance(f["mesh"], bool) for f in faces)
    with_aus = [f for f in faces if "action_units" in f]
    assert with_aus, "the boy's face has a mesh: AUs and expression expected"
    assert "AU12" in with_aus[0]["action_units"] and "label" in with_aus[0]["expression"]
    assert any(r["persons"] for r in records)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["frames"] == 12 and summary["deid"]["frames"] == 12
    assert summary["deid"]["faces_masked"] >= 12
    assert summary["config"]["deid"]["mode"] == "pixelate"
    assert "p1" in summary["people"]
    assert set(summary["latency"]) >= {"landmarks", "deid", "total"}
    # The written video is de-identified: the checker finds no face in it.
    cap = cv2.VideoCapture(str(out / "deid.mp4"))
    checker = IndependentDetector()
    n = 0
    while True:
        ok, image = cap.read()
        if not ok:
            break
        n += 1
        assert checker.mediapipe(image) == []
    assert n == 12
    # Same input, deterministic ids: identical track ids frame by frame.
    out2 = tmp_path / "out2"
    assert _run(capsys, str(MEGAMIND), "--out", str(out2), "--max-frames", "12",
                "--deterministic-ids", "--mode", "pixelate")[0] == 0
    again = [json.loads(line) for line in (out2 / "frames.jsonl").read_text().splitlines()]
    assert [[t["track_id"] for t in r["tracks"]] for r in records] == \
        [[t["track_id"] for t in r["tracks"]] for r in again]


def test_process_image_folder(tmp_path: pathlib.Path, capsys) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for name, image in real_photos().items():
        cv2.imwrite(str(folder / f"{name}.png"), image)
    rc, _, _ = _run(capsys, str(folder), "--out", str(tmp_path / "o"), "--mode", "solid",
                    "--no-analysis")
    assert rc == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["source"]["kind"] == "images" and summary["frames"] == 2
    assert summary["deid"]["faces_masked"] >= 2


@pytest.mark.parametrize("bad", ["missing.mp4", "not_video.avi"])
def test_bad_input_exits_2_with_one_line(tmp_path: pathlib.Path, capsys, bad: str) -> None:
    (tmp_path / "not_video.avi").write_text("no frames here")
    rc, stdout, stderr = _run(capsys, str(tmp_path / bad), "--out", str(tmp_path / "o"))
    assert rc == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("emo-perception process: error:")
    assert bad in lines[0]


def test_bad_config_exits_2(tmp_path: pathlib.Path, capsys) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("/**/deid_node:\n  ros__parameters:\n    deid:\n      mdoe: blur\n")
    rc, _, stderr = _run(capsys, str(MEGAMIND), "--out", str(tmp_path / "o"), "--config",
                         str(cfg))
    assert rc == 2 and "mdoe" in stderr and "did you mean 'mode'" in stderr
