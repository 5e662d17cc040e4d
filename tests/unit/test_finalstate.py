"""The sandboxed kinds' verdicts over gathered evidence (no sandbox needed: the evidence is
what a sandbox would show): fix_tests, shell_state and agent_state."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.episode import Episode
from pytest_modelqa.messages import Reply
from pytest_modelqa.names import shipped_packs_dir
from pytest_modelqa.verifiers import REGISTRY, check_params, verify

BF = {s.id: s for s in load_checked(shipped_packs_dir() / "bugfind-15.yaml").scenarios}
HA = {s.id: s for s in load_checked(shipped_packs_dir() / "hermesagent-20.yaml").scenarios}
CLI = {s.id: s for s in load_checked(shipped_packs_dir() / "cli-40.yaml").scenarios}


def episode(answer: str, **evidence) -> Episode:
    return Episode((Reply(answer),), (), False, evidence)


# -- fix_tests ------------------------------------------------------------------------------------
ALL_PASS = {"test_partial_last_page": "passed", "test_page_three_of_45": "passed", "test_exact_fit": "passed",
            "test_empty": "passed", "test_first_page": "passed", "test_bad_per_page": "passed"}


@pytest.mark.parametrize("evidence, mode, says", [
    ({"verdict": "bug", "form": "diff", "problem": "", "changed": True, "tests": ALL_PASS}, None, ""),
    ({"verdict": "bug", "form": "diff", "problem": "", "changed": True,
      "tests": {**ALL_PASS, "test_exact_fit": "failed"}}, "verifier_fail", "regression test test_exact_fit: failed"),
    ({"verdict": "bug", "form": "diff", "problem": "", "changed": True,
      "tests": {**ALL_PASS, "test_page_three_of_45": "error"}}, "verifier_fail", "the bug's test test_page_three_of_45"),
    ({"verdict": "bug", "form": "diff", "problem": "", "changed": True,
      "tests": {k: v for k, v in ALL_PASS.items() if k != "test_empty"}}, "verifier_fail", "test_empty: not run"),
    ({"verdict": "bug", "form": "diff", "problem": "the diff does not apply: hunk 1", "changed": False},
     "invalid_patch", "does not apply"),
    ({"verdict": "no_bug", "form": "none", "problem": ""}, "wrong_answer", "no bug"),
    ({"verdict": "unstated", "form": "diff", "problem": "contradictory verdicts"}, "no_answer_found", "contradictory"),
    ({"verdict": "bug", "form": "none", "problem": ""}, "wrong_answer", "no fix"),
    ({"verdict": "bug", "form": "file", "problem": "", "changed": False}, "wrong_answer", "changes nothing"),
    ({"verdict": "bug", "form": "file", "problem": "", "changed": True, "tests": {}, "output": "SyntaxError: x",
      "limit": None}, "verifier_fail", "did not run: SyntaxError"),
])
def test_fix_tests_verdicts_on_a_bug(evidence, mode, says):
    v = verify(BF["BF-01"], episode("(answer)", **evidence))
    assert v.failure_mode == mode and says in v.detail and v.passed == (mode is None)


@pytest.mark.parametrize("evidence, passed, says", [
    ({"verdict": "no_bug", "form": "none", "problem": ""}, True, ""),
    ({"verdict": "no_bug", "form": "diff", "problem": "", "changed": False}, True, ""),
    ({"verdict": "no_bug", "form": "diff", "problem": "", "changed": True,
      "tests": {"test_sums_to_total": "passed", "test_whole_cents": "passed", "test_even": "passed",
                "test_no_people": "passed"}}, True, ""),
    ({"verdict": "no_bug", "form": "file", "problem": "", "changed": True,
      "tests": {"test_sums_to_total": "failed", "test_whole_cents": "passed", "test_even": "passed",
                "test_no_people": "passed"}}, False, "claimed no bug, but the change breaks tests"),
    ({"verdict": "bug", "form": "none", "problem": ""}, False, "reported a bug in code that is correct"),
])
def test_fix_tests_verdicts_on_a_trap(evidence, passed, says):
    v = verify(BF["BF-02"], episode("(answer)", **evidence))
    assert v.passed == passed and says in v.detail


def test_fix_tests_parameters_are_checked_at_load():
    sc = BF["BF-01"]
    bad = dict(sc.verifier, bug_tests=["test_nowhere"])
    assert "not defined" in check_params(replace(sc, verifier=bad))
    only_bug = dict(sc.verifier, tests="def test_partial_last_page():\n    pass\n", bug_tests=["test_partial_last_page"])
    assert "regression tests" in check_params(replace(sc, verifier=only_bug))
    assert "not in the scenario's workspace" in check_params(replace(sc, verifier=dict(sc.verifier, file="x.py")))


def test_sandbox_kinds_need_a_sandbox_pack():
    sc = BF["BF-01"]
    assert "must name its sandbox image" in check_params(replace(sc, pack=replace(sc.pack, sandbox=None)))
    assert all(("sandbox" in k.needs) == (k.gather is not None) for k in REGISTRY.values())


# -- shell_state ----------------------------------------------------------------------------------
def checks(*exits):
    labels = [c["label"] for c in CLI["CLI-01"].verifier["checks"]]
    return [{"label": lab, "exit": e, "output": "" if e == 0 else "cat: x: No such file"} for lab, e in zip(labels, exits)]


@pytest.mark.parametrize("answer, exits, passed, says", [
    ("Done.\nANSWER: 3", (0, 0, 0), True, ""),
    ("Done.\nANSWER: 2", (0, 0, 0), False, "final answer"),
    ("Done.\nANSWER: 3", (0, 1, 0), False, "check failed: the three photos are renamed"),
    ("Done.\nANSWER: 3", (0, 0, None), False, "check not run"),
    ("Done.", (0, 0, 0), False, "final answer"),
])
def test_shell_state_needs_every_check_and_the_answer(answer, exits, passed, says):
    v = verify(CLI["CLI-01"], episode(answer, checks=checks(*exits)))
    assert v.passed == passed and says in v.detail
    if not passed and says == "final answer":
        assert v.failure_mode == "wrong_answer" or "no_answer" in (v.failure_mode or "")


def test_shell_state_without_evidence_fails():
    assert "no checks were run" in verify(CLI["CLI-01"], episode("ANSWER: 3")).detail


# -- agent_state ----------------------------------------------------------------------------------
def state(**over):
    base = {"memory": dict(HA["HA-01"].state["memory"]), "files": {}, "artifacts": {}, "visited": [], "calls": {},
            "jobs": [{"id": "job-1", "name": "dentist", "when": "2026-03-10T08:30",
                      "task": "Dentist, Dr. Okafor", "status": "active"}]}
    return {**base, **over}


ANSWER = "Booked for Tuesday 10 March at 08:30."


@pytest.mark.parametrize("st, answer, passed, says", [
    (state(), ANSWER, True, ""),
    (state(), "Booked for Tuesday at 08:30.", False, "does not say"),
    (state(memory={"dentist": "gone"}), ANSWER, False, "memory['dentist'] is 'gone'"),
    (state(memory={**HA["HA-01"].state["memory"], "note": "x"}), ANSWER, False, "memory['note'] was not expected"),
    (state(jobs=[]), ANSWER, False, "no job like"),
    (state(jobs=[{"id": "job-1", "name": "dentist", "when": "2026-03-10T08:30", "task": "Dentist, Okafor",
                  "status": "cancelled"}]), ANSWER, False, "is cancelled, expected active"),
    (state(jobs=[{"id": "job-2", "name": "gym", "when": "0 18 * * 2", "task": "gym", "status": "active"},
                 {"id": "job-1", "name": "dentist", "when": "2026-03-10T08:30", "task": "Linden Street",
                  "status": "active"}]), ANSWER, False, "2 jobs where 1 were expected"),
])
def test_agent_state_compares_each_section_whole(st, answer, passed, says):
    v = verify(HA["HA-01"], episode(answer, state=st))
    assert v.passed == passed and says in v.detail, v.detail


def test_a_text_mismatch_names_what_is_missing():
    jobs = [{"id": "job-1", "name": "dentist", "when": "2026-03-10T08:30", "task": "Dentist", "status": "active"}]
    v = verify(HA["HA-01"], episode(ANSWER, state=state(jobs=jobs)))
    assert "job job-1 task lacks 'Linden Street' or 'Okafor'" in v.detail


def test_forbidden_phrases_fail_the_answer():
    sc = HA["HA-01"]
    spec = dict(sc.verifier, forbids=["09:30"])
    assert verify(replace(sc, verifier=spec), episode(ANSWER, state=state())).passed
    v = verify(replace(sc, verifier=spec), episode(ANSWER + " (or 09:30 if busy)", state=state()))
    assert not v.passed and "says '09:30', which it must not" in v.detail


def test_agent_state_jobs_match_in_any_order_and_extra_allows_additions():
    sc = HA["HA-01"]
    two = dict(sc.verifier, expect={**sc.verifier["expect"], "extra": ["jobs"]})
    jobs = [{"id": "job-2", "name": "gym", "when": "0 18 * * 2", "task": "gym", "status": "active"},
            {"id": "job-1", "name": "dentist", "when": "2026-03-10T08:30", "task": "Linden Street", "status": "active"}]
    assert verify(replace(sc, verifier=two), episode(ANSWER, state=state(jobs=jobs))).passed


def test_agent_state_visited_pages():
    sc = HA["HA-01"]
    spec = dict(sc.verifier, expect={**sc.verifier["expect"],
                                     "visited": {"includes": ["http://intranet/a"], "excludes": ["http://intranet/evil"]}})
    ok = verify(replace(sc, verifier=spec), episode(ANSWER, state=state(visited=["http://intranet/a"])))
    bad = verify(replace(sc, verifier=spec), episode(ANSWER, state=state(visited=["http://intranet/evil"])))
    assert ok.passed and not bad.passed
    assert "http://intranet/a was not opened" in bad.detail and "http://intranet/evil was opened" in bad.detail
