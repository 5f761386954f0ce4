"""Two-stage overlap runner, written once for the offline pipeline and deid_node.

Stage one (the landmark models) runs on item n+1 in one worker thread while stage two
(tracking, de-identification, publishing) finishes item n in another, strictly in
submission order. Each item travels with its own stage-one result through a queue, so
stage two never sees one frame's detections with another frame's pixels.

Two ways to take input:

- ``newest_only=True`` (live): ``submit`` never blocks; an item still waiting for stage one
  when a newer one arrives is dropped and counted (``on_drop`` is told), so a busy node
  works on the newest frame instead of a backlog.
- ``newest_only=False`` (offline): ``submit`` blocks until stage one takes the item, so
  every item is processed.

Nothing is lost silently: an exception in either stage goes to ``on_failure`` (deid_node
publishes the frame fully obscured, or counts it blocked), and :meth:`close` either
finishes what was accepted or counts it as ``abandoned``. Counters are read under one
lock (:meth:`counts`).
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from emo_perception.runtime_stats import RateLimiter

I = TypeVar("I")  # noqa: E741 - the item type
M = TypeVar("M")  # stage-one result


@dataclass
class OverlapCounts:
    submitted: int = 0
    dropped: int = 0  # replaced by a newer item before stage one took it (newest_only)
    finished: int = 0  # through both stages
    failed: int = 0  # a stage raised; handed to on_failure
    callback_errors: int = 0  # on_failure / on_drop itself raised (counted, never raised)
    abandoned: int = 0  # accepted but not finished when close() gave up waiting
    last_error: str = ""

    @property
    def in_flight(self) -> int:
        return self.submitted - self.dropped - self.finished - self.failed - self.abandoned


_STOP = object()


class OverlapRunner(Generic[I, M]):
    """See the module docstring. ``first(item) -> M`` runs in thread "<name>-first",
    ``second(item, M)`` in thread "<name>-second"; ``depth`` bounds the items between them
    (stage one waits rather than pile results up when stage two falls behind)."""

    def __init__(self, first: Callable[[I], M], second: Callable[[I, M], None], *,
                 newest_only: bool, on_failure: Callable[[I, BaseException], None],
                 on_drop: Callable[[I], None] | None = None, rate_hz: float = 0.0,
                 depth: int = 2, name: str = "overlap") -> None:
        if depth < 1:
            raise ValueError(f"depth must be >= 1, got {depth}")
        self._first, self._second = first, second
        self._on_failure, self._on_drop = on_failure, on_drop
        self.newest_only = newest_only
        self._limit = RateLimiter(rate_hz) if rate_hz > 0 else None
        self._lock = threading.Lock()
        self._has_input = threading.Condition(self._lock)
        self._input_taken = threading.Condition(self._lock)
        self._pending: collections.deque = collections.deque()  # waiting for stage one
        self._between: collections.deque = collections.deque()  # waiting for stage two
        self._depth = depth
        self._has_between = threading.Condition(self._lock)
        self._room_between = threading.Condition(self._lock)
        self._closing = False
        self._gave_up = False  # close() stopped waiting for a stage still in its call
        self._counts = OverlapCounts()
        self._threads = [threading.Thread(target=self._first_loop, name=f"{name}-first",
                                          daemon=True),
                         threading.Thread(target=self._second_loop, name=f"{name}-second",
                                          daemon=True)]
        for thread in self._threads:
            thread.start()

    # -- input ---------------------------------------------------------------------------
    def submit(self, item: I) -> bool:
        """Hand an item over; False when it was refused (closing) and counted dropped."""
        dropped: list[Any] = []
        accepted = True
        with self._lock:
            self._counts.submitted += 1
            if self.newest_only:
                while self._pending and not self._closing:
                    dropped.append(self._pending.popleft())
                    self._counts.dropped += 1
            else:
                while self._pending and not self._closing:
                    self._input_taken.wait()
            if self._closing:
                accepted = False
                self._counts.dropped += 1
                dropped.append(item)
            else:
                self._pending.append(item)
                self._has_input.notify()
        for old in dropped:
            self._tell(self._on_drop, old)
        return accepted

    def counts(self) -> OverlapCounts:
        with self._lock:
            return replace(self._counts)

    def close(self, timeout_s: float = 10.0) -> OverlapCounts:
        """Stop taking items, finish what was accepted (within ``timeout_s``; the rest is
        counted as ``abandoned``), stop the threads. Returns the final counts; a second
        call returns them again at once."""
        with self._lock:
            if self._closing:
                return replace(self._counts)
            self._closing = True
            self._pending.append(_STOP)
            self._has_input.notify_all()
            self._input_taken.notify_all()
            self._room_between.notify_all()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._counts.abandoned += self._counts.in_flight  # accepted, never finished
            self._pending.clear()
            self._between.clear()
            if self.working():
                # A stage is still inside its call: when it returns, its result is dropped
                # uncounted (it is counted abandoned already) and both threads end.
                self._gave_up = True
                self._pending.append(_STOP)
                self._between.append((_STOP, None, None))
                self._has_input.notify_all()
                self._has_between.notify_all()
                self._room_between.notify_all()
            return replace(self._counts)

    def working(self) -> bool:
        """A stage is still running (close gave up waiting for it)."""
        return any(thread.is_alive() for thread in self._threads)

    # -- workers -------------------------------------------------------------------------
    def _first_loop(self) -> None:
        while True:
            with self._lock:
                while not self._pending:
                    self._has_input.wait()
                stopping = self._pending[0] is _STOP
            if self._limit is not None and not stopping:
                wait = self._limit.wait_s(time.perf_counter())
                if wait > 0:
                    time.sleep(wait)  # the rate cap waits; a newer item may replace this one
                self._limit.take(time.perf_counter())
            with self._lock:  # only this thread takes from _pending: it is not empty
                item = self._pending.popleft()
                self._input_taken.notify_all()
            if item is _STOP:
                self._hand_over(_STOP, None, None)
                return
            try:
                self._hand_over(item, self._first(item), None)
            except Exception as exc:  # noqa: BLE001 - goes to on_failure, in order
                self._hand_over(item, None, exc)

    def _hand_over(self, item: Any, mid: Any, error: BaseException | None) -> None:
        with self._lock:
            while len(self._between) >= self._depth and item is not _STOP \
                    and not self._gave_up:
                self._room_between.wait()
            self._between.append((item, mid, error))
            self._has_between.notify()

    def _second_loop(self) -> None:
        while True:
            with self._lock:
                while not self._between:
                    self._has_between.wait()
                item, mid, error = self._between.popleft()
                self._room_between.notify_all()
            if item is _STOP:
                return
            if error is None:
                try:
                    self._second(item, mid)
                except Exception as exc:  # noqa: BLE001 - goes to on_failure
                    error = exc
            with self._lock:
                if self._gave_up:  # counted abandoned by close()
                    continue
                if error is None:
                    self._counts.finished += 1
                else:
                    self._counts.failed += 1
                    self._counts.last_error = f"{type(error).__name__}: {error}"[:300]
            if error is not None:
                self._tell(self._on_failure, item, error)

    def _tell(self, callback: Callable[..., None] | None, *args: Any) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception as exc:  # noqa: BLE001 - a failing report must not stop the runner
            with self._lock:
                self._counts.callback_errors += 1
                self._counts.last_error = f"callback: {type(exc).__name__}: {exc}"[:300]
