"""An injected clock for code that waits (the API client's backoff, pacing and quotas)."""

from __future__ import annotations

import threading

START = 1_000_000.0  # 40 s into a minute: the next minute starts 20 s later


class FakeTime:
    """A clock that moves only when the code under test sleeps: pass its `clock` and `sleep`.

    Every sleep is kept in `sleeps`, in order; the client's worker threads may share one.
    """

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds
