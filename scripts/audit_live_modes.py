"""Live de-identification audit in every mode: the node set on the frozen ci scene set's
cut video, judged from another process by the privacy audit.

``.venv/bin/python scripts/audit_live_modes.py [--modes blur,pixelate,...] [--seconds S]
[--hogs N]`` runs ``emo-perception launch default.yaml`` (camera_node + deid_node, the
cut video looped at 15 FPS, ``deid.hold_frames=0`` so each frame is judged on its own
masks) once per mode, saves raw / published frame pairs by stamp with
``test/tools/frame_pair_probe.py``, and audits up to 40 pairs spread over the run with
the audit's independent detectors (dlib HOG, OpenCV Haar frontal and profile, 1x) and
dlib's face-recognition ResNet. ``--hogs N`` adds N busy-loop processes. Prints one line
per mode; runs in the venv (``make setup``), on a ROS domain of its own (87 unless set).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import cv2

REPO = pathlib.Path(__file__).resolve().parents[1]
PROBE = REPO / "test" / "tools" / "frame_pair_probe.py"


def run_mode(mode: str, video: pathlib.Path, seconds: float, hogs: int,
             work: pathlib.Path) -> str:
    from emo_perception.audit.faces import AuditConfig, FaceAuditor

    out = work / mode
    env = dict(os.environ, ROS_DOMAIN_ID=os.environ.get("ROS_DOMAIN_ID", "87"),
               ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST", PYTHONUNBUFFERED="1",
               FASTRTPS_DEFAULT_PROFILES_FILE=str(REPO / "config" / "fastdds_shm.xml"))
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(hogs)]
    try:
        probe = subprocess.Popen([sys.executable, str(PROBE), str(out), str(seconds + 10),
                                  "--max", "300"], env=env)
        time.sleep(1.5)
        launch = subprocess.run(
            [sys.executable, "-m", "emo_perception.cli", "launch", "default.yaml",
             "--source", str(video), "--nodes", "camera_node,deid_node",
             "--param", "camera_node:fps=15.0", "--param", "camera_node:loop=true",
             "--param", "deid_node:deid.hold_frames=0",
             "--param", f"deid_node:deid.mode={mode}", "--duration", str(seconds)],
            env=env, capture_output=True, text=True, timeout=seconds + 90)
        probe.wait(timeout=90)
    finally:
        for b in busy:
            b.kill()
    if launch.returncode != 0:
        return f"{mode}: launch failed: {launch.stderr.strip().splitlines()[-1:]}"
    raw = {p.stem: p for p in (out / "raw").glob("*.png")}
    deid = {p.stem: p for p in (out / "deid").glob("*.png")}
    pairs = sorted(set(raw) & set(deid))
    step = max(1, len(pairs) // 40)
    judged = pairs[::step][:40]
    report = FaceAuditor(AuditConfig(detectors=("hog", "haar", "profile"), upsample=(1,),
                                     after_scope="faces")).audit_pairs(
        [cv2.imread(str(raw[s])) for s in judged], [cv2.imread(str(deid[s])) for s in judged])
    return (f"{mode}: published {len(deid)}, pairs {len(pairs)}, judged {len(judged)}, "
            f"audit faces {len(report.faces)}, leaked {len(report.leaked_by_detection)}, "
            f"re-identified {len(report.reidentified)}, rank-1 {report.rank1_rate:.3f} "
            f"(chance {report.chance:.3f}), void {report.void}")


def main() -> int:
    from emo_perception.audit.scenes import make_scene_set, missing_sources
    from emo_perception.perception.deid import MODES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--hogs", type=int, default=0)
    args = ap.parse_args()
    if missing_sources():
        print(f"scene sources missing: {missing_sources()}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        video = make_scene_set(work / "scenes", "ci").video_path
        for mode in args.modes.split(","):
            print(run_mode(mode, video, args.seconds, args.hogs, work), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
