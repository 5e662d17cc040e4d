"""Statistics over repeated runs: Wilson interval, pass@k / pass^k, per-scenario stability,
and the noise test the baseline gate uses. Pure functions, standard library only."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

Z95 = 1.959964  # two-sided 95%
Z95_ONE_SIDED = 1.644854


def wilson(passed: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a pass rate (sound at small n and at 0% or 100%)."""
    if n == 0:
        return (0.0, 1.0)
    p = passed / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased estimate of P(at least one of k samples passes) from n samples with c passes."""
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Unbiased estimate of P(all k samples pass) (pass^k) from n samples with c passes."""
    return math.comb(c, k) / math.comb(n, k) if k <= n else 0.0


def stability(passes: int, n: int) -> str:
    if passes == n:
        return "stable_pass"
    return "stable_fail" if passes == 0 else "flaky"


@dataclass(frozen=True)
class Tally:
    """One scenario's repeats: how many ran and how many passed."""

    passes: int
    n: int

    @property
    def rate(self) -> float:
        return self.passes / self.n

    @property
    def stability(self) -> str:
        return stability(self.passes, self.n)


@dataclass(frozen=True)
class PackStats:
    scenarios: int
    repeats: int  # the smallest repeat count over the pack's scenarios (k for pass@k)
    trials: int
    passes: int
    mean: float  # pass rate over all trials
    std: float  # standard deviation of the pack pass rate across repeat rounds
    wilson_low: float
    wilson_high: float
    pass_at_k: float
    pass_hat_k: float
    stable_pass: int
    flaky: int
    stable_fail: int


def pack_stats(tallies: Sequence[Tally], rounds: Sequence[float]) -> PackStats:
    """`rounds`: the pack's pass rate in each repeat round (repeat index r over all scenarios)."""
    k = min(t.n for t in tallies)
    trials, passes = sum(t.n for t in tallies), sum(t.passes for t in tallies)
    low, high = wilson(passes, trials)
    kinds = [t.stability for t in tallies]
    return PackStats(
        scenarios=len(tallies), repeats=k, trials=trials, passes=passes, mean=passes / trials,
        std=statistics.pstdev(rounds) if len(rounds) > 1 else 0.0, wilson_low=low, wilson_high=high,
        pass_at_k=statistics.fmean(pass_at_k(t.n, t.passes, k) for t in tallies),
        pass_hat_k=statistics.fmean(pass_hat_k(t.n, t.passes, k) for t in tallies),
        stable_pass=kinds.count("stable_pass"), flaky=kinds.count("flaky"), stable_fail=kinds.count("stable_fail"),
    )


@dataclass(frozen=True)
class Shift:
    """A pack's pass-rate change between two runs, paired over their common scenarios."""

    delta: float  # mean over scenarios of (rate now - rate before)
    se: float  # standard error of delta from the repeat variance
    z: float  # delta / se (±inf when the repeats show no variance at all)
    scenarios: int


def paired_shift(pairs: Iterable[tuple[Tally, Tally]]) -> Shift:
    """Paired per-scenario difference of pass rates. Each scenario's rate is a binomial
    estimate from its repeats, with variance p(1-p)/n on each side; the scenarios are
    independent, so Var(mean delta) = sum of those variances / m^2. Scenario-level pairing
    matters: repeats of one scenario are strongly correlated (greedy repeats are nearly
    identical), so treating every trial as independent would overstate the evidence."""
    pairs = list(pairs)
    m = len(pairs)
    if m == 0:
        return Shift(0.0, 0.0, 0.0, 0)
    delta = sum(now.rate - before.rate for before, now in pairs) / m
    var = sum(t.rate * (1 - t.rate) / t.n for pair in pairs for t in pair) / (m * m)
    se = math.sqrt(var)
    if se == 0:
        z = 0.0 if delta == 0 else math.copysign(math.inf, delta)
    else:
        z = delta / se
    return Shift(delta, se, z, m)


def scenario_tallies(scenarios: Sequence[Mapping[str, Any]]) -> dict[str, Tally]:
    """'Pack::ID' -> passes out of runs. Serving errors are not quality evidence: left out."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in scenarios:
        if s["outcome"] == "error":
            continue
        c = counts[f"{s['pack']}::{s['scenario']}"]
        c[0] += bool(s["passed"])
        c[1] += 1
    return {key: Tally(p, n) for key, (p, n) in counts.items()}


def pack_rounds(scenarios: Sequence[Mapping[str, Any]], pack: str) -> list[float]:
    """The pack's pass rate within each repeat round."""
    rounds: dict[int, list[bool]] = defaultdict(list)
    for s in scenarios:
        if s["pack"] == pack and s["outcome"] != "error":
            rounds[s["repeat"]].append(bool(s["passed"]))
    return [sum(v) / len(v) for _, v in sorted(rounds.items())]
