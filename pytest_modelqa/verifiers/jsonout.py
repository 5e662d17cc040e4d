"""`json_output`: parse the answer as JSON (a real parser), validate it against a JSON Schema,
then check the values the request asked for (`expect`: JSON Pointer -> acceptable values),
because a schema alone is met by junk of the right shape."""

from __future__ import annotations

import json
from typing import Any, Mapping

from jsonschema import Draft202012Validator

from . import Verdict, register
from .matching import value_matches
from .text import fenced_blocks, unwrap_fence

SCHEMA = {
    "required": ["schema", "expect"],
    "additionalProperties": False,
    "properties": {
        "schema": {"type": "object"},
        "expect": {"type": "object", "minProperties": 1},
        "prose_allowed": {"type": "boolean", "description": "text around one fenced JSON block is tolerated"},
    },
}


def check(params: Mapping[str, Any], scenario) -> str | None:
    try:
        Draft202012Validator.check_schema(params["schema"])
    except Exception as exc:  # jsonschema's SchemaError
        return f"schema is not a valid JSON Schema: {exc}"
    bad = [p for p in params["expect"] if not p.startswith("/")]
    return f"expect keys must be JSON Pointers: {bad}" if bad else None


def payload(text: str, prose_allowed: bool) -> str:
    inner = unwrap_fence(text)
    if inner is not None:
        return inner
    if prose_allowed:
        blocks = fenced_blocks(text)
        if len(blocks) == 1:
            return blocks[0]
    return text.strip()


def resolve(doc: Any, pointer: str) -> tuple[bool, Any]:
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return False, None
    return True, doc


@register("json_output", SCHEMA, check)
def verify_json(params: Mapping[str, Any], scenario, episode) -> Verdict:
    text = payload(episode.final.content, params.get("prose_allowed", False))
    want = f"JSON matching the schema with {json.dumps(params['expect'], ensure_ascii=False)}"
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return Verdict.fail("invalid_json", f"not JSON: {exc.msg} at line {exc.lineno} col {exc.colno}", expected=want)
    errors = list(Draft202012Validator(params["schema"]).iter_errors(doc))
    if errors:
        e = errors[0]
        at = "/" + "/".join(str(p) for p in e.absolute_path)
        return Verdict.fail("schema_violation", f"{at}: {e.message}", [f"{at}: {x.message}" for x in errors], expected=want)
    trace, wrong = ["parsed and schema-valid"], []
    expect: Mapping[str, Any] = params["expect"]
    for pointer, spec in expect.items():
        found, value = resolve(doc, pointer)
        if found and value_matches(value, spec):
            trace.append(f"{pointer} = {value!r}")
        else:
            shown = repr(value) if found else "(missing)"
            wrong.append(f"{pointer} = {shown}, expected {spec!r}")
    if wrong:
        score = 1 - len(wrong) / len(expect)
        return Verdict.fail("wrong_answer", wrong[0], trace + wrong, score=score, expected=want)
    return Verdict.ok(trace)
