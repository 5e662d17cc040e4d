"""OpenAI-compatible `/v1/chat/completions` client (llama.cpp, vLLM, SGLang, Ollama /v1, …),
the first implementation of clients.base.ModelAPI. `describe` also reads the llama.cpp
extras (`/health` while loading, `/props`) where a server has them.

Retries transport errors, 5xx and 429 with backoff, boundedly, and counts them. A reply the
model gave (however wrong) is never retried. A serving problem that survives the retries
raises ServingError, which the plugin reports as a pytest error, apart from quality failures.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, Mapping, Sequence

import httpx

from ..errors import EndpointError, ServingError
from ..messages import Reply, ToolCall
from ..reasoning import split_reasoning
from ..redaction import redact
from .base import ChatSettings, ServerFacts


def request_body(messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]],
                 settings: ChatSettings) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": settings.model,
        "messages": list(messages),
        "max_tokens": settings.max_tokens,
        "stream": False,
        "chat_template_kwargs": {"enable_thinking": settings.thinking},
        **settings.sampling,
    }
    if settings.reasoning_effort:
        body["reasoning_effort"] = settings.reasoning_effort
    if tools:
        body["tools"] = list(tools)
        # OpenAI's default with tools, said explicitly: llama-cpp-python's server otherwise never calls one.
        body["tool_choice"] = "auto"
    return body


def parse_reply(data: Any, latency_s: float, retries: int) -> Reply:
    """A completion body -> Reply. Raises ServingError when it is not a completion at all."""
    try:
        choice = data["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError):
        raise ServingError("server_error", f"response has no choices[0].message: {str(data)[:200]}", retries) from None
    content, reasoning = split_reasoning(message)
    calls = []
    for i, tc in enumerate(message.get("tool_calls") or []):
        fn = tc.get("function") or {}
        calls.append(ToolCall.parse(str(fn.get("name", "")), fn.get("arguments"), tc.get("id") or f"call_{i}"))
    if not calls and isinstance(message.get("function_call"), dict):  # legacy single-call field
        fc = message["function_call"]
        calls.append(ToolCall.parse(str(fc.get("name", "")).rstrip(":"), fc.get("arguments"), "call_0"))
    usage = data.get("usage") or {}
    extra = {k: data[k] for k in ("timings", "system_fingerprint") if k in data}
    return Reply(
        content=content, tool_calls=tuple(calls), reasoning=reasoning,
        finish_reason=choice.get("finish_reason") or "stop",
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        latency_s=latency_s, retries=retries, extra=extra,
    )


def headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


class OpenAIClient:
    api = "openai"

    def __init__(self, base_url: str, api_key: str | None = None, retries: int = 3,
                 backoff_s: float = 0.25, max_connections: int = 64, transport: httpx.BaseTransport | None = None):
        self.base_url = base_url
        self.retries = retries
        self.backoff_s = backoff_s
        self._http = httpx.Client(
            base_url=base_url, headers=headers(api_key), transport=transport,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    def close(self) -> None:
        self._http.close()

    # -- what the server is -----------------------------------------------------------------------
    def _get(self, path: str, timeout: httpx.Timeout) -> httpx.Response | None:
        try:
            return self._http.get(path, timeout=timeout)
        except httpx.TimeoutException:
            return None
        except httpx.TransportError as exc:
            raise EndpointError(f"{redact(self.base_url)}{path}: the server stopped answering "
                                f"({type(exc).__name__})") from None

    def describe(self, model: str | None, load_timeout_s: float = 120.0) -> ServerFacts:
        url = redact(self.base_url)
        timeout = httpx.Timeout(30.0, connect=3.0)
        try:
            health = self._http.get("/health", timeout=timeout)
        except httpx.TransportError as exc:
            raise EndpointError(f"model endpoint {url} is unreachable ({type(exc).__name__}: "
                                f"{redact(str(exc))}); is the server running, and is the URL right?") from None
        deadline = time.monotonic() + load_timeout_s
        while health.status_code == 503 and time.monotonic() < deadline:  # llama.cpp: model loading
            time.sleep(0.5)
            health = self._get("/health", timeout) or health
        if health.status_code == 503:
            raise EndpointError(f"{url}/health still says 503 (loading) after {load_timeout_s:.0f}s")
        models = self._get("/v1/models", timeout)
        if models is None or models.status_code != 200:
            status = "timed out" if models is None else f"HTTP {models.status_code}: {models.text[:200]}"
            raise EndpointError(f"{url}/v1/models {status}; is this an OpenAI-compatible endpoint?")
        try:
            served = [m["id"] for m in models.json().get("data", [])]
        except (ValueError, AttributeError, KeyError, TypeError):
            raise EndpointError(f"{url}/v1/models did not return a model list: {models.text[:200]}") from None
        if model is None:
            if not served:
                raise EndpointError(f"{url}/v1/models lists no model; pass --modelqa-model NAME")
            model = served[0]
        props = self._get("/props", timeout)
        try:
            extras = _from_props(props.json()) if props is not None and props.status_code == 200 else {}
        except ValueError:
            extras = {}
        return ServerFacts(model=model, **extras)

    def chat(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]],
                   settings: ChatSettings, timeout_s: float) -> Reply:
        body = request_body(messages, tools, settings)
        attempt = 0
        while True:
            start = time.perf_counter()
            resp: httpx.Response | None = None
            failure: ServingError
            try:
                resp = self._http.post("/v1/chat/completions", json=body, timeout=timeout_s)
            except httpx.TimeoutException:
                raise ServingError("timeout", f"no response within {timeout_s:.0f}s", attempt) from None
            except httpx.TransportError as exc:
                failure = ServingError("server_error", f"transport error: {type(exc).__name__}: {exc}", attempt)
            else:
                latency = time.perf_counter() - start
                if resp.status_code == 200:
                    try:
                        data = resp.json()
                    except (json.JSONDecodeError, UnicodeDecodeError):
                        failure = ServingError("server_error", f"malformed JSON body: {resp.text[:120]!r}", attempt)
                    else:
                        return parse_reply(data, latency, attempt)
                elif resp.status_code == 429 or resp.status_code >= 500:
                    failure = ServingError("server_error", f"HTTP {resp.status_code}: {resp.text[:200]}", attempt)
                else:
                    raise ServingError("http_error", f"HTTP {resp.status_code}: {resp.text[:300]}", attempt)
            if attempt >= self.retries:
                failure.detail = f"{failure.detail} (after {attempt} retries)"
                raise failure
            time.sleep(self._delay(attempt, resp))
            attempt += 1

    def _delay(self, attempt: int, resp: httpx.Response | None) -> float:
        after = resp.headers.get("retry-after") if resp is not None else None
        if after and after.replace(".", "", 1).isdigit():
            return min(float(after), 10.0)
        return min(self.backoff_s * 2 ** attempt, 8.0)


def _from_props(props: Any) -> dict[str, Any]:
    if not isinstance(props, dict):
        return {}
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
