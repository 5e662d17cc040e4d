"""Reading a BugFind answer: its verdict line and its fix, applied to the program file.

A helper module: it registers no verifier kind (the BugFind verifier calls it). The answer
format is stated to the model, so nothing is guessed from prose:
- the verdict is a line holding only `VERDICT: BUG` or `VERDICT: NO BUG` (case, markdown
  emphasis, `:` or `-`, `NO-BUG`/`NOBUG` and one final period aside). No such line, any other
  value, or lines that disagree (a retraction) leave it "unstated";
- the fix is one fenced block: a unified diff of the file or the whole corrected file.

Diffs are strict on content and lenient on numbers. Models miscount hunk headers, so a hunk's
extent is read from its body and its place found by content (the stated line first, then the
only match, or the one nearest the stated line); but every context and removed line must be
the file's line (trailing whitespace aside; indentation counts, this is Python), with no fuzz.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from .text import split_fences

BUG, NO_BUG, UNSTATED = "bug", "no_bug", "unstated"
_DIFF_INFOS = frozenset({"diff", "patch", "udiff"})
_FILE_INFOS = frozenset({"", "python", "py", "python3"})
# Blocks that quote a run (the failing output, the command showing it) are not code for the
# file: models add them beside the fix, so they are not counted as a second fix.
_QUOTE_INFOS = frozenset({"text", "txt", "plaintext", "console", "shell", "bash", "sh", "output", "log"})
_VERDICT = re.compile(r"verdict\s*[:\-\u2013\u2014]\s*(.*)", re.IGNORECASE)
_HUNK = re.compile(r"@@(?:\s*(?:-(\d+)(?:,(\d+))?(?:\s+\+\d+(?:,\d+)?)?\s*)?@@(?!@).*)?")
# Lines of a git diff header: none can be a hunk line, so one also ends a hunk.
_HEADERS = ("diff ", "index ", "new file mode", "deleted file mode", "old mode", "new mode",
            "similarity index", "dissimilarity index", "rename from", "rename to", "copy from", "copy to")


@dataclass(frozen=True)
class Fix:
    """What the answer says: its verdict and the file after its fix.

    `form` is "none" only when there is no code block, so a "no bug" verdict beside code is
    never mistaken for a bare one. `text` is None when there is no block or the fix has a
    problem; `problem` also says why the verdict is unstated ("" when all is well)."""
    verdict: str
    form: str
    text: str | None
    problem: str = ""


class PatchError(ValueError):
    """A diff that cannot be applied: which hunk, which line, what differed (one line)."""


def changed(original: str, new: str) -> bool:
    """Whether the file changed beyond trailing whitespace and final newlines (an editor's noise)."""
    def lines(s: str) -> list[str]:
        out = [line.rstrip() for line in s.replace("\r\n", "\n").split("\n")]
        while out and not out[-1]:
            out.pop()
        return out
    return lines(original) != lines(new)


def read_fix(answer: str, filename: str, original: str) -> Fix:
    """The verdict and the fixed file; `form` and `text` are read whatever the verdict says."""
    blocks, prose = split_fences(answer.replace("\r\n", "\n"))
    verdict, why = _verdict(prose)
    form, text, problem = _fix(blocks, filename, original)
    return Fix(verdict, form, text, "; ".join(p for p in (why, problem) if p))


def _verdict(prose: list[str]) -> tuple[str, str]:
    found = []
    for line in prose:
        m = _VERDICT.fullmatch(re.sub(r"[*_`]", "", line).strip().lstrip("#>-+ \t"))
        if m:
            value = m[1].strip()
            value = value[:-1] if value.endswith(".") else value
            key = re.sub(r"[\s_-]+", "", value).lower()
            found.append({"bug": BUG, "nobug": NO_BUG}.get(key, value))
    if not found:
        return UNSTATED, "no VERDICT line"
    odd = [v for v in found if v not in (BUG, NO_BUG)]
    if odd:
        return UNSTATED, f"verdict {odd[0]!r} is neither BUG nor NO BUG"
    if len(set(found)) > 1:
        return UNSTATED, "contradictory verdicts"
    return found[0], ""


def _fix(blocks: list[tuple[str, str, bool]], filename: str, original: str) -> tuple[str, str | None, str]:
    code = [b for b in blocks if b[0] not in _QUOTE_INFOS]
    if not code:
        return "none", None, ""
    info, body, closed = code[0]
    first = next((line for line in body.split("\n") if line.strip()), "")
    lang = info.split(":", 1)[0]
    is_diff = lang in _DIFF_INFOS or first.startswith(("--- ", "diff --git", "@@"))
    form = "diff" if is_diff else "file"
    if len(code) > 1:
        return form, None, f"{len(code)} code blocks: a fix must be one block"
    if is_diff:
        if not closed:  # a truncated diff may have lost hunks: it cannot be trusted
            return form, None, "unterminated code block"
        try:
            return form, apply_unified_diff(original, body, filename), ""
        except PatchError as e:
            return form, None, f"the diff does not apply: {e}"
    if lang not in _FILE_INFOS and info != posixpath.basename(filename).lower():
        return form, None, f"a ```{info} block: the fix must be a diff or the whole Python file"
    if not body.strip():
        return form, None, "the code block is empty"
    return form, body.rstrip("\n") + "\n", ""


def _check_name(raw: str, want: str) -> None:
    tokens = raw.split()
    name = tokens[0].strip('"') if tokens else ""
    if name == "/dev/null":
        raise PatchError("the diff creates or deletes a file (/dev/null)")
    if name and posixpath.basename(name) != want:
        raise PatchError(f"the diff is of {name}, not {want}")


_Hunk = tuple[int | None, int, list[tuple[str, str, int]]]  # stated line, old count, body


def _parse(diff: str, filename: str) -> list[_Hunk]:
    want = posixpath.basename(filename)
    lines = diff.split("\n")
    hunks: list[_Hunk] = []
    body: list[tuple[str, str, int]] | None = None
    for k, line in enumerate(lines, 1):
        header = line.startswith(_HEADERS) or (
            line.startswith("--- ") and k < len(lines) and lines[k].startswith("+++ "))
        if line.startswith("@@"):
            m = _HUNK.fullmatch(line.rstrip())
            if not m:
                raise PatchError(f"diff line {k}: unreadable hunk header {line!r}")
            body = []
            hunks.append((int(m[1]) if m[1] else None, int(m[2]) if m[2] else 1, body))
        elif body is not None and not header:
            if line == "":  # a blank context line whose leading space was dropped
                body.append((" ", "", k))
            elif line[0] in " -+":
                body.append((line[0], line[1:], k))
            elif line[0] != "\\":  # "\ No newline at end of file" changes nothing here
                raise PatchError(f"hunk {len(hunks)}: diff line {k} is not context, removal or "
                                 f"addition: {line!r}")
        else:
            body = None
            if line.startswith(("--- ", "+++ ")):
                _check_name(line[4:], want)
            elif line.startswith("diff --git"):
                for token in line.split()[2:4]:
                    _check_name(token, want)
            elif line.strip() and not line.startswith(_HEADERS):
                raise PatchError(f"diff line {k} is outside any hunk: {line!r}")
    for n, (_, _, body) in enumerate(hunks, 1):
        while body and not lines[body[-1][2] - 1]:  # blank lines after a hunk are layout
            body.pop()
        if not body:
            raise PatchError(f"hunk {n} has no lines")
    if not hunks:
        raise PatchError("no hunks")
    return hunks


def _same(a: str, b: str) -> bool:
    return a.rstrip(" \t\r") == b.rstrip(" \t\r")


def _locate(lines: list[str], n: int, hunk: _Hunk, cursor: int) -> int:
    """Where hunk n's old side starts in `lines` (at or after `cursor`, the previous hunk's end)."""
    start, count, body = hunk
    old = [(text, k, kind) for kind, text, k in body if kind != "+"]
    if not old:
        if start is None:
            raise PatchError(f"hunk {n} only adds lines and states no line to add them at")
        at = start if count == 0 else start - 1  # "-5,0" adds after line 5
        if not cursor <= at <= len(lines):
            raise PatchError(f"hunk {n}: line {start} is past the file's end or inside an earlier hunk")
        return at

    def fit(p: int) -> int:  # how many old lines match from line p on
        i = 0
        while i < len(old) and p + i < len(lines) and _same(lines[p + i], old[i][0]):
            i += 1
        return i
    stated = None if start is None else max(start - 1, 0)
    if stated is not None and cursor <= stated and fit(stated) == len(old):
        return stated
    spots = [p for p in range(len(lines) - len(old) + 1) if fit(p) == len(old)]
    ahead = [p for p in spots if p >= cursor]
    if spots and not ahead:
        raise PatchError(f"hunk {n} matches only at line {spots[-1] + 1}, overlapping or before "
                         f"hunk {n - 1} (hunks must not overlap and must come in order)")
    if stated is not None:
        ahead.sort(key=lambda p: abs(p - stated))
    if len(ahead) == 1 or (len(ahead) > 1 and stated is not None
                           and abs(ahead[0] - stated) < abs(ahead[1] - stated)):
        return ahead[0]
    if ahead:
        where = ", ".join(str(p + 1) for p in sorted(ahead))
        raise PatchError(f"hunk {n} is ambiguous: it matches at lines {where}"
                         + ("" if stated is None else f", equally near line {start}"))
    # Nowhere: name the first old line of the best partial match, and what the file has there.
    near = (lambda p: abs(p - stated)) if stated is not None else (lambda p: p)
    best = max(range(cursor, len(lines) + 1), key=lambda p: (fit(p), -near(p)), default=cursor)
    i = fit(best)
    text, k, kind = old[i]
    at = best + i if i else next((q for q in range(cursor, len(lines))
                                  if lines[q].strip() == text.strip()), None)
    if at is None or at >= len(lines):
        there = "is not in the file" if not i else "runs past the file's end"
        if not i and stated is not None and stated < len(lines):
            there += f" (line {stated + 1} is {lines[stated]!r})"
    else:
        there = f"differs from line {at + 1}, {lines[at]!r}"
        if lines[at].strip() == text.strip():
            there += " (indentation differs)"
    raise PatchError(f"hunk {n}: diff line {k}, {kind + text!r}, {there}")


def apply_unified_diff(original: str, diff: str, filename: str) -> str:
    """`original` after the diff's hunks, each applied after the previous one. Added lines are
    taken verbatim; kept lines stay as in the original, with its line endings."""
    nl = "\r\n" if "\r\n" in original else "\n"
    lines = original.replace("\r\n", "\n").split("\n")
    final_nl = lines[-1] == ""
    if final_nl:
        lines.pop()
    out: list[str] = []
    cursor = 0
    for n, hunk in enumerate(_parse(diff.replace("\r\n", "\n"), filename), 1):
        at = _locate(lines, n, hunk, cursor)
        out += lines[cursor:at]
        for kind, text, _ in hunk[2]:
            if kind != "-":
                out.append(text if kind == "+" else lines[at])  # context as in the original
            at += kind != "+"
        cursor = at
    out += lines[cursor:]
    return nl.join(out) + (nl if out and final_nl else "")
