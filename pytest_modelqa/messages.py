"""What a model said: tool calls and replies, as produced by clients, controls and gold answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolCall:
    name: str
    # None when the model's arguments were not a JSON object; `raw_arguments` keeps what it sent.
    arguments: dict[str, Any] | None
    raw_arguments: str = ""
    id: str = ""

    @classmethod
    def parse(cls, name: str, arguments: Any, id: str = "") -> "ToolCall":
        """Accept arguments as a JSON string (OpenAI) or an object (Ollama)."""
        if isinstance(arguments, dict):
            return cls(name, arguments, json.dumps(arguments, ensure_ascii=False), id)
        raw = "" if arguments is None else str(arguments)
        try:
            value = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            return cls(name, None, raw, id)
        return cls(name, value if isinstance(value, dict) else None, raw, id)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "arguments": self.arguments}
        if self.arguments is None:
            out["raw_arguments"] = self.raw_arguments
        return out


@dataclass(frozen=True)
class Reply:
    """One assistant turn after reasoning has been split off the answer."""

    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    reasoning: str = ""
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    retries: int = 0
    # Anything worth keeping that the server reported (timings, fingerprint).
    extra: dict[str, Any] = field(default_factory=dict)

    def assistant_message(self) -> dict[str, Any]:
        """The message that goes back into the conversation for the next turn."""
        msg: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            msg["tool_calls"] = [
                {
                    "id": call.id or f"call_{i}",
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.raw_arguments or "{}"},
                }
                for i, call in enumerate(self.tool_calls)
            ]
        return msg

    def to_json(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "reasoning": self.reasoning,
            "tool_calls": [c.to_json() for c in self.tool_calls],
            "finish_reason": self.finish_reason,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "latency_s": round(self.latency_s, 4),
            "retries": self.retries,
        }
