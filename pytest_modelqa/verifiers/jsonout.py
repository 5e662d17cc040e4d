"""JSON payload helpers shared by the `structured_output` and `field_extraction` kinds: find
the payload in an answer (code fences, prose) and resolve JSON Pointers in a parsed document."""

from __future__ import annotations

from typing import Any

from .text import fenced_blocks, unwrap_fence


def payload(text: str, prose_allowed: bool) -> str:
    inner = unwrap_fence(text)
    if inner is not None:
        return inner
    if prose_allowed:
        blocks = fenced_blocks(text)
        if len(blocks) == 1:
            return blocks[0]
    return text.strip()


def resolve(doc: Any, pointer: str) -> tuple[bool, Any]:
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return False, None
    return True, doc
