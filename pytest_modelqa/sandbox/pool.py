"""A warm pool of single-use sandboxes.

Sandboxes are started ahead of need by background threads, one per `acquire`, and never
handed out twice: model-written code never runs where another scenario's did. Released ones
are removed in the background. At most `size` exist at once (ready, in use or being removed);
an image is kept warm once it has been asked for (or `warm`ed)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from ..errors import SandboxError
from .base import Backend, Limits, Sandbox


def default_size(limits: Limits = Limits()) -> int:
    """Two per core, as memory allows (each may use its whole limit), between 1 and 16."""
    cores = os.cpu_count() or 1
    try:
        avail_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        avail_kb = 4 << 20
    by_memory = (avail_kb // 1024) // (2 * limits.memory_mb)
    return max(1, min(2 * cores, by_memory, 16))


WORKERS = 4  # threads starting and removing sandboxes
Key = tuple[str, Limits]  # (image, limits): sandboxes are interchangeable only within one


class Pool:
    def __init__(self, backend: Backend, size: int, limits: Limits = Limits()):
        self.backend, self.size, self.limits = backend, max(1, size), limits
        self._cond = threading.Condition()
        self._ready: dict[Key, list[Sandbox]] = {}
        self._wanted: dict[Key, None] = {}  # kept warm, in the order first asked for
        self._doomed: list[Sandbox] = []
        self._waiting: dict[Key, int] = {}  # acquires blocked, by key
        self._live = 0  # ready + handed out + starting + being removed
        self._closed = False
        self._error: dict[Key, str] = {}
        self._reasons: dict[str, str] = {}
        # Starting and removing a container each take a few hundred ms of Docker's time: one
        # worker would cap the pool at a couple of sandboxes a second however many run at once.
        self._threads = [threading.Thread(target=self._run, name=f"modelqa-sandbox-pool-{i}", daemon=True)
                         for i in range(min(WORKERS, self.size))]
        for thread in self._threads:
            thread.start()

    def unavailable(self, image: str) -> str:
        """Why `image` cannot be had ("" when it can); asked once per image."""
        if image not in self._reasons:
            self._reasons[image] = self.backend.available(image)
        return self._reasons[image]

    def warm(self, image: str, limits: Limits | None = None) -> None:
        """Keep sandboxes of this image ready from now on."""
        limits = limits or self.limits
        with self._cond:
            self._wanted.setdefault((image, limits), None)
            self._cond.notify_all()

    def acquire(self, image: str, limits: Limits | None = None, timeout: float = 300.0) -> Sandbox:
        """A fresh sandbox: a ready one, else the next one started."""
        why = self.unavailable(image)
        if why:
            raise SandboxError(why)
        limits = limits or self.limits
        key = (image, limits)
        self.warm(image, limits)
        with self._cond:
            self._waiting[key] = self._waiting.get(key, 0) + 1
            self._cond.notify_all()
            try:
                got = self._cond.wait_for(lambda: self._closed or self._ready.get(key) or key in self._error, timeout)
            finally:
                self._waiting[key] -= 1
            if self._closed:
                raise SandboxError("the sandbox pool is closed")
            if key in self._error and not self._ready.get(key):
                raise SandboxError(self._error.pop(key))
            if not got:
                raise SandboxError(f"no {image} sandbox became ready within {timeout:.0f}s")
            sandbox = self._ready[key].pop(0)
            self._cond.notify_all()
            return sandbox

    def release(self, sandbox: Sandbox) -> None:
        """Done with it: removed in the background, never handed out again."""
        with self._cond:
            self._doomed.append(sandbox)
            self._cond.notify_all()

    def _next_start(self) -> Key | None:
        """A waiting key with nothing ready first, else the key short of ready sandboxes most,
        if there is room for one more."""
        if self._live >= self.size or not self._wanted:
            return None
        starved = [k for k, n in self._waiting.items() if n and not self._ready.get(k) and k not in self._error]
        if starved:
            return starved[0]
        share = max(1, self.size // len(self._wanted))
        short = [(len(self._ready.get(k, [])), k) for k in self._wanted
                 if len(self._ready.get(k, [])) < share and k not in self._error]
        return min(short, key=lambda item: item[0])[1] if short else None

    def _evictable(self) -> Sandbox | None:
        """With the pool full and an acquire waiting for an image nothing is ready of, a warm
        sandbox of another image (it goes: the waiting one needs the room)."""
        if self._live < self.size or self._doomed:
            return None
        if not any(n and not self._ready.get(k) for k, n in self._waiting.items()):
            return None
        return next((ready[-1] for k, ready in self._ready.items() if ready and not self._waiting.get(k)), None)

    def _evict_for_starved(self) -> None:
        victim = self._evictable()
        if victim is not None:
            for ready in self._ready.values():
                if victim in ready:
                    ready.remove(victim)
            self._doomed.append(victim)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._doomed or self._next_start() is not None
                                    or self._evictable() is not None)
                if self._closed:
                    return
                self._evict_for_starved()
                doomed = self._doomed.pop(0) if self._doomed else None
                start = None if doomed else self._next_start()
                if start is not None:
                    self._live += 1
            if doomed is not None:
                self._remove(doomed)
                continue
            assert start is not None
            self._start(*start)

    def _start(self, image: str, limits: Limits) -> None:
        key = (image, limits)
        try:
            sandbox: Any = self.backend.start(image, limits)
        except Exception as exc:  # noqa: BLE001 - handed to the waiting acquire
            with self._cond:
                self._live -= 1
                self._error[key] = str(exc) if isinstance(exc, SandboxError) else f"{type(exc).__name__}: {exc}"
                self._cond.notify_all()
            return
        with self._cond:
            if self._closed:
                self._doomed.append(sandbox)
            else:
                self._ready.setdefault(key, []).append(sandbox)
            self._cond.notify_all()

    def _remove(self, sandbox: Sandbox) -> None:
        try:
            sandbox.close()
        finally:
            with self._cond:
                self._live -= 1
                self._cond.notify_all()

    def close(self) -> None:
        """Remove every sandbox this pool started (handed-out ones included), then the backend's."""
        with self._cond:
            self._closed = True
            left = [s for ready in self._ready.values() for s in ready] + self._doomed
            self._ready, self._doomed = {}, []
            self._cond.notify_all()
        deadline = time.monotonic() + 60
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        for sandbox in left:
            sandbox.close()
        self.backend.close()
