"""Split thinking from the answer, in every form servers use, before any verifier sees it.

Forms handled: a separate `reasoning_content` / `reasoning` / `thinking` field;
`<think>…</think>` (or `<thinking>`) in content, including a reply that starts inside the
block because the template opened it in the prompt, and an unclosed block cut off by the
token limit; Gemma 4 `<|channel>thought\n…<channel|>`; harmony-style
`<|channel|>analysis<|message|>…<|end|>` followed by the final channel.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

_THINK = re.compile(r"<(think|thinking)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_GEMMA = re.compile(r"<\|channel>thought\n?(.*?)<channel\|>", re.DOTALL)
_HARMONY_FINAL = re.compile(r"<\|channel\|>final<\|message\|>(.*?)(?:<\|end\|>|<\|return\|>|$)", re.DOTALL)
_HARMONY_ANALYSIS = re.compile(r"<\|channel\|>analysis<\|message\|>(.*?)(?:<\|end\|>|$)", re.DOTALL)
FIELDS = ("reasoning_content", "reasoning", "thinking")


def split_reasoning(message: Mapping[str, Any]) -> tuple[str, str]:
    """(answer, reasoning) from an assistant message."""
    content = message.get("content") or ""
    if not isinstance(content, str):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    parts = [str(message[f]) for f in FIELDS if message.get(f)]
    answer, inline = split_text(content)
    if inline:
        parts.append(inline)
    return answer, "\n".join(parts)


def split_text(content: str) -> tuple[str, str]:
    thoughts: list[str] = []
    if "<|channel|>" in content:
        thoughts += _HARMONY_ANALYSIS.findall(content)
        finals = _HARMONY_FINAL.findall(content)
        content = finals[-1] if finals else ("" if thoughts else content)

    def keep(m: re.Match[str]) -> str:
        thoughts.append(m.group(m.lastindex or 1))
        return ""

    content = _GEMMA.sub(keep, content)
    content = _THINK.sub(lambda m: thoughts.append(m.group(2)) or "", content)
    lowered = content.lower()
    for close in ("</think>", "</thinking>"):
        # The template opened the block in the prompt: the reply starts inside it.
        if close in lowered:
            at = lowered.index(close)
            thoughts.append(content[:at])
            content = content[at + len(close):]
            lowered = content.lower()
    for opener in ("<think>", "<thinking>", "<|channel>thought"):
        # Cut off by the token limit while still thinking: no answer was given.
        at = lowered.find(opener.lower())
        if at != -1:
            thoughts.append(content[at + len(opener):])
            content = content[:at]
            lowered = content.lower()
    return content.strip(), "\n".join(t.strip() for t in thoughts if t.strip())
