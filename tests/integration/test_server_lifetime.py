"""A server the plugin launches dies with the session, however pytest ends: SIGINT (pytest's
own clean-up), SIGTERM and SIGKILL (no clean-up at all: the watchdog). The server here
ignores SIGTERM, as llama-server was seen to do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import SELFTEST_PACKS, wait_until

SERVER = """
import signal, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)
from pytest_modelqa.simulator import main
main(sys.argv[1:])
"""


def processes_with(needle: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if needle in cmdline and "pytest" not in cmdline.split()[1:3]:
                pids.append(int(entry.name))
    return pids


def launch(tmp_path: Path, tag: str, *extra: str) -> subprocess.Popen:
    script = tmp_path / f"server-{tag}.py"
    script.write_text(SERVER)
    serve = f"{sys.executable} {script} --port {{port}} --latency-ms 1500 --packs-dir {SELFTEST_PACKS}"
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}",
           "-m", "selftest_4", "--modelqa-serve-cmd", serve, f"--modelqa-state={tmp_path / (tag + '.jsonl')}", *extra]
    return subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


@pytest.fixture
def cleanup():
    """Whatever a failing test leaves behind: its pytest run, its server, that server's watchdog."""
    procs: list[tuple[subprocess.Popen, str]] = []
    yield procs
    for proc, tag in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for server in processes_with(f"server-{tag}.py"):
            for pid in (server, *processes_with(f"pytest_modelqa.watchdog {server}")):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_launched_server_is_gone_seconds_after_pytest_is_signalled(tmp_path: Path, cleanup, sig) -> None:
    tag = uuid.uuid4().hex[:8]
    proc = launch(tmp_path, tag)
    cleanup.append((proc, tag))
    assert proc.stdout is not None
    for line in proc.stdout:
        if "modelqa: server healthy" in line:
            break
    else:
        pytest.fail(f"the server never became healthy (exit {proc.wait()})")
    servers = processes_with(f"server-{tag}.py")
    assert len(servers) == 1
    time.sleep(1.0)  # mid-run: probed, scenarios in flight
    os.kill(proc.pid, sig)  # pytest alone, not its process group
    proc.wait(timeout=60)
    wait_until(lambda: not processes_with(f"server-{tag}.py"), timeout=15)
    wait_until(lambda: not processes_with(f"pytest_modelqa.watchdog {servers[0]}"), timeout=5)


def test_a_normal_run_leaves_no_server_and_no_watchdog(tmp_path: Path, cleanup) -> None:
    tag = uuid.uuid4().hex[:8]
    proc = launch(tmp_path, tag, "-q")
    cleanup.append((proc, tag))
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out[-2000:]
    assert "modelqa: server healthy" not in out  # -q: quiet
    assert not processes_with(f"server-{tag}.py")
    orphans = [pid for pid in processes_with("pytest_modelqa.watchdog") if not Path(f"/proc/{watched(pid)}").exists()]
    assert orphans == []  # every watchdog left belongs to a live server (of another test)


def watched(watchdog_pid: int) -> str:
    try:
        return (Path(f"/proc/{watchdog_pid}") / "cmdline").read_bytes().split(b"\0")[-2].decode()
    except (OSError, IndexError):
        return "0"


def test_the_children_of_a_server_that_exited_are_killed_too() -> None:
    from pytest_modelqa.errors import ServerError
    from pytest_modelqa.servers import ManagedServer
    nap = f"{300 + uuid.uuid4().int % 1000}.5"  # a sleep no other process runs
    with pytest.raises(ServerError, match="exited with code 3 before becoming healthy"):
        ManagedServer(f'sh -c "sleep {nap} & exit 3" x {{port}}', health_timeout_s=10)
    wait_until(lambda: not processes_with(f"sleep {nap}"), timeout=10)
