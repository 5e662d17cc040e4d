"""Shared fixtures: a simulator subprocess on a free port, paths to the test packs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

# Imported here, once, so pytester's in-process runs (which drop modules first imported during
# a run) never re-import yaml: its C loader cannot be re-initialised against a fresh module.
import pytest_modelqa.session  # noqa: F401
from pytest_modelqa.errors import SandboxError
from pytest_modelqa.sandbox.images import BUILD_COMMAND

TESTS = Path(__file__).parent
SELFTEST_PACKS = TESTS / "packs"
SCHEMAS = TESTS.parent / "pytest_modelqa" / "schemas"
# For tiny packs written by tests that check something else: a pack needs five near misses.
PLACEHOLDER_NEAR_MISSES = [{"why": f"placeholder {n}", "reply": f"a wrong answer, number {n}"} for n in range(1, 6)]


class Sim:
    def __init__(self, args: list[str]):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pytest_modelqa.simulator", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            self.proc.kill()
            raise RuntimeError(f"simulator did not start: {line} {self.proc.stderr.read()}")
        self.url = line.split()[3]

    def stats(self) -> dict:
        return httpx.get(f"{self.url}/sim/stats").json()

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def simulator():
    """simulator(*args) -> a running Sim; all are stopped after the test."""
    started: list[Sim] = []

    def start(*args: str) -> Sim:
        sim = Sim(["--packs-dir", str(SELFTEST_PACKS), *args])
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def results_schema() -> dict:
    return json.loads((SCHEMAS / "results.schema.json").read_text())


def run_json(pytester: pytest.Pytester, *args: str, out: str = "out.json") -> tuple[pytest.RunResult, dict]:
    """An in-process plugin run with the self-test packs; (result, JSON results or {})."""
    path = pytester.path / out
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}",
                                f"--modelqa-json={path}", *args)
    return result, json.loads(path.read_text()) if path.exists() else {}


def dead_port() -> int:
    """A loopback port with nothing listening."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.05)


# -- Docker: sandbox tests run against the real Engine; without it (or the images) they skip,
# saying how to enable them; under CI (CI=true), which has both, they fail.
def unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the sandbox tests: {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def docker_backend():
    from pytest_modelqa.sandbox.docker import DockerBackend
    try:
        backend = DockerBackend("tests")
    except SandboxError as exc:
        unavailable(str(exc))
    backend.sweep()  # what an earlier, killed test run left (its owner process is gone)
    for image in ("python", "cli"):
        why = backend.available(image)
        if why:
            unavailable(f"{why} (or `{BUILD_COMMAND}`)")
    yield backend
    backend.close()
