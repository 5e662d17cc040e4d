"""Near misses and accepted alternatives: how packs declare them, how the controls run them,
and the rule every shipped pack meets (each near miss fails, each accept passes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.config import RunConfig
from pytest_modelqa.controls import probes
from pytest_modelqa.episode import run_episode
from pytest_modelqa.errors import PackError
from pytest_modelqa.lanes import job
from pytest_modelqa.names import shipped_packs_dir
from pytest_modelqa.packs import MIN_NEAR_MISSES, Scenario, discover
from pytest_modelqa.verdicts import evaluate
from pytest_modelqa.verifiers import verify

SHIPPED = [load_checked(p) for p in discover([shipped_packs_dir()])]
# Sandboxed packs' probes run in real sandboxes: tests/plugin/test_plugin.py (the controls).
SCENARIOS = {s.key: s for pack in SHIPPED if not pack.meta.sandbox for s in pack.scenarios}
TOOLS = [{"name": "get_weather", "description": "Current weather.",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]
GOLD = [{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}, {"content": "It is 3 °C in Oslo."}]


def near(why: str, final: str) -> dict:
    return {"why": why, "reply": [GOLD[0], {"content": final}]}


NEAR = [near("a temperature the tool never returned", "It is 5 °C in Oslo."),
        near("minus sign dropped", "It is 30 °C in Oslo."),
        {"why": "no call: invented", "reply": "It is 3 °C in Oslo."},
        {"why": "another city", "reply": [{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Bergen"}}]},
                                          {"content": "It is 3 °C in Oslo."}]},
        near("no number at all", "It is cold in Oslo.")]


def write_pack(tmp_path: Path, **scenario) -> Path:
    body = {"pack": {"id": "Tiny-1", "version": "1.0.0", "title": "t", "dimension": "d", "modes": ["quick"],
                     "thinking": False, "max_tokens": 64, "case_seconds": 5},
            "tools": TOOLS,
            "scenarios": [{"id": "T-01", "messages": [{"role": "user", "content": "Weather in Oslo?"}],
                           "tools": ["get_weather"],
                           "tool_results": [{"tool": "get_weather", "when": {"city": "Oslo"},
                                             "result": {"city": "Oslo", "temperature": 3}}],
                           "verifier": {"kind": "tool_calls", "expected": [[{"name": "get_weather",
                                                                              "args": {"city": "Oslo"}}]],
                                        "final": {"must_include": ["3"]}},
                           "gold": GOLD, "near_misses": NEAR, **scenario}]}
    path = tmp_path / "tiny.yaml"
    path.write_text(json.dumps(body), encoding="utf-8")  # JSON is YAML
    return path


def tiny(tmp_path: Path, **scenario) -> Scenario:
    return load_checked(write_pack(tmp_path, **scenario)).scenarios[0]


# -- the rule over every shipped pack ----------------------------------------------------------

@pytest.mark.parametrize("key", list(SCENARIOS))
def test_every_near_miss_fails_and_every_accept_passes(key):
    s = SCENARIOS[key]  # the loader has already required MIN_NEAR_MISSES of them
    wrong = []
    for probe in probes("near-miss", s):
        verdict = verify(s, run_episode(s, probe.respond))
        if verdict.passed != probe.must_pass:
            wrong.append(f"{probe.label} ({probe.why}): {'passed' if verdict.passed else verdict.detail}")
    assert not wrong, wrong


# -- the pack format ---------------------------------------------------------------------------

def test_near_misses_and_accepts_parse_like_gold(tmp_path):
    s = tiny(tmp_path, accept=[{"why": "other wording", "reply": [GOLD[0], {"content": "Oslo: 3 degrees."}]}])
    assert [v.why for v in s.near_misses] == [n["why"] for n in NEAR]
    first = s.near_misses[0].reply
    assert first[0].tool_calls[0].name == "get_weather" and first[0].tool_calls[0].arguments == {"city": "Oslo"}
    assert first[-1].content == "It is 5 °C in Oslo." and not first[-1].tool_calls
    plain = s.near_misses[2].reply  # a plain string is one final-answer turn
    assert len(plain) == 1 and plain[0].content == "It is 3 °C in Oslo." and not plain[0].tool_calls
    assert s.accept[0].reply[-1].content == "Oslo: 3 degrees."


@pytest.mark.parametrize("given", [0, 4])
def test_fewer_than_five_near_misses_is_a_one_line_pack_error(tmp_path, given):
    with pytest.raises(PackError) as exc:
        tiny(tmp_path, near_misses=NEAR[:given])
    message = str(exc.value)
    assert "T-01" in message and f"{given} given" in message and f"at least {MIN_NEAR_MISSES}" in message
    assert "\n" not in message


@pytest.mark.parametrize("reply, message", [
    ([{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}], "last turn must be a final answer"),
    ([{"content": "thinking..."}, {"content": "It is 3 °C."}], "turn 1 has no tool calls"),
    ([{"tool_calls": [{"name": "delete_file", "arguments": {}}]}, {"content": "x"}], "does not offer: delete_file"),
    (GOLD, "near_misses[6] (the sixth): the same answer as the gold"),
    ("It is 3 °C in Oslo.", "near_misses[6] (the sixth): the same answer as near_misses[3]"),
])
def test_bad_near_miss_is_a_pack_error_naming_it(tmp_path, reply, message):
    with pytest.raises(PackError, match="T-01") as exc:
        tiny(tmp_path, near_misses=NEAR + [{"why": "the sixth", "reply": reply}])
    assert message in str(exc.value)


def test_an_accept_that_copies_a_near_miss_contradicts_it(tmp_path):
    with pytest.raises(PackError, match=r"accept\[1\] \(x\): the same answer as near_misses\[1\]"):
        tiny(tmp_path, accept=[{"why": "x", "reply": NEAR[0]["reply"]}])


def test_a_variant_longer_than_the_step_budget_is_refused(tmp_path):
    calls = {"tool_calls": GOLD[0]["tool_calls"]}
    with pytest.raises(PackError, match=r"max_steps 2 is shorter than the near_misses\[6\]"):
        tiny(tmp_path, max_steps=2, near_misses=NEAR + [{"why": "loops", "reply": [calls, calls, GOLD[1]]}])


@pytest.mark.parametrize("why", ["", "two\nlines"])
def test_why_is_one_line(tmp_path, why):
    with pytest.raises(PackError, match="why"):
        tiny(tmp_path, near_misses=NEAR[:4] + [{"why": why, "reply": "Cold."}])


# -- the control, through the real job and verdict path ------------------------------------------

def control_result(scenario: Scenario, control: str):
    cfg = RunConfig(control=control)
    return evaluate(cfg, scenario, "tiny.yaml::T-01", job(cfg, scenario, 0)(None))


def test_near_miss_control_passes_an_honest_verifier(tmp_path):
    s = tiny(tmp_path, accept=[{"why": "other wording", "reply": [GOLD[0], {"content": "Oslo: 3 degrees."}]}])
    r = control_result(s, "near-miss")
    assert r.outcome == "passed", r.detail
    assert [(v["variant"], v["expect"], v["passed"]) for v in r.control_variants] == \
        [(f"near-miss {n}", "fail", False) for n in range(1, 6)] + [("accept 1", "pass", True)]
    assert r.control_variants[0]["why"] == NEAR[0]["why"] and r.control_variants[0]["failure_mode"] == "wrong_answer"


def test_an_accepted_near_miss_fails_the_item_and_is_named(tmp_path):
    lenient = near("snow the tool never mentioned", "It is 3 °C and snowing in Oslo.")  # no check reads it
    s = tiny(tmp_path, near_misses=NEAR + [lenient])
    r = control_result(s, "near-miss")
    assert r.outcome == "failed" and r.passed  # the shown episode is the near miss the verifier passed
    assert r.detail == f"near misses accepted: near-miss 6 ({lenient['why']})"
    assert r.response == "It is 3 °C and snowing in Oslo."


def test_a_rejected_accept_fails_the_item_and_is_named(tmp_path):
    s = tiny(tmp_path, accept=[{"why": "spelled out", "reply": [GOLD[0], {"content": "Three degrees in Oslo."}]}])
    for control in ("near-miss", "oracle"):
        r = control_result(s, control)
        assert r.outcome == "failed" and not r.passed, control
        assert r.detail.startswith("right answers rejected: accept 1 (spelled out): wrong_answer: "), r.detail


def test_oracle_runs_the_gold_then_the_accepts(tmp_path):
    s = tiny(tmp_path, accept=[{"why": "other wording", "reply": [GOLD[0], {"content": "Oslo: 3 degrees."}]}])
    assert [p.label for p in probes("oracle", s)] == ["oracle", "accept 1"]
    r = control_result(s, "oracle")
    assert r.outcome == "passed" and [v["variant"] for v in r.control_variants] == ["oracle", "accept 1"]
