"""`-m full` end to end on the simulator: the eight packs of full mode through the real
client, engine and sandboxes. The simulator answering gold scores every scenario; answering
junk scores none; delegated sub-tasks reach it as requests of their own."""

from __future__ import annotations

import json

import pytest

from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.names import shipped_packs_dir
from pytest_modelqa.packs import discover

FULL = [p for p in (load_checked(f) for f in discover([shipped_packs_dir()])) if "full" in p.meta.modes]


def run_full(pytester: pytest.Pytester, url: str) -> tuple[pytest.RunResult, dict]:
    out = pytester.path / "full.json"
    result = pytester.runpytest("-p", "no:cacheprovider", "-m", "full", f"--model-endpoint={url}",
                                f"--modelqa-json={out}", "--modelqa-case-timeout=120")
    return result, json.loads(out.read_text())


def test_full_mode_on_gold_answers_passes_everything(pytester, simulator, docker_backend) -> None:
    n = sum(len(p.scenarios) for p in FULL)
    assert n == 150 and sum(bool(p.meta.sandbox) for p in FULL) == 3
    sim = simulator("--success-rate", "1.0", "--slots", "4")
    result, doc = run_full(pytester, sim.url)
    result.assert_outcomes(passed=n)
    assert {r["pack"]: (r["passed"], r["total_in_pack"]) for r in doc["packs"]} == \
        {p.meta.id: (len(p.scenarios), len(p.scenarios)) for p in FULL}
    delegations = sum(c.name == "delegate" for p in FULL for s in p.scenarios for t in s.gold for c in t.tool_calls)
    assert delegations and sim.stats()["delegated"] == delegations  # each answered as a request of its own


def test_full_mode_on_junk_answers_passes_nothing(pytester, simulator, docker_backend) -> None:
    sim = simulator("--success-rate", "0.0")
    result, doc = run_full(pytester, sim.url)
    assert sum(r["passed"] for r in doc["packs"]) == 0
    assert all(s["outcome"] == "failed" and s["failure_mode"] and s["detail"] for s in doc["scenarios"])
