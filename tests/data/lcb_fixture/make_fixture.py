"""Writes the LiveCodeBench fixture: test.jsonl, test6.jsonl and solutions.json, in the
code_generation_lite release format (pytest_modelqa/datasets/livecodebench.py says what it is).

Eight problems written for this project (none is LiveCodeBench's): both testtypes, all three
difficulties, six dated inside the release_v6 window (2025-02-01..2025-04-30) and two outside
it. Expected outputs are computed by the plain reference functions below, not by the gold
programs, so tests/unit/test_livecodebench.py checking that each gold passes means something.
Private tests are encoded as the release does: base64(zlib(pickle(json text))).

Run `python tests/data/lcb_fixture/make_fixture.py` to rewrite the files (deterministic)."""

from __future__ import annotations

import base64
import json
import pickle
import runpy
import zlib
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).parent
FIELDS = ("question_title", "question_content", "platform", "question_id", "contest_id", "contest_date",
          "starter_code", "difficulty", "public_test_cases", "private_test_cases", "metadata")


def encode_private(tests: list[dict[str, str]]) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests), protocol=4))).decode("ascii")


def _digits(n: int) -> int:
    return sum(int(c) for c in str(n))


def _lps(s: str) -> int:
    n = len(s)
    best = [[0] * n for _ in range(n)]
    for i in range(n - 1, -1, -1):
        best[i][i] = 1
        for j in range(i + 1, n):
            best[i][j] = best[i + 1][j - 1] + 2 if s[i] == s[j] else max(best[i + 1][j], best[i][j - 1])
    return best[0][n - 1]


def _max_segment(a: list[int]) -> int:
    return max(sum(a[i:j]) for i in range(len(a)) for j in range(i + 1, len(a) + 1))


def _run(a: list[int]) -> int:
    best = 1
    for i in range(len(a)):
        j = i
        while j + 1 < len(a) and a[j + 1] > a[j]:
            j += 1
        best = max(best, j - i + 1)
    return best


def _stdin_cases(inputs: list[str], answer: Callable[[str], str]) -> list[dict[str, str]]:
    return [{"input": i, "output": answer(i), "testtype": "stdin"} for i in inputs]


def _func_cases(args: list[tuple[Any, ...]], answer: Callable[..., Any]) -> list[dict[str, str]]:
    return [{"input": "\n".join(json.dumps(a) for a in arg), "output": json.dumps(answer(*arg)), "testtype": "functional"}
            for arg in args]


def _segments(text: str) -> str:
    tokens = text.split()
    t, pos, out = int(tokens[0]), 1, []
    for _ in range(t):
        n = int(tokens[pos])
        out.append(str(_max_segment([int(x) for x in tokens[pos + 1:pos + 1 + n]])))
        pos += 1 + n
    return "\n".join(out) + "\n"


LONG = "".join("abcdefghij"[(i * 7 + i // 3) % 10] for i in range(120))  # no repeats nearby: recursion explodes

PROBLEMS: list[dict[str, Any]] = [
    {
        "file": "test.jsonl", "question_title": "Vowel Count", "platform": "atcoder", "question_id": "abc901_a",
        "contest_id": "abc901", "contest_date": "2025-02-08T00:00:00", "difficulty": "easy",
        "question_content": (
            "You are given a string S consisting of lowercase English letters.\n"
            "Print how many characters of S are vowels (a, e, i, o, u).\n\n"
            "Input\n\nThe input is given from Standard Input in the following format:\nS\n\n"
            "Output\n\nPrint the answer.\n\nConstraints\n\n- 1 \\leq |S| \\leq 100\n\n"
            "Sample Input 1\n\natcoder\n\nSample Output 1\n\n3\n\nSample Input 2\n\nxyz\n\nSample Output 2\n\n0"),
        "public": _stdin_cases(["atcoder\n", "xyz\n"], lambda i: f"{sum(c in 'aeiou' for c in i.strip())}\n"),
        "private": _stdin_cases(["aeiou\n", "y\n", "banana\n", "queue\n", "a" * 100 + "\n", "zzzzu\n"],
                                lambda i: f"{sum(c in 'aeiou' for c in i.strip())}\n"),
    },
    {
        "file": "test.jsonl", "question_title": "alternating-sum-of-array", "platform": "leetcode",
        "question_id": "9001", "contest_id": "weekly-contest-437", "contest_date": "2025-02-16T18:30:00",
        "difficulty": "easy", "func_name": "alternatingSum",
        "starter_code": "class Solution:\n    def alternatingSum(self, nums: List[int]) -> int:\n        ",
        "question_content": (
            "You are given an integer array nums.\nReturn nums[0] - nums[1] + nums[2] - nums[3] + ..., the sum of "
            "the elements with the signs alternating, starting with a plus.\n\nExample 1:\n\nInput: nums = "
            "[1,3,5,7]\nOutput: -4\n\nExample 2:\n\nInput: nums = [100]\nOutput: 100\n\nConstraints:\n\n"
            "1 <= nums.length <= 100\n-1000 <= nums[i] <= 1000"),
        "public": _func_cases([([1, 3, 5, 7],), ([100],)], lambda a: sum(a[0::2]) - sum(a[1::2])),
        "private": _func_cases([([5, 5],), ([-1, -2, -3],), ([0, 1, 0, 1, 0],), ([10, 1, 1, 1, 1, 1],), ([7, 3, 2],)],
                               lambda a: sum(a[0::2]) - sum(a[1::2])),
    },
    {
        "file": "test.jsonl", "question_title": "Longest Increasing Run", "platform": "atcoder",
        "question_id": "abc905_c", "contest_id": "abc905", "contest_date": "2025-03-15T00:00:00",
        "difficulty": "medium",
        "question_content": (
            "You are given a sequence A = (A_1, ..., A_N) of N positive integers.\nPrint the largest length of a "
            "contiguous segment of A that is strictly increasing.\n\nInput\n\nN\nA_1 A_2 ... A_N\n\nOutput\n\n"
            "Print the answer.\n\nConstraints\n\n- 1 \\leq N \\leq 2 \\times 10^5\n- 1 \\leq A_i \\leq 10^9\n\n"
            "Sample Input 1\n\n5\n1 2 2 3 4\n\nSample Output 1\n\n3\n\nSample Input 2\n\n3\n3 2 1\n\n"
            "Sample Output 2\n\n1"),
        "public": _stdin_cases(["5\n1 2 2 3 4\n", "3\n3 2 1\n"],
                               lambda i: f"{_run([int(x) for x in i.split()[1:]])}\n"),
        "private": _stdin_cases(["1\n42\n", "6\n1 2 3 4 5 6\n", "7\n5 1 2 3 1 2 9\n", "8\n1 3 2 4 6 8 7 9\n",
                                 "4\n10 10 10 10\n", "5\n1 2 3 2 3\n"],
                                lambda i: f"{_run([int(x) for x in i.split()[1:]])}\n"),
    },
    {
        "file": "test.jsonl", "question_title": "count-pairs-with-divisible-sum", "platform": "leetcode",
        "question_id": "9002", "contest_id": "biweekly-contest-151", "contest_date": "2025-03-02T02:30:00",
        "difficulty": "medium", "func_name": "countPairs",
        "starter_code": "class Solution:\n    def countPairs(self, nums: List[int], k: int) -> int:\n        ",
        "question_content": (
            "You are given an integer array nums and an integer k.\nReturn the number of pairs of indices (i, j) "
            "with i < j such that nums[i] + nums[j] is divisible by k.\n\nExample 1:\n\nInput: nums = [1,2,3,4,5], "
            "k = 3\nOutput: 4\n\nExample 2:\n\nInput: nums = [2,2,2], k = 4\nOutput: 3\n\nConstraints:\n\n"
            "1 <= nums.length <= 10^5\n1 <= nums[i] <= 10^9\n1 <= k <= 10^5"),
        "public": _func_cases([([1, 2, 3, 4, 5], 3), ([2, 2, 2], 4)],
                              lambda a, k: sum((a[i] + a[j]) % k == 0 for i in range(len(a)) for j in range(i + 1, len(a)))),
        "private": _func_cases([([1], 1), ([5, 10, 15], 5), ([1, 1, 1, 1], 2), ([3, 6, 9, 12], 3), ([1, 3, 5, 7], 4),
                                ([7], 7), ([4, 4, 4, 4], 8), ([1, 2, 3], 1)],
                               lambda a, k: sum((a[i] + a[j]) % k == 0 for i in range(len(a)) for j in range(i + 1, len(a)))),
    },
    {
        "file": "test6.jsonl", "question_title": "B. Best Segment", "platform": "codeforces", "question_id": "2091B",
        "contest_id": "2091", "contest_date": "2025-04-05T14:35:00", "difficulty": "hard",
        "question_content": (
            "You are given t arrays. For each array a_1, ..., a_n print the largest sum of a non-empty contiguous "
            "segment a_l + ... + a_r (1 <= l <= r <= n).\n\nInput\n\nThe first line contains t (1 <= t <= 10^4). "
            "Each test case is two lines: n (1 <= n <= 2 * 10^5), then n integers a_i (-10^9 <= a_i <= 10^9). "
            "The sum of n over all test cases does not exceed 2 * 10^5.\n\nOutput\n\nFor each test case print "
            "the answer on its own line.\n\nExample\n\nInput\n\n2\n3\n1 -2 3\n2\n-5 -1\n\nOutput\n\n3\n-1"),
        "public": _stdin_cases(["2\n3\n1 -2 3\n2\n-5 -1\n"], _segments),
        "private": _stdin_cases(["1\n1\n-7\n", "1\n5\n2 -1 2 -1 2\n",
                                 "3\n1\n0\n4\n-1 -2 -3 -4\n3\n1000000000 1000000000 1000000000\n",
                                 "1\n6\n-3 4 -1 2 -6 5\n", "2\n2\n5 -10\n3\n-1 4 -1\n"], _segments),
    },
    {
        "file": "test6.jsonl", "question_title": "longest-palindromic-subsequence", "platform": "leetcode",
        "question_id": "9003", "contest_id": "weekly-contest-446", "contest_date": "2025-04-19T18:30:00",
        "difficulty": "hard", "func_name": "longestPalindromeSubseq",
        "starter_code": "class Solution:\n    def longestPalindromeSubseq(self, s: str) -> int:\n        ",
        "question_content": (
            "Given a string s, return the length of its longest palindromic subsequence: the longest string that "
            "reads the same forwards and backwards and can be obtained from s by deleting some characters "
            "(possibly none) without changing the order of the rest.\n\nExample 1:\n\nInput: s = \"bbbab\"\n"
            "Output: 4\n\nExample 2:\n\nInput: s = \"cbbd\"\nOutput: 2\n\nConstraints:\n\n1 <= s.length <= 1000\n"
            "s consists only of lowercase English letters."),
        "public": _func_cases([("bbbab",), ("cbbd",)], _lps),
        "private": _func_cases([("a",), ("abcde",), ("racecar",), ("aabaa",), ("abcabcabc",), ("character",),
                                ("agbdba",), ("abacdcba",), ("abcc",), (LONG,)], _lps),
    },
    {
        "file": "test.jsonl", "question_title": "Digit Sum Total", "platform": "atcoder", "question_id": "abc880_b",
        "contest_id": "abc880", "contest_date": "2025-01-25T00:00:00", "difficulty": "medium",
        "question_content": (
            "You are given a positive integer N.\nPrint the sum of the digits of all integers from 1 to N.\n\n"
            "Input\n\nN\n\nOutput\n\nPrint the answer.\n\nConstraints\n\n- 1 \\leq N \\leq 10^5\n\n"
            "Sample Input 1\n\n12\n\nSample Output 1\n\n51\n\nSample Input 2\n\n5\n\nSample Output 2\n\n15"),
        "public": _stdin_cases(["12\n", "5\n"], lambda i: f"{sum(_digits(k) for k in range(1, int(i) + 1))}\n"),
        "private": _stdin_cases(["1\n", "10\n", "99\n", "100000\n", "1234\n"],
                                lambda i: f"{sum(_digits(k) for k in range(1, int(i) + 1))}\n"),
    },
    {
        "file": "test6.jsonl", "question_title": "count-uppercase-letters", "platform": "leetcode",
        "question_id": "9004", "contest_id": "weekly-contest-448", "contest_date": "2025-05-03T19:30:00",
        "difficulty": "easy", "func_name": "countUpper",
        "starter_code": "class Solution:\n    def countUpper(self, s: str) -> int:\n        ",
        "question_content": (
            "Given a string s of English letters and spaces, return how many of its characters are uppercase "
            "letters.\n\nExample 1:\n\nInput: s = \"HeLLo\"\nOutput: 3\n\nExample 2:\n\nInput: s = \"abc\"\n"
            "Output: 0\n\nConstraints:\n\n1 <= s.length <= 100"),
        "public": _func_cases([("HeLLo",), ("abc",)], lambda s: sum("A" <= c <= "Z" for c in s)),
        "private": _func_cases([("A",), ("ABCdef",), ("zZ",), ("MIXED case TEXT",)],
                               lambda s: sum("A" <= c <= "Z" for c in s)),
    },
]


def row(p: dict[str, Any]) -> dict[str, str]:
    values = {
        **{k: p[k] for k in ("question_title", "question_content", "platform", "question_id", "contest_id",
                             "contest_date", "difficulty")},
        "starter_code": p.get("starter_code", ""),
        "public_test_cases": json.dumps(p["public"]),
        "private_test_cases": encode_private(p["private"]),
        "metadata": json.dumps({"func_name": p["func_name"]} if "func_name" in p else {}),
    }
    return {k: values[k] for k in FIELDS}


def write(directory: Path = HERE) -> None:
    for name in ("test.jsonl", "test6.jsonl"):
        lines = [json.dumps(row(p)) for p in PROBLEMS if p["file"] == name]
        (directory / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    solutions = runpy.run_path(str(HERE / "solutions.py"))["SOLUTIONS"]
    (directory / "solutions.json").write_text(json.dumps(solutions, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
