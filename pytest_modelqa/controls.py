"""Verifier self-tests that need no endpoint: the oracle answers with the gold trajectory,
junk with a fixed battery of wrong answers. Gold must pass everything, junk nothing."""

from __future__ import annotations

import random
from typing import Any, Sequence

from .messages import Reply, ToolCall
from .packs import Scenario

# Deterministic "random prose": fixed seed, fixed vocabulary.
_WORDS = ("the river carried quiet lanterns past old stone bridges while merchants counted "
          "copper coins and children chased gulls along the harbour wall at dusk").split()
_RNG = random.Random(7)
_PROSE = " ".join(_RNG.choice(_WORDS) for _ in range(60)).capitalize() + "."

JUNK = ("empty", "no_answer", "echo", "prose", "number", "letter", "all_tools")


def _last_user(scenario: Scenario) -> str:
    return next((m["content"] for m in reversed(scenario.messages) if m["role"] == "user"), "")


def junk_applies(variant: str, scenario: Scenario) -> bool:
    return variant != "all_tools" or bool(scenario.tools)


def junk_reply(variant: str, scenario: Scenario, turn: int) -> Reply:
    if variant == "all_tools":
        if turn > 0:
            return Reply(content="")
        # Every offered tool at once, with the gold's own arguments where gold calls it:
        # a verifier that only looks for the right call among many must still reject this.
        gold_args = {c.name: c.arguments for t in scenario.gold for c in t.tool_calls}
        calls = tuple(ToolCall.parse(t["function"]["name"], gold_args.get(t["function"]["name"], {}), f"junk_{i}")
                      for i, t in enumerate(scenario.tools))
        return Reply(content="", tool_calls=calls)
    text = {
        "empty": "",
        "no_answer": "(no answer)",
        "echo": _last_user(scenario),
        "prose": _PROSE,
        "number": "42",
        "letter": "A",
    }[variant]
    return Reply(content=text)


def oracle_reply(scenario: Scenario, turn: int) -> Reply:
    return scenario.gold[min(turn, len(scenario.gold) - 1)]


def oracle_respond(scenario: Scenario, messages: Sequence[dict[str, Any]], turn: int) -> Reply:
    return oracle_reply(scenario, turn)


def junk_responder(variant: str):
    def respond(scenario: Scenario, messages: Sequence[dict[str, Any]], turn: int) -> Reply:
        return junk_reply(variant, scenario, turn)
    return respond
