"""Secrets are masked in everything printed or written about endpoints and server commands."""

from __future__ import annotations

import pytest

from pytest_modelqa.redaction import MASK, redact


@pytest.mark.parametrize("text,secret", [
    ("http://user:hunter2@host:8080/v1", "hunter2"),
    ("llama-server --api-key sk-live-1234567 --port 1", "sk-live-1234567"),
    ("vllm serve m --api_key=topsecret", "topsecret"),
    ("server --hf-token hf_abcdef123456", "hf_abcdef123456"),
    ("curl -H 'Authorization: Bearer abc.def.ghi'", "abc.def.ghi"),
    ("http://host/v1?api_key=XYZ123&x=1", "XYZ123"),
    ("key is sk-proj-abcdefghijkl", "sk-proj-abcdefghijkl"),
    ("--password=p4ss", "p4ss"),
])
def test_secret_looking_values_are_masked(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out and MASK in out


def test_known_secrets_are_masked_wherever_they_appear() -> None:
    assert redact("the key plainword appears", ("plainword",)) == f"the key {MASK} appears"


@pytest.mark.parametrize("text", ["http://127.0.0.1:8080", "llama-server -m model.gguf --port 9 --parallel 4",
                                  "--model-endpoint=embedded", "tokens per second: 96"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_recorded_settings_carry_no_secret() -> None:
    import json

    from pytest_modelqa.config import RunConfig
    cfg = RunConfig(endpoints=("http://user:pw-123@h:1",), serve_cmd="llama-server --api-key abc-999 --port {port}",
                    api_key="key-777")
    text = json.dumps(cfg.public())
    assert "pw-123" not in text and "abc-999" not in text and "key-777" not in text and "api_key" not in cfg.public()
