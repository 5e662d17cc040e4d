"""Facts stated in free text (a final answer, an email body), checked against what the tools
returned and what was called, not against lists of phrases. Registers no kind.

- numbers: every number, clock time and email address stated must come from the conversation
  (the prompt, the tool results returned, the arguments of the calls made) or the scenario's
  `allow` list; numbers exactly or rounded (to an integer, to two or more significant figures,
  or with decimals cut off). ISO dates are read whole (2026-02-04 is not 2026-04-02 reordered).
  "4:30 pm" and "3–4:30 pm" are read as 24-hour times; numbered-list
  markers are not numbers. Codes of three to five capitals written against a figure or alone
  in brackets ('Apple (AAPL)', '417.36 GBP') must come from the conversation too: figures
  given to a symbol nothing returned are another entity's (time zones such as 'UTC' name no
  entity; other capitals, 'the URL', 'I have NOT', attribute no figure).
- bindings: groups of {names, values}. In each clause, a stated value of the group (a number,
  compared with the same rounding, or a name) must sit nearest to a name of an entry that holds
  it: the right city for a temperature, the right unit or currency for an amount, the right
  direction for a change, the right role for a person. An entry without values names what no
  value may be given as (°C where the tool said °F). A name opening a clause as an address
  ('Sam: I emailed Ines') is no value.
- comparisons: "<A> is warmer than <B>", "it is colder in <A> than in <B>": a comparative
  between two entities must agree with the values the tools gave them ("not warmer" reverses
  it). Superlatives are bindings ("warmest" bound to the right city).
- claims: what the text says was done ("sent", "booked", "deleted") or not done ("nothing was
  sent") must agree with the calls that were made and succeeded. A phrase within four words
  after a negation is a claim that it was not done; after "if", "once", "can", "will", "to" …
  it is no claim; in a question it is no claim either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Sequence

from .text import phrase_pattern

_MERIDIEM = r"\s?([ap])\.?\s?m\b\.?"
_TIME12 = re.compile(r"(?<![\w:.])(\d{1,2})(?::(\d{2}))?" + _MERIDIEM, re.IGNORECASE)
_RANGE12 = re.compile(r"(?<![\w:.])(\d{1,2})(?::(\d{2}))?(\s?(?:[–-]|to)\s?)(\d{1,2})(?::(\d{2}))?" + _MERIDIEM,
                      re.IGNORECASE)
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::\d{2})?(?!\d)")
_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LIST_MARKER = re.compile(r"^[ \t]*\d{1,2}[.)][ \t]", re.MULTILINE)
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:(?:,\d{3})+|(?:\.\d{3})+|(?:[ \u00a0\u202f]\d{3})+)(?:[.,]\d+)?"
                     r"|\d+(?:[.,]\d+)?)(?!\w)")
_CLAUSE_BREAK = re.compile(r"[.!?;](?!\d)|\n|,\s|\s(?:and|then|while|whilst|but|whereas)\s", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?;](?!\d)|\n")
_THAN = re.compile(r"\bthan\b", re.IGNORECASE)
_QUESTION = re.compile(r"[^.!?\n]*\?")
_WORD = re.compile(r"[\w']+")
_GREETINGS = frozenset(("", "hi", "hello", "hey", "dear", "thanks", "ok", "okay", "done", "sure", "right"))
_BRACKETS = re.compile(r"\([^()]*\)")
# three to five capitals (tickers, currency codes; two-letter ones, 'US$', 'IL', are too often
# a country or state the answer adds), alone in brackets or against a figure
_CODE = re.compile(r"(?<![\w-])[A-Z]{3,5}(?![\w-])")
_ENTITY_CODE = re.compile(r"\(\s*([A-Z]{3,5})\s*\)|(?<![\w-])([A-Z]{3,5})[:\s]{0,2}[$€£¥]?\d"
                          r"|\d[$€£¥%]?\s?([A-Z]{3,5})(?![\w-])")
FREE_CODES = frozenset("UTC GMT CET CEST EET EEST BST EST EDT CST CDT MST MDT PST PDT".split())  # time zones
NUMBER_SCHEMA = {"type": "object", "additionalProperties": False, "properties": {
    "allow": {"type": "array", "items": {"anyOf": [{"type": "number"}, {"type": "string", "minLength": 1}]},
              "description": "derived values a right answer may state (a sum, a conversion, '11:10')"},
    "free": {"type": "boolean", "description": "true: numbers are not checked"},
}}
BINDINGS_SCHEMA = {"type": "array", "items": {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["names"], "additionalProperties": False,
    "properties": {
        "names": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "values": {"type": "array", "items": {"anyOf": [{"type": "number"}, {"type": "string", "minLength": 1}]}},
    }}}}
CLAIMS_SCHEMA = {"type": "array", "items": {
    "type": "object", "required": ["tool", "done"], "additionalProperties": False,
    "properties": {
        "tool": {"type": "string"},
        "done": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
                 "description": "phrases saying it was done (past forms: sent, emailed)"},
        "base": {"type": "array", "items": {"type": "string", "minLength": 1},
                 "description": "other forms, a claim only when negated (send: 'did not send')"},
        "confirm": {"type": "boolean", "description": "when the call succeeded, the text must say it was done"},
    }}}
COMPARISONS_SCHEMA = {"type": "array", "items": {
    "type": "object", "required": ["values", "more", "less"], "additionalProperties": False,
    "properties": {
        "values": {"type": "object", "minProperties": 2, "additionalProperties": {"type": "number"},
                   "description": "entity name as written -> the value the tools gave it"},
        "more": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
                 "description": "comparatives meaning a greater value (warmer, higher, more expensive)"},
        "less": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
    }}}
DEFAULT_ALLOWED = (1, 2, 3)  # counts and positions ("all 3 cities", "1 USD = ...")
NEGATORS = frozenset("not never no nothing none without neither nor cannot unable failed".split())
HYPOTHETICAL = frozenset("if once when before until can could will would shall should may might to please "
                         "want like ready able".split())
WINDOW = 4  # words before a claim phrase that can negate it or make it hypothetical


def _hour24(hour: str, meridiem: str) -> int:
    return int(hour) % 12 + (12 if meridiem.lower() == "p" else 0)


def _range24(m: re.Match[str]) -> str:
    """'3–4:30 pm': the meridiem belongs to both ends, unless that would put the start after the end."""
    end = _hour24(m.group(4), m.group(6))
    start = _hour24(m.group(1), m.group(6))
    if start > end:
        start = _hour24(m.group(1), "a")
    return f"{start}:{m.group(2) or '00'}{m.group(3)}{end}:{m.group(5) or '00'}"


def normalise(text: str) -> str:
    """The text facts are read from: 12-hour times as 24-hour, ISO 'T' as a space, list
    markers dropped, typographic apostrophes plain."""
    text = text.replace("\u2019", "'")
    text = re.sub(r"(?<=\d)T(?=\d)", " ", text)
    text = _RANGE12.sub(_range24, text)
    text = _TIME12.sub(lambda m: f"{_hour24(m.group(1), m.group(3))}:{m.group(2) or '00'}", text)
    return _LIST_MARKER.sub("", text)


def readings(token: str) -> frozenset[Decimal]:
    """What a written number may mean: '3,836' is 3836 or 3.836; '40.717,5' is 40717.5."""
    t = re.sub(r"[ \u00a0\u202f]", "", token)
    out: set[Decimal] = set()
    if "," in t and "." in t:
        decimal_comma = t.rfind(",") > t.rfind(".")
        out.add(Decimal(t.replace(".", "").replace(",", ".") if decimal_comma else t.replace(",", "")))
    elif "," in t or "." in t:
        parts = t.split("," if "," in t else ".")
        if len(parts) == 2:
            out.add(Decimal(f"{parts[0]}.{parts[1]}"))
        if all(len(p) == 3 for p in parts[1:]):
            out.add(Decimal("".join(parts)))
    else:
        out.add(Decimal(t))
    return frozenset(out)


def _negative(text: str, start: int) -> bool:
    """A minus sign written against the number ('-3.1', '(−0.84%)', 'minus 4'), not a hyphen
    ('2026-03-10') or a range dash ('6 - 11')."""
    before = text[:start]
    if before.casefold().endswith("minus "):
        return True
    if not before.endswith(("-", "−")):
        return False
    rest = before[:-1]
    if rest != rest.rstrip():  # a space before the sign: a minus unless a number precedes it
        return not rest.rstrip()[-1:].isdigit()
    return not rest[-1:].isalnum()  # glued to a word or number, it is a hyphen


def numbers(text: str) -> list[tuple[int, int, str, frozenset[Decimal]]]:
    """(start, end, as written, readings) of every number in already normalised text; a
    number with a minus sign reads negative."""
    out = []
    for m in _NUMBER.finditer(text):
        found = readings(m.group(0))
        if _negative(text, m.start()):
            found = frozenset(-v for v in found)
        out.append((m.start(), m.end(), m.group(0), found))
    return out


def roundings(value: Decimal | float | int) -> frozenset[Decimal]:
    """`value` and the ways a right answer may round it (the sign kept)."""
    signed = Decimal(str(value))
    a = abs(signed)
    out = {a}
    if a != 0:
        try:
            out.add(a.quantize(Decimal(1), ROUND_HALF_UP))
            for sig in range(2, 8):
                out.add(a.quantize(Decimal(1).scaleb(a.adjusted() - sig + 1), ROUND_HALF_UP))
            for places in range(0, max(0, -a.as_tuple().exponent)):
                out.add(a.quantize(Decimal(1).scaleb(-places), ROUND_DOWN))
        except InvalidOperation:  # beyond the context's precision: only the exact value
            pass
    return frozenset(out if signed >= 0 else {-v for v in out})


def _stated(written: frozenset[Decimal], values: frozenset[Decimal] | set[Decimal]) -> bool:
    """A number written without a sign may be either sign's magnitude ('down 0.84%' for -0.84);
    one written negative must be negative."""
    return any(w in values if w < 0 else (w in values or -w in values) for w in written)


@dataclass(frozen=True)
class Known:
    """What the conversation supplied: numbers (with their roundings), clock times, addresses."""

    numbers: frozenset[Decimal]
    times: frozenset[tuple[int, int]]
    emails: frozenset[str]
    codes: frozenset[str]
    dates: frozenset[str]


def _times(text: str) -> set[tuple[int, int]]:
    return {(int(h), int(m)) for h, m in _TIME.findall(text)}


def known_values(texts: Iterable[str], allow: Iterable[float | str] = ()) -> Known:
    """Every value the conversation supplies; `allow` adds numbers and texts ('11:10')."""
    values: set[Decimal] = set()
    times: set[tuple[int, int]] = set()
    emails: set[str] = set()
    codes: set[str] = set(FREE_CODES)
    dates: set[str] = set()
    extra = [a for a in allow if isinstance(a, str)]
    for value in [*DEFAULT_ALLOWED, *(a for a in allow if not isinstance(a, str))]:
        values |= roundings(value)
    for text in map(normalise, [*texts, *extra]):
        for *_, found in numbers(text):
            for v in found:
                values |= roundings(v)
        times |= _times(text)
        emails |= {e.casefold() for e in _EMAIL.findall(text)}
        codes |= set(_CODE.findall(text))
        dates |= {m.group(0) for m in _DATE.finditer(text)}
    return Known(frozenset(values), frozenset(times), frozenset(emails), frozenset(codes), frozenset(dates))


def ungrounded(text: str, known: Known) -> list[str]:
    """The numbers, times, addresses and codes in `text` that nothing in the conversation supplied."""
    text = normalise(text)
    addresses = _EMAIL.findall(text)
    out = [e for e in addresses if e.casefold() not in known.emails]
    out += [c for m in _ENTITY_CODE.finditer(_EMAIL.sub(" ", text)) for c in m.groups() if c and c not in known.codes]
    out += [f"{h}:{m:02d}" for h, m in sorted(_times(text) - known.times)]
    out += [d.group(0) for d in _DATE.finditer(text) if d.group(0) not in known.dates]
    bare = _DATE.sub(" ", _TIME.sub(" ", _EMAIL.sub(" ", text)))  # already checked whole
    return out + [shown for _, _, shown, found in numbers(bare) if not _stated(found, known.numbers)]


def clause_spans(text: str, breaks: re.Pattern[str] = _CLAUSE_BREAK) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in breaks.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _matches(value: Any, written: frozenset[Decimal]) -> bool:
    return not isinstance(value, str) and _stated(written, roundings(value))


def _mentions(clause: str, group: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, str, set[int]]]:
    """Values of the group stated in the clause: (start, end, as written, entries holding it)."""
    found = []
    for start, end, shown, written in numbers(clause):
        owners = {i for i, e in enumerate(group) if any(_matches(v, written) for v in e.get("values", []))}
        if owners:
            found.append((start, end, shown, owners))
    names = {v for e in group for v in e.get("values", []) if isinstance(v, str)}
    for name in names:
        owners = {i for i, e in enumerate(group) if name in e.get("values", [])}
        found += [(m.start(), m.end(), m.group(0), owners) for m in phrase_pattern(name).finditer(clause)
                  if not _vocative(clause, m)]
    return found


def _vocative(clause: str, m: re.Match[str]) -> bool:
    """'Sam: I emailed Ines', 'Hi Sam! ...': the reader addressed, not a fact about them."""
    before = clause[:m.start()].strip().casefold()
    return before in _GREETINGS and clause[m.end():].lstrip()[:1] in (":", "!", "—", "–")


def _bracket(spans: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    return next((sp for sp in spans if sp[0] <= pos < sp[1]), None)


def binding_problems(text: str, groups: Sequence[Sequence[Mapping[str, Any]]], where: str) -> list[str]:
    problems = []
    text = normalise(text)
    for group in groups:
        for cs, ce in clause_spans(text):
            clause = text[cs:ce]
            anchors = [(m.start(), m.end(), i) for i, e in enumerate(group) for name in e["names"]
                       for m in phrase_pattern(name).finditer(clause)]
            if not anchors:
                continue
            brackets = [(m.start(), m.end()) for m in _BRACKETS.finditer(clause)]
            for ms, me, shown, owners in _mentions(clause, group):
                # names in the value's own brackets, or outside all brackets, come first
                # ("6–11 °C (43–52 °F)": 43 is °F); then the nearest name wins; on a tie, the
                # one before the value ("high of 38 °F")
                level = _bracket(brackets, ms)
                near = [a for a in anchors if _bracket(brackets, a[0]) == level] or anchors
                a_start, a_end, entry = min(near, key=lambda a: (max(0, a[0] - me, ms - a[1]), a[0] > ms))
                if entry in owners or (a_start <= ms and me <= a_end):
                    continue
                given = [str(v) for v in group[entry].get("values", [])]
                problems.append(f"{where}: {shown!r} is stated with {clause[a_start:a_end]!r}, but the tool results "
                                f"give {' / '.join(given) if given else 'no value'} for it ({clause.strip()[:80]!r})")
    return problems


def _in_question(text: str, pos: int) -> bool:
    return any(m.start() <= pos < m.end() for m in _QUESTION.finditer(text))


def comparison_problems(text: str, comparisons: Sequence[Mapping[str, Any]], where: str) -> list[str]:
    """Comparatives that contradict the values: the entity compared is the one named between the
    comparative and 'than' ('colder in Oslo than'), else the nearest before it; the other is the
    first named after 'than'."""
    problems = []
    text = normalise(text)
    for comp in comparisons:
        values: Mapping[str, float] = comp["values"]
        words = [(p, 1) for p in comp["more"]] + [(p, -1) for p in comp["less"]]
        for ss, se in clause_spans(text, _SENTENCE_BREAK):
            sentence = text[ss:se]
            named = sorted((m.start(), m.end(), name) for name in values
                           for m in phrase_pattern(name).finditer(sentence))
            for phrase, sign in words:
                for m in phrase_pattern(phrase).finditer(sentence):
                    than = _THAN.search(sentence, m.end())
                    if not than or _in_question(text, ss + m.start()):
                        continue
                    between = [n for n in named if m.end() <= n[0] and n[1] <= than.start()]
                    before = [n for n in named if n[1] <= m.start()]
                    after = [n for n in named if n[0] >= than.end()]
                    if not after or not (between or before):
                        continue
                    a, b = (between[0] if between else before[-1])[2], after[0][2]
                    window = [w.lower() for w in _WORD.findall(sentence[:m.start()])][-2:]
                    negated = any(w in NEGATORS or w.endswith("n't") for w in window)
                    diff = (values[a] - values[b]) * sign
                    if a != b and (diff > 0) == negated:
                        problems.append(f"{where}: {sentence.strip()[:100]!r} compares {a} ({values[a]}) with "
                                        f"{b} ({values[b]}) the wrong way round")
    return problems


def claims_made(text: str, claim: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(phrases saying the action was done, phrases saying it was not)."""
    text = normalise(text)
    done, undone = [], []
    phrases = [(p, True) for p in claim["done"]] + [(p, False) for p in claim.get("base", [])]
    for cs, ce in clause_spans(text):
        clause = text[cs:ce]
        for phrase, is_done in phrases:
            for m in phrase_pattern(phrase).finditer(clause):
                if _in_question(text, cs + m.start()):
                    continue
                window = [w.lower() for w in _WORD.findall(clause[:m.start()])][-WINDOW:]
                if any(w in NEGATORS or w.endswith("n't") for w in window):
                    undone.append(m.group(0))
                elif is_done and not any(w in HYPOTHETICAL or w.endswith("'ll") for w in window):
                    done.append(m.group(0))
    return done, undone


def claim_problems(text: str, claims: Sequence[Mapping[str, Any]], succeeded: set[str], where: str) -> list[str]:
    problems = []
    for claim in claims:
        tool = claim["tool"]
        done, undone = claims_made(text, claim)
        if tool in succeeded and undone:
            problems.append(f"{where} says it was not done ({undone[0]!r}), but {tool} was called and succeeded")
        elif tool not in succeeded and done:
            problems.append(f"{where} claims {done[0]!r}, but no {tool} call succeeded")
        elif claim.get("confirm") and tool in succeeded and not done:
            problems.append(f"{where} does not say the {tool} call was done")
    return problems
