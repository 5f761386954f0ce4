"""Every de-identification mode on the frozen ci scene set, judged by the privacy audit.

The scenes (emo_perception/audit/scenes.py, frozen by hash in test_scenes.py before the
de-identifier was tuned on them) are real faces composited at 24-260 px, rotated, darkened,
grey, at frame edges, several per frame, plus a cut video. The frames run as one video
through the offline pipeline (tracking state kept, so every still is a scene cut), and
the audit's detectors (dlib HOG, OpenCV Haar frontal and profile — none of them used by the
de-identifier) and dlib's face-recognition ResNet judge the output. The ground truth of
the scene set is a second judge: every pasted face must lie inside a masked region.
The large set runs in the benchmark (`emo-perception bench --privacy`, docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from emo_perception.perception.deid import MODES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    from emo_perception.audit.scenes import make_scene_set, missing_sources

    if missing_sources():
        pytest.skip(f"scene sources missing: {missing_sources()}")
    ss = make_scene_set(tmp_path_factory.mktemp("scenes"), "ci", video=False)
    frames, truth = [], []
    for rgb, rec in ss.frames():
        frames.append(np.ascontiguousarray(rgb[:, :, ::-1]))
        truth.append(rec)
    return frames, truth


@pytest.fixture(scope="module")
def auditor():
    from emo_perception.audit.faces import AuditConfig, FaceAuditor

    return FaceAuditor(AuditConfig(detectors=("hog", "haar", "profile"), upsample=(1,),
                                   after_scope="faces"))


@pytest.fixture(scope="module")
def blur_run(scenes):
    from emo_perception.audit.privacy_bench import run_ours

    return run_ours(scenes[0], "blur")


def test_blur_covers_every_true_face_and_the_audit_finds_no_leak(scenes, blur_run,
                                                                 auditor) -> None:
    from emo_perception.audit.privacy_bench import judge

    frames, truth = scenes
    result = judge(blur_run, frames, truth, auditor)
    report = result["_report"]
    assert result["audit_faces"] >= 40, "the audit finds too few faces to judge anything"
    assert not report.void, report.void_reason
    # Known limit, reported in the README: a face cut by the frame edge down to a strip
    # (here 17 of 36 px, and 35 of 153 px) is found by no detector. Every other true face
    # must be inside a masked region.
    assert [m for m in result["truth_missed"] if m["edge_clipped"] < 0.45] == [], \
        result["truth_missed"]
    assert report.leaked_by_detection == [], report.summary()
    assert report.reidentified == [], report.summary()
    assert not report.rank1_above_chance, report.summary()


def test_speed_runs_name_the_provider_they_really_ran_on(scenes, blur_run) -> None:
    # The GPU benchmark (scripts/gpu_privacy_fps.py) reads these: a row that asked for CUDA
    # and ran on the CPU must show it.
    from emo_perception.audit.privacy_bench import run_deface

    frames, _ = scenes
    assert blur_run.provider == "CPUExecutionProvider"
    assert {"landmarks", "deid", "total"} <= set(blur_run.stage_seconds)
    assert all(len(v) == len(frames) for v in blur_run.stage_seconds.values())
    deface = run_deface(frames[:3], warmup=1, keep_outputs=False)
    assert deface.provider == "CPUExecutionProvider" and len(deface.regions) == 3
    with pytest.raises(ValueError, match="not found"):
        run_deface(frames[:1], warmup=0, provider="NoSuchExecutionProvider")


@pytest.mark.parametrize("mode", [m for m in MODES if m != "blur"])
def test_other_modes_leak_nothing(scenes, blur_run, auditor, mode) -> None:
    """Same regions as blur (the finder does not depend on the mode); what differs is
    how they are filled, so the audit judges the rendering."""
    from emo_perception.audit.privacy_bench import judge, run_ours

    frames, truth = scenes
    every = slice(None, None, 2)  # half the frames: the audit costs seconds per frame
    run = run_ours(frames[every], mode)
    result = judge(run, frames[every], truth[every], auditor)
    report = result["_report"]
    assert not report.void, report.void_reason
    assert [m for m in result["truth_missed"] if m["edge_clipped"] < 0.45] == [], \
        result["truth_missed"]
    assert report.leaks == [], report.summary()


def test_leaks_are_split_into_true_faces_and_detector_false_positives() -> None:
    """The benchmark reports how many audit leaks are pasted faces: a leak box holding a
    true face's centre counts, one elsewhere (a patch the Haar cascades agree on) not."""
    from types import SimpleNamespace

    from emo_perception.audit.privacy_bench import leaks_on_true_faces

    truth = [{"faces": [{"box": [100, 100, 50, 60]}]}, {"faces": []}]
    on_face = SimpleNamespace(frame=0, box=(90, 95, 160, 170))
    beside = SimpleNamespace(frame=0, box=(300, 300, 340, 340))
    no_faces = SimpleNamespace(frame=1, box=(90, 95, 160, 170))
    assert leaks_on_true_faces([on_face, beside, no_faces], truth) == [on_face]
