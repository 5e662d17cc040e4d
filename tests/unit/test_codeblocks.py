"""Reading the program out of coding answers as real models write them (codeblocks.py)."""

from __future__ import annotations

import ast

import pytest

from pytest_modelqa.verifiers.codeblocks import function_code, script_code

PROMPT = 'from typing import List\n\n\ndef evens(xs: List[int]) -> List[int]:\n    """The even numbers of xs, in order."""\n'
FUNC = "def evens(xs):\n    return [x for x in xs if x % 2 == 0]"
BODY = "    return [x for x in xs if x % 2 == 0]"


def run(code: str, *args):
    """Execute extracted code built from the test's own literals (not model output)."""
    namespace: dict = {}
    exec(compile(code, "<extracted>", "exec"), namespace)  # noqa: S102 - our own fixed snippets
    return namespace["evens"](*args)


@pytest.mark.parametrize("answer, form", [
    (f"```python\n{FUNC}\n```", "function"),
    (f"Sure! Here you go:\n\n```py\n{FUNC}\n```\n\nIt filters with a comprehension.", "function"),
    (f"~~~python\n{FUNC}\n~~~", "function"),
    (f"```\n{FUNC}\n```", "function"),
    (f"```python\n{FUNC}\n", "function"),  # a fence left open: cut off
    (f"{FUNC}\n\nThis returns the even ones.", "function"),  # no fence, prose after
    (f"I would write:\n{FUNC}\n", "function"),  # no fence, prose before
    (f"```python\nprint(evens([1, 2]))\n```\nThe solution:\n```python\n{FUNC}\n```", "function"),
    (f"```python\n{FUNC}\n\nassert evens([1, 2]) == [2]\nprint(evens([3]))\nif __name__ == '__main__':\n"
     f"    raise SystemExit(1)\n```", "function"),  # demo code at the top level is dropped
    (f"```python\n{BODY}\n```", "body"),
    (f"```python\nreturn [x for x in xs if x % 2 == 0]\n```", "body"),  # the body, not indented
    (f"```python\n{PROMPT}{BODY}\n```", "function"),  # the prompt repeated, then the body
    ("```python\ndef is_even(x):\n    return x % 2 == 0\n```\nThen:\n```python\n"
     "def evens(xs):\n    return [x for x in xs if is_even(x)]\n```", "function"),  # a helper in its own block
    (f"```python\nimport functools\n\n\n@functools.lru_cache(None)\ndef _twice(x):\n    return 2 * x\n\n\n{FUNC}\n```",
     "function"),  # decorators and helpers kept
])
def test_the_right_program_is_read_from_each_shape(answer, form):
    code = function_code(answer, "evens", PROMPT)
    assert code.form == form, code.problem
    assert run(code.text, [1, 2, 3, 4]) == [2, 4]


def test_the_last_definition_wins_when_the_answer_revises_itself():
    answer = (f"First try:\n```python\ndef evens(xs):\n    return xs\n```\nNo, better:\n```python\n{FUNC}\n```")
    assert run(function_code(answer, "evens", PROMPT).text, [1, 2]) == [2]


@pytest.mark.parametrize("answer, problem", [
    ("The even numbers are those divisible by two.", "no code in the answer"),
    ("```python\ndef odds(xs):\n    return xs\n```", "no code defines `evens`"),
    ("```python\ndef evens(xs)\n    return xs\n```", "the code does not parse: line 1"),
    ("```text\ndef evens(xs): return xs\n```", "no code in the answer"),  # a quoted run is not code
])
def test_no_usable_program_is_a_reason_not_a_crash(answer, problem):
    code = function_code(answer, "evens", PROMPT)
    assert code.text is None and code.problem.startswith(problem), code.problem


def test_a_class_method_entry_needs_the_class_and_the_method():
    good = "```python\nclass Solution:\n    def evens(self, xs):\n        return [x for x in xs if x % 2 == 0]\n```"
    code = function_code(good, "Solution.evens", "")
    tree = ast.parse(code.text)
    assert code.form == "function" and [n.name for n in tree.body] == ["Solution"]
    assert function_code(good.replace("def evens", "def odds"), "Solution.evens", "").text is None


def test_stdio_programs_keep_their_top_level_code():
    answer = ("Parse and sum:\n```python\nprint('example')\n```\n```python\nimport sys\n"
              "nums = list(map(int, sys.stdin.read().split()))\nprint(sum(nums))\n```\nDone.")
    code = script_code(answer)
    assert code.form == "script" and "print(sum(nums))" in code.text and "example" not in code.text
    assert script_code("No code, sorry.").problem == "no code in the answer"


def test_unfenced_code_is_trimmed_to_what_parses_within_a_bound():
    answer = FUNC + "\n\nThis is prose (with unbalanced parens.\n" + "more prose\n" * 1000
    assert run(function_code(answer, "evens", PROMPT).text, [2]) == [2]
