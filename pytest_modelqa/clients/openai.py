"""OpenAI-compatible `/v1/chat/completions` client (llama.cpp, vLLM, SGLang, Ollama /v1, …).

Retries transport errors, 5xx and 429 with backoff, boundedly, and counts them. A reply the
model gave (however wrong) is never retried. A serving problem that survives the retries
raises ServingError, which the plugin reports as a pytest error, apart from quality failures.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import httpx

from ..messages import Reply, ToolCall
from ..reasoning import split_reasoning


class ServingError(Exception):
    def __init__(self, failure_mode: str, detail: str, retries: int = 0):
        super().__init__(detail)
        self.failure_mode, self.detail, self.retries = failure_mode, detail, retries


@dataclass(frozen=True)
class ChatSettings:
    """Everything about a request that is not the conversation itself."""

    model: str
    sampling: Mapping[str, Any]
    thinking: bool
    max_tokens: int
    reasoning_effort: str | None = None


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
    def __init__(self, base_url: str, api_key: str | None = None, retries: int = 3,
                 backoff_s: float = 0.25, max_connections: int = 64):
        self.base_url = base_url
        self.retries = retries
        self.backoff_s = backoff_s
        self._http = httpx.Client(
            base_url=base_url, headers=headers(api_key),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    def close(self) -> None:
        self._http.close()

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
