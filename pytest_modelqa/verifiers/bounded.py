"""Verification within a time limit.

Verifiers are plain Python on pytest's main thread, and a regular expression running in C
cannot be interrupted there (no signal reaches it). Short replies are verified in-process,
where every check is fast; longer ones, where a super-linear check could take minutes, go
to a child process that is killed at the limit. The child is started on first need and
kept for later long replies; a killed one is replaced."""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

from . import REGISTRY, Verdict, verify

if TYPE_CHECKING:
    from ..episode import Episode
    from ..packs import Scenario

INLINE_CHARS = 8_192  # at most this many characters of answers: verified in-process
LIMIT_S = 10.0


class VerifierTimeout(Exception):
    """The verifier, not the model, ran out of time: the scenario is not scored."""


def answer_chars(episode: "Episode") -> int:
    """What verifiers read: every turn's content and tool-call arguments."""
    return sum(len(t.content) + sum(len(c.raw_arguments) for c in t.tool_calls) for t in episode.turns)


class BoundedVerifier:
    def __init__(self, limit_s: float = LIMIT_S, inline_chars: int = INLINE_CHARS):
        self.limit_s, self.inline_chars = limit_s, inline_chars
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None

    def __call__(self, scenario: "Scenario", episode: "Episode") -> Verdict:
        size = answer_chars(episode)
        if size <= self.inline_chars:
            return verify(scenario, episode)
        conn = self._worker()
        # The kind's function travels by reference: unpickling it imports its module in the
        # child, which registers the kind there (kinds added outside this package included).
        conn.send((REGISTRY[scenario.verifier["kind"]].verify, scenario, episode))
        if not conn.poll(self.limit_s):
            self.close()
            raise VerifierTimeout(f"the verifier did not finish within {self.limit_s:g}s on {size:,} characters "
                                  "of answer: not scored (a harness limit, not a quality failure)")
        try:
            ok, value = conn.recv()
        except EOFError:  # the child died (e.g. out of memory)
            self.close()
            raise VerifierTimeout(f"the verifier process died on {size:,} characters of answer: not scored") from None
        if not ok:
            raise RuntimeError(f"verifier {scenario.verifier['kind']!r} failed: {value}")
        return value

    def _worker(self) -> Connection:
        if self._proc is None or not self._proc.is_alive():
            self.close()
            # spawn, not fork: the plugin's process has engine threads whose locks a fork
            # would copy mid-use.
            ctx = multiprocessing.get_context("spawn")
            ours, theirs = ctx.Pipe()
            self._proc = ctx.Process(target=_serve, args=(theirs,), daemon=True, name="modelqa-verifier")
            self._proc.start()
            theirs.close()
            self._conn = ours
        assert self._conn is not None
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        self._proc = self._conn = None


def _serve(conn: Connection) -> None:
    while True:
        try:
            _, scenario, episode = conn.recv()
        except EOFError:
            return
        try:
            conn.send((True, verify(scenario, episode)))
        except Exception as exc:  # reported to the parent, which raises it there
            conn.send((False, f"{type(exc).__name__}: {exc}"))
