"""`tool_calls`: the whole trajectory of tool calls, step by step, then the final answer.

`expected` is a list of steps; each step is a list of calls that may come in any order
(parallel, independent calls). Steps are matched in order, and a step depends on the one
before: its calls must come in a later turn than that step's calls, once their results are
back (a chain emitted in one turn used values it could not have had). Actual calls are read in
the order the model made them. An empty `expected` means no tool may be called. Extra calls
fail; so do unknown arguments.

`final` checks the last answer: `must_include` (each item a phrase or a list of alternative
phrases), `must_not_include` (phrases), `must_not_match` (regular expressions, case-insensitive;
e.g. any money amount where the tool failed and none may be invented) and `asks_about`
(alternative phrases, one of which must appear inside a question: a sentence ending in "?").
Then its facts (see facts.py): every number must come from the conversation (`numbers`:
`allow` derived values, or `free`), values must sit with the right names (`bindings`),
comparatives between entities must agree with their values (`comparisons`), and what it says
was done must agree with the calls that succeeded (`claims`).

`arguments` checks the facts of free-text arguments the same way (`"send_email.body":
{numbers, bindings, comparisons}`): their numbers must come from what was known when the call
was made.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from . import Verdict, register
from .facts import (BINDINGS_SCHEMA, CLAIMS_SCHEMA, COMPARISONS_SCHEMA, NUMBER_SCHEMA, binding_problems,
                    claim_problems, comparison_problems, known_values, ungrounded)
from .matching import OMITTED, acceptable, best_assignment, call_problems, spec_problem
from .text import contains_phrase

_CALL = {
    "type": "object", "required": ["name"], "additionalProperties": False,
    "properties": {"name": {"type": "string"}, "args": {"type": "object"}},
}
_PHRASES = {"type": "array", "items": {"anyOf": [
    {"type": "string", "minLength": 1},
    {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
]}}
SCHEMA = {
    "required": ["expected"],
    "additionalProperties": False,
    "properties": {
        "expected": {"type": "array", "items": {"type": "array", "minItems": 1, "items": _CALL}},
        "final": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "must_include": _PHRASES,
                "must_not_include": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "must_not_match": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "asks_about": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                "numbers": NUMBER_SCHEMA,
                "bindings": BINDINGS_SCHEMA,
                "comparisons": COMPARISONS_SCHEMA,
                "claims": CLAIMS_SCHEMA,
            },
        },
        "arguments": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*$"},
            "additionalProperties": {"type": "object", "additionalProperties": False,
                                     "properties": {"numbers": NUMBER_SCHEMA, "bindings": BINDINGS_SCHEMA,
                                                    "comparisons": COMPARISONS_SCHEMA}},
        },
    },
}


def check(params: Mapping[str, Any], scenario) -> str | None:
    for step in params["expected"]:
        for call in step:
            schema = scenario.tool_schema(call["name"])
            if schema is None:
                return f"expected call to {call['name']}, which the scenario does not offer"
            props = schema.get("properties", {})
            unknown = [a for a in call.get("args", {}) if a not in props]
            if unknown:
                return f"{call['name']}: expected arguments not in the tool's schema: {unknown}"
            for req in schema.get("required", []):
                spec = call.get("args", {}).get(req)
                if spec is None or OMITTED in acceptable(spec):
                    return f"{call['name']}: required argument {req} must be expected and not omittable"
            for arg, spec in call.get("args", {}).items():
                bad = spec_problem(spec)
                if bad:
                    return f"{call['name']}.{arg}: {bad}"
    for mock in scenario.mocks:
        for arg, spec in mock.when.items():
            bad = spec_problem(spec)
            if bad:
                return f"tool_results {mock.tool}.{arg}: {bad}"
    for claim in params.get("final", {}).get("claims", []):
        if scenario.tool_schema(claim["tool"]) is None:
            return f"final.claims: {claim['tool']} is not offered by the scenario"
    for key in params.get("arguments", {}):
        tool, arg = key.split(".")
        schema = scenario.tool_schema(tool)
        if schema is None or arg not in schema.get("properties", {}):
            return f"arguments: {key} is not an argument of a tool the scenario offers"
    for pattern in params.get("final", {}).get("must_not_match", []):
        try:
            re.compile(pattern)
        except re.error as exc:
            return f"final.must_not_match: bad regular expression {pattern!r}: {exc}"
    return None


def describe(expected: list[list[Mapping[str, Any]]]) -> str:
    if not expected:
        return "no tool calls"
    return " then ".join(" + ".join(c["name"] for c in step) for step in expected)


def phrase_problems(text: str, final: Mapping[str, Any]) -> list[str]:
    problems = []
    for item in final.get("must_include", []):
        options = item if isinstance(item, list) else [item]
        if not any(contains_phrase(text, o) for o in options):
            problems.append(f"final answer lacks {' / '.join(repr(o) for o in options)}")
    for phrase in final.get("must_not_include", []):
        if contains_phrase(text, phrase):
            problems.append(f"final answer contains forbidden {phrase!r}")
    for pattern in final.get("must_not_match", []):
        found = re.search(pattern, text, re.IGNORECASE)
        if found:
            problems.append(f"final answer contains {found.group(0)!r}, which /{pattern}/ forbids")
    if "asks_about" in final:
        topics = final["asks_about"]
        if not any(contains_phrase(q, t) for q in questions(text) for t in topics):
            problems.append(f"final answer asks no question about {' / '.join(repr(t) for t in topics)}")
    return problems


_QUESTION = re.compile(r"[^.!?\n]*\?")


def questions(text: str) -> list[str]:
    """The sentences of `text` that end with a question mark."""
    return [q.strip() for q in _QUESTION.findall(text) if q.strip(" ?")]


@dataclass(frozen=True)
class _Returned:
    turn: int  # the assistant turn whose call got this result
    name: str
    content: str


def _returned(scenario, episode) -> list[_Returned]:
    """The tool results fed back during the episode, with the turn that asked for them."""
    out, turn = [], -1
    for m in episode.transcript[len(scenario.messages):]:
        if m.get("role") == "assistant":
            turn += 1
        elif m.get("role") == "tool":
            out.append(_Returned(turn, m.get("name", ""), m.get("content") or ""))
    return out


def _failed(content: str) -> bool:
    try:
        value = json.loads(content)
    except ValueError:
        return False
    return isinstance(value, dict) and "error" in value


def _prompt_texts(scenario) -> list[str]:
    return [m.get("content") or "" for m in scenario.messages]


def fact_problems(text: str, spec: Mapping[str, Any], known: list[str], where: str) -> list[str]:
    """Numbers nothing supplied, and values stated with the wrong names."""
    problems = []
    numbers = spec.get("numbers", {})
    if not numbers.get("free"):
        invented = ungrounded(text, known_values(known, numbers.get("allow", [])))
        if invented:
            problems.append(f"{where} states {', '.join(map(repr, invented))}, which no tool result, prompt or "
                            f"call gave")
    return (problems + binding_problems(text, spec.get("bindings", []), where)
            + comparison_problems(text, spec.get("comparisons", []), where))


@register("tool_calls", SCHEMA, check)
def verify_tool_calls(params: Mapping[str, Any], scenario, episode) -> Verdict:
    expected: list[list[Mapping[str, Any]]] = params["expected"]
    want = describe(expected)
    calls = episode.calls
    turn_of = [n for n, turn in enumerate(episode.turns) for _ in turn.tool_calls]
    trace = [f"model called: {', '.join(c.name for c in calls) or 'nothing'}"]
    bad_json = [c for c in calls if c.arguments is None]
    if bad_json:
        c = bad_json[0]
        return Verdict.fail("invalid_json", f"{c.name}: arguments are not a JSON object: {c.raw_arguments[:120]!r}",
                            trace, expected=want)
    total = sum(len(step) for step in expected)
    matched, problems, pos = 0, [], 0
    for n, step in enumerate(expected, 1):
        group = calls[pos:pos + len(step)]
        early = bool(group) and pos > 0 and turn_of[pos] <= turn_of[pos - 1]
        if early:  # its arguments could only be guesses: no credit for them
            problems.append(f"step {n} ({' + '.join(c['name'] for c in step)}) came in the same turn as step {n - 1}: "
                            f"it needs that step's results first")
        pos += len(step)
        got, why = best_assignment(group, step, lambda actual, exp: (
            [f"missing call to {exp['name']}"] if actual is None
            else call_problems(actual.name, actual.arguments, exp, scenario.tool_schema(exp["name"]))))
        matched += 0 if early else got
        trace.append(f"step {n} ({' + '.join(c['name'] for c in step)}): {got}/{len(step)} matched")
        problems += why
    extra = calls[pos:]
    problems += [f"unexpected extra call {c.name}({c.raw_arguments[:80]})" for c in extra]
    returned = _returned(scenario, episode)
    for key, spec in params.get("arguments", {}).items():
        tool, arg = key.split(".")
        for i, c in enumerate(calls):
            if c.name == tool and isinstance(c.arguments.get(arg), str):
                known = _prompt_texts(scenario) + [r.content for r in returned if r.turn < turn_of[i]]
                found = fact_problems(c.arguments[arg], spec, known, f"{key}")
                matched -= bool(found) and i < pos
                problems += found
    trace += problems  # the call problems; final-answer ones get their own trace line below
    # Score: share of the checks met: each expected call, plus the final answer when it is
    # checked. Calls made where none (or fewer) were expected void the call credit.
    final_ok = 0
    if "final" in params:
        final, text = params["final"], episode.final.content
        known = _prompt_texts(scenario) + [r.content for r in returned] + [c.raw_arguments for c in calls]
        succeeded = {r.name for r in returned if not _failed(r.content)}
        final_problems = (phrase_problems(text, final) + fact_problems(text, final, known, "final answer")
                          + claim_problems(text, final.get("claims", []), succeeded, "final answer"))
        trace.append("final answer: " + ("ok" if not final_problems else "; ".join(final_problems)))
        problems += final_problems
        final_ok = int(not final_problems)
    units = total + ("final" in params)
    call_credit = 0 if extra else max(0, matched)
    score = (call_credit + final_ok) / units if units else float(not calls)
    if problems:
        return Verdict.fail("wrong_answer", problems[0], trace, score=score, expected=want)
    return Verdict.ok(trace, score=1.0)
