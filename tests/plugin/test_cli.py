"""The `modelqa` CLI on real results files written by simulator runs."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from pytest_modelqa import cli
from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.names import shipped_packs_dir
from pytest_modelqa.packs import discover
from tests.conftest import run_json

GOLD = {(p.meta.id, s.id): s for p in map(load_checked, discover([shipped_packs_dir()])) for s in p.scenarios}


@pytest.fixture
def results(pytester: pytest.Pytester, simulator) -> dict:
    """Paths of two real results files: a perfect run and a half-wrong one."""
    good, half = simulator(), simulator("--success-rate", "0.5", "--seed", "3")
    run_json(pytester, f"--model-endpoint={good.url}", "-m", "quick", out="good.json")
    run_json(pytester, f"--model-endpoint={half.url}", "-m", "quick", out="half.json")
    return {"good": pytester.path / "good.json", "half": pytester.path / "half.json"}


def modelqa(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_rescore_reproduces_the_saved_verdicts(results, capsys, results_schema) -> None:
    out_path = results["half"].with_name("rescored.json")
    code, out, _ = modelqa(capsys, "rescore", results["half"], "--output", out_path)
    assert code == 0 and "no verdict changed" in out
    before, after = json.loads(results["half"].read_text()), json.loads(out_path.read_text())
    jsonschema.validate(after, results_schema)
    assert after["packs"] == before["packs"] and after["quality"] == before["quality"]
    assert [s["passed"] for s in after["scenarios"]] == [s["passed"] for s in before["scenarios"]]


def test_rescore_in_place_scores_an_edited_response_again(results, capsys, results_schema) -> None:
    doc = json.loads(results["half"].read_text())
    # A wrong single-turn answer, replaced by the gold: rescoring must now pass it.
    target = next(s for s in doc["scenarios"] if not s["passed"] and s["turns"] == 1 and not s["tool_calls"])
    gold = GOLD[(target["pack"], target["scenario"])].gold[-1].content
    target["messages"][-1]["content"] = target["response"] = gold
    results["half"].write_text(json.dumps(doc))
    code, out, _ = modelqa(capsys, "rescore", results["half"], "--in-place")
    assert code == 0 and f"{target['pack']} {target['scenario']}: failed (" in out and "-> passed" in out
    after = json.loads(results["half"].read_text())
    jsonschema.validate(after, results_schema)
    row = next(p for p in after["packs"] if p["pack"] == target["pack"])
    old = next(p for p in doc["packs"] if p["pack"] == target["pack"])
    assert row["passed"] == old["passed"] + 1


def test_rescore_refuses_control_runs_and_reports_unrescorable_scenarios(pytester, results, capsys) -> None:
    run_json(pytester, "--modelqa-control=junk", "-m", "quick", out="junk.json")
    code, _, err = modelqa(capsys, "rescore", pytester.path / "junk.json")
    assert code == 2 and "no model responses to rescore" in err
    doc = json.loads(results["half"].read_text())
    doc["scenarios"][0]["pack_version"] = "0.0.1"
    results["half"].write_text(json.dumps(doc))
    code, out, _ = modelqa(capsys, "rescore", results["half"])
    assert "not rescorable: pack version 0.0.1 in the results" in out
    code, _, err = modelqa(capsys, "rescore", pytester.path / "nothing.json")
    assert code == 2 and "cannot read results JSON" in err


def test_inspect_lists_failures_and_shows_one_scenario(results, capsys) -> None:
    code, out, _ = modelqa(capsys, "inspect", results["half"], "--failed")
    doc = json.loads(results["half"].read_text())
    failed = [s for s in doc["scenarios"] if not s["passed"]]
    assert code == 0 and "| Pack | Pass / Total |" in out and doc["quality"] in out
    listed = [line for line in out.splitlines() if line.startswith(("FAIL ", "ERROR", "PASS "))]
    assert len(listed) == len(failed) and all(line.startswith("FAIL") for line in listed)
    one = failed[0]
    code, out, _ = modelqa(capsys, "inspect", results["half"], "--scenario", one["scenario"])
    assert code == 0 and f"== {one['nodeid']}" in out and "trace:" in out and "[user]" in out
    assert one["failure_mode"] in out
    code, _, err = modelqa(capsys, "inspect", results["half"], "--scenario", "NOPE-1")
    assert code == 2 and "no scenario 'NOPE-1'" in err


def test_diff_is_the_gates_comparison(results, capsys) -> None:
    code, out, _ = modelqa(capsys, "diff", results["good"], results["half"])
    assert code == 1 and "REGRESSION" in out and "Baseline gate: FAILED" in out and "stable pass -> stable fail" in out
    code, out, _ = modelqa(capsys, "diff", results["half"], results["good"])
    assert code == 0 and "improvement" in out
    code, out, _ = modelqa(capsys, "diff", results["good"], results["good"], "--max-drop-pp", "5")
    assert code == 0 and "within noise" in out


def test_console_entry_point_runs(results) -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest_modelqa.cli", "inspect", str(results["good"])],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "Quality: " in proc.stdout


def test_input_files_are_validated_not_trusted(results, capsys, tmp_path) -> None:
    doc = json.loads(results["half"].read_text())
    newer = {**doc, "schema_version": "1.9.0", "future": 1,
             "scenarios": [{**s, "new_field": "x"} for s in doc["scenarios"]]}
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    code, out, _ = modelqa(capsys, "inspect", tmp_path / "newer.json")
    assert code == 0 and "| Pack |" in out  # fields a newer 1.x plugin added are ignored
    (tmp_path / "older.json").write_text(json.dumps({**doc, "schema_version": "1.1.0"}))
    code, out, _ = modelqa(capsys, "inspect", tmp_path / "older.json")
    assert code == 0 and "| Pack |" in out  # written before the near-miss control (1.2.0)
    cases = {
        "major.json": {**doc, "schema_version": "2.0.0"},
        "missing.json": {k: v for k, v in doc.items() if k != "packs"},
        "wrongtype.json": {**doc, "scenarios": [{**doc["scenarios"][0], "passed": "yes"}]},
        "noversion.json": {k: v for k, v in doc.items() if k != "schema_version"},
    }
    for name, bad in cases.items():
        (tmp_path / name).write_text(json.dumps(bad))
        for command in ("inspect", "rescore", "diff"):
            extra = [results["half"]] if command == "diff" else []
            code, _, err = modelqa(capsys, command, tmp_path / name, *extra)
            assert code == 2 and "modelqa: " in err and "Traceback" not in err, (name, command, err)


def test_a_baseline_with_more_passes_than_runs_is_refused(results, capsys, tmp_path) -> None:
    from pytest_modelqa.baseline import aggregate
    from pytest_modelqa.results import check_results
    base = aggregate(check_results(json.loads(results["half"].read_text())))
    key = next(iter(base["scenarios"]))
    base["scenarios"][key]["passes"] = base["scenarios"][key]["n"] + 1
    (tmp_path / "b.json").write_text(json.dumps(base))
    code, _, err = modelqa(capsys, "diff", tmp_path / "b.json", results["half"])
    assert code == 2 and "passes of" in err
