"""The local backend, for machines without Docker: each command is a child process in its own
session, with rlimits (address space, file size, open files, CPU time, no core dumps), a
private scratch dir, no inherited environment, and its whole process group killed at the
limit. It is WEAKER than a container — the network, the rest of the file system and other
processes are reachable — so every report that used it says so, and packs that declare they
need real isolation refuse it unless the user opts in."""

from __future__ import annotations

import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import SandboxError
from .base import Capped, ExecResult, Limits, scratch_path


# The host's toolchain stands in for the image's: this Python first (its pytest included).
PATH = os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"])


class LocalSandbox:
    isolation = "process"

    def __init__(self, image: str, limits: Limits):
        self.image, self.limits = image, limits
        self.scratch = tempfile.mkdtemp(prefix="modelqa-sandbox-")

    def write_files(self, files: Mapping[str, str | bytes], mode: int = 0o644) -> None:
        for path, data in files.items():
            full = Path(scratch_path(path, self.scratch))
            if path.endswith("/"):
                full.mkdir(parents=True, exist_ok=True)
                continue
            full.parent.mkdir(parents=True, exist_ok=True)
            full.write_bytes(data.encode() if isinstance(data, str) else data)
            full.chmod(mode)

    def read_file(self, path: str, max_bytes: int = 8 << 20) -> bytes:
        full = Path(scratch_path(path, self.scratch))
        try:
            if full.stat().st_size > max_bytes:
                raise SandboxError(f"{path} in the sandbox is larger than {max_bytes:,} bytes")
            return full.read_bytes()
        except OSError as exc:
            raise SandboxError(f"cannot read {path} in the sandbox: {exc.strerror}") from None

    def exec(self, cmd: Sequence[str], stdin: str | bytes | None = None, cwd: str | None = None,
             env: Mapping[str, str] | None = None, timeout: float | None = None) -> ExecResult:
        if not cmd:
            raise SandboxError("exec needs a command")
        limit_s = float(timeout if timeout is not None else self.limits.timeout_s)
        lim = self.limits
        mb = 1 << 20

        def confine() -> None:  # runs in the child, before exec
            resource.setrlimit(resource.RLIMIT_AS, (lim.memory_mb * mb, lim.memory_mb * mb))
            resource.setrlimit(resource.RLIMIT_FSIZE, (lim.file_mb * mb, lim.file_mb * mb))
            resource.setrlimit(resource.RLIMIT_NOFILE, (lim.open_files, lim.open_files))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            cpu = int(limit_s) + 2
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

        workdir = scratch_path(cwd, self.scratch) if cwd else self.scratch
        started = time.monotonic()
        try:
            proc = subprocess.Popen(list(cmd), cwd=workdir, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True, preexec_fn=confine,
                                    env={"HOME": self.scratch, "PATH": PATH,
                                         "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})})
        except OSError as exc:
            raise SandboxError(f"cannot run {cmd[0]!r}: {exc.strerror}") from None
        assert proc.stdin and proc.stdout and proc.stderr
        try:
            if stdin is not None:
                proc.stdin.write(stdin.encode() if isinstance(stdin, str) else stdin)
        except BrokenPipeError:
            pass
        proc.stdin.close()
        out, err = Capped(lim.output_bytes), Capped(lim.output_bytes)
        streams = {proc.stdout.fileno(): out, proc.stderr.fileno(): err}
        stopped = None
        while streams:
            left = started + limit_s - time.monotonic()
            if left <= 0:
                stopped = "timeout"
                break
            ready, _, _ = select.select(list(streams), [], [], min(left, 1.0))
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    streams[fd].add(chunk)
                else:
                    del streams[fd]
            if out.seen + err.seen > 8 * lim.output_bytes:
                stopped = "output"
                break
        if stopped:
            self._kill(proc)
        code = proc.wait()
        self._kill(proc)  # what it left behind in its session
        proc.stdout.close()
        proc.stderr.close()
        wall = time.monotonic() - started
        code = 128 - code if code < 0 else code  # killed by a signal: the shell's convention
        limit = stopped or ("killed" if code == 128 + signal.SIGKILL else None)
        return ExecResult(code, out.text(), err.text(), round(wall, 4), out.truncated, err.truncated,
                          stopped == "timeout", limit)

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def kill_all(self) -> None:
        """Nothing to do: each command's whole session is killed when the command ends."""

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


class LocalBackend:
    name = "local"
    isolation = "process"

    def __init__(self) -> None:
        self._live: list[LocalSandbox] = []

    def available(self, image: str) -> str:
        # The image names a toolchain; here it is the host's own.
        needed = {"python": "python3", "polyglot": "python3", "cli": "sh", "base": "sh"}.get(image)
        if needed is None:
            return f"unknown sandbox image {image!r}"
        return "" if shutil.which(needed) else f"the local sandbox backend needs {needed} on PATH for {image}"

    def start(self, image: str, limits: Limits) -> LocalSandbox:
        sandbox = LocalSandbox(image, limits)
        self._live.append(sandbox)
        return sandbox

    def close(self) -> None:
        for sandbox in self._live:
            sandbox.close()
        self._live.clear()
