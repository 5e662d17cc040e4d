"""One evaluation run: packs, lanes and engine, jobs per scenario, verdicts into results.

The pytest hooks (plugin.py) call into this; nothing here imports pytest, so it can be
tested and reused (the CLI, benchmarks) without a pytest session."""

from __future__ import annotations

import atexit
import math
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .clients.openai import ChatSettings, OpenAIClient, ServingError
from .config import RunConfig
from .controls import JUNK, junk_applies, junk_responder, oracle_respond
from .engine import Engine, Lane
from .episode import Episode, run_episode
from .messages import Reply
from .packs import Pack, PackError, Scenario, discover, load_pack, shipped_packs_dir
from .probe import EndpointInfo, probe
from .results import ScenarioResult
from .servers import ManagedServer, embedded_command
from .verifiers import Verdict, verify

DEFAULT_SLOTS = 4


@dataclass(frozen=True)
class Outcome:
    """What a job produced: labelled episodes (one, or one per junk variant), or a serving error."""

    episodes: tuple[tuple[str, Episode], ...] = ()
    error: ServingError | None = None


class EndpointLane:
    """Answers from one endpoint, with this run's sampling and thinking settings."""

    def __init__(self, info: EndpointInfo, cfg: RunConfig, slots: int):
        self.info, self.cfg, self.slots = info, cfg, slots
        self._settings: dict[str, ChatSettings] = {}
        self.client = OpenAIClient(info.url, cfg.api_key, retries=cfg.retries, max_connections=max(8, slots * 2))

    def settings(self, scenario: Scenario, repeat: int = 0) -> ChatSettings:
        key = f"{scenario.key}#{repeat}"
        found = self._settings.get(key)
        if found is None:
            thinking = self.cfg.thinking_for(scenario.pack.thinking)
            budget = scenario.max_tokens + (self.cfg.thinking_max_tokens if thinking else 0)
            found = self._settings[key] = ChatSettings(
                self.info.model, self.cfg.sampling_fields(repeat), thinking, budget, self.cfg.reasoning_effort)
        return found

    def request_timeout(self, scenario: Scenario) -> float:
        """A ceiling, not a target: 3x the time the token budget takes at the measured decode
        speed shared by all slots, plus room for prompt processing."""
        if self.cfg.case_timeout:
            return self.cfg.case_timeout
        tps = self.info.decode_tps
        if not tps:
            return scenario.pack.case_seconds
        return 20.0 + 3.0 * self.settings(scenario).max_tokens * max(1, self.slots) / tps

    def episode(self, scenario: Scenario, repeat: int = 0) -> Episode:
        """Run the scenario's episode within its ceiling (per request x steps)."""
        per_request = self.request_timeout(scenario)
        limit = per_request * scenario.max_steps
        deadline = time.monotonic() + limit

        def respond(sc: Scenario, messages: Sequence[dict[str, Any]], turn: int) -> Reply:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServingError("timeout", f"episode took longer than {limit:.0f}s")
            return self.client.chat(messages, sc.tools, self.settings(sc, repeat), min(per_request, remaining))

        return run_episode(scenario, respond)


class Run:
    def __init__(self, cfg: RunConfig):
        self.cfg = cfg
        self.packs: list[Pack] = []
        self.pack_errors: dict[Path, PackError] = {}
        self.endpoints: list[EndpointInfo] = []
        self.results: list[ScenarioResult] = []
        self.engine: Engine[Outcome] | None = None
        self.servers: list[ManagedServer] = []
        self.slot_hints: dict[str, int] = {}  # url -> slots, for launched servers without /props
        self.run_id = uuid.uuid4().hex
        self.resumed: dict[str, ScenarioResult] = {}  # node id -> result re-used from an eval state
        self._load_packs()

    def _load_packs(self) -> None:
        try:
            files = discover([shipped_packs_dir(), *self.cfg.packs_dirs])
        except PackError as exc:
            self.pack_errors[Path(exc.path)] = exc
            return
        ids: dict[str, Path] = {}
        for path in files:
            try:
                pack = load_pack(path)
            except PackError as exc:
                self.pack_errors[path] = exc
                continue
            if pack.meta.id in ids:
                self.pack_errors[path] = PackError(path, f"pack id {pack.meta.id} is already used by {ids[pack.meta.id]}")
                continue
            ids[pack.meta.id] = path
            self.packs.append(pack)

    def pack_files(self) -> list[Path]:
        return sorted({*(p.path for p in self.packs), *self.pack_errors}, key=lambda p: (p.parent != shipped_packs_dir(), str(p)))

    def pack_for(self, path: Path) -> Pack:
        if path in self.pack_errors:
            raise self.pack_errors[path]
        return next(p for p in self.packs if p.path == path)

    # -- servers we launch ------------------------------------------------------------------
    def launch_servers(self, health_timeout_s: float) -> list[str]:
        """Endpoint URLs, starting the embedded model and --serve-cmd where asked."""
        urls = []
        for endpoint in self.cfg.endpoints:
            if endpoint == "embedded":
                launch = embedded_command()
                self.servers.append(ManagedServer(launch.command, health_timeout_s))
                urls.append(self.servers[-1].url)
                if launch.slots:
                    self.slot_hints[urls[-1]] = launch.slots
            else:
                urls.append(endpoint)
        if self.cfg.serve_cmd:
            self.servers.append(ManagedServer(self.cfg.serve_cmd, health_timeout_s))
            urls.append(self.servers[-1].url)
        if self.servers:
            atexit.register(self.stop_servers)  # a crash or Ctrl-C must not leave a server behind
        return urls

    def connect(self, urls: Sequence[str]) -> None:
        """Probe every endpoint (ProbeError if one is unusable); a server we launched may know
        its slot count better than its API says."""
        from dataclasses import replace
        infos = [probe(url, self.cfg.model, self.cfg.api_key, self.cfg.retries) for url in urls]
        self.endpoints = [replace(i, slots=i.slots or self.slot_hints.get(i.url)) for i in infos]

    def stop_servers(self) -> None:
        for server in self.servers:
            server.stop()

    # -- engine -----------------------------------------------------------------------------
    def start_engine(self, share: int = 1) -> None:
        """`share`: how many processes (xdist workers) split each endpoint's slots."""
        if self.engine is not None:
            return
        if self.cfg.control:
            lanes = [Lane(self.cfg.control, DEFAULT_SLOTS)]
        else:
            lanes = []
            for info in self.endpoints:
                slots = self.cfg.concurrency or info.slots or DEFAULT_SLOTS
                mine = max(1, math.ceil(slots / share))
                lane = EndpointLane(info, self.cfg, slots)
                lanes.append(Lane(info.url, mine, lane, lane.client.close))
        self.engine = Engine(lanes)

    def dispatch(self, work: Sequence[tuple[str, Scenario, int]]) -> None:
        """Submit (node id, scenario, repeat) jobs, except those re-used from a resumed state."""
        assert self.engine is not None
        for key, scenario, repeat in work:
            if key not in self.resumed:
                self.engine.submit(key, self._job(scenario, repeat))

    def _job(self, scenario: Scenario, repeat: int):
        control = self.cfg.control

        def job(lane: Lane) -> Outcome:
            if control == "oracle":
                return Outcome((("oracle", run_episode(scenario, oracle_respond)),))
            if control == "junk":
                return Outcome(tuple((v, run_episode(scenario, junk_responder(v)))
                                     for v in JUNK if junk_applies(v, scenario)))
            try:
                return Outcome((("model", lane.state.episode(scenario, repeat)),))
            except ServingError as exc:
                return Outcome(error=exc)
        return job

    def resume(self, path: Path) -> None:
        """Re-use the finished scenarios of an eval state written under this config (StateError if not)."""
        from . import state
        saved = state.load(path)
        state.check_resumable(saved, self.cfg.hash, self.cfg.public())
        self.run_id = saved.run_id
        self.resumed = state.reusable(saved, {p.meta.id: p.meta.version for p in self.packs})

    def result_for(self, nodeid: str, scenario: Scenario, repeat: int) -> ScenarioResult:
        """The item's result: re-used from the resumed state, else its episode's verdict."""
        found = self.resumed.get(nodeid)
        if found is not None:
            return found
        return self.evaluate(scenario, nodeid, self.outcome(nodeid), repeat)

    def outcome(self, key: str) -> Outcome:
        assert self.engine is not None
        return self.engine.wait(key)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    # -- verdicts -----------------------------------------------------------------------------
    def evaluate(self, scenario: Scenario, nodeid: str, outcome: Outcome, repeat: int = 0) -> ScenarioResult:
        thinking = self.cfg.thinking_for(scenario.pack.thinking)
        if outcome.error is not None:
            return error_result(scenario, nodeid, outcome.error, thinking, repeat)
        judged = [(label, episode, verify(scenario, episode)) for label, episode in outcome.episodes]
        if self.cfg.control == "junk":
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
                    for lab, _, v in judged] if self.cfg.control else []
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
            thought=episode.thought, repeat=repeat, control=self.cfg.control, control_variants=variants,
        )


def error_result(scenario: Scenario, nodeid: str, error: ServingError, thinking: bool, repeat: int) -> ScenarioResult:
    return ScenarioResult(
        pack=scenario.pack.id, pack_version=scenario.pack.version, scenario=scenario.id, nodeid=nodeid,
        outcome="error", passed=False, score=0.0, failure_mode=error.failure_mode, detail=error.detail,
        expected="", trace=[error.detail], messages=[dict(m) for m in scenario.messages], response="",
        reasoning="", tool_calls=[], turns=0, latency_s=0.0, prompt_tokens=0, completion_tokens=0,
        retries=error.retries, finish_reason="", thinking=thinking, thought=False, repeat=repeat,
    )
