"""Baseline aggregation, the comparison verdicts, and loading errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pytest_modelqa import baseline
from pytest_modelqa.baseline import BaselineError, aggregate, compare, default_path, load, slug

SCHEMA = json.loads(baseline.SCHEMA_PATH.read_text())


def results_doc(outcomes: dict[str, list[bool]], *, pack: str = "P", version: str = "1.0.0", thinking: bool = False,
                label: str = "greedy", canonical: bool = True, model: str = "m.gguf") -> dict:
    """A minimal results document: scenario id -> pass/fail per repeat."""
    scenarios = [{"pack": pack, "pack_version": version, "scenario": sid, "repeat": r,
                  "outcome": "passed" if ok else "failed", "passed": ok}
                 for sid, runs in outcomes.items() for r, ok in enumerate(runs)]
    return {
        "run_id": "r1", "created": "2026-11-22T10:00:00+00:00", "config_hash": "0123456789ab", "mode": "quick",
        "control": None, "endpoints": [{"model": model, "build": "b1", "model_path": None, "template_sha256": "t"}],
        "sampling": {"label": label, "canonical": canonical, "fields": {}},
        "thinking": {"override": None, "max_tokens": 1024, "reasoning_effort": None},
        "packs": [{"pack": pack, "version": version, "thinking": thinking, "total_in_pack": len(outcomes)}],
        "scenarios": scenarios,
    }


def all_pass(n: int = 10, k: int = 3) -> dict[str, list[bool]]:
    return {f"S{i}": [True] * k for i in range(n)}


def test_aggregate_is_schema_valid_and_counts_repeats() -> None:
    agg = aggregate(results_doc({"A": [True, True, False], "B": [False] * 3}))
    jsonschema.validate(agg, SCHEMA)
    assert agg["repeat"] == 3 and agg["scenarios"]["P::A"] == {"passes": 2, "n": 3, "stability": "flaky"}
    p = agg["packs"]["P"]
    assert (p["passes"], p["trials"], p["stable_fail"], p["flaky"]) == (2, 6, 1, 1)


def test_a_big_stable_drop_is_a_regression_and_lists_the_flips() -> None:
    before = aggregate(results_doc(all_pass()))
    now = all_pass()
    now["S1"] = now["S2"] = [False] * 3
    cmp = compare(before, aggregate(results_doc(now)))
    (row,) = cmp.packs
    assert row.verdict == "regression" and row.delta_pp == pytest.approx(-20)
    assert cmp.failed and "FAILED" in cmp.verdict_line()
    assert cmp.flips == ("P::S1: stable pass -> stable fail (3/3 -> 0/3)",
                         "P::S2: stable pass -> stable fail (3/3 -> 0/3)")


def test_a_drop_under_the_threshold_is_within_noise() -> None:
    now = all_pass()
    now["S1"] = [False] * 3
    cmp = compare(aggregate(results_doc(all_pass())), aggregate(results_doc(now)))
    assert cmp.packs[0].verdict == "within noise" and not cmp.failed and len(cmp.flips) == 1


def test_a_drop_the_repeat_variance_explains_is_within_noise() -> None:
    # Both runs flaky on every scenario: a 13 pp drop over 5 scenarios is noise at n=3.
    before = {f"S{i}": [True, True, False] for i in range(5)}
    now = {f"S{i}": [True, False, False] for i in range(5)}
    now["S0"] = [True, True, False]
    cmp = compare(aggregate(results_doc(before)), aggregate(results_doc(now)))
    row = cmp.packs[0]
    assert row.delta_pp < -10 and row.z > -1.645 and row.verdict == "within noise"
    assert not cmp.failed and not cmp.flaky and not cmp.flips  # flaky stayed flaky


def test_improvements_and_thresholds() -> None:
    before = all_pass()
    before["S1"] = before["S2"] = [False] * 3
    cmp = compare(aggregate(results_doc(before)), aggregate(results_doc(all_pass())))
    assert cmp.packs[0].verdict == "improvement" and not cmp.failed
    now = all_pass()
    now["S1"] = now["S2"] = [False] * 3
    assert compare(aggregate(results_doc(all_pass())), aggregate(results_doc(now)), max_drop_pp=25).packs[0].verdict \
        == "within noise"


def test_pack_version_and_thinking_mismatches_are_not_compared() -> None:
    before = aggregate(results_doc(all_pass()))
    cmp = compare(before, aggregate(results_doc({"S0": [False] * 3}, version="1.1.0")))
    assert cmp.packs[0].verdict == "not compared" and "pack version 1.0.0 -> 1.1.0" in cmp.packs[0].reason
    assert cmp.failed and "nothing was comparable" in cmp.verdict_line()
    cmp = compare(before, aggregate(results_doc(all_pass(), thinking=True)))
    assert cmp.packs[0].verdict == "not compared" and "thinking off -> on" in cmp.mismatches[0]


def test_other_sampling_cannot_gate_silently() -> None:
    before = aggregate(results_doc(all_pass()))
    cmp = compare(before, aggregate(results_doc(all_pass(), label="temperature=0.7,seed=1234", canonical=False)))
    assert cmp.failed and any("sampling: baseline greedy, now temperature=0.7" in m for m in cmp.mismatches)
    both = aggregate(results_doc(all_pass(), label="server sampling", canonical=False))
    cmp = compare(both, both)
    assert not cmp.failed and any("non-canonical" in n for n in cmp.notes)


def test_new_and_missing_packs_and_partial_overlap() -> None:
    before = aggregate(results_doc(all_pass()))
    other = aggregate(results_doc(all_pass(), pack="Q"))
    cmp = compare(before, other)
    assert {(p.pack, p.verdict) for p in cmp.packs} == {("P", "missing"), ("Q", "new")} and cmp.failed
    subset = aggregate(results_doc({"S0": [True] * 3, "S1": [True] * 3}))
    cmp = compare(before, subset)
    held = len(before["scenarios"])
    assert cmp.packs[0].scenarios == 2 and cmp.incomplete == (f"P 2 of {held} scenarios",) and cmp.failed
    assert "does not cover the baseline (P 2 of" in cmp.verdict_line()
    opted = compare(before, subset, allow_subset=True)
    assert not opted.failed and opted.verdict_line().startswith("Baseline gate: passed on a SUBSET (P 2 of")


def test_a_partial_run_of_a_regressed_model_cannot_pass_the_gate() -> None:
    """Against a baseline of two packs, a run of one scenario of one pack proves nothing about the rest."""
    both = {**results_doc(all_pass())}
    both["scenarios"] += results_doc(all_pass(), pack="Q")["scenarios"]
    both["packs"] += results_doc(all_pass(), pack="Q")["packs"]
    before = aggregate(both)
    one = aggregate(results_doc({"S0": [True] * 3}))
    cmp = compare(before, one)
    assert cmp.failed and "Q not run" in cmp.verdict_line() and "P 1 of" in cmp.verdict_line()


def test_render_shows_the_table_and_ends_with_the_verdict() -> None:
    now = all_pass()
    now["S1"] = now["S2"] = [False] * 3
    lines = baseline.render(compare(aggregate(results_doc(all_pass())), aggregate(results_doc(now))), "b.json")
    assert "| P | 100.0% | 80.0% | -20.0 | -∞ | REGRESSION |" in lines
    assert lines[-1].startswith("Baseline gate: FAILED")


def test_load_reports_missing_damaged_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="no such baseline"):
        load(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(BaselineError, match="not readable JSON"):
        load(tmp_path / "bad.json")
    (tmp_path / "wrong.json").write_text(json.dumps({"kind": "modelqa-baseline", "packs": {}}))
    with pytest.raises(BaselineError, match="not a valid baseline"):
        load(tmp_path / "wrong.json")
    # Results files aggregate on the fly (test_cli's diff runs do that with real files), once they
    # validate as results: this minimal stand-in lacks most of a results file.
    (tmp_path / "results.json").write_text(json.dumps(results_doc(all_pass())))
    with pytest.raises(BaselineError, match="not a results file this plugin can read"):
        load(tmp_path / "results.json")


def test_control_runs_are_not_baselines() -> None:
    doc = results_doc(all_pass())
    doc["control"] = "oracle"
    with pytest.raises(BaselineError, match="verifiers, not a model"):
        aggregate(doc)


def test_default_naming() -> None:
    assert slug("/models/Qwen3-8B-Q4_K_M.gguf") == "qwen3-8b-q4_k_m"
    assert slug("meta-llama/Llama 3.1 8B") == "llama-3.1-8b"
    assert slug(None) == "unknown-model"
    root = Path("/repo")
    assert default_path(root, "m.gguf", None) == root / "baselines" / "m" / "pack-defaults.json"
    assert default_path(root, "m.gguf", True).name == "thinking-on.json"
    assert default_path(root, "m.gguf", False).name == "thinking-off.json"
