"""Start-up probe: is the endpoint there, what serves it, how fast does it decode?

An unreachable endpoint ends the session at once with one clear error (ProbeError), rather
than one failure per scenario."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from .clients.openai import ChatSettings, ServingError, headers, parse_reply, request_body
from .messages import Reply

PROBE_PROMPT = "Write the numbers from 1 to 40, separated by spaces, and nothing else."
PROBE_TOKENS = 48


class ProbeError(Exception):
    pass


@dataclass(frozen=True)
class EndpointInfo:
    url: str
    model: str
    slots: int | None = None  # llama.cpp total_slots
    build: str | None = None
    model_path: str | None = None
    template_sha256: str | None = None
    decode_tps: float | None = None  # single-request decode speed measured by the probe
    server_sampling: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _get(client: httpx.Client, path: str) -> httpx.Response | None:
    try:
        return client.get(path)
    except httpx.TimeoutException:
        return None


def probe(url: str, model: str | None, api_key: str | None, retries: int = 3, connect_timeout_s: float = 3.0,
          load_timeout_s: float = 120.0) -> EndpointInfo:
    timeout = httpx.Timeout(30.0, connect=connect_timeout_s)
    with httpx.Client(base_url=url, headers=headers(api_key), timeout=timeout) as client:
        try:
            health = client.get("/health")
        except httpx.TransportError as exc:
            raise ProbeError(f"model endpoint {url} is unreachable ({type(exc).__name__}: {exc}); "
                             "is the server running, and is the URL right?") from None
        deadline = time.monotonic() + load_timeout_s
        while health.status_code == 503 and time.monotonic() < deadline:  # llama.cpp: model loading
            time.sleep(0.5)
            health = client.get("/health")
        if health.status_code == 503:
            raise ProbeError(f"{url}/health still says 503 (loading) after {load_timeout_s:.0f}s")
        models = _get(client, "/v1/models")
        if models is None or models.status_code != 200:
            status = "timed out" if models is None else f"HTTP {models.status_code}: {models.text[:200]}"
            raise ProbeError(f"{url}/v1/models {status}; is this an OpenAI-compatible endpoint?")
        try:
            served = [m["id"] for m in models.json().get("data", [])]
        except (ValueError, AttributeError, KeyError, TypeError):
            raise ProbeError(f"{url}/v1/models did not return a model list: {models.text[:200]}") from None
        if model is None:
            if not served:
                raise ProbeError(f"{url}/v1/models lists no model; pass --model NAME")
            model = served[0]
        info: dict[str, Any] = {}
        props = _get(client, "/props")
        if props is not None and props.status_code == 200:
            try:
                info = _from_props(props.json())
            except ValueError:
                pass
        settings = ChatSettings(model=model, sampling={"temperature": 0.0, "seed": 0}, thinking=False,
                                max_tokens=PROBE_TOKENS)
        reply = _first_generation(client, url, settings, retries)
    return EndpointInfo(url=url, model=model, decode_tps=_decode_tps(reply), **info)


def _first_generation(client: httpx.Client, url: str, settings: ChatSettings, retries: int) -> Reply:
    """One short generation, retried like any request (transient faults are not fatal)."""
    body = request_body([{"role": "user", "content": PROBE_PROMPT}], [], settings)
    problem = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(min(0.25 * 2 ** attempt, 4.0))
        start = time.perf_counter()
        try:
            resp = client.post("/v1/chat/completions", json=body)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}"
            continue
        if resp.status_code == 429 or resp.status_code >= 500:
            problem = f"HTTP {resp.status_code}: {resp.text[:300]}"
            continue
        if resp.status_code != 200:  # a client error will not get better: wrong model name, auth…
            raise ProbeError(f"{url}: a first generation failed with HTTP {resp.status_code}: {resp.text[:300]}")
        try:
            return parse_reply(resp.json(), time.perf_counter() - start, attempt)
        except (ValueError, ServingError) as exc:
            problem = f"no usable completion ({exc})"
    raise ProbeError(f"{url}: a first generation failed {retries + 1} times; last: {problem}")


def _from_props(props: dict[str, Any]) -> dict[str, Any]:
    template = props.get("chat_template")
    params = (props.get("default_generation_settings") or {}).get("params") or {}
    keep = ("temperature", "top_k", "top_p", "min_p", "seed", "repeat_penalty", "n_predict")
    return {
        "slots": props.get("total_slots"),
        "build": props.get("build_info"),
        "model_path": props.get("model_path"),
        "template_sha256": hashlib.sha256(template.encode()).hexdigest() if isinstance(template, str) else None,
        "server_sampling": {k: params[k] for k in keep if k in params},
    }


def _decode_tps(reply) -> float | None:
    timings = reply.extra.get("timings") or {}
    if timings.get("predicted_per_second"):
        return float(timings["predicted_per_second"])
    if reply.completion_tokens and reply.latency_s > 0:
        return reply.completion_tokens / reply.latency_s
    return None
