"""Sandbox tests run against the real Docker Engine. Where there is none (or the images are not
built) they skip, saying how to enable them; under CI (CI=true), which has both, they fail."""

from __future__ import annotations

import os
import subprocess

import pytest

from pytest_modelqa.errors import SandboxError
from pytest_modelqa.sandbox.images import BUILD_COMMAND


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


@pytest.fixture(scope="session")
def pool(docker_backend):
    from pytest_modelqa.sandbox.pool import Pool
    p = Pool(docker_backend, 3)
    yield p
    p.close()


@pytest.fixture
def sandbox(pool):
    sb = pool.acquire("python")
    yield sb
    pool.release(sb)


def containers(label: str) -> list[str]:
    """Ids of the containers (running or not) carrying this label (key=value)."""
    out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={label}"], capture_output=True, text=True)
    return out.stdout.split()
