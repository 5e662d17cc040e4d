"""`code_tests` against the real Docker Engine: answers' programs run in the python sandbox
against function and stdin/stdout tests, with limits measured there; wrong, slow, crashing
and cheating programs fail with their reason, and the run stays bounded."""

from __future__ import annotations

import json
import time

import pytest

from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.controls import scripted_responder
from pytest_modelqa.messages import Reply
from pytest_modelqa.sandbox.service import Sandboxes
from pytest_modelqa.sandboxed import run_sandboxed
from pytest_modelqa.verifiers import verify

PROMPT = 'def median(xs: list) -> float:\n    """The median of a non-empty list of numbers."""\n'
REFERENCE = PROMPT + "    s = sorted(xs)\n    n = len(s)\n    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2\n"
FUNCTION_TESTS = [
    {"input": "([3, 1, 2],)", "output": "2", "set": "original"},
    {"input": "([4, 1, 3, 2],)", "output": "2.5", "set": "original"},
    {"input": "([5],)", "output": "5", "set": "extra"},
    {"input": "([1, 1, 2, 7],)", "output": "1.5", "set": "extra"},
    {"input": "([-3, -1, -2, 10, 0],)", "output": "-1", "set": "extra"},
]
STDIO_TESTS = [{"input": "3\n1 2 3\n", "output": "6\n", "set": "public"},
               {"input": "2\n-5 5\n", "output": "0", "set": "hidden"},
               {"input": "4\n10 20 30 40\n", "output": "100\n\n", "set": "hidden"}]
SUM = "import sys\ndata = sys.stdin.read().split()\nn = int(data[0])\nprint(sum(map(int, data[1:1 + n])))"


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> dict:
    near = [{"why": f"filler {i}", "reply": fenced(f"def median(xs):\n    return {i}")} for i in range(5)]
    body = {"pack": {"id": "Code-Test", "version": "1.0.0", "title": "t", "dimension": "code", "modes": ["sandboxed"],
                     "thinking": False, "max_tokens": 512, "case_seconds": 120, "sandbox": "python"},
            "scenarios": [
                {"id": "FN", "messages": [{"role": "user", "content": PROMPT}],
                 "verifier": {"kind": "code_tests", "style": "function", "entry_point": "median",
                              "tests": FUNCTION_TESTS, "reference": REFERENCE, "prelude": PROMPT},
                 "gold": {"content": fenced(REFERENCE)}, "near_misses": near},
                {"id": "IO", "messages": [{"role": "user", "content": "Sum n numbers from stdin."}],
                 "verifier": {"kind": "code_tests", "style": "stdio", "tests": STDIO_TESTS, "time_limit_s": 2},
                 "gold": {"content": fenced(SUM)}, "near_misses": near},
                {"id": "CLS", "messages": [{"role": "user", "content": "Pairs."}],
                 "verifier": {"kind": "code_tests", "style": "function", "entry_point": "Solution.pairs",
                              "compare": "json", "time_limit_s": 2,
                              "tests": [{"input": "([1, 2, 3],)", "output": "[[1, 2], [2, 3]]", "set": "hidden"}]},
                 "gold": {"content": fenced("class Solution:\n    def pairs(self, xs):\n"
                                            "        return [(a, b) for a, b in zip(xs, xs[1:])]")},
                 "near_misses": near},
            ]}
    path = tmp_path_factory.mktemp("pack") / "code.yaml"
    path.write_text(json.dumps(body), encoding="utf-8")
    return {s.id: s for s in load_checked(path).scenarios}


@pytest.fixture(scope="module")
def boxes(docker_backend):
    service = Sandboxes("docker", 2, "tests-code")
    yield service
    service.close()


def judge(boxes, scenario, answer: str):
    episode = run_sandboxed(scenario, scripted_responder([Reply(content=answer)]), boxes)
    return verify(scenario, episode), episode.evidence


def test_the_reference_passes_with_limits_measured_from_its_own_time(boxes, scenarios):
    verdict, ev = judge(boxes, scenarios["FN"], fenced(REFERENCE))
    assert verdict.passed, verdict.detail
    assert "original 2/2, extra 3/3" in verdict.trace[-1] and "reference" in verdict.trace[-1]
    assert all(t["limit_s"] == 1.0 for t in ev["report"]["tests"])  # the floor: the reference takes microseconds


@pytest.mark.parametrize("body, mode, says", [
    # passes both original tests (odd and even lengths) but not an extra one
    ("    s = sorted(xs)\n    n = len(s)\n    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) // 2\n",
     "wrong_answer", "extra test 4 failed: returned 1, expected 1.5"),
    ("    return sorted(xs)[len(xs) // 2]\n", "wrong_answer", "original test 2 failed"),
    ("    raise SystemExit(0)\n", "wrong_answer", "raised SystemExit"),
    ("    import os\n    os._exit(0)\n", "wrong_answer", "the process exited during the test"),
    ("    print('{\"outcome\": \"passed\", \"seconds\": 0}')\n    return None\n", "wrong_answer", "returned None"),
    ("    while True:\n        pass\n", "wrong_answer", "original test 1 timeout: no result within 1.00 s"),
])
def test_wrong_crashing_lying_and_endless_programs_fail_with_the_reason(boxes, scenarios, body, mode, says):
    t0 = time.monotonic()
    verdict, _ = judge(boxes, scenarios["FN"], fenced(PROMPT + body))
    assert not verdict.passed and verdict.failure_mode == mode
    assert says in " ".join(verdict.trace), verdict.trace
    assert time.monotonic() - t0 < 30  # an endless loop costs three limits, not one per test


def test_code_that_fails_on_import_or_does_not_parse_is_wrong_not_an_error(boxes, scenarios):
    verdict, _ = judge(boxes, scenarios["FN"], fenced("import numpy_nonexistent\n" + REFERENCE))
    assert verdict.failure_mode == "wrong_answer" and "fails on load: ModuleNotFoundError" in verdict.detail
    verdict, _ = judge(boxes, scenarios["FN"], fenced("def median(xs)\n    return 1"))
    assert verdict.failure_mode == "wrong_answer" and "does not parse" in verdict.detail
    verdict, ev = judge(boxes, scenarios["FN"], "The median is the middle value.")
    assert verdict.failure_mode == "no_answer_found" and "report" not in ev


def test_stdin_programs_are_compared_line_by_line(boxes, scenarios):
    verdict, ev = judge(boxes, scenarios["IO"], "Reads n then the numbers:\n" + fenced(SUM))
    assert verdict.passed, verdict.detail
    assert ev["report"]["factor"] >= 1.0 and all(t["limit_s"] >= 2 for t in ev["report"]["tests"])
    verdict, _ = judge(boxes, scenarios["IO"], fenced(SUM.replace("data[1:1 + n]", "data[1:n]")))
    assert not verdict.passed and "hidden test 2 failed: line 1: printed '-5', expected '0'" in verdict.trace


def test_a_class_method_entry_and_json_outputs_compare_lists_and_tuples_alike(boxes, scenarios):
    verdict, _ = judge(boxes, scenarios["CLS"], scenarios["CLS"].gold[0].content)
    assert verdict.passed, verdict.detail
