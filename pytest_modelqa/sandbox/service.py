"""The run's sandboxes: one backend and one warm pool per pytest process, made on first use
(a run that executes nothing starts no container) and removed when pytest ends — by the
process itself on any normal or interrupted end, by a watchdog when it is SIGKILLed, and by
the next run's sweep of containers whose owner process is gone."""

from __future__ import annotations

import subprocess
import uuid

from .. import watchdog
from ..errors import SandboxError
from .base import Backend, Limits
from .pool import Pool, default_size


class Sandboxes:
    def __init__(self, backend: str = "docker", size: int | None = None, run_id: str | None = None):
        self.backend_name, self.size = backend, size
        self.run_id = run_id or uuid.uuid4().hex
        self._pool: Pool | None = None
        self._error: str | None = None
        self._guard: subprocess.Popen | None = None

    def pool(self) -> Pool:
        """The pool, or SandboxError saying why there is none (asked once)."""
        if self._error is not None:
            raise SandboxError(self._error)
        if self._pool is None:
            try:
                backend = self._backend()
            except SandboxError as exc:
                self._error = str(exc)
                raise
            self._pool = Pool(backend, self.size or default_size(Limits()))
        return self._pool

    def _backend(self) -> Backend:
        if self.backend_name == "local":
            from .local import LocalBackend
            return LocalBackend()
        from .docker import DockerBackend
        backend = DockerBackend(self.run_id)
        backend.sweep()  # what SIGKILLed runs before us left (their owners are gone)
        # However this process ends, the watchdog sees its pipe close and removes our containers.
        self._guard = watchdog.start("--containers", backend.owner)
        return backend

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._guard is not None:
            watchdog.release(self._guard)
            self._guard = None
