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
import re
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


MAX_BODY_BYTES = 8 * 1024 * 1024  # decoded; a completion of a scenario's budget is far smaller
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


class Malformed(ValueError):
    """A 200 response that is not a chat completion."""


def clean_text(value: Any, what: str) -> str:
    """A string field of the reply: None is "", anything else but a string is malformed, and
    lone surrogates (valid JSON, not encodable text) become U+FFFD."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed(f"{what} is a {type(value).__name__}, not a string")
    return _LONE_SURROGATE.sub("\ufffd", value)


def _count(usage: Any, key: str) -> int:
    value = usage.get(key) if isinstance(usage, dict) else None
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 10**9:
        raise Malformed(f"usage.{key} is {str(value)[:40]!r}, not a token count")
    return int(value)


def parse_reply(data: Any, latency_s: float, retries: int) -> Reply:
    """A completion body -> Reply. ServingError (server_error) when it is not a completion:
    every field the plugin reads is checked for its type, so a hostile or broken server is a
    classified serving error, never a crash."""
    try:
        return _parse(data, latency_s, retries)
    except Malformed as exc:
        raise ServingError("server_error", f"malformed completion: {exc}", retries) from None


def _parse(data: Any, latency_s: float, retries: int) -> Reply:
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise Malformed(f"no choices[0] object in {str(data)[:200]!r}")
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        raise Malformed(f"choices[0].message is {type(message).__name__}, not an object")
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(clean_text(p.get("text"), "a content part") for p in content if isinstance(p, dict))
    fields = {"content": clean_text(content, "message.content")}
    for name in ("reasoning_content", "reasoning", "thinking"):
        if message.get(name) is not None:
            fields[name] = clean_text(message[name], f"message.{name}")
    answer, reasoning = split_reasoning(fields)
    raw_calls = message.get("tool_calls") or []
    if not isinstance(raw_calls, list):
        raise Malformed(f"message.tool_calls is a {type(raw_calls).__name__}, not a list")
    calls = []
    for i, tc in enumerate(raw_calls):
        fn = tc.get("function") if isinstance(tc, dict) else None
        if not isinstance(fn, dict):
            raise Malformed(f"tool_calls[{i}] has no function object")
        arguments = fn.get("arguments")
        if not isinstance(arguments, (dict, str, type(None))):
            raise Malformed(f"tool_calls[{i}].function.arguments is a {type(arguments).__name__}")
        if isinstance(arguments, str):
            arguments = clean_text(arguments, "arguments")
        call_id = tc.get("id")
        calls.append(ToolCall.parse(clean_text(fn.get("name"), f"tool_calls[{i}].function.name"), arguments,
                                    call_id if isinstance(call_id, str) and call_id else f"call_{i}"))
    legacy = message.get("function_call")
    if not calls and isinstance(legacy, dict):  # legacy single-call field
        arguments = legacy.get("arguments")
        calls.append(ToolCall.parse(clean_text(legacy.get("name"), "function_call.name").rstrip(":"),
                                    arguments if isinstance(arguments, (dict, str)) else None, "call_0"))
    usage = data.get("usage")
    finish = choice.get("finish_reason")
    extra = {k: data[k] for k in ("timings", "system_fingerprint") if k in data}
    return Reply(
        content=answer, tool_calls=tuple(calls), reasoning=reasoning,
        finish_reason=finish if isinstance(finish, str) and finish else "stop",
        prompt_tokens=_count(usage, "prompt_tokens"), completion_tokens=_count(usage, "completion_tokens"),
        latency_s=latency_s, retries=retries, extra=extra,
    )


def headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


class _Timeout(Exception):
    pass


class _TooLarge(Exception):
    pass


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

    @staticmethod
    def _model_list(models: httpx.Response | None, url: str) -> list[str]:
        if models is None or models.status_code != 200:
            status = "timed out" if models is None else f"HTTP {models.status_code}: {models.text[:200]}"
            raise EndpointError(f"{url}/v1/models {status}; is this an OpenAI-compatible endpoint? "
                                "(with --modelqa-model NAME the list is not needed)")
        try:
            served = [m["id"] for m in models.json().get("data", [])]
            if not all(isinstance(m, str) for m in served):
                raise TypeError("model ids must be strings")
        except (ValueError, AttributeError, KeyError, TypeError, RecursionError):
            raise EndpointError(f"{url}/v1/models did not return a model list: {models.text[:200]!r}") from None
        return served

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
        if model is None:  # the model list is needed only to choose the model
            served = self._model_list(self._get("/v1/models", timeout), url)
            if not served:
                raise EndpointError(f"{url}/v1/models lists no model; pass --modelqa-model NAME")
            model = served[0]
        props = self._get("/props", timeout)
        try:
            extras = _from_props(props.json()) if props is not None and props.status_code == 200 else {}
        except (ValueError, RecursionError):
            extras = {}
        return ServerFacts(model=model, **extras)

    def chat(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]],
             settings: ChatSettings, timeout_s: float) -> Reply:
        """`timeout_s` is a wall-clock ceiling for the whole exchange, retries and their
        back-off included: a server that drips its body byte by byte hits it too."""
        body = request_body(messages, tools, settings)
        deadline = time.monotonic() + timeout_s
        attempt = 0
        while True:
            start = time.perf_counter()
            failure: ServingError
            try:
                status, raw, retry_after = self._post("/v1/chat/completions", body, deadline)
            except _Timeout:
                raise ServingError("timeout", f"no complete response within {timeout_s:.0f}s", attempt) from None
            except _TooLarge as exc:
                raise ServingError("server_error", str(exc), attempt) from None
            except httpx.TransportError as exc:
                failure = ServingError("server_error", f"transport error: {type(exc).__name__}: {exc}", attempt)
                retry_after = None
            else:
                latency = time.perf_counter() - start
                text = raw[:300].decode("utf-8", "replace")
                if status == 200:
                    try:
                        data = json.loads(raw)
                    except (ValueError, RecursionError):
                        failure = ServingError("server_error", f"malformed JSON body: {text[:120]!r}", attempt)
                    else:
                        return parse_reply(data, latency, attempt)
                elif status == 429 or status >= 500:
                    failure = ServingError("server_error", f"HTTP {status}: {text[:200]}", attempt)
                else:
                    raise ServingError("http_error", f"HTTP {status}: {text}", attempt)
            pause = self._delay(attempt, retry_after)
            if attempt >= self.retries or time.monotonic() + pause >= deadline:
                failure.detail = f"{failure.detail} (after {attempt} retries)"
                raise failure
            time.sleep(pause)
            attempt += 1

    def _post(self, path: str, body: Mapping[str, Any], deadline: float) -> tuple[int, bytes, str | None]:
        """(status, decoded body, Retry-After) read in chunks against the deadline and the size cap."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise _Timeout()
        chunks, size = [], 0
        try:
            with self._http.stream("POST", path, json=body, timeout=httpx.Timeout(left)) as resp:
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        raise _TooLarge(f"response body over {MAX_BODY_BYTES // 2**20} MiB (decoded): refused")
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise _Timeout()
                return resp.status_code, b"".join(chunks), resp.headers.get("retry-after")
        except httpx.TimeoutException:
            raise _Timeout() from None

    def _delay(self, attempt: int, after: str | None) -> float:
        if after and after.replace(".", "", 1).isdigit():
            return min(float(after), 10.0)
        return min(self.backoff_s * 2 ** attempt, 8.0)


MAX_SLOTS = 256  # more than any server here has; beyond it /props is not believed


def _from_props(props: Any) -> dict[str, Any]:
    """What /props says, where it says it in the expected types (anything else is left unknown:
    a hostile or unusual server must not size the plugin's thread pool or crash it)."""
    if not isinstance(props, dict):
        return {}
    text = lambda key: props[key] if isinstance(props.get(key), str) else None  # noqa: E731
    slots = props.get("total_slots")
    template = text("chat_template")
    settings = props.get("default_generation_settings")
    params = settings.get("params") if isinstance(settings, dict) else None
    keep = ("temperature", "top_k", "top_p", "min_p", "seed", "repeat_penalty", "n_predict")
    return {
        "slots": slots if isinstance(slots, int) and not isinstance(slots, bool) and 1 <= slots <= MAX_SLOTS else None,
        "build": text("build_info"),
        "model_path": text("model_path"),
        "template_sha256": hashlib.sha256(template.encode("utf-8", "replace")).hexdigest() if template else None,
        "server_sampling": {k: params[k] for k in keep if isinstance(params, dict)
                            and isinstance(params.get(k), (int, float)) and not isinstance(params.get(k), bool)},
    }
