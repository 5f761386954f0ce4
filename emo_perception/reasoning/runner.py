"""Asynchronous reasoning: perception submits windows and polls results, never waits.

``submit`` only appends to a bounded queue (oldest dropped and counted when full) after a
per-track rate limit. A worker thread runs the reasoner with a timeout; a job that runs
over it, or a reasoner that raises or cannot even be built, yields a flagged knowledge
result instead. Nothing raises into the caller.
"""

from __future__ import annotations

import collections
import concurrent.futures
import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from emo_perception.config import check_settings, setting
from emo_perception.evidence import EvidenceWindow
from emo_perception.reasoning.backends import DeidentifiedKeyframe
from emo_perception.reasoning.guard import sanitize
from emo_perception.reasoning.knowledge import KnowledgeReasoner
from emo_perception.reasoning.llm import Reasoner, create_reasoner
from emo_perception.reasoning.result import Flag, ReasoningConfig, ReasoningResult

log = logging.getLogger(__name__)


@dataclass
class RunnerConfig:
    """Scheduling of reasoning jobs (the node's ``runner.*`` parameters). A job's time
    limit is ``ReasoningConfig.timeout_s``, the one reasoning timeout of every backend."""

    min_interval_s: float = setting(2.0, "per person: windows closer than this are skipped [s]",
                                    range=(0.0, 3600.0))
    queue_size: int = setting(4, "pending windows; the oldest is dropped (counted) when full",
                              range=(1, 1000))
    max_results: int = setting(64, "unpolled results kept; the oldest is dropped when full",
                               range=(1, 100000))

    def __post_init__(self) -> None:
        check_settings(self)


@dataclass
class RunnerStats:
    submitted: int = 0
    rate_limited: int = 0
    dropped: int = 0  # queued jobs pushed out by newer ones
    completed: int = 0
    timeouts: int = 0
    fallbacks: int = 0
    errors: int = 0
    results_dropped: int = 0  # results nobody polled in time
    invalid: int = 0  # submissions that were not evidence windows
    values_dropped: int = 0  # non-finite values / reversed spans removed from windows


class ReasoningRunner:
    """Plain-Python async wrapper the reasoning node drives (no ROS imports here)."""

    def __init__(self, config: ReasoningConfig, runner: RunnerConfig | None = None,
                 reasoner_factory: Callable[[], Reasoner] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.runner = runner or RunnerConfig()
        self._factory = reasoner_factory or (lambda: create_reasoner(config))
        self._clock = clock
        self._fallback = KnowledgeReasoner(config)
        self._jobs: collections.deque = collections.deque()
        self._results: collections.deque = collections.deque()
        self._last_submit: dict[str, float] = {}
        self._cv = threading.Condition()
        self._stop = False
        self.stats = RunnerStats()
        self._reasoner: Reasoner | None = None
        self._init_error = ""
        self._thread = threading.Thread(target=self._work, name="reasoning", daemon=True)
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="reason-call")

    def start(self) -> "ReasoningRunner":
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> "ReasoningRunner":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def submit(self, window: EvidenceWindow, track_id: str = "",
               keyframes: Sequence[DeidentifiedKeyframe] = ()) -> bool:
        """Queue a window; False when rate-limited for this track. Never blocks."""
        if not isinstance(window, EvidenceWindow):
            with self._cv:
                self.stats.invalid += 1
            return False
        window, dropped = sanitize(window)
        track = track_id or window.track_id
        now = self._clock()
        with self._cv:
            last = self._last_submit.get(track)
            if last is not None and now - last < self.runner.min_interval_s:
                self.stats.rate_limited += 1
                return False
            self._last_submit[track] = now
            self.stats.values_dropped += dropped
            if len(self._jobs) >= self.runner.queue_size:
                self._jobs.popleft()
                self.stats.dropped += 1
            self._jobs.append((window, track, tuple(keyframes), now))
            self.stats.submitted += 1
            self._cv.notify()
        return True

    def poll(self) -> list[ReasoningResult]:
        """All results finished since the last poll (oldest first)."""
        with self._cv:
            out = list(self._results)
            self._results.clear()
        return out

    def wait_results(self, n: int, timeout_s: float) -> list[ReasoningResult]:
        """Test/CLI helper: poll until ``n`` results arrived or ``timeout_s`` passed."""
        got: list[ReasoningResult] = []
        deadline = time.monotonic() + timeout_s
        while len(got) < n and time.monotonic() < deadline:
            got += self.poll()
            time.sleep(0.01)
        return got + self.poll()

    # -- worker ------------------------------------------------------------------------------
    def _work(self) -> None:
        try:
            self._reasoner = self._factory()
        except Exception as exc:  # noqa: BLE001 - any load failure must become a flag
            self._init_error = f"{type(exc).__name__}: {exc}"
            log.error("reasoning backend unavailable, knowledge fallback only: %s",
                      self._init_error)
        while True:
            with self._cv:
                while not self._jobs and not self._stop:
                    self._cv.wait()
                if self._stop:
                    return
                window, track, keyframes, t_submit = self._jobs.popleft()
            result = self._run_one(window, track, keyframes)
            result.latency_s = self._clock() - t_submit
            with self._cv:
                if len(self._results) >= self.runner.max_results:
                    self._results.popleft()
                    self.stats.results_dropped += 1
                self._results.append(result)
                self.stats.completed += 1
                self.stats.fallbacks += int(result.fallback_used)

    def _run_one(self, window: EvidenceWindow, track: str,
                 keyframes: tuple[DeidentifiedKeyframe, ...]) -> ReasoningResult:
        if self._reasoner is None:
            self.stats.errors += 1
            return self._fallback_result(window, track, "backend_error", self._init_error)
        if isinstance(self._reasoner, KnowledgeReasoner):
            return self._reasoner.reason(window, track)
        call = (lambda: self._reasoner.reason(window, track, keyframes)) if keyframes else \
            (lambda: self._reasoner.reason(window, track))
        try:
            future = self._pool.submit(call)
        except RuntimeError as exc:  # pool shut down while stopping
            return self._fallback_result(window, track, "backend_error", str(exc))
        try:
            return future.result(timeout=self.config.timeout_s)
        except concurrent.futures.TimeoutError:
            self.stats.timeouts += 1
            return self._fallback_result(window, track, "timeout",
                                         f"no answer within {self.config.timeout_s:.1f} s")
        except Exception as exc:  # noqa: BLE001 - a reasoner bug must not kill the node
            self.stats.errors += 1
            return self._fallback_result(window, track, "backend_error",
                                         f"{type(exc).__name__}: {exc}")

    def _fallback_result(self, window: EvidenceWindow, track: str, kind: str,
                         detail: str) -> ReasoningResult:
        fb = self._fallback.reason(window, track)
        fb.flags = [Flag(kind, detail), Flag("fallback", f"{self.config.backend} unavailable; "
                                                         "knowledge backend used")] + fb.flags
        return replace(fb, fallback_used=True)
