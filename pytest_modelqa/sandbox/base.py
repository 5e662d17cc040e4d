"""What every sandbox offers, whatever runs it: start from an image with limits, write and
read files in its scratch directory, execute a command with stdin, cwd, env and a timeout,
close. Results carry the exit code, capped output with truncation flags, the wall time and
which limit (if any) stopped the command."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass, field
from typing import Mapping, Protocol, Sequence

SCRATCH = "/scratch"
UID = 65534  # nobody: never root inside


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 512  # swap included: the same number
    pids: int = 128
    cpus: float = 1.0
    scratch_mb: int = 256  # the writable scratch dir (a tmpfs: counts toward memory)
    scratch_exec: bool = False  # allow executing files from scratch (only where code is compiled)
    file_mb: int = 64  # largest single file
    open_files: int = 256
    output_bytes: int = 1 << 20  # per stream, kept on the host side
    timeout_s: float = 30.0  # per exec, unless the call gives its own


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    stdout: str
    stderr: str
    wall_s: float
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    timed_out: bool = False
    limit: str | None = None  # "timeout", "output", "killed" (SIGKILL: memory most likely) or None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.limit is None


class Sandbox(Protocol):
    image: str
    isolation: str  # "container" (Docker) or "process" (the local backend: weaker)

    def write_files(self, files: Mapping[str, str | bytes], mode: int = 0o644) -> None:
        """Paths relative to the scratch dir; one that ends in "/" is a directory to create."""
        ...

    def read_file(self, path: str, max_bytes: int = 8 << 20) -> bytes: ...

    def exec(self, cmd: Sequence[str], stdin: str | bytes | None = None, cwd: str | None = None,
             env: Mapping[str, str] | None = None, timeout: float | None = None) -> ExecResult: ...

    def kill_all(self) -> None:
        """End every process the commands so far left running (before the final state is read)."""
        ...

    def close(self) -> None: ...


class Backend(Protocol):
    name: str
    isolation: str

    def available(self, image: str) -> str:
        """Why `image` cannot be started here ("" when it can)."""
        ...

    def start(self, image: str, limits: Limits) -> Sandbox: ...

    def close(self) -> None:
        """Remove everything this backend started and still holds."""
        ...


def scratch_path(path: str, root: str = SCRATCH) -> str:
    """A file path inside the scratch dir: relative paths are taken from it; anything that
    would leave it is refused (the rest of the file system is read-only anyway)."""
    import posixpath
    full = posixpath.normpath(posixpath.join(root, path))
    if full != root and not full.startswith(root + "/"):
        from ..errors import SandboxError
        raise SandboxError(f"{path!r} is outside the sandbox's scratch dir {root}")
    return full


def tar_of(files: Mapping[str, str | bytes], mode: int, root: str = SCRATCH) -> bytes:
    """The files as a tar archive relative to `root`, owned by the sandbox user; a path that
    ends in "/" is a directory (its data ignored)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(scratch_path(path, root)[len(root) + 1:])
            info.uid, info.gid = UID, UID
            if path.endswith("/"):
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
                continue
            raw = data.encode() if isinstance(data, str) else data
            info.size, info.mode = len(raw), mode
            tar.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


@dataclass
class Capped:
    """One output stream kept up to a cap; what is past it is counted, not kept."""
    cap: int
    data: bytearray = field(default_factory=bytearray)
    seen: int = 0

    def add(self, chunk: bytes) -> None:
        self.seen += len(chunk)
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]

    @property
    def truncated(self) -> bool:
        return self.seen > self.cap

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")
