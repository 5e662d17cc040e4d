"""Runs a solution against tests, inside the sandbox (the `code_tests` verifier's guest side).

    python3 code_tests.py SPEC.json         -> one JSON report on stdout

The solution and the reference run in child processes of this script, never in it: a child
imports the program, then answers test after test on a pipe of its own (one JSON line each:
outcome, the seconds the call took, what came back), so nothing the program prints can pose
as a result. This script holds each test to its time limit and kills a child that overruns,
then starts a fresh one at the next test.

Time limits are measured here, on the machine that runs the tests: with a reference solution,
a test's limit is max(floor, multiplier x the reference's time on it); without one, the
nominal limit scaled by how much slower than nominal this machine runs a fixed loop. A fixed
wall-clock limit fails correct code on a slow or loaded machine."""

from __future__ import annotations

import ast
import decimal
import json
import math
import os
import select
import subprocess
import sys
import time

NOMINAL_LOOP_S = 0.06  # the calibration loop's best time on the machine the nominal limits assume (2 cores, 2026)
LOAD_S = 10.0  # importing a program (its top-level code) may take this long
REFERENCE_LIMIT_S = 10.0  # per test, while timing the reference
SLACK_S = 0.5  # scheduling noise before a child that overran is killed (the verdict uses its own timing)
MAX_TIMEOUTS = 3  # after this many, the rest are not run (an endless loop costs 3 limits, not n)
OUTPUT_CAP = 1 << 20
DETAIL = 160


def calibration() -> float:
    """How many times slower than nominal this machine runs a fixed pure-Python loop (>= 1)."""
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i * i % 7
        best = min(best, time.perf_counter() - t0)
    return max(1.0, best / NOMINAL_LOOP_S)


def short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= DETAIL else text[: DETAIL - 1] + "…"


# -- the child: one program, tests from `start` on ------------------------------------------

def same(got, want, loose: bool) -> bool:
    """Python's == (as the problems' own asserts compare), except: floats within 1e-6, and
    a list is not a tuple unless `loose` (outputs that came from JSON, which has no tuples)."""
    if isinstance(want, float) or isinstance(got, float):
        numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (got, want))
        return numbers and math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6)
    if isinstance(want, (list, tuple)):
        if not isinstance(got, (list, tuple)) or (not loose and type(got) is not type(want)):
            return False
        return len(got) == len(want) and all(same(g, w, loose) for g, w in zip(got, want))
    if isinstance(want, dict):
        return isinstance(got, dict) and got.keys() == want.keys() and all(same(got[k], want[k], loose) for k in want)
    return bool(got == want)


def child(spec_path: str, program: str, start: int, fd: int) -> None:
    out = os.fdopen(fd, "w", buffering=1)
    spec = json.load(open(spec_path, encoding="utf-8"))
    namespace: dict = {"__name__": "solution"}
    try:
        code = compile(open(program, encoding="utf-8").read(), program, "exec")
        exec(code, namespace)  # noqa: S102 - inside the sandbox, in a child process: what this script is for
        owner, _, method = spec["entry_point"].partition(".")
        target = namespace[owner]
        fn = getattr(target(), method) if method else target
    except BaseException as exc:  # noqa: BLE001 - whatever the program does on import is its failure
        out.write(json.dumps({"loaded": False, "error": short(f"{type(exc).__name__}: {exc}")}) + "\n")
        return
    out.write(json.dumps({"loaded": True}) + "\n")
    loose = spec.get("compare") == "json"
    for test in spec["tests"][start:]:
        args = ast.literal_eval(test["input"])
        want = ast.literal_eval(test["output"])
        t0 = time.perf_counter()
        try:
            got = fn(*args)
            seconds = time.perf_counter() - t0
            ok = same(got, want, loose)
            line = {"outcome": "passed" if ok else "failed", "seconds": seconds}
            if not ok:
                line["detail"] = short(f"returned {got!r}, expected {want!r}")
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too: a failed test
            line = {"outcome": "error", "seconds": time.perf_counter() - t0,
                    "detail": short(f"raised {type(exc).__name__}: {exc}")}
        out.write(json.dumps(line) + "\n")


# -- the harness ------------------------------------------------------------------------------

def read_line(proc: subprocess.Popen, pipe, buf: bytearray, timeout: float):
    """The child's next JSON line, or None on timeout / a dead child."""
    deadline = time.monotonic() + timeout
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout"
        ready, _, _ = select.select([pipe], [], [], left)
        if not ready:
            return "timeout"
        chunk = os.read(pipe, 65536)
        if not chunk:
            return "died"
        buf += chunk
        if len(buf) > OUTPUT_CAP:
            return "died"
    line, _, rest = bytes(buf).partition(b"\n")
    buf[:] = rest
    try:
        return json.loads(line)
    except ValueError:
        return "died"


def run_function(spec_path: str, program: str, n: int, limits: list[float]) -> tuple[list[dict], str]:
    """Every test's result for `program`, and its load error ("" when it loaded)."""
    results: list[dict] = []
    timeouts = 0
    while len(results) < n:
        if timeouts >= MAX_TIMEOUTS:
            results += [{"outcome": "not_run", "detail": f"not run: {MAX_TIMEOUTS} tests had timed out"}] * (n - len(results))
            break
        r, w = os.pipe()
        proc = subprocess.Popen([sys.executable, __file__, "child", spec_path, program, str(len(results)), str(w)],
                                pass_fds=(w,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        os.close(w)
        buf = bytearray()
        try:
            first = read_line(proc, r, buf, LOAD_S)
            if not isinstance(first, dict) or not first.get("loaded"):
                why = first.get("error") if isinstance(first, dict) else f"the program did not load ({first})"
                return results, why or "the program did not load"
            while len(results) < n:
                i = len(results)
                line = read_line(proc, r, buf, limits[i] + SLACK_S)
                if line == "timeout":
                    results.append({"outcome": "timeout", "seconds": limits[i],
                                    "detail": f"no result within {limits[i]:.2f} s"})
                    timeouts += 1
                    break
                if line == "died":
                    results.append({"outcome": "error", "detail": "the process exited during the test"})
                    break
                if line["seconds"] > limits[i]:
                    line = {**line, "outcome": "timeout",
                            "detail": f"took {line['seconds']:.3f} s, the limit is {limits[i]:.3f} s"}
                    timeouts += 1
                results.append(line)
                if line["outcome"] == "timeout":
                    break
        finally:
            proc.kill()
            proc.wait()
            os.close(r)
    return results, ""


def run_stdio(program: str, tests: list[dict], limits: list[float]) -> list[dict]:
    results: list[dict] = []
    timeouts = 0
    for test, limit in zip(tests, limits):
        if timeouts >= MAX_TIMEOUTS:
            results.append({"outcome": "not_run", "detail": f"not run: {MAX_TIMEOUTS} tests had timed out"})
            continue
        t0 = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, program], input=test["input"].encode(), capture_output=True,
                                  timeout=limit + SLACK_S)
        except subprocess.TimeoutExpired:
            timeouts += 1
            results.append({"outcome": "timeout", "seconds": limit, "detail": f"no output within {limit:.2f} s"})
            continue
        seconds = time.perf_counter() - t0
        got = done.stdout.decode("utf-8", errors="replace")
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
            results.append({"outcome": "error", "seconds": seconds,
                            "detail": short(f"exit {done.returncode}: {err[-1] if err else ''}")})
        elif seconds > limit:
            timeouts += 1
            results.append({"outcome": "timeout", "seconds": seconds, "detail": f"took {seconds:.3f} s, the limit is {limit:.3f} s"})
        elif len(lines(got)) == len(lines(test["output"])) and all(
                same_line(a, b) for a, b in zip(lines(got), lines(test["output"]))):
            results.append({"outcome": "passed", "seconds": seconds})
        else:
            results.append({"outcome": "failed", "seconds": seconds, "detail": short(diff(got, test["output"]))})
    return results


def lines(text: str) -> list[str]:
    out = [line.strip() for line in text.strip().splitlines()]
    return out


def same_line(got: str, want: str) -> bool:
    """Token by token; numbers compare by value (1.0 is 1, as LiveCodeBench's own harness has it)."""
    if got == want:
        return True
    a, b = got.split(), want.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x == y:
            continue
        try:
            if decimal.Decimal(x) != decimal.Decimal(y):
                return False
        except decimal.InvalidOperation:
            return False
    return True


def diff(got: str, want: str) -> str:
    g, w = lines(got), lines(want)
    for i, (a, b) in enumerate(zip(g, w)):
        if not same_line(a, b):
            return f"line {i + 1}: printed {a!r}, expected {b!r}"
    return f"printed {len(g)} lines, expected {len(w)}"


def main(spec_path: str) -> None:
    spec = json.load(open(spec_path, encoding="utf-8"))
    tests = spec["tests"]
    n = len(tests)
    report: dict = {"factor": None, "reference_s": None}
    if spec.get("reference"):
        ref, load = run_function(spec_path, spec["reference"], n, [REFERENCE_LIMIT_S] * n)
        bad = [i for i, t in enumerate(ref) if t["outcome"] != "passed"]
        if load or bad:
            report["reference_error"] = load or f"test {bad[0] + 1}: {ref[bad[0]].get('detail', ref[bad[0]]['outcome'])}"
            print(json.dumps(report))
            return
        times = [t["seconds"] for t in ref]
        limits = [max(spec["floor_s"], spec["multiplier"] * t) for t in times]
        report["reference_s"] = round(sum(times), 6)
    else:
        report["factor"] = round(calibration(), 3)
        limits = [spec["time_limit_s"] * report["factor"]] * n
    if spec["style"] == "stdio":
        results, load = run_stdio(spec["solution"], tests, limits), ""
    else:
        results, load = run_function(spec_path, spec["solution"], n, limits)
    report["load_error"] = load
    report["tests"] = [{**r, "set": t.get("set", "tests"), "limit_s": round(lim, 4)}
                       for r, t, lim in zip(results, tests, limits)]
    print(json.dumps(report))


if __name__ == "__main__":
    if sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main(sys.argv[1])
