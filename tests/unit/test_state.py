"""The eval state journal: written from the first finished scenario, appended per scenario, torn
tails, never replaced, refusal on config change."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pytest_modelqa.results import ScenarioResult
from pytest_modelqa.state import (Journal, StateError, check_new_journal, check_resumable, header, load, new_path,
                                  resolve_resume, reusable, state_dir)

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


def written(path: Path, results: list[ScenarioResult], planned: list[str] = ()) -> Path:
    """A journal whose run finished `results` (the file appears with the first of them)."""
    j = Journal(path, HEAD)
    j.planned(planned)
    for r in results:
        j.finished(r)
    j.close()
    return path


def test_journal_round_trip_and_every_line_matches_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "s" / "state.jsonl"
    j = Journal(path, HEAD)
    j.planned(["packs/p.yaml::A", "packs/p.yaml::B", "packs/p.yaml::C"])
    assert not path.exists()  # nothing on disk before a scenario finishes
    j.finished(result("A"))
    j.finished(result("B", "failed"))
    j.close()
    for line in path.read_text().splitlines():
        jsonschema.validate(json.loads(line), SCHEMA)
    saved = load(path)
    assert saved.run_id == "run1" and list(saved.finished) == ["packs/p.yaml::A", "packs/p.yaml::B"]
    assert saved.planned[-1] == "packs/p.yaml::C" and saved.finished["packs/p.yaml::B"] == result("B", "failed")


def test_a_journal_that_finishes_nothing_is_never_written(tmp_path: Path) -> None:
    j = Journal(tmp_path / "state.jsonl", HEAD, latest=tmp_path / "latest.jsonl")
    j.planned(["packs/p.yaml::A"])
    j.close()
    assert list(tmp_path.iterdir()) == []


def test_a_torn_last_line_is_ignored_but_damage_elsewhere_is_an_error(tmp_path: Path) -> None:
    path = written(tmp_path / "state.jsonl", [result("A"), result("B")])
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


def test_resuming_appends_after_a_torn_line_and_loses_nothing(tmp_path: Path) -> None:
    path = written(tmp_path / "state.jsonl", [result("A"), result("B")])
    before = path.read_bytes() + b'{"event": "finished", "result": {"nod'
    path.write_bytes(before)
    j = Journal(path, HEAD, append=True)
    j.planned(["packs/p.yaml::A", "packs/p.yaml::B", "packs/p.yaml::C"])
    j.finished(result("C", "failed"))
    j.close()
    assert path.read_bytes().startswith(before)  # appended, never rewritten
    saved = load(path)
    assert list(saved.finished) == ["packs/p.yaml::A", "packs/p.yaml::B", "packs/p.yaml::C"]
    for line in path.read_text().splitlines():
        if not line.startswith('{"event": "finished", "result": {"nod'):
            jsonschema.validate(json.loads(line), SCHEMA)


def test_a_new_run_may_not_replace_a_journal_with_finished_scenarios(tmp_path: Path) -> None:
    path = written(tmp_path / "state.jsonl", [result("A")])
    with pytest.raises(StateError, match=r"holds 1 finished scenarios of run run1; resume it with --modelqa-resume"):
        check_new_journal(path)
    (tmp_path / "junk.jsonl").write_text("not json\n")
    with pytest.raises(StateError, match="is not an eval state"):
        check_new_journal(tmp_path / "junk.jsonl")
    check_new_journal(tmp_path / "new.jsonl")  # absent: fine


def test_new_journals_get_their_own_file_and_latest_points_at_the_newest(tmp_path: Path) -> None:
    import datetime as dt
    at = dt.datetime(2026, 11, 22, 10, 0, 0, 1, tzinfo=dt.timezone.utc)
    first = new_path(tmp_path, "b" * 32, at)
    second = new_path(tmp_path, "a" * 32, at + dt.timedelta(microseconds=1))  # same second, smaller run id
    assert first != second and first.parent == state_dir(tmp_path)
    assert sorted([second, first]) == [first, second]  # names sort by age
    latest = state_dir(tmp_path) / "latest.jsonl"
    for path in (first, second):
        j = Journal(path, HEAD, latest=latest)
        j.finished(result("A"))
        j.close()
    assert latest.is_symlink() and latest.resolve() == second.resolve()
    assert resolve_resume(Path("latest"), tmp_path) == second.resolve()
    assert load(first).finished and load(second).finished


def test_resume_refuses_another_config_and_names_the_difference(tmp_path: Path) -> None:
    saved = load(written(tmp_path / "state.jsonl", [result("A")]))
    check_resumable(saved, "0123456789ab", {"model": "m", "seed": 1234, "thinking": None})
    with pytest.raises(StateError, match=r"config hash 0123456789ab, this run has ffffffffffff \(seed: state 1234, "
                                         r"now 7\)"):
        check_resumable(saved, "ffffffffffff", {"model": "m", "seed": 7, "thinking": None, "concurrency": 9})


def test_only_finished_non_error_results_of_unchanged_packs_are_reused(tmp_path: Path) -> None:
    path = written(tmp_path / "state.jsonl",
                   [result("A"), result("B", "error"), result("C", "failed"), result("D", version="0.9.0")])
    assert sorted(reusable(load(path), {"P": "1.0.0"})) == ["packs/p.yaml::A", "packs/p.yaml::C"]


def test_two_runs_given_one_path_never_replace_each_other(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    first, second = Journal(path, HEAD), Journal(path, {**HEAD, "run_id": "run2abcdef"})
    first.finished(result("A"))  # both passed the start-up check; the first to finish creates the file
    second.finished(result("B"))
    first.close()
    second.close()
    assert list(load(path).finished) == ["packs/p.yaml::A"]
    assert second.path == tmp_path / "state-run2abcd.jsonl" and list(load(second.path).finished) == ["packs/p.yaml::B"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state-run2abcd.jsonl", "state.jsonl"]  # no temp file


def test_a_header_only_journal_may_be_replaced(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.write_text(json.dumps(HEAD) + "\n")
    j = Journal(path, {**HEAD, "run_id": "run3"})
    j.finished(result("A"))
    j.close()
    assert load(path).run_id == "run3" and j.path == path


def test_resume_checks_what_the_endpoint_served(tmp_path: Path) -> None:
    from pytest_modelqa.probe import EndpointInfo
    from pytest_modelqa.state import check_served, served_identity
    a = served_identity([EndpointInfo(url="u", model="A", build="b1", template_sha256="t" * 64)])
    j = Journal(tmp_path / "s.jsonl", {**HEAD, "served": a})
    j.finished(result("A"))
    j.close()
    saved = load(tmp_path / "s.jsonl")
    check_served(saved, a)
    with pytest.raises(StateError, match=r"written against A \(build b1, template tttttttttttt\), the endpoint now "
                                         r"serves A \(build b2"):
        check_served(saved, served_identity([EndpointInfo(url="u", model="A", build="b2", template_sha256=None)]))
    old = load(written(tmp_path / "old.jsonl", [result("A")]))  # no `served`: an older journal
    with pytest.raises(StateError, match="does not record what its endpoint served"):
        check_served(old, a)


def test_a_damaged_header_or_record_is_a_one_line_state_error(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    head = {k: v for k, v in HEAD.items() if k != "run_id"}
    path.write_text(json.dumps(head) + "\n")
    with pytest.raises(StateError, match="the header lacks run_id"):
        load(path)
    path.write_text(json.dumps(HEAD) + "\n" + json.dumps({"event": "finished", "result": {"nodeid": "x"}}) + "\n" +
                    json.dumps({"event": "planned", "nodeids": []}) + "\n")
    with pytest.raises(StateError, match=r"s.jsonl:2: malformed record \(TypeError"):
        load(path)
