"""One background thread draining a bounded job queue, shared by the recogniser
(:class:`~emo_perception.voice.asr.AsrWorker`) and the resynthesis stream
(:class:`~emo_perception.voice.resynth.ResynthStream`).

A subclass calls :meth:`QueueWorker._start_worker` at the end of its ``__init__``, queues
jobs with :meth:`_put` while holding ``self._cond`` (which also guards its own state) and
does one job in :meth:`_work`, called without the lock. ``submit`` never blocks: a full
queue drops its oldest job and says so, for the caller to count.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Any


class QueueWorker:
    def _start_worker(self, name: str, capacity: int) -> None:
        self._jobs: collections.deque = collections.deque()
        self._capacity = max(1, int(capacity))
        self._cond = threading.Condition()
        self._busy = False
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _put(self, job: Any) -> bool:
        """Queue ``job`` (hold ``self._cond``); True when the oldest job was dropped."""
        dropped = len(self._jobs) >= self._capacity
        if dropped:
            self._jobs.popleft()
        self._jobs.append(job)
        self._cond.notify()
        return dropped

    def _work(self, job: Any) -> None:
        raise NotImplementedError

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._stop:
                    self._cond.wait()
                if self._stop and not self._jobs:
                    return
                job = self._jobs.popleft()
                self._busy = True
            try:
                self._work(job)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    @property
    def pending(self) -> int:
        """Jobs queued or running."""
        with self._cond:
            return len(self._jobs) + (1 if self._busy else 0)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until the queue is empty and nothing is running (offline use, tests)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._jobs or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _stop_worker(self, timeout: float) -> None:
        """Finish the queued jobs, then stop the thread."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=timeout)
