"""Text helpers shared by verifiers: phrase search, code fences, final-answer lines."""

from __future__ import annotations

import re
from functools import lru_cache

_FENCE = re.compile(r"```[A-Za-z0-9_+-]*[ \t]*\n(.*?)\n?```", re.DOTALL)
_OPEN = re.compile(r"( *)(`{3,}|~{3,})[ \t]*(\S*)(.*)")
_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")


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


def split_fences(answer: str) -> tuple[list[tuple[str, str, bool]], list[str]]:
    """Fenced blocks (``` or ~~~) and the lines outside them. A final fence left open (a model
    cut off) runs to the end of the text. An indented fence (in a list item) is dedented by its
    indentation, as in CommonMark."""
    blocks: list[tuple[str, str, bool]] = []  # info string, content, closed
    prose: list[str] = []
    fence, info, body, indent = "", "", [], 0
    for line in answer.split("\n"):
        if not fence:
            m = _OPEN.fullmatch(line)
            if m and not (m[2][0] == "`" and "`" in m[3] + m[4]):
                indent, fence, info, body = len(m[1]), m[2], m[3].lower(), []
            else:
                prose.append(line)
        elif (c := _CLOSE.fullmatch(line)) and c[1][0] == fence[0] and len(c[1]) >= len(fence):
            blocks.append((info, "\n".join(body), True))
            fence = ""
        else:
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))):])
    if fence:
        blocks.append((info, "\n".join(body), False))
    return blocks, prose
