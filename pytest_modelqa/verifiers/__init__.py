"""Verifier registry. A verifier kind is a function (params, scenario, episode) -> Verdict.

Each kind declares a JSON Schema for its parameters, checked when the pack loads, so a bad
verifier spec is a collection error rather than a failure at run time; and what it needs
beyond the episode (`needs`: e.g. "sandbox" to execute code, "judge" for an LLM judge), so
a run that lacks it skips the scenario with the reason instead of scoring it. A kind that
needs nothing is pure: the same episode always gets the same verdict (`modelqa rescore`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from jsonschema import Draft202012Validator

if TYPE_CHECKING:
    from ..episode import Episode
    from ..packs import Scenario
    from ..sandbox.base import Sandbox

FAILURE_MODES = (
    "verifier_fail", "wrong_answer", "invalid_json", "schema_violation", "no_answer_found",
    "token_limit", "timeout", "agent_loop_exhausted", "sandbox_error", "server_error",
    "http_error", "model_endpoint_unreachable", "dataset_unavailable", "verifier_timeout",
    "invalid_patch",
)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    score: float
    failure_mode: str | None = None
    detail: str = ""  # one line: why it failed
    trace: tuple[str, ...] = field(default_factory=tuple)  # every check made, in order
    expected: str = ""  # what a right answer looks like, for failure displays

    @classmethod
    def ok(cls, trace: list[str], score: float = 1.0) -> "Verdict":
        return cls(True, score, None, "", tuple(trace))

    @classmethod
    def fail(cls, mode: str, detail: str, trace: list[str] | None = None, score: float = 0.0,
             expected: str = "") -> "Verdict":
        assert mode in FAILURE_MODES, mode
        return cls(False, score, mode, detail, tuple(trace or [detail]), expected)


VerifyFn = Callable[[Mapping[str, Any], "Scenario", "Episode"], Verdict]
CheckFn = Callable[[Mapping[str, Any], "Scenario"], str | None]
# A sandboxed kind's look at the sandbox after the episode (tests run, state read), done on
# the engine's thread while the sandbox exists; what it returns becomes `episode.evidence`.
GatherFn = Callable[[Mapping[str, Any], "Scenario", "Episode", "Sandbox"], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    name: str
    verify: VerifyFn
    params: Draft202012Validator
    check: CheckFn | None  # meaning checks beyond the schema (e.g. tool names exist)
    needs: frozenset[str] = frozenset()  # capabilities beyond the episode: "sandbox", "judge"
    gather: GatherFn | None = None  # a "sandbox" kind's evidence gathering


REGISTRY: dict[str, Kind] = {}
CAPABILITIES = ("sandbox", "judge")


def register(name: str, params_schema: Mapping[str, Any], check: CheckFn | None = None,
             needs: tuple[str, ...] = (), gather: GatherFn | None = None):
    unknown = set(needs) - set(CAPABILITIES)
    assert not unknown, f"unknown capabilities {unknown}"
    assert (gather is not None) == ("sandbox" in needs), "a sandbox kind gathers its evidence; no other does"

    def wrap(fn: VerifyFn) -> VerifyFn:
        schema = {"type": "object", **params_schema}
        schema.setdefault("properties", {})["kind"] = {"const": name}
        REGISTRY[name] = Kind(name, fn, Draft202012Validator(schema), check, frozenset(needs), gather)
        return fn
    return wrap


def needs(scenario: "Scenario") -> frozenset[str]:
    """What the scenario's verifier needs beyond the episode."""
    return REGISTRY[scenario.verifier["kind"]].needs


def gather(scenario: "Scenario", episode: "Episode", sandbox: "Sandbox") -> dict[str, Any]:
    """What the scenario's sandbox shows after the episode, for its verifier ({} for a pure kind)."""
    kind = REGISTRY[scenario.verifier["kind"]]
    return kind.gather(scenario.verifier, scenario, episode, sandbox) if kind.gather else {}


def check_params(scenario: "Scenario") -> str | None:
    """Problem with a scenario's verifier spec, or None."""
    spec = scenario.verifier
    kind = REGISTRY.get(spec["kind"])
    if kind is None:
        return f"unknown kind {spec['kind']!r} (known: {', '.join(sorted(REGISTRY))})"
    err = next(iter(sorted(kind.params.iter_errors(dict(spec)), key=lambda e: list(e.path))), None)
    if err is not None:
        at = ".".join(str(p) for p in err.absolute_path)
        return f"{at + ': ' if at else ''}{err.message}"
    if "sandbox" in kind.needs and not scenario.pack.sandbox:
        return f"kind {kind.name} runs in a sandbox: the pack must name its sandbox image"
    return kind.check(spec, scenario) if kind.check else None


def verify(scenario: "Scenario", episode: "Episode") -> Verdict:
    """Run the scenario's verifier, then name the cause where the episode explains a failure."""
    verdict = REGISTRY[scenario.verifier["kind"]].verify(scenario.verifier, scenario, episode)
    if verdict.passed:
        return verdict
    if episode.exhausted:
        mode, why = "agent_loop_exhausted", f"still calling tools after {scenario.max_steps} steps"
    elif episode.final.finish_reason == "length":
        # the tokens the server counted (thinking included) say which budget ran out
        spent = episode.final.completion_tokens
        mode, why = "token_limit", (f"output hit the token limit ({spent} tokens generated)" if spent
                                    else f"output hit the token limit (answer budget {scenario.max_tokens})")
    else:
        return verdict
    return Verdict(False, verdict.score, mode, f"{why}; {verdict.detail}",
                   verdict.trace + (why,), verdict.expected)


def _load_kinds() -> None:
    """Import every module of this package: kinds register themselves on import, so adding a
    kind is adding a module (helper modules such as `matching` register nothing)."""
    import importlib
    import pkgutil
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_load_kinds()
