"""Hostile payloads a sandbox must contain, each with the limit meant to stop it and a check
of the evidence. The test suite asserts every one (tests/sandbox/test_containment.py);
`python -m pytest_modelqa.sandbox contain` prints the table.

Network payloads aim only at loopback: a listener this process opens on the host's
127.0.0.1 (it must receive nothing), and the container's own interfaces and routes. Nothing
is ever aimed at any other address, not even to show it is unreachable."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from typing import Callable, Sequence

from .base import ExecResult, Limits, Sandbox

CANARY_ENV = "MODELQA_API_KEY"
CANARY = "sk-containment-canary-7f3a91"  # set in the host's environment while the payloads run


@dataclass(frozen=True)
class Payload:
    name: str
    limit: str  # what is meant to stop it
    cmd: Sequence[str]
    check: Callable[[ExecResult, Sandbox, "HostSide"], tuple[bool, str]]  # (contained, evidence)
    timeout: float = 20.0
    image: str = "python"


class HostSide:
    """What the payloads are measured against on the host: a loopback listener counting
    whatever reaches it."""

    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()


def _py(code: str) -> list[str]:
    return ["python3", "-c", code]


def _says(word: str) -> Callable[[ExecResult, Sandbox, HostSide], tuple[bool, str]]:
    """Contained when the payload's last output line starts with `word` (its own report of the failure)."""
    def check(r: ExecResult, sb: Sandbox, host: HostSide) -> tuple[bool, str]:
        last = (r.stdout.strip().splitlines() or [""])[-1]
        return last.startswith(word), last or f"exit {r.exit_code}, limit {r.limit}: {r.stderr.strip()[-120:]}"
    return check


def _loopback(r: ExecResult, sb: Sandbox, host: HostSide) -> tuple[bool, str]:
    out = r.stdout.strip()
    return host.connections == 0 and out.startswith("blocked"), f"{out}; host listener got {host.connections} connections"


def _flood(r: ExecResult, sb: Sandbox, host: HostSide) -> tuple[bool, str]:
    ok = r.limit == "output" and r.stdout_truncated and len(r.stdout) <= Limits().output_bytes
    return ok, f"stopped by {r.limit} after {r.wall_s:.2f}s, {len(r.stdout):,} bytes kept"


def _no_survivor(r: ExecResult, sb: Sandbox, host: HostSide) -> tuple[bool, str]:
    left = getattr(sb, "leftovers", lambda: [])()
    return r.timed_out and not left, f"timed out after {r.wall_s:.1f}s; left running: {left or 'nothing'}"


def _memory(r: ExecResult, sb: Sandbox, host: HostSide) -> tuple[bool, str]:
    got = (r.stdout.strip().splitlines() or ["0"])[-1]
    killed = r.exit_code == 137 or "MemoryError" in r.stdout
    return killed, f"exit {r.exit_code} ({'killed' if r.exit_code == 137 else r.stdout.strip()[-60:]}), last MiB {got}"


def _env(r: ExecResult, sb: Sandbox, host: HostSide) -> tuple[bool, str]:
    names = sorted(line.split("=", 1)[0] for line in r.stdout.splitlines() if "=" in line)
    allowed = {"HOME", "PATH", "LANG", "PYTHONDONTWRITEBYTECODE", "HOSTNAME", "PWD", "SHLVL", "_"}
    return CANARY not in r.stdout and set(names) <= allowed, f"variables: {', '.join(names)}"


FORK_BOMB = """
import os, time
n = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
except OSError as e:
    print("stopped after", n, "forks:", os.strerror(e.errno))
"""
MEMORY_HOG = """
held = []
try:
    for i in range(64):
        held.append(bytearray(64 << 20))
        print(len(held) * 64, flush=True)
    print("NOT STOPPED")
except MemoryError:
    print("MemoryError")
"""

def _writer(files: int, mib_each: int) -> str:
    """A payload writing `files` files of up to `mib_each` MiB into scratch, a MiB at a time,
    reporting how far it got and the error that stopped it."""
    return f"""
import os
total = 0
try:
    for i in range({files}):
        with open(f"/scratch/fill{{i}}", "wb") as f:
            for _ in range({mib_each}):
                f.write(b"x" * (1 << 20)); f.flush(); total += 1
    print("NOT STOPPED", total)
except OSError as e:
    print("stopped at", total, "MiB:", os.strerror(e.errno))
"""


FILL_SCRATCH = _writer(files=64, mib_each=32)  # 2 GiB in files under the size cap
HUGE_FILE = _writer(files=1, mib_each=1024)  # 1 GiB in one file
WRITE_OUTSIDE = """
import os
bad = []
for path in ("/etc/modelqa", "/usr/bin/modelqa", "/modelqa", "/var/tmp/modelqa", "/root/modelqa", "/home/modelqa"):
    try:
        open(path, "w").write("x")
        bad.append(path)
    except OSError as e:
        pass
print("refused everywhere" if not bad else "WROTE " + " ".join(bad))
"""
DOCKER_SOCKET = """
import os, glob
found = [p for p in ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock")
         if os.path.exists(p)] + glob.glob("/var/run/*.sock") + glob.glob("/run/*/*.sock")
print("absent" if not found else "FOUND " + " ".join(found))
"""
PROC_SYS = """
bad = []
for path, value in (("/proc/sys/kernel/hostname", "sandbox"), ("/sys/fs/cgroup/pids/pids.max", "max"),
                    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "-1"), ("/proc/sys/vm/overcommit_memory", "1")):
    try:
        with open(path, "w") as f:
            f.write(value)
        bad.append(path)
    except OSError:
        pass
print("refused everywhere" if not bad else "WROTE " + " ".join(bad))
"""
SETUID = """
import os, subprocess
status = dict(l.split(":\\t", 1) for l in open("/proc/self/status").read().splitlines() if ":\\t" in l)
try:
    os.setuid(0)
    print("BECAME ROOT")
except PermissionError:
    su = subprocess.run(["su", "root", "-c", "id -u"], input="", capture_output=True, text=True)
    root = su.stdout.strip() == "0"
    print(("BECAME ROOT via su" if root else "refused") +
          f": NoNewPrivs {status['NoNewPrivs'].strip()}, CapEff {status['CapEff'].strip()}, uid {os.getuid()}")
"""
INTERFACES = """
import os
links = sorted(os.listdir("/sys/class/net"))
routes = [l for l in open("/proc/net/route").read().splitlines()[1:] if l.strip()]
print(("only lo" if links == ["lo"] and not routes else "NETWORK") + f": interfaces {links}, {len(routes)} routes")
"""
LOOKUP = """
import socket
try:
    socket.getaddrinfo("modelqa-containment.invalid", 80)
    print("RESOLVED")
except OSError as e:
    print("failed:", e)
"""


def payloads(host_port: int) -> list[Payload]:
    loopback = (f"import socket\ns = socket.socket(); s.settimeout(2)\ntry:\n    s.connect(('127.0.0.1', {host_port}))\n"
                "    print('CONNECTED')\nexcept OSError as e:\n    print('blocked:', e)")
    return [
        Payload("reach a listener on the host's loopback", "--network none: the container's loopback is its own",
                _py(loopback), _loopback),
        Payload("network interfaces and routes", "--network none", _py(INTERFACES), _says("only lo")),
        Payload("resolve a name", "--network none: no interface a query could leave by", _py(LOOKUP), _says("failed")),
        Payload("fork bomb", "--pids-limit 128", _py(FORK_BOMB), _says("stopped after")),
        Payload("memory hog (4 GiB)", "--memory 512m, swap included", _py(MEMORY_HOG), _memory),
        Payload("fill the scratch dir", "tmpfs size=256m", _py(FILL_SCRATCH), _says("stopped at")),
        Payload("one huge file", "--ulimit fsize=64 MiB", _py(HUGE_FILE), _says("stopped at")),
        Payload("write outside the scratch dir", "--read-only root", _py(WRITE_OUTSIDE), _says("refused everywhere")),
        Payload("read the host's environment and API key", "no host environment passed", ["env"], _env),
        Payload("reach the Docker socket", "nothing mounted from the host", _py(DOCKER_SOCKET), _says("absent")),
        Payload("write /proc and /sys (lift the cgroup limits)", "read-only /proc/sys and /sys, user nobody",
                _py(PROC_SYS), _says("refused everywhere")),
        Payload("privilege escalation through setuid", "user nobody, no-new-privileges, --cap-drop ALL",
                _py(SETUID), _says("refused: NoNewPrivs 1, CapEff 0000000000000000")),
        Payload("a process surviving its exec timeout", "timeout inside the container, then kill -1",
                ["sh", "-c", "setsid sleep 300 & sleep 60"], _no_survivor, timeout=2),
        Payload("ignore SIGTERM at the timeout", "timeout -k: SIGKILL 2 s after SIGTERM",
                ["sh", "-c", "trap '' TERM; sleep 60"], _no_survivor, timeout=2),
        Payload("flood stdout", "host-side output cap (1 MiB kept, the rest stops the command)", ["yes"], _flood),
    ]


@dataclass(frozen=True)
class Row:
    payload: str
    limit: str
    contained: bool
    evidence: str


def run_one(p: Payload, acquire: Callable[[str], Sandbox], release: Callable[[Sandbox], None],
            host: HostSide) -> Row:
    sandbox = acquire(p.image)
    try:
        result = sandbox.exec(list(p.cmd), timeout=p.timeout)
        contained, evidence = p.check(result, sandbox, host)
    finally:
        release(sandbox)
    return Row(p.name, p.limit, contained, evidence)


def with_canary() -> Callable[[], None]:
    """Put a fake API key in the host's environment; returns the undo."""
    before = os.environ.get(CANARY_ENV)
    os.environ[CANARY_ENV] = CANARY

    def undo() -> None:
        if before is None:
            os.environ.pop(CANARY_ENV, None)
        else:
            os.environ[CANARY_ENV] = before
    return undo


def table(rows: Sequence[Row]) -> str:
    lines = ["| payload | limit that stopped it | result |", "|---|---|---|"]
    lines += [f"| {r.payload} | {r.limit} | {'contained' if r.contained else 'NOT CONTAINED'}: {r.evidence} |"
              for r in rows]
    return "\n".join(lines)
