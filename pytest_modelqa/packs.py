"""Scenario packs: dataclasses, YAML loading and validation (schema + meaning)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml
from jsonschema import Draft202012Validator

from .datasets import Built, DataPaths, DatasetUnavailable, build as build_source
from .errors import PackError
from .messages import Reply, ToolCall
from .names import PACK_SUFFIXES, marker_for

# libyaml's loader where the wheel has it (about 10x faster), else the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCHEMA_DIR = Path(__file__).parent / "schemas"
MIN_NEAR_MISSES = 5  # per scenario: fewer cannot cover the ways an almost-right answer goes wrong


@dataclass(frozen=True)
class Mock:
    """A mocked tool result, returned when a call's name and arguments match."""

    tool: str
    when: Mapping[str, Any]
    result: Any

    def text(self) -> str:
        return self.result if isinstance(self.result, str) else json.dumps(self.result, ensure_ascii=False)


@dataclass(frozen=True)
class PackMeta:
    id: str
    version: str
    title: str
    dimension: str
    modes: tuple[str, ...]
    thinking: bool
    max_tokens: int
    case_seconds: float
    sandbox: str | None = None  # the image its scenarios run in
    executor: str = "mocks"  # what answers tool calls: "mocks", "shell" or "agent" (tools.executor_for)
    delegate_tokens: int = 256  # budget of a `delegate` tool's sub-request
    thinking_tokens: int | None = None  # the pack's default thinking budget (None: the run's)
    data: str = ""  # where a dataset pack's scenarios came from (a checksum, a seed): datasets.Built

    @property
    def marker(self) -> str:
        return marker_for(self.id)


@dataclass(frozen=True)
class Variant:
    """A hand-made answer to a scenario with a known verdict: a near miss (must fail) or an
    accepted alternative (must pass). `reply` has the shape of the gold trajectory."""

    why: str  # one line: what is wrong with it, or why it is still right
    reply: tuple[Reply, ...]


@dataclass(frozen=True)
class Scenario:
    pack: PackMeta
    id: str
    title: str
    messages: tuple[Mapping[str, Any], ...]
    tools: tuple[Mapping[str, Any], ...]  # OpenAI tool definitions offered with the request
    mocks: tuple[Mock, ...]
    max_steps: int
    max_tokens: int
    verifier: Mapping[str, Any]
    gold: tuple[Reply, ...]
    near_misses: tuple[Variant, ...] = ()  # each must FAIL the verifier (--modelqa-control=near-miss)
    accept: tuple[Variant, ...] = ()  # each must PASS (the oracle and near-miss controls)
    workspace: Mapping[str, str] = field(default_factory=dict)  # files laid down in the sandbox's work/
    setup: tuple[str, ...] = ()  # shell commands run in work/ before the first turn
    state: Mapping[str, Any] = field(default_factory=dict)  # the agent tools' initial state
    delegate_replies: tuple[Mapping[str, str], ...] = ()  # controls' answers to `delegate` sub-requests
    source: Mapping[str, Any] = field(default_factory=dict)  # a dataset scenario's origin (template and seed, record id)

    def delegate_reply(self, task: str) -> str | None:
        """The scripted answer to a delegated task (controls, the simulator), or None."""
        low = task.lower()
        return next((d["reply"] for d in self.delegate_replies if d["when"].lower() in low), None)

    @property
    def key(self) -> str:
        return f"{self.pack.id}::{self.id}"

    def tool_schema(self, name: str) -> Mapping[str, Any] | None:
        for tool in self.tools:
            if tool["function"]["name"] == name:
                return tool["function"]["parameters"]
        return None


@dataclass(frozen=True)
class Pack:
    meta: PackMeta
    path: Path
    scenarios: tuple[Scenario, ...]
    unavailable: str = ""  # a dataset pack whose data is not here: why, and how to provide it


@lru_cache(maxsize=None)
def _schema_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMA_DIR / "pack.schema.json").read_text()))


def discover(dirs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise PackError(d, "packs directory does not exist")
        files.extend(sorted(p for p in d.iterdir() if p.suffix in PACK_SUFFIXES))
    return files


MAX_PACK_BYTES = 4 * 2**20  # the largest shipped pack is ~60 KiB


MAX_ALIAS_NODES = 100_000  # nodes that aliases may add once expanded; shipped packs add a few dozen


def _refuse_aliases(text: str) -> None:
    """Aliases are fine for sharing a small value; an alias bomb ("billion laughs": anchors
    of anchors) is refused after one pass over the parse events, before anything is built,
    by counting the nodes every alias would expand to."""
    sizes: dict[str, int] = {}
    stack: list[list] = []  # [anchor, nodes so far] per open collection
    added = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([event.anchor, 1])
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, n = stack.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, n = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            anchor, n = None, sizes.get(event.anchor, 1)
            added += n
            if added > MAX_ALIAS_NODES:
                raise yaml.YAMLError(f"line {event.start_mark.line + 1}: aliases expand to more than "
                                     f"{MAX_ALIAS_NODES:,} nodes (an alias bomb?)")
        else:
            continue
        if anchor:
            sizes[anchor] = n
        if stack:
            stack[-1][1] += n


def load_pack(path: Path, data: DataPaths | None = None) -> Pack:
    """Parse and validate one pack file (schema and meaning, verifier parameters aside: the
    catalogue checks those, so this module needs no verifier). A pack with a `source` has its
    scenarios built from that dataset (`data`: where the user's copies are), then validated
    like written ones."""
    try:
        size = path.stat().st_size
        if size > MAX_PACK_BYTES:
            raise PackError(path, f"{size / 2**20:.1f} MiB is more than a pack may hold ({MAX_PACK_BYTES // 2**20} MiB)")
        text = path.read_text(encoding="utf-8")
        _refuse_aliases(text)
        doc = yaml.load(text, Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(path, f"cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise PackError(path, f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise PackError(path, "a pack file must be a mapping with 'pack' and 'scenarios'")
    if ("scenarios" in doc) == ("source" in doc):
        raise PackError(path, "a pack lists its 'scenarios' or names the dataset 'source' they are built from "
                              "(one of the two)")
    _check_schema(path, doc)
    built, unavailable = _from_source(path, doc, data or DataPaths.from_env()) if "source" in doc else (None, "")
    m = doc["pack"]
    meta = PackMeta(
        id=m["id"], version=m["version"], title=m["title"], dimension=m["dimension"],
        modes=tuple(m["modes"]), thinking=m["thinking"], max_tokens=m["max_tokens"],
        case_seconds=float(m["case_seconds"]), sandbox=m.get("sandbox"), executor=m.get("executor", "mocks"),
        delegate_tokens=m.get("delegate_tokens", 256), thinking_tokens=m.get("thinking_tokens"),
        data=built.provenance if built else "",
    )
    if meta.executor != "mocks" and not meta.sandbox:
        raise PackError(path, f"executor {meta.executor!r} acts on a sandbox: the pack must name its sandbox image")
    catalogue: dict[str, dict[str, Any]] = {}
    for tool in doc.get("tools", []):
        if tool["name"] in catalogue:
            raise PackError(path, f"tool {tool['name']!r} is defined twice")
        catalogue[tool["name"]] = {"type": "function", "function": dict(tool)}
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for raw in doc.get("scenarios", []):
        if raw["id"] in seen:
            raise PackError(path, "duplicate scenario id", raw["id"])
        seen.add(raw["id"])
        scenarios.append(_scenario(path, meta, raw, catalogue, built is not None))
    return Pack(meta, path, tuple(scenarios), unavailable)


def _from_source(path: Path, doc: dict[str, Any], data: DataPaths) -> tuple[Built | None, str]:
    """Build the scenarios of a dataset pack into `doc` and check them against the schema
    (or say why the data is not here)."""
    try:
        built = build_source(doc["source"], data)
    except DatasetUnavailable as exc:
        return None, str(exc)
    except (ValueError, KeyError, TypeError) as exc:
        raise PackError(path, f"source: {exc}") from None
    doc["scenarios"] = built.scenarios
    _check_schema(path, doc)
    return built, ""


def _check_schema(path: Path, data: dict[str, Any]) -> None:
    errors = sorted(_schema_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    err = errors[0]
    where = list(err.absolute_path)
    scenario = None
    if len(where) >= 2 and where[0] == "scenarios" and isinstance(where[1], int):
        raw = data["scenarios"][where[1]]
        scenario = str(raw.get("id", f"#{where[1] + 1}")) if isinstance(raw, dict) else f"#{where[1] + 1}"
        where = where[2:]
    location = ".".join(str(p) for p in where) or "(top level)"
    raise PackError(path, f"{location}: {err.message}", scenario)


def _scenario(path: Path, meta: PackMeta, raw: dict[str, Any], catalogue: dict[str, dict[str, Any]],
              built: bool = False) -> Scenario:
    sid = raw["id"]
    missing = [n for n in raw.get("tools", []) if n not in catalogue]
    if missing:
        raise PackError(path, f"tools not in the pack's catalogue: {', '.join(missing)}", sid)
    tools = tuple(catalogue[n] for n in raw.get("tools", []))
    offered = {t["function"]["name"] for t in tools}
    if raw["gold"] is None and not built:
        raise PackError(path, "gold: a written scenario needs its gold answer (only a dataset without references "
                              "may leave it out)", sid)
    gold = () if raw["gold"] is None else _trajectory(path, sid, "gold", raw["gold"], offered)
    max_steps = raw.get("max_steps", len(gold) + 2 if tools and gold else 1)
    _fits(path, sid, "gold", gold, max_steps)
    seen = {_shape(gold): "the gold"} if gold else {}
    near_misses = _variants(path, sid, "near_misses", raw.get("near_misses", []), offered, max_steps, seen)
    accept = _variants(path, sid, "accept", raw.get("accept", []), offered, max_steps, seen)
    if gold and len(near_misses) < MIN_NEAR_MISSES:
        raise PackError(path, f"near_misses: {len(near_misses)} given, a scenario needs at least {MIN_NEAR_MISSES} "
                              f"(almost-right answers its verifier must reject)", sid)
    mocks = tuple(Mock(m["tool"], m.get("when", {}), m["result"]) for m in raw.get("tool_results", []))
    if any(m.tool not in offered for m in mocks):
        raise PackError(path, "tool_results name a tool the scenario does not offer", sid)
    workspace = raw.get("workspace", {})
    if (workspace or raw.get("setup") or raw.get("state")) and not meta.sandbox:
        raise PackError(path, "workspace, setup and state need a sandbox: the pack names none", sid)
    return Scenario(
        pack=meta, id=sid, title=raw.get("title", sid),
        messages=_with_files(path, sid, raw["messages"], workspace), tools=tools, mocks=mocks, max_steps=max_steps,
        max_tokens=raw.get("max_tokens", meta.max_tokens), verifier=raw["verifier"], gold=gold,
        near_misses=near_misses, accept=accept, workspace=workspace, setup=tuple(raw.get("setup", ())),
        state=raw.get("state", {}), delegate_replies=tuple(raw.get("delegate_replies", ())),
        source=raw.get("source", {}),
    )


_FILE_REF = re.compile(r"\{\{file:([^{}]+)\}\}")


def _with_files(path: Path, sid: str, messages: list[dict[str, Any]],
                workspace: Mapping[str, str]) -> tuple[Mapping[str, Any], ...]:
    """Messages with each {{file:PATH}} replaced by that workspace file's text: the prompt
    shows exactly the code the sandbox holds (one copy in the pack, never two to drift apart)."""
    def text(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name not in workspace:
            raise PackError(path, f"{{{{file:{name}}}}}: no such file in the scenario's workspace", sid)
        return workspace[name].rstrip("\n")
    return tuple({**m, "content": _FILE_REF.sub(text, m["content"])} if isinstance(m.get("content"), str) else m
                 for m in messages)


def _trajectory(path: Path, sid: str, where: str, raw: Any, offered: set[str]) -> tuple[Reply, ...]:
    """A gold-shaped answer: one turn, a list of turns, or (near misses, accepts) a plain string
    for one final-answer turn. Tool turns first, then one final answer."""
    turns_raw = [{"content": raw}] if isinstance(raw, str) else raw if isinstance(raw, list) else [raw]
    turns = tuple(
        Reply(
            content=t.get("content", ""),
            tool_calls=tuple(ToolCall.parse(c["name"], c["arguments"], f"call_{i}_{j}")
                             for j, c in enumerate(t.get("tool_calls", []))),
        )
        for i, t in enumerate(turns_raw)
    )
    for i, turn in enumerate(turns):
        last = i == len(turns) - 1
        if last and turn.tool_calls:
            raise PackError(path, f"{where}: the last turn must be a final answer without tool calls", sid)
        if not last and not turn.tool_calls:
            raise PackError(path, f"{where}: turn {i + 1} has no tool calls, so the episode would end there", sid)
        unknown = [c.name for c in turn.tool_calls if c.name not in offered]
        if unknown:
            raise PackError(path, f"{where} calls tools the scenario does not offer: {', '.join(unknown)}", sid)
    return turns


def _fits(path: Path, sid: str, where: str, turns: tuple[Reply, ...], max_steps: int) -> None:
    if max_steps < len(turns):
        raise PackError(path, f"max_steps {max_steps} is shorter than the {where} trajectory ({len(turns)})", sid)


def _variants(path: Path, sid: str, field: str, raw: list[dict[str, Any]], offered: set[str], max_steps: int,
              seen: dict[str, str]) -> tuple[Variant, ...]:
    """Near misses or accepts, each parsed and checked like the gold. A copy of the gold or of
    another variant is refused: it tests nothing new, or contradicts itself (`seen` collects them)."""
    out: list[Variant] = []
    for n, item in enumerate(raw, 1):
        where = f"{field}[{n}] ({item['why']})"
        reply = _trajectory(path, sid, where, item["reply"], offered)
        _fits(path, sid, where, reply, max_steps)
        twin = seen.setdefault(_shape(reply), f"{field}[{n}]")
        if twin != f"{field}[{n}]":
            raise PackError(path, f"{where}: the same answer as {twin}", sid)
        out.append(Variant(item["why"], reply))
    return tuple(out)


def _shape(turns: tuple[Reply, ...]) -> str:
    """What an answer says, for spotting copies (call ids aside)."""
    return json.dumps([[t.content, [[c.name, c.arguments] for c in t.tool_calls]] for t in turns], sort_keys=True)
