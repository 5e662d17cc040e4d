"""Repeats, baseline capture and the merge gate, end to end against the simulator."""

from __future__ import annotations

import json

import jsonschema
import pytest

from pytest_modelqa.baseline import SCHEMA_PATH
from tests.conftest import run_json

BASELINE_SCHEMA = json.loads(SCHEMA_PATH.read_text())
QUICK = ("-m", "quick or selftest_4")


def test_repeats_are_distinct_items_with_statistics(pytester: pytest.Pytester, simulator, results_schema) -> None:
    sim = simulator("--success-rate", "0.6", "--seed", "2")
    collected = pytester.runpytest("-p", "no:cacheprovider", "--collect-only", "-q",
                                   f"--model-endpoint={sim.url}", "--modelqa-repeat", "3", "-m", "quick")
    ids = [line for line in collected.stdout.lines if "::TC-04" in line]
    assert ids == [f"packs/toolcall-15.yaml::TC-04[r{r}]" for r in range(3)]
    result, doc = run_json(pytester, f"--model-endpoint={sim.url}", "--modelqa-repeat", "3", *QUICK)
    jsonschema.validate(doc, results_schema)
    assert doc["repeat"] == 3 and sorted({s["repeat"] for s in doc["scenarios"]}) == [0, 1, 2]
    stats = {p["pack"]: p["repeats"] for p in doc["packs"]}
    assert all(s and s["trials"] == 3 * s["scenarios"] for s in stats.values())
    assert any(s["flaky"] for s in stats.values()), "seeded per repeat, some scenarios must differ between repeats"
    out = result.stdout.str()
    assert "| Pack (n=3) | Mean ± std | Wilson 95% | pass@3 | pass^3 | Stable pass / flaky / stable fail |" in out
    assert ", n=3," in out  # the Quality line says how many repeats


def test_the_gate_fails_on_a_regression_and_passes_an_equal_run(pytester: pytest.Pytester, simulator) -> None:
    good, bad = simulator("--success-rate", "1.0"), simulator("--success-rate", "0.6", "--seed", "4")
    base = pytester.path / "base.json"
    captured, _ = run_json(pytester, f"--model-endpoint={good.url}", "--modelqa-repeat", "3", *QUICK,
                           f"--baseline-capture={base}")
    assert captured.ret == 0 and f"Baseline captured: {base} (n=3)" in captured.stdout.str()
    doc = json.loads(base.read_text())
    jsonschema.validate(doc, BASELINE_SCHEMA)
    assert doc["repeat"] == 3 and doc["packs"]["ToolCall-15"]["passes"] == 45

    worse, _ = run_json(pytester, f"--model-endpoint={bad.url}", "--modelqa-repeat", "3", *QUICK, f"--baseline-diff={base}")
    assert worse.ret == pytest.ExitCode.TESTS_FAILED
    out = worse.stdout.str()
    assert "| Pack | Baseline | Now | Δ pp | z | Verdict |" in out
    assert "| ToolCall-15 | 100.0% |" in out and "REGRESSION |" in out
    assert "Baseline gate: FAILED: regression beyond 10 pp and beyond repeat noise" in out

    same, _ = run_json(pytester, f"--model-endpoint={good.url}", "--modelqa-repeat", "3", *QUICK, f"--baseline-diff={base}")
    assert same.ret == 0 and "Baseline gate: passed (3 packs compared, no regression)" in same.stdout.str()


def test_scenario_failures_the_baseline_explains_do_not_fail_the_gate(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator("--success-rate", "0.6", "--seed", "4")
    base = pytester.path / "base.json"
    first, _ = run_json(pytester, f"--model-endpoint={sim.url}", "--modelqa-repeat", "3", *QUICK, f"--baseline-capture={base}")
    assert first.ret == pytest.ExitCode.TESTS_FAILED  # plain run: failed scenarios fail the session
    again, _ = run_json(pytester, f"--model-endpoint={sim.url}", "--modelqa-repeat", "3", *QUICK, f"--baseline-diff={base}")
    assert again.parseoutcomes()["failed"] > 0
    assert again.ret == 0, again.stdout.str()[-2000:]
    assert "Exit status: 0, decided by the baseline gate" in again.stdout.str()


def test_default_baseline_names_and_refusals(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator()
    # Default baselines live under the rootdir (the repository): here, the test's directory.
    args = (f"--model-endpoint={sim.url}", "--rootdir", str(pytester.path), "--modelqa-repeat", "3", "-m", "selftest_4")
    ok, _ = run_json(pytester, *args, "--baseline-capture")
    path = pytester.path / "baselines" / "modelqa-simulator" / "pack-defaults.json"
    assert ok.ret == 0 and path.exists()
    again, _ = run_json(pytester, *args, "--baseline-diff")
    assert again.ret == 0 and f"Baseline diff vs {path}" in again.stdout.str()
    forced, _ = run_json(pytester, *args, "--modelqa-no-thinking", "--baseline-diff")
    assert forced.ret == pytest.ExitCode.USAGE_ERROR  # thinking-off.json was never captured
    assert "thinking-off.json: no such baseline" in forced.stderr.str()

    before = sim.stats()["by_scenario"]
    for args in (["--baseline-capture", "x.json"],  # one run has no repeat noise
                 ["--modelqa-repeat", "3", "--modelqa-temperature", "0.7", "--baseline-capture"],  # non-canonical needs a PATH
                 ["--baseline-diff", "missing.json"]):
        refused, _ = run_json(pytester, f"--model-endpoint={sim.url}", "-m", "selftest_4", *args)
        assert refused.ret == pytest.ExitCode.USAGE_ERROR, args
    assert sim.stats()["by_scenario"] == before  # refused before any scenario ran
    control, _ = run_json(pytester, "--modelqa-control=oracle", "--modelqa-repeat", "3", "--baseline-capture", "y.json")
    assert control.ret == pytest.ExitCode.USAGE_ERROR


def test_a_different_sampling_cannot_silently_gate(pytester: pytest.Pytester, simulator) -> None:
    sim = simulator()
    base = pytester.path / "base.json"
    run_json(pytester, f"--model-endpoint={sim.url}", "--modelqa-repeat", "3", "-m", "selftest_4", f"--baseline-capture={base}")
    other, _ = run_json(pytester, f"--model-endpoint={sim.url}", "--modelqa-repeat", "3", "-m", "selftest_4",
                        "--modelqa-sampling-from-server", f"--baseline-diff={base}")
    out = other.stdout.str()
    assert other.ret == pytest.ExitCode.TESTS_FAILED
    assert "sampling: baseline greedy, now server sampling" in out and "nothing was comparable" in out


def test_a_partial_run_cannot_pass_the_gate_unless_asked_and_labelled(pytester: pytest.Pytester, simulator) -> None:
    good, bad = simulator("--success-rate", "1.0"), simulator("--success-rate", "0.0")
    base = pytester.path / "base.json"
    run_json(pytester, f"--model-endpoint={good.url}", "--modelqa-repeat", "3", *QUICK, f"--baseline-capture={base}")
    # TC-02 still passes (as it did for the regressed model in the bug report): a subset proves nothing else.
    partial, _ = run_json(pytester, f"--model-endpoint={good.url}", *QUICK, "-k", "TC-02", f"--baseline-diff={base}")
    out = partial.stdout.str()
    assert partial.ret == pytest.ExitCode.TESTS_FAILED
    assert "Baseline gate: FAILED: this run does not cover the baseline (" in out and "InstructFollow-15 not run" in out
    subset, _ = run_json(pytester, f"--model-endpoint={good.url}", *QUICK, "-k", "TC-02", f"--baseline-diff={base}",
                         "--modelqa-gate-subset")
    assert subset.ret == 0 and "Baseline gate: passed on a SUBSET (" in subset.stdout.str()
    nan, _ = run_json(pytester, f"--model-endpoint={bad.url}", *QUICK, f"--baseline-diff={base}",
                      "--modelqa-max-drop-pp", "nan")
    assert nan.ret == pytest.ExitCode.USAGE_ERROR and "between 0 and 100 points, not nan" in nan.stderr.str()
