"""Counters, rates and latency percentiles that every node reports in /diagnostics.

ROS-free so the offline commands and benchmarks report the same numbers.
"""

from __future__ import annotations

import collections
import threading
import time

import numpy as np


class LatencyWindow:
    """Latency samples of the last ``size`` items, with percentiles in milliseconds."""

    def __init__(self, size: int = 300) -> None:
        self._samples: collections.deque[float] = collections.deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, seconds: float) -> None:
        with self._lock:
            self._samples.append(seconds)

    def percentiles_ms(self, *qs: float) -> tuple[float, ...]:
        with self._lock:
            data = np.asarray(self._samples, dtype=np.float64)
        if data.size == 0:
            return tuple(float("nan") for _ in qs)
        return tuple(float(np.percentile(data, q) * 1000.0) for q in qs)


class RateMeter:
    """Events per second over a sliding time window."""

    def __init__(self, window_s: float = 5.0) -> None:
        self._window = window_s
        self._times: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def tick(self, now: float | None = None) -> None:
        with self._lock:
            self._times.append(time.monotonic() if now is None else now)

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            while self._times and now - self._times[0] > self._window:
                self._times.popleft()
            n = len(self._times)
        return n / self._window


class SequenceGaps:
    """Counts items a node never saw from gaps in a publisher's sequence numbers: a frame
    overwritten in a newest-only subscription while the node was busy, lost in transport,
    or published before this node's subscription matched (the first number seen tells how
    many came before it: rmw numbers a publisher's messages from 1, our AudioChunk
    ``sequence`` from 0, hence ``first``). A number at or below the last one is a restarted
    source, counted from its own start again."""

    def __init__(self, first: int = 1) -> None:
        self._first = first
        self._last: int | None = None
        self.missed = 0

    def update(self, sequence: int | None) -> int:
        """Record ``sequence`` (None: the middleware gives none); returns the gap."""
        if sequence is None or sequence < 0 or sequence >= 2**63:
            return 0  # rmw reports "unsupported" as the largest uint64
        if self._last is None or sequence <= self._last:
            gap = max(0, sequence - self._first)  # (re)start: all before this one
        else:
            gap = sequence - self._last - 1
        self.missed += gap
        self._last = sequence
        return gap


class RateLimiter:
    """Token bucket: on average at most ``rate`` starts per second, with up to ``burst``
    saved up. Spacing starts by a full period from the previous *start* would ratchet:
    every frame arriving a little early waits, none catches up, and a source running at
    exactly the capped rate ends up delayed by up to a whole period."""

    def __init__(self, rate: float, burst: float = 2.0) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1, got {rate}, {burst}")
        self.rate, self.burst = rate, burst
        self._tokens = burst
        self._time: float | None = None

    def wait_s(self, now: float) -> float:
        """Seconds until a start is allowed (0 = now)."""
        self._refill(now)
        return max(0.0, (1.0 - self._tokens) / self.rate)

    def take(self, now: float) -> None:
        self._refill(now)
        self._tokens -= 1.0

    def _refill(self, now: float) -> None:
        if self._time is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._time) * self.rate)
        self._time = now


class NewestOnlyQueue:
    """A bounded queue that drops the oldest item when full and counts what it dropped.

    Nodes keep only the newest inputs: perception on a stale frame helps nobody, and
    dropping is reported, never silent.
    """

    def __init__(self, maxlen: int = 1) -> None:
        if maxlen < 1:
            raise ValueError(f"queue length must be >= 1, got {maxlen}")
        self._items: collections.deque = collections.deque()
        self._maxlen = maxlen
        self._lock = threading.Lock()
        self.dropped = 0
        self.received = 0

    def put(self, item: object) -> None:
        with self._lock:
            self.received += 1
            if len(self._items) >= self._maxlen:
                self._items.popleft()
                self.dropped += 1
            self._items.append(item)

    def pop(self) -> object | None:
        with self._lock:
            return self._items.popleft() if self._items else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def arrival_summary(arrivals: list[tuple[float, float]], t0: float,
                    t1: float) -> dict[str, float]:
    """Rate and latency percentiles of the ``(arrival time, latency s)`` pairs that
    arrived within ``[t0, t1]``: how the benchmarks score a stream of results."""
    window = [lat for t, lat in arrivals if t0 <= t <= t1]
    ms = np.asarray(window) * 1000.0 if window else np.asarray([np.nan])
    return {"fps": len(window) / (t1 - t0), "frames": len(window),
            "latency_p50_ms": float(np.percentile(ms, 50)),
            "latency_p95_ms": float(np.percentile(ms, 95))}
