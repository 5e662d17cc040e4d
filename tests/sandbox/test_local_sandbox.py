"""The local backend (no Docker): child processes with rlimits in a private scratch dir. Weaker
than a container, and labelled so; its limits still hold."""

from __future__ import annotations

import os
import sys

import pytest

from pytest_modelqa.errors import SandboxError
from pytest_modelqa.sandbox.base import Limits
from pytest_modelqa.sandbox.local import LocalBackend
from tests.conftest import wait_until


@pytest.fixture
def local():
    backend = LocalBackend()
    yield backend
    backend.close()


def test_files_exec_and_the_weaker_label(local) -> None:
    sb = local.start("python", Limits())
    assert sb.isolation == "process" and local.isolation == "process"
    sb.write_files({"pkg/a.py": "import sys, os\nprint(os.environ.get('MODELQA_API_KEY'), sys.stdin.read())\n"})
    os.environ["MODELQA_API_KEY"] = "sk-local-canary"
    try:
        r = sb.exec(["python3", "a.py"], stdin="in", cwd="pkg")
    finally:
        del os.environ["MODELQA_API_KEY"]
    assert (r.exit_code, r.stdout) == (0, "None in\n")  # no host environment
    assert sb.read_file("pkg/a.py").startswith(b"import sys")
    with pytest.raises(SandboxError, match="outside the sandbox's scratch dir"):
        sb.read_file("../../etc/passwd")
    scratch = sb.scratch
    local.close()
    assert not os.path.exists(scratch)


def test_a_timeout_kills_the_whole_process_group(local) -> None:
    sb = local.start("cli", Limits())
    r = sb.exec(["sh", "-c", "sleep 300 & echo $! > child.pid; sleep 300"], timeout=1)
    assert r.timed_out and r.limit == "timeout"
    child = int(sb.read_file("child.pid"))
    wait_until(lambda: not running(child), timeout=10)  # SIGKILLed: gone within moments


def running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan waits a moment for init to reap it)."""
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_limits_hold(local) -> None:
    sb = local.start("python", Limits(memory_mb=256, file_mb=8, output_bytes=1000))
    hog = sb.exec([sys.executable, "-c", "x = bytearray(1 << 30)"])
    assert hog.exit_code != 0 and "MemoryError" in hog.stderr
    big = sb.exec([sys.executable, "-c", "open('f', 'wb').write(b'x' * (16 << 20))"])
    assert big.exit_code != 0 and os.path.getsize(os.path.join(sb.scratch, "f")) <= 8 << 20
    flood = sb.exec(["yes"])
    assert flood.limit == "output" and len(flood.stdout) == 1000 and flood.stdout_truncated


def test_an_unknown_image_is_refused(local) -> None:
    assert local.available("gpu") == "unknown sandbox image 'gpu'"
    assert local.available("python") == ""
