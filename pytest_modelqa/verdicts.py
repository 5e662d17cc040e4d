"""From what a job produced to a ScenarioResult: the verifier's verdict (under the junk
control, the worst of every junk variant) or the serving error, with everything the
results file records about the episode."""

from __future__ import annotations

from typing import Callable

from .config import RunConfig
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
    if cfg.control == "junk":
        # The worst case counts: any junk answer that passes is a verifier bug.
        accepted = [j for j in judged if j[2].passed]
        label, episode, verdict = (accepted or judged)[0]
        ok = not accepted
        if accepted:
            verdict = Verdict(True, verdict.score, None,
                              f"junk answers accepted: {', '.join(j[0] for j in accepted)}", verdict.trace)
    else:
        label, episode, verdict = judged[0]
        ok = verdict.passed
    variants = [{"variant": lab, "passed": v.passed, "failure_mode": v.failure_mode}
                for lab, _, v in judged] if cfg.control else []
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


def error_result(scenario: Scenario, nodeid: str, mode: str, detail: str, retries: int, thinking: bool,
                 repeat: int) -> ScenarioResult:
    """Not scored: the server or the verifier failed, not the model."""
    return ScenarioResult(
        pack=scenario.pack.id, pack_version=scenario.pack.version, scenario=scenario.id, nodeid=nodeid,
        outcome="error", passed=False, score=0.0, failure_mode=mode, detail=detail,
        expected="", trace=[detail], messages=[dict(m) for m in scenario.messages], response="",
        reasoning="", tool_calls=[], turns=0, latency_s=0.0, prompt_tokens=0, completion_tokens=0,
        retries=retries, finish_reason="", thinking=thinking, thought=False, repeat=repeat,
    )
