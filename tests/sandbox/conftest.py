"""Sandbox tests run against the real Docker Engine (the `docker_backend` fixture, in the root
conftest, skips without it, saying how to enable them; under CI it fails)."""

from __future__ import annotations

import subprocess

import pytest


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
