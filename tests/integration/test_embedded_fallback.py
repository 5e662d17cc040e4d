"""`--model-endpoint=embedded` on a machine without a llama-server build: llama-cpp-python's
server (from the embedded extra) serves the tiny model, one request at a time, with real
grammar-constrained tool calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_modelqa.clients.base import ChatSettings
from pytest_modelqa.clients.openai import OpenAIClient
from pytest_modelqa.servers import ManagedServer, embedded_command

pytestmark = pytest.mark.realserver

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                            "parameters": {"type": "object", "properties": {
                                                "city": {"type": "string"}}, "required": ["city"]}}}


@pytest.fixture
def no_llama_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python (the embedded extra) is not installed")
    monkeypatch.setenv("MODELQA_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("MODELQA_LLAMA_SERVER", raising=False)
    launch = embedded_command()
    if "llama_cpp.server" not in launch.command:
        pytest.skip(f"a llama-server is on PATH here, so the fallback is not used: {launch.command}")
    return launch


def test_fallback_serves_one_request_at_a_time_with_real_tool_calls(no_llama_server) -> None:
    assert no_llama_server.slots == 1 and "--chat_format chatml-function-calling" in no_llama_server.command
    server = ManagedServer(no_llama_server.command, health_timeout_s=120)
    client = OpenAIClient(server.url)
    try:
        reply = client.chat([{"role": "user", "content": "What is the weather in Berlin?"}], [WEATHER],
                            ChatSettings("SmolLM2-135M-Instruct", {"temperature": 0.0, "seed": 1234}, False, 64), 120)
        assert [c.name for c in reply.tool_calls] == ["get_weather"]
        assert reply.tool_calls[0].arguments == {"city": "Berlin"}
    finally:
        client.close()
        server.stop()
    assert server.proc.poll() is not None


def test_embedded_run_uses_the_fallback_end_to_end(pytester: pytest.Pytester, no_llama_server) -> None:
    out = pytester.path / "out.json"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--model-endpoint=embedded", "-m", "toolcall_15",
                                           "-k", "TC-04", f"--modelqa-json={out}", timeout=600)
    doc = json.loads(out.read_text())
    (endpoint,) = doc["endpoints"]
    assert endpoint["model"] == "SmolLM2-135M-Instruct" and endpoint["slots"] == 1
    (scenario,) = doc["scenarios"]
    assert scenario["outcome"] in ("passed", "failed") and scenario["tool_calls"], scenario
    assert "model SmolLM2-135M-Instruct, 1 slots" in result.stdout.str()
