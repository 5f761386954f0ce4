"""Counters behind every node's diagnostics: drops and misses are counted, never silent."""

from __future__ import annotations

import threading

import pytest

from emo_perception.runtime_stats import (LatencyWindow, NewestOnlyQueue, RateLimiter, RateMeter,
                                          SequenceGaps)


def test_newest_only_queue_keeps_the_newest_and_counts_drops() -> None:
    q = NewestOnlyQueue(2)
    for i in range(5):
        q.put(i)
    assert (q.received, q.dropped, len(q)) == (5, 3, 2)
    assert [q.pop(), q.pop(), q.pop()] == [3, 4, None]
    with pytest.raises(ValueError):
        NewestOnlyQueue(0)


def test_sequence_gaps_count_what_never_arrived() -> None:
    gaps = SequenceGaps()
    assert [gaps.update(s) for s in (1, 2, 5, 6, 10)] == [0, 0, 2, 0, 3]
    assert gaps.missed == 5
    # source restarted: counted from its own start again (1 and 2 were never seen)
    assert gaps.update(3) == 2 and gaps.update(4) == 0
    assert gaps.update(None) == 0 and gaps.update(2**64 - 1) == 0  # rmw gives none
    assert gaps.update(6) == 1 and gaps.missed == 8
    # joined late: the first number seen says how many were published before it
    late = SequenceGaps()
    assert late.update(4) == 3 and late.missed == 3
    audio = SequenceGaps(first=0)  # AudioChunk.sequence counts from 0
    assert audio.update(0) == 0 and audio.update(2) == 1


def test_latency_and_rate_are_safe_across_threads() -> None:
    window, rate = LatencyWindow(size=1000), RateMeter(window_s=100.0)

    def work() -> None:
        for _ in range(250):
            window.add(0.010)
            rate.tick()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert window.percentiles_ms(50, 95) == pytest.approx((10.0, 10.0))
    assert rate.rate() == pytest.approx(1000 / 100.0)


def test_rate_limiter_caps_the_rate_without_ratcheting_delay() -> None:
    limiter = RateLimiter(10.0)  # at most 10 starts/s
    # Frames at exactly 10 Hz with +-3 ms jitter: each starts on arrival, no delay builds up.
    delays, now = [], -1.0
    for i in range(200):
        arrival = i * 0.1 + (0.003 if i % 2 else -0.003)
        now = max(now, arrival)
        now += limiter.wait_s(now)
        delays.append(now - arrival)
        limiter.take(now)
    assert max(delays) < 1e-9
    # A source twice as fast is held to the cap on average.
    limiter, now, starts = RateLimiter(10.0), 0.0, 0
    while now < 10.0:
        wait = limiter.wait_s(now)
        if wait == 0:
            limiter.take(now)
            starts += 1
        now += 0.05
    assert 99 <= starts <= 102  # 10 s at 10/s, plus the initial burst
    with pytest.raises(ValueError):
        RateLimiter(0.0)
