"""The eval state journal: atomic start, append per scenario, torn tails, refusal on config change."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pytest_modelqa.results import ScenarioResult
from pytest_modelqa.state import Journal, StateError, check_resumable, header, load, reusable

SCHEMA = json.loads((Path(__file__).parents[2] / "pytest_modelqa" / "schemas" / "state.schema.json").read_text())


def result(sid: str, outcome: str = "passed", version: str = "1.0.0") -> ScenarioResult:
    return ScenarioResult(
        pack="P", pack_version=version, scenario=sid, nodeid=f"packs/p.yaml::{sid}", outcome=outcome,
        passed=outcome == "passed", score=1.0 if outcome == "passed" else 0.0, failure_mode=None, detail="",
        expected="", trace=[], messages=[{"role": "user", "content": "hi"}], response="ok", reasoning="",
        tool_calls=[], turns=1, latency_s=0.1, prompt_tokens=1, completion_tokens=1, retries=0, finish_reason="stop",
        thinking=False, thought=False)


HEAD = header("run1", "0123456789ab", "2026-11-22T10:00:00+00:00", {"label": "greedy"},
              {"model": "m", "seed": 1234, "thinking": None})


def test_journal_round_trip_and_every_line_matches_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "s" / "state.jsonl"
    j = Journal(path, HEAD, [result("A")])
    j.planned(["packs/p.yaml::A", "packs/p.yaml::B", "packs/p.yaml::C"])
    j.finished(result("B", "failed"))
    j.close()
    for line in path.read_text().splitlines():
        jsonschema.validate(json.loads(line), SCHEMA)
    saved = load(path)
    assert saved.run_id == "run1" and list(saved.finished) == ["packs/p.yaml::A", "packs/p.yaml::B"]
    assert saved.planned[-1] == "packs/p.yaml::C" and saved.finished["packs/p.yaml::B"] == result("B", "failed")


def test_a_torn_last_line_is_ignored_but_damage_elsewhere_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    Journal(path, HEAD, [result("A"), result("B")]).close()
    text = path.read_text()
    path.write_text(text + '{"event": "finished", "result": {"nod')
    assert list(load(path).finished) == ["packs/p.yaml::A", "packs/p.yaml::B"]
    lines = text.splitlines()
    path.write_text("\n".join([lines[0], "garbage", *lines[1:]]) + "\n")
    with pytest.raises(StateError, match=r"state.jsonl:2: not a JSON record"):
        load(path)
    path.write_text('{"hello": 1}\n')
    with pytest.raises(StateError, match="not a pytest-modelqa eval state"):
        load(path)
    with pytest.raises(StateError, match="cannot read eval state"):
        load(tmp_path / "missing.jsonl")


def test_starting_a_journal_replaces_the_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    Journal(path, HEAD, [result("A"), result("B"), result("C")]).close()
    saved = load(path)
    Journal(path, HEAD, [saved.finished["packs/p.yaml::A"]]).close()  # resume into the same file
    assert list(load(path).finished) == ["packs/p.yaml::A"]
    assert [p.name for p in tmp_path.iterdir()] == ["state.jsonl"]  # no temporary file left behind


def test_resume_refuses_another_config_and_names_the_difference(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    Journal(path, HEAD, []).close()
    saved = load(path)
    check_resumable(saved, "0123456789ab", {"model": "m", "seed": 1234, "thinking": None})
    with pytest.raises(StateError, match=r"config hash 0123456789ab, this run has ffffffffffff \(seed: state 1234, "
                                         r"now 7\)"):
        check_resumable(saved, "ffffffffffff", {"model": "m", "seed": 7, "thinking": None, "concurrency": 9})


def test_only_finished_non_error_results_of_unchanged_packs_are_reused(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    Journal(path, HEAD, [result("A"), result("B", "error"), result("C", "failed"), result("D", version="0.9.0")]).close()
    assert sorted(reusable(load(path), {"P": "1.0.0"})) == ["packs/p.yaml::A", "packs/p.yaml::C"]
