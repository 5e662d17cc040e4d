"""Scenarios that run in a sandbox: one fresh sandbox per episode, prepared, acted on, read.

The agent loop stays here on the host (a container needs no network to reach the model);
the sandbox only executes actions and holds state. In order: take a fresh sandbox of the
pack's image from the warm pool; lay down the guest scripts, the scenario's workspace files
(under work/), run its setup commands and, for agent packs, the tools' initial state; run
the episode with the pack's executor acting on that sandbox; let the verifier's kind gather
what it judges (hidden tests run, checks of the final state) while the sandbox still exists;
release it (removed, never reused). The sandbox is taken when first used, so an answer with
nothing to run (no tool call, no code) costs no container."""

from __future__ import annotations

import json
import time
from contextlib import closing
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from .episode import Episode, Responder, run_episode
from .errors import SandboxError
from .sandbox.base import Limits
from .tools import GUEST, Delegate, executor_for
from .verifiers import gather

if TYPE_CHECKING:
    from .packs import Scenario
    from .sandbox.base import ExecResult, Sandbox
    from .sandbox.service import Sandboxes

GUEST_SOURCES = Path(__file__).parent / "sandbox" / "guest"
WORK = "work"  # the model's working directory, relative to the sandbox's scratch dir
LIMITS = Limits()
SETUP_S = 60.0


@lru_cache(maxsize=1)
def guest_files() -> dict[str, str]:
    """Read once: every sandbox of the run gets the same scripts."""
    return {f"{GUEST}/{p.name}": p.read_text() for p in sorted(GUEST_SOURCES.iterdir()) if p.is_file()
            and p.suffix in (".py", ".sh")}


def prepare(sandbox: "Sandbox", scenario: "Scenario") -> None:
    """The sandbox as the first thing run in it finds it."""
    sandbox.write_files({**guest_files(), f"{WORK}/": "", **{f"{WORK}/{k}": v for k, v in scenario.workspace.items()}})
    if scenario.setup:
        r = sandbox.exec(["bash", "-c", "\n".join(["set -e", f"cd {WORK}", *scenario.setup])], timeout=SETUP_S)
        if not r.ok:
            raise SandboxError(f"the scenario's setup failed in the sandbox (exit {r.exit_code}, "
                               f"{r.limit or 'no limit hit'}): {(r.stderr or r.stdout).strip()[-300:]}")
    if scenario.pack.executor == "agent":
        r = sandbox.exec(["python3", f"{GUEST}/agent.py", "init"], stdin=json.dumps(dict(scenario.state)),
                         timeout=SETUP_S)
        if not r.ok:
            raise SandboxError(f"the agent tools' initial state was refused: {r.stderr.strip()[:300]}")


class Deferred:
    """The scenario's fresh sandbox, taken from the pool and prepared on first use: by the
    first tool call that acts on it, else by the verifier (a mocks pack: only the answer runs
    there), else never (nothing to run: no container)."""

    def __init__(self, scenario: "Scenario", sandboxes: "Sandboxes"):
        self.scenario, self.sandboxes = scenario, sandboxes
        self.image = scenario.pack.sandbox or ""
        self._box: "Sandbox | None" = None

    @property
    def isolation(self) -> str:
        return self.sandboxes.pool().backend.isolation

    def _get(self) -> "Sandbox":
        if self._box is None:
            pool = self.sandboxes.pool()
            box = pool.acquire(self.image, LIMITS)
            try:
                prepare(box, self.scenario)
            except BaseException:
                pool.release(box)
                raise
            self._box = box
        return self._box

    def write_files(self, files: Mapping[str, str | bytes], mode: int = 0o644) -> None:
        self._get().write_files(files, mode)

    def read_file(self, path: str, max_bytes: int = 8 << 20) -> bytes:
        return self._get().read_file(path, max_bytes)

    def exec(self, cmd: Sequence[str], stdin: str | bytes | None = None, cwd: str | None = None,
             env: Mapping[str, str] | None = None, timeout: float | None = None) -> "ExecResult":
        return self._get().exec(cmd, stdin, cwd, env, timeout)

    def kill_all(self) -> None:
        if self._box is not None:
            self._box.kill_all()

    def close(self) -> None:
        """Released (removed, never reused), if it was ever taken."""
        if self._box is not None:
            box, self._box = self._box, None
            self.sandboxes.pool().release(box)


def run_sandboxed(scenario: "Scenario", respond: Responder, sandboxes: "Sandboxes",
                  delegate: Delegate | None = None, deadline: float | None = None) -> Episode:
    """The scenario's episode in a fresh sandbox, with the evidence its verifier judges.
    `deadline` (monotonic) bounds the sandboxed steps too: each command gets what is left."""
    remaining: Callable[[], float] | None = None if deadline is None else (lambda: deadline - time.monotonic())
    with closing(Deferred(scenario, sandboxes)) as sandbox:
        tools = executor_for(scenario, sandbox, delegate, remaining)
        episode = run_episode(scenario, respond, tools)
        sandbox.kill_all()  # a command left running in the background must not change the state being read
        evidence = gather(scenario, episode, sandbox)
    return replace(episode, evidence=evidence)


def regather(scenario: "Scenario", episode: Episode, sandboxes: "Sandboxes") -> Episode:
    """A saved single-turn episode's evidence gathered again in a fresh sandbox (`modelqa
    rescore`): possible only where no tool acted on the sandbox during the episode."""
    assert scenario.pack.executor == "mocks"
    with closing(Deferred(scenario, sandboxes)) as sandbox:
        return replace(episode, evidence=gather(scenario, episode, sandbox))


def control_delegate(scenario: "Scenario") -> Delegate:
    """How a control answers `delegate`: the scenario's scripted reply for that task."""
    def answer(task: str) -> str:
        found = scenario.delegate_reply(task)
        return found if found is not None else "I cannot help with that sub-task."
    return answer
