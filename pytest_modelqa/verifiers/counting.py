"""Counting rules for instruction checks: what a word, sentence, paragraph, bullet,
placeholder and section is. Defined once here, used by every check, tested on edge cases.

Line endings are normalised first ("\\r\\n" and "\\r" become "\\n").

Words (`words`)
  A word is a run of letters and digits. These stay ONE word:
  - internal hyphens, apostrophes (straight or curly) and underscores:
    "well-known", "don't", "rock’n’roll", "3-day", "snake_case";
  - numbers with ".", "," or ":" between digits: "3.14", "1,000,000", "10:30", "v2.0";
  - dotted abbreviations: "e.g.", "i.e.", "U.S.", "P.S.".
  Numbers are words ("42" is one word). Punctuation, dashes, emoji and markdown syntax are
  not words: heading hashes, list markers at the start of a line ("-", "*", "+", "1.", "2)"),
  blockquote ">", emphasis, table pipes and rules. "and/or" is two words. The info string of a
  code fence ("```python") does count as a word.

Sentences (`sentences`)
  Text is cut into blocks first: paragraphs (blank-line separated), and every list item or
  markdown heading line starts its own block, so an unpunctuated bullet or heading is one
  sentence; list markers and heading hashes are not punctuation. Inside a block, a sentence
  ends at ".", "!" or "?" (runs like "?!" included, closing quotes/brackets allowed after
  it) followed by whitespace or the end. An ellipsis ("..." or "…") ends a sentence unless
  a lowercase letter follows ("wait... what" is one sentence).
  A "." does NOT end a sentence when:
  - it sits between digits (decimals such as 3.14: no whitespace follows it);
  - it closes a title or Latin abbreviation (Mr. Mrs. Ms. Dr. Prof. St. Jr. Sr. vs. cf.
    fig. approx. e.g. i.e. eg. ie.) or a single-letter initial ("J. R. R. Tolkien");
  - it closes a dotted abbreviation or "etc." and the next character is not an uppercase
    letter ("3 p.m. today" is one sentence; "... the U.S. It ..." is two).
  A sentence must contain a word; trailing text without end punctuation is a sentence.

Paragraphs (`paragraphs`)
  Blocks separated by one or more blank lines (a line of only spaces/tabs is blank).
  Leading and trailing blank lines do not add paragraphs; a block without any word (a
  markdown rule "---") is not a paragraph. Single line breaks do not start a paragraph.

Bullets (`bullets`)
  Lines that start (after optional indentation, so nested items count) with "- ", "* ",
  "+ " (unordered) or "1. " / "1) " (ordered), followed by an item containing a word. A
  horizontal rule ("* * *", "---") and "**bold**" lines are not bullets.

Placeholders (`placeholders`)
  Square-bracketed text on one line containing a letter: "[name]", "[start date]". Not a
  markdown link "[text](url)", not "[ ]" or "[1]".

Sections (`sections`)
  Lines starting (after optional "#" heading marks and emphasis) with the marker, spaces and
  a number: "SECTION 1", "## SECTION 2", "**SECTION 3**". The marker is case-sensitive. A
  section's body is the text after its number up to the next header.

Capital words (`capital_words`)
  Words with at least two letters, all uppercase ("NEVER", "OK"). Single letters ("I", "A")
  and dotted abbreviations ("U.S.", "P.S.") are not counted.
"""

from __future__ import annotations

import re

_A = r"[^\W_]"  # a letter or digit
_L = r"[^\W\d_]"  # a letter
_ABBREV = rf"(?:{_L}\.){{2,}}"
_WORD = re.compile(rf"{_ABBREV}|{_A}+(?:(?:[-'’_]|(?<=\d)[.,:](?=\d)){_A}+)*")
_ABBREV_FULL = re.compile(rf"{_ABBREV}")

_LIST_ITEM = re.compile(r"^[ \t]*(?:(?P<u>[-*+])|(?P<o>\d{1,9})[.)])[ \t]+(?P<item>\S.*)$")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+\S")
_LINE_MARKUP = re.compile(r"^[ \t]*(?:>[ \t>]*)?(?:#{1,6}[ \t]+|(?:[-*+]|\d{1,9}[.)])[ \t]+)?", re.MULTILINE)
_BLANK_SPLIT = re.compile(r"\n[ \t]*\n")
_TERMINATOR = re.compile(r"(?:[.!?…]+)[\"'”’)\]*_]*(?=\s|$)")

# A "." after these never ends a sentence (lowercased, without the final dot).
NEVER_FINAL = frozenset({"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "cf", "fig",
                         "approx", "e.g", "i.e", "eg", "ie"})
# A "." after these ends a sentence only when an uppercase letter follows.
MAYBE_FINAL = frozenset({"etc", "a.m", "p.m", "inc", "ltd", "co"})

_PLACEHOLDER = re.compile(r"\[([^\[\]\n]*)\](?!\()")


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def words(text: str) -> list[str]:
    """The words of `text` (see the module docstring for the rules)."""
    bare = _LINE_MARKUP.sub("", normalize_newlines(text))
    return _WORD.findall(bare)


def word_count(text: str) -> int:
    return len(words(text))


def has_word(text: str) -> bool:
    return _WORD.search(_LINE_MARKUP.sub("", normalize_newlines(text))) is not None


def paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks that contain a word."""
    blocks = _BLANK_SPLIT.split(normalize_newlines(text).strip("\n"))
    return [b.strip() for b in blocks if has_word(b)]


def _sentence_blocks(text: str) -> list[str]:
    blocks: list[str] = []
    for para in _BLANK_SPLIT.split(normalize_newlines(text)):
        current: list[str] = []
        for line in para.split("\n"):
            starts_block = bool(_LIST_ITEM.match(line) or _HEADING.match(line))
            if starts_block and current:
                blocks.append("\n".join(current))
                current = []
            current.append(line)
            if _HEADING.match(line):
                blocks.append("\n".join(current))
                current = []
        if current:
            blocks.append("\n".join(current))
    return blocks


def _is_boundary(block: str, start: int, end: int) -> bool:
    mark = block[start:end].rstrip("\"'”’)]*_")
    after = block[end:].lstrip()
    if set(mark) <= {".", "…"} and mark != ".":
        return not after[:1].islower()  # an ellipsis continues before a lowercase word
    if mark != ".":
        return True  # "!", "?", "?!" always end a sentence
    before = re.search(r"(\S+)$", block[:start])
    prev = before.group(1).lstrip("\"'“‘([*_") if before else ""
    low = prev.lower()
    if low in NEVER_FINAL:
        return False
    if len(prev) == 1 and prev.isalpha():
        return False  # an initial: "J. R. R. Tolkien"
    if low in MAYBE_FINAL or (("." in prev) and _ABBREV_FULL.fullmatch(prev + ".")):
        return not after or after[0].isupper()
    return True


def sentences(text: str) -> list[str]:
    """The sentences of `text` (see the module docstring for the rules)."""
    out: list[str] = []
    for block in _sentence_blocks(text):
        block = _LINE_MARKUP.sub("", block)  # "1. " and "# " are not sentence ends
        begin = 0
        for m in _TERMINATOR.finditer(block):
            if _is_boundary(block, m.start(), m.end()):
                piece = block[begin:m.end()].strip()
                if has_word(piece):
                    out.append(piece)
                begin = m.end()
        rest = block[begin:].strip()
        if has_word(rest):
            out.append(rest)
    return out


def bullets(text: str, style: str = "any") -> list[str]:
    """List items: style "unordered" ("- ", "* ", "+ "), "ordered" ("1. ", "1) ") or "any"."""
    items: list[str] = []
    for line in normalize_newlines(text).split("\n"):
        m = _LIST_ITEM.match(line)
        if not m or not has_word(m.group("item")):
            continue
        kind = "unordered" if m.group("u") else "ordered"
        if style in ("any", kind):
            items.append(m.group("item").strip())
    return items


def placeholders(text: str) -> list[str]:
    """Bracketed placeholders such as "[name]", in order of appearance."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(text) if re.search(_L, m.group(1))]


def _section_header(marker: str) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*(?:#{{1,6}}[ \t]*)?[*_]*{re.escape(marker)}[ \t]+(\d+)(?!\w)", re.MULTILINE)


def section_numbers(text: str, marker: str = "SECTION") -> list[int]:
    """The numbers of the section headers ("SECTION 1" ...), in order of appearance."""
    return [int(n) for n in _section_header(marker).findall(normalize_newlines(text))]


def section_bodies(text: str, marker: str = "SECTION") -> list[str]:
    """The text of each section: after its header line (the rest of that line counts, so
    "SECTION 1: one ball" has a body) up to the next header."""
    text = normalize_newlines(text)
    heads = list(_section_header(marker).finditer(text))
    ends = [h.start() for h in heads[1:]] + [len(text)]
    return [text[h.end():end] for h, end in zip(heads, ends)]


def capital_words(text: str) -> list[str]:
    out = []
    for w in words(text):
        if _ABBREV_FULL.fullmatch(w):
            continue
        letters = [c for c in w if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            out.append(w)
    return out
