"""GSM-Symbolic-30: every template over many seeds, its answer re-derived here another way,
and its instances' gold, near misses and accepts through the real pack and verifier path."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path
from typing import Any, Callable, Mapping

import pytest

from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.controls import oracle_respond, probes
from pytest_modelqa.datasets import DataPaths, gsm_symbolic
from pytest_modelqa.datasets.gsm_symbolic import Reject, Templates, all_templates, instantiate, scenario, show
from pytest_modelqa.episode import run_episode
from pytest_modelqa.names import shipped_packs_dir
from pytest_modelqa.verifiers import verify

SEEDS = range(300)
VERIFIED_SEEDS = range(12)  # instances also run through the verifier (slower)
TEMPLATES = all_templates()
PACK = shipped_packs_dir() / "gsm-symbolic-30.yaml"


# Each answer computed again from the drawn values, written independently of the template
# (other order of operations, other units), so a slip in either shows as a mismatch.
def _gs01(v: Mapping[str, Any]) -> F:
    return F(v["grams"], 1000) * v["batches"] * v["open_days"]


def _gs02(v: Mapping[str, Any]) -> F:
    cents = F(v["price"] * 100) * (1 - F(v["off"], 100)) * (1 + F(v["tax"], 100))
    return cents / 100


# -- GS-03..GS-16 (gsm_templates_b)
def _gs03(v: Mapping[str, Any]) -> F:
    # 3 x parent = sum + gap + 2 x parent_gap (each child written from the parent's age)
    return F(v["total"] + v["gap"] + 2 * v["parent_gap"], 3) + v["later"]


def _gs04(v: Mapping[str, Any]) -> F:
    return F(v["total"] * v["parts"][v["asked"]], sum(v["parts"]))


def _gs05(v: Mapping[str, Any]) -> F:
    journey = sum(v["legs"]) + v["stop"]
    if v["kind"] == "total":
        return F(journey)
    return F(journey - (12 * 60 - v["depart"]))  # the journey less the part before noon


def _gs06(v: Mapping[str, Any]) -> F:
    share1 = F(v["v1"], v["v1"] + v["v2"])
    if v["kind"] == "per100":
        return v["a"] * share1 + v["b"] * (1 - share1)  # a volume-weighted average
    return F(v["a"], 100) * v["v1"] + F(v["b"], 100) * v["v2"]


def _gs07(v: Mapping[str, Any]) -> F:
    w, k = v["width"], v["k"]
    length = {"times": k * w, "more": w + k, "twice-less": 2 * w - k}[v["relation"]]
    return 4 * w + 2 * (length - w) - F(v["gate"])


def _gs08(v: Mapping[str, Any]) -> F:
    return F(v["amount"], 1000) * F(v["guests"], v["serves"])


def _gs09(v: Mapping[str, Any]) -> F:
    per_window = v["a"] * v["every"] + v["b_total"] - v["drain"] * v["every"]  # litres per `every` minutes
    return F(v["capacity"] * v["every"], per_window)


def _gs10(v: Mapping[str, Any]) -> F:
    r = F(v["rate"]) / 100
    return v["first"] * (1 + r * v["years"]) + v["second"] * (1 + r * (v["years"] - v["after"]))


def _gs11(v: Mapping[str, Any]) -> F:
    p, up, down = F(v["price"]), F(v["up"], 100), F(v["down"], 100)
    return p + p * up - p * down - p * up * down


def _gs12(v: Mapping[str, Any]) -> F:
    return F(v["target"] + sum(v["target"] - s for s in v["scores"]))  # the target plus every shortfall so far


def _gs13(v: Mapping[str, Any]) -> F:
    hours = F(v["d1"], v["s1"]) + F(v["d2"], v["s2"]) + F(v["rest"], 60)
    return hours * 60 if v["kind"] == "time" else (v["d1"] + v["d2"]) / hours


def _gs14(v: Mapping[str, Any]) -> F:
    (q1, q2), (c1, c2, c3) = v["q"], v["prices_cents"]
    return F(v["bill"] * 100 - q1 * c1 - q2 * c2 - c3, 100)


def _gs15(v: Mapping[str, Any]) -> F:
    tiles = (v["length_m"] * 100) * (v["width_m"] * 100) / (v["side_cm"] ** 2)  # floor area over tile area
    boxes = 0
    while boxes * v["per_box"] < tiles:
        boxes += 1
    return F(boxes)


def _gs16(v: Mapping[str, Any]) -> F:
    weeks, saved = 0, v["start"]
    while saved < v["bike"] + v["helmet"]:
        weeks, saved = weeks + 1, saved + v["save"]
    return F(weeks)


# -- GS-17..GS-30 (gsm_templates_c)
def _gs17(v: Mapping[str, Any]) -> F:
    # count the years forward until the ages line up
    n = 1
    while v["parent_now"] + n != v["k"] * (v["child_now"] + n):
        n += 1
        assert n < 200
    return F(n)


def _gs18(v: Mapping[str, Any]) -> F:
    # in square centimetres and millilitres; add cans until they cover the walls
    cm2 = (2 * v["length"] * v["height"] + 2 * v["width"] * v["height"] - v["door"] - v["windows"] * v["window"]) * 10000
    ml_needed = cm2 * v["coats"] * 1000 / (v["per_litre"] * 10000)
    cans = 0
    while cans * v["can"] * 1000 < ml_needed:
        cans += 1
    return F(cans)


def _gs19(v: Mapping[str, Any]) -> F:
    per_km_cost = F(v["rate"]) / 100 * v["price"]  # dollars per kilometre
    return per_km_cost * v["one_way"] + per_km_cost * v["one_way"]


def _gs20(v: Mapping[str, Any]) -> F:
    unit_small = F(v["small_price"]) / v["small"]
    unit_big = F(v["big_price"]) / v["big"]
    return abs(unit_small - unit_big) * v["need"]


def _gs21(v: Mapping[str, Any]) -> F:
    share = F(v["kg1"]) / (F(v["kg1"]) + F(v["kg2"]))  # a weighted average of the two prices
    return share * v["p1"] + (1 - share) * v["p2"]


def _gs22(v: Mapping[str, Any]) -> F:
    hours = v["daily"] * v["days"] + v["saturday"]
    return hours * F(v["rate"]) + (hours - 40) * F(v["rate"]) * (F(v["times"]) - 1)


def _gs23(v: Mapping[str, Any]) -> F:
    # the departure time on the landing city's clock, then the gap to the landing
    depart_there = v["depart"] + 60 * v["shift"]
    land = v["arrive_local"] + (24 * 60 if v["next_day"] else 0)
    return F(land - depart_there)


def _gs24(v: Mapping[str, Any]) -> F:
    sold = v["made"] - v["unsold"]
    return sold * (F(v["price"]) - F(v["cost"])) - v["unsold"] * F(v["cost"]) - v["fee"]


def _gs25(v: Mapping[str, Any]) -> F:
    chess, drama = F(v["fa"]) * v["size"], F(v["fb"]) * v["size"]
    only_chess, only_drama = chess - v["both"], drama - v["both"]
    return v["size"] - only_chess - only_drama - v["both"]


def _gs26(v: Mapping[str, Any]) -> F:
    # same perimeter: the rectangle is the square stretched by d one way and shrunk by d the other
    d = v["length"] - v["side"]
    return F(d * d)


def _gs27(v: Mapping[str, Any]) -> F:
    euros = v["amount"] * F(v["rate"])
    return euros - euros * F(v["fee"]) / 100


def _gs28(v: Mapping[str, Any]) -> F:
    if v["ask"] == "weeks":
        height, weeks = F(v["start"]), 0
        target = v["start"] + F(v["grow"]) * v["weeks"]
        while height < target:
            height += v["grow"]
            weeks += 1
        return F(weeks)
    return F(v["grow"]) * v["weeks"] + v["start"]


def _gs29(v: Mapping[str, Any]) -> F:
    # water makes up (100 - weak)% of the new mix; it held (100 - strong)% of the old one
    old = F(v["litres"])
    new_total = old * v["strong"] / v["weak"]
    water_new = new_total * (100 - v["weak"]) / 100
    return water_new - old * (100 - v["strong"]) / 100


def _gs30(v: Mapping[str, Any]) -> F:
    mugs = v["deliveries"] * v["per_delivery"]
    per_full_pallet = v["per_box"] * v["per_pallet"]
    pallets = mugs // per_full_pallet
    return F(pallets) if v["ask"] == "pallets" else F(mugs % per_full_pallet)
# every template's re-derivation, by its id (a missing one is a NameError here, at import)
REDERIVE: dict[str, Callable[[Mapping[str, Any]], F]] = {f"GS-{n:02d}": globals()[f"_gs{n:02d}"] for n in range(1, 31)}


def test_thirty_templates_each_with_its_own_rederivation() -> None:
    assert len(TEMPLATES) == 30
    assert sorted(TEMPLATES) == [f"GS-{n:02d}" for n in range(1, 31)]
    assert set(REDERIVE) == set(TEMPLATES)
    situations = [spec.situation for spec in TEMPLATES.values()]
    assert len(set(situations)) == 30


@pytest.mark.parametrize("tid", sorted(TEMPLATES))
def test_every_seed_draws_a_valid_story_whose_answer_is_rederived(tid: str) -> None:
    spec = TEMPLATES[tid]
    answers, questions = set(), set()
    for seed in SEEDS:
        p = instantiate(spec, seed)
        assert p == instantiate(spec, seed), "the same seed must give the same instance"
        assert F(p.answer) > 0
        assert F(p.answer) == REDERIVE[tid](p.values), (seed, p.values)
        show(p.answer)  # a finite decimal: the answer line can state it exactly
        assert p.traps and all(F(v) != F(p.answer) for _, v in p.traps)
        assert p.working and all(line.strip() and "\n" not in line for line in p.working)
        assert show(p.answer) in p.working[-1] or show(p.answer) in " ".join(p.working), p.working
        assert "{" not in p.question and "}" not in p.question
        answers.add(F(p.answer))
        questions.add(p.question)
    # a template, not a fixed question: the draws vary the numbers and the answer
    assert len(questions) >= 100 and len(answers) >= 10, (len(questions), len(answers))


def write_pack(tmp_path: Path, scenarios: list[dict[str, Any]]) -> Path:
    body = {"pack": {"id": "GSM-Test", "version": "1.0.0", "title": "t", "dimension": "math", "modes": ["reasoning"],
                     "thinking": True, "max_tokens": 1024, "case_seconds": 60}, "scenarios": scenarios}
    path = tmp_path / "gsm.yaml"
    path.write_text(json.dumps(body), encoding="utf-8")  # JSON is YAML
    return path


@pytest.mark.parametrize("tid", sorted(TEMPLATES))
def test_gold_passes_and_every_near_miss_fails_through_the_verifier(tmp_path: Path, tid: str) -> None:
    raw = []
    for seed in VERIFIED_SEEDS:
        one = scenario(TEMPLATES[tid], seed)
        raw.append({**one, "id": f"{tid}-s{seed}"})
    pack = load_checked(write_pack(tmp_path, raw))
    wrong = []
    for s in pack.scenarios:
        gold = verify(s, run_episode(s, oracle_respond))
        if not gold.passed:
            wrong.append(f"{s.id} gold: {gold.detail}")
        for probe in probes("near-miss", s):
            verdict = verify(s, run_episode(s, probe.respond))
            if verdict.passed != probe.must_pass:
                wrong.append(f"{s.id} {probe.label} ({probe.why}): {'passed' if verdict.passed else verdict.detail}")
    assert not wrong, wrong


def test_the_pack_builds_thirty_seeded_instances_recording_their_seeds() -> None:
    pack = load_checked(PACK, DataPaths())
    assert not pack.unavailable
    assert [s.id for s in pack.scenarios] == sorted(TEMPLATES)
    seeds = {s.id: s.source["seed"] for s in pack.scenarios}
    assert all(s.source["template"] == s.id for s in pack.scenarios)
    assert seeds == {tid: gsm_symbolic.instance_seed(20261202, tid) for tid in TEMPLATES}
    again = load_checked(PACK, DataPaths())
    assert [s.messages for s in again.scenarios] == [s.messages for s in pack.scenarios]
    for s in pack.scenarios:
        text = s.messages[-1]["content"]
        assert text.rstrip().endswith(")."), text  # the answer format is stated last
        assert "ANSWER: <number>" in text


def test_a_template_that_cannot_draw_says_which_and_the_seed() -> None:
    local = Templates()

    @local("GS-99", "never valid")
    def never(rng):  # noqa: ANN001
        raise Reject("always")

    with pytest.raises(RuntimeError, match=r"GS-99: no valid draw in 1000 tries from seed 7"):
        instantiate(local.specs["GS-99"], 7)
    with pytest.raises(ValueError, match="GS-99 defined twice"):
        local("GS-99", "again")(never)


@pytest.mark.parametrize("x, text", [(12, "12"), (F(25, 2), "12.5"), (F(51, 4), "12.75"), (F(1, 8), "0.125"),
                                     (F(1, 8192), "0.0001220703125"), (123456789012345678 + F(1, 4), "123456789012345678.25")])
def test_show_writes_values_as_a_story_does(x, text) -> None:
    assert show(x) == text


def test_show_refuses_a_value_with_no_finite_decimal() -> None:
    with pytest.raises(ValueError):
        show(F(1, 3))
