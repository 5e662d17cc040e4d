"""Harness benchmarks against the simulator; prints two numbers.

(a) overhead per scenario at zero latency: the marginal cost of one more scenario, i.e. the
    slope of whole-run wall time between N/4 and N scenarios, minus the same slope for a plain
    pytest run of trivial tests (pytest's own per-item cost). Fixed start-up cost (imports,
    probe) is printed apart. Target: <= 2 ms.
(b) concurrency efficiency with --slots 8 --latency-ms 200 and --concurrency 8:
    ideal (N x 0.2 s / 8) / measured session time (pytest's own "in X s"). Target: >= 0.9.

    python bench/bench_harness.py [--scenarios 400]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_pack(directory: Path, n: int) -> None:
    lines = ["pack: {id: Bench-%d, version: 1.0.0, title: bench, dimension: bench, modes: [quick]," % n,
             "       thinking: false, max_tokens: 32, case_seconds: 30}", "scenarios:"]
    for i in range(n):
        a, b = 100 + i, 7 * i + 3
        lines += [f"  - id: B-{i:04d}",
                  f"    messages: [{{role: user, content: 'What is {a} + {b}? End with ANSWER: <number>.'}}]",
                  f"    verifier: {{kind: final_answer, answer: {a + b}}}",
                  f"    gold: {{content: 'ANSWER: {a + b}'}}",
                  "    near_misses:"]
        lines += [f"      - {{why: off by {d}, reply: 'ANSWER: {a + b + d}'}}" for d in (-10, -1, 1, 2, 10)]
    (directory / "bench.yaml").write_text("\n".join(lines) + "\n")
    (directory / "test_plain.py").write_text(textwrap.dedent(f"""
        import pytest
        @pytest.mark.parametrize("i", range({n}))
        def test_plain(i):
            assert i >= 0
    """))


class Simulator:
    def __init__(self, packs: Path, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "pytest_modelqa.simulator", "--port", "0",
                                      "--packs-dir", str(packs), *args], stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().split()[3]

    def __enter__(self) -> "Simulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.kill()
        self.proc.wait()


def pytest_run(args: list[str], cwd: Path) -> tuple[float, float]:
    """(process wall seconds, pytest's reported session seconds)."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                         cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"pytest failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    session = float(re.findall(r" in ([0-9.]+)s", out.stdout)[-1])
    return wall, session


def timed_runs(n: int, rounds: int, url: str, d: Path) -> tuple[float, float]:
    """Best-of-rounds wall seconds: (modelqa run of n scenarios, plain run of n tests)."""
    qa = min(pytest_run([f"--model-endpoint={url}", f"--modelqa-packs-dir={d}", "--modelqa-concurrency", "8",
                         "-m", f"bench_{n}"], d)[0] for _ in range(rounds))
    plain = min(pytest_run(["test_plain.py"], d)[0] for _ in range(rounds))
    return qa, plain


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--scenarios", type=int, default=400)
    p.add_argument("--rounds", type=int, default=5, help="overhead: best of this many runs each")
    args = p.parse_args()
    n, small = args.scenarios, args.scenarios // 4
    timings = {}
    for count in (small, n):
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            make_pack(d, count)
            (d / "pytest.ini").write_text("[pytest]\n")
            with Simulator(d, "--slots", "8") as sim:
                timings[count] = timed_runs(count, args.rounds, sim.url, d)
            if count == n:
                with Simulator(d, "--slots", "8", "--latency-ms", "200") as sim:
                    _, session = pytest_run([f"--model-endpoint={sim.url}", f"--modelqa-packs-dir={d}",
                                             "--modelqa-concurrency", "8", "-m", f"bench_{n}"], d)
    qa_slope = (timings[n][0] - timings[small][0]) / (n - small)
    plain_slope = (timings[n][1] - timings[small][1]) / (n - small)
    overhead_ms = (qa_slope - plain_slope) * 1000
    fixed = (timings[small][0] - timings[small][1]) - (qa_slope - plain_slope) * small
    ideal = n * 0.2 / 8
    efficiency = ideal / session
    print(f"scenarios: {small} and {n}")
    for count in (small, n):
        print(f"  {count}: modelqa run {timings[count][0]:.3f} s, plain pytest run {timings[count][1]:.3f} s")
    print(f"fixed start-up cost over plain pytest: {fixed:.3f} s")
    print(f"harness overhead per scenario: {overhead_ms:.2f} ms (target <= 2.00)")
    print(f"concurrency efficiency: {efficiency:.3f} (ideal {ideal:.2f} s / session {session:.2f} s; target >= 0.90)")
    ok = overhead_ms <= 2.0 and efficiency >= 0.9
    print("targets met" if ok else "TARGETS MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
