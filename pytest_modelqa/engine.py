"""Concurrent dispatch ahead of the items that consume the work.

pytest runs items one at a time; the engine runs their jobs on a background asyncio loop,
up to each lane's slot count, in submission (= item) order. An item then only waits for its
own job's result. A lane is one place answers come from: an endpoint, or a control."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Lane:
    name: str
    slots: int
    state: Any = None  # what jobs need from this lane (a client, endpoint info, …)
    close: Callable[[], Awaitable[None]] | None = None


Job = Callable[[Lane], Awaitable[T]]


class Engine(Generic[T]):
    def __init__(self, lanes: list[Lane]):
        self.lanes = lanes
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="modelqa-engine", daemon=True)
        self._futures: dict[str, concurrent.futures.Future[T]] = {}
        self._queue: asyncio.Queue[tuple[concurrent.futures.Future[T], Job[T]]] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._closing = False
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result()

    async def _start(self) -> None:
        self._queue = asyncio.Queue()
        for lane in self.lanes:
            self._workers += [asyncio.create_task(self._work(lane)) for _ in range(max(1, lane.slots))]

    async def _work(self, lane: Lane) -> None:
        assert self._queue is not None
        # The flag, not only cancellation, ends a worker: before Python 3.12, asyncio.wait_for
        # can swallow a cancellation that races with the job finishing.
        while not self._closing:
            future, job = await self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(await job(lane))
            except asyncio.CancelledError:
                future.cancel()
                raise
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting item
                future.set_exception(exc)

    def submit(self, key: str, job: Job[T]) -> None:
        """Queue a job once per key; later submissions of the same key are ignored."""
        if key in self._futures:
            return
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._futures[key] = future
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (future, job))  # type: ignore[union-attr]

    def submitted(self, key: str) -> bool:
        return key in self._futures

    def wait(self, key: str) -> T:
        """Block until the job is done; re-raises what the job raised."""
        return self._futures[key].result()

    def close(self) -> None:
        """Cancel what has not started, stop the workers, close the lanes."""
        for future in self._futures.values():
            future.cancel()

        async def stop() -> None:
            self._closing = True
            for task in self._workers:
                task.cancel()
            await asyncio.wait(self._workers, timeout=5)
            for lane in self.lanes:
                if lane.close:
                    await lane.close()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
