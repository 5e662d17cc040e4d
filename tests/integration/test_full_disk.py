"""A full disk loses nothing it can keep: the run goes on, the report and every artifact on a
healthy disk are written, no temporary file is left. The full disk is a tiny tmpfs mounted
for the test (root only; skipped with the reason elsewhere)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SELFTEST_PACKS


@pytest.fixture
def full_disk(tmp_path: Path):
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here (run as root to test full disks): {done.stderr.strip()}")
    try:
        filler = mount / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:  # fill it to the last block
            while os.write(fd, b"x" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_journal_disk_keeps_the_run_and_the_json(pytester, simulator, full_disk) -> None:
    sim = simulator()
    out = pytester.path / "out.json"
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4",
                                f"--model-endpoint={sim.url}", f"--modelqa-state={full_disk / 'state.jsonl'}",
                                f"--modelqa-json={out}")
    assert "INTERNALERROR" not in result.stdout.str()
    result.assert_outcomes(passed=4)
    assert "cannot write the eval state" in result.stdout.str()
    assert len(json.loads(out.read_text())["scenarios"]) == 4
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]  # no temp file, no half journal


def test_a_full_results_disk_says_so_and_fails_the_run(pytester, simulator, full_disk) -> None:
    sim = simulator()
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4",
                                f"--model-endpoint={sim.url}", f"--modelqa-json={full_disk / 'out.json'}")
    out = result.stdout.str()
    assert "INTERNALERROR" not in out and "| SelfTest-4 | 4/4 |" in out
    assert f"JSON results NOT written: {full_disk / 'out.json'}: No space left on device" in out
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]
