"""The live progress line: done / total, pass rate so far, elapsed, ETA and aggregate decode
speed, printed through pytest's terminal reporter as items finish.

A plain line at most every `every_s` seconds (and one when the last item finishes): no
carriage returns, so a CI log reads the same as a terminal. Silent under -q."""

from __future__ import annotations

import time
from typing import Callable


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    def __init__(self, total: int, write: Callable[[str], None], every_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic):
        self.total, self.write, self.every_s, self.clock = total, write, every_s, clock
        self.start = clock()
        self.done = self.passed = self.tokens = 0
        self._next = self.start + every_s

    def update(self, passed: bool, completion_tokens: int) -> None:
        self.done += 1
        self.passed += passed
        self.tokens += completion_tokens
        now = self.clock()
        if now >= self._next or self.done == self.total:
            self._next = now + self.every_s
            self.write(self.line(now))

    def line(self, now: float) -> str:
        elapsed = max(now - self.start, 1e-9)
        left = self.total - self.done
        eta = _clock(elapsed / self.done * left) if self.done and left else "0:00"
        rate = f"{self.passed / self.done:.0%}" if self.done else "–"
        return (f"modelqa: {self.done}/{self.total} done · {rate} pass · {_clock(elapsed)} elapsed · "
                f"ETA {eta} · {self.tokens / elapsed:.0f} tok/s")
