"""Tool executors: what answers the model's tool calls inside an episode.

The episode loop hands every call to a ToolExecutor. Packs today answer with the scenario's
mocked results (MockedTools); sandboxed packs plug in an executor that acts on a container's
state instead, without touching the loop."""

from __future__ import annotations

from typing import Protocol, Sequence

from .messages import ToolCall
from .packs import Mock
from .verifiers.matching import arguments_match

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
