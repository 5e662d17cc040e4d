"""`structured_output`: parse the answer with a real parser for its format, turn it into a
canonical JSON-like value, validate that against an optional JSON Schema, then check the
values the request asked for (`expect`: JSON Pointer -> acceptable values, matched like tool
arguments), because a parse or a schema alone is met by junk of the right shape.

Params
  format         json | yaml | toml | csv | xml | markdown_table | markdown_sections | ics | sql_insert
  prose_allowed  (default false) text around the payload is tolerated (see "Payload")
  fenced         (with prose_allowed) the payload must be the one fenced block: JSON sitting
                 unfenced in the prose fails where the prompt asked for a code block
  prose          (with prose_allowed) {before: N, after: N}: at most N sentences of prose
                 before / after the payload, as the prompt allows ("one sentence before the
                 table" means nothing after it)
  exact          pointers of `expect` whose values the prompt demands character for
                 character ("read back exactly as given"): compared without the usual
                 case, spacing and final-punctuation normalisation
  schema         JSON Schema for the canonical value (required for json, yaml, toml)
  expect         JSON Pointer -> one acceptable value or a list of them (`$contains` for free text)
  columns        csv, markdown_table: the exact header, in order
  create_table   sql_insert: DDL run before the answer
  query          sql_insert: SELECT whose rows are the canonical value

Payload: an answer that is one fenced block (```json ... ```) is unwrapped, always. Otherwise,
without prose_allowed, the whole answer must be the payload (text beside a fenced block is a
failure); with prose_allowed, the one fenced block is the payload (JSON may also sit unfenced
in the prose: the first object or array that parses). Markdown formats have no fence to find:
their parser decides what prose is (text outside the one table, text before the first heading).

Canonical values (what the schema and the pointers see)
  json        json.loads; duplicate keys, NaN and Infinity rejected
  yaml        yaml safe loader, one document; dates become ISO strings, scalar keys strings
  toml        tomllib; dates and times become ISO strings
  json, yaml  the root must be an object/mapping or an array/list (nearly any prose is a YAML scalar)
  csv         csv module (strict, RFC 4180 quoting): [{column: cell}], header == columns, every
              row as wide as the header, a field holding a double quote must be quoted with the
              quote doubled; blank lines skipped
  xml         xml.etree: {"tag", "attrs": {}, "text", "children": [...]}; text is the element's own
              character data (before and between its children), stripped; no DOCTYPE
  markdown_table     the one GFM pipe table: [{column: cell}], header == columns (case and
                     spacing ignored), cells trimmed, "\\|" is a pipe, emphasis around a whole
                     cell dropped, every row as wide as the header
  markdown_sections  ATX headings outside code fences: [{"level", "title", "body", "items",
                     "prose", "sentences", "paragraphs"}], body = text up to the next
                     heading, items = its list items, nested ones included (markers
                     dropped), prose = the body's lines that are not list items, sentences
                     and paragraphs = their counts in the body (counting rules);
                     non-blank text before the first heading needs prose_allowed
  ics         RFC 5545 subset: lines unfolded; one VCALENDAR (VERSION 2.0, PRODID) whose
              components nest as {"VEVENT": [{...}]}; VEVENT needs UID, DTSTAMP, DTSTART;
              property -> value (a list when repeated), parameter -> "NAME;PARAM" key; date-time
              values must be real YYYYMMDDTHHMMSS[Z] (or YYYYMMDD with VALUE=DATE); TEXT values
              must escape "," and ";" and are unescaped
  sql_insert  the answer runs in an in-memory sqlite3 database after `create_table`, allowed to
              do nothing but INSERT into those tables; the canonical value is `query`'s rows as
              [{column: value}]

In csv, xml, markdown and ics every value is text: an expected number matches a cell holding
that plain number ("4.50" matches 4.5); to demand a spelling ("two decimals"), expect the string.
In the schema, "integer" means an integer value: 6.0 (a TOML/YAML float, JSON 6.0) is not one.

Every failure is a verdict, never an exception: no_answer_found (blank answer), invalid_json
(JSON that does not parse), schema_violation (any other format error, a bare scalar, a schema
error), wrong_answer (a value the request did not ask for; score = share of `expect` met).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
import tomllib
import xml.etree.ElementTree as ET
from typing import Any, Callable, Mapping

import yaml
from jsonschema import Draft202012Validator, validators

from . import Verdict, register
from .counting import bullets, normalize_newlines, paragraphs, sentences
from .jsonout import resolve
from .matching import acceptable, normalize, spec_problem, value_matches
from .text import fenced_blocks, unwrap_fence


class FormatError(Exception):
    """The payload is not valid in its format; the message is the verdict's detail."""


class ShapeError(FormatError):
    """The payload parses but is not the kind of document asked for (a bare scalar)."""


Parser = Callable[[str, Mapping[str, Any]], Any]
PARSERS: dict[str, Parser] = {}
LABELS: dict[str, str] = {}
TEXTUAL = frozenset({"csv", "xml", "markdown_table", "markdown_sections", "ics"})
MARKDOWN = frozenset({"markdown_table", "markdown_sections"})
NEEDS_SCHEMA = frozenset({"json", "yaml", "toml"})
FORMAT_PARAMS = {"columns": {"csv", "markdown_table"}, "create_table": {"sql_insert"}, "query": {"sql_insert"}}


def _parser(name: str, label: str):
    def wrap(fn: Parser) -> Parser:
        PARSERS[name], LABELS[name] = fn, label
        return fn
    return wrap


# ----------------------------------------------------------------------------- data formats

_MAX_NODES, _MAX_DEPTH = 100_000, 64


def jsonable(value: Any) -> Any:
    """The JSON data model of a YAML/TOML value; bounded, since YAML aliases can make a
    small text expand enormously (or refer to itself)."""
    budget = [_MAX_NODES]

    def conv(v: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0 or depth > _MAX_DEPTH:
            raise FormatError("the document is too large or too deeply nested")
        if isinstance(v, (dt.date, dt.time)):  # datetime is a date
            return v.isoformat()
        if v is None or isinstance(v, (str, bool, int, float)):
            return v
        if isinstance(v, (list, tuple)):
            return [conv(x, depth + 1) for x in v]
        if isinstance(v, dict):
            return {key(k): conv(x, depth + 1) for k, x in v.items()}
        raise FormatError(f"a value of type {type(v).__name__} has no JSON form")

    def key(k: Any) -> str:
        k = k.isoformat() if isinstance(k, (dt.date, dt.time)) else k
        if isinstance(k, str):
            return k
        if k is None or isinstance(k, (bool, int, float)):
            return json.dumps(k)  # 8080 -> "8080", true -> "true"
        raise FormatError(f"a mapping key of type {type(k).__name__}")

    return conv(value, 0)


def _need_container(doc: Any, what: str) -> Any:
    if not isinstance(doc, (dict, list)):
        raise ShapeError(f"the {what} document is a bare {type(doc).__name__}, need an object or a list")
    return doc


@_parser("json", "JSON")
def parse_json(text: str, params: Mapping[str, Any]) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for k, _ in items:
            if k in seen:
                raise FormatError(f"not JSON: duplicate key {k!r}")
            seen.add(k)
        return dict(items)

    def constant(name: str) -> Any:
        raise FormatError(f"not JSON: {name} is not a JSON value")

    try:
        doc = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not JSON: {exc.msg} at line {exc.lineno} col {exc.colno}") from None
    return _need_container(doc, "JSON")


@_parser("yaml", "YAML")
def parse_yaml(text: str, params: Mapping[str, Any]) -> Any:
    try:
        # the pure-Python loader: libyaml's composer recurses in C and segfaults on deeply
        # nested input, where Python raises RecursionError; answers are small, speed is moot
        doc = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise FormatError("not YAML: " + " ".join(str(exc).split())[:200]) from None
    return _need_container(jsonable(doc), "YAML")


@_parser("toml", "TOML")
def parse_toml(text: str, params: Mapping[str, Any]) -> Any:
    try:
        return jsonable(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"not TOML: {exc}") from None


# ----------------------------------------------------------------------------- csv

@_parser("csv", "CSV")
def parse_csv(text: str, params: Mapping[str, Any]) -> list[dict[str, str]]:
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), strict=True) if r]
    except csv.Error as exc:
        raise FormatError(f"not CSV: {exc}") from None
    columns: list[str] = params["columns"]
    if not rows:
        raise FormatError("no CSV rows")
    header = [c.strip() for c in rows[0]]
    if header != columns:
        raise FormatError(f"CSV header is {','.join(header)!r}, need {','.join(columns)!r}")
    for n, row in enumerate(rows[1:], 1):
        if len(row) != len(columns):
            raise FormatError(f"CSV row {n} has {len(row)} fields, the header has {len(columns)} "
                              f"(a value containing a comma must be quoted): {row!r}")
        for cell in row:
            # csv.reader reads a bare quote inside an unquoted field literally; RFC 4180 wants
            # such a field quoted with the quote doubled, so look for that exact spelling.
            if '"' in cell and '"' + cell.replace('"', '""') + '"' not in text:
                raise FormatError(f"CSV row {n}: the value {cell!r} contains a double quote, so it must be "
                                  f"quoted with the quote doubled (RFC 4180)")
    return [dict(zip(columns, row)) for row in rows[1:]]


# ----------------------------------------------------------------------------- xml

def _element(el: ET.Element) -> dict[str, Any]:
    # text = all of the element's own character data (before and between its children), so
    # stray text in a container element is visible to the schema rather than dropped
    text = (el.text or "") + "".join(c.tail or "" for c in el)
    return {"tag": el.tag, "attrs": dict(el.attrib), "text": text.strip(), "children": [_element(c) for c in el]}


@_parser("xml", "XML")
def parse_xml(text: str, params: Mapping[str, Any]) -> dict[str, Any]:
    if "<!DOCTYPE" in text.upper():
        raise FormatError("XML with a DOCTYPE declaration is not accepted")
    try:
        return _element(ET.fromstring(text))
    except ET.ParseError as exc:
        raise FormatError(f"not well-formed XML: {exc}") from None


# ----------------------------------------------------------------------------- markdown

_FENCE_LINE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)
_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")
_WRAPPERS = ("**", "__", "*", "_", "`")


def _outside_fences(text: str) -> list[str | None]:
    """The lines of `text`, with lines inside fenced code blocks (and the fences) as None."""
    out: list[str | None] = []
    inside = False
    for line in normalize_newlines(text).split("\n"):
        if _FENCE_LINE.match(line):
            inside = not inside
            out.append(None)
        else:
            out.append(None if inside else line)
    return out


def bare(cell: str) -> str:
    """A cell or heading without emphasis or code marks around the whole of it."""
    cell = cell.strip()
    changed = True
    while changed:
        changed = False
        for w in _WRAPPERS:
            if len(cell) > 2 * len(w) and cell.startswith(w) and cell.endswith(w):
                cell, changed = cell[len(w):-len(w)].strip(), True
    return cell


def table_cells(line: str) -> list[str]:
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
    return [bare(c.replace("\\|", "|")) for c in _PIPE.split(s)]


def _tables(lines: list[str | None]) -> list[tuple[int, int]]:
    """(first line, end line) of each pipe table: header, delimiter row, body rows."""
    found, i = [], 0
    while i + 1 < len(lines):
        head, delim = lines[i], lines[i + 1]
        if (head is not None and delim is not None and "|" in head and _DELIMITER.match(delim)
                and len(table_cells(head)) == len(table_cells(delim))):
            j = i + 2
            while j < len(lines) and lines[j] is not None and lines[j].strip() and "|" in lines[j]:
                j += 1
            found.append((i, j))
            i = j
        else:
            i += 1
    return found


@_parser("markdown_table", "a markdown table")
def parse_markdown_table(text: str, params: Mapping[str, Any]) -> list[dict[str, str]]:
    lines = _outside_fences(text)
    tables = _tables(lines)
    if not tables and params.get("prose_allowed", False):
        # prose, then the table inside a ```markdown block: that block is the payload
        inner = [b for b in fenced_blocks(text) if _tables(_outside_fences(b))]
        if len(inner) == 1:
            return parse_markdown_table(inner[0], {**params, "prose_allowed": False})
    if len(tables) != 1:
        raise FormatError(f"{len(tables)} markdown tables, need exactly one")
    start, end = tables[0]
    if not params.get("prose_allowed", False):
        outside = [ln for k, ln in enumerate(normalize_newlines(text).split("\n"))
                   if not start <= k < end and ln.strip()]
        if outside:
            raise FormatError(f"text outside the table ({outside[0].strip()[:60]!r}); the prompt asked for the table alone")
    columns: list[str] = params["columns"]
    header = table_cells(lines[start] or "")
    if [normalize(h) for h in header] != [normalize(c) for c in columns]:
        raise FormatError(f"table header is {header}, need {columns}")
    rows = []
    for n, line in enumerate(lines[start + 2:end], 1):
        cells = table_cells(line or "")
        if len(cells) != len(columns):
            raise FormatError(f"table row {n} has {len(cells)} cells, the header has {len(columns)}")
        rows.append(dict(zip(columns, cells)))
    return rows


_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")


@_parser("markdown_sections", "a markdown document with sections")
def parse_markdown_sections(text: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = []
    body: list[str] = []
    preamble: list[str] = []
    raw = normalize_newlines(text).split("\n")

    def close() -> None:
        if sections:
            text = "\n".join(body).strip()
            prose = [ln for ln in text.split("\n") if ln.strip() and not bullets(ln)]
            sections[-1].update(body=text, items=bullets(text), prose="\n".join(prose).strip(),
                                sentences=len(sentences(text)), paragraphs=len(paragraphs(text)))

    for line, visible in zip(raw, _outside_fences(text)):
        m = _HEADING.match(visible) if visible is not None else None
        if m:
            close()
            sections.append({"level": len(m.group(1)), "title": bare(m.group(2) or ""), "body": "", "items": []})
            body = []
        else:
            (body if sections else preamble).append(line)
    close()
    if not sections:
        raise FormatError("no markdown headings ('## Title' lines)")
    lead = "\n".join(preamble).strip()
    if lead and not params.get("prose_allowed", False):
        raise FormatError(f"text before the first heading ({lead[:60]!r}); the document must start with a heading")
    return sections


# ----------------------------------------------------------------------------- ics

_ICS_LINE = re.compile(r'^(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)'
                       r'(?:,(?:"[^"]*"|[^";:,]*))*)*):(?P<value>.*)$')
_ICS_PARAM = re.compile(r';([A-Za-z0-9-]+)=((?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)')
_DATE_PROPS = frozenset({"DTSTART", "DTEND", "DTSTAMP", "DUE", "RECURRENCE-ID", "CREATED", "LAST-MODIFIED"})
_TEXT_PROPS = frozenset({"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT"})
_REQUIRED_PROPS = {"VCALENDAR": ("VERSION", "PRODID"), "VEVENT": ("UID", "DTSTAMP", "DTSTART")}
_TEXT_TOKEN = re.compile(r"\\.|[,;]|[^\\,;]+", re.DOTALL)


def _ics_date(name: str, value: str, params: dict[str, str]) -> None:
    if params.get("VALUE", "").upper() == "DATE":
        shape, fmt = r"\d{8}", "%Y%m%d"
    else:
        shape, fmt = r"\d{8}T\d{6}Z?", "%Y%m%dT%H%M%S"
    if not re.fullmatch(shape, value):
        raise FormatError(f"ICS {name}:{value} is not a {'date' if fmt == '%Y%m%d' else 'date-time'} "
                          f"({'YYYYMMDD' if fmt == '%Y%m%d' else 'YYYYMMDDTHHMMSS, optionally Z'})")
    try:
        dt.datetime.strptime(value.rstrip("Z"), fmt)
    except ValueError:
        raise FormatError(f"ICS {name}:{value} is not a real date") from None
    if value.endswith("Z") and "TZID" in params:
        raise FormatError(f"ICS {name}: a UTC value ('Z') cannot carry a TZID")


def _ics_text(name: str, value: str) -> str:
    tokens = _TEXT_TOKEN.findall(value)
    if any(t in (",", ";") for t in tokens):
        raise FormatError(f"ICS {name}: ',' and ';' in text must be escaped as '\\,' and '\\;': {value!r}")
    return "".join("\n" if t in ("\\n", "\\N") else t[1] if t.startswith("\\") else t for t in tokens)


@_parser("ics", "an iCalendar (ICS) file")
def parse_ics(text: str, params: Mapping[str, Any]) -> dict[str, Any]:
    unfolded = re.sub(r"\n[ \t]", "", normalize_newlines(text).strip())
    lines = [ln for ln in unfolded.split("\n") if ln.strip()]
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        raise FormatError("an ICS file must start with BEGIN:VCALENDAR")
    stack: list[tuple[str, dict[str, Any]]] = []
    root: dict[str, Any] | None = None
    for n, line in enumerate(lines, 1):
        if root is not None:
            raise FormatError(f"ICS content line {n}: text after END:VCALENDAR")
        m = _ICS_LINE.match(line.rstrip())
        if not m:
            raise FormatError(f"ICS content line {n} is not NAME[;PARAM=...]:VALUE: {line[:60]!r}")
        name, value = m.group("name").upper(), m.group("value")
        if name == "BEGIN":
            stack.append((value.upper(), {}))
            continue
        if not stack:
            raise FormatError(f"ICS content line {n}: {name} outside any component")
        if name == "END":
            root = _ics_end(stack, value.upper(), n)
            continue
        props = {p.upper(): v.strip('"') for p, v in _ICS_PARAM.findall(m.group("params"))}
        if name in _DATE_PROPS:
            _ics_date(name, value, props)
        if name in _TEXT_PROPS:
            value = _ics_text(name, value)
        component = stack[-1][1]
        _ics_store(component, name, value)
        for p, v in props.items():
            _ics_store(component, f"{name};{p}", v)
    if root is None:
        raise FormatError(f"ICS: {stack[-1][0] if stack else 'VCALENDAR'} is never closed with END")
    return root


def _ics_store(component: dict[str, Any], key: str, value: str) -> None:
    """A property seen once is a string; seen again, the values become a list."""
    if key not in component:
        component[key] = value
    elif isinstance(component[key], list):
        if isinstance(component[key][0], dict):
            raise FormatError(f"ICS: {key} is both a component and a property")
        component[key].append(value)
    else:
        component[key] = [component[key], value]


def _ics_end(stack: list[tuple[str, dict[str, Any]]], name: str, n: int) -> dict[str, Any] | None:
    """Close the innermost component; returns the calendar when it was the one closed."""
    kind, component = stack.pop()
    if name != kind:
        raise FormatError(f"ICS content line {n}: END:{name} closes BEGIN:{kind}")
    missing = [p for p in _REQUIRED_PROPS.get(kind, ()) if p not in component]
    if missing:
        raise FormatError(f"ICS {kind} lacks {', '.join(missing)}")
    if kind == "VCALENDAR" and component["VERSION"] != "2.0":
        raise FormatError(f"ICS VERSION is {component['VERSION']!r}, need '2.0'")
    if not stack:
        if kind != "VCALENDAR":
            raise FormatError(f"ICS: the outermost component is {kind}, need VCALENDAR")
        return component
    parent = stack[-1][1]
    if kind in parent and not isinstance(parent[kind], list):
        raise FormatError(f"ICS: {kind} is both a property and a component")
    parent.setdefault(kind, []).append(component)
    return None


# ----------------------------------------------------------------------------- sql

_MAX_SQL_STEPS = 1000  # progress-handler calls, each after 1000 VM instructions


def _open_db(create_table: str) -> tuple[sqlite3.Connection, set[str]]:
    db = sqlite3.connect(":memory:")
    db.executescript(create_table)
    tables = {r[0].casefold() for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")}
    return db, tables


@_parser("sql_insert", "SQL INSERT statements")
def parse_sql_insert(text: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    db, tables = _open_db(params["create_table"])
    denied: list[str] = []
    steps = [0]

    def authorize(action: int, arg1: str | None, arg2: str | None, dbname: str | None, source: str | None) -> int:
        # The answer may only insert into the scenario's tables: no reads, no schema changes,
        # no ATTACH (which would create files), no functions, no PRAGMA.
        if action == sqlite3.SQLITE_INSERT and (arg1 or "").casefold() in tables:
            return sqlite3.SQLITE_OK
        if action in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SELECT):  # multi-row VALUES is a SELECT
            return sqlite3.SQLITE_OK
        denied.append(f"{_AUTH_NAMES.get(action, f'action {action}')} {arg1 or ''}".strip())
        return sqlite3.SQLITE_DENY

    def progress() -> int:
        steps[0] += 1
        return int(steps[0] > _MAX_SQL_STEPS)

    try:
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 100_000)
        db.set_authorizer(authorize)
        db.set_progress_handler(progress, 1000)
        try:
            db.executescript(text)
        except sqlite3.Error as exc:
            # the first refusal that names the answer's own action, not sqlite's bookkeeping
            shown = next((d for d in denied if "sqlite_" not in d), denied[0]) if denied else ""
            why = f"only INSERT into {', '.join(sorted(tables))} is allowed, not {shown}" if denied else str(exc)
            raise FormatError(f"SQL failed: {why}") from None
        db.set_authorizer(None)
        db.set_progress_handler(None, 0)
        cur = db.execute(params["query"])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, (_sql_value(v) for v in row))) for row in cur.fetchall()]
    finally:
        db.close()


def _sql_value(v: Any) -> Any:
    if isinstance(v, bytes):
        raise FormatError("SQL: a BLOB value was inserted where text or numbers were asked for")
    return v


_AUTH_ACTIONS = ("CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE", "CREATE_TEMP_TRIGGER",
                 "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_VIEW", "DELETE", "DROP_INDEX", "DROP_TABLE",
                 "DROP_TEMP_INDEX", "DROP_TEMP_TABLE", "DROP_TEMP_TRIGGER", "DROP_TEMP_VIEW", "DROP_TRIGGER",
                 "DROP_VIEW", "INSERT", "PRAGMA", "READ", "SELECT", "TRANSACTION", "UPDATE", "ATTACH", "DETACH",
                 "ALTER_TABLE", "REINDEX", "ANALYZE", "CREATE_VTABLE", "DROP_VTABLE", "FUNCTION", "SAVEPOINT",
                 "RECURSIVE")
_AUTH_NAMES = {getattr(sqlite3, f"SQLITE_{a}"): a.replace("_", " ") for a in _AUTH_ACTIONS if hasattr(sqlite3, f"SQLITE_{a}")}


# ----------------------------------------------------------------------------- the verifier

SCHEMA = {
    "required": ["format", "expect"],
    "additionalProperties": False,
    "properties": {
        "format": {"enum": sorted(PARSERS)},
        "prose_allowed": {"type": "boolean", "description": "text around the payload is tolerated"},
        "fenced": {"type": "boolean", "description": "the payload must be in a code fence"},
        "prose": {"type": "object", "minProperties": 1, "additionalProperties": False,
                  "description": "at most this many sentences before / after the payload",
                  "properties": {"before": {"type": "integer", "minimum": 0}, "after": {"type": "integer", "minimum": 0}}},
        "exact": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "pattern": "^/"},
                  "description": "pointers of expect compared character for character"},
        "schema": {"type": "object", "description": "JSON Schema for the canonical value"},
        "expect": {"type": "object", "minProperties": 1, "description": "JSON Pointer -> acceptable values"},
        "columns": {"type": "array", "minItems": 1, "uniqueItems": True,
                    "items": {"type": "string", "minLength": 1, "pattern": r"\S"}},
        "create_table": {"type": "string", "minLength": 1},
        "query": {"type": "string", "pattern": r"(?i)^\s*select\b"},
    },
}


def payload(text: str, fmt: str, prose_allowed: bool, fenced: bool = False) -> tuple[str, str]:
    """(the text to parse, how it was found)."""
    inner = unwrap_fence(text)
    # "```a```\nprose\n```b```" also spans the whole text: a fence line inside means two blocks
    if inner is not None and not _FENCE_LINE.search(inner):
        return inner, "payload: the answer's one fenced block"
    if fmt in MARKDOWN:
        return text, "payload: the whole answer"
    blocks = fenced_blocks(text)
    if not prose_allowed:
        if blocks:
            raise FormatError("text around the fenced block; the prompt asked for the payload alone")
        return text.strip(), "payload: the whole answer"
    if len(blocks) > 1:
        raise FormatError(f"{len(blocks)} fenced blocks; expected one payload")
    if blocks:
        return blocks[0], "payload: the one fenced block (prose around it allowed)"
    if fenced:
        raise FormatError(f"no fenced code block; the prompt asked for the {LABELS[fmt]} in one")
    if fmt == "json":
        found = _json_in_prose(text)
        if found is not None:
            return found, "payload: the first JSON object/array in the prose"
    return text.strip(), "payload: the whole answer"


def _json_in_prose(text: str) -> str | None:
    decoder = json.JSONDecoder()
    for m in re.finditer(r"[{\[]", text):
        try:
            doc, end = decoder.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(doc, (dict, list)):
            return text[m.start():end]
    return None


def _matches(actual: Any, spec: Any, textual: bool) -> bool:
    if textual and isinstance(actual, str) and re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*", actual) and any(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in acceptable(spec)):
        return value_matches(float(actual), spec) or value_matches(actual, spec)
    return value_matches(actual, spec)


_FENCE_MARK = re.compile(r"^ {0,3}(?:```|~~~).*$", re.MULTILINE)


def prose_around(text: str, fmt: str, body: str) -> tuple[str, str]:
    """The prose before and after the payload (fence lines dropped)."""
    t = normalize_newlines(text)
    tables = _tables(_outside_fences(t)) if fmt == "markdown_table" else []
    if fmt == "markdown_table" and not tables:  # the table sits in a ```markdown block
        body = next((b for b in fenced_blocks(t) if _tables(_outside_fences(b))), "")
    if len(tables) == 1:
        lines, (start, end) = t.split("\n"), tables[0]
        before, after = "\n".join(lines[:start]), "\n".join(lines[end:])
    else:
        i = t.find(normalize_newlines(body)) if body.strip() else -1
        before, after = (t[:i], t[i + len(normalize_newlines(body)):]) if i >= 0 else ("", "")
    return _FENCE_MARK.sub("", before).strip(), _FENCE_MARK.sub("", after).strip()


def _prose_problem(limits: Mapping[str, int], text: str, fmt: str, body: str) -> str | None:
    for where, prose in zip(("before", "after"), prose_around(text, fmt, body)):
        n = len(sentences(prose))
        if where in limits and n > limits[where]:
            allowed = "no text" if limits[where] == 0 else f"at most {limits[where]} sentence(s)"
            return f"{n} sentence(s) {where} the payload ({prose[:50]!r}); the prompt allows {allowed} there"
    return None


def _exact_match(actual: Any, spec: Any) -> bool:
    """Character for character: a string (or list of strings) equal as written."""
    return any(type(actual) is type(v) and actual == v for v in acceptable(spec))


def _summary(doc: Any) -> str:
    if isinstance(doc, dict):
        keys = ", ".join(list(doc)[:8]) + (", ..." if len(doc) > 8 else "")
        return f"object with {len(doc)} key(s): {keys}"
    return f"list of {len(doc)} item(s)"


# "integer" means an integer value: JSON Schema's rule that 6.0 is an integer would let a TOML
# or YAML float, or a JSON 81.0, stand in where the request asked for a whole number.
StrictValidator = validators.extend(Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda checker, value: isinstance(value, int) and not isinstance(value, bool)))


def describe(params: Mapping[str, Any]) -> str:
    fmt = params["format"]
    head = LABELS[fmt] + (" (prose around it allowed)" if params.get("prose_allowed") else " alone")
    if "columns" in params:
        head += f" with columns {', '.join(params['columns'])}"
    shown = [f"{p} = {s!r}" for p, s in list(params["expect"].items())[:6]]
    more = " ..." if len(params["expect"]) > 6 else ""
    return f"{head}; {'; '.join(shown)}{more}"


def schema_errors(params: Mapping[str, Any], doc: Any) -> list[str]:
    if "schema" not in params:
        return []
    errors = sorted(StrictValidator(params["schema"]).iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in errors]


def evaluate(params: Mapping[str, Any], text: str) -> Verdict:
    fmt = params["format"]
    want = describe(params)
    if not text.strip():
        return Verdict.fail("no_answer_found", "the answer is empty", expected=want)
    trace: list[str] = []
    try:
        body, how = payload(text, fmt, params.get("prose_allowed", False), params.get("fenced", False))
        trace.append(how)
        doc = PARSERS[fmt](body, params)
        if "prose" in params:
            problem = _prose_problem(params["prose"], text, fmt, body)
            if problem:
                raise FormatError(problem)
        errors = schema_errors(params, doc)
    except FormatError as exc:
        mode = "invalid_json" if fmt == "json" and not isinstance(exc, ShapeError) else "schema_violation"
        return Verdict.fail(mode, str(exc), trace + [str(exc)], expected=want)
    except RecursionError:  # "[[[[...": the parsers and the schema walk nesting recursively
        detail = f"the {LABELS[fmt]} payload is nested too deeply to check"
        return Verdict.fail("schema_violation", detail, trace + [detail], expected=want)
    trace.append(f"parsed as {LABELS[fmt]}: {_summary(doc)}")
    if errors:
        return Verdict.fail("schema_violation", errors[0], trace + errors, expected=want)
    if "schema" in params:
        trace.append("schema: valid")
    expect: Mapping[str, Any] = params["expect"]
    exact = set(params.get("exact", []))
    wrong = []
    for pointer, spec in expect.items():
        found, value = resolve(doc, pointer)
        if found and (_exact_match(value, spec) if pointer in exact else _matches(value, spec, fmt in TEXTUAL)):
            trace.append(f"{pointer} = {value!r}")
        else:
            wrong.append(f"{pointer} = {repr(value) if found else '(missing)'}, expected {spec!r}"
                         + (" exactly" if pointer in exact else ""))
    if wrong:
        return Verdict.fail("wrong_answer", wrong[0], trace + wrong, score=1 - len(wrong) / len(expect), expected=want)
    return Verdict.ok(trace)


def check(params: Mapping[str, Any], scenario) -> str | None:
    fmt = params["format"]
    for key, formats in FORMAT_PARAMS.items():
        if key in params and fmt not in formats:
            return f"{key} is not used by format {fmt}"
        if key not in params and fmt in formats:
            return f"format {fmt} needs {key}"
    for key in ("fenced", "prose"):
        if key in params and not params.get("prose_allowed"):
            return f"{key} only applies with prose_allowed"
    for pointer in params.get("exact", []):
        if pointer not in params["expect"]:
            return f"exact: {pointer!r} is not a pointer of expect"
        if any(isinstance(v, Mapping) for v in acceptable(params["expect"][pointer])):
            return f"exact: {pointer!r} expects free text ($contains), which has no exact spelling"
    if fmt in NEEDS_SCHEMA and "schema" not in params:
        return f"format {fmt} needs a schema (types, required keys), not just expected values"
    if "schema" in params:
        try:
            Draft202012Validator.check_schema(params["schema"])
        except Exception as exc:  # jsonschema's SchemaError
            return f"schema is not a valid JSON Schema: {exc}"
    for pointer, spec in params["expect"].items():
        if not pointer.startswith("/"):
            return f"expect key {pointer!r} is not a JSON Pointer"
        problem = spec_problem(spec)
        if problem:
            return f"expect {pointer}: {problem}"
        if not _json_typed(spec):
            return f"expect {pointer}: {spec!r} is not a JSON value (quote dates and times in the pack)"
        if fmt in TEXTUAL and any(isinstance(v, bool) or v is None for v in acceptable(spec)):
            return f"expect {pointer}: {fmt} values are text, a bool or null can never match"
    if fmt == "sql_insert":
        problem = _sql_problem(params)
        if problem:
            return problem
    prompt = next((m["content"] for m in reversed(scenario.messages) if m["role"] == "user"), "")
    if evaluate(params, prompt).passed:
        return "the prompt, echoed back, passes this verifier"
    return None


def _json_typed(value: Any) -> bool:
    """YAML reads an unquoted 2025-09-18 as a date, which no parsed answer value ever equals."""
    if isinstance(value, (list, tuple)):
        return all(_json_typed(v) for v in value)
    if isinstance(value, dict):
        return all(_json_typed(v) for v in value.values())
    return value is None or isinstance(value, (str, int, float, bool))


def _sql_problem(params: Mapping[str, Any]) -> str | None:
    try:
        db, tables = _open_db(params["create_table"])
    except sqlite3.Error as exc:
        return f"create_table fails: {exc}"
    try:
        if not tables:
            return "create_table creates no table"
        db.execute(params["query"])
    except sqlite3.Error as exc:
        return f"query fails: {exc}"
    finally:
        db.close()
    return None


@register("structured_output", SCHEMA, check)
def verify_structured(params: Mapping[str, Any], scenario, episode) -> Verdict:
    return evaluate(params, episode.final.content)
