"""From what a job produced to a ScenarioResult: the verifier's verdict (under a control,
the first probe whose verdict is not the one an honest verifier reaches, else the first
probe) or the serving error, with everything the results file records about the episode."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from .config import RunConfig
from .controls import Probe, probes
from .episode import Episode
from .lanes import Outcome
from .packs import Scenario
from .results import ScenarioResult
from .verifiers import Verdict, verify
from .verifiers.bounded import VerifierTimeout


def evaluate(cfg: RunConfig, scenario: Scenario, nodeid: str, outcome: Outcome, repeat: int = 0,
             verifier: Callable[[Scenario, Episode], Verdict] = verify) -> ScenarioResult:
    thinking = cfg.thinking_for(scenario.pack.thinking)
    if outcome.error is not None:
        err = outcome.error
        return error_result(scenario, nodeid, err.failure_mode, err.detail, err.retries, thinking, repeat)
    try:
        judged = [(label, episode, verifier(scenario, episode)) for label, episode in outcome.episodes]
    except VerifierTimeout as exc:
        return error_result(scenario, nodeid, "verifier_timeout", str(exc), sum(e.retries for _, e in outcome.episodes), thinking, repeat)
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
        source=dict(scenario.source),
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


def error_result(scenario: Scenario, nodeid: str, mode: str, detail: str, retries: int, thinking: bool,
                 repeat: int) -> ScenarioResult:
    """Not scored: the server or the verifier failed, not the model."""
    return ScenarioResult(
        pack=scenario.pack.id, pack_version=scenario.pack.version, scenario=scenario.id, nodeid=nodeid,
        outcome="error", passed=False, score=0.0, failure_mode=mode, detail=detail,
        expected="", trace=[detail], messages=[dict(m) for m in scenario.messages], response="",
        reasoning="", tool_calls=[], turns=0, latency_s=0.0, prompt_tokens=0, completion_tokens=0,
        retries=retries, finish_reason="", thinking=thinking, thought=False, repeat=repeat,
        source=dict(scenario.source),
    )
