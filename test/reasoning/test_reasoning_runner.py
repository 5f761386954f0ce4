"""Async runner scheduling: non-blocking submit, per-track rate limit, bounded queue."""

from __future__ import annotations

import threading

import pytest

from emo_perception.evidence import EvidenceWindow
from emo_perception.reasoning.knowledge import KnowledgeReasoner
from emo_perception.reasoning.result import ReasoningConfig
from emo_perception.reasoning.runner import ReasoningRunner, RunnerConfig

WINDOW = EvidenceWindow.from_json({"action_units": {"AU6": 0.9, "AU12": 0.9},
                                   "duration_s": 2.0})


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_knowledge_runner_rate_limits_per_track():
    clock = FakeClock()
    cfg = ReasoningConfig()
    with ReasoningRunner(cfg, RunnerConfig(min_interval_s=2.0), clock=clock) as runner:
        assert runner.submit(WINDOW, "a")
        assert not runner.submit(WINDOW, "a")  # 0 s later: skipped
        assert runner.submit(WINDOW, "b")  # other track: independent
        clock.t += 2.5
        assert runner.submit(WINDOW, "a")
        got = runner.wait_results(3, 10)
    assert sorted(r.track_id for r in got) == ["a", "a", "b"]
    assert all(r.label == "happiness" and r.backend == "knowledge" for r in got)
    assert runner.stats.rate_limited == 1 and runner.stats.completed == 3


class GatedReasoner(KnowledgeReasoner):
    """The real knowledge reasoner, held at a gate so jobs pile up in the queue."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.gate = gate

    def reason(self, window, track_id=""):
        self.gate.wait(10)
        return super().reason(window, track_id)


def test_full_queue_drops_oldest_and_counts():
    gate = threading.Event()
    run_cfg = RunnerConfig(min_interval_s=0.0, queue_size=2)
    runner = ReasoningRunner(ReasoningConfig(), run_cfg,
                             reasoner_factory=lambda: GatedReasoner(gate)).start()
    try:
        runner.submit(WINDOW, "t0")
        for _ in range(200):  # wait until the worker holds t0 at the gate
            if not runner._jobs:
                break
            threading.Event().wait(0.01)
        for i in range(1, 5):
            assert runner.submit(WINDOW, f"t{i}")
        assert runner.stats.dropped == 2
        gate.set()
        got = runner.wait_results(3, 10)
    finally:
        runner.stop()
    assert [r.track_id for r in got] == ["t0", "t3", "t4"]


def test_reasoner_exception_becomes_flagged_fallback():
    class Broken(KnowledgeReasoner):
        def reason(self, window, track_id=""):
            raise RuntimeError("bug in a backend")

    cfg = ReasoningConfig(backend="openai")
    broken = Broken()
    broken.__class__.__name__ = "Broken"
    # A non-knowledge reasoner path: the runner calls it through its timeout pool.
    with ReasoningRunner(cfg, RunnerConfig(min_interval_s=0.0),
                         reasoner_factory=lambda: _Wrap(broken)) as runner:
        runner.submit(WINDOW, "x")
        got = runner.wait_results(1, 10)
    assert got[0].fallback_used and "backend_error" in got[0].flag_kinds()
    assert "bug in a backend" in got[0].flags[0].detail


class _Wrap:
    def __init__(self, inner) -> None:
        self.inner = inner

    def reason(self, window, track_id=""):
        return self.inner.reason(window, track_id)


def test_bad_windows_are_counted_not_raised():
    nan = float("nan")
    bad = EvidenceWindow(action_units={"AU12": nan, "AU6": 0.9}, prosody={"energy_db": nan},
                         duration_s=1.0)
    with ReasoningRunner(ReasoningConfig(), RunnerConfig(min_interval_s=0.0)) as runner:
        assert not runner.submit({"action_units": {}}, "x")  # not a window
        assert runner.submit(bad, "y")
        got = runner.wait_results(1, 10)
    assert runner.stats.invalid == 1 and runner.stats.values_dropped == 2
    assert got[0].track_id == "y" and all(c.name != "AU12" for c in got[0].cues)


@pytest.mark.parametrize("kwargs", [{"max_results": 0}, {"min_interval_s": -1},
                                    {"queue_size": 0}])
def test_runner_config_validation(kwargs):
    with pytest.raises(ValueError):
        RunnerConfig(**kwargs)
