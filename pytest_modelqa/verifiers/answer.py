"""`final_answer`: the value on the prompt-mandated final line (default `ANSWER:`), compared
numerically with a stated tolerance, or as normalised text. Never "any number in the text"."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Mapping

from . import Verdict, register
from .matching import normalize
from .text import answer_line

SCHEMA = {
    "required": ["answer"],
    "additionalProperties": False,
    "properties": {
        "answer": {"type": ["number", "string"]},
        "tolerance": {"type": "number", "minimum": 0},
        "prefix": {"type": "string", "minLength": 1},
    },
}
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)(/\d+)?$")


def parse_number(text: str) -> float | None:
    """'1,234.5', '$12', '45%', '3/4' -> float; anything with other words -> None."""
    t = text.replace(",", "").replace("$", "").replace("€", "").replace("£", "").strip().rstrip(".%").strip()
    if not _NUMBER.match(t):
        return None
    return float(Fraction(t))


@register("final_answer", SCHEMA)
def verify_final_answer(params: Mapping[str, Any], scenario, episode) -> Verdict:
    prefix = params.get("prefix", "ANSWER:")
    gold = params["answer"]
    want = f"{prefix} {gold}"
    value = answer_line(episode.final.content, prefix)
    if value is None:
        return Verdict.fail("no_answer_found", f"no line starting with {prefix!r}", expected=want)
    trace = [f"answer line: {value!r}"]
    if isinstance(gold, str):
        if normalize(value) == normalize(gold):
            return Verdict.ok(trace)
        return Verdict.fail("wrong_answer", f"answered {value!r}, expected {gold!r}", trace, expected=want)
    number = parse_number(value)
    if number is None:
        return Verdict.fail("wrong_answer", f"answer {value!r} is not a number", trace, expected=want)
    tol = params.get("tolerance", 1e-6)
    if abs(number - gold) <= tol:
        return Verdict.ok(trace + [f"|{number} - {gold}| <= {tol}"])
    return Verdict.fail("wrong_answer", f"answered {number:g}, expected {gold:g} (tolerance {tol:g})", trace, expected=want)
