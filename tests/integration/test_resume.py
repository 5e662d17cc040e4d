"""Eval state and resume, for real: pytest processes SIGKILLed mid-run against a slow
simulator, resumed, and compared with an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_modelqa.state import load
from tests.conftest import SELFTEST_PACKS

SIM_ARGS = ("--success-rate", "0.6", "--seed", "5", "--latency-ms", "60", "--slots", "2")


def command(url: str, state: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--modelqa-packs-dir={SELFTEST_PACKS}",
            "-m", "quick or selftest_4", f"--model-endpoint={url}", "--modelqa-concurrency", "2",
            f"--modelqa-state={state}", f"--modelqa-json={out}", *extra]


def finished(state: Path) -> int:
    try:
        return sum('"event":"finished"' in line for line in state.read_text().splitlines())
    except FileNotFoundError:
        return 0


def verdicts(out: Path) -> list[tuple]:
    doc = json.loads(out.read_text())
    return sorted((s["nodeid"], s["passed"], s["failure_mode"], s["response"], s["turns"]) for s in doc["scenarios"])


def kill_after(cmd: list[str], cwd: Path, state: Path, at_least: int) -> None:
    """Start the run in its own process group, SIGKILL the whole group once `at_least`
    scenarios are in the state file (xdist workers die with the controller)."""
    proc = subprocess.Popen(cmd, cwd=cwd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while finished(state) < at_least:
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the run made no progress")
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("extra,kills", [((), (3, 12, 22)), (("-n", "2"), (6,))], ids=["serial", "xdist"])
def test_sigkill_and_resume_equals_an_uninterrupted_run(tmp_path: Path, simulator, extra, kills) -> None:
    reference = simulator(*SIM_ARGS)
    (tmp_path / "ref").mkdir()
    done = subprocess.run(command(reference.url, tmp_path / "ref" / "state.jsonl", tmp_path / "ref.json", *extra),
                          cwd=tmp_path / "ref", capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout[-2000:]  # 60% success: some scenarios fail
    total = len(verdicts(tmp_path / "ref.json"))

    sim = simulator(*SIM_ARGS)
    state, out = tmp_path / "state.jsonl", tmp_path / "out.json"
    served_at_kill: list[tuple[set[str], dict[str, int]]] = []
    for i, at_least in enumerate(kills):
        resume = (f"--modelqa-resume={state}",) if i else ()
        kill_after(command(sim.url, state, out, *extra, *resume), tmp_path, state, at_least)
        time.sleep(0.3)  # requests the dead process left in flight reach the simulator
        keys = {f"{r.pack}::{r.scenario}" for r in load(state).finished.values() if r.outcome != "error"}
        served_at_kill.append((keys, sim.stats()["by_scenario"]))
        assert finished(state) < total, "killed too late to test anything"

    final = subprocess.run(command(sim.url, state, out, *extra, f"--modelqa-resume={state}"),
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert final.returncode == 1, final.stdout[-2000:]
    assert "finished scenarios re-used from" in final.stdout
    assert verdicts(out) == verdicts(tmp_path / "ref.json")
    assert len(load(state).finished) == total
    served = sim.stats()["by_scenario"]
    for keys, before in served_at_kill:
        again = {k: served[k] - before[k] for k in keys if served[k] != before[k]}
        assert not again, f"finished scenarios were served again after a resume: {again}"


def finished_selftest_run(tmp_path: Path, url: str) -> tuple[list[str], Path, Path]:
    """(the command, its state, its JSON) of a finished SelfTest-4 run against `url`."""
    state, out = tmp_path / "state.jsonl", tmp_path / "out.json"
    args = command(url, state, out)
    args[args.index("quick or selftest_4")] = "selftest_4"
    first = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0 and finished(state) == 4
    return args, state, out


def test_resume_refuses_a_state_from_another_config(tmp_path: Path, simulator) -> None:
    args, state, _ = finished_selftest_run(tmp_path, simulator().url)
    other = subprocess.run([*args, f"--modelqa-resume={state}", "--modelqa-seed", "7"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120)
    assert other.returncode == pytest.ExitCode.USAGE_ERROR
    assert "cannot resume from" in other.stderr and "seed: state 1234, now 7" in other.stderr
    assert finished(state) == 4  # the refused run did not touch the state
    same = subprocess.run([*args, f"--modelqa-resume={state}"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert same.returncode == 0 and "Resumed: 4 finished scenarios re-used" in same.stdout


def test_resume_refuses_a_journal_of_another_served_model(tmp_path: Path, simulator) -> None:
    from tests.hostile import Hostile, completion
    _, state, out = finished_selftest_run(tmp_path, simulator().url)
    kept = state.read_bytes()
    other = Hostile(lambda body: completion({"content": "Tokyo"}), models={"data": [{"id": "model-b"}]})
    try:
        resumed = subprocess.run([*command(other.url, state, out), f"--modelqa-resume={state}"], cwd=tmp_path,
                                 capture_output=True, text=True, timeout=120)
    finally:
        other.stop()
    assert resumed.returncode == pytest.ExitCode.USAGE_ERROR
    assert "written against modelqa-simulator (build b0-simulator" in resumed.stderr
    assert "the endpoint now serves model-b (build ?" in resumed.stderr
    assert state.read_bytes() == kept
