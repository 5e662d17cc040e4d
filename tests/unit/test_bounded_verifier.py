"""The verifier's time limit: a check that cannot finish (a regular expression backtracking
in C, which no signal interrupts) is stopped at the limit in a child process, the scenario is
an error rather than a quality failure, and later verifications go on in a fresh child."""

from __future__ import annotations

import dataclasses
import importlib
import os
import textwrap
from pathlib import Path

import jsonschema
import pytest

from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.config import RunConfig
from pytest_modelqa.episode import Episode
from pytest_modelqa.lanes import Outcome
from pytest_modelqa.messages import Reply
from pytest_modelqa.results import ScenarioResult
from pytest_modelqa.verdicts import evaluate
from pytest_modelqa.verifiers.bounded import BoundedVerifier, VerifierTimeout

ROOT = Path(__file__).resolve().parents[2]
SELFTEST = load_checked(ROOT / "tests" / "packs" / "selftest-4.yaml")

# Kinds defined outside the package, as a team's own would be: the child imports them by name.
SLOW_KINDS = textwrap.dedent('''
    import re
    from pytest_modelqa.verifiers import Verdict, register

    @register("test_backtracking", {"properties": {}})
    def backtracking(params, scenario, episode):
        # (a+)+$ on "aaa...a!" backtracks 2**n times: never finishes for n = 40.
        if re.match(r"(a+)+$", episode.final.content):
            return Verdict.ok(["all a"])
        return Verdict.fail("wrong_answer", "not all a")

    @register("test_raises", {"properties": {}})
    def raises(params, scenario, episode):
        raise KeyError("boom")
''')


@pytest.fixture
def kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "modelqa_test_kinds.py").write_text(SLOW_KINDS)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("modelqa_test_kinds")
    checker = BoundedVerifier(limit_s=1.0, inline_chars=16)
    yield checker
    checker.close()


def scenario(kind: str):
    return dataclasses.replace(SELFTEST.scenarios[-1], verifier={"kind": kind})


def episode(text: str) -> Episode:
    return Episode((Reply(content=text),), (), exhausted=False)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_check_that_cannot_finish_is_stopped_and_its_process_killed(kinds: BoundedVerifier) -> None:
    assert kinds(scenario("test_backtracking"), episode("a" * 40)).passed  # long: in the child
    pid = kinds._proc.pid
    with pytest.raises(VerifierTimeout, match=r"did not finish within 1s on 41 characters"):
        kinds(scenario("test_backtracking"), episode("a" * 40 + "!"))
    assert not alive(pid)
    # A fresh child serves the next long reply.
    assert not kinds(scenario("test_backtracking"), episode("b" * 40)).passed
    assert kinds._proc.pid != pid


def test_short_replies_are_verified_in_process(kinds: BoundedVerifier) -> None:
    assert kinds(scenario("test_backtracking"), episode("a" * 16)).passed
    assert kinds._proc is None


def test_an_exception_in_the_child_is_raised_with_its_message(kinds: BoundedVerifier) -> None:
    with pytest.raises(RuntimeError, match=r"verifier 'test_raises' failed: KeyError: 'boom'"):
        kinds(scenario("test_raises"), episode("x" * 40))


def test_a_timed_out_verifier_is_an_error_not_a_quality_failure(kinds: BoundedVerifier, results_schema: dict) -> None:
    sc = scenario("test_backtracking")
    out = evaluate(RunConfig(), sc, "packs/x.yaml::ST-04", Outcome(episodes=(("model", episode("a" * 40 + "!")),)),
                   verifier=kinds)
    assert (out.outcome, out.passed, out.failure_mode) == ("error", False, "verifier_timeout")
    assert "not scored" in out.detail
    row = ScenarioResult.from_json(out.to_json())
    jsonschema.validate(row.to_json(), results_schema["properties"]["scenarios"]["items"])
