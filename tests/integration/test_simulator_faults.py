"""End-to-end runs against the simulator with its faults: retries, serving errors apart
from quality failures, truncation, reasoning stripping, tool-argument shapes, concurrency."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SELFTEST_PACKS


def run(pytester: pytest.Pytester, url: str, *args: str) -> tuple[pytest.RunResult, dict]:
    out = pytester.path / "out.json"
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4",
                                f"--model-endpoint={url}", f"--modelqa-json={out}", *args)
    return result, json.loads(out.read_text())


def test_5xx_and_dropped_connections_are_retried_and_recorded(pytester, simulator) -> None:
    sim = simulator("--error-rate", "0.3", "--drop-rate", "0.2", "--seed", "1")
    result, doc = run(pytester, sim.url, "--modelqa-retries", "12")
    result.assert_outcomes(passed=4)
    stats = sim.stats()
    assert stats.get("fault_error", 0) > 0 and stats.get("fault_drop", 0) > 0, stats
    injected = stats["fault_error"] + stats["fault_drop"]
    assert sum(s["retries"] for s in doc["scenarios"]) == injected
    assert any("retried" in w for w in doc["warnings"])


def test_persistent_5xx_makes_every_scenario_a_serving_error(pytester, simulator) -> None:
    sim = simulator("--error-rate", "1.0")
    result, doc = run(pytester, sim.url, "--modelqa-retries", "1")
    result.assert_outcomes(errors=4)
    assert all(s["outcome"] == "error" and s["retries"] == 1 and "HTTP 500" in s["detail"] for s in doc["scenarios"])
    assert sim.stats()["fault_error"] == 4 * 2 - 0  # each scenario's first turn: 1 try + 1 retry


def test_serving_errors_reported_apart(pytester, simulator) -> None:
    sim = simulator("--malformed-rate", "0.5", "--seed", "11")
    result, doc = run(pytester, sim.url, "--modelqa-retries", "0")
    errors = [s for s in doc["scenarios"] if s["outcome"] == "error"]
    assert errors, "seed 11 at 50% should break at least one scenario"
    assert all(s["failure_mode"] == "server_error" and "malformed JSON" in s["detail"] for s in errors)
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors", outcomes.get("error")) == len(errors)
    result.stdout.fnmatch_lines(["*ERROR (* serving)*", "Serving errors (not quality failures):",
                                 "*server_error (malformed JSON body*"])


def test_empty_content_is_a_scored_failure(pytester, simulator) -> None:
    sim = simulator("--empty-rate", "1.0")
    result, doc = run(pytester, sim.url)
    assert all(s["outcome"] == "failed" for s in doc["scenarios"])
    assert {s["failure_mode"] for s in doc["scenarios"]} <= {"wrong_answer", "no_answer_found", "invalid_json"}


def test_truncated_output_is_token_limit(pytester, simulator) -> None:
    sim = simulator("--truncate-rate", "1.0")
    _, doc = run(pytester, sim.url)
    modes = {s["scenario"]: s["failure_mode"] for s in doc["scenarios"]}
    assert modes["ST-02"] == "token_limit" and modes["ST-03"] == "token_limit"
    assert any("token limit" in w for w in doc["warnings"])


@pytest.mark.parametrize("style", ["field", "tags"])
def test_reasoning_is_stripped_before_verification(pytester, simulator, style) -> None:
    sim = simulator("--think-style", style)
    result, doc = run(pytester, sim.url, "--modelqa-enable-thinking")
    result.assert_outcomes(passed=4)
    assert all(s["thought"] and "step by step" in s["reasoning"] for s in doc["scenarios"])
    assert all("<think>" not in s["response"] for s in doc["scenarios"])


def test_thinking_requested_but_absent_is_flagged(pytester, simulator) -> None:
    sim = simulator()
    _, doc = run(pytester, sim.url, "--modelqa-enable-thinking")
    assert any("thinking was requested but no reasoning came back" in w for w in doc["warnings"])


def test_tool_arguments_as_objects_are_accepted(pytester, simulator) -> None:
    sim = simulator("--tool-args-objects")
    result, _ = run(pytester, sim.url)
    result.assert_outcomes(passed=4)


def test_concurrency_is_bounded_by_slots_and_used(pytester, simulator) -> None:
    sim = simulator("--slots", "3", "--latency-ms", "100")
    # Oracle answers for ST-01 need two turns; the engine keeps 3 requests in flight.
    run(pytester, sim.url)
    assert sim.stats()["max_in_flight"] == 3


def test_non_canonical_sampling_is_labelled(pytester, simulator) -> None:
    sim = simulator()
    result, doc = run(pytester, sim.url, "--modelqa-temperature", "0.7", "--modelqa-top-p", "0.9")
    assert doc["sampling"]["canonical"] is False
    assert doc["sampling"]["fields"] == {"temperature": 0.7, "seed": 1234, "top_p": 0.9}
    result.stdout.fnmatch_lines(["*non-canonical sampling (temperature=0.7,top_p=0.9,seed=1234)*",
                                 "Quality:*temperature=0.7,top_p=0.9*"])
    _, doc = run(pytester, sim.url, "--modelqa-sampling-from-server")
    assert doc["sampling"]["fields"] == {} and doc["endpoints"][0]["server_sampling"]["temperature"] == 0.8
