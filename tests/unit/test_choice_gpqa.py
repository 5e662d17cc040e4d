"""The `choice` verifier and the GPQA-Diamond source, on an original fixture in the real
file's CSV layout (tests/data/gpqa_fixture.csv: six questions written here, not GPQA's)."""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from pathlib import Path

import pytest

from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.datasets import DataPaths, DatasetUnavailable, gpqa
from pytest_modelqa.names import shipped_packs_dir
from pytest_modelqa.verifiers.choice import judge, read_choice

FIXTURE = Path(__file__).parent.parent / "data" / "gpqa_fixture.csv"
FIXTURE_SHA = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
PACK = shipped_packs_dir() / "gpqa-diamond.yaml"
CHOICES = {"A": "0.5 eV", "B": "1.2 eV", "C": "4.2 eV", "D": "a catalyst is needed"}


@pytest.mark.parametrize("text", [
    "ANSWER: C", "ANSWER: (C)", "ANSWER: C)", "ANSWER: [C]", "ANSWER: C.", "ANSWER: c", "**ANSWER: C**",
    "ANSWER: **C**", "ANSWER: \\boxed{C}", "ANSWER: $\\boxed{C}$", "ANSWER: Option C", "ANSWER: choice (C)",
    "ANSWER: The answer is C", "ANSWER: C) 4.2 eV", "ANSWER: C: 4.2 eV", "ANSWER: C 4.2 eV", "ANSWER: 4.2 eV",
    "Reasoning first.\nANSWER: C\n```",
])
def test_the_right_choice_in_its_usual_forms_passes(text: str) -> None:
    assert judge({"answer": "C", "choices": CHOICES}, text).passed, text


@pytest.mark.parametrize("text,mode", [
    ("ANSWER: B", "wrong_answer"),
    ("ANSWER: C\nActually, B is better.", "wrong_answer"),  # retracted
    ("ANSWER: B or C", "wrong_answer"),
    ("ANSWER: C, D", "wrong_answer"),
    ("ANSWER: C) 1.2 eV", "wrong_answer"),  # the letter contradicts the text after it
    ("ANSWER: C\nANSWER: B", "wrong_answer"),
    ("ANSWER: E", "wrong_answer"),
    ("ANSWER: 4.2", "wrong_answer"),  # not the choice's text
    ("The answer is (C).", "no_answer_found"),
    ("C", "no_answer_found"),
    ("", "no_answer_found"),
])
def test_near_misses_fail(text: str, mode: str) -> None:
    verdict = judge({"answer": "C", "choices": CHOICES}, text)
    assert not verdict.passed and verdict.failure_mode == mode, (text, verdict)


def test_the_article_a_is_not_choice_a() -> None:
    params = {"answer": "A", "choices": CHOICES}
    for text in ("ANSWER: A catalyst speeds it up", "ANSWER: A reaction at 1.2 eV", "ANSWER: A 1.2 eV"):
        assert not judge(params, text).passed, text
    assert read_choice("A catalyst speeds it up", CHOICES)[0] is None
    # ...while the sentence that *is* choice D's text names D, article and all
    assert read_choice("A catalyst is needed", CHOICES)[0] == "D"
    assert judge({"answer": "D", "choices": CHOICES}, "ANSWER: A catalyst is needed.").passed
    assert judge(params, "ANSWER: A").passed and judge(params, "ANSWER: (A)").passed


def test_a_lowercase_letter_inside_a_sentence_is_not_read() -> None:
    assert read_choice("c is the one", CHOICES)[0] is None


def test_choice_params_are_checked_when_the_pack_loads() -> None:
    from pytest_modelqa.verifiers.choice import check_params
    assert "not one of the choices" in check_params({"answer": "E", "choices": CHOICES}, None)
    assert "same text" in check_params({"answer": "A", "choices": {"A": "x", "B": "X."}}, None)


def fixture_pack(tmp_path: Path | None = None, path: Path = FIXTURE, sha: str | None = FIXTURE_SHA):
    return load_checked(PACK, DataPaths({"gpqa_csv": path}, {"gpqa_csv": sha} if sha else {}))


def test_without_data_the_pack_is_unavailable_and_says_how_to_provide_it() -> None:
    pack = load_checked(PACK, DataPaths())
    assert pack.scenarios == () and "--modelqa-gpqa-csv" in pack.unavailable and "MODELQA_GPQA_CSV" in pack.unavailable


def test_a_file_that_is_not_the_published_one_is_refused_with_its_checksum() -> None:
    pack = fixture_pack(sha=None)
    assert not pack.scenarios
    assert FIXTURE_SHA in pack.unavailable and gpqa.PUBLISHED_SHA256 in pack.unavailable
    assert f"--modelqa-gpqa-sha256={FIXTURE_SHA}" in pack.unavailable


@pytest.mark.parametrize("damage,why", [
    (lambda p: p.unlink(), "cannot read"),
    (lambda p: p.write_text("Question,Correct Answer\nq,a\n"), "lacks the GPQA columns"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "not a readable CSV"),
    (lambda p: p.write_text(FIXTURE.read_text().replace("recFIX0003Oc", "")), "is empty"),
    (lambda p: p.write_text(FIXTURE.read_text().replace("recFIX0003Oc", "recFIX0002Bi")), "share a Record ID"),
])
def test_bad_files_are_unavailable_with_one_line_each(tmp_path: Path, damage, why: str) -> None:
    copy = tmp_path / "gpqa_diamond.csv"
    shutil.copy(FIXTURE, copy)
    damage(copy)
    sha = hashlib.sha256(copy.read_bytes()).hexdigest() if copy.exists() else None
    pack = fixture_pack(path=copy, sha=sha)
    assert not pack.scenarios and why in pack.unavailable and "\n" not in pack.unavailable


def test_the_fixture_builds_one_scenario_per_question_with_a_recorded_shuffle() -> None:
    pack = fixture_pack()
    assert len(pack.scenarios) == 6 and not pack.unavailable
    assert FIXTURE_SHA in pack.meta.data and "user-given" in pack.meta.data
    for s in pack.scenarios:
        v = s.verifier
        assert s.source["answer"] == v["answer"] and s.source["record"] in s.id
        assert sorted(v["choices"]) == ["A", "B", "C", "D"]
        prompt = s.messages[0]["content"]
        assert all(f"{k}) {t}" in prompt for k, t in v["choices"].items()) and "ANSWER: <letter>" in prompt
        # the shuffle is reproducible from what the results record
        again = gpqa.scenario({**_row(s.source["record"])}, 20261202)
        assert again["verifier"] == dict(v) and again["source"]["shuffle_seed"] == s.source["shuffle_seed"]


def _row(record: str) -> dict[str, str]:
    import csv
    return next(r for r in csv.DictReader(FIXTURE.open(encoding="utf-8")) if r["Record ID"] == record)


def test_the_right_letter_is_spread_over_the_positions() -> None:
    rows = [{"Question": f"q{i}", "Correct Answer": "right", "Incorrect Answer 1": "w1", "Incorrect Answer 2": "w2",
             "Incorrect Answer 3": "w3", "Record ID": f"rec{i}"} for i in range(400)]
    letters = Counter(gpqa.scenario(r, 20261202)["verifier"]["answer"] for r in rows)
    assert set(letters) == set("ABCD") and min(letters.values()) > 70  # 100 each expected


def test_every_fixture_scenario_grades_its_gold_near_misses_and_accepts() -> None:
    for s in fixture_pack().scenarios:
        params = {k: v for k, v in s.verifier.items() if k != "kind"}
        assert judge(params, s.gold[-1].content).passed
        assert len(s.near_misses) >= 5
        for nm in s.near_misses:
            assert not judge(params, nm.reply[-1].content).passed, (s.id, nm.why)
        for ok in s.accept:
            assert judge(params, ok.reply[-1].content).passed, (s.id, ok.why)


def test_a_dataset_unavailable_reason_never_holds_a_newline_or_the_data() -> None:
    with pytest.raises(DatasetUnavailable) as exc:
        gpqa.build({"seed": 1}, DataPaths())
    assert "\n" not in str(exc.value)
