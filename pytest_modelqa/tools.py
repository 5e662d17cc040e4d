"""Tool executors: what answers the model's tool calls inside an episode.

The episode loop hands every call to a ToolExecutor: the scenario's mocked results
(MockedTools), or, for sandboxed packs, an executor that acts on a sandbox's state (a
persistent shell, the agent tools), without touching the loop."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

from .messages import ToolCall
from .packs import Mock
from .verifiers.matching import arguments_match

if TYPE_CHECKING:
    from .packs import Scenario
    from .sandbox.base import Sandbox

UNMATCHED_CALL = '{"error": "no result is available for this call"}'
INVALID_ARGUMENTS = '{"error": "the arguments were not a valid JSON object"}'


class ToolExecutor(Protocol):
    def execute(self, call: ToolCall) -> str:
        """The tool's result, as the text of the `tool` message fed back to the model."""


class MockedTools:
    """The first mock whose tool and `when` arguments match the call answers it."""

    def __init__(self, mocks: Sequence[Mock]):
        self.mocks = tuple(mocks)

    def execute(self, call: ToolCall) -> str:
        if call.arguments is None:
            return INVALID_ARGUMENTS
        for mock in self.mocks:
            if mock.tool == call.name and arguments_match(call.arguments, mock.when):
                return mock.text()
        return UNMATCHED_CALL


# -- sandboxed executors: the calls act on a sandbox's state ------------------------------------
GUEST = ".modelqa"  # where the guest scripts (sandbox/guest/) sit in a sandbox's scratch dir
TOOL_OUTPUT_CHARS = 4000  # per stream fed back to the model: enough to act on, bounded context
COMMAND_S = 20.0  # one shell command's wall-clock limit


def command_limit(remaining: "Callable[[], float] | None") -> float:
    """One command's wall-clock limit: COMMAND_S, or what is left of the scenario's ceiling."""
    return COMMAND_S if remaining is None else max(1.0, min(COMMAND_S, remaining()))


def _clip(text: str, limit: int = TOOL_OUTPUT_CHARS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}\n[... {len(text) - limit:,} more characters cut]"


class ShellTools:
    """`run_command` over a persistent shell: each command runs in the sandbox through the guest
    script shell.sh, which restores the previous command's working directory, variables and
    functions first and saves them after, so a session behaves like one shell."""

    def __init__(self, sandbox: "Sandbox", remaining: "Callable[[], float] | None" = None):
        self.sandbox, self.remaining = sandbox, remaining

    def execute(self, call: ToolCall) -> str:
        if call.arguments is None:
            return INVALID_ARGUMENTS
        if call.name != "run_command":
            return json.dumps({"error": f"unknown tool {call.name!r} (the only tool is run_command)"})
        command = call.arguments.get("command")
        if not isinstance(command, str) or not command.strip():
            return json.dumps({"error": "run_command needs `command`: the shell command line to run"})
        limit = command_limit(self.remaining)
        r = self.sandbox.exec(["bash", f"{GUEST}/shell.sh"], stdin=command, timeout=limit)
        out: dict[str, Any] = {"exit_code": r.exit_code, "stdout": _clip(r.stdout), "stderr": _clip(r.stderr)}
        if r.limit == "timeout":
            out["error"] = f"the command was stopped after {limit:.0f}s"
        elif r.limit:
            out["error"] = f"the command was stopped ({r.limit} limit)"
        return json.dumps(out, ensure_ascii=False)


Delegate = Callable[[str], str]  # a sub-task's text -> its answer (a second model call, or a control's script)


class AgentTools:
    """The agent tools (memory, files, scheduler, browser, artifacts): each call runs the guest
    script agent.py in the sandbox, where their state lives. `delegate` is answered here, on the
    host, by a second model request with its own smaller budget (its answer is the tool result)."""

    def __init__(self, sandbox: "Sandbox", delegate: Delegate | None,
                 remaining: "Callable[[], float] | None" = None):
        self.sandbox, self.delegate, self.remaining = sandbox, delegate, remaining

    def execute(self, call: ToolCall) -> str:
        if call.arguments is None:
            return INVALID_ARGUMENTS
        if call.name == "delegate":
            task = call.arguments.get("task")
            if not isinstance(task, str) or not task.strip() or set(call.arguments) != {"task"}:
                return json.dumps({"error": "delegate takes one argument, `task`: the sub-task, stated in full"})
            if self.delegate is None:
                return json.dumps({"error": "delegation is not available in this run"})
            return json.dumps({"answer": _clip(self.delegate(task))}, ensure_ascii=False)
        limit = command_limit(self.remaining)
        r = self.sandbox.exec(["python3", f"{GUEST}/agent.py", "call", call.name],
                              stdin=json.dumps(call.arguments), timeout=limit)
        if r.exit_code != 0 or not r.stdout.strip():
            from .errors import SandboxError
            raise SandboxError(f"the agent tool {call.name} failed in the sandbox (exit {r.exit_code}, "
                               f"{r.limit or 'no limit hit'}): {r.stderr.strip()[:300]}")
        return _clip(r.stdout.strip(), 4 * TOOL_OUTPUT_CHARS)


def executor_for(scenario: "Scenario", sandbox: "Sandbox | None", delegate: Delegate | None = None,
                 remaining: "Callable[[], float] | None" = None) -> "ToolExecutor":
    """The executor the scenario's pack declares (`executor` in its metadata)."""
    kind = scenario.pack.executor
    if kind == "mocks":
        return MockedTools(scenario.mocks)
    assert sandbox is not None, f"a {kind} executor needs a sandbox"
    if kind == "shell":
        return ShellTools(sandbox, remaining)
    return AgentTools(sandbox, delegate, remaining)
