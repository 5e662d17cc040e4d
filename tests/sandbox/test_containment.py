"""Every hostile payload is contained, each in a fresh locked-down container (the table:
`python -m pytest_modelqa.sandbox contain`). Network payloads aim only at loopback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pytest_modelqa.sandbox.containment import HostSide, payloads, run_one, with_canary

NAMES = [p.name for p in payloads(0)]


@pytest.fixture(scope="module")
def host():
    undo = with_canary()  # set before any container of this module starts: none may see it
    side = HostSide()
    yield side
    side.close()
    undo()


@pytest.mark.parametrize("name", NAMES)
def test_the_payload_is_contained(pool, host, name: str) -> None:
    payload = next(p for p in payloads(host.port) if p.name == name)
    row = run_one(payload, pool.acquire, pool.release, host)
    assert row.contained, f"{name}: {row.evidence}"


def test_the_containment_table_lists_every_payload_as_contained(docker_backend) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest_modelqa.sandbox", "contain"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "payload" not in line]
    assert len(rows) == len(NAMES) and all("| contained: " in r for r in rows)
