"""Concurrent dispatch ahead of the items that consume the work.

pytest runs items one at a time; the engine runs their jobs on worker threads, as many per
lane as the lane has slots, in submission (= item) order. An item then only waits for its own
job's result. A lane is one place answers come from: an endpoint, or a control.

Threads with a blocking HTTP client, not asyncio: the work is I/O-bound, and httpx's sync
client costs about a third of the CPU per request of its async one (bench/)."""

from __future__ import annotations

import concurrent.futures
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Lane:
    name: str
    slots: int
    state: Any = None  # what jobs need from this lane (a client, endpoint info, …)
    close: Callable[[], None] | None = None


Job = Callable[[Lane], T]
_STOP = None


class Engine(Generic[T]):
    def __init__(self, lanes: list[Lane]):
        self.lanes = lanes
        self._futures: dict[str, concurrent.futures.Future[T]] = {}
        self._queue: queue.SimpleQueue[tuple[concurrent.futures.Future[T], Job[T]] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, args=(lane,), name=f"modelqa-{lane.name}-{i}", daemon=True)
            for lane in lanes for i in range(max(1, lane.slots))
        ]
        for thread in self._threads:
            thread.start()

    def _work(self, lane: Lane) -> None:
        while (task := self._queue.get()) is not _STOP:
            future, job = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job(lane))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting item
                future.set_exception(exc)

    def submit(self, key: str, job: Job[T]) -> None:
        """Queue a job once per key; later submissions of the same key are ignored."""
        if key in self._futures:
            return
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._futures[key] = future
        self._queue.put((future, job))

    def wait(self, key: str) -> T:
        """Block until the job is done; re-raises what the job raised."""
        return self._futures[key].result()

    def finished(self) -> dict[str, T]:
        """The results of the jobs done so far without an error, by key."""
        return {k: f.result() for k, f in self._futures.items() if f.done() and not f.cancelled() and f.exception() is None}

    def close(self) -> None:
        """Drop what has not started, close the lanes (which ends requests in flight), stop."""
        for future in self._futures.values():
            future.cancel()
        for _ in self._threads:
            self._queue.put(_STOP)
        for lane in self.lanes:
            if lane.close:
                lane.close()
        deadline = time.monotonic() + 2.0  # one wait for all: a hung request must not hold up the report
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
