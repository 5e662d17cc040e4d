"""Verifier self-tests that need no endpoint. Each control answers a scenario with probes
whose verdict is known, through the real episode loop, and an honest verifier reaches it:

- oracle: the gold trajectory and the pack's `accept` alternatives, all of which must pass;
- junk: a fixed battery of wrong answers (empty, echo, prose, ...), none of which may pass;
- near-miss: the pack's `near_misses` (almost-right answers), none of which may pass, beside
  its `accept` alternatives, all of which must: tightening a check to reject the first is
  where the second gets rejected, so they are judged together."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Sequence

from .episode import Responder
from .messages import Reply, ToolCall
from .packs import Scenario, Variant

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


def junk_responder(variant: str) -> Responder:
    def respond(scenario: Scenario, messages: Sequence[dict[str, Any]], turn: int) -> Reply:
        return junk_reply(variant, scenario, turn)
    return respond


def scripted_responder(turns: Sequence[Reply]) -> Responder:
    """Answers turn by turn from a fixed trajectory (a near miss, an accept), whatever the tools said."""
    def respond(scenario: Scenario, messages: Sequence[dict[str, Any]], turn: int) -> Reply:
        return turns[min(turn, len(turns) - 1)]
    return respond


@dataclass(frozen=True)
class Probe:
    """One answer a control gives a scenario, and the verdict an honest verifier reaches on it."""

    label: str  # unique per scenario: "oracle", a junk variant, "near-miss 3", "accept 1"
    respond: Responder
    must_pass: bool
    why: str = ""  # the pack's one line for near misses and accepts


def _pack_probes(kind: str, variants: Sequence[Variant], must_pass: bool) -> list[Probe]:
    return [Probe(f"{kind} {n}", scripted_responder(v.reply), must_pass, v.why) for n, v in enumerate(variants, 1)]


def probes(control: str, scenario: Scenario) -> tuple[Probe, ...]:
    """Every answer `control` gives `scenario`, in a fixed order."""
    accepts = _pack_probes("accept", scenario.accept, True)
    if control == "oracle":  # a scenario with no reference answer (its data has none) has only its accepts
        return (*([Probe("oracle", oracle_respond, True)] if scenario.gold else []), *accepts)
    if control == "junk":
        return tuple(Probe(v, junk_responder(v), False) for v in JUNK if junk_applies(v, scenario))
    if control == "near-miss":
        return (*_pack_probes("near-miss", scenario.near_misses, False), *accepts)
    raise ValueError(f"unknown control {control!r}")
