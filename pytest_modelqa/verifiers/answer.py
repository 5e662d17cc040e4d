"""`final_answer`: the value on the prompt-mandated final line (default `ANSWER:`), never "any
number in the text". No such line (or only empty ones) is `no_answer_found`.

How the value is compared (`compare`, default `number` for a numeric answer, else `text`):
- number: an exact decimal ('1,234.5' with proper thousands groups, '-0.75'; 'a/b' unless
  `decimals` is set) within `tolerance` (absolute, default 1e-6) or `rel_tolerance` (relative
  to the answer), whichever allows more. `decimals: N` means the prompt asked for rounding to
  N places: the value must be written as a decimal with at most N places (trailing zeros
  ignored), so an unrounded '5.333' fails where 5.33 is asked. `sig_figs: N` means the
  prompt asked for at least N significant figures: the value must be written with at least
  N and be right to the last digit written (within half a unit of it), so 36.2 and 36.19
  pass for 36.1869 but 36.1, 36.18 and 36 fail; tolerances do not widen this.
- fraction: 'a/b' or an integer (or LaTeX \\frac{a}{b}), compared exactly; a decimal fails.
  `lowest_terms: true` (the prompt asked for lowest terms) fails '30/56' where 15/28 is right.
- symbolic: an exact expression ('24*sqrt(3)', '24√3', '(3^13 - 1)/2', '2^10 - 1') compared
  with sympy; a decimal approximation fails. Parsing is whitelisted (digits, + - * / ^ ( ),
  sqrt, pi) and powers are size-bounded, so no input runs code or exhausts memory.
- text: normalised (case, spacing, final punctuation) equality with the answer or one of
  `accept`.

Units (`units`, for number/fraction/symbolic): the listed spellings may follow the value (or
precede it, for a symbol such as '$'); a bare value is accepted; any other trailing word fails
(asked for minutes, '3.75 hours' is wrong). Without `units`, '$', '€', '£' and '%' are
tolerated as before; `units: []` asks for the bare value. A percentage answer lists '%' among
its units: '46%' and '46' pass, '0.46' is a different number and fails.

Extra words fail ('about 12 apples' is not an answer). One aside after the value that restates
it approximately ('15/28 (about 0.536)', '24*sqrt(3) ≈ 41.57', '18/67 ≈ 26.9%') is read, not
ignored: its number must be the answer rounded to the digits written (as a percentage with
'%'), or in one of `aside_units` ('225 minutes (3.75 hours)'); a wrong one ('15/28 (about 0.6)',
'225 minutes (3.5 hours)') fails, and any other aside is extra words. Every non-empty answer
line counts: if several disagree, the answer is ambiguous and fails, whichever comes last. The prompts ask to
*end* with the answer line, so words after it fail ("ANSWER: 225" then "Wait, it is 240"
retracts it; a closing code fence or rule has no words and is fine). LaTeX wrappers
($…$, \\(…\\), \\boxed{…}) and a closing full stop are ignored.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from . import Verdict, register
from .matching import normalize
from .text import answer_lines, text_after_answer

if TYPE_CHECKING:
    from sympy import Expr

SCHEMA = {
    "required": ["answer"],
    "additionalProperties": False,
    "properties": {
        "answer": {"type": ["number", "string"], "minLength": 1},
        "compare": {"enum": ["number", "fraction", "symbolic", "text"]},
        "tolerance": {"type": "number", "minimum": 0},
        "rel_tolerance": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
        "decimals": {"type": "integer", "minimum": 0, "maximum": 12},
        "sig_figs": {"type": "integer", "minimum": 1, "maximum": 15},
        "lowest_terms": {"type": "boolean"},
        "units": {"type": "array", "uniqueItems": True, "items": {"type": "string", "minLength": 1}},
        "aside_units": {"type": "array", "items": {
            "type": "object", "required": ["units", "per"], "additionalProperties": False,
            "properties": {"units": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                           "per": {"type": "number", "exclusiveMinimum": 0,
                                   "description": "answer units in one of these (60 minutes per hour)"}}},
            "description": "other units an aside may restate the answer in: '225 minutes (3.75 hours)'"},
        "accept": {"type": "array", "uniqueItems": True, "items": {"type": "string", "minLength": 1}},
        "prefix": {"type": "string", "minLength": 1},
    },
}
# Which comparisons each optional parameter means something for.
_APPLIES = {
    "tolerance": ("number",), "rel_tolerance": ("number",), "decimals": ("number",), "sig_figs": ("number",),
    "units": ("number", "fraction", "symbolic"), "aside_units": ("number", "fraction", "symbolic"),
    "lowest_terms": ("fraction",), "accept": ("text",),
}
LEGACY_UNITS = ("$", "€", "£", "%")
DEFAULT_TOLERANCE = 1e-6
MAX_VALUE_CHARS = 200  # an answer is a value, not an essay (and Python refuses ints over 4300 digits)

_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+"
_DECIMAL = re.compile(_NUM)
_RATIO = re.compile(r"([-+]?\d+)\s*/\s*(\d+)")
_NUMBER_THEN_WORDS = re.compile(rf"(?:{_NUM})\s*([^\d\s.,/].*)")  # a word after the number, e.g. a unit
_FRACTION = re.compile(r"([-+]?\d+)(?:\s*/\s*(\d+))?")
_TEX_INT_FRAC = re.compile(r"\\[dt]?frac\{\s*([-+]?\d+)\s*\}\{\s*(\d+)\s*\}")


# -- reading the value ---------------------------------------------------------------------------

_WRAPPERS = tuple(re.compile(p) for p in (r"\$(.+)\$", r"\\\((.+)\\\)", r"\\\[(.+)\\\]", r"\\boxed\{(.+)\}"))
_TEX_TEXT = re.compile(r"\\(?:text|mathrm)\{([^{}]*)\}")
# '15/28 (about 0.536)', '41.57 ≈ ...': a space, then a parenthesis or an approximately sign
_ASIDE = re.compile(r"(?P<core>.+?)\s+(?:\((?P<paren>[^()]*)\)|(?P<approx>[≈~]\s*[^()]+))")
_ABOUT = re.compile(r"(?:about|approx\.?|approximately|roughly|around|i\.e\.|≈|~|=)\s*", re.IGNORECASE)


def unwrap(value: str) -> str:
    """Drop what models put around a value without changing it: LaTeX math wrappers,
    \\text{...}, escaped % and $, a closing full stop, unicode minus, repeated spaces."""
    v = " ".join(value.replace("−", "-").split())
    while True:
        v = v.rstrip(".").strip()
        inner = next((m[1] for w in _WRAPPERS if (m := w.fullmatch(v))), None)
        if inner is None:
            break
        v = inner
    v = _TEX_TEXT.sub(r" \1", v).replace(r"\%", "%").replace(r"\$", "$")
    return " ".join(v.split())


def split_unit(value: str, units: Sequence[str]) -> tuple[str, str]:
    """(rest, unit) when `value` ends with one of `units` (or starts with a symbol unit such
    as '$', or a word unit and a space: 'EUR 225.00'); (value, '') otherwise. A word unit must not continue a word: 'm' is not the end
    of '12 km'."""
    low = value.casefold()
    for unit in sorted(units, key=len, reverse=True):
        u = unit.casefold()
        rest = value[:len(value) - len(u)].rstrip()
        if low.endswith(u) and rest and not (u[0].isalpha() and rest[-1].isalpha()):
            return rest, unit
        after = value[len(u):]
        # a symbol before the value ('$12'), or a code with a space ('EUR 225.00')
        if low.startswith(u) and after.strip() and (not u[0].isalnum() or (u.isalpha() and after[:1].isspace())):
            return after.strip(), unit
    return value, ""


def parse_number(text: str, ratios: bool = True) -> Fraction | None:
    """'1,234.5', '-0.75', '.5' (and '3/4' when `ratios`) -> exact value; anything else
    ('1,5', '3 1/2', '12 apples', '1e3') -> None."""
    t = text.strip()
    if _DECIMAL.fullmatch(t):
        return Fraction(t.replace(",", ""))
    m = _RATIO.fullmatch(t)
    if ratios and m and int(m[2]):
        return Fraction(int(m[1]), int(m[2]))
    return None


def parse_fraction(text: str) -> tuple[int, int] | None:
    """'15/28', '-3/4', '7', '\\frac{15}{28}' -> (numerator, denominator) as written."""
    m = _FRACTION.fullmatch(_TEX_INT_FRAC.sub(r"\1/\2", text.strip()))
    if not m or (m[2] is not None and int(m[2]) == 0):
        return None
    return int(m[1]), int(m[2] or 1)


def split_aside(value: str) -> tuple[str, str | None]:
    """(value, approximate restatement) for '15/28 (about 0.536)'; (value, None) without one."""
    m = _ASIDE.fullmatch(value)
    if not m:
        return value, None
    return m["core"], _ABOUT.sub("", m["paren"] if m["paren"] is not None else m["approx"], count=1).strip()


def _gold_float(params: Mapping[str, Any]) -> float:
    compare = _compare(params)
    if compare == "fraction":
        return float(Fraction(*_gold_fraction(params)))
    if compare == "symbolic":
        return float(parse_exact(params["answer"]))
    return float(_exact(params["answer"]))


def aside_problem(params: Mapping[str, Any], aside: str, trace: list[str]) -> str | None:
    """Why an approximate restatement does not agree with the answer (None: it agrees)."""
    per = {u.casefold(): c["per"] for c in params.get("aside_units", []) for u in c["units"]}
    core, unit = split_unit(aside, ("%", *per))
    got = parse_number(core, ratios=False)
    if got is None or _compare(params) == "text":
        return f"{aside!r} beside the answer is extra words; the line should hold the value"
    scale = 100 if unit == "%" else 1
    half_unit = Fraction(1, 2 * 10 ** len(core.partition(".")[2])) / scale
    gold = _gold_float(params) / per.get(unit.casefold(), 1)
    trace.append(f"aside {aside!r}: |{float(got / scale):.10g} - {gold:.10g}| <= {float(half_unit):g}?")
    if abs(float(got / scale) - gold) > half_unit:
        return f"the aside {aside!r} does not restate the answer {gold:.10g}"
    return None


def _show(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{float(x):.10g}"


def _exact(x: float | int) -> Fraction:
    return Fraction(str(x))  # the decimal as written in the pack, not its binary approximation


# -- exact expressions (sympy, imported only when a scenario compares symbolically) ----------------

MAX_CHARS = 120
MAX_EXPONENT = 1000  # |numerator| of any exponent; a root index up to this too
MAX_BITS = 100_000  # size of a rational power's result: 2^100000 is fine, 9^9^9 is refused
MAX_IRRATIONAL_EXPONENT = 12  # (sqrt(2)+sqrt(3))^12 expands quickly; ^64 products of such take seconds
_NAMES = ("sqrt", "pi")
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z]+)|(?P<op>\*\*|[-+*/^()]))")
_SPELLINGS = (("√", "sqrt"), ("π", "pi"), ("×", "*"), ("·", "*"), ("⋅", "*"), (r"\cdot", "*"),
              (r"\times", "*"), (r"\pi", "pi"), (r"\left", ""), (r"\right", ""))
_TEX_SQRT = re.compile(r"\\sqrt\{([^{}]*)\}")
_TEX_FRAC = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_BARE_ROOT = re.compile(r"sqrt\s*(\d+)")  # 'sqrt3', '√3' -> sqrt(3)
_GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d.])")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"unexpected {text[pos:].strip()[:1]!r}")
        kind = m.lastgroup or ""
        tok = m[kind]
        if kind == "name" and tok.lower() not in _NAMES:
            raise ValueError(f"unknown word {tok!r} (only sqrt and pi are understood)")
        if kind == "num" and "." in tok:
            raise ValueError(f"{tok} is a decimal approximation; an exact value is asked")
        out.append((kind, tok.lower()))
        pos = m.end()
    return out


def _python_source(text: str) -> str:
    """Whitelisted tokens as Python source, with implicit products made explicit ('24sqrt(3)')."""
    t = _TEX_FRAC.sub(r"((\1)/(\2))", _TEX_SQRT.sub(r"sqrt(\1)", text))  # roots first: they nest in fractions
    for old, new in _SPELLINGS:
        t = t.replace(old, new)
    t = _BARE_ROOT.sub(r"sqrt(\1)", t.replace("{", "(").replace("}", ")"))
    t = _GROUPED.sub(lambda m: m[0].replace(",", ""), t).strip()
    if len(t) > MAX_CHARS:
        raise ValueError(f"longer than {MAX_CHARS} characters")
    out: list[str] = []
    prev = ("", "")
    for kind, tok in _tokens(t):
        if (prev[0] == "num" or prev[1] in (")", "pi")) and (tok == "(" or kind == "name"):
            out.append("*")
        out.append("**" if tok == "^" else tok)
        prev = (kind, tok)
    return " ".join(out)


def _bounded(expr: "Expr") -> "Expr":
    """Rebuild an unevaluated expression bottom-up, refusing powers whose result would be huge."""
    import sympy
    if not expr.args:
        return expr
    args = [_bounded(a) for a in expr.args]
    if expr.func is sympy.Pow:
        base, exp = args
        if not exp.is_Rational or abs(exp.p) > MAX_EXPONENT or exp.q > MAX_EXPONENT:
            raise ValueError(f"exponent {exp} is out of range")
        if base.is_Rational:
            if max(abs(base.p).bit_length(), base.q.bit_length()) * abs(exp.p) > MAX_BITS:
                raise ValueError("the power is too large to evaluate")
        elif abs(exp.p) > MAX_IRRATIONAL_EXPONENT:
            raise ValueError(f"exponent {exp} is out of range")
    return expr.func(*args)


def parse_exact(text: str) -> "Expr":
    """An exact value from a whitelisted expression; ValueError says why it is not one."""
    import sympy
    from sympy.parsing.sympy_parser import auto_number, parse_expr

    source = _python_source(text)
    if not source:
        raise ValueError("empty expression")

    def root(x: "Expr", evaluate: bool = False) -> "Expr":  # parse_expr passes evaluate=False
        return sympy.Pow(x, sympy.Rational(1, 2), evaluate=False)

    names = {"__builtins__": {}, "Integer": sympy.Integer, "Add": sympy.Add, "Mul": sympy.Mul,
             "Pow": sympy.Pow, "sqrt": root, "pi": sympy.pi}
    try:
        raw = parse_expr(source, local_dict={}, global_dict=names, transformations=(auto_number,),
                         evaluate=False)
    except Exception:  # sympy raises many types on malformed input; the tokens are whitelisted
        raise ValueError("not a well-formed expression") from None
    value = _bounded(raw)
    if value.is_finite is not True:
        raise ValueError("not a finite number (division by zero?)")
    return value


def same_value(a: "Expr", b: "Expr") -> bool:
    """Exact equality: a cheap numeric screen, then sympy's proof."""
    import sympy
    diff = a - b
    # sympy Floats, not Python floats: a value such as 2^99999 must not overflow
    if sympy.Abs(diff).evalf(30) > sympy.Float("1e-20", 30) * (1 + sympy.Abs(b).evalf(30)):
        return False
    return sympy.simplify(diff) == 0 or diff.equals(0) is True


# -- the comparisons: (params, unwrapped value, trace) -> problem or None -------------------------

def _compare(params: Mapping[str, Any]) -> str:
    return params.get("compare", "text" if isinstance(params["answer"], str) else "number")


def _check_number(params: Mapping[str, Any], value: str, trace: list[str]) -> str | None:
    units = params.get("units", LEGACY_UNITS)
    core, unit = split_unit(value, units)
    decimals = params.get("decimals")
    got = parse_number(core, ratios=decimals is None and "sig_figs" not in params)
    if got is None:
        if decimals is not None and _RATIO.fullmatch(core):
            return f"{core!r} is a fraction; the prompt asks for a decimal rounded to {decimals} places"
        words = _NUMBER_THEN_WORDS.fullmatch(core)
        if words:
            asked = ", ".join(units) or "the number alone is asked"
            return f"{words[1]!r} after the number is not an accepted unit ({asked})"
        return f"{value!r} is not a plain number"
    trace.append(f"{value!r}: number {core}" + (f", unit {unit!r}" if unit else ""))
    if decimals is not None:
        places = len(core.partition(".")[2].rstrip("0"))
        trace.append(f"{places} decimal places, at most {decimals} asked")
        if places > decimals:
            return f"{core} has {places} decimal places; the prompt asks for rounding to {decimals}"
    gold = _exact(params["answer"])
    if "sig_figs" in params:
        return _check_precision(params["sig_figs"], core, got, gold, trace)
    allowed = max(_exact(params.get("tolerance", DEFAULT_TOLERANCE)),
                  _exact(params.get("rel_tolerance", 0)) * abs(gold))
    trace.append(f"|{_show(got)} - {_show(gold)}| <= {_show(allowed)}?")
    if abs(got - gold) > allowed:
        return f"answered {_show(got)}, expected {_show(gold)} ({_tolerance_text(params)})"
    return None


def _check_precision(sig_figs: int, core: str, got: Fraction, gold: Fraction, trace: list[str]) -> str | None:
    """At least `sig_figs` significant figures written, each of them right: the value is the
    gold rounded at the written precision, within half a unit of the last digit."""
    whole, _, places = core.lstrip("+-").replace(",", "").partition(".")
    written = len((whole + places).lstrip("0"))
    half_unit = Fraction(1, 2 * 10 ** len(places))
    trace.append(f"{written} significant figures, at least {sig_figs} asked; |{_show(got)} - {_show(gold)}| <= {_show(half_unit)}?")
    if written < sig_figs:
        return f"{core} has {written} significant figures; the prompt asks for at least {sig_figs}"
    if abs(got - gold) > half_unit:
        return f"answered {core}, expected {_show(gold)} rounded to the digits written"
    return None


def _tolerance_text(params: Mapping[str, Any]) -> str:
    if "sig_figs" in params:
        return f"at least {params['sig_figs']} significant figures, each right"
    if "rel_tolerance" in params:
        return f"within {params['rel_tolerance']:.4g} relative"
    tolerance = params.get("tolerance", DEFAULT_TOLERANCE)
    return "exactly" if tolerance == 0 else f"within {tolerance:g}"


def _check_fraction(params: Mapping[str, Any], value: str, trace: list[str]) -> str | None:
    core, unit = split_unit(value, params.get("units", ()))
    parts = parse_fraction(core)
    if parts is None:
        if parse_number(core, ratios=False) is not None:
            return f"{core!r} is a decimal; the prompt asks for an exact fraction"
        return f"{value!r} is not a fraction a/b"
    got = Fraction(*parts)
    trace.append(f"{value!r}: fraction {parts[0]}/{parts[1]} = {got}" + (f", unit {unit!r}" if unit else ""))
    if params.get("lowest_terms"):
        trace.append("lowest terms asked")
        if math.gcd(*parts) != 1:
            return f"{parts[0]}/{parts[1]} is not in lowest terms ({got})"
    gold = Fraction(*_gold_fraction(params))
    if got != gold:
        return f"answered {got}, expected {gold}"
    return None


def _check_symbolic(params: Mapping[str, Any], value: str, trace: list[str]) -> str | None:
    core, unit = split_unit(value, params.get("units", ()))
    try:
        got = parse_exact(core)
    except ValueError as exc:
        return f"{value!r} is not an exact value: {exc}"
    gold = parse_exact(params["answer"])
    trace.append(f"{value!r}: exact value {got}" + (f", unit {unit!r}" if unit else "") + f"; equal to {gold}?")
    if not same_value(got, gold):
        return f"answered {got}, expected {gold}"
    return None


def _check_text(params: Mapping[str, Any], value: str, trace: list[str]) -> str | None:
    accepted = [params["answer"], *params.get("accept", [])]
    trace.append(f"{value!r}: one of {accepted!r}?")
    if normalize(value) in {normalize(a) for a in accepted}:
        return None
    return f"answered {value!r}, expected {params['answer']!r}"


_CHECKS: dict[str, Callable[[Mapping[str, Any], str, list[str]], str | None]] = {
    "number": _check_number, "fraction": _check_fraction, "symbolic": _check_symbolic, "text": _check_text,
}


def _gold_fraction(params: Mapping[str, Any]) -> tuple[int, int]:
    parts = parse_fraction(str(params["answer"]))
    assert parts is not None  # checked when the pack loads
    return parts


def _expected(params: Mapping[str, Any]) -> str:
    compare = _compare(params)
    shown = params["answer"]
    notes: list[str] = []
    if compare == "number":
        notes.append(_tolerance_text(params))
        if "decimals" in params:
            shown = f"{shown:.{params['decimals']}f}"
            notes.append(f"at most {params['decimals']} decimal places")
    elif compare == "fraction":
        notes.append("an exact fraction" + (" in lowest terms" if params.get("lowest_terms") else ""))
    elif compare == "symbolic":
        notes.append(f"= {parse_exact(params['answer'])}, or any exact equivalent; no decimals")
    elif params.get("accept"):
        notes.append("or " + " / ".join(params["accept"]))
    if params.get("units"):
        notes.append("unit optional: " + " / ".join(params["units"]))
    return f"{params.get('prefix', 'ANSWER:')} {shown} ({'; '.join(notes)})"


# -- the verifier ------------------------------------------------------------------------------

def judge(params: Mapping[str, Any], text: str) -> Verdict:
    """Verdict for a whole response text."""
    prefix = params.get("prefix", "ANSWER:")
    want = _expected(params)
    values = [v for v in answer_lines(text, prefix) if v]
    if not values:
        return Verdict.fail("no_answer_found", f"no non-empty line starting with {prefix!r}", expected=want)
    trace = [f"answer lines: {values!r}"]
    after = text_after_answer(text, prefix)
    if re.search(r"\w", after):
        detail = f"text after the last {prefix!r} line ({' '.join(after.split())[:60]!r}); the prompt asks to end with it"
        return Verdict.fail("wrong_answer", detail, trace + [detail], expected=want)
    check = _CHECKS[_compare(params)]
    problems = [f"the answer is {len(v)} characters long; a value is expected" if len(v) > MAX_VALUE_CHARS
                else _check_line(params, check, unwrap(v), trace) for v in values]
    wrong = [p for p in problems if p]
    if not wrong:
        return Verdict.ok(trace + ["every answer line is right"])
    if len(wrong) < len(values):
        detail = f"{len(values)} answer lines disagree ({wrong[0]})"
    else:
        detail = wrong[-1]
    return Verdict.fail("wrong_answer", detail, trace + [detail], expected=want)


def _check_line(params: Mapping[str, Any], check: Callable[[Mapping[str, Any], str, list[str]], str | None],
                value: str, trace: list[str]) -> str | None:
    whole: list[str] = []
    problem = check(params, value, whole)
    core, aside = split_aside(value)
    if problem is None or aside is None:  # 'mpg (US)' is a unit, '(3^13 - 1)/2' a value
        trace += whole
        return problem
    return check(params, core, trace) or aside_problem(params, aside, trace)


def check_params(params: Mapping[str, Any], scenario) -> str | None:
    """Meaning checks at load time: parameters that fit the comparison, a valid gold value,
    a prompt that asks for the answer line and does not itself hold a passing one."""
    compare = _compare(params)
    answer = params["answer"]
    stray = [k for k, where in _APPLIES.items() if k in params and compare not in where]
    if stray:
        return f"{stray[0]} does not apply to compare: {compare}"
    if (compare == "number") != isinstance(answer, (int, float)):
        return f"compare: {compare} needs a {'numeric' if compare == 'number' else 'string'} answer, got {answer!r}"
    problem = _gold_problem(params, compare)
    if problem:
        return problem
    prefix = params.get("prefix", "ANSWER:")
    prompt = "\n".join(m["content"] for m in scenario.messages)
    if prefix.casefold() not in prompt.casefold():
        return f"no message asks for the {prefix!r} line"
    if judge(params, prompt).passed:
        return f"the prompt, echoed back, passes: it holds a {prefix!r} line with the right value"
    return None


def _gold_problem(params: Mapping[str, Any], compare: str) -> str | None:
    answer = params["answer"]
    if compare == "number" and "decimals" in params and (_exact(answer) * 10 ** params["decimals"]).denominator != 1:
        return f"answer {answer} has more than {params['decimals']} decimal places"
    if compare == "fraction":
        parts = parse_fraction(answer)
        if parts is None:
            return f"answer {answer!r} is not a fraction a/b"
        if params.get("lowest_terms") and math.gcd(*parts) != 1:
            return f"answer {answer!r} is not in lowest terms"
    if compare == "symbolic":
        try:
            parse_exact(answer)
        except ValueError as exc:
            return f"answer {answer!r} is not an exact value: {exc}"
    return None


@register("final_answer", SCHEMA, check_params)
def verify_final_answer(params: Mapping[str, Any], scenario, episode) -> Verdict:
    return judge(params, episode.final.content)
