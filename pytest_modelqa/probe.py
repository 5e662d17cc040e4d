"""Start-up probe: is the endpoint there, what serves it, how fast does it decode?

It talks to the endpoint through the client protocol (clients.base.ModelAPI), so retries are
the client's. An unusable endpoint ends the session at once with one clear error
(EndpointError), rather than one failure per scenario."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .clients.base import ChatSettings, ModelAPI
from .errors import EndpointError, ServingError
from .messages import Reply
from .redaction import redact

PROBE_PROMPT = "Write the numbers from 1 to 40, separated by spaces, and nothing else."
PROBE_TOKENS = 48
PROBE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class EndpointInfo:
    url: str
    model: str
    api: str = "openai"
    slots: int | None = None  # llama.cpp total_slots
    build: str | None = None
    model_path: str | None = None
    template_sha256: str | None = None
    decode_tps: float | None = None  # single-request decode speed measured by the probe
    server_sampling: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def probe(url: str, client: ModelAPI, model: str | None, load_timeout_s: float = 120.0) -> EndpointInfo:
    facts = client.describe(model, load_timeout_s)
    settings = ChatSettings(model=facts.model, sampling={"temperature": 0.0, "seed": 0}, thinking=False,
                            max_tokens=PROBE_TOKENS)
    try:
        reply = client.chat([{"role": "user", "content": PROBE_PROMPT}], [], settings, PROBE_TIMEOUT_S)
    except ServingError as exc:
        raise EndpointError(f"{redact(url)}: a first generation failed ({exc.failure_mode}): {exc.detail}") from None
    return EndpointInfo(url=url, api=client.api, decode_tps=_decode_tps(reply), **asdict(facts))


def _decode_tps(reply: Reply) -> float | None:
    timings = reply.extra.get("timings") or {}
    if isinstance(timings, dict) and isinstance(timings.get("predicted_per_second"), (int, float)):
        return float(timings["predicted_per_second"]) or None
    if reply.completion_tokens and reply.latency_s > 0:
        return reply.completion_tokens / reply.latency_s
    return None
