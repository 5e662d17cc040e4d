"""GSM-Symbolic-30: grade-school word problems as templates, instantiated from a seed.

Each template (the modules in TEMPLATE_MODULES) draws its quantities from a `random.Random`, rejects draws
that would make a bad story (a fractional person, a negative amount, a tie the wording cannot
resolve) and computes the answer itself, with the worked solution a gold answer shows and the
slips a model typically makes (`traps`: the answer before the last step, a distractor
counted in, a rate inverted). The pack's seed and the template id fix each instance, so every
run asks the same questions; the seed is recorded per scenario in the results.

Scenarios are graded by `final_answer` (exact, tolerance 0). Near misses per instance: each
trap, an off-by-one slip, the right answer retracted on the next line, and the working without
an ANSWER line; accepted alternatives: the answer line in bold, the value with the asked unit, written as
money, with thousands separators."""

from __future__ import annotations

import hashlib
import importlib
import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping

from ..packs import MIN_NEAR_MISSES
from . import Built, DataPaths

Number = int | Fraction


class Reject(Exception):
    """This draw makes a bad story: draw again."""


@dataclass(frozen=True)
class Problem:
    question: str  # the story and its question; the answer format is added by the pack
    answer: Number
    working: tuple[str, ...]  # the worked solution, one step per line
    traps: tuple[tuple[str, Number], ...]  # (what the slip is, the value it gives)
    units: tuple[str, ...] = ()  # spellings of the asked unit that may follow the value ("$" for money)
    values: Mapping[str, Any] = field(default_factory=dict)  # what was drawn (tests re-derive the answer)


Template = Callable[[random.Random], Problem]


@dataclass(frozen=True)
class TemplateSpec:
    id: str
    situation: str
    make: Template


class Templates:
    """A templates module's own registry. Kept per module, not global, so the set of templates
    never depends on import order or on a module being imported twice (pytester drops modules
    between in-process runs)."""

    def __init__(self) -> None:
        self.specs: dict[str, TemplateSpec] = {}

    def __call__(self, id: str, situation: str) -> Callable[[Template], Template]:
        def wrap(fn: Template) -> Template:
            if id in self.specs:
                raise ValueError(f"template {id} defined twice")
            self.specs[id] = TemplateSpec(id, situation, fn)
            return fn
        return wrap


MAX_DRAWS = 1000
TEMPLATE_MODULES = ("gsm_templates", "gsm_templates_b", "gsm_templates_c")


def all_templates() -> dict[str, TemplateSpec]:
    """Every template, by id, in id order."""
    specs: dict[str, TemplateSpec] = {}
    for name in TEMPLATE_MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        for id, spec in module.template.specs.items():
            if id in specs:
                raise ValueError(f"template {id} defined in two modules")
            specs[id] = spec
    return dict(sorted(specs.items()))


def whole(x: Number, what: str = "quantity") -> int:
    """`x` as an int, or Reject: the story needs a whole number here."""
    x = Fraction(x)
    if x.denominator != 1:
        raise Reject(f"{what} {x} is not whole")
    return int(x)


def cents(x: Number) -> Fraction:
    """`x`, or Reject unless it is a whole number of cents (money in a story)."""
    x = Fraction(x)
    if (x * 100).denominator != 1:
        raise Reject(f"{x} is not a whole number of cents")
    return x


def show(x: Number) -> str:
    """A value as a story or an answer writes it: 12, 12.5, 12.75 (never 12.50, never 51/4)."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    d, places = x.denominator, 0
    while d % 10 == 0 or d % 2 == 0 or d % 5 == 0:  # the fewest decimal places that write x exactly
        d //= 10 if d % 10 == 0 else 2 if d % 2 == 0 else 5
        places += 1
    if d != 1:
        raise ValueError(f"{x} has no finite decimal form")
    digits = str(abs(x.numerator) * 10 ** places // x.denominator).rjust(places + 1, "0")
    return ("-" if x < 0 else "") + digits[:-places] + "." + digits[-places:]


def money(x: Number) -> str:
    """$12.50 style, as prices are written."""
    x = cents(x)
    return f"${x.numerator // x.denominator:,}" if x.denominator == 1 else f"${float(x):,.2f}"


def finite(x: Number) -> bool:
    """Whether `x` has a finite decimal form (an answer line or a near miss can state it)."""
    try:
        show(x)
    except ValueError:
        return False
    return True


def instance_seed(pack_seed: int, template_id: str) -> int:
    digest = hashlib.sha256(f"{pack_seed}:{template_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def instantiate(spec: TemplateSpec, seed: int) -> Problem:
    """The template's first valid draw from `seed` (deterministic)."""
    rng = random.Random(seed)
    for _ in range(MAX_DRAWS):
        try:
            problem = spec.make(rng)
        except Reject:
            continue
        wrong = [v for _, v in problem.traps if Fraction(v) == Fraction(problem.answer)]
        if not wrong and Fraction(problem.answer) > 0 and _near_misses_stateable(problem):
            return problem
    raise RuntimeError(f"template {spec.id}: no valid draw in {MAX_DRAWS} tries from seed {seed}")


def _near_misses_stateable(p: Problem) -> bool:
    """Whether scenario() can write this draw's near misses: every trap a finite decimal (an
    ANSWER line states it), and enough distinct wrong values (traps, then the off-by-ones; the
    retraction and the missing ANSWER line make two more) for the pack's MIN_NEAR_MISSES."""
    if not all(finite(v) for _, v in p.traps):
        return False
    answer = Fraction(p.answer)
    stated = {Fraction(v) for _, v in p.traps} | {answer + 1, answer - 1}
    return len({v for v in stated if v >= 0} - {answer}) + 2 >= MIN_NEAR_MISSES


FORMAT = ('Work it out step by step, then end with a final line of the form "ANSWER: <number>"'
          " (the number only{unit}).")


def prompt(problem: Problem, unit_word: str) -> str:
    return problem.question + "\n\n" + FORMAT.format(unit=f", in {unit_word}" if unit_word else "")


def scenario(spec: TemplateSpec, seed: int) -> dict[str, Any]:
    """The raw pack scenario of one instance."""
    p = instantiate(spec, seed)
    answer = show(p.answer)
    working = "\n".join(p.working)
    word_units = [u for u in p.units if u[0].isalpha()]
    verifier: dict[str, Any] = {"kind": "final_answer", "answer": _number(p.answer), "tolerance": 0,
                                "units": list(p.units)}
    near: list[dict[str, Any]] = []
    seen = {Fraction(p.answer)}

    def wrong(why: str, value: Number) -> None:
        if Fraction(value) in seen or Fraction(value) < 0:
            return
        seen.add(Fraction(value))
        near.append({"why": why, "reply": f"{working}\nANSWER: {show(value)}"})

    for why, value in p.traps:
        wrong(why, value)
    wrong("an arithmetic slip: one more than the answer", Fraction(p.answer) + 1)
    wrong("an arithmetic slip: one less than the answer", Fraction(p.answer) - 1)
    retract = next((v for _, v in p.traps if Fraction(v) > 0), Fraction(p.answer) + 1)
    near.append({"why": "the right answer, retracted on the next line",
                 "reply": f"{working}\nANSWER: {answer}\nWait, that is wrong: it should be {show(retract)}."})
    near.append({"why": "the right value in the working but no ANSWER line", "reply": f"{working}\nSo the answer is {answer}."})
    accept: list[dict[str, Any]] = [{"why": "the answer in bold", "reply": f"{working}\n**ANSWER: {answer}**"}]
    if word_units:
        accept.append({"why": "the value followed by the asked unit", "reply": f"{working}\nANSWER: {answer} {word_units[0]}"})
    if "$" in p.units:
        accept.append({"why": "the value written as money", "reply": f"{working}\nANSWER: {money(p.answer)}"})
    if abs(p.answer) >= 1000:
        value = Fraction(p.answer)
        grouped = f"{value.numerator:,}" if value.denominator == 1 else f"{float(value):,}"
        accept.append({"why": "thousands separators", "reply": f"{working}\nANSWER: {grouped}"})
    return {
        "id": spec.id, "title": spec.situation,
        "messages": [{"role": "user", "content": prompt(p, word_units[0] if word_units else "")}],
        "verifier": verifier,
        "gold": {"content": f"{working}\nANSWER: {answer}"},
        "near_misses": near, "accept": accept,
        "source": {"template": spec.id, "seed": seed},
    }


def _number(x: Number) -> int | float:
    x = Fraction(x)
    return x.numerator if x.denominator == 1 else float(show(x))


def build(source: Mapping[str, Any], data: DataPaths) -> Built:
    seed = int(source["seed"])
    chosen = list(all_templates().values())
    return Built([scenario(spec, instance_seed(seed, spec.id)) for spec in chosen], f"templates seeded with {seed}")
