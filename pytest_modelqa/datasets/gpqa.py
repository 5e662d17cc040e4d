"""GPQA-Diamond: graduate-level science multiple choice, from the user's own copy of the file.

The data is gated (its authors ask that it not be redistributed), so it is never shipped: the
pack reads `gpqa_diamond.csv` from --modelqa-gpqa-csv / $MODELQA_GPQA_CSV and checks it
against the published SHA-256 before using it; a different file runs only when the user says
which checksum to expect (--modelqa-gpqa-sha256), and the checksum used is recorded.

Per record: the correct answer and the three incorrect ones are shuffled with a seed derived
from the pack's seed and the record id (recorded in the results), shown as A-D, and graded
by `choice` on the final "ANSWER: <letter>" line."""

from __future__ import annotations

import csv
import hashlib
import io
import random
import re
from pathlib import Path
from typing import Any, Mapping

from . import Built, DataPaths, DatasetUnavailable

PUBLISHED_SHA256 = "41d1213cd7a4998605a26c2798500652572007161b3a92817ba46b35befcd305"
PUBLISHED_ROWS = 198
COLUMNS = ("Question", "Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3", "Record ID")
MAX_BYTES = 32 * 2**20  # the published file is about 1.5 MB
LETTERS = "ABCD"
HOW = "pass --modelqa-gpqa-csv=PATH (or set MODELQA_GPQA_CSV) to your copy of gpqa_diamond.csv"
FORMAT = ('Think it through, then end with a final line of the form "ANSWER: <letter>", where <letter> is '
          "one of A, B, C or D.")
_ID = re.compile(r"[^A-Za-z0-9_.-]")


def shuffle_seed(pack_seed: int, record: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{pack_seed}:{record}".encode()).digest()[:4], "big")


def read(path: Path, expected_sha256: str | None) -> list[dict[str, str]]:
    """The file's rows, or DatasetUnavailable saying what is wrong with it."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DatasetUnavailable(f"{path} is {size / 2**20:.0f} MiB, far more than gpqa_diamond.csv: not that file")
        blob = path.read_bytes()
    except OSError as exc:
        raise DatasetUnavailable(f"cannot read {path}: {exc.strerror or exc}; {HOW}") from None
    digest = hashlib.sha256(blob).hexdigest()
    want = expected_sha256 or PUBLISHED_SHA256
    if digest != want:
        what = "the published gpqa_diamond.csv" if not expected_sha256 else "the --modelqa-gpqa-sha256 given"
        raise DatasetUnavailable(f"{path} has SHA-256 {digest}, not {what} ({want}); pass "
                                 f"--modelqa-gpqa-sha256={digest} to run this file anyway")
    try:
        rows = list(csv.DictReader(io.StringIO(blob.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DatasetUnavailable(f"{path} is not a readable CSV: {exc}") from None
    missing = [c for c in COLUMNS if not rows or c not in rows[0]]
    if missing:
        raise DatasetUnavailable(f"{path} lacks the GPQA columns {', '.join(missing)}")
    bad = next((i for i, r in enumerate(rows, 2) if any(not (r.get(c) or "").strip() for c in COLUMNS)), None)
    if bad is not None:
        raise DatasetUnavailable(f"{path} line {bad}: a question, answer or record id is empty")
    return rows


def scenario(row: Mapping[str, str], pack_seed: int) -> dict[str, Any]:
    record = row["Record ID"].strip()
    seed = shuffle_seed(pack_seed, record)
    options = [row["Correct Answer"].strip()] + [row[f"Incorrect Answer {i}"].strip() for i in (1, 2, 3)]
    order = list(range(4))
    random.Random(seed).shuffle(order)
    choices = {LETTERS[i]: options[k] for i, k in enumerate(order)}
    right = LETTERS[order.index(0)]
    wrong = [letter for letter in LETTERS if letter != right]
    listing = "\n".join(f"{letter}) {text}" for letter, text in choices.items())
    question = row["Question"].strip()
    near = [{"why": f"chose {w}, an incorrect answer", "reply": f"ANSWER: {w}"} for w in wrong]
    near += [
        {"why": "the right letter, retracted on the next line", "reply": f"ANSWER: {right}\nOn reflection it is {wrong[0]}."},
        {"why": "two letters", "reply": f"ANSWER: {right} or {wrong[0]}"},
        {"why": "the right letter with a wrong choice's text", "reply": f"ANSWER: {right}) {choices[wrong[1]]}"},
        {"why": "the right letter in prose, no ANSWER line", "reply": f"The answer is ({right})."},
        {"why": "a sentence starting with the article A, restating a wrong choice",
         "reply": f"ANSWER: A {choices[wrong[-1]]}"},
    ]
    accept = [
        {"why": "the letter in brackets", "reply": f"ANSWER: ({right})"},
        {"why": "the letter with its choice's text", "reply": f"ANSWER: {right}) {choices[right]}"},
        {"why": "the choice's text alone", "reply": f"ANSWER: {choices[right]}"},
        {"why": "boxed, after a line of reasoning", "reply": f"Comparing the options, {right} fits.\nANSWER: \\boxed{{{right}}}"},
    ]
    return {
        "id": "GPQA-" + _ID.sub("_", record), "title": (row.get("Subdomain") or row.get("High-level domain") or record).strip(),
        "messages": [{"role": "user", "content": f"{question}\n\n{listing}\n\n{FORMAT}"}],
        "verifier": {"kind": "choice", "answer": right, "choices": choices},
        "gold": {"content": f"ANSWER: {right}"},
        "near_misses": near, "accept": accept,
        "source": {"record": record, "shuffle_seed": seed, "answer": right},
    }


def build(source: Mapping[str, Any], data: DataPaths) -> Built:
    path = data.paths.get("gpqa_csv")
    if path is None:
        raise DatasetUnavailable(f"GPQA-Diamond is gated and never shipped: {HOW}")
    expected = data.sha256.get("gpqa_csv")
    rows = read(path, expected)
    digest = expected or PUBLISHED_SHA256
    seed = int(source["seed"])
    built = [scenario(r, seed) for r in rows]
    ids = [s["id"] for s in built]
    if len(set(ids)) < len(ids):
        raise DatasetUnavailable(f"{path}: two rows share a Record ID")
    label = "published" if digest == PUBLISHED_SHA256 else "user-given checksum"
    return Built(built, f"{path.name} sha256 {digest} ({label}, {len(rows)} questions), choices shuffled with seed {seed}")
