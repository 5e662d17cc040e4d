"""A llama-server-compatible fake for the plugin's own tests, benchmarks and demos.

    python -m pytest_modelqa.simulator --port 8099 [--success-rate 0.8] [--slots 4] [--latency-ms 50]
        [--error-rate R] [--drop-rate R] [--malformed-rate R] [--empty-rate R] [--truncate-rate R]
        [--overthink-rate R]

It answers from the packs' gold trajectories (continuing a multi-turn one from the number
of assistant turns already in the conversation), wrong on a deterministic share of the
scenarios (1 - success rate), and injects faults on request into scenario requests
(not into other requests such as the plugin's start-up probe). GET /sim/stats returns
request counts. A test tool, never a default for users.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .controls import junk_reply
from .messages import Reply
from .catalogue import load_all
from .packs import Scenario

MODEL_ID = "modelqa-simulator"
TEMPLATE = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}<|assistant|>"
WRONG_VARIANTS = ("no_answer", "prose", "echo", "number")


@dataclass
class Options:
    success_rate: float = 1.0
    slots: int = 4
    latency_ms: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    malformed_rate: float = 0.0
    empty_rate: float = 0.0
    truncate_rate: float = 0.0
    overthink_rate: float = 0.0  # thinking spends the whole budget: reasoning, no answer, finish "length"
    think_style: str = "none"  # reasoning when enable_thinking: none | field | tags
    tool_args_objects: bool = False  # Ollama-style arguments (objects, not JSON strings)
    seed: int = 0
    packs_dirs: list[Path] = field(default_factory=list)


def _key(messages: list[Any]) -> str:
    flat = [(m.get("role"), m.get("content")) for m in messages if isinstance(m, dict)]
    return hashlib.sha256(json.dumps(flat, ensure_ascii=False).encode()).hexdigest()


class Simulator:
    def __init__(self, opts: Options):
        self.opts = opts
        self.rng = random.Random(opts.seed)
        self.index: dict[str, Scenario] = {}
        self.prefix_lengths: set[int] = set()
        self.delegators: list[Scenario] = []  # scenarios whose gold delegates sub-tasks
        catalogue, errors = load_all(opts.packs_dirs)
        for exc in errors:
            print(f"simulator: skipping {exc}", file=sys.stderr)
        for pack in catalogue.packs:
            for s in pack.scenarios:
                self.index[_key(list(s.messages))] = s
                self.prefix_lengths.add(len(s.messages))
                if s.delegate_replies:
                    self.delegators.append(s)
        self.slots = asyncio.Semaphore(opts.slots)
        self.stats: Counter[str] = Counter()
        self.by_scenario: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0

    # -- answers ------------------------------------------------------------------------------
    def right(self, scenario: Scenario, request_seed: Any) -> bool:
        # Like seeded sampling: the same request seed gives the same answer, another seed may not.
        digest = hashlib.sha256(f"{self.opts.seed}:{scenario.key}:{request_seed}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.opts.success_rate

    def find(self, messages: list[Any]) -> Scenario | None:
        for n in sorted(self.prefix_lengths):
            if n <= len(messages):
                found = self.index.get(_key(messages[:n]))
                if found is not None:
                    return found
        return None

    def answer(self, body: dict[str, Any]) -> Reply:
        messages = body.get("messages") or []
        scenario = self.find(messages)
        if scenario is None:
            return self.delegated(messages) or Reply(content=" ".join(str(i) for i in range(1, 41)))
        self.by_scenario[scenario.key] += 1
        turn = sum(1 for m in messages[len(scenario.messages):] if m.get("role") == "assistant")
        if self.right(scenario, body.get("seed")) and scenario.gold:  # no reference: it cannot answer right
            return scenario.gold[min(turn, len(scenario.gold) - 1)]
        digest = hashlib.sha256(scenario.key.encode()).digest()
        return junk_reply(WRONG_VARIANTS[digest[0] % len(WRONG_VARIANTS)], scenario, turn)

    def delegated(self, messages: list[Any]) -> Reply | None:
        """A `delegate` tool's sub-request (a lone task message): the scripted reply to it."""
        if len(messages) != 1 or not isinstance(messages[0], dict) or not isinstance(messages[0].get("content"), str):
            return None
        for s in self.delegators:
            found = s.delegate_reply(messages[0]["content"])
            if found is not None:
                self.stats["delegated"] += 1
                return Reply(content=found)
        return None

    def completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        content, finish = reply.content, "tool_calls" if reply.tool_calls else "stop"
        if self.opts.empty_rate and self.rng.random() < self.opts.empty_rate:
            content = ""
            self.stats["fault_empty"] += 1
        elif self.opts.truncate_rate and self.rng.random() < self.opts.truncate_rate:
            content, finish = content[: len(content) // 2], "length"
            self.stats["fault_truncate"] += 1
        message: dict[str, Any] = {"role": "assistant", "content": content}
        thinking = ((body.get("chat_template_kwargs") or {}).get("enable_thinking"))
        if self.opts.overthink_rate and self.rng.random() < self.opts.overthink_rate:
            content, finish = "", "length"
            message = {"role": "assistant", "content": "", "reasoning_content": "Hmm, let me reconsider. " * 40}
            self.stats["fault_overthink"] += 1
        elif thinking and self.opts.think_style == "field":
            message["reasoning_content"] = "Let me work through the request step by step."
        elif thinking and self.opts.think_style == "tags":
            message["content"] = f"<think>Let me work through the request step by step.</think>\n{content}"
        if reply.tool_calls and finish != "length":
            message["tool_calls"] = [{
                "id": f"call_{i}", "type": "function",
                "function": {"name": c.name,
                             "arguments": c.arguments if self.opts.tool_args_objects else c.raw_arguments},
            } for i, c in enumerate(reply.tool_calls)]
        n_out = int(body.get("max_tokens") or 0) if finish == "length" else max(1, len(content.split()))
        n_in = sum(len(str(m.get("content") or "").split()) for m in body.get("messages") or [])
        ms = max(self.opts.latency_ms, 0.001)
        return {
            "id": f"chatcmpl-{self.stats['chat']}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model") or MODEL_ID, "system_fingerprint": "b0-simulator",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": n_in, "completion_tokens": n_out, "total_tokens": n_in + n_out},
            "timings": {"prompt_n": n_in, "predicted_n": n_out, "predicted_ms": ms,
                        "predicted_per_second": n_out / ms * 1000},
        }

    # -- HTTP -------------------------------------------------------------------------------
    async def route(self, method: str, path: str, body: bytes) -> tuple[int, bytes] | None:
        """(status, body); None drops the connection (an injected fault)."""
        self.stats["requests"] += 1
        if method == "GET" and path == "/health":
            return 200, b'{"status":"ok"}'
        if method == "GET" and path == "/v1/models":
            return 200, json.dumps({"object": "list", "data": [{"id": MODEL_ID, "object": "model"}]}).encode()
        if method == "GET" and path == "/props":
            return 200, json.dumps({
                "total_slots": self.opts.slots, "build_info": "b0-simulator", "model_path": MODEL_ID,
                "chat_template": TEMPLATE,
                "default_generation_settings": {"n_ctx": 4096, "params": {"temperature": 0.8, "top_k": 40,
                                                                          "top_p": 0.95, "min_p": 0.05, "seed": -1}},
            }).encode()
        if method == "GET" and path == "/sim/stats":
            return 200, json.dumps({**self.stats, "max_in_flight": self.max_in_flight,
                                    "by_scenario": dict(self.by_scenario)}).encode()
        if method == "POST" and path == "/v1/chat/completions":
            return await self.chat(body)
        return 404, json.dumps({"error": {"code": 404, "message": f"no route {method} {path}"}}).encode()

    async def chat(self, raw: bytes) -> tuple[int, bytes] | None:
        self.stats["chat"] += 1
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return 400, b'{"error":{"code":400,"message":"invalid JSON body"}}'
        async with self.slots:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                if self.opts.latency_ms:
                    await asyncio.sleep(self.opts.latency_ms / 1000)
            finally:
                self.in_flight -= 1
        # Faults hit scenario requests only, so tests can count them against recorded retries.
        r = self.rng.random() if self.find(body.get("messages") or []) is not None else 1.0
        for fault, rate in (("error", self.opts.error_rate), ("drop", self.opts.drop_rate),
                            ("malformed", self.opts.malformed_rate)):
            if r < rate:
                self.stats[f"fault_{fault}"] += 1
                if fault == "error":
                    return 500, b'{"error":{"code":500,"message":"simulated server error"}}'
                if fault == "drop":
                    return None
                return 200, b'{"choices": [{"message": {"content": "cut'
            r -= rate
        self.stats["chat_ok"] += 1
        return 200, json.dumps(self.completion(body, self.answer(body)), ensure_ascii=False).encode()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                length, close = 0, False
                while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    name = name.strip().lower()
                    if name == "content-length":
                        length = int(value.strip())
                    elif name == "connection" and value.strip().lower() == "close":
                        close = True
                body = await reader.readexactly(length) if length else b""
                answer = await self.route(method, target.split("?", 1)[0], body)
                if answer is None:
                    break
                status, payload = answer
                reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}[status]
                writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
                await writer.drain()
                if close:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


async def serve(opts: Options, host: str, port: int) -> None:
    sim = Simulator(opts)
    server = await asyncio.start_server(sim.handle, host, port, backlog=512)
    bound = server.sockets[0].getsockname()[1]
    print(f"simulator listening on http://{host}:{bound} ({len(sim.index)} scenarios)", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m pytest_modelqa.simulator", description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8099, help="0 picks a free port (printed on start)")
    p.add_argument("--success-rate", type=float, default=1.0)
    p.add_argument("--slots", type=int, default=4, help="requests served at once")
    p.add_argument("--latency-ms", type=float, default=0.0)
    for fault in ("error", "drop", "malformed", "empty", "truncate", "overthink"):
        p.add_argument(f"--{fault}-rate", type=float, default=0.0)
    p.add_argument("--think-style", choices=("none", "field", "tags"), default="none")
    p.add_argument("--tool-args-objects", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--packs-dir", action="append", default=[], type=Path)
    a = p.parse_args(argv)
    opts = Options(success_rate=a.success_rate, slots=a.slots, latency_ms=a.latency_ms, error_rate=a.error_rate,
                   drop_rate=a.drop_rate, malformed_rate=a.malformed_rate, empty_rate=a.empty_rate,
                   truncate_rate=a.truncate_rate, overthink_rate=a.overthink_rate, think_style=a.think_style, tool_args_objects=a.tool_args_objects,
                   seed=a.seed, packs_dirs=a.packs_dir)
    try:
        asyncio.run(serve(opts, a.host, a.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
