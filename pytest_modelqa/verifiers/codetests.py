"""`code_tests` (HumanEval+, LiveCodeBench): the answer's program runs against tests in a
fresh sandbox, never in this process; every test must pass.

The program is read out of the answer by codeblocks.py. Tests are data: for a function, the
arguments and the expected value as Python literals; for a stdin/stdout program, the input
and the expected output. The guest script (sandbox/guest/code_tests.py) runs them in child
processes with a time limit per test measured in the same sandbox: from a reference
solution's own time when the scenario has one, else the nominal limit scaled by a
calibration loop. Results are reported per test set (original/extra, public/hidden), so a
solution that passes a problem's original tests but not the extra ones shows where it broke."""

from __future__ import annotations

import ast
import json
from collections import Counter
from typing import TYPE_CHECKING, Any, Mapping

from . import Verdict, register
from .codeblocks import function_code, parses, script_code

if TYPE_CHECKING:
    from ..episode import Episode
    from ..packs import Scenario
    from ..sandbox.base import Sandbox

RUN_S = 300.0  # the whole run in the sandbox: reference, calibration and every test
FLOOR_S = 1.0  # no test's limit is below this (the reference's own time is microseconds)
MULTIPLIER = 10.0
SPEC, SOLUTION, REFERENCE = ".modelqa/code_spec.json", "work/solution.py", ".modelqa/reference.py"

_TEST = {"type": "object", "required": ["input", "output"], "additionalProperties": False,
         "properties": {"input": {"type": "string"}, "output": {"type": "string"},
                        "set": {"type": "string", "minLength": 1}}}
SCHEMA = {
    "required": ["style", "tests"],
    "additionalProperties": False,
    "properties": {
        "style": {"enum": ["function", "stdio"]},
        "entry_point": {"type": "string", "pattern": r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$",
                        "description": "the function, or Class.method (instantiated, then called)"},
        "tests": {"type": "array", "minItems": 1, "items": _TEST},
        "reference": {"type": "string", "minLength": 1,
                      "description": "a reference solution: times each test, so limits fit this machine"},
        "time_limit_s": {"type": "number", "exclusiveMinimum": 0,
                         "description": "per test on the nominal machine, without a reference"},
        "prelude": {"type": "string", "description": "code before the answer's (the prompt's signature, imports)"},
        "compare": {"enum": ["python", "json"], "description": "json: lists and tuples compare equal"},
    },
}


def check_params(params: Mapping[str, Any], scenario: "Scenario") -> str | None:
    if params["style"] == "function" and "entry_point" not in params:
        return "a function problem names its entry_point"
    if ("reference" in params) == ("time_limit_s" in params):
        return "give a reference solution (limits measured from it) or a time_limit_s, one of the two"
    if "reference" in params and parses(params["reference"]) is None:
        return "the reference solution does not parse"
    if params["style"] == "function":
        for i, t in enumerate(params["tests"]):
            try:
                args = ast.literal_eval(t["input"])
                ast.literal_eval(t["output"])
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return f"tests[{i}]: input and output must be Python literals"
            if not isinstance(args, tuple):
                return f"tests[{i}]: input must be the tuple of arguments"
    return None


def read_code(params: Mapping[str, Any], answer: str):
    prelude = params.get("prelude", "")
    if params["style"] == "stdio":
        return script_code(answer, prelude)
    return function_code(answer, params["entry_point"], prelude)


def gather(params: Mapping[str, Any], scenario: "Scenario", episode: "Episode", sandbox: "Sandbox") -> dict[str, Any]:
    code = read_code(params, episode.final.content)
    evidence: dict[str, Any] = {"form": code.form, "problem": code.problem}
    if code.text is None:
        return evidence
    spec = {"style": params["style"], "entry_point": params.get("entry_point", ""), "tests": params["tests"],
            "solution": SOLUTION, "floor_s": FLOOR_S, "multiplier": MULTIPLIER,
            "time_limit_s": params.get("time_limit_s"), "compare": params.get("compare", "python")}
    files = {SOLUTION: code.text}
    if "reference" in params:
        files[REFERENCE] = params["reference"]
        spec["reference"] = REFERENCE
    files[SPEC] = json.dumps(spec)
    sandbox.write_files(files)
    r = sandbox.exec(["python3", ".modelqa/code_tests.py", SPEC], timeout=RUN_S)
    try:
        evidence["report"] = json.loads(r.stdout)
    except ValueError:
        evidence["report"] = {}
        evidence["output"] = (r.stdout + r.stderr)[-600:]
        if r.limit:
            evidence["limit"] = r.limit
    return evidence


def _summary(tests: list[Mapping[str, Any]]) -> str:
    sets: dict[str, Counter] = {}
    for t in tests:
        sets.setdefault(t["set"], Counter())[t["outcome"] == "passed"] += 1
    return ", ".join(f"{name} {c[True]}/{c[True] + c[False]}" for name, c in sets.items())


@register("code_tests", SCHEMA, check_params, needs=("sandbox",), gather=gather)
def verify_code(params: Mapping[str, Any], scenario: "Scenario", episode: "Episode") -> Verdict:
    ev = episode.evidence
    n = len(params["tests"])
    expected = f"a program that passes all {n} tests"
    trace = [f"code given as: {ev.get('form')}"]
    if ev.get("problem"):
        mode = "no_answer_found" if ev["problem"].startswith("no code") else "wrong_answer"
        return Verdict.fail(mode, ev["problem"], trace + [ev["problem"]], expected=expected)
    report = ev.get("report") or {}
    if report.get("reference_error"):
        why = f"the reference solution failed in the sandbox (a pack error): {report['reference_error']}"
        return Verdict.fail("verifier_fail", why, trace + [why], expected=expected)
    if not report.get("tests") and not report.get("load_error"):
        why = f"the tests did not run ({ev.get('limit') or 'no report'}): {' '.join(str(ev.get('output', '')).split())[-200:]}"
        return Verdict.fail("verifier_fail", why, trace + [why], expected=expected)
    if report.get("load_error"):
        why = f"the program fails on load: {report['load_error']}"
        return Verdict.fail("wrong_answer", why, trace + [why], expected=expected)
    tests = report["tests"]
    limits = [t["limit_s"] for t in tests]
    timing = f"reference {report['reference_s']} s" if report.get("reference_s") is not None \
        else f"machine factor {report.get('factor')}"
    span = f"{min(limits):g}" if min(limits) == max(limits) else f"{min(limits):g}–{max(limits):g}"
    trace.append(f"{_summary(tests)}; limit {span} s per test ({timing})")
    failed = [(i, t) for i, t in enumerate(tests) if t["outcome"] != "passed"]
    if not failed:
        return Verdict.ok(trace)
    shown = [f"{t['set']} test {i + 1} {t['outcome']}: {t.get('detail', '')}".rstrip(": ") for i, t in failed[:3]]
    trace += shown
    score = (n - len(failed)) / n  # a test over its limit is the program's failure: the limit fits this machine
    return Verdict.fail("wrong_answer", f"{len(failed)} of {n} tests failed ({_summary(tests)}): {shown[0]}",
                        trace, score=score, expected=expected)
