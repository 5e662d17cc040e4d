"""`instructions`: IFEval-style constraint checks on the final answer text.

Params: `constraints`, a list of `{check: <name>, ...params}`; each check's params are
validated by JSON Schema when the pack loads (an unknown check or parameter is a pack error).
Score = fraction of constraints met; the scenario passes only when all are met. The trace
lists every constraint with ok/FAILED and the measured value ("words: 47, need at least 50").

Counting rules (words, sentences, paragraphs, bullets, ...) live in `counting`.

Honesty rules:
- An answer without a single word (empty, blank, only punctuation or markup) fails EVERY
  constraint, including ones that blank text would trivially meet ("at most 50 words",
  "no commas", "all lowercase", "exclude").
- `lowercase`/`uppercase` also need at least one letter ("42" is not "all lowercase").
- `json` accepts an object or array by default; a bare scalar ("42") is not a JSON answer.
- A scenario whose own prompt, echoed back, meets every constraint is rejected at load.

Checks (relation = any of `exactly`, `at_least`, `at_most`; at_least+at_most is a range):
  words, sentences, paragraphs, characters   relation
  capital_words      relation, ignore (acronyms such as "NYC" that are not emphasis)
  bullets            relation, style: any | unordered | ordered, distinct: bool (a repeated
                     item fails the check: the same tip twice is not two tips)
  placeholders       relation, distinct: bool (count each different placeholder once)
  sections           relation, marker (default "SECTION"); numbered 1..n in order, each
                     with a body
  frequency          phrase, relation (occurrences of one phrase)
  include            phrases (each an entry or a list of alternatives), at_least (default 1)
  include_any        phrases, at_least (how many different entries must appear, default 1)
  exclude            phrases (none may appear)
  pattern            regex, ignore_case (default true), relation (default at least 1), describe
  lowercase, uppercase, no_commas, quoted
  starts_with, ends_with    phrase (or a list of alternatives), case_sensitive (an "exact
                     phrase"); ends_with also own_sentence (the phrase is a sentence of its
                     own); emphasis marks around the whole answer are ignored
  json               type: object | array | any (default object or array), keys, bare (no
                     code fence: the prompt said "no markdown"), schema (a JSON Schema for
                     the keys and types asked), distinct (pointer patterns, "*" for every
                     array element, whose values must all differ: three games, not one twice)
  postscript         marker (default "P.S."): a line starting with it, after the body, in
                     the last paragraph (a postscript ends the text); own_paragraph: the
                     last paragraph is the postscript
  title              first_line: bool; text wrapped in << >>
Phrases match case-insensitively on word boundaries ("cat" is not found in "concatenate");
curly apostrophes count as straight ones.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Mapping

from jsonschema import Draft202012Validator

from . import Verdict, register
from . import counting as C
from .text import unwrap_fence

# ----------------------------------------------------------------------------- schema

_COUNT = {"type": "integer", "minimum": 0}
RELATION = {"exactly": _COUNT, "at_least": _COUNT, "at_most": _COUNT}
# Which relation keys a check needs is a meaning check (clearer messages than anyOf/not).
RELATION_REQUIRED = frozenset({"words", "sentences", "paragraphs", "characters", "capital_words",
                               "bullets", "placeholders", "sections", "frequency"})
_PHRASE = {"type": "string", "minLength": 1, "pattern": r"\S"}
_PHRASE_OR_ALTS = {"oneOf": [_PHRASE, {"type": "array", "minItems": 1, "items": _PHRASE}]}
_PHRASES = {"type": "array", "minItems": 1, "items": _PHRASE_OR_ALTS}

# check name -> (its parameters, required parameters)
CHECK_SCHEMAS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "words": (RELATION, []),
    "sentences": (RELATION, []),
    "paragraphs": (RELATION, []),
    "characters": (RELATION, []),
    "capital_words": ({**RELATION, "ignore": {"type": "array", "minItems": 1, "items": _PHRASE}}, []),
    "bullets": ({**RELATION, "style": {"enum": ["any", "unordered", "ordered"]}, "distinct": {"type": "boolean"}}, []),
    "placeholders": ({**RELATION, "distinct": {"type": "boolean"}}, []),
    "sections": ({**RELATION, "marker": _PHRASE}, []),
    "frequency": ({**RELATION, "phrase": _PHRASE}, ["phrase"]),
    "include": ({"phrases": _PHRASES, "at_least": {"type": "integer", "minimum": 1}}, ["phrases"]),
    "include_any": ({"phrases": _PHRASES, "at_least": {"type": "integer", "minimum": 1}}, ["phrases"]),
    "exclude": ({"phrases": {"type": "array", "minItems": 1, "items": _PHRASE}}, ["phrases"]),
    "pattern": ({**RELATION, "regex": {"type": "string", "minLength": 1}, "ignore_case": {"type": "boolean"},
                 "describe": {"type": "string"}}, ["regex"]),
    "lowercase": ({}, []),
    "uppercase": ({}, []),
    "no_commas": ({}, []),
    "quoted": ({}, []),
    "starts_with": ({"phrase": _PHRASE_OR_ALTS, "case_sensitive": {"type": "boolean"}}, ["phrase"]),
    "ends_with": ({"phrase": _PHRASE_OR_ALTS, "case_sensitive": {"type": "boolean"},
                   "own_sentence": {"type": "boolean"}}, ["phrase"]),
    "json": ({"type": {"enum": ["object", "array", "any"]},
              "keys": {"type": "array", "minItems": 1, "items": {"type": "string"}},
              "bare": {"type": "boolean"}, "schema": {"type": "object"},
              "distinct": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^/"}}}, []),
    "postscript": ({"marker": _PHRASE, "own_paragraph": {"type": "boolean"}}, []),
    "title": ({"first_line": {"type": "boolean"}}, []),
}


def _constraint_schema() -> dict[str, Any]:
    rules = []
    for name, (props, required) in CHECK_SCHEMAS.items():
        then = {"properties": {"check": {"const": name}, **props}, "required": ["check", *required],
                "additionalProperties": False}
        rules.append({"if": {"properties": {"check": {"const": name}}, "required": ["check"]}, "then": then})
    return {"type": "object", "required": ["check"],
            "properties": {"check": {"enum": sorted(CHECK_SCHEMAS)}}, "allOf": rules}


SCHEMA = {
    "required": ["constraints"],
    "additionalProperties": False,
    "properties": {"constraints": {"type": "array", "minItems": 1, "items": _constraint_schema()}},
}

# ----------------------------------------------------------------------------- helpers


def bounds(p: Mapping[str, Any], default_at_least: int | None = None) -> tuple[int, float]:
    if "exactly" in p:
        return p["exactly"], p["exactly"]
    lo = p.get("at_least", default_at_least if "at_most" not in p else 0) or 0
    return lo, p.get("at_most", float("inf"))


def need(p: Mapping[str, Any], default_at_least: int | None = None) -> str:
    lo, hi = bounds(p, default_at_least)
    if lo == hi:
        return f"exactly {lo}"
    if hi == float("inf"):
        return f"at least {lo}"
    if lo == 0:
        return f"at most {int(hi)}"
    return f"between {lo} and {int(hi)}"


def _within(value: int, p: Mapping[str, Any], default_at_least: int | None = None) -> bool:
    lo, hi = bounds(p, default_at_least)
    return lo <= value <= hi


def _measure(label: str, value: int, p: Mapping[str, Any]) -> tuple[bool, str]:
    ok = _within(value, p)
    return ok, f"{label}: {value}{' (' if ok else ', '}need {need(p)}{')' if ok else ''}"


def _norm(s: str) -> str:
    return s.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def phrase_regex(phrase: str) -> re.Pattern[str]:
    """Case-insensitive; whitespace inside the phrase matches any whitespace; word
    boundaries where the phrase starts/ends with a letter or digit."""
    phrase = _norm(phrase)
    p = re.escape(" ".join(phrase.split())).replace(r"\ ", r"\s+")
    if phrase[:1].isalnum():
        p = r"(?<!\w)" + p
    if phrase[-1:].isalnum():
        p = p + r"(?!\w)"
    return re.compile(p, re.IGNORECASE)


def count_phrase(text: str, phrase: str) -> int:
    return len(phrase_regex(phrase).findall(_norm(text)))


def _alternatives(entry: str | list[str]) -> list[str]:
    return [entry] if isinstance(entry, str) else list(entry)


def _show(entry: str | list[str]) -> str:
    return repr(entry) if isinstance(entry, str) else " / ".join(repr(e) for e in entry)


def _casefold_ws(s: str) -> str:
    return " ".join(_norm(s).split()).casefold()


# ----------------------------------------------------------------------------- checks
# Each takes (answer text, constraint params) and returns (met, measured value line).

Check = Callable[[str, Mapping[str, Any]], tuple[bool, str]]
CHECKS: dict[str, Check] = {}


def _check(name: str):
    def wrap(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn
    return wrap


@_check("words")
def _words(text, p):
    return _measure("words", C.word_count(text), p)


@_check("sentences")
def _sentences(text, p):
    return _measure("sentences", len(C.sentences(text)), p)


@_check("paragraphs")
def _paragraphs(text, p):
    return _measure("paragraphs", len(C.paragraphs(text)), p)


@_check("characters")
def _characters(text, p):
    return _measure("characters", len(text.strip()), p)


@_check("capital_words")
def _capital_words(text, p):
    ignored = {w.casefold() for w in p.get("ignore", [])}
    found = [w for w in C.capital_words(text) if w.casefold() not in ignored]
    ok, line = _measure("capital words", len(found), p)
    return ok, line + (f" [{', '.join(found[:8])}]" if found else "")


@_check("bullets")
def _bullets(text, p):
    style = p.get("style", "any")
    label = "bullets" if style == "any" else f"{style} bullets"
    items = C.bullets(text, style)
    if not p.get("distinct"):
        return _measure(label, len(items), p)
    keys = [_casefold_ws(i).rstrip(".!?;:") for i in items]
    ok, line = _measure("distinct " + label, len(set(keys)), p)
    repeated = next((i for i, k in zip(items, keys) if keys.count(k) > 1), None)
    if repeated is not None:  # six steps, one twice, are not five steps: the list is wrong
        return False, f"{line}; an item repeated: {repeated.strip()[:60]!r}"
    return ok, line


@_check("placeholders")
def _placeholders(text, p):
    found = C.placeholders(text)
    if p.get("distinct"):
        found = list(dict.fromkeys(f.casefold() for f in found))
    ok, line = _measure("distinct placeholders" if p.get("distinct") else "placeholders", len(found), p)
    return ok, line + (f" [{', '.join(found[:8])}]" if found else "")


@_check("sections")
def _sections(text, p):
    marker = p.get("marker", "SECTION")
    numbers = C.section_numbers(text, marker)
    ok, line = _measure(f"{marker} headers", len(numbers), p)
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        return False, f"{line}; numbered {', '.join(map(str, numbers))}, need 1..{len(numbers)} in order"
    empty = [n for n, body in zip(numbers, C.section_bodies(text, marker)) if not C.has_word(body)]
    if empty:
        return False, f"{line}; {marker} {', '.join(map(str, empty))} has no text"
    return ok, line


@_check("frequency")
def _frequency(text, p):
    return _measure(f"{p['phrase']!r} occurs", count_phrase(text, p["phrase"]), p)


@_check("include")
def _include(text, p):
    n = p.get("at_least", 1)
    missing = []
    for entry in p["phrases"]:
        count = sum(count_phrase(text, a) for a in _alternatives(entry))
        if count < n:
            missing.append(f"{_show(entry)} ({count}x)" if n > 1 else _show(entry))
    times = f" at least {n}x each" if n > 1 else ""
    if missing:
        return False, f"include: missing {', '.join(missing)}; need all of {len(p['phrases'])}{times}"
    return True, f"include: all {len(p['phrases'])} present{times}"


@_check("include_any")
def _include_any(text, p):
    n = p.get("at_least", 1)
    present = [next((a for a in _alternatives(e) if count_phrase(text, a)), None) for e in p["phrases"]]
    present = [a for a in present if a is not None]
    shown = ", ".join(present) or "none"
    ok = len(present) >= n
    return ok, (f"include_any: {len(present)} of {len(p['phrases'])} present ({shown})"
                f"{' (' if ok else ', '}need at least {n}{')' if ok else ''}")


@_check("exclude")
def _exclude(text, p):
    found = [(ph, count_phrase(text, ph)) for ph in p["phrases"]]
    found = [f"{ph!r} ({n}x)" for ph, n in found if n]
    if found:
        return False, f"exclude: found {', '.join(found)}"
    return True, f"exclude: none of {len(p['phrases'])} forbidden phrases"


@_check("pattern")
def _pattern(text, p):
    flags = re.IGNORECASE if p.get("ignore_case", True) else 0
    hits = re.findall(p["regex"], _norm(text), flags | re.MULTILINE)
    label = p.get("describe") or f"matches of /{p['regex']}/"
    ok = _within(len(hits), p, default_at_least=1)
    return ok, f"{label}: {len(hits)}{' (' if ok else ', '}need {need(p, 1)}{')' if ok else ''}"


def _single_case(text: str, name: str, wrong: Callable[[str], bool], wrong_name: str) -> tuple[bool, str]:
    if not any(c.isalpha() for c in text):
        return False, f"{name}: the answer has no letters"
    bad = [c for c in text if wrong(c)]
    if bad:
        return False, f"{name}: {len(bad)} {wrong_name} letter(s) ({''.join(bad[:10])})"
    return True, f"{name}: no {wrong_name} letters"


@_check("lowercase")
def _lowercase(text, p):
    return _single_case(text, "lowercase", str.isupper, "uppercase")


@_check("uppercase")
def _uppercase(text, p):
    return _single_case(text, "uppercase", str.islower, "lowercase")


@_check("no_commas")
def _no_commas(text, p):
    n = text.count(",") + text.count("，")
    return (n == 0), ("no_commas: no commas" if n == 0 else f"no_commas: {n} comma(s)")


# a closing quote after a sentence, then an opening one: '"One." "Two."'
_QUOTE_CLOSE_OPEN = re.compile(r'[.!?…]["”]\s*["“]')


@_check("quoted")
def _quoted(text, p):
    s = text.strip()
    ok = len(s) >= 2 and s[0] in '"“' and s[-1] in '"”' and C.has_word(s[1:-1])
    head = s[:1] or "(nothing)"
    tail = s[-1:] or "(nothing)"
    # '"One." "Two."' starts and ends with a quote but quotes each sentence, not the whole
    if ok and _QUOTE_CLOSE_OPEN.search(s[1:-1]):
        return False, "quoted: each part is quoted separately, need one pair of double quotes around everything"
    return ok, f"quoted: starts with {head!r}, ends with {tail!r}" + ("" if ok else ", need double quotes around everything")


_EMPHASIS = "*_`"


def _fold(s: str, case_sensitive: bool) -> str:
    s = " ".join(_norm(s).split()).strip(_EMPHASIS).strip()  # "**Enjoy your stay!**" ends with it
    return s if case_sensitive else s.casefold()


def _starts(text: str, phrase: str, case_sensitive: bool = False) -> bool:
    t, ph = _fold(text, case_sensitive), _fold(phrase, case_sensitive)
    if not t.startswith(ph):
        return False
    rest = t[len(ph):]
    return not (ph[-1:].isalnum() and rest[:1].isalnum())


def _ends(text: str, phrase: str, case_sensitive: bool = False, own_sentence: bool = False) -> bool:
    t, ph = _fold(text, case_sensitive), _fold(phrase, case_sensitive)
    if ph[-1:].isalnum() and t[-1:] in ".!?":
        t = t[:-1]  # "end with 'thank you'" is met by "... thank you."
    if not t.endswith(ph):
        return False
    before = t[:len(t) - len(ph)]
    if own_sentence:  # "...drink. Ride further, ..." but not "...so you can ride further, ..."
        left = before.rstrip(" " + _EMPHASIS)
        return not left or left[-1] in ".!?:\"”)"
    return not (ph[:1].isalnum() and before[-1:].isalnum())


@_check("starts_with")
def _starts_with(text, p):
    alts = _alternatives(p["phrase"])
    ok = any(_starts(text, a, p.get("case_sensitive", False)) for a in alts)
    begin = " ".join(text.split())[:40]
    return ok, f"starts_with {_show(p['phrase'])}: begins {begin!r}"


@_check("ends_with")
def _ends_with(text, p):
    alts = _alternatives(p["phrase"])
    ok = any(_ends(text, a, p.get("case_sensitive", False), p.get("own_sentence", False)) for a in alts)
    end = " ".join(text.split())[-40:]
    return ok, f"ends_with {_show(p['phrase'])}: ends {end!r}"


@_check("json")
def _json(text, p):
    inner = unwrap_fence(text)
    if inner is not None and p.get("bare"):
        return False, "json: the answer is in a code fence; the prompt asked for bare JSON (no markdown)"
    payload = inner if inner is not None else text.strip()
    try:
        doc = json.loads(payload)
    except json.JSONDecodeError as exc:
        return False, f"json: not JSON ({exc.msg} at line {exc.lineno} col {exc.colno})"
    want = p.get("type")
    kinds = {"object": dict, "array": list}
    if want in kinds and not isinstance(doc, kinds[want]):
        return False, f"json: parsed a {type(doc).__name__}, need an {want}"
    if want is None and not isinstance(doc, (dict, list)):
        return False, f"json: parsed a bare {type(doc).__name__}, need an object or array"
    keys = p.get("keys", [])
    if keys:
        if not isinstance(doc, dict):
            return False, f"json: parsed a {type(doc).__name__}, need an object with keys {keys}"
        missing = [k for k in keys if k not in doc]
        if missing:
            return False, f"json: missing key(s) {missing}"
    if "schema" in p:
        err = next(iter(sorted(Draft202012Validator(p["schema"]).iter_errors(doc), key=lambda e: list(e.absolute_path))), None)
        if err is not None:
            return False, f"json: /{'/'.join(map(str, err.absolute_path))}: {err.message}"
    for pattern in p.get("distinct", []):
        values = [_casefold_ws(v) if isinstance(v, str) else json.dumps(v) for v in _pointed(doc, pattern)]
        if len(set(values)) < len(values):
            return False, f"json: the values at {pattern} repeat ({', '.join(values)})"
    shown = (f", keys {keys} present" if keys else "") + (", schema met" if "schema" in p else "")
    return True, "json: the whole answer parses" + shown


def _pointed(doc: Any, pattern: str) -> list[Any]:
    """The values at a JSON Pointer whose "*" segments stand for every array element."""
    found = [doc]
    for part in pattern.split("/")[1:]:
        step = []
        for d in found:
            if part == "*" and isinstance(d, list):
                step.extend(d)
            elif isinstance(d, dict) and part in d:
                step.append(d[part])
        found = step
    return found


@_check("postscript")
def _postscript(text, p):
    marker = p.get("marker", "P.S.")
    line_re = re.compile(rf"^[ \t>]*[*_]*{re.escape(marker)}(?!\w)", re.IGNORECASE | re.MULTILINE)
    body = C.normalize_newlines(text)
    last = C.paragraphs(body)[-1]
    why = f"postscript: {marker!r} line needs a body before it and text after it"
    for m in line_re.finditer(body):
        if not (C.has_word(body[m.end():]) and C.has_word(body[:m.start()])):
            continue
        if len(C.paragraphs(body[m.start():])) > 1:  # a postscript ends the text
            why = f"postscript: the {marker!r} line is followed by another paragraph; it must come last"
        elif p.get("own_paragraph") and not line_re.match(last):
            why = f"postscript: the last paragraph must begin with {marker!r}"
        else:
            return True, f"postscript: the last paragraph {'starts with' if p.get('own_paragraph') else 'holds'} {marker!r}"
    if line_re.search(body):
        return False, why
    return False, f"postscript: no line starts with {marker!r}"


_TITLE = re.compile(r"<<([^<>\n]+)>>")


@_check("title")
def _title(text, p):
    if p.get("first_line"):
        first = next((ln.strip() for ln in C.normalize_newlines(text).split("\n") if ln.strip()), "")
        bare = first.lstrip("#").strip().strip("*_").strip()
        m = _TITLE.fullmatch(bare)
        ok = bool(m and C.has_word(m.group(1)))
        return ok, f"title: first line {first[:60]!r}" + ("" if ok else ", need <<title>> alone on the first line")
    titles = [t for t in _TITLE.findall(text) if C.has_word(t)]
    if titles:
        return True, f"title: <<{titles[0].strip()}>>"
    return False, "title: no <<title>> found"


assert set(CHECKS) == set(CHECK_SCHEMAS), set(CHECKS) ^ set(CHECK_SCHEMAS)

# ----------------------------------------------------------------------------- evaluation


def evaluate(constraint: Mapping[str, Any], text: str) -> tuple[bool, str]:
    """(met, measured) for one constraint. Text without any word fails every constraint."""
    if not C.has_word(text):
        return False, f"{constraint['check']}: the answer is empty (no words)"
    return CHECKS[constraint["check"]](C.normalize_newlines(text), constraint)


def describe(constraint: Mapping[str, Any]) -> str:
    """What the constraint asks for, for failure displays."""
    c = constraint
    name = c["check"]
    if "phrases" in c:
        n = c.get("at_least", 1)
        listed = ", ".join(_show(e) for e in c["phrases"])
        if name == "include_any":
            return f"at least {n} of: {listed}"
        return f"{name} {listed}" + (f" (at least {n}x each)" if name == "include" and n > 1 else "")
    if name == "frequency":
        return f"{c['phrase']!r} {need(c)} times"
    if name == "pattern":
        return f"{c.get('describe') or '/' + c['regex'] + '/'} {need(c, 1)}"
    if name in ("starts_with", "ends_with"):
        return f"{name} {_show(c['phrase'])}"
    if any(k in c for k in RELATION):
        return f"{name} {need(c)}"
    return name + "".join(f" {k}={v}" for k, v in c.items() if k != "check")


def check(params: Mapping[str, Any], scenario) -> str | None:
    """Meaning checks beyond the schema: ranges, regexes, and the prompt-echo guard."""
    for i, c in enumerate(params["constraints"]):
        where = f"constraints.{i} ({c['check']})"
        given = [k for k in RELATION if k in c]
        if c["check"] in RELATION_REQUIRED and not given:
            return f"{where}: give exactly, at_least or at_most"
        if "exactly" in given and len(given) > 1 and c["check"] in RELATION_REQUIRED | {"pattern"}:
            return f"{where}: exactly cannot be combined with at_least/at_most"
        if "at_least" in c and "at_most" in c and c["at_least"] > c["at_most"]:
            return f"{where}: at_least {c['at_least']} > at_most {c['at_most']}"
        if c["check"] == "pattern":
            try:
                re.compile(c["regex"])
            except re.error as exc:
                return f"{where}: bad regex {c['regex']!r}: {exc}"
    prompt = next((m["content"] for m in reversed(scenario.messages) if m["role"] == "user"), "")
    if prompt and all(evaluate(c, prompt)[0] for c in params["constraints"]):
        return "the prompt itself, echoed back, meets every constraint: add a content check it cannot meet"
    return None


@register("instructions", SCHEMA, check)
def verify_instructions(params: Mapping[str, Any], scenario, episode) -> Verdict:
    text = episode.final.content or ""
    constraints = params["constraints"]
    results = [evaluate(c, text) for c in constraints]
    trace = [f"{'ok' if ok else 'FAILED'}: {line}" for ok, line in results]
    met = sum(ok for ok, _ in results)
    score = met / len(constraints)
    expected = "; ".join(describe(c) for c in constraints)
    if met == len(constraints):
        return Verdict.ok(trace, score)
    failed = [line for ok, line in results if not ok]
    detail = f"{len(failed)} of {len(constraints)} constraints failed: " + "; ".join(failed)
    return Verdict.fail("verifier_fail", detail, trace, score=score, expected=expected)
