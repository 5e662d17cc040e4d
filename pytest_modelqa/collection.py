"""Pack files as pytest collects them: a PackFile (pytest.File) per pack, a ScenarioItem per
scenario and repeat, with node ids a user can paste back on the command line.

Which YAML files are packs (only while the plugin is active):
- a file named on the command line;
- every .yaml/.yml in a packs directory: the shipped one, each --modelqa-packs-dir;
- any other .yaml/.yml that pytest walks into whose top level has a `pack:` key.
With no path arguments, the shipped packs are added to what pytest collects (see
session.add_default_paths), so `pytest --model-endpoint=… -m quick` runs them; given paths,
only those run. Shipped packs keep the node ids `packs/<file>::<scenario>` even when they
live in site-packages, and such an id given on the command line finds them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pytest

from .errors import PackError
from .names import PACK_SUFFIXES, SESSION, shipped_packs_dir

if TYPE_CHECKING:
    from .packs import Pack, Scenario
    from .results import ScenarioResult

_TOP_LEVEL_PACK = re.compile(rb"^pack\s*:", re.MULTILINE)
SNIFF_BYTES = 65536
TRACE_LINES = 40  # of a failure's verifier trace printed to the terminal


def looks_like_pack(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return bool(_TOP_LEVEL_PACK.search(fh.read(SNIFF_BYTES)))
    except OSError:
        return False


def is_pack_file(path: Path, parent: pytest.Collector, pack_dirs: set[Path]) -> bool:
    if path.suffix not in PACK_SUFFIXES:
        return False
    return (parent.session.isinitpath(path) or path.parent.resolve() in pack_dirs or looks_like_pack(path))


def shipped_nodeid(path: Path, rootpath: Path) -> str | None:
    """`packs/<file>` for a shipped pack outside the rootdir (an installed wheel)."""
    path = path.resolve()
    if path.parent != shipped_packs_dir().resolve():
        return None
    try:
        path.relative_to(rootpath)
        return None  # under the rootdir (a checkout): pytest's own id is already packs/<file>
    except ValueError:
        return f"packs/{path.name}"


class PackFile(pytest.File):
    def collect(self) -> Iterator["ScenarioItem"]:
        mq = self.config.stash[SESSION]
        pack = mq.catalogue.load(self.path)
        mq.register_marker(pack.meta.marker, f"scenarios of pack {pack.meta.id}")
        if pack.unavailable:  # one item, so the selection shows the pack and the summary says why
            item = UnavailableItem.from_parent(self, name="dataset", pack=pack)
            for mark in (*pack.meta.modes, *(("sandboxed",) if pack.meta.sandbox else ()), pack.meta.marker):
                item.add_marker(mark)
            yield item
            return
        n = mq.cfg.repeat
        for scenario in pack.scenarios:
            for repeat in range(n):
                name = scenario.id if n == 1 else f"{scenario.id}[r{repeat}]"
                item = ScenarioItem.from_parent(self, name=name, scenario=scenario, repeat=repeat)
                for mode in pack.meta.modes:
                    item.add_marker(mode)
                if pack.meta.sandbox:
                    item.add_marker("sandboxed")
                item.add_marker(pack.meta.marker)
                yield item

    def repr_failure(self, excinfo):  # type: ignore[override]
        if isinstance(excinfo.value, PackError):
            return f"modelqa pack error: {excinfo.value}"
        return super().repr_failure(excinfo)


class UnavailableItem(pytest.Item):
    """A dataset pack whose data is not on this machine: skipped with the reason and how to
    provide the data, so it never reads as an empty (0/0) pack."""

    def __init__(self, *, pack: "Pack", **kw: Any):
        super().__init__(**kw)
        self.pack = pack

    @property
    def why(self) -> str:
        return f"dataset_unavailable: {self.pack.unavailable}"

    def setup(self) -> None:
        pytest.skip(self.why)

    def runtest(self) -> None:
        raise AssertionError("never runs: setup skips it")

    def reportinfo(self):
        return self.path, None, f"{self.pack.meta.id} (dataset)"


class ServingFailure(Exception):
    """The server (or the verifier's time limit), not the model, failed: reported as a pytest error."""


class ScenarioFailed(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: "Scenario", repeat: int = 0, **kw: Any):
        super().__init__(**kw)
        self.scenario, self.repeat = scenario, repeat
        self.result: "ScenarioResult | None" = None

    @property
    def work(self) -> tuple[str, "Scenario", int]:
        return self.nodeid, self.scenario, self.repeat

    def setup(self) -> None:
        mq = self.config.stash[SESSION]
        missing = mq.missing_needs(self.scenario)
        if missing:
            pytest.skip(missing)
        r = self.result = mq.result_for(*self.work)
        # JUnit XML carries these per scenario.
        self.user_properties += [("modelqa_pack", r.pack), ("modelqa_score", r.score),
                                 ("modelqa_failure_mode", r.failure_mode or ""),
                                 ("modelqa_latency_s", r.latency_s), ("modelqa_retries", r.retries)]
        if r.outcome == "error":
            raise ServingFailure(f"{r.failure_mode}: {r.detail}")

    def runtest(self) -> None:
        r = self.result
        if r is not None and r.outcome == "failed":
            raise ScenarioFailed(r.detail)

    def repr_failure(self, excinfo, style=None):  # type: ignore[override]
        if isinstance(excinfo.value, ServingFailure) and self.result is not None:
            return error_text(self.result)
        if isinstance(excinfo.value, ScenarioFailed) and self.result is not None:
            if self.config.option.verbose > 0:  # printed in full as it completed
                return failure_head(self.result)
            return failure_text(self.result)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.scenario.pack.id}::{self.scenario.id}"


def error_text(r: "ScenarioResult") -> str:
    what = "verifier time limit" if r.failure_mode == "verifier_timeout" else "serving error"
    return f"{what} (not a quality failure): {r.failure_mode}: {r.detail}"


def failure_head(r: "ScenarioResult") -> str:
    if r.control == "junk":
        return f"{r.scenario}: a junk answer PASSED the verifier ({r.detail}); the verifier is too lenient"
    if r.control == "oracle" and not r.control_variants[0]["passed"]:
        return f"{r.scenario}: the gold answer FAILED the verifier ({r.failure_mode}: {r.detail})"
    if r.control:
        return f"{r.scenario}: VERIFIER BUG under --modelqa-control={r.control}: {r.detail}"
    return f"{r.scenario}: {r.failure_mode}: {r.detail}"


def failure_text(r: "ScenarioResult") -> str:
    produced = r.response if r.response else "(empty)"
    calls = ", ".join(f"{c['name']}({c['arguments'] if c['arguments'] is not None else c.get('raw_arguments')})"
                      for c in r.tool_calls)
    lines = [failure_head(r), f"  produced: {produced[:600]}"]
    if calls:
        lines.append(f"  tool calls: {calls[:600]}")
    if r.expected:
        lines.append(f"  expected: {r.expected[:600]}")
    shown = r.trace[:TRACE_LINES]
    lines += ["  trace:"] + [f"    - {t[:300]}" for t in shown]
    if len(r.trace) > len(shown):
        lines.append(f"    … {len(r.trace) - len(shown)} more lines (the JSON results hold them all)")
    return "\n".join(lines)
