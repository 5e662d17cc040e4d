"""The Docker backend: every container locked down, labelled with its owner, always removed.

Lockdown (each flag checked by the containment suite): no network, user nobody, read-only
root, a size-capped tmpfs scratch dir (noexec unless the pack compiles), all capabilities
dropped, no-new-privileges, pids / memory (swap included) / CPU / file-size / open-file
limits, no host environment, nothing mounted from the host (so no Docker socket). Each exec
runs under `timeout` inside the container, because killing a `docker exec` client leaves its
process running; output is capped on the host side.

Ownership: containers carry the run id and an owner (host, pid, process start time). A run
removes its own at the end; `sweep()` removes those whose owner process is gone (after a
SIGKILL), never another live process's, so xdist workers and concurrent runs are safe."""

from __future__ import annotations

import os
import select
import socket
import struct
import time
import uuid
from typing import Any, Mapping, Sequence

from ..errors import SandboxError
from .base import SCRATCH, UID, Capped, ExecResult, Limits, scratch_path, tar_of
from .images import BUILD_COMMAND

RUN_LABEL = "org.pytest-modelqa.run"
OWNER_LABEL = "org.pytest-modelqa.owner"
KILL_GRACE_S = 2  # timeout -k: SIGTERM at the limit, SIGKILL this much later
HOST_SLACK_S = 10.0  # the host stops reading this long after the in-container limit
# PID 1: a shell that reaps orphans (its `wait` collects any child) and outlives `kill -1`,
# which spares PID 1 and so clears everything else; `sleep infinity` would reap nothing, and
# docker's --init would exit with its one child.
INIT = ["sh", "-c", "while :; do sleep 3600 & wait; done"]
ENV = {"HOME": SCRATCH, "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


def owner_id() -> str:
    """host:pid:start-time:nonce — a pid alone is reused, its start time (clock ticks since
    boot) is not; the nonce keeps two backends of one process apart."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}:{uuid.uuid4().hex[:8]}"


def _start_time(pid: int) -> str:
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return "gone"
    return stat.rsplit(")", 1)[1].split()[19]


def owner_alive(owner: str) -> bool:
    host, pid, started = (owner.split(":") + ["", "", ""])[:3]
    if host != socket.gethostname():
        return True  # not ours to judge
    return pid.isdigit() and _start_time(int(pid)) == started


def client() -> Any:
    """A Docker client, or SandboxError saying why there is none."""
    try:
        import docker
    except ImportError:
        raise SandboxError("the Docker SDK is not installed: pip install 'pytest-modelqa[sandbox]'") from None
    try:
        c = docker.from_env(timeout=60)
        # requests would read proxy settings from os.environ on every call, iterating it from our
        # worker threads while pytest rewrites PYTEST_CURRENT_TEST: a KeyError race. The engine is local.
        c.api.trust_env = False
        c.ping()
    except Exception as exc:  # noqa: BLE001 - any failure here means "no Docker"
        raise SandboxError(f"Docker Engine is not reachable ({type(exc).__name__}: {str(exc)[:120]}): start it, "
                           "or use --modelqa-sandbox-backend=local (weaker isolation)") from None
    return c


class DockerSandbox:
    isolation = "container"

    def __init__(self, backend: "DockerBackend", container: Any, image: str, limits: Limits):
        self.backend, self.container, self.image, self.limits = backend, container, image, limits
        self.id = container.id

    # -- files ----------------------------------------------------------------------------------
    def write_files(self, files: Mapping[str, str | bytes], mode: int = 0o644) -> None:
        """Streamed through `tar -x` (a read-only container refuses put_archive)."""
        data = tar_of(files, mode)
        r = self.exec(["tar", "-x", "-m", "--no-same-owner", "-C", SCRATCH, "-f", "-"], stdin=data,
                      timeout=max(10.0, len(data) / 5e6))
        if not r.ok:
            raise SandboxError(f"writing {len(files)} files into the sandbox failed: {r.stderr.strip()[:300]}")

    def read_file(self, path: str, max_bytes: int = 8 << 20) -> bytes:
        full = scratch_path(path)
        raw, result = self._exec_raw(["cat", "--", full], None, None, None, 30.0, max_bytes)
        if result.exit_code != 0:
            raise SandboxError(f"cannot read {full} in the sandbox: {result.stderr.strip()[:200]}")
        if result.stdout_truncated:
            raise SandboxError(f"{full} in the sandbox is larger than {max_bytes:,} bytes")
        return raw

    # -- commands -------------------------------------------------------------------------------
    def exec(self, cmd: Sequence[str], stdin: str | bytes | None = None, cwd: str | None = None,
             env: Mapping[str, str] | None = None, timeout: float | None = None) -> ExecResult:
        return self._exec_raw(cmd, stdin, cwd, env, timeout, self.limits.output_bytes)[1]

    def _exec_raw(self, cmd: Sequence[str], stdin: str | bytes | None, cwd: str | None,
                  env: Mapping[str, str] | None, timeout: float | None, cap: int) -> tuple[bytes, ExecResult]:
        if not cmd:
            raise SandboxError("exec needs a command")
        limit_s = float(timeout if timeout is not None else self.limits.timeout_s)
        api = self.backend.client.api
        argv = ["timeout", "-k", str(KILL_GRACE_S), f"{limit_s:g}", *cmd]
        started = time.monotonic()
        exec_id = api.exec_create(self.id, argv, stdin=stdin is not None, stdout=True, stderr=True,
                                  user=f"{UID}:{UID}", workdir=scratch_path(cwd) if cwd else SCRATCH, environment={**ENV, **(env or {})})["Id"]
        raw, first = _hijack(exec_id)
        out, err = Capped(cap), Capped(cap)
        stopped = None
        try:
            if stdin is not None:
                raw.sendall(stdin.encode() if isinstance(stdin, str) else stdin)
                raw.shutdown(socket.SHUT_WR)
            stopped = _pump(raw, first, out, err, started + limit_s + KILL_GRACE_S + HOST_SLACK_S, flood=8 * cap)
        except OSError as exc:
            raise SandboxError(f"lost the exec stream to the sandbox: {exc}") from None
        finally:
            raw.close()  # first: an unread stream holds up the container's other execs
        wall = time.monotonic() - started
        if stopped is not None:  # flooding, or the container stopped answering: end every process
            self.kill_all()
            code = api.exec_inspect(exec_id).get("ExitCode")
            code = 137 if code is None else code
        else:
            code = _wait_exit(api, exec_id)
        timed_out = code in (124, 137) and wall >= limit_s  # not a command that exits 124 itself
        if timed_out:
            self.kill_all()  # what the command left behind (a setsid child) goes too
        limit = stopped or ("timeout" if timed_out else "killed" if code == 137 else None)
        return bytes(out.data), ExecResult(code, out.text(), err.text(), round(wall, 4), out.truncated,
                                           err.truncated, timed_out or stopped == "timeout", limit)

    def kill_all(self) -> None:
        """SIGKILL every process of the sandbox user but PID 1 (kill -1 spares init and itself)."""
        api = self.backend.client.api
        try:
            exec_id = api.exec_create(self.id, ["kill", "-KILL", "-1"], user=f"{UID}:{UID}")["Id"]
            raw, first = _hijack(exec_id)
            try:
                _pump(raw, first, Capped(4096), Capped(4096), time.monotonic() + 10, flood=1 << 20)
            finally:
                raw.close()
        except Exception:  # noqa: BLE001 - a container gone already has nothing to kill
            pass

    def leftovers(self) -> list[str]:
        """Processes running in the sandbox besides its init (PID 1 and its sleep) and this check."""
        r = self.exec(["ps", "-eo", "pid=,ppid=,args="], timeout=10)
        rows = [line.split(None, 2) for line in r.stdout.splitlines() if line.strip()]
        mine = {pid for pid, _, args in rows if args.startswith(("timeout -k", "ps -eo"))}
        return [args for pid, ppid, args in rows
                if pid != "1" and not (ppid == "1" and args == "sleep 3600") and pid not in mine]

    def close(self) -> None:
        self.backend.remove(self.container)


def _connect() -> socket.socket:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if host.startswith("unix://"):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(30)
        conn.connect(host[len("unix://"):])
        return conn
    if host.startswith("tcp://") and not os.environ.get("DOCKER_TLS_VERIFY"):
        name, _, port = host[len("tcp://"):].rstrip("/").rpartition(":")
        return socket.create_connection((name, int(port)), timeout=30)
    raise SandboxError(f"DOCKER_HOST={host}: the sandbox streams execs over a unix socket or plain tcp only")


def _hijack(exec_id: str) -> tuple[socket.socket, bytes]:
    """Start an exec on a connection of our own: (the raw stream, bytes already read past the
    HTTP head). The SDK's socket sits under a buffered reader that may hold the first output,
    invisible to select(); here nothing is hidden."""
    conn = _connect()
    body = b'{"Detach": false, "Tty": false}'
    conn.sendall(f"POST /exec/{exec_id}/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                 f"Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk or len(head) > 65536:
            conn.close()
            raise SandboxError("the Docker Engine closed the exec stream before it started")
        head += chunk
    status, rest = head.split(b"\r\n\r\n", 1)
    code = status.split(b"\r\n", 1)[0].split(b" ")[1:2]
    if code not in ([b"101"], [b"200"]):
        conn.close()
        raise SandboxError(f"the Docker Engine refused the exec: {status.splitlines()[0].decode(errors='replace')}")
    conn.settimeout(None)
    return conn, rest


def _pump(raw: socket.socket, buf: bytes, out: Capped, err: Capped, deadline: float, flood: int) -> str | None:
    """Demultiplex Docker's stream (8-byte headers: stream, size) until it ends; None, or why
    reading stopped early ("output": a flood past `flood` bytes; "timeout": past the deadline)."""
    while True:
        while len(buf) >= 8:
            kind, size = struct.unpack(">BxxxL", buf[:8])
            if len(buf) < 8 + size:
                break
            (err if kind == 2 else out).add(buf[8:8 + size])
            buf = buf[8 + size:]
        if out.seen + err.seen > flood:
            return "output"
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout"
        ready, _, _ = select.select([raw], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = raw.recv(1 << 16)
        if not chunk:
            return None
        buf += chunk


def _wait_exit(api: Any, exec_id: str) -> int:
    """The exit code, which Docker sets a moment after the stream ends."""
    for _ in range(200):
        info = api.exec_inspect(exec_id)
        if not info.get("Running") and info.get("ExitCode") is not None:
            return int(info["ExitCode"])
        time.sleep(0.01)
    raise SandboxError("the sandbox did not report the command's exit code")


class DockerBackend:
    name = "docker"
    isolation = "container"

    def __init__(self, run_id: str):
        self.run_id = run_id
        self.owner = owner_id()
        self.client = client()
        self._live: dict[str, Any] = {}

    def available(self, image: str) -> str:
        from .images import tag
        try:
            want = tag(image)
        except SandboxError as exc:
            return str(exc)
        try:
            self.client.images.get(want)
        except Exception:  # noqa: BLE001 - not found, or unreadable: either way not usable
            return f"sandbox image {want} is not built: run `{BUILD_COMMAND}`"
        return ""

    def start(self, image: str, limits: Limits) -> DockerSandbox:
        from docker.types import Ulimit

        from .images import tag
        mb = 1 << 20
        scratch_opts = f"size={limits.scratch_mb}m,mode=1777,nosuid,nodev,{'exec' if limits.scratch_exec else 'noexec'}"
        try:
            container = self.client.containers.run(
                tag(image), INIT, detach=True, network_mode="none", user=f"{UID}:{UID}",
                read_only=True, tmpfs={SCRATCH: scratch_opts, "/tmp": "size=16m,mode=1777,nosuid,nodev,noexec"},
                cap_drop=["ALL"], security_opt=["no-new-privileges"], pids_limit=limits.pids,
                mem_limit=limits.memory_mb * mb, memswap_limit=limits.memory_mb * mb, nano_cpus=int(limits.cpus * 1e9),
                ulimits=[Ulimit(name="fsize", soft=limits.file_mb * mb, hard=limits.file_mb * mb),
                         Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
                         Ulimit(name="core", soft=0, hard=0)],
                environment=ENV, working_dir=SCRATCH, hostname="sandbox", shm_size=16 * mb,
                labels={RUN_LABEL: self.run_id, OWNER_LABEL: self.owner}, stop_signal="SIGKILL")
        except Exception as exc:  # noqa: BLE001 - the engine's message says what was wrong
            raise SandboxError(f"cannot start a {image} sandbox: {str(exc)[:300]}") from None
        self._live[container.id] = container
        return DockerSandbox(self, container, image, limits)

    def remove(self, container: Any) -> None:
        self._live.pop(container.id, None)
        try:
            container.remove(force=True)
        except Exception:  # noqa: BLE001 - already gone
            pass

    def close(self) -> None:
        for container in list(self._live.values()):
            self.remove(container)
        self.sweep(owner=self.owner)

    def sweep(self, owner: str | None = None) -> int:
        """Remove this owner's containers (default: those whose owner process is gone)."""
        return sweep(self.client, owner)


def sweep(docker_client: Any, owner: str | None = None) -> int:
    # The low-level listing: the high-level one inspects each container in turn, and another
    # run removing one of its own meanwhile would make that a NotFound error.
    removed = 0
    for c in docker_client.api.containers(all=True, filters={"label": OWNER_LABEL}):
        who = (c.get("Labels") or {}).get(OWNER_LABEL, "")
        if (who == owner) if owner else not owner_alive(who):
            try:
                docker_client.api.remove_container(c["Id"], force=True)
                removed += 1
            except Exception:  # noqa: BLE001 - removed meanwhile
                pass
    return removed


def remove_owned(owner: str) -> None:
    """The watchdog's work after its owner died: that owner's containers go."""
    try:
        sweep(client(), owner)
    except SandboxError:
        pass
