"""`choice`: a multiple-choice answer, read from the prompt-mandated final line ("ANSWER: C").

What counts as naming a choice: the letter alone ('C', '(C)', 'C)', '[C]', 'C.', '**C**',
'\\boxed{C}', 'Option C', 'choice (C)'), the letter with that choice's own text after it
('C) 4.2 eV', 'C: 4.2 eV'), or the choice's text alone when it is exactly one choice's. The
article is not a letter: 'ANSWER: A catalyst is needed' names no choice (it is text, and
matches no choice's text), so a model cannot score choice A by starting a sentence. A letter
followed by another choice's text ('C) <the text of B>') contradicts itself and fails, as do
two letters ('B or C'), lines that disagree, and words after the answer line (a retraction).
No answer line is `no_answer_found`."""

from __future__ import annotations

import re
from typing import Any, Mapping

from . import Verdict, register
from .answer import unwrap
from .matching import normalize
from .text import answer_lines, text_after_answer

SCHEMA = {
    "required": ["answer", "choices"],
    "additionalProperties": False,
    "properties": {
        "answer": {"type": "string", "pattern": "^[A-Z]$"},
        "choices": {"type": "object", "minProperties": 2, "propertyNames": {"pattern": "^[A-Z]$"},
                    "additionalProperties": {"type": "string", "minLength": 1}},
        "prefix": {"type": "string", "minLength": 1},
    },
}
_LEAD = re.compile(r"^(?:(?:the\s+)?(?:correct\s+)?(?:option|choice|answer)(?:\s+is)?\s*:?\s*)", re.IGNORECASE)
# A letter on its own, perhaps bracketed, then optionally a delimiter and the choice's text.
_LETTER = re.compile(r"^[(\[]?(?P<letter>[A-Za-z])[)\]]?(?:(?P<delim>\s*[.:)\-–—]\s*|\s+)(?P<rest>.*))?$", re.DOTALL)
_BRACKETED = re.compile(r"^(?:[(\[][A-Za-z]|[A-Za-z][)\]])")


def read_choice(value: str, choices: Mapping[str, str]) -> tuple[str | None, str]:
    """(the letter the value names, or None; why not / how it was read)."""
    v = unwrap(value).strip().strip("*_`").strip()
    v = _LEAD.sub("", v, count=1).strip()
    m = _LETTER.match(v)
    if m:
        letter, rest, delim = m["letter"], (m["rest"] or "").strip(), m["delim"] or ""
        upper = letter.upper()
        bracketed = bool(_BRACKETED.match(v)) or delim.strip() != ""  # not a word (such as the article)
        if not rest:
            if letter.isupper() or len(v) == 1 or bracketed:
                return (upper, f"the letter {upper}") if upper in choices else (None, f"{upper} is not a choice")
        elif upper in choices and normalize(rest) == normalize(choices[upper]):
            return upper, f"the letter {upper} with its text"
        elif upper in choices and bracketed:
            return None, f"{upper} followed by text that is not choice {upper}'s ({rest[:60]!r})"
    texts = [k for k, t in choices.items() if normalize(t) == normalize(v)]
    if len(texts) == 1:
        return texts[0], f"the text of choice {texts[0]}"
    return None, f"{v[:80]!r} names no choice (a letter, or one choice's exact text, is expected)"


def judge(params: Mapping[str, Any], text: str) -> Verdict:
    prefix = params.get("prefix", "ANSWER:")
    want = params["answer"]
    expected = f"{prefix} {want}"
    values = [v for v in answer_lines(text, prefix) if v]
    if not values:
        return Verdict.fail("no_answer_found", f"no non-empty line starting with {prefix!r}", expected=expected)
    trace = [f"answer lines: {values!r}"]
    after = text_after_answer(text, prefix)
    if re.search(r"\w", after):
        detail = f"text after the last {prefix!r} line ({' '.join(after.split())[:60]!r}); the prompt asks to end with it"
        return Verdict.fail("wrong_answer", detail, trace + [detail], expected=expected)
    read = [read_choice(v, params["choices"]) for v in values]
    trace += [f"{v!r}: {why}" for v, (_, why) in zip(values, read)]
    letters = {letter for letter, _ in read}
    if letters == {want}:
        return Verdict.ok(trace + [f"chose {want}, the right answer"])
    if None in letters:
        detail = next(why for letter, why in read if letter is None)
    elif len(letters) > 1:
        detail = f"{len(values)} answer lines name different choices ({', '.join(sorted(letters))})"
    else:
        detail = f"chose {letters.pop()}; the right answer is {want}"
    return Verdict.fail("wrong_answer", detail, trace + [detail], expected=expected)


def check_params(params: Mapping[str, Any], scenario) -> str | None:
    choices = params["choices"]
    if params["answer"] not in choices:
        return f"answer {params['answer']!r} is not one of the choices {', '.join(choices)}"
    texts = [normalize(t) for t in choices.values()]
    if len(set(texts)) < len(texts):
        return "two choices have the same text: the answer would be ambiguous"
    return None


@register("choice", SCHEMA, check_params)
def verify_choice(params: Mapping[str, Any], scenario, episode) -> Verdict:
    return judge(params, episode.final.content)
