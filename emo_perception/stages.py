"""The stage graph as data: which stage runs in which node, under which parameter prefix,
configured by which dataclass, and how its backend is chosen.

One table, read by everything that assembles the chain: ``process`` builds its
:class:`~emo_perception.perception.pipeline.PipelineConfig` from a config file through
:func:`stage_configs`; each node declares the parameters of its own stages through
:func:`stages_of`; the ROS API doc and the config-key tests check against it. Settings
live on the config dataclasses (``emo_perception.config.setting``: help, range, live), so
a stage's parameters are described once.

In a config file a stage's settings are the mapping ``<node>: ros__parameters: <prefix>``
(``prefix`` empty: the node's top level, e.g. au_node's ``au_backend``).

A stage the chain runs as an object has a ``builder``: it takes every stage's config (by
stage name) and returns the stage, with the backend its configs name (geometric or learned
AUs and expression; mediapipe or MoveNet bodies). :func:`build_stage` calls it, for
``PerceptionPipeline`` offline and for the nodes live, so both build the same stages from
the same settings. Rows without a builder are settings of another row's stage (``finder``
of landmarks; ``action_units``, ``learned``, ``expression`` of the face analysis) or stages
their node builds itself (source, voice, reasoning, the REP-155 bridge).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emo_perception.config import ConfigError, build_dataclass, node_section
from emo_perception.node_list import NODES


@dataclass(frozen=True)
class StageSpec:
    name: str  # key of the stage's config offline (a PipelineConfig field where it has one)
    node: str  # the node that runs it live
    prefix: str  # parameter prefix inside that node ("" = top level)
    config_path: str  # "module:Class" of its config dataclass, imported on first use so
    #                   a node loads only the stage modules it runs
    summary: str
    builder: Callable[[Mapping[str, Any]], Any] | None = None  # configs by name -> stage

    @property
    def config(self) -> type:
        module, _, cls = self.config_path.partition(":")
        return getattr(importlib.import_module(f"emo_perception.{module}"), cls)


Configs = Mapping[str, Any]  # stage name -> config (missing: that config's defaults)


def _cfg(configs: Configs, name: str) -> Any:
    value = configs.get(name)
    return value if value is not None else BY_NAME[name].config()


def build_landmarks(configs: Configs) -> Any:
    """The landmark stage (``LandmarkDetector``) with the face finder of ``finder``; the
    body backend is ``landmarks.body_backend`` (a MoveNet model that is not there raises
    OSError). ``deid.mode: silhouette`` needs the people mask, so it turns segmentation
    on."""
    from emo_perception.perception.landmarks import LandmarkDetector

    lm_cfg = _cfg(configs, "landmarks")
    if _cfg(configs, "deid").mode == "silhouette" and not lm_cfg.segmentation:
        lm_cfg = dataclasses.replace(lm_cfg, segmentation=True)
    return LandmarkDetector(lm_cfg, _cfg(configs, "finder"))


def build_tracker(configs: Configs) -> Any:
    from emo_perception.perception.tracking import PersonTracker

    return PersonTracker(_cfg(configs, "tracking"))


def build_deid(configs: Configs) -> Any:
    """De-identification that refuses landmarks of another frame (both the pipeline and
    deid_node hand it landmarks that carry their frame's digest)."""
    from emo_perception.perception.deid import Deidentifier

    return Deidentifier(_cfg(configs, "deid"), require_pairing=True)


def build_face_analysis(configs: Configs) -> Any:
    """The face analysis stage (``FaceAnalysis``) with the backend its config names
    (``au_backend``); a learned model that cannot be loaded raises (OSError, RuntimeError
    or ValueError)."""
    from emo_perception.perception.face_analysis import FaceAnalysis

    return FaceAnalysis(configs.get("au_backend"), configs.get("action_units"),
                        configs.get("learned"), configs.get("expression"))


def build_micro_gestures(configs: Configs) -> Any:
    from emo_perception.perception.micro_gestures import MicroGestureDetector

    return MicroGestureDetector(_cfg(configs, "micro_gestures"))


def build_fusion(configs: Configs) -> Any:
    from emo_perception.perception.fusion import Fusion

    return Fusion(_cfg(configs, "fusion"))


STAGES: tuple[StageSpec, ...] = (
    StageSpec("source", "camera_node", "", "perception.sources:SourceConfig",
              "frames from a camera, video, image folder or bag"),
    StageSpec("landmarks", "deid_node", "landmarks", "perception.landmarks:LandmarkConfig",
              "mediapipe face mesh, body pose (or MoveNet multi-person), hands, "
              "segmentation", build_landmarks),
    StageSpec("finder", "deid_node", "finder", "perception.face_finder:FaceFinderConfig",
              "union of face detectors whose boxes de-identification masks"),
    StageSpec("tracking", "deid_node", "tracking", "perception.tracking:TrackerConfig",
              "temporary person tracks linking face and body", build_tracker),
    StageSpec("deid", "deid_node", "deid", "perception.deid:DeidConfig",
              "masking of every found face (the privacy boundary)", build_deid),
    StageSpec("au_backend", "au_node", "", "perception.face_analysis:AuBackendConfig",
              "which estimator measures action units",
              build_face_analysis),  # the face analysis: AUs and expression
    StageSpec("action_units", "au_node", "action_units",
              "perception.action_units:ActionUnitConfig",
              "geometric action units from the face mesh"),
    StageSpec("learned", "au_node", "learned",
              "perception.learned_action_units:LearnedActionUnitConfig",
              "learned action units (AU-TTT) from face crops"),
    StageSpec("expression", "au_node", "expression", "perception.expression:ExpressionConfig",
              "expression distribution, valence, arousal from action units"),
    StageSpec("micro_gestures", "gesture_node", "gestures",
              "perception.micro_gestures:MicroGestureConfig",
              "micro-gestures from skeletons over sliding windows", build_micro_gestures),
    StageSpec("voice", "voice_node", "voice", "voice.pipeline:VoiceConfig",
              "voice anonymisation, activity, prosody, speech"),
    StageSpec("fusion", "fusion_node", "fusion", "perception.fusion:FusionConfig",
              "per-person short- and long-term state and evidence", build_fusion),
    StageSpec("reasoning", "reasoning_node", "reasoning", "reasoning.result:ReasoningConfig",
              "grounded emotion explanations with hallucination checks"),
    StageSpec("runner", "reasoning_node", "runner", "reasoning.runner:RunnerConfig",
              "scheduling and time limit of reasoning jobs"),
    StageSpec("hri_bridge", "hri_bridge_node", "hri", "hri.bridge:HriBridgeConfig",
              "REP-155 (ROS4HRI) topics under /humans"),
)
BY_NAME: dict[str, StageSpec] = {s.name: s for s in STAGES}
assert all(s.node in NODES for s in STAGES)


def stages_of(node: str) -> list[StageSpec]:
    """The stages ``node`` runs, in table order."""
    return [s for s in STAGES if s.node == node]


def stage_config(data: dict[str, Any], name: str) -> Any:
    """Config of stage ``name`` from a loaded config mapping (``config.load_config``);
    unknown keys raise :class:`ConfigError` naming the node and prefix."""
    spec = BY_NAME[name]
    section = node_section(data, spec.node)
    if spec.prefix:
        values = section.get(spec.prefix) or {}
    else:  # top level: the fields of this stage only (siblings are other settings)
        fields = {f.name for f in dataclasses.fields(spec.config)}
        values = {k: v for k, v in section.items() if k in fields}
    if not isinstance(values, dict):
        raise ConfigError(f"{spec.node}.{spec.prefix}: expected a mapping of settings")
    return build_dataclass(spec.config, values, f"{spec.node}.{spec.prefix or 'parameters'}")


def stage_configs(data: dict[str, Any], names: list[str] | None = None) -> dict[str, Any]:
    """Configs of several stages (default: all) from one loaded config mapping."""
    return {name: stage_config(data, name) for name in (names or list(BY_NAME))}


def build_stage(name: str, configs: Configs) -> Any:
    """Stage ``name`` built by its table builder from ``configs`` (stage name -> config;
    missing configs take their defaults)."""
    builder = BY_NAME[name].builder
    if builder is None:
        raise KeyError(f"stage {name!r} has no builder: its settings belong to another "
                       "stage or its node builds it")
    return builder(configs)
