"""The modelqa_sandbox fixture in hand-written tests, run as users run them (a pytest process
of their own, no model needed), and what each kind of end leaves behind: nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_modelqa.sandbox.docker import OWNER_LABEL
from tests.conftest import wait_until
from tests.sandbox.conftest import containers

TESTS = textwrap.dedent('''
    import time
    import pytest

    MODEL_CODE = "def add(a, b):\\n    return a + b\\n"

    def test_model_code_runs_in_the_sandbox(modelqa_sandbox):
        modelqa_sandbox.write_files({"solution.py": MODEL_CODE,
                                     "test_solution.py": "from solution import add\\n\\ndef test_add():\\n    assert add(2, 3) == 5\\n"})
        r = modelqa_sandbox.exec(["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"], timeout=60)
        assert r.exit_code == 0, r.stdout + r.stderr
        assert "1 passed" in r.stdout and modelqa_sandbox.isolation == ISOLATION

    @pytest.mark.modelqa_sandbox(image="cli")
    def test_the_image_is_chosen_by_marker(modelqa_sandbox):
        assert modelqa_sandbox.exec(["jq", "-n", "1 + 1"]).stdout == "2\\n"

    def test_a_failing_test_still_returns_its_sandbox(modelqa_sandbox):
        modelqa_sandbox.exec(["true"])
        if FAIL:
            assert False, "failed on purpose"

    def test_hangs_when_asked(modelqa_sandbox):
        modelqa_sandbox.exec(["true"])
        if HANG:
            print("SANDBOX-READY", flush=True)
            time.sleep(300)
''')


def ours(pid: int) -> list[str]:
    """Containers whose owner is the pytest process `pid`."""
    prefix = f"{socket.gethostname()}:{pid}:"
    out = subprocess.run(["docker", "ps", "-a", "--filter", f"label={OWNER_LABEL}", "--format",
                          f'{{{{.ID}}}} {{{{.Label "{OWNER_LABEL}"}}}}'], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.split()[1].startswith(prefix)]


def launch(tmp_path: Path, *args: str, fail: bool = False, hang: bool = False, isolation: str = "container",
           env: dict | None = None) -> subprocess.Popen:
    (tmp_path / "test_hand.py").write_text(f"FAIL = {fail}\nHANG = {hang}\nISOLATION = {isolation!r}\n" + TESTS)
    return subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", "-q", *args], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})


@pytest.fixture
def cleanup():
    procs: list[subprocess.Popen] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.communicate()
        ids = ours(p.pid)
        if ids:
            subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)


def test_a_normal_run_passes_and_leaves_no_container(docker_backend, tmp_path: Path, cleanup) -> None:
    proc = launch(tmp_path)
    cleanup.append(proc)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out[-3000:]
    assert "4 passed" in out
    assert ours(proc.pid) == []


def test_a_failing_run_leaves_no_container(docker_backend, tmp_path: Path, cleanup) -> None:
    proc = launch(tmp_path, fail=True)
    cleanup.append(proc)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1 and "failed on purpose" in out and "1 failed, 3 passed" in out, out[-3000:]
    assert ours(proc.pid) == []


def test_a_sigkilled_run_leaves_no_container(docker_backend, tmp_path: Path, cleanup) -> None:
    proc = launch(tmp_path, "-k", "hangs", hang=True)
    cleanup.append(proc)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "SANDBOX-READY" in line:
            break
    assert ours(proc.pid), "the hanging test holds a sandbox"
    os.kill(proc.pid, signal.SIGKILL)  # no cleanup code runs: the watchdog must do it
    proc.wait()
    wait_until(lambda: ours(proc.pid) == [], timeout=60)


def test_the_local_backend_runs_hand_written_tests_labelled_weaker(tmp_path: Path, cleanup) -> None:
    proc = launch(tmp_path, "--modelqa-sandbox-backend=local", "-k", "not image", isolation="process")
    cleanup.append(proc)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "3 passed" in out, out[-3000:]


def test_without_docker_the_fixture_skips_saying_why_and_how(tmp_path: Path, cleanup) -> None:
    proc = launch(tmp_path, "-rs", env={"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    cleanup.append(proc)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "4 skipped" in out, out[-3000:]
    assert "no sandbox: Docker Engine is not reachable" in out and "--modelqa-sandbox-backend=local" in out


def test_a_missing_image_skips_with_the_build_command(docker_backend, tmp_path: Path, cleanup) -> None:
    (tmp_path / "test_missing.py").write_text(textwrap.dedent('''
        import pytest

        @pytest.mark.modelqa_sandbox(image="gpu")
        def test_needs_an_image_that_does_not_exist(modelqa_sandbox):
            pass
    '''))
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", "test_missing.py"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cleanup.append(proc)
    out, _ = proc.communicate(timeout=120)
    assert "1 skipped" in out and "no sandbox: unknown sandbox image 'gpu'" in out, out[-3000:]
