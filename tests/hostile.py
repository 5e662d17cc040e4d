"""A hostile OpenAI-compatible server on loopback, for the plugin's reliability tests.

Health, model list and the probe's short generation are answered normally (unless a test
overrides them); every scenario request gets whatever `Hostile.chat` returns: any status,
headers and raw body, optionally dripped a few bytes at a time."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

PROBE_REPLY = {"choices": [{"message": {"role": "assistant", "content": " ".join(map(str, range(1, 41)))},
                            "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 10, "completion_tokens": 40}}


@dataclass
class Answer:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    drip_s: float = 0.0  # pause between chunks of `drip_bytes`
    drip_bytes: int = 1


def completion(message: Any, **extra: Any) -> Answer:
    return Answer(json.dumps({"choices": [{"message": message, "finish_reason": "stop"}], **extra}).encode())


class Hostile:
    def __init__(self, chat: Callable[[dict], Answer], props: Any = None, models: Any = None):
        self.chat, self.props = chat, props
        self.models = models if models is not None else {"data": [{"id": "hostile-model"}]}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, answer: Answer) -> None:
                self.send_response(answer.status)
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                try:
                    if not answer.drip_s:
                        self.wfile.write(answer.body)
                        return
                    for i in range(0, len(answer.body), answer.drip_bytes):
                        self.wfile.write(answer.body[i:i + answer.drip_bytes])
                        self.wfile.flush()
                        time.sleep(answer.drip_s)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                if self.path == "/health":
                    self._send(Answer(b'{"status":"ok"}'))
                elif self.path == "/v1/models":
                    self._send(Answer(json.dumps(owner.models).encode()))
                elif self.path == "/props" and owner.props is not None:
                    self._send(Answer(json.dumps(owner.props).encode()))
                else:
                    self._send(Answer(b'{"error":"no route"}', status=404))

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                first = (body.get("messages") or [{}])[0].get("content", "")
                if isinstance(first, str) and first.startswith("Write the numbers from 1 to 40"):
                    self._send(Answer(json.dumps(PROBE_REPLY).encode()))
                else:
                    self._send(owner.chat(body))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
