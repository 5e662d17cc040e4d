"""The multi-turn loop: request -> tool calls -> mocked results fed back -> ... -> final answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .messages import Reply, ToolCall
from .packs import Mock, Scenario
from .verifiers.matching import arguments_match

# A responder answers one request: (scenario, messages so far, turn index) -> Reply.
Responder = Callable[[Scenario, Sequence[dict[str, Any]], int], Reply]

UNMATCHED_CALL = '{"error": "no result is available for this call"}'
INVALID_ARGUMENTS = '{"error": "the arguments were not a valid JSON object"}'


@dataclass(frozen=True)
class Episode:
    turns: tuple[Reply, ...]
    transcript: tuple[dict[str, Any], ...]  # every message of the conversation, tool results included
    exhausted: bool  # the step budget ran out while the model was still calling tools

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


def mock_result(mocks: Sequence[Mock], call: ToolCall) -> str:
    if call.arguments is None:
        return INVALID_ARGUMENTS
    for mock in mocks:
        if mock.tool == call.name and arguments_match(call.arguments, mock.when):
            return mock.text()
    return UNMATCHED_CALL


def run_episode(scenario: Scenario, respond: Responder) -> Episode:
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
                "content": mock_result(scenario.mocks, call),
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
