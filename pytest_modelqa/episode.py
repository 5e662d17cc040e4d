"""The multi-turn loop: request -> tool calls -> results fed back -> ... -> final answer.

Who answers the requests (a Responder: an endpoint lane, a control) and who answers the tool
calls (a tools.ToolExecutor: the scenario's mocks by default) are both passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from .messages import Reply, ToolCall
from .packs import Scenario
from .tools import MockedTools, ToolExecutor

# A responder answers one request: (scenario, messages so far, turn index) -> Reply.
Responder = Callable[[Scenario, Sequence[dict[str, Any]], int], Reply]


@dataclass(frozen=True)
class Episode:
    turns: tuple[Reply, ...]
    transcript: tuple[dict[str, Any], ...]  # every message of the conversation, tool results included
    exhausted: bool  # the step budget ran out while the model was still calling tools
    # what a sandboxed scenario's checks observed after the episode (tests run, final state),
    # for its verifier to judge: the verifier itself stays a pure function of the episode
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> Reply:
        return self.turns[-1]

    @property
    def calls(self) -> list[ToolCall]:
        return [call for turn in self.turns for call in turn.tool_calls]

    @property
    def latency_s(self) -> float:
        return sum(t.latency_s for t in self.turns)

    @property
    def retries(self) -> int:
        return sum(t.retries for t in self.turns)

    @property
    def thought(self) -> bool:
        return any(t.reasoning.strip() for t in self.turns)


def run_episode(scenario: Scenario, respond: Responder, tools: ToolExecutor | None = None) -> Episode:
    executor = tools if tools is not None else MockedTools(scenario.mocks)
    messages: list[dict[str, Any]] = [dict(m) for m in scenario.messages]
    turns: list[Reply] = []
    for step in range(scenario.max_steps):
        reply = respond(scenario, messages, step)
        turns.append(reply)
        messages.append(reply.assistant_message())
        if not reply.tool_calls:
            return Episode(tuple(turns), tuple(messages), exhausted=False)
        for i, call in enumerate(reply.tool_calls):
            messages.append({
                "role": "tool",
                "tool_call_id": call.id or f"call_{i}",
                "name": call.name,
                "content": executor.execute(call),
            })
    return Episode(tuple(turns), tuple(messages), exhausted=True)


def replay(scenario: Scenario, transcript: Sequence[dict[str, Any]], finish_reason: str) -> Episode:
    """Rebuild a saved episode from its transcript (results JSON `messages`) for rescoring:
    the assistant turns after the scenario's own messages, as the verifiers saw them."""
    turns = [Reply(content=m.get("content") or "",
                   tool_calls=tuple(ToolCall.parse(c["function"]["name"], c["function"].get("arguments"), c.get("id", ""))
                                    for c in m.get("tool_calls") or ()))
             for m in transcript[len(scenario.messages):] if m.get("role") == "assistant"]
    if not turns:
        turns = [Reply(content="")]
    turns[-1] = Reply(turns[-1].content, turns[-1].tool_calls, finish_reason=finish_reason or "stop")
    exhausted = bool(turns[-1].tool_calls) and len(turns) >= scenario.max_steps
    return Episode(tuple(turns), tuple(transcript), exhausted)
