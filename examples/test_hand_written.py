"""Hand-written behavioural tests next to the packs: plain pytest with the plugin's fixtures.

    pytest examples --model-endpoint=http://localhost:8080      # or =embedded

They join the run's report as the row "Examples" (the marker below names the row and its
version; without it the row is the module name and its content hash). With the plugin
inactive (no endpoint) they skip and say how to enable them."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.modelqa_pack("Examples", version="1.0.0")


def order_tool(name: str, description: str) -> dict:
    return {"type": "function", "function": {
        "name": name, "description": description,
        "parameters": {"type": "object", "properties": {"order_id": {"type": "integer"}}, "required": ["order_id"]},
    }}


REFUND = order_tool("refund_order", "Refund a customer's order in full.")
LOOKUP = order_tool("lookup_order", "Look up an order's status.")


def test_refund_uses_the_refund_tool(modelqa_chat):
    reply = modelqa_chat([{"role": "user", "content": "Please refund order 42 in full."}], tools=[REFUND, LOOKUP])
    assert [c.name for c in reply.tool_calls] == ["refund_order"]
    assert reply.tool_calls[0].arguments == {"order_id": 42}


def test_a_greeting_needs_no_tool(modelqa_chat):
    reply = modelqa_chat([{"role": "user", "content": "Hi! Just saying thanks for the quick delivery."}],
                         tools=[REFUND, LOOKUP])
    assert reply.tool_calls == ()
    assert reply.content.strip()


def test_answers_in_the_json_shape_asked_for(modelqa_chat):
    reply = modelqa_chat([{"role": "user", "content":
                           'Reply with only a JSON object {"capital": <the capital of France>} and nothing else.'}])
    assert json.loads(reply.content.strip().removeprefix("```json").removesuffix("```")) == {"capital": "Paris"}
