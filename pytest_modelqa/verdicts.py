"""From what a job produced to a ScenarioResult: the verifier's verdict (under a control,
the first probe whose verdict is not the one an honest verifier reaches, else the first
probe) or the serving error, with everything the results file records about the episode."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from .config import RunConfig
from .controls import Probe, probes
from .episode import Episode
from .errors import ServingError
from .lanes import Outcome
from .packs import Scenario
from .results import ScenarioResult
from .verifiers import Verdict, verify


def evaluate(cfg: RunConfig, scenario: Scenario, nodeid: str, outcome: Outcome, repeat: int = 0) -> ScenarioResult:
    thinking = cfg.thinking_for(scenario.pack.thinking)
    if outcome.error is not None:
        return error_result(scenario, nodeid, outcome.error, thinking, repeat)
    judged = [(label, episode, verify(scenario, episode)) for label, episode in outcome.episodes]
    if not judged:  # TEMPORARY until the loader requires near misses: a scenario without any
        return error_result(scenario, nodeid, ServingError("verifier_fail", "the scenario has no near_misses"),
                            thinking, repeat)
    if cfg.control:
        expect = {p.label: p for p in probes(cfg.control, scenario)}
        broken = [j for j in judged if j[2].passed != expect[j[0]].must_pass]
        _, episode, verdict = (broken or judged)[0]
        ok = not broken
        if broken:
            verdict = replace(verdict, detail=violation(cfg.control, broken, expect))
        variants = [{"variant": lab, "expect": "pass" if expect[lab].must_pass else "fail", "passed": v.passed,
                     "failure_mode": v.failure_mode, **({"why": expect[lab].why} if expect[lab].why else {})}
                    for lab, _, v in judged]
    else:
        _, episode, verdict = judged[0]
        ok, variants = verdict.passed, []
    return ScenarioResult(
        pack=scenario.pack.id, pack_version=scenario.pack.version, scenario=scenario.id, nodeid=nodeid,
        outcome="passed" if ok else "failed", passed=verdict.passed, score=round(verdict.score, 4),
        failure_mode=verdict.failure_mode, detail=verdict.detail, expected=verdict.expected,
        trace=list(verdict.trace), messages=[dict(m) for m in episode.transcript],
        response=episode.final.content, reasoning="\n".join(t.reasoning for t in episode.turns if t.reasoning),
        tool_calls=[c.to_json() for c in episode.calls], turns=len(episode.turns),
        latency_s=round(episode.latency_s, 4),
        prompt_tokens=sum(t.prompt_tokens for t in episode.turns),
        completion_tokens=sum(t.completion_tokens for t in episode.turns),
        retries=episode.retries, finish_reason=episode.final.finish_reason, thinking=thinking,
        thought=episode.thought, repeat=repeat, control=cfg.control, control_variants=variants,
    )


def violation(control: str, broken: Sequence[tuple[str, Episode, Verdict]], expect: dict[str, Probe]) -> str:
    """One line naming every probe the verifier judged wrongly (why a control item fails)."""
    lenient = [lab for lab, _, v in broken if v.passed]
    strict = [(lab, v) for lab, _, v in broken if not v.passed]
    parts = []
    if lenient:
        what = "junk answers" if control == "junk" else "near misses"
        parts.append(f"{what} accepted: " + ", ".join(
            f"{lab} ({expect[lab].why})" if expect[lab].why else lab for lab in lenient))
    if control == "oracle" and strict and strict[0][0] == "oracle":
        parts.append(strict.pop(0)[1].detail)  # the gold itself: the verifier's own words
    if strict:
        parts.append("right answers rejected: " + ", ".join(
            f"{lab} ({expect[lab].why}): {v.failure_mode}: {v.detail}" for lab, v in strict))
    return "; ".join(parts)


def error_result(scenario: Scenario, nodeid: str, error: ServingError, thinking: bool, repeat: int) -> ScenarioResult:
    return ScenarioResult(
        pack=scenario.pack.id, pack_version=scenario.pack.version, scenario=scenario.id, nodeid=nodeid,
        outcome="error", passed=False, score=0.0, failure_mode=error.failure_mode, detail=error.detail,
        expected="", trace=[error.detail], messages=[dict(m) for m in scenario.messages], response="",
        reasoning="", tool_calls=[], turns=0, latency_s=0.0, prompt_tokens=0, completion_tokens=0,
        retries=error.retries, finish_reason="", thinking=thinking, thought=False, repeat=repeat,
    )
