"""Text helpers shared by verifiers: phrase search, code fences, final-answer lines."""

from __future__ import annotations

import re
from functools import lru_cache

_FENCE = re.compile(r"```[A-Za-z0-9_+-]*[ \t]*\n(.*?)\n?```", re.DOTALL)


@lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Case-insensitive; word boundaries where the phrase starts/ends with a word character,
    so "18" is not found in "180" and "cat" not in "concatenate"."""
    p = re.escape(" ".join(phrase.split())).replace(r"\ ", r"\s+")
    if phrase[:1].isalnum():
        p = r"(?<!\w)" + p
    if phrase[-1:].isalnum():
        p = p + r"(?!\w)"
    return re.compile(p, re.IGNORECASE)


def contains_phrase(text: str, phrase: str) -> bool:
    return phrase_pattern(phrase).search(text) is not None


def fenced_blocks(text: str) -> list[str]:
    return _FENCE.findall(text)


def unwrap_fence(text: str) -> str | None:
    """The payload when the whole text is one fenced block, else None."""
    stripped = text.strip()
    m = _FENCE.fullmatch(stripped)
    return m.group(1) if m else None


def _answer_value(line: str, prefix: str) -> str | None:
    bare = line.strip().strip("*_`# ").strip()
    if bare.upper().startswith(prefix.upper()):
        return bare[len(prefix):].strip().strip("*_` ").strip()
    return None


def answer_lines(text: str, prefix: str = "ANSWER:") -> list[str]:
    """The values on every line that starts with `prefix` (markdown emphasis ignored), in order."""
    return [v for v in (_answer_value(line, prefix) for line in text.splitlines()) if v is not None]


def text_after_answer(text: str, prefix: str = "ANSWER:") -> str:
    """What follows the last line that starts with `prefix` (all of `text` when there is none)."""
    lines = text.splitlines()
    last = max((i for i, line in enumerate(lines) if _answer_value(line, prefix) is not None), default=-1)
    return "\n".join(lines[last + 1:]).strip()


def answer_line(text: str, prefix: str = "ANSWER:") -> str | None:
    """The value on the last line that starts with `prefix`."""
    found = answer_lines(text, prefix)
    return found[-1] if found else None
