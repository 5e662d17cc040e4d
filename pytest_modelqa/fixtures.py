"""Fixtures for hand-written behavioural tests, and how such tests join the report.

    def test_refund_uses_the_refund_tool(modelqa_chat):
        reply = modelqa_chat([{"role": "user", "content": "Refund order 42"}], tools=[REFUND])
        assert [c.name for c in reply.tool_calls] == ["refund_order"]

`modelqa_endpoint` (the resolved endpoint and its provenance), `modelqa_sampling`,
`modelqa_thinking` and `modelqa_chat` (a client bound to all of them: the run's sampling,
seed per repeat, thinking and budget; reasoning split off the answer as for packs).

A test that uses `modelqa_chat` is a scenario of a row of its own: its module's name, or
the name given by `@pytest.mark.modelqa_pack("Refunds", version="1.0.0")`. Without a
version the row's version is the module file's content hash, so a baseline never compares
an edited test with its old self silently. Its result (pass/fail, the last conversation,
latency, tokens, retries) goes into the table, the JSON, the Quality line, repeats (it is
parametrised `[r0]`…`[rN-1]` like pack items) and the baseline gate. A request that fails
after its retries is recorded as a serving error, apart from quality failures.

This module is imported in every pytest session: nothing heavy at import time. With the
plugin inactive the fixtures skip, saying how to enable them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

import pytest

if TYPE_CHECKING:
    from .messages import ToolCall
    from .results import ScenarioResult
    from .sandbox.base import Sandbox
    from .sandbox.pool import Pool
    from .sandbox.service import Sandboxes
    from .session import ModelQASession

CHAT_FIXTURE = "modelqa_chat"
MARKER = "modelqa_pack"
SANDBOX_MARKER = "modelqa_sandbox"
DEFAULT_MAX_TOKENS = 512
INACTIVE = ("pytest-modelqa is not active: give --model-endpoint=URL (or set MODELQA_ENDPOINT, or the ini key "
            "modelqa_endpoint) to run this test against a model")
_LOG = pytest.StashKey[list]()  # per item: (messages, Reply) for each request made


def _session(config: pytest.Config) -> "ModelQASession":
    from .names import SESSION
    mq = config.stash.get(SESSION, None)
    if mq is None:
        pytest.skip(INACTIVE)
    if mq.cfg.control:
        pytest.skip(f"--modelqa-control={mq.cfg.control} answers packs from their gold answers; hand-written "
                    "tests need a real endpoint (--model-endpoint)")
    if not mq.endpoints:
        pytest.skip("no probed endpoint in this process")
    return mq


def group_of(item: pytest.Item) -> str | None:
    """The row a hand-written test belongs to, or None if it does not use modelqa_chat."""
    if CHAT_FIXTURE not in getattr(item, "fixturenames", ()):
        return None
    mark = item.get_closest_marker(MARKER)
    if mark is not None and mark.args:
        return str(mark.args[0])
    return Path(str(item.path)).stem


def group_rows(items: Sequence[pytest.Item], cfg: Any) -> dict[str, Any]:
    """The report rows of the hand-written tests among `items` (all of them, before any
    deselection): name -> RowSpec. A row without an explicit version is versioned by the
    content of every module in it, so editing any of them makes the row a new version."""
    from .report import RowSpec
    members: dict[str, list[pytest.Item]] = {}
    for item in items:
        group = group_of(item)
        if group is not None:
            members.setdefault(group, []).append(item)
    rows = {}
    for group, its in members.items():
        marks = [m for i in its if (m := i.get_closest_marker(MARKER)) is not None and m.kwargs.get("version")]
        if marks:
            version = str(marks[0].kwargs["version"])
        else:
            digest = hashlib.sha256()
            for path in sorted({Path(i.path) for i in its}):
                try:
                    digest.update(path.read_bytes())
                except OSError:
                    digest.update(str(path).encode())
            version = f"0+{digest.hexdigest()[:10]}"
        tests = {_repeat_and_name(i)[1] for i in its}
        rows[group] = RowSpec(group, version, len(tests), group_thinking(its[0], cfg.thinking), "tests")
    return rows


def group_thinking(item: pytest.Item, forced: bool | None) -> bool:
    if forced is not None:
        return forced
    mark = item.get_closest_marker(MARKER)
    return bool(mark.kwargs.get("thinking", False)) if mark is not None else False


@dataclass(frozen=True)
class ModelQAEndpoint:
    url: str
    model: str
    api: str
    build: str | None
    slots: int | None
    decode_tps: float | None
    template_sha256: str | None
    provenance: str  # how it was chosen: the flag/ini/env that named it, or launched by the plugin


@dataclass(frozen=True)
class ModelQASampling:
    label: str  # "greedy", "temperature=0.7,seed=1234", "server sampling"
    canonical: bool
    fields: Mapping[str, Any]  # sent with every request of repeat 0
    seed: int


@dataclass(frozen=True)
class ModelQAThinking:
    enabled: bool
    max_tokens: int  # thinking budget on top of the answer's
    reasoning_effort: str | None


@dataclass(frozen=True)
class ChatReply:
    content: str  # the answer, reasoning removed
    reasoning: str
    tool_calls: tuple["ToolCall", ...]
    usage: Mapping[str, int]
    latency_s: float
    finish_reason: str
    retries: int


@dataclass
class ModelQAChat:
    """Send messages (and tools), get a ChatReply. Bound to the run's settings."""

    _session: "ModelQASession"
    _item: pytest.Item
    repeat: int
    thinking: bool

    def __call__(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]] = (), *,
                 max_tokens: int = DEFAULT_MAX_TOKENS) -> ChatReply:
        from .lanes import chat_settings, request_timeout, slots_for
        mq = self._session
        info = mq.endpoints[0]
        settings = chat_settings(mq.cfg, info.model, self.thinking, max_tokens, self.repeat)
        timeout = request_timeout(mq.cfg, info, slots_for(mq.cfg, info), settings.max_tokens, 120.0)
        tools = [t if "type" in t else {"type": "function", "function": dict(t)} for t in tools]
        log = self._item.stash.setdefault(_LOG, [])
        try:
            reply = mq.chat_client().chat(messages, tools, settings, timeout)
        except Exception as exc:
            log.append((list(messages), exc))
            raise
        log.append((list(messages), reply))
        return ChatReply(reply.content, reply.reasoning, reply.tool_calls,
                         {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens},
                         reply.latency_s, reply.finish_reason, reply.retries)


@pytest.fixture
def modelqa_repeat() -> int:
    """The repeat index (0 … --modelqa-repeat − 1); parametrised when repeats are asked for."""
    return 0


@pytest.fixture
def modelqa_endpoint(request: pytest.FixtureRequest) -> ModelQAEndpoint:
    mq = _session(request.config)
    e = mq.endpoints[0]
    return ModelQAEndpoint(e.url, e.model, e.api, e.build, e.slots, e.decode_tps, e.template_sha256,
                           mq.endpoint_provenance())


@pytest.fixture
def modelqa_sampling(request: pytest.FixtureRequest) -> ModelQASampling:
    cfg = _session(request.config).cfg
    return ModelQASampling(cfg.sampling_label, cfg.canonical, cfg.sampling_fields(), cfg.seed)


@pytest.fixture
def modelqa_thinking(request: pytest.FixtureRequest) -> ModelQAThinking:
    cfg = _session(request.config).cfg
    return ModelQAThinking(group_thinking(request.node, cfg.thinking), cfg.thinking_budget(), cfg.reasoning_effort)


@pytest.fixture
def modelqa_chat(request: pytest.FixtureRequest, modelqa_repeat: int) -> ModelQAChat:
    mq = _session(request.config)
    return ModelQAChat(mq, request.node, modelqa_repeat, group_thinking(request.node, mq.cfg.thinking))


@pytest.fixture
def modelqa_sandbox(request: pytest.FixtureRequest) -> Iterator["Sandbox"]:
    """A fresh sandbox from the run's warm pool, to execute model-written code: image "python"
    unless `@pytest.mark.modelqa_sandbox(image="cli")`. Never one another test touched; removed
    after the test. Skips, saying why and how to fix it, where Docker or the image is missing."""
    marker = request.node.get_closest_marker(SANDBOX_MARKER)
    image = str(marker.kwargs.get("image", "python")) if marker else "python"
    pool, why = pool_for(request.config, image)
    if pool is None:
        pytest.skip(f"no sandbox: {why}")
    sandbox = pool.acquire(image)
    try:
        yield sandbox
    finally:
        pool.release(sandbox)


def sandboxes(config: pytest.Config) -> "Sandboxes":
    """The process's sandboxes, made on first use (in inert runs too: no model is needed)."""
    from .names import SANDBOXES, SESSION
    found = config.stash.get(SANDBOXES, None)
    if found is None:
        from . import options
        from .sandbox.service import Sandboxes
        values = options.resolve(config).values
        mq = config.stash.get(SESSION, None)
        found = config.stash[SANDBOXES] = Sandboxes(values["sandbox_backend"], values["sandboxes"],
                                                    mq.run_id if mq is not None else None)
    return found


def pool_for(config: pytest.Config, image: str) -> tuple["Pool | None", str]:
    """(the process's sandbox pool, "") where `image` can be started, else (None, why not:
    Docker unreachable, the SDK or the image missing — each message says how to fix it)."""
    from .errors import SandboxError
    try:
        pool = sandboxes(config).pool()
    except SandboxError as exc:
        return None, str(exc)
    why = pool.unavailable(image)
    return (None, why) if why else (pool, "")


def parametrize_repeats(metafunc: pytest.Metafunc, repeat: int) -> None:
    if repeat > 1 and CHAT_FIXTURE in metafunc.fixturenames:
        metafunc.parametrize("modelqa_repeat", range(repeat), ids=[f"r{r}" for r in range(repeat)])


def handwritten_result(item: pytest.Item, report: pytest.TestReport, cfg: Any, row: Any) -> "ScenarioResult | None":
    """The result of a hand-written test of `row` (a RowSpec) once its call phase is over, or
    None if it was skipped or failed outside the test body (a broken fixture or teardown stays
    a pytest error: it says nothing about the model)."""
    from .errors import ServingError
    from .messages import Reply
    from .results import ScenarioResult

    if report.skipped or report.when != "call":
        return None
    log = item.stash.get(_LOG, [])
    replies = [r for _, r in log if isinstance(r, Reply)]
    serving = next((r for _, r in log if isinstance(r, ServingError)), None)
    repeat, name = _repeat_and_name(item)
    passed = report.passed
    if serving is not None and not passed:
        outcome, mode, detail = "error", serving.failure_mode, serving.detail
    elif passed:
        outcome, mode, detail = "passed", None, ""
    else:
        outcome, mode = "failed", "verifier_fail"
        detail = _last_line(report.longreprtext) or "the test failed"
    last = replies[-1] if replies else Reply()
    messages = list(log[-1][0]) if log else []  # the last conversation, with its answer if one came
    if log and isinstance(log[-1][1], Reply):
        messages.append(last.assistant_message())
    thinking = group_thinking(item, cfg.thinking)
    return ScenarioResult(
        pack=row.id, pack_version=row.version, scenario=name, nodeid=item.nodeid, outcome=outcome,
        passed=passed, score=1.0 if passed else 0.0, failure_mode=mode, detail=detail, expected="",
        trace=[f"hand-written test {item.nodeid}: {report.outcome}"], messages=messages,
        response=last.content, reasoning="\n".join(r.reasoning for r in replies if r.reasoning),
        tool_calls=[c.to_json() for c in last.tool_calls], turns=len(log),
        latency_s=round(sum(r.latency_s for r in replies), 4),
        prompt_tokens=sum(r.prompt_tokens for r in replies), completion_tokens=sum(r.completion_tokens for r in replies),
        retries=sum(r.retries for r in replies) + (serving.retries if serving else 0),
        finish_reason=last.finish_reason if replies else "", thinking=thinking,
        thought=any(r.reasoning.strip() for r in replies), repeat=repeat,
    )


def _repeat_and_name(item: pytest.Item) -> tuple[int, str]:
    """(repeat index, the scenario key every repeat shares: the node id without the repeat
    id, so tests of the same name in two classes or directories never merge)."""
    spec = getattr(item, "callspec", None)
    if spec is None or "modelqa_repeat" not in spec.params:
        return 0, item.nodeid
    repeat = int(spec.params["modelqa_repeat"])
    ids = spec.id.split("-")
    ids.reverse()
    ids.remove(f"r{repeat}")
    ids.reverse()
    base = item.nodeid[: len(item.nodeid) - len(item.name)] + getattr(item, "originalname", item.name)
    return repeat, f"{base}[{'-'.join(ids)}]" if ids else base


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("E ")]
    return (errors[0][1:].strip() if errors else lines[-1] if lines else "")[:300]

