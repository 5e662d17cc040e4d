"""Where answers come from: one lane per endpoint (a client bound to this run's sampling and
thinking settings, with its timeouts), or a control that answers without a server."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .clients.base import ChatSettings, ModelAPI
from .clients.openai import OpenAIClient
from .config import RunConfig
from .controls import probes
from .engine import Engine, Lane
from .episode import Episode, run_episode
from .errors import SandboxError, ServingError
from .messages import Reply
from .packs import Scenario
from .probe import EndpointInfo

if TYPE_CHECKING:
    from .sandbox.service import Sandboxes

DEFAULT_SLOTS = 4


@dataclass(frozen=True)
class Outcome:
    """What a job produced: labelled episodes (the model's, or one per control probe), or a serving error."""

    episodes: tuple[tuple[str, Episode], ...] = ()
    error: ServingError | None = None


def client_for(url: str, cfg: RunConfig, slots: int = DEFAULT_SLOTS) -> ModelAPI:
    """The client of an endpoint (one API today: OpenAI-compatible)."""
    return OpenAIClient(url, cfg.api_key, retries=cfg.retries, max_connections=max(8, slots * 2))


def slots_for(cfg: RunConfig, info: EndpointInfo) -> int:
    """Requests in flight on one endpoint: --modelqa-concurrency, else what the server says, else 4."""
    return cfg.concurrency or info.slots or DEFAULT_SLOTS


def chat_settings(cfg: RunConfig, model: str, thinking: bool, answer_tokens: int, repeat: int = 0,
                  thinking_tokens: int | None = None) -> ChatSettings:
    """`thinking_tokens`: the pack's default thinking budget (cfg.thinking_budget)."""
    budget = answer_tokens + (cfg.thinking_budget(thinking_tokens) if thinking else 0)
    return ChatSettings(model, cfg.sampling_fields(repeat), thinking, budget, cfg.reasoning_effort)


class EndpointLane:
    """Answers from one endpoint, with this run's sampling and thinking settings."""

    def __init__(self, info: EndpointInfo, cfg: RunConfig, slots: int, in_flight: int | None = None):
        """`slots`: the server's (the decode speed is shared by all of them); `in_flight`: the
        requests this lane may have open (its process's share of the slots)."""
        self.info, self.cfg, self.slots = info, cfg, slots
        self._settings: dict[str, ChatSettings] = {}
        self.client = client_for(info.url, cfg, slots)
        # The lane may run more episodes than the server has slots (sandboxed steps take no
        # slot): requests wait for one here, and the wait is not counted against the episode.
        self.requests = threading.Semaphore(in_flight or slots)

    def settings(self, scenario: Scenario, repeat: int = 0) -> ChatSettings:
        key = f"{scenario.key}#{repeat}"
        found = self._settings.get(key)
        if found is None:
            found = self._settings[key] = chat_settings(
                self.cfg, self.info.model, self.cfg.thinking_for(scenario.pack.thinking), scenario.max_tokens, repeat,
                scenario.pack.thinking_tokens)
        return found

    def request_timeout(self, max_tokens: int, fallback_s: float) -> float:
        return request_timeout(self.cfg, self.info, self.slots, max_tokens, fallback_s)

    def episode(self, scenario: Scenario, repeat: int = 0, sandboxes: "Sandboxes | None" = None) -> Episode:
        """Run the scenario's episode within its ceiling (per request x steps); a sandboxed
        one in a fresh sandbox, its commands bounded by what is left of the same ceiling."""
        per_request = self.request_timeout(self.settings(scenario).max_tokens, scenario.pack.case_seconds)
        limit = per_request * scenario.max_steps
        deadline = [time.monotonic() + limit]

        def request(messages: Sequence[dict[str, Any]], tools: Any, settings: ChatSettings) -> Reply:
            waited = time.monotonic()
            with self.requests:
                deadline[0] += time.monotonic() - waited
                remaining = deadline[0] - time.monotonic()
                if remaining <= 0:
                    raise ServingError("timeout", f"episode took longer than {limit:.0f}s")
                reply = self.client.chat(messages, tools, settings, min(per_request, remaining))
            size = len(reply.content) + len(reply.reasoning) + sum(len(c.raw_arguments) for c in reply.tool_calls)
            if size > max_reply_chars(settings.max_tokens):
                raise ServingError("server_error", f"a reply of {size:,} characters cannot come from a budget of "
                                                   f"{settings.max_tokens} tokens: refused unverified")
            return reply

        def respond(sc: Scenario, messages: Sequence[dict[str, Any]], turn: int) -> Reply:
            return request(messages, sc.tools, self.settings(sc, repeat))

        if not scenario.pack.sandbox:
            return run_episode(scenario, respond)
        assert sandboxes is not None, "a sandboxed scenario was dispatched without sandboxes"
        from .sandboxed import run_sandboxed
        sub = replace(self.settings(scenario, repeat), max_tokens=scenario.pack.delegate_tokens)

        def delegate(task: str) -> str:
            return request([{"role": "user", "content": task}], (), sub).content

        return run_sandboxed(scenario, respond, sandboxes, delegate, deadline[0])


def max_reply_chars(max_tokens: int) -> int:
    """More than any tokenizer puts into `max_tokens` tokens (a token is rarely over 16
    characters): longer replies are a broken server, and the verifiers' time stays bounded."""
    return max(65_536, 32 * max_tokens)


MIN_TPS = 1.0  # a probe that measured less is not believed (it would make the ceiling endless)
MAX_REQUEST_S = 1800.0


def request_timeout(cfg: RunConfig, info: EndpointInfo, slots: int, max_tokens: int, fallback_s: float) -> float:
    """A ceiling, not a target: 3x the time the token budget takes at the measured decode
    speed shared by all slots, plus room for prompt processing; never above MAX_REQUEST_S
    unless --modelqa-case-timeout says so."""
    if cfg.case_timeout:
        return cfg.case_timeout
    if not info.decode_tps:
        return fallback_s
    tps = max(info.decode_tps, MIN_TPS)
    return min(20.0 + 3.0 * max_tokens * max(1, slots) / tps, MAX_REQUEST_S)


def build_engine(cfg: RunConfig, endpoints: Sequence[EndpointInfo], share: int = 1,
                 sandboxed: int = 0) -> Engine[Outcome]:
    """`share`: how many processes (xdist workers) split each endpoint's slots; `sandboxed`:
    how many sandboxed episodes may run at once (the pool's size; 0 when none are selected).
    Episodes run up to the larger of the two per lane; model requests still only up to slots."""
    if cfg.control:
        return Engine([Lane(cfg.control, max(DEFAULT_SLOTS, sandboxed))])
    lanes = []
    for info in endpoints:
        slots = slots_for(cfg, info)
        mine = max(1, math.ceil(slots / share))
        lane = EndpointLane(info, cfg, slots, mine)
        lanes.append(Lane(info.url, max(mine, sandboxed), lane, lane.client.close))
    return Engine(lanes)


def job(cfg: RunConfig, scenario: Scenario, repeat: int, sandboxes: "Sandboxes | None" = None) -> Callable[[Lane], Outcome]:
    """The work of one scenario item on whichever lane picks it up."""
    control = cfg.control

    def run(lane: Lane) -> Outcome:
        try:
            if control:
                return Outcome(tuple((p.label, control_episode(scenario, p.respond, sandboxes))
                                     for p in probes(control, scenario)))
            return Outcome((("model", lane.state.episode(scenario, repeat, sandboxes)),))
        except ServingError as exc:
            return Outcome(error=exc)
        except SandboxError as exc:
            return Outcome(error=ServingError("sandbox_error", str(exc)))
        except Exception as exc:  # noqa: BLE001 - whatever a reply did, the scenario is reported, not lost
            return Outcome(error=ServingError("server_error", f"could not process the reply: "
                                                              f"{type(exc).__name__}: {str(exc)[:200]}"))
    return run


def control_episode(scenario: Scenario, respond: Callable[..., Reply], sandboxes: "Sandboxes | None") -> Episode:
    """A control probe's episode: through a fresh sandbox too where the pack has one, so the
    gold's commands really run and their results really feed back."""
    if not scenario.pack.sandbox:
        return run_episode(scenario, respond)
    assert sandboxes is not None, "a sandboxed scenario was dispatched without sandboxes"
    from .sandboxed import control_delegate, run_sandboxed
    deadline = time.monotonic() + scenario.pack.case_seconds * scenario.max_steps
    return run_sandboxed(scenario, respond, sandboxes, control_delegate(scenario), deadline)
