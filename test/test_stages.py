"""The stage table: every stage's settings described once (help, range, choices) on its
config dataclass, every shipped config readable through the table, and ``process``
picking the backend a config names (learned AUs included) exactly as au_node does."""

from __future__ import annotations

import dataclasses
import json
import pathlib

import numpy as np
import pytest

from emo_perception.config import ConfigError, check_settings, config_dir, load_config
from emo_perception.node_list import LAUNCHABLE_NODES, NODES
from emo_perception.stages import BY_NAME, STAGES, stage_config, stage_configs, stages_of

SHIPPED = sorted(p.name for p in config_dir().glob("*.yaml"))


def test_table_covers_every_config_class_and_node() -> None:
    assert len({s.name for s in STAGES}) == len(STAGES)
    assert {s.node for s in STAGES} <= set(NODES)
    assert set(LAUNCHABLE_NODES) <= set(NODES)
    for spec in STAGES:
        assert dataclasses.is_dataclass(spec.config), spec.name
        assert spec in stages_of(spec.node)
    # PipelineConfig's stages are the table's (process reads them through it).
    from emo_perception.perception.pipeline import PipelineConfig

    stage_fields = [f.name for f in dataclasses.fields(PipelineConfig)
                    if dataclasses.is_dataclass(f.type) or f.name in BY_NAME]
    assert set(stage_fields) <= set(BY_NAME), set(stage_fields) - set(BY_NAME)


@pytest.mark.parametrize("spec", STAGES, ids=lambda s: s.name)
def test_every_setting_is_described_once_with_a_valid_default(spec) -> None:
    cfg = spec.config()
    check_settings(cfg)  # defaults are inside their own ranges and choices
    for f in dataclasses.fields(spec.config):
        help_text = f.metadata.get("help", "")
        assert len(help_text) >= 8, f"{spec.name}.{f.name}: no help text"
        assert "TODO" not in help_text and "(see docs)" not in help_text
        rng = f.metadata.get("range")
        if rng is not None:
            assert rng[0] <= rng[1], f"{spec.name}.{f.name}: empty range {rng}"


def test_range_and_choices_are_enforced_with_the_field_named() -> None:
    from emo_perception.perception.deid import DeidConfig

    with pytest.raises(ValueError, match=r"DeidConfig\.margin must be in \[0, 2\]"):
        DeidConfig(margin=2.5)
    with pytest.raises(ValueError, match=r"DeidConfig\.mode: 'fog' is not one of"):
        DeidConfig(mode="fog")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_configs_build_every_stage_through_the_table(name) -> None:
    configs = stage_configs(load_config(name))
    assert set(configs) == set(BY_NAME)
    assert configs["deid"].mode in ("blur", "pixelate", "solid", "silhouette", "skeleton")


def test_unknown_stage_key_names_node_and_prefix(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("/**/deid_node:\n  ros__parameters:\n    deid:\n      mdoe: solid\n")
    with pytest.raises(ConfigError, match=r"deid_node\.deid: unknown setting 'mdoe'; did you "
                                          r"mean 'mode'"):
        stage_config(load_config(bad), "deid")


def test_track_ends_follow_the_tracker_list() -> None:
    from emo_perception.perception.tracking import TrackEnds

    ends = TrackEnds()
    assert ends.update(["p1", "p2"]) == []
    assert ends.update(["p2"]) == ["p1"]
    assert ends.update(["p2", "p3"]) == []
    assert ends.update([]) == ["p2", "p3"] and ends.ended == 3


def test_face_analysis_forgets_running_baselines_when_a_track_ends() -> None:
    """Offline, the pipeline drops per-track AU state and the fused person when the tracker
    drops the track, keeping that person's final evidence window (au_node and fusion_node
    do the same from the ``tracks`` topic)."""
    import skimage.data

    from emo_perception.perception.action_units import ActionUnitConfig
    from emo_perception.perception.pipeline import PerceptionPipeline, PipelineConfig
    from emo_perception.perception.tracking import TrackerConfig
    from emo_perception.perception.types import Frame

    photo = np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1])
    blank = np.full_like(photo, 90)
    cfg = PipelineConfig(action_units=ActionUnitConfig(baseline_mode="running"),
                         tracking=TrackerConfig(max_missed=2, deterministic_ids=True))
    pipe = PerceptionPipeline(cfg)
    try:
        for i in range(3):
            pipe.process(Frame(photo, i * 0.1, i))
        assert pipe.faces.tracks() == ["p1"] and pipe.fusion.tracks() == ["p1"]
        for i in range(3, 7):  # the face is gone: after max_missed frames the track ends
            pipe.process(Frame(blank, i * 0.1, i))
        assert pipe.faces.tracks() == [] and pipe.track_ends.ended == 1
        assert pipe.fusion.tracks() == []
        final = pipe.ended_evidence["p1"]
        assert final.track_id == "p1" and final.expression["happiness"] > 0.5
    finally:
        pipe.close()


def _learned_config(tmp_path: pathlib.Path, allow_unfit: bool) -> pathlib.Path:
    path = tmp_path / "learned.yaml"
    path.write_text(
        "emo_launch:\n  ros__parameters:\n    base: default.yaml\n"
        "/**/au_node:\n  ros__parameters:\n    au_backend: learned\n"
        "    learned:\n      backends: [cpu]\n"
        f"      allow_unfit_model: {str(allow_unfit).lower()}\n")
    return path


def _face_folder(tmp_path: pathlib.Path) -> pathlib.Path:
    import cv2
    import skimage.data

    folder = tmp_path / "faces"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"),
                np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1]))
    return folder


def test_process_runs_the_learned_backend_a_config_names(tmp_path) -> None:
    """`process --config` with ``au_backend: learned`` runs AU-TTT (it used to run the
    geometric estimator silently); a model it may not run stops it with one line."""
    from emo_perception.cli import main

    folder = _face_folder(tmp_path)
    out = tmp_path / "out"
    code = main(["process", str(folder), "--out", str(out), "--config",
                 str(_learned_config(tmp_path, allow_unfit=True))])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["au_backend"].startswith("au_ttt:"), summary["au_backend"]
    face = json.loads((out / "frames.jsonl").read_text().splitlines()[0])["faces"][0]
    # the learned model reports its own AU set (occurrence probability x intensity_scale)
    assert face["action_units"] and all(
        abs(v["intensity"] - 5.0 * v["p"]) < 0.02 for v in face["action_units"].values())


def test_process_refuses_an_unfit_learned_model_with_one_line(tmp_path, capsys) -> None:
    from emo_perception.cli import main

    folder = _face_folder(tmp_path)
    code = main(["process", str(folder), "--out", str(tmp_path / "out"), "--config",
                 str(_learned_config(tmp_path, allow_unfit=False))])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "not fit for use" in err[0], err


def test_nodes_take_topic_names_and_types_from_the_topic_table(repo_root) -> None:
    """Nodes publish and subscribe through the topic table (name -> type, QoS); each
    topic is published by the node the table names. Recorder, player, the launch
    monitor and the REP-155 bridge (per-id topics under /humans) handle topics chosen at
    run time and are exempt."""
    import re

    from emo_perception.topics import BY_NAME

    exempt = {"recorder_node.py", "player_node.py", "launch_monitor.py", "bench_node_set.py",
              "common.py", "container.py", "conversions.py", "__init__.py",
              "hri_bridge_node.py", "hri_conversions.py"}
    published: dict[str, set[str]] = {}
    for path in sorted((repo_root / "emo_perception" / "nodes").glob("*.py")):
        text = path.read_text()
        if path.name in exempt:
            continue
        assert "create_publisher(" not in text and "create_subscription(" not in text, \
            f"{path.name}: use topic_publisher/subscribe (the topic table)"
        for name in re.findall(r'topic_publisher\("([^"]+)"', text):
            published.setdefault(name, set()).add(path.stem)
        for name in re.findall(r'subscribe\("([^"]+)"', text) + list(published):
            assert name in BY_NAME, f"{path.name}: {name} is not in topics.TOPICS"
    for name, nodes in published.items():
        assert nodes == {BY_NAME[name].publisher}, (name, nodes)


def test_pipeline_stages_share_one_protocol() -> None:
    """Every stage, landmarks and tracker included, takes forget(track_id) and reports
    stage_stats() (a snapshot: changing it changes nothing in the stage)."""
    from emo_perception.perception.pipeline import STAGES as LATENCY_KEYS
    from emo_perception.perception.pipeline import PerceptionPipeline, PipelineConfig
    from emo_perception.perception.types import Frame, Stage, StageStats

    pipe = PerceptionPipeline(PipelineConfig())
    try:
        assert tuple(pipe.stages) == LATENCY_KEYS
        pipe.process(Frame(np.full((120, 160, 3), 90, np.uint8), 0.0, 0))
        for name, stage in pipe.stages.items():
            assert isinstance(stage, Stage), name
            stage.forget("p404")  # unknown ids are fine
            stats = stage.stage_stats()
            assert isinstance(stats, StageStats), name
            stats.errors += 99
            assert stage.stage_stats().errors != stats.errors, name
        stats = pipe.stage_stats()
        assert stats["landmarks"].processed == 1 and stats["tracking"].processed == 1
        assert stats["deid"].processed == 1
    finally:
        pipe.close()


def test_every_stage_the_chain_runs_is_built_by_the_table() -> None:
    """The pipeline's stages are the table builders' output (the nodes call the same
    builders), each built from default configs, and a silhouette de-id turns on the
    people mask in both."""
    from emo_perception.perception.deid import DeidConfig
    from emo_perception.perception.pipeline import PerceptionPipeline, PipelineConfig
    from emo_perception.perception.types import Stage
    from emo_perception.stages import build_stage

    built = [s for s in STAGES if s.builder is not None]
    assert [s.name for s in built] == ["landmarks", "tracking", "deid", "au_backend",
                                       "micro_gestures", "fusion"]
    assert {s.node for s in built} == {"deid_node", "au_node", "gesture_node", "fusion_node"}
    pipe = PerceptionPipeline(PipelineConfig(deid=DeidConfig(mode="silhouette")))
    try:
        for spec, (key, stage) in zip(built, pipe.stages.items()):
            alone = build_stage(spec.name, {})
            try:
                assert type(alone) is type(stage) and isinstance(alone, Stage), key
            finally:
                getattr(alone, "close", lambda: None)()
        assert pipe.detector.cfg.segmentation and not PipelineConfig().landmarks.segmentation
        detector = build_stage("landmarks", {"deid": DeidConfig(mode="silhouette")})
        assert detector.cfg.segmentation
        detector.close()
    finally:
        pipe.close()
    with pytest.raises(KeyError, match="'finder' has no builder"):
        build_stage("finder", {})
