"""Secrets never reach an artifact or a log: API keys, tokens and passwords are masked in
anything the plugin prints or writes about endpoints and server commands."""

from __future__ import annotations

import re

MASK = "***"
# `--api-key VALUE`, `--api_key=VALUE`, `--token VALUE`, `--password …`, `--hf-token …`
_FLAG = re.compile(r"(--?[\w-]*(?:api[-_]?key|token|password|passwd|secret)[\w-]*)(=|\s+)(\S+)", re.IGNORECASE)
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)([^/@\s:]*):([^/@\s]*)@", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)
_KEYLIKE = re.compile(r"\b(sk|hf|gsk|xai)-[A-Za-z0-9_-]{6,}")
_QUERY = re.compile(r"([?&](?:api[-_]?key|key|token|access_token)=)[^&\s]+", re.IGNORECASE)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with every known secret and every secret-looking value masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}:{MASK}@", text)
    text = _FLAG.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    text = _QUERY.sub(lambda m: m.group(1) + MASK, text)
    return _KEYLIKE.sub(MASK, text)
