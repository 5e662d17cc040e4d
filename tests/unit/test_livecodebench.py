"""The LiveCodeBench source (pytest_modelqa/datasets/livecodebench.py) on an original fixture in
the code_generation_lite release format (tests/data/lcb_fixture/: eight problems written here).

Candidate code is the lead's verifier's business (in a sandbox); the only code run here is the
fixture's own reference programs, by a small local runner that follows the code_tests spec,
in subprocesses with a timeout."""

from __future__ import annotations

import ast
import base64
import json
import math
import os
import pickle
import runpy
import shutil
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pytest_modelqa.datasets import DataPaths, DatasetUnavailable, build as build_source, livecodebench as lcb
from pytest_modelqa.names import shipped_packs_dir
from pytest_modelqa.packs import load_pack

FIXTURE = Path(__file__).parent.parent / "data" / "lcb_fixture"
PACK = shipped_packs_dir() / "lcb-v6-30.yaml"
SOURCE = {"dataset": "livecodebench", "seed": 20261202, "count": 30, "from": "2025-02-01", "to": "2025-04-30"}
IN_WINDOW = {"abc901_a", "9001", "abc905_c", "9002", "2091B", "9003"}
SOLUTIONS = json.loads((FIXTURE / "solutions.json").read_text())


@pytest.fixture(autouse=True)
def no_hf_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may find a real Hugging Face cache on the machine."""
    for var in ("HF_DATASETS_CACHE", "HF_HUB_CACHE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "no-hf-home"))


def built(path: Path = FIXTURE, **source: Any):
    return build_source({**SOURCE, **source}, DataPaths({"lcb_data": path}))


def copy_fixture(tmp_path: Path, solutions: bool = True) -> Path:
    out = tmp_path / "lcb"
    out.mkdir()
    for name in ("test.jsonl", "test6.jsonl") + (("solutions.json",) if solutions else ()):
        shutil.copy(FIXTURE / name, out / name)
    return out


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_rows(path: Path, items: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in items))


def blob(value: Any) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(value))).decode()


def unavailable(call) -> str:
    with pytest.raises(DatasetUnavailable) as info:
        call()
    reason = str(info.value)
    assert "\n" not in reason and reason.strip(), reason
    return reason


# -- the fixture and the format ------------------------------------------------------------

def test_the_fixture_is_what_its_script_writes(tmp_path: Path) -> None:
    runpy.run_path(str(FIXTURE / "make_fixture.py"))["write"](tmp_path)
    for name in ("test.jsonl", "test6.jsonl", "solutions.json"):
        assert (tmp_path / name).read_bytes() == (FIXTURE / name).read_bytes(), name


def test_fixture_lines_have_the_release_fields_in_order_and_encoded_private_tests() -> None:
    for name in ("test.jsonl", "test6.jsonl"):
        for row in rows(FIXTURE / name):
            assert tuple(row) == lcb.FIELDS
            assert all(isinstance(v, str) for v in row.values())
            assert not row["private_test_cases"].lstrip().startswith("[")  # the base64 form, as the release
            text = pickle.loads(zlib.decompress(base64.b64decode(row["private_test_cases"])))  # our own fixture
            assert isinstance(text, str) and json.loads(text)


def test_reading_the_fixture() -> None:
    problems = {p.qid: p for p in lcb.read(lcb.locate(DataPaths({"lcb_data": FIXTURE}))[0])}
    assert set(problems) == IN_WINDOW | {"abc880_b", "9004"}
    p = problems["9002"]
    assert p.testtype == "functional" and p.metadata == {"func_name": "countPairs"} and p.difficulty == "medium"
    assert p.day == date(2025, 3, 2) and p.fields["platform"] == "leetcode" and p.where == "test.jsonl line 4"
    assert p.public[0] == {"input": "[1, 2, 3, 4, 5]\n3", "output": "4", "testtype": "functional"}
    s = problems["2091B"]
    assert s.testtype == "stdin" and s.fields["starter_code"] == "" and s.where == "test6.jsonl line 1"
    hidden = lcb.private_tests(s)
    assert len(hidden) == 5 and hidden[0] == {"input": "1\n1\n-7\n", "output": "-7\n", "testtype": "stdin"}


def test_a_file_given_alone_is_read_and_release_files_are_ordered(tmp_path: Path) -> None:
    files, directory, _ = lcb.locate(DataPaths({"lcb_data": FIXTURE / "test6.jsonl"}))
    assert [f.name for f in files] == ["test6.jsonl"] and directory == FIXTURE
    for name in ("test10.jsonl", "test2.jsonl", "test.jsonl", "notes.jsonl", "test6.jsonl"):
        (tmp_path / name).write_text("")
    assert [f.name for f in lcb._release_files(tmp_path)] == ["test.jsonl", "test2.jsonl", "test6.jsonl", "test10.jsonl"]


def test_private_tests_in_plain_json_are_read_too() -> None:
    tests = [{"input": "1\n", "output": "2\n", "testtype": "stdin"}]
    assert lcb.decode_private(json.dumps(tests)) == tuple(tests)
    assert lcb.decode_private(blob(json.dumps(tests))) == tuple(tests)
    assert lcb.decode_private(blob(tests)) == tuple(tests)  # the list itself pickled: plain values, accepted


# -- the restricted unpickler ---------------------------------------------------------------

class _Opens:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


class _Shells:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


@pytest.mark.parametrize("payload", [_Opens, _Shells])
def test_a_malicious_pickle_is_refused_and_nothing_runs(tmp_path: Path, payload) -> None:
    marker = tmp_path / "pwned"
    evil = blob(payload(str(marker)))
    with pytest.raises(ValueError, match="refused") as info:
        lcb.decode_private(evil)
    assert "only plain values" in str(info.value) and not marker.exists()
    # also inside a list, as the real format's JSON text would sit
    evil_list = blob([payload(str(marker))])
    with pytest.raises(ValueError, match="refused"):
        lcb.decode_private(evil_list)
    assert not marker.exists()
    if payload is _Opens:  # the pickle has teeth: an ordinary unpickler does create the file
        pickle.loads(zlib.decompress(base64.b64decode(evil))).close()
        assert marker.exists()


def test_a_malicious_pickle_in_a_chosen_problem_makes_the_pack_unavailable(tmp_path: Path) -> None:
    data = copy_fixture(tmp_path)
    marker = tmp_path / "pwned"
    items = rows(data / "test6.jsonl")
    items[0]["private_test_cases"] = blob(_Opens(str(marker)))
    write_rows(data / "test6.jsonl", items)
    reason = unavailable(lambda: built(data))
    assert reason.startswith("test6.jsonl line 1 (2091B): private tests: a pickle refused") and "io.open" in reason
    assert not marker.exists()


@pytest.mark.parametrize("bad,why", [
    ("@@not base64@@", "neither JSON nor base64"),
    (base64.b64encode(b"not zlib").decode(), "not zlib data"),
    (base64.b64encode(zlib.compress(pickle.dumps(json.dumps(["x"])))[:-6]).decode(), "truncated"),
    (base64.b64encode(zlib.compress(b"\x80\x04garbage")).decode(), "not a readable pickle"),
    (blob(42), "not a list"),
    (blob("not json"), "not JSON"),
    (blob(json.dumps([{"input": "1", "output": 2, "testtype": "stdin"}])), "of strings"),
    (blob(json.dumps([{"input": "1", "output": "2", "testtype": "interactive"}])), "not stdin or functional"),
    ('[{"input": "1"}]', "of strings"),
])
def test_bad_private_blobs_are_refused_with_a_reason(bad: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        lcb.decode_private(bad)


def test_a_zlib_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lcb, "MAX_INFLATED_BYTES", 1000)
    big = blob(json.dumps([{"input": "x" * 5000, "output": "", "testtype": "stdin"}]))
    with pytest.raises(ValueError, match="inflate to more than"):
        lcb.decode_private(big)


# -- conversion of functional tests ---------------------------------------------------------

@pytest.mark.parametrize("text,args", [
    ("[1, 2, 3]\n3", ([1, 2, 3], 3)),
    ('"abc"', ("abc",)),
    ("5", (5,)),
    ('[[1, 2], [3]]\n"x"\ntrue\nnull', ([[1, 2], [3]], "x", True, None)),
    ('{"a": [1.5, -2]}\n0.1', ({"a": [1.5, -2]}, 0.1)),
    ("123456789012345678901234567890", (123456789012345678901234567890,)),
])
def test_functional_inputs_become_the_args_tuple_literal(text: str, args: tuple) -> None:
    literal = lcb.functional_args(text)
    assert ast.literal_eval(literal) == args and isinstance(ast.literal_eval(literal), tuple)


def test_functional_outputs_and_refusals() -> None:
    assert lcb.functional_value("[true, false]") == "[True, False]"
    assert lcb.functional_value('"s"') == "'s'" and lcb.functional_value("null") == "None"
    for bad in ("NaN", "[Infinity]", "[1, 2]\n\n3", "not json"):
        with pytest.raises(ValueError):
            lcb.functional_args(bad)


# -- selection ------------------------------------------------------------------------------

def test_allocation_is_proportional_by_largest_remainder() -> None:
    assert lcb.allocate(30, {"easy": 50, "medium": 90, "hard": 35}) == {"easy": 9, "medium": 15, "hard": 6}
    assert lcb.allocate(30, {"easy": 10, "medium": 10, "hard": 10}) == {"easy": 10, "medium": 10, "hard": 10}
    assert lcb.allocate(10, {"easy": 10, "medium": 10, "hard": 10}) == {"easy": 4, "medium": 3, "hard": 3}
    assert lcb.allocate(50, {"easy": 3, "medium": 4}) == {"easy": 3, "medium": 4}  # fewer than asked: all


def test_every_difficulty_present_gets_a_seat() -> None:
    seats = lcb.allocate(10, {"easy": 100, "medium": 100, "hard": 1})
    assert seats == {"easy": 4, "medium": 5, "hard": 1} and sum(seats.values()) == 10
    for sizes in ({"easy": 200, "medium": 3, "hard": 2}, {"easy": 1, "medium": 1, "hard": 500}):
        seats = lcb.allocate(30, sizes)
        assert sum(seats.values()) == 30 and all(seats[d] >= 1 for d in sizes)


def synthetic(n: int, *, start: date = date(2025, 2, 1), kinds=("stdin", "functional"),
              mix=("easy", "easy", "medium", "medium", "hard")) -> list[lcb.Problem]:
    out = []
    for i in range(n):
        day = date.fromordinal(start.toordinal() + i % 89)
        out.append(lcb.Problem({"question_id": f"q{i:03d}", "difficulty": mix[i % len(mix)]}, (), {}, day,
                               kinds[(i // 5) % len(kinds)], f"t line {i}", Path("t"), 0))
    return out


def test_selection_is_seeded_deterministic_stratified_and_in_the_window() -> None:
    problems = synthetic(175) + synthetic(40, start=date(2024, 11, 1))  # 40 before the window
    window = (date(2025, 2, 1), date(2025, 4, 30))
    a = lcb.select(problems, 7, 30, *window)
    assert [p.qid for p in a] == [p.qid for p in lcb.select(list(reversed(problems)), 7, 30, *window)]
    assert [p.qid for p in a] != [p.qid for p in lcb.select(problems, 8, 30, *window)]
    assert len(a) == 30 and len({p.qid for p in a}) == 30
    assert all(window[0] <= p.day <= window[1] for p in a)
    in_window = [p for p in problems if window[0] <= p.day <= window[1]]
    sizes = {d: sum(p.difficulty == d for p in in_window) for d in lcb.DIFFICULTIES}
    assert {d: sum(p.difficulty == d for p in a) for d in lcb.DIFFICULTIES} == lcb.allocate(30, sizes)


def test_a_stratum_takes_its_shuffled_sorted_ids_with_a_fresh_random_per_stratum() -> None:
    import random
    problems = synthetic(60)
    chosen = lcb.select(problems, 11, 10, date(2025, 1, 1), date(2025, 12, 31))
    hard = sorted((p for p in problems if p.difficulty == "hard"), key=lambda p: p.qid)
    random.Random(11).shuffle(hard)
    seats = lcb.allocate(10, {"easy": 24, "medium": 24, "hard": 12})["hard"]
    picked = [p for p in chosen if p.difficulty == "hard"]
    if {p.testtype for p in chosen} == {"stdin", "functional"} and picked == hard[:seats]:
        return  # no swap was needed in this stratum
    assert picked[:-1] == hard[:seats - 1]


def test_both_testtypes_are_chosen_when_the_window_has_them() -> None:
    # one functional problem among many stdin ones: it must be swapped in, within its stratum
    problems = synthetic(60, kinds=("stdin",))
    lone = lcb.Problem({"question_id": "zzz", "difficulty": "medium"}, (), {}, date(2025, 3, 3), "functional",
                       "t line 99", Path("t"), 0)
    for seed in range(40):
        chosen = lcb.select(problems + [lone], seed, 5, date(2025, 2, 1), date(2025, 4, 30))
        assert lone in chosen and len(chosen) == 5, seed
        assert sum(p.difficulty == "medium" for p in chosen) == lcb.allocate(
            5, {"easy": 24, "medium": 25, "hard": 12})["medium"]
    only_stdin = lcb.select(problems, 1, 5, date(2025, 2, 1), date(2025, 4, 30))
    assert {p.testtype for p in only_stdin} == {"stdin"}  # none to swap in: nothing invented


def test_the_window_is_inclusive_by_date() -> None:
    at = [lcb.Problem({"question_id": f"d{i}", "difficulty": "easy"}, (), {}, d, "stdin", "", Path("t"), 0)
          for i, d in enumerate((date(2025, 1, 31), date(2025, 2, 1), date(2025, 4, 30), date(2025, 5, 1)))]
    assert {p.qid for p in lcb.select(at, 1, 10, date(2025, 2, 1), date(2025, 4, 30))} == {"d1", "d2"}


def test_fixture_selection_keeps_the_window_strata_and_both_types() -> None:
    for seed in range(30):
        scenarios = built(seed=seed, count=3).scenarios
        src = [s["source"] for s in scenarios]
        assert sorted(s["difficulty"] for s in src) == ["easy", "hard", "medium"], seed
        assert {s["testtype"] for s in src} == {"stdin", "functional"}, seed
        assert {s["question_id"] for s in src} <= IN_WINDOW


# -- scenarios ------------------------------------------------------------------------------

def test_scenarios_from_the_fixture() -> None:
    result = built()
    by_id = {s["id"]: s for s in result.scenarios}
    assert set(by_id) == {f"LCB-{q}" for q in IN_WINDOW}
    assert "6 dated 2025-02-01..2025-04-30 (2 easy, 2 medium, 2 hard; 3 stdin, 3 functional)" in result.provenance
    assert "seed 20261202" in result.provenance and "6 with reference solutions" in result.provenance
    f = by_id["LCB-9002"]
    v = f["verifier"]
    assert v["kind"] == "code_tests" and v["style"] == "function" and v["entry_point"] == "Solution.countPairs"
    assert v["time_limit_s"] == 6 and "from typing import *" in v["prelude"]
    assert v["tests"][0] == {"input": "([1, 2, 3, 4, 5], 3)", "output": "4", "set": "public"}
    assert [t["set"] for t in v["tests"]] == ["public"] * 2 + ["hidden"] * 8
    assert f["source"] == {"question_id": "9002", "platform": "leetcode", "contest_id": "biweekly-contest-151",
                           "contest_date": "2025-03-02T02:30:00", "difficulty": "medium", "testtype": "functional",
                           "public_tests": 2, "hidden_tests": 8, "file": "test.jsonl line 4"}
    content = f["messages"][0]["content"]
    assert "def countPairs(self, nums: List[int], k: int) -> int:" in content and "```python" in content
    assert "Complete the class `Solution`" in content and "hidden tests" in content
    s = by_id["LCB-2091B"]
    assert s["verifier"]["style"] == "stdio" and "entry_point" not in s["verifier"]
    assert s["verifier"]["tests"][0] == {"input": "2\n3\n1 -2 3\n2\n-5 -1\n", "output": "3\n-1\n", "set": "public"}
    assert "standard input" in s["messages"][0]["content"] and "standard output" in s["messages"][0]["content"]
    assert s["source"]["hidden_tests"] == 5 and s["source"]["platform"] == "codeforces"


def test_gold_near_misses_and_accepts_come_from_solutions_json() -> None:
    for s in built().scenarios:
        want = SOLUTIONS[s["source"]["question_id"]]
        assert s["gold"] == {"content": f"```python\n{want['gold'].rstrip()}\n```"}
        assert [n["why"] for n in s["near_misses"]] == [n["why"] for n in want["near_misses"]]
        assert all(n["reply"].startswith("```python\n") and n["reply"].endswith("\n```") for n in s["near_misses"])
        assert len(s["near_misses"]) >= 5 and len(s["accept"]) >= 1


def test_without_solutions_the_gold_is_null_and_there_are_no_near_misses(tmp_path: Path) -> None:
    for s in built(copy_fixture(tmp_path, solutions=False)).scenarios:
        assert s["gold"] is None and "near_misses" not in s and "accept" not in s
        assert s["verifier"]["tests"]


def test_the_pack_loads_from_the_fixture_and_is_unavailable_without_data() -> None:
    pack = load_pack(PACK, DataPaths({"lcb_data": FIXTURE}))
    assert pack.meta.id == "LCB-v6-30" and pack.meta.sandbox == "python" and pack.meta.thinking
    assert pack.meta.max_tokens == 4096 and pack.meta.thinking_tokens == 8192 and pack.meta.modes == ("reasoning", "sandboxed")
    assert len(pack.scenarios) == 6 and all(len(s.near_misses) >= 5 for s in pack.scenarios)
    assert all(s.source["question_id"] in IN_WINDOW for s in pack.scenarios) and "LiveCodeBench" not in pack.unavailable
    bare = load_pack(PACK, DataPaths())
    assert bare.scenarios == () and bare.unavailable == lcb.NOT_FOUND


# -- dataset_unavailable --------------------------------------------------------------------

def test_no_data_anywhere() -> None:
    reason = unavailable(lambda: build_source(SOURCE, DataPaths()))
    assert reason == ("LiveCodeBench code_generation_lite not found: download release_v6 "
                      "(https://huggingface.co/datasets/livecodebench/code_generation_lite) and pass "
                      "--modelqa-lcb-data DIR or set MODELQA_LCB_DATA")


def test_missing_and_empty_directories(tmp_path: Path) -> None:
    assert "does not exist" in unavailable(lambda: built(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    assert "holds no test*.jsonl" in unavailable(lambda: built(tmp_path / "empty"))
    (tmp_path / "blank").mkdir()
    (tmp_path / "blank" / "test6.jsonl").write_text("\n")
    assert "no problems" in unavailable(lambda: built(tmp_path / "blank"))


def test_no_problem_in_the_window(tmp_path: Path) -> None:
    reason = unavailable(lambda: built(FIXTURE, **{"from": "2023-01-01", "to": "2023-12-31"}))
    assert "dated 2023-01-01..2023-12-31" in reason


def test_a_bad_source_spec_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a date"):
        built(**{"from": "February"})
    with pytest.raises(ValueError, match="no later than"):
        built(**{"from": "2025-05-01", "to": "2025-02-01"})


@pytest.mark.parametrize("corrupt,expect", [
    (lambda items, text: text.replace(text.splitlines()[1], "{not json"), "test.jsonl line 2: not a JSON line"),
    (lambda items, text: text + "[1, 2]\n", "test.jsonl line 6: a list, not a problem object"),
    (lambda items, text: "".join(json.dumps({k: v for k, v in r.items() if k != "metadata"}) + "\n" for r in items),
     "test.jsonl line 1: lacks the code_generation_lite fields metadata"),
    (lambda items, text: text.replace('"platform": "atcoder"', '"platform": "topcoder"', 1), "test.jsonl line 1 (abc901_a)"),
    (lambda items, text: text.replace('"2025-02-08T00:00:00"', '"8th Feb"'), "is not an ISO date"),
    (lambda items, text: text.replace('"question_id": "9001"', '"question_id": "abc901_a"'), "question_id abc901_a again"),
])
def test_corrupt_lines_name_the_file_and_line(tmp_path: Path, corrupt, expect: str) -> None:
    data = copy_fixture(tmp_path)
    path = data / "test.jsonl"
    path.write_text(corrupt(rows(path), path.read_text()))
    assert expect in unavailable(lambda: built(data))


def test_a_bad_private_blob_of_a_chosen_problem_names_file_and_line(tmp_path: Path) -> None:
    data = copy_fixture(tmp_path)
    items = rows(data / "test.jsonl")
    items[2]["private_test_cases"] = "eJzLSM3JyQcABiwCFQ=="  # zlib of "hello": not a pickle
    write_rows(data / "test.jsonl", items)
    assert unavailable(lambda: built(data)).startswith("test.jsonl line 3 (abc905_c): private tests: not a readable")


def test_oversized_files_and_lines_are_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy_fixture(tmp_path)
    monkeypatch.setattr(lcb, "MAX_FILE_BYTES", 4000)
    assert "not a release file" in unavailable(lambda: built(data))
    monkeypatch.setattr(lcb, "MAX_FILE_BYTES", 2**30)
    monkeypatch.setattr(lcb, "MAX_LINE_BYTES", 500)
    assert unavailable(lambda: built(data)).startswith("test.jsonl line 1: longer than")
    monkeypatch.setattr(lcb, "MAX_LINE_BYTES", 2**20)
    monkeypatch.setattr(lcb, "MAX_SOLUTIONS_BYTES", 100)
    assert "solutions.json is" in unavailable(lambda: built(data))


def test_bad_solutions_json(tmp_path: Path) -> None:
    data = copy_fixture(tmp_path)
    (data / "solutions.json").write_text('{"9001": {"gold": "x", "near_misses": [{"why": "two\\nlines", "code": "y"}]}}')
    assert "9001: needs a gold code string" in unavailable(lambda: built(data))
    (data / "solutions.json").write_text("{oops")
    assert "solutions.json: not JSON" in unavailable(lambda: built(data))


# -- the Hugging Face caches ----------------------------------------------------------------

def test_found_in_the_hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "hf"
    monkeypatch.setenv("HF_HOME", str(home))
    snapshots = home / "hub" / "datasets--livecodebench--code_generation_lite" / "snapshots"
    (snapshots / "0old").mkdir(parents=True)
    shutil.copy(FIXTURE / "test.jsonl", snapshots / "0old" / "test.jsonl")
    new = snapshots / "9new"
    new.mkdir()
    for name in ("test.jsonl", "test6.jsonl"):
        shutil.copy(FIXTURE / name, new / name)
    result = build_source(SOURCE, DataPaths())
    assert len(result.scenarios) == 6 and "hub cache" in result.provenance and "9new" in result.provenance
    assert all(s["gold"] is None for s in result.scenarios)  # no solutions.json in a cache


def test_found_in_the_datasets_downloads_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "dscache"
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache))
    downloads = cache / "downloads"
    downloads.mkdir(parents=True)
    for i, name in enumerate(("test.jsonl", "test6.jsonl")):
        shutil.copy(FIXTURE / name, downloads / f"{i}f00ba4")
        url = f"https://huggingface.co/datasets/livecodebench/code_generation_lite/resolve/abc123/{name}"
        (downloads / f"{i}f00ba4.json").write_text(json.dumps({"url": url, "etag": None}))
    (downloads / "other").write_text("x")
    (downloads / "other.json").write_text(json.dumps({"url": "https://example.org/test6.jsonl"}))
    (downloads / "broken.json").write_text("{")
    files, directory, where = lcb.locate(DataPaths())
    assert [f.name for f in files] == ["test.jsonl", "test6.jsonl"] and directory is None and "datasets cache" in where
    assert len(build_source(SOURCE, DataPaths()).scenarios) == 6


def test_hf_home_datasets_is_the_default_datasets_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert lcb._datasets_cache(os.environ) == tmp_path / "hf" / "datasets"
    monkeypatch.delenv("HF_HOME")
    assert lcb._datasets_cache(os.environ) == Path.home() / ".cache" / "huggingface" / "datasets"


def test_a_given_path_wins_over_the_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snap = tmp_path / "hf" / "hub" / "datasets--livecodebench--code_generation_lite" / "snapshots" / "r"
    snap.mkdir(parents=True)
    (snap / "test6.jsonl").write_text("{broken\n")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert len(built(FIXTURE).scenarios) == 6


# -- the fixture's reference programs, run by a local runner following the code_tests spec ---

RUNNER = r"""
import ast, contextlib, io, json, math, signal, sys

spec = json.loads(sys.stdin.read())


class Late(Exception):
    pass


def late(*_):
    raise Late()


def same(got, want):
    if isinstance(want, float) or isinstance(got, float):
        return isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6)
    return got == want


def lines(text):
    out = [line.rstrip() for line in text.split("\n")]
    while out and not out[-1]:
        out.pop()
    return out


signal.signal(signal.SIGALRM, late)
program = compile(spec["prelude"] + spec["code"], "<candidate>", "exec")
fn = None
if spec["style"] == "function":
    ns = {"__name__": "candidate"}
    exec(program, ns)
    owner, _, name = spec["entry_point"].rpartition(".")
    fn = getattr(ns[owner](), name) if owner else ns[name]
verdicts = []
for test in spec["tests"]:
    signal.setitimer(signal.ITIMER_REAL, spec["limit"])
    try:
        if fn is not None:
            ok = same(fn(*ast.literal_eval(test["input"])), ast.literal_eval(test["output"]))
        else:
            printed = io.StringIO()
            sys.stdin = io.StringIO(test["input"])
            with contextlib.redirect_stdout(printed):
                try:
                    exec(program, {"__name__": "__main__"})
                except SystemExit:
                    pass
            ok = lines(printed.getvalue()) == lines(test["output"])
    except Exception:  # Late (over the time limit) or the program's own error
        ok = False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdin = sys.__stdin__
    verdicts.append(ok)
print(json.dumps(verdicts))
"""
LOCAL_LIMIT_S = 3  # per test; the fixture's programs take milliseconds (LCB's own limit is 6 s)


def run_tests(verifier: dict[str, Any], code: str, tmp: Path) -> list[bool]:
    """Our own reference code against a scenario's tests, in one subprocess: a fresh namespace
    and stdin per stdio test, one instance per function-style program, a per-test alarm."""
    spec = {"style": verifier["style"], "entry_point": verifier.get("entry_point", ""), "prelude": verifier["prelude"],
            "code": code, "tests": verifier["tests"], "limit": LOCAL_LIMIT_S}
    done = subprocess.run([sys.executable, "-I", "-c", RUNNER], input=json.dumps(spec), capture_output=True, text=True,
                          timeout=LOCAL_LIMIT_S * len(verifier["tests"]) + 20, cwd=tmp)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _code(reply: str) -> str:
    assert reply.startswith("```python\n") and reply.endswith("\n```")
    return reply[len("```python\n"):-len("\n```")]


def test_gold_and_accepts_pass_and_near_misses_fail_hidden_tests(tmp_path: Path) -> None:
    scenarios = built(**{"from": "2025-01-01", "to": "2025-05-31"}).scenarios  # all eight problems
    assert len(scenarios) == 8
    jobs = []
    for s in scenarios:
        programs = [("gold", _code(s["gold"]["content"]))]
        programs += [(f"accept: {a['why']}", _code(a["reply"])) for a in s["accept"]]
        programs += [(f"near miss: {n['why']}", _code(n["reply"])) for n in s["near_misses"]]
        jobs += [(s, label, code) for label, code in programs]

    def run(job):
        s, label, code = job
        verdicts = run_tests(s["verifier"], code, tmp_path)
        sets = {which: [ok for ok, t in zip(verdicts, s["verifier"]["tests"]) if t["set"] == which]
                for which in ("public", "hidden")}
        return (s["id"], label), sets

    with ThreadPoolExecutor(max_workers=4) as pool:
        verdicts = dict(pool.map(run, jobs))
    right_on_examples: dict[str, int] = {}
    for (sid, label), sets in verdicts.items():
        if not label.startswith("near miss"):
            assert all(sets["public"]) and all(sets["hidden"]), (sid, label, sets)
            continue
        assert not all(sets["hidden"]), f"{sid} {label}: passes every hidden test"
        right_on_examples[sid] = right_on_examples.get(sid, 0) + all(sets["public"])
    assert len(right_on_examples) == 8
    short = {sid: n for sid, n in right_on_examples.items() if n < 2}
    assert not short, f"fewer than two near misses right on the public examples: {short}"
    assert math.fsum(right_on_examples.values()) >= 16
