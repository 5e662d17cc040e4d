"""Hostile and broken servers (loopback fakes): every reply is classified, every run ends with
its report and JSON, within its ceilings."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import SELFTEST_PACKS, wait_until
from tests.hostile import Answer, Hostile, completion


@pytest.fixture
def hostile():
    started: list[Hostile] = []

    def start(chat, **kw) -> Hostile:
        started.append(Hostile(chat, **kw))
        return started[-1]

    yield start
    for h in started:
        h.stop()


def run(pytester: pytest.Pytester, url: str, *extra: str) -> tuple[pytest.RunResult, dict]:
    out = pytester.path / "out.json"
    result = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4",
                                f"--model-endpoint={url}", f"--modelqa-json={out}", "--modelqa-retries", "1", *extra)
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    return result, json.loads(out.read_text())


def test_a_lone_surrogate_is_text_not_a_crash(pytester, hostile) -> None:
    h = hostile(lambda body: Answer(b'{"choices": [{"message": {"content": "Tokyo \\ud800"}, "finish_reason": "stop"}]}'))
    result, doc = run(pytester, h.url)
    assert len(doc["scenarios"]) == 4 and all(s["outcome"] in ("passed", "failed") for s in doc["scenarios"])
    assert all(s["response"] == "Tokyo \ufffd" for s in doc["scenarios"])
    journal = next((pytester.path / "results" / "modelqa-state").glob("2*.jsonl")).read_text(encoding="utf-8")
    assert journal.count('"event":"finished"') == 4
    assert not list(pytester.path.rglob("*.tmp"))


MALFORMED = {
    "string message": completion("just a string"),
    "string tool_calls": completion({"content": "", "tool_calls": "get_weather(Lisbon)"}),
    "non-numeric usage": completion({"content": "Tokyo"}, usage={"prompt_tokens": "many", "completion_tokens": 3}),
    "numeric content": completion({"content": 42}),
    "nested 200,000 deep": Answer(b'{"choices": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"),
    "choices not a list": Answer(b'{"choices": {"message": {"content": "x"}}}'),
    "arguments a number": completion({"content": "", "tool_calls": [{"function": {"name": "f", "arguments": 7}}]}),
    "not JSON at all": Answer(b"<html>502 Bad Gateway</html>"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_completions_are_serving_errors_and_the_report_is_complete(pytester, hostile, case) -> None:
    h = hostile(lambda body: MALFORMED[case])
    result, doc = run(pytester, h.url)
    assert [s["outcome"] for s in doc["scenarios"]] == ["error"] * 4
    assert {s["failure_mode"] for s in doc["scenarios"]} == {"server_error"}
    assert "Serving errors (not quality failures):" in result.stdout.str() and "| SelfTest-4 | 0/4 |" in result.stdout.str()
    result.assert_outcomes(errors=4)


def test_a_dripped_body_hits_the_wall_clock_ceiling(pytester, hostile) -> None:
    body = json.dumps({"choices": [{"message": {"content": "Tokyo " * 40}, "finish_reason": "stop"}]}).encode()
    h = hostile(lambda _: Answer(body, drip_s=0.05, drip_bytes=1))  # ~15 s for the whole body
    start = time.monotonic()
    result, doc = run(pytester, h.url, "--modelqa-case-timeout", "2")
    assert time.monotonic() - start < 30  # 4 scenarios x (2 s + one retry) at most, in parallel
    assert {s["failure_mode"] for s in doc["scenarios"]} == {"timeout"}


def test_a_decompression_bomb_is_refused_at_the_size_cap(pytester, hostile) -> None:
    bomb = gzip.compress(b'{"choices": [{"message": {"content": "' + b"A" * (20 * 2**20) + b'"}}]}')
    assert len(bomb) < 100_000
    h = hostile(lambda _: Answer(bomb, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}))
    result, doc = run(pytester, h.url)
    assert {s["failure_mode"] for s in doc["scenarios"]} == {"server_error"}
    assert all("over 8 MiB" in s["detail"] for s in doc["scenarios"])


@pytest.mark.parametrize("slots", [100000, "four", -1, True])
def test_props_are_not_trusted(pytester, hostile, slots) -> None:
    h = hostile(lambda _: completion({"content": "Tokyo"}),
                props={"total_slots": slots, "build_info": {"x": 1}, "chat_template": 5,
                       "default_generation_settings": "none"})
    result, doc = run(pytester, h.url)
    assert len(doc["scenarios"]) == 4
    endpoint = doc["endpoints"][0]
    assert endpoint["slots"] is None and endpoint["build"] is None and endpoint["template_sha256"] is None
    assert "slots 4 (assumed: the server did not say)" in result.stdout.str()


def test_a_near_zero_decode_speed_does_not_make_the_ceiling_endless() -> None:
    from pytest_modelqa.config import RunConfig
    from pytest_modelqa.lanes import MAX_REQUEST_S, request_timeout
    from pytest_modelqa.probe import EndpointInfo
    slow = EndpointInfo(url="http://127.0.0.1:1", model="m", decode_tps=1e-6)
    assert request_timeout(RunConfig(), slow, 4, 4096, 60.0) == MAX_REQUEST_S
    assert request_timeout(RunConfig(case_timeout=10.0), slow, 4, 4096, 60.0) == 10.0


def test_serving_errors_are_short_and_not_scored_in_the_quality_line(pytester, hostile) -> None:
    h = hostile(lambda _: Answer(b'{"error": "overloaded"}', status=503))
    result, doc = run(pytester, h.url)
    out = result.stdout.str()
    assert "Quality: SelfTest-4 not scored (4 serving errors)" in out
    assert "serving error (not a quality failure): server_error: HTTP 503" in out
    assert "_pytest" not in out and len(out) < 20_000  # no pytest frames per error


def test_a_model_name_given_needs_no_model_list(pytester, hostile) -> None:
    h = hostile(lambda _: completion({"content": "Tokyo"}), models="not a list")
    refused = pytester.runpytest("-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}", "-m", "selftest_4",
                                 f"--model-endpoint={h.url}")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR and "did not return a model list" in refused.stderr.str()
    result, doc = run(pytester, h.url, "--modelqa-model", "mine")
    assert doc["endpoints"][0]["model"] == "mine" and len(doc["scenarios"]) == 4


def test_a_huge_trace_is_cut_on_the_terminal_and_kept_in_the_json(pytester, hostile) -> None:
    calls = [{"id": f"c{i}", "function": {"name": "get_weather", "arguments": '{"city": "X"}'}} for i in range(3000)]
    h = hostile(lambda _: completion({"content": "", "tool_calls": calls}))
    result, doc = run(pytester, h.url, "-k", "ST-01")
    assert "more lines (the JSON results hold them all)" in result.stdout.str()
    assert len(doc["scenarios"][0]["trace"]) > 40


def test_a_reply_longer_than_its_budget_is_refused_before_any_verifier_sees_it(pytester, hostile) -> None:
    h = hostile(lambda _: completion({"content": "ANSWER: 42 " * 200_000}))  # 2.2 MB: under the body cap
    start = time.monotonic()
    result, doc = run(pytester, h.url)
    assert time.monotonic() - start < 30
    assert {s["failure_mode"] for s in doc["scenarios"]} == {"server_error"}
    assert all("cannot come from a budget of" in s["detail"] for s in doc["scenarios"])


def test_ctrl_c_with_hung_requests_ends_at_once_and_keeps_what_finished(tmp_path, hostile) -> None:
    """Two of the four scenarios are answered, two hang; Ctrl-C: the run ends within seconds
    with the JSON of the two that finished, marked interrupted (whichever items they belong to:
    answers that arrived ahead of their items are scored too)."""
    release, lock, seen = threading.Event(), threading.Lock(), []

    def chat(body: dict) -> Answer:
        with lock:
            seen.append(body)
            hang = len(seen) > 2
        if hang:
            release.wait(120)
        return completion({"content": "Tokyo"})

    h = hostile(chat)
    out = tmp_path / "out.json"
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--modelqa-packs-dir={SELFTEST_PACKS}",
                             "-m", "selftest_4", f"--model-endpoint={h.url}", f"--modelqa-json={out}"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: len(seen) == 4, timeout=60)
        time.sleep(1.0)  # the two answers reach the plugin
        os.kill(proc.pid, signal.SIGINT)
        stdout, _ = proc.communicate(timeout=15)  # a hung request does not hold up the end
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, stdout[-3000:]
    assert "INTERNALERROR" not in stdout
    doc = json.loads(out.read_text())
    assert [s["response"] for s in doc["scenarios"]] == ["Tokyo", "Tokyo"]
    assert doc["selection"]["interrupted"] is True and doc["selection"]["partial"] is True
    assert "PARTIAL: interrupted" in doc["quality"] and doc["quality"] in stdout
    journal = next((tmp_path / "results" / "modelqa-state").glob("2*.jsonl")).read_text(encoding="utf-8")
    assert journal.count('"event":"finished"') == 2


def test_the_quick_packs_against_a_server_mixing_every_fault_end_with_a_complete_report(pytester, hostile) -> None:
    """Each request gets one fault, in turn: malformed bodies, a drip, a hang, 5xx, a bomb, an
    over-long reply, a lone surrogate, or a plain answer. Ceiling: each request 2 s (+1 retry),
    the whole run well under its 180 s bound; every scenario classified, the report written."""
    bomb = gzip.compress(b'{"choices": [{"message": {"content": "' + b"A" * (20 * 2**20) + b'"}}]}')
    faults = [*MALFORMED.values(),
              Answer(json.dumps({"choices": [{"message": {"content": "x" * 300}}]}).encode(), drip_s=0.05),
              Answer(b'{"error": "overloaded"}', status=503),
              Answer(bomb, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}),
              completion({"content": "ANSWER: 42 " * 200_000}),
              Answer(b'{"choices": [{"message": {"content": "Done \\ud800"}, "finish_reason": "stop"}]}'),
              completion({"content": "I could not find that."}),
              None]  # hang
    release, lock, count = threading.Event(), threading.Lock(), [0]

    def chat(body: dict) -> Answer:
        with lock:
            fault = faults[count[0] % len(faults)]
            count[0] += 1
        if fault is None:
            release.wait(60)
            return completion({"content": "late"})
        return fault

    h = hostile(chat)
    out = pytester.path / "out.json"
    start = time.monotonic()
    try:
        result = pytester.runpytest("-p", "no:cacheprovider", "-m", "quick", f"--model-endpoint={h.url}",
                                    f"--modelqa-json={out}", "--modelqa-case-timeout", "2", "--modelqa-retries", "1")
    finally:
        release.set()
    took = time.monotonic() - start
    text = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in text and "Traceback" not in text
    assert took < 180, took
    doc = json.loads(out.read_text())
    assert len(doc["scenarios"]) == 30 and {p["pack"] for p in doc["packs"]} == {"ToolCall-15", "InstructFollow-15"}
    outcomes = {s["outcome"] for s in doc["scenarios"]}
    assert "error" in outcomes and outcomes <= {"passed", "failed", "error"}
    assert all(s["failure_mode"] is not None for s in doc["scenarios"] if s["outcome"] != "passed")
    assert doc["quality"] in result.stdout.str() and "| ToolCall-15 |" in result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
