"""The overlap runner behind PerceptionPipeline.run and deid_node, in plain pytest: every
item reaches stage two with its own stage-one result, in order, and every item is
accounted for (finished, failed, dropped or abandoned) under injected faults and delays."""

from __future__ import annotations

import random
import threading
import time

import pytest

from emo_perception.perception.overlap import OverlapRunner


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[int, str]] = []
        self.failed: list[tuple[int, str]] = []
        self.dropped: list[int] = []
        self.order: list[int] = []  # items as stage two ended them (finished or failed)

    def second(self, item: int, mid: str) -> None:
        with self.lock:
            self.seen.append((item, mid))
            self.order.append(item)

    def failure(self, item: int, exc: BaseException) -> None:
        with self.lock:
            self.failed.append((item, str(exc)))
            self.order.append(item)

    def drop(self, item: int) -> None:
        with self.lock:
            self.dropped.append(item)


def _first(rng: random.Random, fail_every: int = 0):
    def first(item: int) -> str:
        time.sleep(rng.uniform(0.0, 0.004))
        if fail_every and item % fail_every == 0:
            raise RuntimeError(f"model failed on {item}")
        return f"detections of {item}"
    return first


def test_every_item_pairs_with_its_own_result_in_order() -> None:
    rec = Recorder()
    rng = random.Random(1)

    def slow_second(item: int, mid: str) -> None:
        time.sleep(rng.uniform(0.0, 0.004))
        rec.second(item, mid)

    runner = OverlapRunner(_first(rng), slow_second, newest_only=False, on_failure=rec.failure)
    for i in range(200):
        assert runner.submit(i)
    counts = runner.close()
    assert [i for i, _ in rec.seen] == list(range(200))
    assert all(mid == f"detections of {i}" for i, mid in rec.seen)  # pairing
    assert counts.finished == 200 and counts.in_flight == 0 and counts.dropped == 0


def test_faults_in_either_stage_fail_that_item_only_and_keep_order() -> None:
    rec = Recorder()

    def second(item: int, mid: str) -> None:
        if item % 7 == 0:
            raise ValueError(f"publish failed on {item}")
        rec.second(item, mid)

    runner = OverlapRunner(_first(random.Random(2), fail_every=5), second, newest_only=False,
                           on_failure=rec.failure)
    for i in range(1, 101):
        runner.submit(i)
    counts = runner.close()
    failed = {i for i, _ in rec.failed}
    assert failed == {i for i in range(1, 101) if i % 5 == 0 or i % 7 == 0}
    assert all(f"on {i}" in why for i, why in rec.failed)  # the failure of that very item
    assert rec.order == list(range(1, 101))
    assert counts.finished + counts.failed == 100 and counts.failed == len(failed)
    assert all(mid == f"detections of {i}" for i, mid in rec.seen)


def test_newest_only_drops_stale_items_and_counts_each() -> None:
    rec = Recorder()

    def slow_first(item: int) -> str:
        time.sleep(0.01)
        return f"detections of {item}"

    runner = OverlapRunner(slow_first, rec.second, newest_only=True, on_failure=rec.failure,
                           on_drop=rec.drop)
    for i in range(100):
        runner.submit(i)
        time.sleep(0.001)
    counts = runner.close()
    assert counts.submitted == 100
    assert counts.dropped == len(rec.dropped) > 0
    assert counts.finished + counts.dropped + counts.failed + counts.abandoned == 100
    assert [i for i, _ in rec.seen] == sorted(i for i, _ in rec.seen)  # never backwards
    assert rec.seen[-1][0] == 99  # the newest item is processed
    assert set(rec.dropped).isdisjoint(i for i, _ in rec.seen)


def test_a_stalled_stage_is_counted_abandoned_at_close() -> None:
    release = threading.Event()
    rec = Recorder()

    def stalled(item: int, mid: str) -> None:
        release.wait(5.0)
        rec.second(item, mid)

    runner = OverlapRunner(lambda i: f"detections of {i}", stalled, newest_only=True,
                           on_failure=rec.failure, on_drop=rec.drop)
    for i in range(5):
        runner.submit(i)
        time.sleep(0.02)
    counts = runner.close(timeout_s=0.3)
    # The stage is still inside its call: the node must not close its models under it.
    assert runner.working()
    # A second close (deid_node's shutdown path calls it twice) does not wait again.
    t0 = time.perf_counter()
    assert runner.close(timeout_s=5.0) == counts
    assert time.perf_counter() - t0 < 0.5
    release.set()
    assert counts.in_flight == 0
    assert counts.finished + counts.dropped + counts.failed + counts.abandoned == 5
    assert counts.abandoned >= 1
    assert not runner.submit(99) and runner.counts().dropped == counts.dropped + 1
    end = time.monotonic() + 5.0
    while runner.working() and time.monotonic() < end:
        time.sleep(0.01)
    assert not runner.working()  # released, the threads end


def test_a_failing_failure_handler_is_counted_not_raised() -> None:
    def bad_handler(item: int, exc: BaseException) -> None:
        raise OSError("cannot publish")

    runner = OverlapRunner(lambda i: 1 / 0, lambda i, m: None, newest_only=False,
                           on_failure=bad_handler)
    runner.submit(1)
    counts = runner.close()
    assert counts.failed == 1 and counts.callback_errors == 1
    assert "cannot publish" in counts.last_error


def test_rate_cap_spaces_stage_one() -> None:
    starts: list[float] = []

    def first(item: int) -> int:
        starts.append(time.perf_counter())
        return item

    runner = OverlapRunner(first, lambda i, m: None, newest_only=False,
                           on_failure=lambda i, e: None, rate_hz=50.0)
    for i in range(12):
        runner.submit(i)
    runner.close()
    # a token bucket with burst 2: after the burst, starts come about 1/50 s apart
    gaps = [b - a for a, b in zip(starts[2:], starts[3:])]
    assert min(gaps) > 0.01


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError):
        OverlapRunner(lambda i: i, lambda i, m: None, newest_only=True,
                      on_failure=lambda i, e: None, depth=0)
