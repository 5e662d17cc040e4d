"""`-m reasoning` end to end on the simulator: the no-sandbox packs run, the gated one reports
dataset_unavailable (never 0/0) until pointed at data, thinking is on by default with the
packs' own budget, and thinking that spends the whole budget is reported as token_limit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent.parent / "data" / "gpqa_fixture.csv"
FIXTURE_SHA = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
NO_SANDBOX = "reasoning and not sandboxed"


def run(pytester: pytest.Pytester, url: str, *args: str) -> tuple[pytest.RunResult, dict]:
    out = pytester.path / "out.json"
    result = pytester.runpytest("-p", "no:cacheprovider", f"--model-endpoint={url}", f"--modelqa-json={out}", *args)
    return result, json.loads(out.read_text())


def test_without_gated_data_gpqa_is_a_reported_skip_not_a_score(pytester, simulator) -> None:
    sim = simulator()
    result, doc = run(pytester, sim.url, "-m", NO_SANDBOX)
    gsm = [s for s in doc["scenarios"] if s["pack"] == "GSM-Symbolic-30"]
    assert gsm and all(s["passed"] for s in gsm)
    assert "GPQA-Diamond" not in {p["pack"] for p in doc["packs"]}
    skipped = {s["pack"]: s for s in doc["skipped"]}
    assert skipped["GPQA-Diamond"]["scenarios"] == 0
    assert skipped["GPQA-Diamond"]["reason"].startswith("dataset_unavailable: ")
    assert "--modelqa-gpqa-csv" in skipped["GPQA-Diamond"]["reason"]
    result.stdout.fnmatch_lines(["| GPQA-Diamond | – | – | – | – | not run: dataset_unavailable |",
                                 "*GPQA-Diamond (no scenario built) dataset_unavailable: *"])
    result.assert_outcomes(passed=len(gsm), skipped=1)


def test_pointed_at_a_copy_gpqa_runs_with_its_checksum_and_shuffle_seeds_recorded(pytester, simulator,
                                                                                monkeypatch) -> None:
    # the simulator answers from the packs it loads, so it needs the data too (from the environment)
    monkeypatch.setenv("MODELQA_GPQA_CSV", str(FIXTURE))
    monkeypatch.setenv("MODELQA_GPQA_SHA256", FIXTURE_SHA)
    sim = simulator()
    monkeypatch.delenv("MODELQA_GPQA_CSV")
    monkeypatch.delenv("MODELQA_GPQA_SHA256")
    result, doc = run(pytester, sim.url, "-m", "gpqa_diamond", f"--modelqa-gpqa-csv={FIXTURE}",
                      f"--modelqa-gpqa-sha256={FIXTURE_SHA}")
    result.assert_outcomes(passed=6)
    (row,) = doc["packs"]
    assert FIXTURE_SHA in row["data"] and row["thinking"] and row["thinking_tokens"] == 8192
    assert all({"record", "shuffle_seed", "answer"} <= set(s["source"]) for s in doc["scenarios"])
    assert "skipped" not in doc


def test_thinking_defaults_on_with_the_packs_budget_and_the_flag_overrides_it(pytester, simulator) -> None:
    sim = simulator()
    _, doc = run(pytester, sim.url, "-m", "gsm_symbolic_30")
    (row,) = doc["packs"]
    assert row["thinking"] and row["thinking_tokens"] == 8192
    assert all(s["thinking"] for s in doc["scenarios"])
    assert all({"template", "seed"} <= set(s["source"]) for s in doc["scenarios"])
    _, doc = run(pytester, sim.url, "-m", "gsm_symbolic_30", "--modelqa-thinking-max-tokens", "512")
    assert doc["packs"][0]["thinking_tokens"] == 512 and doc["thinking"]["max_tokens"] == 512
    _, doc = run(pytester, sim.url, "-m", "gsm_symbolic_30", "--modelqa-no-thinking")
    assert doc["packs"][0]["thinking_tokens"] == 0 and not doc["packs"][0]["thinking"]


def test_thinking_that_spends_the_whole_budget_is_token_limit(pytester, simulator) -> None:
    sim = simulator("--overthink-rate", "1.0")
    result, doc = run(pytester, sim.url, "-m", "gsm_symbolic_30")
    assert doc["scenarios"] and {s["failure_mode"] for s in doc["scenarios"]} == {"token_limit"}
    assert all(s["outcome"] == "failed" and s["reasoning"] and not s["response"] for s in doc["scenarios"])
    assert all("token limit (9216 tokens generated)" in s["detail"] for s in doc["scenarios"])


LCB_FIXTURE = Path(__file__).parent.parent / "data" / "lcb_fixture"


def test_all_four_packs_run_from_their_data_on_the_simulator(pytester, simulator, monkeypatch, docker_backend) -> None:
    """`-m reasoning` whole: the code packs in real sandboxes, the gated ones from the fixtures."""
    data = {"MODELQA_GPQA_CSV": str(FIXTURE), "MODELQA_GPQA_SHA256": FIXTURE_SHA, "MODELQA_LCB_DATA": str(LCB_FIXTURE)}
    for k, v in data.items():
        monkeypatch.setenv(k, v)  # the simulator and the run both read them
    sim = simulator()
    result, doc = run(pytester, sim.url, "-m", "reasoning")
    rows = {p["pack"]: p for p in doc["packs"]}
    assert set(rows) == {"HumanEval+-30", "LCB-v6-30", "GSM-Symbolic-30", "GPQA-Diamond"}, rows
    sizes = {pack: row["selected"] for pack, row in rows.items()}
    # LCB: the fixture's six problems inside the v6 window (two more lie outside it)
    assert sizes == {"HumanEval+-30": 30, "LCB-v6-30": 6, "GSM-Symbolic-30": 30, "GPQA-Diamond": 6}
    assert all(r["passed"] == r["selected"] and r["thinking"] for r in rows.values()), rows
    lcb = [s for s in doc["scenarios"] if s["pack"] == "LCB-v6-30"]
    assert {s["source"]["testtype"] for s in lcb} == {"stdin", "functional"}
    assert all("hidden" in " ".join(s["trace"]) for s in lcb)  # graded on the hidden tests
    assert "skipped" not in doc
