"""The one protocol every model API implements (OpenAI-compatible today; Ollama, raw prompts and
the JAX reference are further modules beside this one). The engine, the probe and the
`modelqa_chat` fixture talk only to this protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

from ..messages import Reply


@dataclass(frozen=True)
class ChatSettings:
    """Everything about a request that is not the conversation itself."""

    model: str
    sampling: Mapping[str, Any]
    thinking: bool
    max_tokens: int
    reasoning_effort: str | None = None


@dataclass(frozen=True)
class ServerFacts:
    """What an endpoint says about itself before any scenario runs."""

    model: str  # the model this run requests
    slots: int | None = None  # requests served at once (llama.cpp total_slots)
    build: str | None = None
    model_path: str | None = None
    template_sha256: str | None = None
    server_sampling: dict[str, Any] = field(default_factory=dict)


class ModelAPI(Protocol):
    api: str  # "openai", …: recorded with every endpoint

    def describe(self, model: str | None, load_timeout_s: float) -> ServerFacts:
        """Wait while the server loads, then read what it serves. EndpointError if unusable."""

    def chat(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]],
             settings: ChatSettings, timeout_s: float) -> Reply:
        """One assistant turn, reasoning split off. ServingError after bounded retries."""

    def close(self) -> None: ...
