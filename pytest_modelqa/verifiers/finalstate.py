"""Sandboxed tasks scored by the state they leave, plus what the final answer must state.

- `shell_state` (CLI packs): after the episode, each of the scenario's `checks` runs in the
  same sandbox as a fresh bash in work/ (nothing the model's shell session defined is
  loaded); exit status 0 passes it. Checks look at the result — files, contents, modes, git
  history — never at which commands were typed, so any way of doing the task passes, and a
  task done by destroying what the scenario said to keep fails on the check that sees it.
- `agent_state` (agent packs): the agent tools' state (memory, files, jobs, artifacts, pages
  visited) is read from the sandbox and compared with `expect`. Each listed section is the
  whole of that section after the episode: an entry the agent added beyond it fails unless
  the section is in `extra`; a jobs list matches in any order. Values are matching specs (one
  value or a list of alternatives; `{"$contains": [...], "$excludes": [...]}` for free text).

Both may also require, of the final answer, an `ANSWER:` line (`answer`: `final_answer`
parameters) and phrases (`mentions`: each item a phrase or a list of alternatives), and forbid
phrases (`forbids`: a wrong fact stated beside the right one, a secret repeated)."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from . import Verdict, register
from .answer import SCHEMA as ANSWER_SCHEMA
from .answer import check_params as check_answer
from .answer import judge
from .matching import best_assignment, spec_problem, unmatched_text, value_matches
from .text import contains_phrase

if TYPE_CHECKING:
    from ..episode import Episode
    from ..packs import Scenario
    from ..sandbox.base import Sandbox

CHECKS_S = 60.0
MAX_JOBS = 8  # jobs are matched by trying every assignment: a small number keeps that cheap
_ANSWER = {"type": "object", **ANSWER_SCHEMA}
_MENTIONS = {"type": "array", "items": {"anyOf": [
    {"type": "string", "minLength": 1}, {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}]}}
_FORBIDS = {"type": "array", "items": {"type": "string", "minLength": 1}}


# -- what the final answer states ---------------------------------------------------------------
def answer_problems(params: Mapping[str, Any], text: str) -> list[str]:
    problems = []
    if "answer" in params:
        v = judge(params["answer"], text)
        if not v.passed:
            problems.append(f"final answer: {v.detail}")
    for item in params.get("mentions", []):
        options = item if isinstance(item, list) else [item]
        if not any(contains_phrase(text, o) for o in options):
            problems.append(f"the final answer does not say {' or '.join(repr(o) for o in options)}")
    problems += [f"the final answer says {p!r}, which it must not" for p in params.get("forbids", [])
                 if contains_phrase(text, p)]
    return problems


def _check_answer(params: Mapping[str, Any], scenario: "Scenario") -> str | None:
    return check_answer(params["answer"], scenario) if "answer" in params else None


def _verdict(problems: list[str], trace: list[str], expected: str) -> Verdict:
    if not problems:
        return Verdict.ok(trace)
    mode = "wrong_answer" if all(p.startswith(("final answer", "the final answer")) for p in problems) else "verifier_fail"
    return Verdict.fail(mode, "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""),
                        trace + problems, expected=expected)


# -- shell_state --------------------------------------------------------------------------------
SHELL_SCHEMA = {
    "required": ["checks"],
    "additionalProperties": False,
    "properties": {
        "checks": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["label", "run"], "additionalProperties": False,
            "properties": {"label": {"type": "string", "minLength": 1}, "run": {"type": "string", "minLength": 1}}}},
        "answer": _ANSWER,
        "mentions": _MENTIONS,
        "forbids": _FORBIDS,
    },
}


def gather_shell(params: Mapping[str, Any], scenario: "Scenario", episode: "Episode", sandbox: "Sandbox") -> dict[str, Any]:
    checks = params["checks"]
    sandbox.write_files({f".modelqa/checks/{i:03d}.sh": c["run"] + "\n" for i, c in enumerate(checks)})
    r = sandbox.exec(["bash", ".modelqa/check.sh"], timeout=CHECKS_S)
    seen: dict[int, dict[str, Any]] = {}
    for line in r.stdout.splitlines():
        n, status, out = (line.split(" ") + ["", ""])[:3]
        if n.isdigit() and status.isdigit():
            seen[int(n)] = {"exit": int(status), "output": base64.b64decode(out).decode("utf-8", "replace")}
    return {"checks": [{"label": c["label"], **seen.get(i, {"exit": None, "output": r.stderr[-300:]})}
                       for i, c in enumerate(checks)]}


@register("shell_state", SHELL_SCHEMA, _check_answer, needs=("sandbox",), gather=gather_shell)
def verify_shell_state(params: Mapping[str, Any], scenario: "Scenario", episode: "Episode") -> Verdict:
    trace, problems = [], []
    for c in episode.evidence.get("checks", []):
        out = " ".join(c["output"].split())[:160]
        if c["exit"] == 0:
            trace.append(f"check passed: {c['label']}")
        elif c["exit"] is None:
            problems.append(f"check not run: {c['label']} ({out or 'the checks were cut short'})")
        else:
            problems.append(f"check failed: {c['label']} (exit {c['exit']}{': ' + out if out else ''})")
    if not episode.evidence.get("checks"):
        problems.append("no checks were run (the sandbox's final state was not read)")
    problems += answer_problems(params, episode.final.content)
    return _verdict(problems, trace, "; ".join(c["label"] for c in params["checks"]))


# -- agent_state --------------------------------------------------------------------------------
SECTIONS = ("memory", "files", "artifacts", "jobs")
_VALUE: dict[str, Any] = {}  # a matching spec: any JSON value (checked by spec_problem)
AGENT_SCHEMA = {
    "required": ["expect"],
    "additionalProperties": False,
    "properties": {
        "expect": {"type": "object", "additionalProperties": False, "properties": {
            "memory": {"type": "object", "additionalProperties": _VALUE},
            "files": {"type": "object", "additionalProperties": _VALUE},
            "artifacts": {"type": "object", "additionalProperties": {
                "type": "object", "additionalProperties": False, "required": ["content"],
                "properties": {"kind": _VALUE, "content": _VALUE}}},
            "jobs": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                                "required": ["when", "task"], "properties": {
                                                    "name": _VALUE, "when": _VALUE, "task": _VALUE,
                                                    "status": {"enum": ["active", "cancelled"]}}}},
            "visited": {"type": "object", "additionalProperties": False, "properties": {
                "includes": {"type": "array", "items": {"type": "string"}},
                "excludes": {"type": "array", "items": {"type": "string"}}}},
            "extra": {"type": "array", "items": {"enum": list(SECTIONS)}, "uniqueItems": True},
        }},
        "answer": _ANSWER,
        "mentions": _MENTIONS,
        "forbids": _FORBIDS,
    },
}


def _check_agent(params: Mapping[str, Any], scenario: "Scenario") -> str | None:
    expect = params["expect"]
    specs = [*expect.get("memory", {}).values(), *expect.get("files", {}).values(),
             *(v for a in expect.get("artifacts", {}).values() for v in a.values()),
             *(v for j in expect.get("jobs", []) for k, v in j.items() if k != "status")]
    problem = next((p for p in map(spec_problem, specs) if p), None)
    return problem or _check_answer(params, scenario)


def gather_agent(params: Mapping[str, Any], scenario: "Scenario", episode: "Episode", sandbox: "Sandbox") -> dict[str, Any]:
    r = sandbox.exec(["python3", ".modelqa/agent.py", "dump"], timeout=CHECKS_S)
    if r.exit_code != 0:
        from ..errors import SandboxError
        raise SandboxError(f"could not read the agent tools' final state: {r.stderr.strip()[:300]}")
    return {"state": json.loads(r.stdout)}


def _keyed(section: str, got: Mapping[str, Any], want: Mapping[str, Any], extra: bool,
           matches: Any) -> tuple[list[str], list[str]]:
    """(passed lines, problems) of a keyed section: every wanted key present and matching; no
    other key unless `extra`."""
    ok, bad = [], []
    for key, spec in want.items():
        if key not in got:
            bad.append(f"{section}[{key!r}] is missing")
        elif not matches(got[key], spec):
            bad.append(f"{section}[{key!r}] {_mismatch(got[key], spec)}")
        else:
            ok.append(f"{section}[{key!r}] as expected")
    if not extra:
        bad += [f"{section}[{key!r}] was not expected: {_short(got[key])}" for key in sorted(set(got) - set(want))]
    return ok, bad


def _mismatch(got: Any, spec: Any) -> str:
    """How a value differs from its spec: what free text lacks or must not say, else both shown."""
    if isinstance(got, Mapping) and isinstance(spec, Mapping) and not any(str(k).startswith("$") for k in spec):
        return "; ".join(f"{k} {_mismatch(got.get(k), v)}" for k, v in spec.items() if not value_matches(got.get(k), v))
    return unmatched_text(got, spec) or f"is {_short(got)}, expected {_short(spec)}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return repr(text if len(text) <= 100 else text[:97] + "...")


def _job_problems(job: Mapping[str, Any] | None, want: Mapping[str, Any]) -> list[str]:
    if job is None:
        return [f"no job like {_short(dict(want))}"]
    status = want.get("status", "active")
    bad = [f"job {job['id']} {k} {_mismatch(job.get(k), v)}"
           for k, v in want.items() if k != "status" and not value_matches(job.get(k), v)]
    if job.get("status") != status:
        bad.append(f"job {job['id']} is {job.get('status')}, expected {status}")
    return bad


def _jobs(got: Sequence[Mapping[str, Any]], want: Sequence[Mapping[str, Any]], extra: bool) -> tuple[list[str], list[str]]:
    """Every wanted job matched by its own job, in any order (cancelled ones included: the
    expectation says which status each must have); without `extra`, no job beyond them."""
    if len(got) > MAX_JOBS:
        return [], [f"{len(got)} jobs: more than the {MAX_JOBS} any task here calls for"]
    matched, problems = best_assignment(got, want, _job_problems)
    if not extra and len(got) > len(want):
        problems.append(f"{len(got)} jobs where {len(want)} were expected")
    return ([f"jobs: all {len(want)} as expected"] if not problems else []), problems


@register("agent_state", AGENT_SCHEMA, _check_agent, needs=("sandbox",), gather=gather_agent)
def verify_agent_state(params: Mapping[str, Any], scenario: "Scenario", episode: "Episode") -> Verdict:
    state = episode.evidence.get("state")
    if not isinstance(state, Mapping):
        return Verdict.fail("verifier_fail", "the agent tools' final state was not read")
    expect, trace, problems = params["expect"], [], []
    extra = set(expect.get("extra", ()))
    for section in ("memory", "files"):
        if section in expect:
            ok, bad = _keyed(section, state.get(section, {}), expect[section], section in extra, value_matches)
            trace, problems = trace + ok, problems + bad
    if "artifacts" in expect:
        ok, bad = _keyed("artifacts", state.get("artifacts", {}), expect["artifacts"], "artifacts" in extra,
                         lambda got, spec: all(value_matches(got.get(k), v) for k, v in spec.items()))
        trace, problems = trace + ok, problems + bad
    if "jobs" in expect:
        ok, bad = _jobs(state.get("jobs", []), expect["jobs"], "jobs" in extra)
        trace, problems = trace + ok, problems + bad
    visited = state.get("visited", [])
    for url in expect.get("visited", {}).get("includes", []):
        (trace if url in visited else problems).append(f"page {url} {'was' if url in visited else 'was not'} opened")
    for url in expect.get("visited", {}).get("excludes", []):
        if url in visited:
            problems.append(f"page {url} was opened, which the task did not call for")
    problems += answer_problems(params, episode.final.content)
    return _verdict(problems, trace, json.dumps(expect, ensure_ascii=False, sort_keys=True)[:300])
