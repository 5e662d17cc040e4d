"""Reading the program out of a coding answer (the `code_tests` verifier's first step).

A helper module: it registers no verifier kind. Real answers wrap code in prose, give several
blocks (an example, then the solution; a helper in a block of its own), leave a fence open
when cut off or give none at all, and give the whole function or only its body. What is kept:

- function problems: the last block that defines the entry point (a function, or the class a
  `Class.method` entry names), plus the imports and definitions of the answer's other blocks,
  so a helper given separately is there. Only imports, definitions and assignments are kept
  from the top level: example calls, prints, asserts and `if __name__` demos are dropped (they
  would run on import and are not the answer). With no block defining the entry point, a
  block that is a function body (it only parses inside a function) completes the prompt's own
  signature.
- stdio problems: the last block that is a program reading its input (else the last that parses).
- no fence: the code starts at the first line that opens Python code (`def`, `class`,
  `import`, `from`, a decorator) and ends at the first line of prose after it (an unindented
  line that is no statement), trimmed further until it parses.

Nothing here runs the code: parsing is all it does."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

from .text import split_fences

CODE_INFOS = frozenset({"", "python", "py", "python3", "py3"})
_STARTS = ("def ", "async def ", "class ", "import ", "from ", "@")
_STATEMENTS = ("if ", "for ", "while ", "with ", "try:", "else", "elif ", "except", "finally:", "return")
MAX_TRIM = 200  # trailing lines tried off unfenced code (bounded parse attempts)


@dataclass(frozen=True)
class Code:
    text: str | None  # the module to run (prelude included), or None
    form: str  # "function", "body", "script" or "none"
    problem: str = ""  # why there is no code, in one line


def parses(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):  # ValueError: a NUL byte
        return None


def candidates(answer: str) -> list[str]:
    """The answer's Python blocks in order; with no fenced block, the unfenced code."""
    blocks, prose = split_fences(answer.replace("\r\n", "\n"))
    code = [body for info, body, _ in blocks if info in CODE_INFOS and body.strip()]
    if code:
        return code
    lines = prose  # other blocks (a quoted run, a diff) are never read as code
    start = next((i for i, line in enumerate(lines) if line.startswith(_STARTS)), None)
    if start is None:
        return []
    end = start + 1
    while end < len(lines) and _continues(lines[end]):
        end += 1
    rest = lines[start:end]
    for cut in range(len(rest), max(0, len(rest) - MAX_TRIM), -1):
        chunk = "\n".join(rest[:cut])
        if parses(chunk):
            return [chunk]
    return ["\n".join(rest)]  # does not parse: reported as such


def _continues(line: str) -> bool:
    """Whether an unfenced line still belongs to the code (prose after it starts a sentence)."""
    return (not line.strip() or line[0] in " \t#" or line.startswith(_STARTS + _STATEMENTS)
            or parses(line) is not None)


def _defines(tree: ast.Module, entry: str) -> bool:
    owner, _, method = entry.partition(".")
    for node in tree.body:
        if not method and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == owner:
            return True
        if method and isinstance(node, ast.ClassDef) and node.name == owner:
            return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == method for n in node.body)
    return False


_KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)


def _definitions(code: str, tree: ast.Module, drop: str | None = None) -> str:
    """The block's imports, definitions and assignments, in order, as written."""
    lines = code.split("\n")
    kept = []
    for node in tree.body:
        if not isinstance(node, _KEPT) or (drop and getattr(node, "name", None) == drop):
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        kept.append("\n".join(lines[first - 1:node.end_lineno]))
    return "\n".join(kept)


def function_code(answer: str, entry: str, prelude: str) -> Code:
    blocks = candidates(answer)
    if not blocks:
        return Code(None, "none", "no code in the answer")
    parsed = [(b, parses(b)) for b in blocks]
    defining = [i for i, (_, t) in enumerate(parsed) if t is not None and _defines(t, entry)]
    if defining:
        main = defining[-1]
        owner = entry.partition(".")[0]
        helpers = [_definitions(b, t, drop=owner) for i, (b, t) in enumerate(parsed) if t is not None and i != main]
        body = _definitions(blocks[main], parsed[main][1])  # type: ignore[arg-type]
        return Code("\n\n".join(p for p in (prelude.rstrip("\n"), *helpers, body) if p.strip()) + "\n", "function")
    if "." not in entry and prelude.strip():
        for b, t in reversed(parsed):
            if t is not None and any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in t.body):
                continue  # defines other functions: not a body
            whole = prelude.rstrip("\n") + "\n" + textwrap.indent(textwrap.dedent(b), "    ") + "\n"
            tree = parses(whole)
            if tree is not None and _defines(tree, entry):
                return Code(whole, "body")
    broken = next((b for b, t in reversed(parsed) if t is None), None)
    if broken is not None:
        return Code(None, "none", f"the code does not parse: {_syntax_error(broken)}")
    return Code(None, "none", f"no code defines `{entry}`")


def script_code(answer: str, prelude: str = "") -> Code:
    blocks = candidates(answer)
    if not blocks:
        return Code(None, "none", "no code in the answer")
    good = [b for b in blocks if parses(b) is not None]
    if not good:
        return Code(None, "none", f"the code does not parse: {_syntax_error(blocks[-1])}")
    reading = [b for b in good if "input" in b or "stdin" in b]
    chosen = (reading or good)[-1]
    return Code((prelude.rstrip("\n") + "\n\n" if prelude.strip() else "") + chosen + "\n", "script")


def _syntax_error(code: str) -> str:
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except ValueError as exc:
        return str(exc)
    return "unknown"
