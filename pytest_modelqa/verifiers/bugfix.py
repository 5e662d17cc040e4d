"""`fix_tests` (BugFind packs): the proposed fix is executed against hidden tests in a fresh
sandbox, never judged by reading it.

The answer states a verdict (`VERDICT: BUG` / `VERDICT: NO BUG`) and, for a bug, the fix as a
unified diff or the whole file (patching.py reads both; a diff that does not apply is
`invalid_patch`). The fixed file and the hidden tests are written into the sandbox and pytest
runs there; a plugin of ours records each test's outcome to a file, so nothing the code under
test prints can pose as a result.

- A bug scenario (`bug_tests` lists the tests the bug fails) passes when those tests pass
  and every other (regression) test still does: a fix for the shown example that breaks an
  edge case fails on the test that holds the edge case.
- A trap (`bug_tests: []`: the code is right, the report a misunderstanding) passes on "no
  bug" with no change, or with a change that leaves every test green; reporting a bug fails."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Mapping

from . import Verdict, register
from .patching import changed, read_fix

if TYPE_CHECKING:
    from ..episode import Episode
    from ..packs import Scenario
    from ..sandbox.base import Sandbox

TESTS_S = 60.0
HIDDEN = "test_hidden.py"
_TEST_DEF = re.compile(r"^def (test_\w+)", re.MULTILINE)

SCHEMA = {
    "required": ["file", "tests", "bug_tests"],
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string", "minLength": 1, "description": "the workspace file the fix edits"},
        "tests": {"type": "string", "minLength": 1, "description": "the hidden pytest file"},
        "bug_tests": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                      "description": "tests the bug makes fail ([]: a trap, the code is right)"},
    },
}


def test_names(params: Mapping[str, Any]) -> list[str]:
    return _TEST_DEF.findall(params["tests"])


def check_params(params: Mapping[str, Any], scenario: "Scenario") -> str | None:
    if params["file"] not in scenario.workspace:
        return f"file {params['file']!r} is not in the scenario's workspace"
    names = test_names(params)
    unknown = [t for t in params["bug_tests"] if t not in names]
    if unknown:
        return f"bug_tests not defined in tests: {', '.join(unknown)}"
    if len(names) <= len(params["bug_tests"]):
        return "tests need regression tests beside the bug's (an edge-case-breaking fix must fail one)"
    return None


def gather(params: Mapping[str, Any], scenario: "Scenario", episode: "Episode", sandbox: "Sandbox") -> dict[str, Any]:
    original = scenario.workspace[params["file"]]
    fix = read_fix(episode.final.content, params["file"], original)
    evidence: dict[str, Any] = {"verdict": fix.verdict, "form": fix.form, "problem": fix.problem}
    if fix.text is None or fix.problem:
        return evidence
    evidence["changed"] = changed(original, fix.text)
    sandbox.write_files({f"work/{params['file']}": fix.text, f"work/{HIDDEN}": params["tests"]})
    r = sandbox.exec(["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "modelqa_report", HIDDEN],
                     cwd="work", env={"PYTHONPATH": "../.modelqa", "MODELQA_REPORT": "../.modelqa/report.json"},
                     timeout=TESTS_S)
    try:
        evidence["tests"] = json.loads(sandbox.read_file(".modelqa/report.json", 1 << 20))
    except Exception:  # noqa: BLE001 - no report: the run died before pytest finished
        evidence["tests"] = {}
    evidence["output"] = (r.stdout + r.stderr)[-1500:]
    if r.limit:
        evidence["limit"] = r.limit
    return evidence


def _test_problems(params: Mapping[str, Any], evidence: Mapping[str, Any]) -> list[str]:
    outcomes = evidence.get("tests", {})
    bug = set(params["bug_tests"])
    problems = []
    for name in test_names(params):
        got = outcomes.get(name, "not run")
        if got != "passed":
            role = "the bug's test" if name in bug else "regression test"
            problems.append(f"{role} {name}: {got}")
    return problems


def _not_run(evidence: Mapping[str, Any]) -> str:
    why = evidence.get("limit") and f" (stopped: {evidence['limit']} limit)" or ""
    tail = " ".join(str(evidence.get("output", "")).split())[-200:]
    return f"the hidden tests did not run{why}: {tail}"


@register("fix_tests", SCHEMA, check_params, needs=("sandbox",), gather=gather)
def verify_fix(params: Mapping[str, Any], scenario: "Scenario", episode: "Episode") -> Verdict:
    ev = episode.evidence
    trap = not params["bug_tests"]
    expected = "VERDICT: NO BUG, and no change" if trap else \
        f"VERDICT: BUG and a fix that passes {', '.join(params['bug_tests'])} and every regression test"
    trace = [f"verdict: {ev.get('verdict')}; fix given as: {ev.get('form')}"]
    verdict = ev.get("verdict")
    if verdict == "unstated" or verdict is None:
        why = ev.get("problem") or "no `VERDICT: BUG` or `VERDICT: NO BUG` line"
        return Verdict.fail("no_answer_found", why, trace + [why], expected=expected)
    if trap and verdict == "bug":
        return Verdict.fail("wrong_answer", "reported a bug in code that is correct", trace, expected=expected)
    if not trap and verdict == "no_bug":
        return Verdict.fail("wrong_answer", "said there is no bug, but the code has one", trace, expected=expected)
    if ev.get("problem"):
        return Verdict.fail("invalid_patch", ev["problem"], trace + [ev["problem"]], expected=expected)
    if ev.get("form") == "none":
        if trap:
            return Verdict.ok(trace + ["no bug claimed, nothing changed"])
        return Verdict.fail("wrong_answer", "no fix was given (no code block)", trace, expected=expected)
    if not ev.get("changed"):
        if trap:
            return Verdict.ok(trace + ["the code block changes nothing"])
        return Verdict.fail("wrong_answer", "the fix changes nothing", trace, expected=expected)
    if not ev.get("tests"):
        why = _not_run(ev)
        return Verdict.fail("verifier_fail", why, trace + [why], expected=expected)
    problems = _test_problems(params, ev)
    if problems:
        lead = "claimed no bug, but the change breaks tests: " if trap else ""
        return Verdict.fail("verifier_fail", lead + "; ".join(problems[:4]), trace + problems, expected=expected)
    return Verdict.ok(trace + [f"all {len(test_names(params))} hidden tests passed"])
