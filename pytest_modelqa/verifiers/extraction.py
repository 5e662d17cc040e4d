"""`field_extraction`: score a JSON extraction field by field against a target document.

`expected` is flattened into atomic fields. Each is compared by its type: numbers within a
tolerance, strings normalised (case, spacing, punctuation, diacritics, listed equivalents),
codes ignoring spaces and separators, street lines (`address`) also with street types
spelt out ("St" = "Street"), dates and times canonicalised. Arrays of records are
matched by a key field, not by position; arrays of scalars as unordered multisets.
Score = right / (expected fields + fields charged for extra records and elements); the
scenario passes when the score reaches `threshold` and every `distractors` field and every
identifier (a field typed `code`) is right.

Decisions, each closing a way to score without extracting:
- An expected null means the document does not say. Only an explicit null is right: a
  guessed value or an omitted key is wrong, so `{}` earns nothing for nulls. The loader
  rejects a scenario whose all-null answer would reach the threshold.
- Extra keys in an object are ignored (and noted in the trace): they cannot change a
  requested field. Extra array records and elements cost fields, so listing every candidate
  (the voided item, the old address) is not free.
- Types are strict: "39.82" is not the number 39.82 and 83704 is not the string "83704";
  the prompts state every field's type.
- Numeric dates such as 03/04/2026 are read only when the scenario states the document's
  convention (`date_order`); ISO and month-name forms are always read.
- `distractors` names the fields (pointer patterns; an array's pointer covers its records,
  elements and extras) where the document plants a tempting wrong value. The threshold
  forgives a slip elsewhere, never one of these: falling for a planted distractor fails
  the scenario, whatever the score (which stays the fraction right).
- Identifiers (fields typed `code`: a booking reference, a tracking number, a postcode, a
  phone number) are never forgiven by the threshold either: one wrong character names
  another booking or parcel, so it is no slip (they already compare ignoring spaces, case
  and separators). Nor are dates and times: 06:42 for 18:42, or the 14th for the 13th, is
  another moment, not a slip.
- A numeric tolerance is no wider than the precision the prompt asks for: where it asks to
  round to one decimal, the rounded value is exact (tolerance 0), so 88.6 for 88.5 fails.
- `summary` (with prose_allowed): the prompt asks for prose before the JSON; the text before
  the first code fence must have exactly `sentences` sentences and state each `include`
  entry (a phrase, or a list of alternative phrasings), or the scenario fails.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from . import Verdict, register
from .counting import sentences
from .jsonout import payload
from .matching import normalize
from .text import contains_phrase

RULE = {
    "type": "object",
    "required": ["type"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["number", "string", "code", "date", "time", "address"]},
        "tolerance": {"type": "number", "minimum": 0, "description": "absolute; numbers only"},
    },
}
SCHEMA = {
    "required": ["expected", "threshold"],
    "additionalProperties": False,
    "properties": {
        "expected": {"type": "object", "minProperties": 1, "description": "the target JSON document"},
        "fields": {
            "type": "object", "propertyNames": {"pattern": "^/"}, "additionalProperties": RULE,
            "description": "JSON Pointer with * for array elements -> typing rule",
        },
        "match_arrays_by": {
            "type": "object", "propertyNames": {"pattern": "^/"},
            "additionalProperties": {"type": "string", "minLength": 1},
            "description": "pointer (with * for array elements) of an array of records -> key field",
        },
        "equivalent": {
            "type": "array",
            "items": {"type": "array", "minItems": 2, "items": {"type": "string", "minLength": 1}},
            "description": "groups of strings that count as the same value",
        },
        "date_order": {"enum": ["dmy", "mdy"], "description": "how the document writes numeric dates"},
        "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "prose_allowed": {"type": "boolean", "description": "text around one fenced JSON block is tolerated"},
        "distractors": {
            "type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "pattern": "^/"},
            "description": "field patterns holding a planted distractor: any wrong one fails the scenario",
        },
        "summary": {
            "type": "object", "required": ["sentences", "include"], "additionalProperties": False,
            "description": "the prose asked for before the JSON",
            "properties": {
                "sentences": {"type": "integer", "minimum": 1},
                "include": {"type": "array", "minItems": 1, "items": {"oneOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}]}},
            },
        },
    },
}

NUMBER_EPS = 1e-6  # float noise: 69.9 - 69.8 is 0.10000000000000853
MISSING: Any = object()  # a key the answer does not have (distinct from an explicit null)

# ------------------------------------------------------------------------------ canonical forms

_PUNCT = re.compile(r"[.,;:!?'\"’‘“”()\[\]]")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})


def loose_text(text: str) -> str:
    """normalize() plus: punctuation dropped, dashes unified, diacritics folded
    ("Dr. Renée O'Neil," == "dr renee oneil")."""
    t = unicodedata.normalize("NFKD", normalize(text).translate(_DASHES))
    t = "".join(c for c in t if not unicodedata.combining(c))
    return " ".join(_PUNCT.sub("", t).split())


# Street-type abbreviations a document or an answer may use for the same street line.
_STREET_WORDS = {"st": "street", "rd": "road", "dr": "drive", "ave": "avenue", "av": "avenue", "ln": "lane",
                 "blvd": "boulevard", "ct": "court", "pl": "place", "sq": "square", "hwy": "highway",
                 "pkwy": "parkway", "cres": "crescent", "terr": "terrace", "c/": "calle", "str": "strasse",
                 "straße": "strasse"}


def address_text(text: str) -> str:
    """A street line compared loosely, with street types spelt out: "88 Wharf St." ==
    "88 Wharf Street", "C/ Ribera 14" == "Calle Ribera 14"."""
    return " ".join(_STREET_WORDS.get(w, w) for w in loose_text(text).split())


def code_text(text: str) -> str:
    """Identifiers compare without spaces and separators: "NP 4471-2290" == "np44712290"; a
    number sign before one is no part of it ("#BX-559310", as order numbers are printed)."""
    return re.sub(r"[\s\-–—./]", "", text).lstrip("#").upper()


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_MONTHS = ({m: i for i, m in enumerate(_MONTH_NAMES, 1)} | {m[:3]: i for i, m in enumerate(_MONTH_NAMES, 1)}
           | {"sept": 9})
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_INDEX = {w: i for i, w in enumerate(_WEEKDAYS)} | {w[:3]: i for i, w in enumerate(_WEEKDAYS)}
_WEEKDAY = re.compile(r"^([a-z]+)\.?,?\s+")
_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _make_date(y: str, m: int | None, d: str) -> date | None:
    try:
        return date(int(y), m, int(d)) if m else None
    except ValueError:
        return None


def parse_date(text: str, order: str | None = None) -> date | None:
    """ISO, "3 March 2026", "March 3, 2026", optionally after a weekday (which must be the
    right one); "03/04/2026" only with a stated order (dmy or mdy)."""
    t = " ".join(text.casefold().split())
    weekday = None
    m = _WEEKDAY.match(t)
    if m and m.group(1) in _WEEKDAY_INDEX:
        weekday = _WEEKDAY_INDEX[m.group(1)]
        t = t[m.end():]
    found: date | None = None
    if m := _ISO.match(t):
        found = _make_date(m.group(1), int(m.group(2)), m.group(3))
    elif m := _DAY_MONTH.match(t):
        found = _make_date(m.group(3), _MONTHS.get(m.group(2)), m.group(1))
    elif m := _MONTH_DAY.match(t):
        found = _make_date(m.group(3), _MONTHS.get(m.group(1)), m.group(2))
    elif (m := _NUMERIC.match(t)) and order:
        day, month = (m.group(1), m.group(2)) if order == "dmy" else (m.group(2), m.group(1))
        found = _make_date(m.group(3), int(month), day)
    if found is None or (weekday is not None and found.weekday() != weekday):
        return None
    return found


_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(?::00)?\s*(?:([ap])\.?\s*m\.?)?$")


def parse_time(text: str) -> str | None:
    """"08:40", "8:40", "8.40 am", "8 pm", "20h40" -> "HH:MM"; a bare "8" is not a time."""
    m = _TIME.match(text.strip().casefold())
    if not m or (m.group(2) is None and m.group(3) is None):
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m.group(3) == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ------------------------------------------------------------------------------ the comparison

@dataclass(frozen=True)
class Spec:
    rules: Mapping[str, Mapping[str, Any]]
    keys: Mapping[str, str]
    groups: Mapping[str, int]  # loose text -> equivalence group
    date_order: str | None

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> "Spec":
        groups = {loose_text(s): i for i, group in enumerate(params.get("equivalent", [])) for s in group}
        return cls(params.get("fields", {}), params.get("match_arrays_by", {}), groups, params.get("date_order"))

    def kind(self, exp: Any, pattern: str) -> str:
        if exp is None:
            return "null"
        if pattern in self.rules:
            return self.rules[pattern]["type"]
        if isinstance(exp, bool):
            return "boolean"
        return "number" if _is_number(exp) else "string"

    def text_key(self, text: str) -> str | int:
        loose = loose_text(text)
        return self.groups.get(loose, loose)

    def same(self, exp: Any, got: Any, pattern: str) -> bool:
        kind = self.kind(exp, pattern)
        if kind == "null":
            return got is None
        if kind == "boolean":
            return isinstance(got, bool) and got == exp
        if kind == "number":
            tolerance = self.rules.get(pattern, {}).get("tolerance", 0)
            return _is_number(got) and abs(got - exp) <= tolerance + NUMBER_EPS
        if not isinstance(got, str):
            return False
        if kind == "date":
            return parse_date(got, self.date_order) == date.fromisoformat(exp)
        if kind == "time":
            return parse_time(got) == exp
        if kind == "code":
            return code_text(got) == code_text(exp)
        if kind == "address":
            return address_text(got) == address_text(exp)
        return self.text_key(got) == self.text_key(exp)

    def hint(self, exp: Any, got: Any, pattern: str) -> str:
        kind = self.kind(exp, pattern)
        tol = self.rules.get(pattern, {}).get("tolerance")
        if got is MISSING or got is None or kind == "null":
            return ""
        if kind in ("number", "boolean") and isinstance(got, str):
            return f" (a string; a JSON {kind} is asked)"
        if kind not in ("number", "boolean") and not isinstance(got, str):
            return " (a string is asked)"
        if kind == "number" and tol:
            return f" (±{tol:g})"
        return {"date": " (as a date)", "time": " (as a time)"}.get(kind, "")


@dataclass
class Tally:
    right: int = 0
    charged: int = 0  # wrong fields, including fields charged for extra records
    wrong: list[str] = field(default_factory=list)
    wrong_patterns: list[str] = field(default_factory=list)  # the field pattern of each wrong line
    lines: list[str] = field(default_factory=list)  # every check made, in document order

    def ok(self, line: str) -> None:
        self.right += 1
        self.lines.append(line)

    def bad(self, line: str, pattern: str, cost: int = 1) -> None:
        self.charged += cost
        self.wrong.append(line)
        self.wrong_patterns.append(pattern)
        self.lines.append(line)

    @property
    def total(self) -> int:
        return self.right + self.charged

    @property
    def score(self) -> float:
        return self.right / self.total if self.total else 0.0


def show(value: Any) -> str:
    if value is MISSING:
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _seg(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def leaves(exp: Any) -> int:
    if isinstance(exp, dict):
        return sum(leaves(v) for v in exp.values())
    if isinstance(exp, list):
        return sum(leaves(v) for v in exp) or 1
    return 1


def compare(exp: Any, got: Any, pattern: str, where: str, spec: Spec, tally: Tally) -> None:
    if isinstance(exp, dict):
        _object(exp, got, pattern, where, spec, tally)
    elif isinstance(exp, list) and not exp:
        if got == []:
            tally.ok(f"{where}: [] ok")
        else:
            tally.bad(f"{where}: got {show(got)}, expected []", pattern)
    elif isinstance(exp, list) and pattern in spec.keys:
        _records(exp, got, pattern, where, spec, tally)
    elif isinstance(exp, list):
        _scalars(exp, got, pattern, where, spec, tally)
    elif spec.same(exp, got, pattern):
        tally.ok(f"{where}: {show(got)} ok")
    else:
        tally.bad(f"{where}: got {show(got)}, expected {show(exp)}{spec.hint(exp, got, pattern)}", pattern)


def _container(got: Any, want: type, where: str, tally: Tally) -> Any:
    """`got` if it is the container asked for, else MISSING (with a note unless it was absent)."""
    if isinstance(got, want):
        return got
    if got is not MISSING:
        tally.lines.append(f"{where or '/'}: got {show(got)}, expected a JSON {'object' if want is dict else 'array'}")
    return MISSING


def _object(exp: dict, got: Any, pattern: str, where: str, spec: Spec, tally: Tally) -> None:
    obj = _container(got, dict, where, tally)
    for key, value in exp.items():
        compare(value, MISSING if obj is MISSING else obj.get(key, MISSING),
                f"{pattern}/{_seg(key)}", f"{where}/{_seg(key)}", spec, tally)
    if obj is not MISSING:
        tally.lines.extend(f"{where}/{_seg(k)}: extra key ignored" for k in obj if k not in exp)


def _records(exp: list, got: Any, pattern: str, where: str, spec: Spec, tally: Tally) -> None:
    """Answered records pair with expected ones by key; unpaired expected records lose their
    fields, unpaired answered records are charged as many fields as the smallest record."""
    key = spec.keys[pattern]
    key_pattern = f"{pattern}/*/{_seg(key)}"
    answered = _container(got, list, where, tally)
    unused = list(range(len(exp)))
    paired: dict[int, Any] = {}
    extras: list[Any] = []
    for record in [] if answered is MISSING else answered:
        i = next((i for i in unused if isinstance(record, dict) and key in record
                  and spec.same(exp[i][key], record[key], key_pattern)), None)
        if i is None:
            extras.append(record)
        else:
            unused.remove(i)
            paired[i] = record
    for i, record in enumerate(exp):
        compare(record, paired.get(i, MISSING), f"{pattern}/*", f"{where}[{key}={show(record[key])}]", spec, tally)
    cost = min(leaves(r) for r in exp)
    for record in extras:
        tally.bad(f"{where}: got extra record {show(record)}, expected none (costs {cost} fields)", pattern, cost)


def _scalars(exp: list, got: Any, pattern: str, where: str, spec: Spec, tally: Tally) -> None:
    """Unordered: each expected element pairs with an equal unused answered one."""
    answered = _container(got, list, where, tally)
    rest = [] if answered is MISSING else list(answered)
    for value in exp:
        j = next((j for j, g in enumerate(rest) if spec.same(value, g, f"{pattern}/*")), None)
        if j is None:
            tally.bad(f"{where}: got no element {show(value)}, expected one", pattern)
        else:
            tally.ok(f"{where}: element {show(rest.pop(j))} ok")
    for extra in rest:
        tally.bad(f"{where}: got extra element {show(extra)}, expected none", pattern)


def score_answer(params: Mapping[str, Any], doc: Any) -> Tally:
    tally = Tally()
    compare(params["expected"], doc, "", "", Spec.of(params), tally)
    return tally


# ------------------------------------------------------------------------------ load-time checks

def _null_skeleton(exp: Any) -> Any:
    """The laziest plausible answer: every key present, every value null, every array empty."""
    if isinstance(exp, dict):
        return {k: _null_skeleton(v) for k, v in exp.items()}
    return [] if isinstance(exp, list) else None


def _inventory(exp: Any, pattern: str, values: dict[str, list[Any]], arrays: dict[str, list[list]]) -> None:
    """Expected values per field pattern, and arrays per array pattern."""
    if isinstance(exp, dict):
        for k, v in exp.items():
            _inventory(v, f"{pattern}/{_seg(k)}", values, arrays)
    elif isinstance(exp, list):
        arrays.setdefault(pattern, []).append(exp)
        for v in exp:
            _inventory(v, f"{pattern}/*", values, arrays)
    else:
        values.setdefault(pattern, []).append(exp)


def _rule_problem(pattern: str, rule: Mapping[str, Any], found: list[Any]) -> str | None:
    kind = rule["type"]
    if "tolerance" in rule and kind != "number":
        return f"fields[{pattern!r}]: tolerance applies to numbers only"
    for v in found:
        if v is None:
            continue
        if kind == "number" and not _is_number(v):
            return f"fields[{pattern!r}]: expected value {v!r} is not a number"
        if kind != "number" and not isinstance(v, str):
            return f"fields[{pattern!r}]: expected value {v!r} is not a string"
        if kind == "date" and not (re.fullmatch(r"\d{4}-\d\d-\d\d", v) and parse_date(v)):
            return f"fields[{pattern!r}]: expected date {v!r} is not a valid YYYY-MM-DD date"
        if kind == "time" and parse_time(v) != v:
            return f"fields[{pattern!r}]: expected time {v!r} is not a valid HH:MM time"
    return None


def _array_problem(pattern: str, arrays: list[list], spec: Spec) -> str | None:
    items = [x for a in arrays for x in a]
    key = spec.keys.get(pattern)
    if any(isinstance(x, list) for x in items):
        return f"expected{pattern}: arrays of arrays are not supported"
    if not any(isinstance(x, dict) for x in items):
        return f"match_arrays_by[{pattern!r}]: {pattern} holds scalars, not records" if key else None
    if not all(isinstance(x, dict) for x in items):
        return f"expected{pattern}: mixes records and scalars"
    if key is None:
        return f"expected{pattern} holds records: name their key in match_arrays_by"
    for array in arrays:
        if any(not isinstance(r.get(key), (str, int, float)) for r in array):
            return f"match_arrays_by[{pattern!r}]: every record needs a non-null scalar {key!r}"
        key_pattern = f"{pattern}/*/{_seg(key)}"
        for i, a in enumerate(array):
            twin = next((b for b in array[i + 1:] if spec.same(a[key], b[key], key_pattern)), None)
            if twin is not None:
                return f"match_arrays_by[{pattern!r}]: keys {a[key]!r} and {twin[key]!r} match each other"
    return None


def check(params: Mapping[str, Any], scenario) -> str | None:
    spec = Spec.of(params)
    values: dict[str, list[Any]] = {}
    arrays: dict[str, list[list]] = {}
    _inventory(params["expected"], "", values, arrays)
    seen: dict[str, int] = {}
    texts = {loose_text(v) for found in values.values() for v in found if isinstance(v, str)}
    for i, group in enumerate(params.get("equivalent", [])):
        for s in group:
            if seen.setdefault(loose_text(s), i) != i:
                return f"equivalent: {s!r} is in two groups"
        if not texts & {loose_text(s) for s in group}:
            return f"equivalent: no expected value is in {group!r}"
    for pattern, rule in spec.rules.items():
        if pattern not in values:
            return f"fields[{pattern!r}]: no such field in expected (known: {', '.join(values)})"
        problem = _rule_problem(pattern, rule, values[pattern])
        if problem:
            return problem
    for pattern in spec.keys:
        if pattern not in arrays:
            return f"match_arrays_by[{pattern!r}]: no such array in expected"
    for pattern in params.get("distractors", []):
        if pattern not in values and pattern not in arrays:
            return f"distractors: {pattern!r} is no field or array in expected"
    if "summary" in params and not params.get("prose_allowed"):
        return "summary asks for prose before the JSON: set prose_allowed"
    for pattern, found in arrays.items():
        problem = _array_problem(pattern, found, spec)
        if problem:
            return problem
    lazy = score_answer(params, _null_skeleton(params["expected"])).score
    if lazy >= params["threshold"]:
        return (f"an all-null answer scores {lazy:.2f}, not below the threshold {params['threshold']:g}: "
                "too many null fields")
    return None


# ------------------------------------------------------------------------------ the verifier

def _describe(doc: Any) -> str:
    if isinstance(doc, dict):
        return "an object with none of the requested keys" if doc else "an empty object"
    name = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(doc), "a number")
    return f"{name} ({show(doc)})"


def _pointers(wrong: list[str], shown: int = 6) -> str:
    """The wrong fields' pointers for a one-line detail (each trace line starts with one)."""
    names = [line.split(": ", 1)[0] for line in wrong]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def fallen_for(params: Mapping[str, Any], tally: Tally) -> list[str]:
    """The wrong fields that hold a planted distractor (each wrong line's pointer)."""
    planted = params.get("distractors", [])
    return [line.split(": ", 1)[0] for line, p in zip(tally.wrong, tally.wrong_patterns)
            if any(p == d or p.startswith(d + "/") for d in planted)]


STRICT_TYPES = ("code", "date", "time")  # a wrong one names another booking, day or moment


def wrong_unforgiven(params: Mapping[str, Any], tally: Tally) -> list[str]:
    """The wrong fields typed code, date or time (each wrong line's pointer)."""
    codes = {pattern for pattern, rule in params.get("fields", {}).items() if rule["type"] in STRICT_TYPES}
    return [line.split(": ", 1)[0] for line, p in zip(tally.wrong, tally.wrong_patterns) if p in codes]


def summary_problem(spec: Mapping[str, Any], answer: str) -> tuple[str | None, str]:
    """(why the prose before the JSON is not the summary asked for, or None; the trace line)."""
    fence = answer.find("```")
    before = answer[:fence] if fence >= 0 else ""
    found = sentences(before)
    missing = [e if isinstance(e, str) else " / ".join(e) for e in spec["include"]
               if not any(contains_phrase(before, a) for a in ([e] if isinstance(e, str) else e))]
    line = f"summary before the JSON: {len(found)} sentence(s), {spec['sentences']} asked"
    if len(found) != spec["sentences"]:
        return line, line
    if missing:
        why = f"summary before the JSON does not state {', '.join(repr(m) for m in missing)}"
        return why, why
    return None, line + f", states all {len(spec['include'])} facts"


@register("field_extraction", SCHEMA, check)
def verify_extraction(params: Mapping[str, Any], scenario, episode) -> Verdict:
    expected: dict[str, Any] = params["expected"]
    want = "a JSON object like " + json.dumps(expected, ensure_ascii=False)
    text = payload(episode.final.content, params.get("prose_allowed", False))
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        why = "empty answer" if not text else f"{exc.msg} at line {exc.lineno} col {exc.colno}"
        return Verdict.fail("invalid_json", f"not JSON: {why}", expected=want)
    if not isinstance(doc, dict) or not doc.keys() & expected.keys():
        return Verdict.fail("schema_violation", f"answer is {_describe(doc)}; asked for an object with keys "
                            f"{', '.join(expected)}", expected=want)
    tally = score_answer(params, doc)
    threshold = params["threshold"]
    summary = f"score {tally.score:.3f} = {tally.right}/{tally.total} fields right (pass at {threshold:g})"
    trace = tally.lines + [summary]
    if tally.score < threshold:
        return Verdict.fail("wrong_answer", f"{summary}; wrong: {_pointers(tally.wrong)}", trace,
                            score=tally.score, expected=want)
    fallen = fallen_for(params, tally)
    if fallen:
        why = f"fell for a planted distractor at {', '.join(fallen[:6])} ({summary})"
        return Verdict.fail("wrong_answer", why, trace + [why], score=tally.score, expected=want)
    misnamed = wrong_unforgiven(params, tally)
    if misnamed:
        why = f"an identifier, date or time is wrong at {', '.join(misnamed[:6])} ({summary})"
        return Verdict.fail("wrong_answer", why, trace + [why], score=tally.score, expected=want)
    if "summary" in params:
        problem, line = summary_problem(params["summary"], episode.final.content)
        trace.append(line)
        if problem:
            return Verdict.fail("wrong_answer", problem, trace, score=tally.score, expected=want)
    return Verdict.ok(trace, score=tally.score)
