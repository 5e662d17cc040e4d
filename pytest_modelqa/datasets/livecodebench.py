"""LiveCodeBench (code_generation_lite): contest problems from the user's local copy.

No package ships the problems and the hub cannot be reached from here, so the scenarios are
built from a copy of the release the user points to (--modelqa-lcb-data / $MODELQA_LCB_DATA:
a directory holding the release's `test*.jsonl` files, or one such file), else from a copy in
the Hugging Face caches; without one the pack is `dataset_unavailable` with how to get it.

The release format, as read here (sources: LiveCodeBench/LiveCodeBench
`lcb_runner/benchmarks/code_generation.py` and `lcb_runner/evaluation/testing_util.py`,
`compute_code_generation_metrics.py`, `runner/parser.py`, README "Dataset Versions"; the hub
repo livecodebench/code_generation_lite file listing and its loading script's ALLOWED_FILES):
- The files are JSON lines, one problem a line: test.jsonl (release_v1, 1.25 GB), test2.jsonl
  .. test5.jsonl, and test6.jsonl (134 MB), the problems release_v6 added; release_vN is
  test.jsonl..testN.jsonl (release_v6: 1055 problems, 175 of them in test6.jsonl).
- Every line has the string fields question_title, question_content, platform (leetcode,
  codeforces, atcoder), question_id, contest_id, contest_date (ISO, e.g.
  "2025-01-11T18:30:00"), starter_code ("" for stdin problems), difficulty (easy, medium,
  hard), public_test_cases (a JSON string), private_test_cases and metadata (a JSON string,
  `{"func_name": ...}` for functional problems, `{}` otherwise).
- A test case is {input, output, testtype}, all strings; testtype "stdin" or "functional".
  LCB decides call-based grading by metadata.func_name being present.
- private_test_cases is either the JSON text itself (LCB tries json.loads first) or
  base64 -> zlib -> pickle of that JSON text. Here the pickle is read by an unpickler that
  refuses every global, so only plain values (str, list, dict, numbers) can load and no
  pickle can call anything; the result must be the JSON text (or the list it holds) of test
  cases, each checked.
- Functional inputs are one JSON value per line, one line per positional argument (LCB:
  `[json.loads(line) for line in input.split("\\n")]`, then `method(*args)`); the output is
  one JSON value. They become the Python-literal args tuple and expected value the
  `code_tests` verifier takes. LCB instantiates `Solution` when the code defines it (all
  functional problems are LeetCode's), so the entry point is `Solution.<func_name>`.
- LCB's harness runs every test with a fixed alarm of 6 seconds (`--timeout` default 6;
  `run_test(..., timeout=6)`): `time_limit_s` is 6 (source.time_limit_s overrides). It places
  a block of star imports (typing, collections, heapq, bisect, math, itertools, functools,
  ...) and `sys.setrecursionlimit(50000)` before the candidate's code; PRELUDE does the same,
  as model answers rely on it (LeetCode-style `List[int]` without an import).

Selection (the pack's `source`: seed, count, from, to): the problems whose contest date (its
date part) lies in [from, to], inclusive. LCB-v6-30 uses 2025-02-01..2025-04-30: the README
says release_v5 holds problems "between May 2023 and Jan 2025" and release_v6 "between May
2023 and Apr 2025", so v6's additions are the problems of February-April 2025 (test6.jsonl
was pushed on 2025-04-21; "v6 = 2025.02-2025.05" is how model reports use it). Then by
difficulty: each stratum gets count x its share, floored, and the seats left go to the
largest remainders (ties: easy, medium, hard); a stratum present in the window that got none
takes one from the largest allocation. Within a stratum the question ids are sorted and
shuffled with `random.Random(seed)` (a fresh one per stratum, so one stratum's contents do
not move another's picks), and the first ones are taken. If the picks lack stdin or
functional problems while the window has them, the first stratum (easy, medium, hard) that
has one swaps its last pick for the next problem of the missing type in its shuffled order.

Only the chosen problems' private tests are decoded (about 30, not the whole release); every
line is still parsed and checked. Gold answers: the release has none, so an optional
`solutions.json` next to the data ({question_id: {"gold": code, "near_misses": [{"why",
"code"}], "accept": [{"why", "code"}]}}) provides them; a scenario without one has
`"gold": null` and no near misses."""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import pickle
import random
import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator, Mapping

from . import Built, DataPaths, DatasetUnavailable

HUB_REPO = "livecodebench/code_generation_lite"
HOW = ("download release_v6 (https://huggingface.co/datasets/livecodebench/code_generation_lite) and pass "
       "--modelqa-lcb-data DIR or set MODELQA_LCB_DATA")
NOT_FOUND = f"LiveCodeBench code_generation_lite not found: {HOW}"
FIELDS = ("question_title", "question_content", "platform", "question_id", "contest_id", "contest_date",
          "starter_code", "difficulty", "public_test_cases", "private_test_cases", "metadata")
PLATFORMS = ("leetcode", "codeforces", "atcoder")
DIFFICULTIES = ("easy", "medium", "hard")
TESTTYPES = ("stdin", "functional")
RELEASE_FILE = re.compile(r"^test(\d*)\.jsonl$")
# Bounds. The largest release file is test.jsonl at 1.25 GB (400 problems, ~3 MB a line on
# average): a file over 2 GiB is not one of them. One line may hold a problem with big tests;
# 256 MiB is ~80x the average line, and a zlib blob may inflate to at most 1 GiB (the JSON
# text of one problem's tests). Anything larger is refused rather than read into memory.
MAX_FILE_BYTES = 2 * 2**30
MAX_LINE_BYTES = 256 * 2**20
MAX_INFLATED_BYTES = 2**30
MAX_SOLUTIONS_BYTES = 16 * 2**20
MAX_SIDECARS = 20_000  # `.json` sidecars looked at in a datasets cache's downloads/
TIME_LIMIT_S = 6
PRELUDE = (
    "import bisect, collections, copy, datetime, functools, heapq, itertools, math, operator, random, re, "
    "statistics, string, sys\n"
    "from bisect import *\nfrom collections import *\nfrom copy import *\nfrom functools import *\n"
    "from heapq import *\nfrom itertools import *\nfrom math import *\nfrom operator import *\n"
    "from statistics import *\nfrom string import *\nfrom typing import *\n"
    "from builtins import *  # math's pow and the like must not shadow the builtins\n"
    "sys.setrecursionlimit(50000)\n"
)
STDIN_FORMAT = ("Write a complete Python 3 program that reads the input from standard input and writes the "
                "answer to standard output, exactly in the output format described above.")
ANSWER_FORMAT = ("Your code is run against hidden tests as well as the examples, each with a time limit of "
                 "about {limit} seconds. Answer with your complete code in one ```python code block.")
_ID = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Release:
    """One release file found: where it is and the name it has in the release."""

    path: Path
    name: str


@dataclass(frozen=True)
class Problem:
    """One line of the release, checked; its private tests are decoded only if chosen."""

    fields: Mapping[str, str]
    public: tuple[Mapping[str, str], ...]
    metadata: Mapping[str, Any]
    day: date
    testtype: str
    where: str  # "<file> line <n>", for messages
    path: Path
    offset: int  # of the line in `path`, to read the private tests again

    @property
    def qid(self) -> str:
        return self.fields["question_id"]

    @property
    def difficulty(self) -> str:
        return self.fields["difficulty"]


# -- where the data is -----------------------------------------------------------------------

def _release_order(name: str) -> tuple[int, str]:
    m = RELEASE_FILE.match(name)
    return (int(m.group(1) or 1) if m else 10**6, name)


def _release_files(directory: Path) -> list[Release]:
    found = [Release(p, p.name) for p in directory.iterdir() if RELEASE_FILE.match(p.name) and p.is_file()]
    return sorted(found, key=lambda r: _release_order(r.name))


def _datasets_cache(env: Mapping[str, str]) -> Path:
    if env.get("HF_DATASETS_CACHE"):
        return Path(env["HF_DATASETS_CACHE"]).expanduser()
    return _hf_home(env) / "datasets"


def _hf_home(env: Mapping[str, str]) -> Path:
    return Path(env["HF_HOME"]).expanduser() if env.get("HF_HOME") else Path.home() / ".cache" / "huggingface"


def _from_downloads(cache: Path) -> list[Release]:
    """Files `datasets` downloaded into <cache>/downloads/: each is named by a hash, with a
    `<hash>.json` beside it holding the URL it came from."""
    downloads = cache / "downloads"
    if not downloads.is_dir():
        return []
    by_name: dict[str, Release] = {}
    for n, meta in enumerate(sorted(downloads.glob("*.json"))):
        if n >= MAX_SIDECARS:
            break
        try:
            if meta.stat().st_size > 64 * 2**10:
                continue
            url = str(json.loads(meta.read_text(encoding="utf-8")).get("url", ""))
        except (OSError, ValueError, AttributeError, UnicodeDecodeError):
            continue
        name = url.rsplit("/", 1)[-1]
        blob = meta.with_suffix("")
        if HUB_REPO in url and RELEASE_FILE.match(name) and blob.is_file():
            by_name.setdefault(name, Release(blob, name))
    return sorted(by_name.values(), key=lambda r: _release_order(r.name))


def _from_hub(env: Mapping[str, str]) -> list[Release]:
    roots = [Path(env["HF_HUB_CACHE"]).expanduser()] if env.get("HF_HUB_CACHE") else []
    roots.append(_hf_home(env) / "hub")
    for root in roots:
        snapshots = root / ("datasets--" + HUB_REPO.replace("/", "--")) / "snapshots"
        if not snapshots.is_dir():
            continue
        # the snapshot with the most release files (a later revision holds more), then by name
        best = max((_release_files(s) for s in sorted(snapshots.iterdir()) if s.is_dir()), key=len, default=[])
        if best:
            return best
    return []


def locate(data: DataPaths, environ: Mapping[str, str] | None = None) -> tuple[list[Release], Path | None, str]:
    """The release files to read, the directory a solutions.json may be in, and where they
    were found (for the provenance); DatasetUnavailable when there are none."""
    env = os.environ if environ is None else environ
    given = data.paths.get("lcb_data")
    if given is not None:
        if given.is_dir():
            files = _release_files(given)
            if not files:
                raise DatasetUnavailable(f"{given} holds no test*.jsonl files of code_generation_lite; {HOW}")
            return files, given, str(given)
        if given.is_file():
            return [Release(given, given.name)], given.parent, str(given)
        raise DatasetUnavailable(f"{given} does not exist; {HOW}")
    cache = _datasets_cache(env)
    files = _from_downloads(cache)
    if files:
        return files, None, f"the Hugging Face datasets cache ({cache / 'downloads'})"
    files = _from_hub(env)
    if files:
        return files, None, f"the Hugging Face hub cache ({files[0].path.parent})"
    raise DatasetUnavailable(NOT_FOUND)


# -- reading the release ---------------------------------------------------------------------

def _lines(release: Release) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, line) of a release file, streamed, within the bounds."""
    path = release.path
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DatasetUnavailable(f"{path} is {size / 2**30:.1f} GiB, more than any code_generation_lite file "
                                     f"({MAX_FILE_BYTES // 2**30} GiB at most): not a release file")
        with path.open("rb") as f:
            number, offset = 0, 0
            while True:
                line = f.readline(MAX_LINE_BYTES + 1)
                if not line:
                    return
                number += 1
                if len(line) > MAX_LINE_BYTES:
                    raise DatasetUnavailable(f"{release.name} line {number}: longer than {MAX_LINE_BYTES:,} bytes, "
                                             f"more than one problem's line can be: refused")
                yield number, offset, line
                offset += len(line)
    except OSError as exc:
        raise DatasetUnavailable(f"cannot read {path}: {exc.strerror or exc}; {HOW}") from None


def _json(text: str | bytes) -> Any:
    """JSON as the release writes it, non-finite numbers (NaN, Infinity) refused."""
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a value the release uses")
    return json.loads(text, parse_constant=refuse)


def _tests(raw: Any, what: str) -> tuple[dict[str, str], ...]:
    if not isinstance(raw, list):
        raise ValueError(f"{what} is a {type(raw).__name__}, not a list of test cases")
    out = []
    for i, t in enumerate(raw, 1):
        if not isinstance(t, dict) or not all(isinstance(t.get(k), str) for k in ("input", "output", "testtype")):
            raise ValueError(f"{what} #{i} is not an {{input, output, testtype}} of strings")
        if t["testtype"] not in TESTTYPES:
            raise ValueError(f"{what} #{i} has testtype {t['testtype']!r}, not stdin or functional")
        out.append({"input": t["input"], "output": t["output"], "testtype": t["testtype"]})
    return tuple(out)


def _parse(line: bytes, release: Release, number: int, offset: int) -> Problem:
    where = f"{release.name} line {number}"
    try:
        row = _json(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetUnavailable(f"{where}: not a JSON line ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(row, dict):
        raise DatasetUnavailable(f"{where}: a {type(row).__name__}, not a problem object")
    missing = [f for f in FIELDS if f not in row]
    if missing:
        raise DatasetUnavailable(f"{where}: lacks the code_generation_lite fields {', '.join(missing)}")
    wrong = [f for f in FIELDS if not isinstance(row[f], str)]
    if wrong:
        raise DatasetUnavailable(f"{where}: {', '.join(wrong)} must be strings (the release stores JSON as text)")
    qid = row["question_id"]
    if not qid.strip():
        raise DatasetUnavailable(f"{where}: question_id is empty")
    if row["platform"] not in PLATFORMS or row["difficulty"] not in DIFFICULTIES:
        raise DatasetUnavailable(f"{where} ({qid}): platform {row['platform']!r} / difficulty {row['difficulty']!r} "
                                 f"not one of {'/'.join(PLATFORMS)} and {'/'.join(DIFFICULTIES)}")
    try:
        day = datetime.fromisoformat(row["contest_date"]).date()
    except ValueError:
        raise DatasetUnavailable(f"{where} ({qid}): contest_date {row['contest_date'][:40]!r} is not an ISO date") from None
    try:
        metadata = _json(row["metadata"])
        if not isinstance(metadata, dict):
            raise ValueError("metadata is not a JSON object")
        public = _tests(_json(row["public_test_cases"]), "public test")
    except ValueError as exc:
        raise DatasetUnavailable(f"{where} ({qid}): {str(exc).splitlines()[0][:160]}") from None
    func = metadata.get("func_name")
    if func is not None and not (isinstance(func, str) and func.isidentifier()):
        raise DatasetUnavailable(f"{where} ({qid}): metadata func_name {func!r} is not a Python name")
    testtype = "functional" if func else "stdin"
    if any(t["testtype"] != testtype for t in public):
        raise DatasetUnavailable(f"{where} ({qid}): public tests of testtype other than {testtype!r} "
                                 f"({'with' if func else 'without'} a func_name in metadata)")
    fields = {f: row[f] for f in FIELDS if f != "private_test_cases"}
    return Problem(fields, public, metadata, day, testtype, where, release.path, offset)


def read(files: list[Release]) -> list[Problem]:
    """Every problem of the files, each line checked (private tests aside)."""
    problems: dict[str, Problem] = {}
    for release in files:
        for number, offset, line in _lines(release):
            if not line.strip():
                continue
            p = _parse(line, release, number, offset)
            if p.qid in problems:
                raise DatasetUnavailable(f"{p.where}: question_id {p.qid} again (first at {problems[p.qid].where})")
            problems[p.qid] = p
    if not problems:
        raise DatasetUnavailable(f"{', '.join(r.name for r in files)}: no problems in the file(s); {HOW}")
    return list(problems.values())


class Refused(pickle.UnpicklingError):
    """The pickle names a global: refused before anything is imported or called."""


class PlainUnpickler(pickle.Unpickler):
    """Loads plain values only: every global (a class, a function, os.system) is refused, so
    nothing a pickle names is imported or called, and REDUCE has nothing to call."""

    def find_class(self, module: str, name: str) -> Any:
        raise Refused(f"the pickle names {module}.{name}; only plain values are allowed")


def decode_private(blob: str) -> tuple[dict[str, str], ...]:
    """private_test_cases: JSON text, or base64 -> zlib -> pickle of it. ValueError says why not."""
    if blob.lstrip().startswith("["):
        try:
            return _tests(_json(blob), "private test")
        except ValueError as exc:
            raise ValueError(f"private tests: {str(exc).splitlines()[0][:160]}") from None
    try:
        packed = base64.b64decode(blob.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError("private tests are neither JSON nor base64") from None
    inflate = zlib.decompressobj()
    try:
        raw = inflate.decompress(packed, MAX_INFLATED_BYTES)
    except zlib.error as exc:
        raise ValueError(f"private tests: not zlib data ({exc})") from None
    if inflate.unconsumed_tail:
        raise ValueError(f"private tests inflate to more than {MAX_INFLATED_BYTES // 2**20} MiB: refused")
    if not inflate.eof:
        raise ValueError("private tests: the zlib stream is truncated")
    try:
        value = PlainUnpickler(io.BytesIO(raw)).load()
    except Refused as exc:
        raise ValueError(f"private tests: a pickle refused ({exc})") from None
    except Exception as exc:  # a malformed pickle raises many kinds of errors
        raise ValueError(f"private tests: not a readable pickle ({type(exc).__name__})") from None
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            value = _json(value)
        except ValueError as exc:
            raise ValueError(f"private tests: the pickled text is not JSON ({str(exc)[:80]})") from None
    try:
        return _tests(value, "private test")
    except ValueError as exc:
        raise ValueError(f"private tests: {exc}") from None


def private_tests(problem: Problem) -> tuple[dict[str, str], ...]:
    """Read the problem's line again and decode its private tests (DatasetUnavailable if bad)."""
    try:
        with problem.path.open("rb") as f:
            f.seek(problem.offset)
            line = f.readline(MAX_LINE_BYTES + 1)
        blob = _json(line)["private_test_cases"]
        tests = decode_private(blob)
    except OSError as exc:
        raise DatasetUnavailable(f"cannot read {problem.path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DatasetUnavailable(f"{problem.where} ({problem.qid}): {exc}") from None
    bad = next((i for i, t in enumerate(tests, 1) if t["testtype"] != problem.testtype), None)
    if bad is not None:
        raise DatasetUnavailable(f"{problem.where} ({problem.qid}): private test #{bad} is not {problem.testtype}")
    return tests


# -- choosing --------------------------------------------------------------------------------

def _day(value: Any, key: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"source.{key} {value!r} is not a date (YYYY-MM-DD)") from None


def allocate(count: int, sizes: Mapping[str, int]) -> dict[str, int]:
    """Seats per difficulty: proportional (largest remainders, ties in DIFFICULTIES order),
    at least one for each difficulty present (taken from the largest allocation)."""
    total = sum(sizes.values())
    if count >= total:
        return dict(sizes)
    seats = {d: count * n // total for d, n in sizes.items()}
    left = count - sum(seats.values())
    by_remainder = sorted(sizes, key=lambda d: (-(count * sizes[d] % total), DIFFICULTIES.index(d)))
    for d in by_remainder[:left]:
        seats[d] += 1
    for d in DIFFICULTIES:
        if sizes.get(d) and not seats[d]:
            donor = max(seats, key=lambda k: (seats[k], -DIFFICULTIES.index(k)))
            if seats[donor] > 1:
                seats[donor] -= 1
                seats[d] = 1
    return seats


def select(problems: list[Problem], seed: int, count: int, start: date, end: date) -> list[Problem]:
    """The chosen problems, easy first, each stratum in its shuffled order."""
    window = [p for p in problems if start <= p.day <= end]
    strata = {d: sorted((p for p in window if p.difficulty == d), key=lambda p: p.qid) for d in DIFFICULTIES}
    strata = {d: s for d, s in strata.items() if s}
    seats = allocate(count, {d: len(s) for d, s in strata.items()})
    order: dict[str, list[Problem]] = {}
    for d, members in strata.items():
        shuffled = list(members)
        random.Random(seed).shuffle(shuffled)
        order[d] = shuffled
    chosen = {d: order[d][:seats[d]] for d in strata}
    present = {p.testtype for p in window}
    for missing in TESTTYPES:
        if missing not in present or any(p.testtype == missing for c in chosen.values() for p in c):
            continue
        for d in DIFFICULTIES:
            spare = next((p for p in order.get(d, [])[seats.get(d, 0):] if p.testtype == missing), None)
            if spare is not None and chosen[d]:
                chosen[d][-1] = spare
                break
    return [p for d in DIFFICULTIES for p in chosen.get(d, [])]


# -- scenarios -------------------------------------------------------------------------------

def functional_args(text: str) -> str:
    """LCB's functional input (one JSON value per line, one per argument) as the Python
    literal of the args tuple."""
    return repr(tuple(_json(line) for line in text.split("\n")))


def functional_value(text: str) -> str:
    return repr(_json(text))


def _verifier_tests(problem: Problem, hidden: tuple[dict[str, str], ...]) -> list[dict[str, str]]:
    out = []
    for label, tests in (("public", problem.public), ("hidden", hidden)):
        for i, t in enumerate(tests, 1):
            if problem.testtype == "stdin":
                out.append({"input": t["input"], "output": t["output"], "set": label})
                continue
            try:
                out.append({"input": functional_args(t["input"]), "output": functional_value(t["output"]),
                            "set": label})
            except ValueError as exc:
                raise DatasetUnavailable(f"{problem.where} ({problem.qid}): {label} test #{i} is not one JSON "
                                         f"value per line ({str(exc).splitlines()[0][:80]})") from None
    return out


def _entry_point(problem: Problem) -> str:
    func = problem.metadata["func_name"]
    return f"Solution.{func}" if re.search(r"^\s*class\s+Solution\b", problem.fields["starter_code"], re.M) else func


def prompt(problem: Problem, limit: float) -> str:
    f = problem.fields
    parts = [f["question_content"].strip()]
    if problem.testtype == "functional":
        what = f"the class `Solution` with its method `{problem.metadata['func_name']}`" \
            if _entry_point(problem).startswith("Solution.") else f"the function `{problem.metadata['func_name']}`"
        parts.append(f"Complete {what}, keeping the signature of the starter code below; you may add helper "
                     f"functions or methods.\n\n```python\n{f['starter_code'].rstrip()}\n```")
    else:
        parts.append(STDIN_FORMAT)
    parts.append(ANSWER_FORMAT.format(limit=f"{limit:g}"))
    return "\n\n".join(parts)


def _fenced(code: str) -> str:
    return f"```python\n{code.rstrip()}\n```"


def read_solutions(directory: Path | None) -> dict[str, Any]:
    """The optional solutions.json sidecar (question_id -> gold, near misses, accepts)."""
    path = directory / "solutions.json" if directory is not None else None
    if path is None or not path.is_file():
        return {}
    try:
        size = path.stat().st_size
        if size > MAX_SOLUTIONS_BYTES:
            raise DatasetUnavailable(f"{path} is {size / 2**20:.0f} MiB, more than {MAX_SOLUTIONS_BYTES // 2**20} "
                                     f"MiB of reference solutions: refused")
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetUnavailable(f"{path}: not JSON ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(doc, dict):
        raise DatasetUnavailable(f"{path}: must map question ids to solutions")
    for qid, entry in doc.items():
        ok = isinstance(entry, dict) and isinstance(entry.get("gold"), str) and entry["gold"].strip()
        for key in ("near_misses", "accept"):
            items = entry.get(key, []) if isinstance(entry, dict) else None
            ok = ok and isinstance(items, list) and all(
                isinstance(i, dict) and isinstance(i.get("why"), str) and i["why"].strip() and "\n" not in i["why"]
                and isinstance(i.get("code"), str) and i["code"].strip() for i in items)
        if not ok:
            raise DatasetUnavailable(f"{path}: {qid}: needs a gold code string and near_misses/accept lists of "
                                     f"{{why (one line), code}}")
    return doc


def scenario(problem: Problem, hidden: tuple[dict[str, str], ...], solution: Mapping[str, Any] | None,
             limit: float) -> dict[str, Any]:
    f = problem.fields
    verifier: dict[str, Any] = {"kind": "code_tests", "style": "function" if problem.testtype == "functional" else "stdio"}
    if problem.testtype == "functional":
        verifier["entry_point"] = _entry_point(problem)
        verifier["compare"] = "json"  # LCB's outputs are JSON: a tuple returned for a list is right
    verifier.update(tests=_verifier_tests(problem, hidden), time_limit_s=limit, prelude=PRELUDE)
    out: dict[str, Any] = {
        "id": "LCB-" + _ID.sub("_", problem.qid),
        "title": f["question_title"].strip() or problem.qid,
        "messages": [{"role": "user", "content": prompt(problem, limit)}],
        "verifier": verifier,
        "gold": None,
        "source": {
            "question_id": problem.qid, "platform": f["platform"], "contest_id": f["contest_id"],
            "contest_date": f["contest_date"], "difficulty": problem.difficulty, "testtype": problem.testtype,
            "public_tests": len(problem.public), "hidden_tests": len(hidden), "file": problem.where,
        },
    }
    if solution:
        out["gold"] = {"content": _fenced(solution["gold"])}
        out["near_misses"] = [{"why": n["why"], "reply": _fenced(n["code"])} for n in solution.get("near_misses", [])]
        out["accept"] = [{"why": a["why"], "reply": _fenced(a["code"])} for a in solution.get("accept", [])]
    return out


def build(source: Mapping[str, Any], data: DataPaths, environ: Mapping[str, str] | None = None) -> Built:
    seed, count = int(source["seed"]), int(source["count"])
    start, end = _day(source["from"], "from"), _day(source["to"], "to")
    if count < 1 or end < start:
        raise ValueError(f"source: count {count} must be positive and from {start} no later than to {end}")
    limit = float(source.get("time_limit_s", TIME_LIMIT_S))
    files, directory, where = locate(data, environ)
    problems = read(files)
    chosen = select(problems, seed, count, start, end)
    if not chosen:
        raise DatasetUnavailable(f"no problem in {', '.join(r.name for r in files)} is dated {start}..{end}: "
                                 f"not the v6 release? {HOW}")
    solutions = read_solutions(directory)
    built = [scenario(p, private_tests(p), solutions.get(p.qid), limit) for p in chosen]
    window = [p for p in problems if start <= p.day <= end]

    def mix(ps: list[Problem]) -> str:
        by = [f"{sum(p.difficulty == d for p in ps)} {d}" for d in DIFFICULTIES]
        kinds = [f"{sum(p.testtype == t for p in ps)} {t}" for t in TESTTYPES]
        return f"{', '.join(by)}; {', '.join(kinds)}"
    names = ", ".join(f"{r.name} ({r.path.stat().st_size:,} bytes)" for r in files)
    golds = sum(s["gold"] is not None for s in built)
    return Built(built, f"code_generation_lite from {where}: {names}; {len(problems)} problems, {len(window)} dated "
                        f"{start}..{end} ({mix(window)}); {len(chosen)} chosen with seed {seed} ({mix(chosen)}); "
                        f"{golds} with reference solutions")
