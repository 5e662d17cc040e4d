"""Repeat statistics and the gate's noise test, against hand-computed values."""

from __future__ import annotations

import math
from itertools import combinations

import pytest

from pytest_modelqa.stats import (Tally, pack_rounds, pack_stats, paired_shift, pass_at_k, pass_hat_k,
                                  scenario_tallies, wilson)


def test_wilson_matches_the_closed_form() -> None:
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)
    assert wilson(10, 10)[1] == pytest.approx(1.0) and wilson(10, 10)[0] == pytest.approx(0.7225, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize("n,c,k", [(3, 0, 1), (3, 1, 1), (3, 2, 2), (5, 2, 3), (5, 5, 5), (4, 3, 2)])
def test_pass_at_k_and_pass_hat_k_equal_the_subset_average(n: int, c: int, k: int) -> None:
    # Unbiased estimators = the average over all k-subsets of the n samples.
    samples = [True] * c + [False] * (n - c)
    subsets = list(combinations(samples, k))
    assert pass_at_k(n, c, k) == pytest.approx(sum(any(s) for s in subsets) / len(subsets))
    assert pass_hat_k(n, c, k) == pytest.approx(sum(all(s) for s in subsets) / len(subsets))


def test_pack_stats_classifies_scenarios_and_spreads_rounds() -> None:
    tallies = [Tally(3, 3), Tally(0, 3), Tally(2, 3), Tally(1, 3)]
    s = pack_stats(tallies, [0.5, 0.75, 0.25])
    assert (s.stable_pass, s.flaky, s.stable_fail) == (1, 2, 1)
    assert s.trials == 12 and s.passes == 6 and s.mean == 0.5 and s.repeats == 3
    assert s.std == pytest.approx(math.sqrt(((0.0) ** 2 + 0.25 ** 2 + 0.25 ** 2) / 3))
    assert s.pass_at_k == pytest.approx((1 + 0 + 1 + 1) / 4)
    assert s.pass_hat_k == pytest.approx((1 + 0 + 0 + 0) / 4)


def test_tallies_and_rounds_leave_serving_errors_out() -> None:
    rows = [{"pack": "P", "scenario": "A", "repeat": r, "outcome": o, "passed": o == "passed"}
            for r, o in enumerate(["passed", "failed", "error"])]
    assert scenario_tallies(rows) == {"P::A": Tally(1, 2)}
    assert pack_rounds(rows, "P") == [1.0, 0.0]


def test_paired_shift_without_repeat_noise_is_certain() -> None:
    same = [(Tally(3, 3), Tally(3, 3))] * 8
    shift = paired_shift(same + [(Tally(3, 3), Tally(0, 3))] * 2)
    assert shift.delta == pytest.approx(-0.2) and shift.se == 0 and shift.z == -math.inf
    assert paired_shift(same).z == 0.0


def test_paired_shift_uses_each_scenarios_binomial_variance() -> None:
    pairs = [(Tally(2, 3), Tally(1, 3)), (Tally(3, 3), Tally(3, 3))]
    shift = paired_shift(pairs)
    var = (2 / 3 * 1 / 3 / 3 + 1 / 3 * 2 / 3 / 3) / 4
    assert shift.delta == pytest.approx(-1 / 6) and shift.se == pytest.approx(math.sqrt(var))
    assert shift.z == pytest.approx(-1 / 6 / math.sqrt(var))
