"""Sandboxed-execution latency for a trivial Python test: the warm pool against a fresh
`docker run` with the same lockdown. Prints median and p95 of each, and their ratio.
Target: warm median <= 150 ms.

    python bench/bench_sandbox.py [--runs 40]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from pytest_modelqa.sandbox.base import Limits
from pytest_modelqa.sandbox.docker import DockerBackend
from pytest_modelqa.sandbox.images import tag
from pytest_modelqa.sandbox.pool import Pool

TEST = "def add(a, b):\n    return a + b\n\nassert add(2, 3) == 5\nprint('ok')\n"
TARGET_MS = 150.0


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]


def warm(runs: int) -> list[float]:
    pool = Pool(DockerBackend("bench"), 4)
    try:
        pool.release(pool.acquire("python"))  # the image is wanted from now on: the pool keeps it warm
        time.sleep(3)
        out = []
        for _ in range(runs):
            start = time.perf_counter()
            sb = pool.acquire("python")
            r = sb.exec(["python3", "-"], stdin=TEST)
            out.append((time.perf_counter() - start) * 1000)
            pool.release(sb)
            assert r.stdout == "ok\n", r
            time.sleep(0.4)  # the pool refills between tests, as it does while a model answers
        return out
    finally:
        pool.close()


def fresh(runs: int) -> list[float]:
    lim = Limits()
    argv = ["docker", "run", "--rm", "-i", "--network", "none", "--user", "65534:65534", "--read-only",
            "--tmpfs", f"/scratch:size={lim.scratch_mb}m,noexec", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges", "--pids-limit", str(lim.pids), "--memory", f"{lim.memory_mb}m",
            "--memory-swap", f"{lim.memory_mb}m", tag("python"), "python3", "-"]
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        r = subprocess.run(argv, input=TEST, capture_output=True, text=True)
        out.append((time.perf_counter() - start) * 1000)
        assert r.stdout == "ok\n", r.stderr
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    w, f = warm(args.runs), fresh(max(5, args.runs // 4))
    wm, fm = statistics.median(w), statistics.median(f)
    print(f"sandbox latency, trivial python test: warm pool median {wm:.0f} ms, p95 {p95(w):.0f} ms "
          f"(n={len(w)}); fresh docker run median {fm:.0f} ms, p95 {p95(f):.0f} ms (n={len(f)}); "
          f"fresh/warm {fm / wm:.1f}x")
    ok = wm <= TARGET_MS
    print(f"target warm median <= {TARGET_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
