"""From what a job produced to a ScenarioResult: the verifier's verdict (under the junk
control, the worst of every junk variant) or the serving error, with everything the
results file records about the episode."""

from __future__ import annotations

from .config import RunConfig
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


def error_result(scenario: Scenario, nodeid: str, error: ServingError, thinking: bool, repeat: int) -> ScenarioResult:
    return ScenarioResult(
        pack=scenario.pack.id, pack_version=scenario.pack.version, scenario=scenario.id, nodeid=nodeid,
        outcome="error", passed=False, score=0.0, failure_mode=error.failure_mode, detail=error.detail,
        expected="", trace=[error.detail], messages=[dict(m) for m in scenario.messages], response="",
        reasoning="", tool_calls=[], turns=0, latency_s=0.0, prompt_tokens=0, completion_tokens=0,
        retries=error.retries, finish_reason="", thinking=thinking, thought=False, repeat=repeat,
    )
