"""Value normalisation and matching shared by tool mocks and tool-call verification.

Rules (BFCL-style): an expected parameter gives a list of acceptable values; "" in the list
means the parameter may be omitted. Strings compare case-folded with whitespace collapsed
and trailing sentence punctuation dropped; int and float compare as numbers; a bool never
equals a number; lists and dicts compare element-wise.

Free text (an email body, a search query) cannot be listed value by value: an acceptable
value may instead be `{"$contains": [...]}`, a non-blank string containing every listed
phrase (an item may be a list of alternative phrases; word-boundary, case-insensitive).
An empty list accepts any non-blank string. `"$excludes": [phrases]` beside it refuses a
string containing any of them (what would say the opposite of what was asked).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from .text import contains_phrase

_SPACE = re.compile(r"\s+")
OMITTED = ""
CONTAINS = "$contains"
EXCLUDES = "$excludes"


@dataclass(frozen=True)
class _Bool:
    """A normalised bool: equal only to the same bool (Python's True == 1.0 must not leak in)."""
    value: bool


def normalize(value: Any) -> Any:
    if isinstance(value, bool):
        return _Bool(value)
    if value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return _SPACE.sub(" ", value).strip().rstrip(".;,!").casefold()
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items()}
    return value


def acceptable(spec: Any) -> list[Any]:
    """A parameter spec is one value or a list of alternatives; a list value must be nested."""
    return list(spec) if isinstance(spec, list) else [spec]


def is_text_spec(value: Any) -> bool:
    return isinstance(value, Mapping) and CONTAINS in value


def text_matches(actual: Any, spec: Mapping[str, Any]) -> bool:
    return isinstance(actual, str) and bool(actual.strip()) and all(
        any(contains_phrase(actual, p) for p in (item if isinstance(item, list) else [item]))
        for item in spec[CONTAINS]) and not any(contains_phrase(actual, p) for p in spec.get(EXCLUDES, []))


def spec_problem(spec: Any) -> str | None:
    """Why an argument spec is malformed (a `$...` key other than a well-formed $contains, with
    an optional $excludes), or None."""
    for v in acceptable(spec):
        if isinstance(v, Mapping) and any(str(k).startswith("$") for k in v):
            items, excluded = v.get(CONTAINS), v.get(EXCLUDES, [])
            if CONTAINS not in v or set(v) - {CONTAINS, EXCLUDES} or not isinstance(items, list) or not all(
                    (isinstance(i, str) and i.strip()) or
                    (isinstance(i, list) and i and all(isinstance(a, str) and a.strip() for a in i)) for i in items) \
                    or not isinstance(excluded, list) or not all(isinstance(e, str) and e.strip() for e in excluded):
                return (f"{dict(v)!r}: only {{{CONTAINS!r}: [phrase or [alternatives], ...], "
                        f"{EXCLUDES!r}: [phrase, ...]}} is understood")
    return None


def value_matches(actual: Any, spec: Any) -> bool:
    got = normalize(actual)
    return any(text_matches(actual, v) if is_text_spec(v) else got == normalize(v)
               for v in acceptable(spec) if not (isinstance(v, str) and v == OMITTED))


def unmatched_text(actual: Any, spec: Any) -> str:
    """Why a string fails a free-text spec: the phrases it lacks, the excluded ones it holds
    ("" when the spec has no text alternative, or the value is not a string)."""
    for v in acceptable(spec):
        if is_text_spec(v) and isinstance(actual, str):
            items = [i if isinstance(i, list) else [i] for i in v[CONTAINS]]
            lacks = [" or ".join(repr(p) for p in i) for i in items if not any(contains_phrase(actual, p) for p in i)]
            holds = [repr(e) for e in v.get(EXCLUDES, []) if contains_phrase(actual, e)]
            return "; ".join(([f"lacks {', '.join(lacks)}"] if lacks else []) +
                             ([f"says {', '.join(holds)}, which it must not"] if holds else []))
    return ""


def arguments_match(arguments: Mapping[str, Any], when: Mapping[str, Any]) -> bool:
    """Mock selection: every listed argument is present (or allowed to be omitted) and acceptable."""
    for name, spec in when.items():
        if name not in arguments:
            if OMITTED not in acceptable(spec):
                return False
        elif not value_matches(arguments[name], spec):
            return False
    return True


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list, tuple), "object": (dict,), "null": (type(None),),
}


def type_problem(value: Any, schema: Mapping[str, Any] | None) -> str | None:
    if not schema or "type" not in schema:
        return None
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    for t in types:
        ok = isinstance(value, _JSON_TYPES.get(t, (object,)))
        if t in ("integer", "number") and isinstance(value, bool):
            ok = False
        if t == "integer" and isinstance(value, float):
            ok = value.is_integer()
        if ok:
            return None
    return f"is {type(value).__name__}, the tool declares {'/'.join(types)}"


def call_problems(name: str, arguments: Mapping[str, Any] | None, expected: Mapping[str, Any],
                  parameters: Mapping[str, Any] | None) -> list[str]:
    """Why an actual call does not match an expected one (empty list: it matches)."""
    if name != expected["name"]:
        return [f"called {name}, expected {expected['name']}"]
    if arguments is None:
        return [f"{name}: arguments are not a JSON object"]
    want: Mapping[str, Any] = expected.get("args", {})
    props: Mapping[str, Any] = (parameters or {}).get("properties", {})
    problems = [f"{name}: unexpected argument {k}={arguments[k]!r}" for k in arguments if k not in want]
    for k, spec in want.items():
        if k not in arguments:
            if OMITTED not in acceptable(spec):
                problems.append(f"{name}: missing argument {k}")
            continue
        wrong_type = type_problem(arguments[k], props.get(k))
        if wrong_type:
            problems.append(f"{name}: argument {k}={arguments[k]!r} {wrong_type}")
        elif not value_matches(arguments[k], spec):
            shown = [v for v in acceptable(spec) if v != OMITTED]
            problems.append(f"{name}: argument {k}={arguments[k]!r}, acceptable {shown!r}")
    return problems


def best_assignment(actual: Sequence[Any], expected: Sequence[Any],
                    problems_of: Callable[[Any, Any], list[str]]) -> tuple[int, list[str]]:
    """Match a group of expected calls to the same number of actual calls, in any order.

    `actual` may be shorter (the model stopped early): missing slots are None. Groups are
    small (parallel calls of one step), so every permutation is tried.
    Returns how many expected calls matched and the problems of the best assignment."""
    slots = list(actual) + [None] * (len(expected) - len(actual))
    best: tuple[int, list[str]] = (-1, [])
    for order in itertools.permutations(range(len(slots)), len(expected)):
        problems: list[str] = []
        matched = 0
        for exp, j in zip(expected, order):
            p = problems_of(slots[j], exp)
            matched += not p
            problems += p
        if matched > best[0]:
            best = (matched, problems)
            if matched == len(expected):
                break
    return best
