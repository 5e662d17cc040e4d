"""Session-end reporting: the pack table, failure breakdown, warnings, the Quality line and
the JSON results document. Pure functions of the results and run metadata."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import asdict, dataclass, fields
from typing import Any, Sequence

from .config import RunConfig
from .packs import Pack
from .probe import EndpointInfo
from .redaction import redact
from .results import RESULTS_SCHEMA_VERSION, ScenarioResult
from .stats import PackStats, pack_rounds, pack_stats, scenario_tallies


@dataclass(frozen=True)
class PackSummary:
    pack: str
    version: str
    selected: int
    total_in_pack: int
    passed: int
    failed: int
    errors: int
    score: float
    p50_latency_s: float | None
    p95_latency_s: float | None
    status: str
    thinking: bool
    repeats: PackStats | None = None  # with --modelqa-repeat N > 1
    kind: str = "pack"  # "tests": hand-written tests grouped into a row
    thinking_tokens: int = 0
    data: str = ""

    @property
    def partial(self) -> bool:
        return "partial" in self.status

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["repeats"] = asdict(self.repeats) if self.repeats else None
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PackSummary":
        """Fields a newer plugin added are ignored."""
        known = {f.name for f in fields(cls)}
        repeats = data.get("repeats")
        stats = {f.name for f in fields(PackStats)}
        return cls(**{k: v for k, v in data.items() if k in known and k != "repeats"},
                   repeats=PackStats(**{k: v for k, v in repeats.items() if k in stats}) if repeats else None)


def is_partial(summaries: Sequence[PackSummary], selection: Selection) -> bool:
    return bool(selection.keyword or selection.last_failed or any(s.partial for s in summaries))


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (no interpolation: a reported latency really happened)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


@dataclass(frozen=True)
class RowSpec:
    """One row of the table: a pack, or a group of hand-written tests (kind "tests")."""

    id: str
    version: str
    total: int  # scenarios in the pack (tests collected in the group)
    thinking: bool
    kind: str = "pack"
    thinking_tokens: int = 0  # the thinking budget its requests had (0: thinking off)
    data: str = ""  # a dataset pack's provenance (PackMeta.data)


def pack_row(pack: Pack, cfg: RunConfig) -> RowSpec:
    thinking = cfg.thinking_for(pack.meta.thinking)
    return RowSpec(pack.meta.id, pack.meta.version, len(pack.scenarios), thinking,
                   thinking_tokens=cfg.thinking_budget(pack.meta.thinking_tokens) if thinking else 0,
                   data=pack.meta.data)


@dataclass(frozen=True)
class Selection:
    """How the run's items were chosen, for labels: a partial selection never reads as a score."""

    markexpr: str = ""
    keyword: str = ""
    paths: tuple[str, ...] = ()  # path / node id arguments given
    last_failed: bool = False
    interrupted: bool = False  # the run stopped before every selected item ran (Ctrl-C, -x)

    def mode(self) -> str:
        return f"-m {self.markexpr}" if self.markexpr else "all packs" if not self.paths else "selected paths"

    def to_json(self, partial: bool) -> dict[str, Any]:
        return {"markexpr": self.markexpr, "keyword": self.keyword, "paths": list(self.paths),
                "last_failed": self.last_failed, "partial": partial or self.interrupted,
                "interrupted": self.interrupted}


def summarize(specs: Sequence[RowSpec], results: Sequence[ScenarioResult], cfg: RunConfig) -> list[PackSummary]:
    out = []
    for spec in specs:
        rows = [r for r in results if r.pack == spec.id]
        if not rows:
            continue
        errors = sum(r.outcome == "error" for r in rows)
        passed = sum(r.passed for r in rows)
        latencies = [r.latency_s for r in rows if r.outcome != "error"]
        if cfg.control:
            bad = sum(r.outcome == "failed" for r in rows)
            status = "verifiers honest" if not bad else f"VERIFIER BUG ({bad})"
        elif errors:
            status = f"ERROR ({errors} serving)"
        elif passed < len(rows):
            status = f"FAIL ({len(rows) - passed})"
        else:
            status = "PASS"
        if len(rows) < spec.total * cfg.repeat:
            status += " · partial"
        out.append(PackSummary(
            pack=spec.id, version=spec.version, selected=len(rows), total_in_pack=spec.total,
            passed=passed, failed=len(rows) - passed - errors, errors=errors,
            score=round(statistics.fmean(r.score for r in rows), 4),
            p50_latency_s=percentile(latencies, 50), p95_latency_s=percentile(latencies, 95),
            status=status, thinking=spec.thinking, kind=spec.kind, thinking_tokens=spec.thinking_tokens, data=spec.data,
            repeats=_repeat_stats(rows) if cfg.repeat > 1 else None,
        ))
    return out


def _repeat_stats(rows: Sequence[ScenarioResult]) -> PackStats | None:
    """Stats over the repeats; serving errors are not quality evidence and are left out."""
    judged = [r.to_json() for r in rows if r.outcome != "error"]
    if not judged:
        return None
    tallies = list(scenario_tallies(judged).values())
    return pack_stats(tallies, pack_rounds(judged, rows[0].pack))


def repeat_table(summaries: Sequence[PackSummary]) -> str:
    """Per pack: mean pass rate ± std across repeat rounds, Wilson 95% interval, pass@k, pass^k,
    and how many scenarios passed every repeat, some, or none."""
    rows = [s for s in summaries if s.repeats]
    if not rows:
        return ""
    k = min(s.repeats.repeats for s in rows)  # type: ignore[union-attr]
    lines = [f"| Pack (n={k}) | Mean ± std | Wilson 95% | pass@{k} | pass^{k} | Stable pass / flaky / stable fail |",
             "|---|---|---|---|---|---|"]
    for s in rows:
        r = s.repeats
        assert r is not None
        lines.append(f"| {s.pack} | {r.mean:.1%} ± {r.std:.1%} | {r.wilson_low:.1%}–{r.wilson_high:.1%} | "
                     f"{r.pass_at_k:.1%} | {r.pass_hat_k:.1%} | {r.stable_pass} / {r.flaky} / {r.stable_fail} |")
    return "\n".join(lines)


def _secs(v: float | None) -> str:
    return "–" if v is None else (f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s")


def table(summaries: Sequence[PackSummary], results: Sequence[ScenarioResult],
          skipped: Sequence[tuple[str, int, str]] = ()) -> str:
    """`skipped`: (pack, scenarios, why) of packs that could not run here: a row that says so,
    not a score (the reason in full is listed under the table)."""
    lines = ["| Pack | Pass / Total | Score | p50 latency | p95 latency | Status |",
             "|---|---|---|---|---|---|"]
    for s in summaries:
        lines.append(f"| {s.pack} | {s.passed}/{s.selected} | {s.score:.0%} | {_secs(s.p50_latency_s)} | "
                     f"{_secs(s.p95_latency_s)} | {s.status} |")
    ran = {s.pack for s in summaries}
    for pack, _, why in skipped:
        if pack not in ran:
            lines.append(f"| {pack} | – | – | – | – | not run: {why.split(':')[0]} |")
    if summaries:
        n = sum(s.selected for s in summaries)
        passed = sum(s.passed for s in summaries)
        score = sum(s.score * s.selected for s in summaries) / n
        lat = [r.latency_s for r in results if r.outcome != "error"]
        errors = sum(s.errors for s in summaries)
        status = f"{errors} serving errors" if errors else ""
        lines.append(f"| **TOTAL** | **{passed}/{n}** | **{score:.0%}** | {_secs(percentile(lat, 50))} | "
                     f"{_secs(percentile(lat, 95))} | {status} |")
    return "\n".join(lines)


def failure_breakdown(results: Sequence[ScenarioResult], cfg: RunConfig) -> tuple[list[str], list[str]]:
    """(quality failures, serving errors). Under a control, its violations are the failures."""
    if cfg.control:
        failures = [f"{r.pack} {r.scenario}: control {cfg.control} violated ({_one_line(r.detail)})"
                    for r in results if r.outcome == "failed"]
    else:
        failures = [f"{r.pack} {r.scenario}{_rep(r)}: {r.failure_mode} ({_one_line(r.detail)})"
                    for r in results if r.outcome != "error" and not r.passed]
    errors = [f"{r.pack} {r.scenario}{_rep(r)}: {r.failure_mode} ({_one_line(r.detail)})"
              for r in results if r.outcome == "error"]
    return failures, errors


def _rep(r: ScenarioResult) -> str:
    return f" #{r.repeat}" if r.repeat else ""


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def warnings(summaries: Sequence[PackSummary], results: Sequence[ScenarioResult], cfg: RunConfig) -> list[str]:
    out = []
    if not cfg.canonical:
        out.append(f"non-canonical sampling ({cfg.sampling_label}): results are not comparable with greedy runs "
                   "and cannot gate against a greedy baseline")
    for s in summaries:
        if s.selected < s.total_in_pack:
            out.append(f"{s.pack}: {s.selected} of {s.total_in_pack} scenarios selected; this is not the pack's score")
        rows = [r for r in results if r.pack == s.pack and r.outcome != "error"]
        if cfg.control or not rows:
            continue
        thought = sum(r.thought for r in rows)
        if s.thinking and thought == 0:
            out.append(f"{s.pack}: thinking was requested but no reasoning came back in any of {len(rows)} scenarios "
                       "(does the chat template honour enable_thinking?)")
        elif not s.thinking and thought:
            out.append(f"{s.pack}: thinking was off but {thought} of {len(rows)} scenarios returned reasoning")
    truncated = [r for r in results if r.failure_mode == "token_limit"]
    if truncated:
        out.append(f"{len(truncated)} scenarios failed at the token limit; the budget may be too small for this model")
    retried = sum(r.retries for r in results)
    if retried:
        out.append(f"{retried} requests were retried after transport errors, 5xx or 429")
    return out


def _abbrev(pack_id: str) -> str:
    stem = pack_id.split("-")[0]
    caps = "".join(c for c in stem if c.isupper()).lower()
    return caps or stem[:2].lower()


def _quality_pack(s: PackSummary) -> str:
    """Serving errors are not scored: the fraction is over the judged scenarios."""
    judged = s.selected - s.errors
    if not judged:
        return f"{s.pack} not scored ({s.errors} serving errors)"
    text = f"{s.pack} {s.passed}/{judged} ({s.passed / judged:.0%})"
    return text + (f" + {s.errors} serving errors" if s.errors else "")


def quality_line(summaries: Sequence[PackSummary], cfg: RunConfig, mode: str, date: dt.date,
                 partial: str = "") -> str:
    """`partial`: how the selection was narrowed (e.g. "-k TC-0"), shown as PARTIAL."""
    packs = " · ".join(_quality_pack(s) for s in summaries)
    modes = {s.thinking for s in summaries}
    thinking = ("thinking on" if modes == {True} else "thinking off" if modes == {False}
                else "thinking " + "/".join(f"{_abbrev(s.pack)} {'on' if s.thinking else 'off'}" for s in summaries))
    versions = "·".join(f"{_abbrev(s.pack)}{s.version}" for s in summaries)
    parts = [mode, thinking, cfg.sampling_label, f"packs {versions}", date.isoformat()]
    if partial:
        parts.insert(1, f"PARTIAL: {partial}")
    if cfg.repeat > 1:
        parts.insert(1, f"n={cfg.repeat}")
    if cfg.control:
        parts.insert(0, f"control={cfg.control}")
    return f"Quality: {packs or 'no scenarios ran'} ({', '.join(parts)})"


def partial_label(summaries: Sequence[PackSummary], selection: Selection, repeat: int = 1) -> str:
    """"" for a full selection, else what narrowed it."""
    bits = ["interrupted"] if selection.interrupted else []
    if selection.keyword:
        bits.append(f"-k {selection.keyword}")
    if selection.last_failed:
        bits.append("--lf")
    cut = [s for s in summaries if s.partial]
    if cut:
        bits.append(", ".join(f"{s.pack} {s.selected}/{s.total_in_pack * repeat}" for s in cut))
    return "; ".join(bits)


def document(summaries: Sequence[PackSummary], results: Sequence[ScenarioResult], cfg: RunConfig,
             endpoints: Sequence[EndpointInfo], mode: str, warns: Sequence[str], quality: str,
             now: dt.datetime, run_id: str, selection: Selection | None = None) -> dict[str, Any]:
    selection = selection or Selection()
    order = {s.pack: i for i, s in enumerate(summaries)}
    return {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "run_id": run_id,
        "config_hash": cfg.hash,
        "created": now.isoformat(timespec="seconds"),
        "mode": mode,
        "selection": selection.to_json(is_partial(summaries, selection)),
        "control": cfg.control,
        "endpoints": [{**e.to_json(), "url": redact(e.url)} for e in endpoints],
        "sampling": cfg.sampling_record(),
        "thinking": {"override": cfg.thinking, "max_tokens": cfg.thinking_budget(),
                     "reasoning_effort": cfg.reasoning_effort},
        "config": cfg.public(),
        "repeat": cfg.repeat,
        "packs": [s.to_json() for s in summaries],
        "scenarios": [r.to_json() for r in sorted(results, key=lambda r: (order.get(r.pack, 0), r.nodeid, r.repeat))],
        "warnings": list(warns),
        "quality": quality,
    }


def header_lines(cfg: RunConfig, endpoints: Sequence[EndpointInfo], collect_only: bool) -> list[str]:
    """The run's report header: what is evaluated, and how."""
    if cfg.control:
        return [f"modelqa: control {cfg.control} (verifier self-test, no server)"]
    lines = []
    if not endpoints:
        why = "--collect-only" if collect_only else "not probed"
        lines += [f"modelqa: endpoint {redact(e)} ({why})" for e in cfg.endpoints]
        if cfg.serve_cmd:
            lines.append(f"modelqa: server command {redact(cfg.serve_cmd, cfg.secrets)} ({why})")
    for e in endpoints:
        slots = cfg.concurrency or e.slots  # not lanes.slots_for: the header says when the 4 is assumed
        lines.append(f"modelqa: endpoint {redact(e.url)} · model {e.model} · build {e.build or 'unknown'} · "
                     f"slots {slots or '4 (assumed: the server did not say)'} · "
                     f"decode {f'{e.decode_tps:.0f} tok/s' if e.decode_tps else 'unmeasured'}")
    thinking = "pack defaults" if cfg.thinking is None else ("on" if cfg.thinking else "off")
    lines.append(f"modelqa: sampling {cfg.sampling_label}{'' if cfg.canonical else ' (non-canonical)'} · "
                 f"thinking {thinking}, budget {cfg.thinking_budget()} tokens"
                 f"{'' if cfg.thinking_max_tokens else ' (packs may set their own)'} · repeat {cfg.repeat}")
    return lines


def provenance(endpoints: Sequence[EndpointInfo]) -> list[str]:
    lines = []
    for e in endpoints:
        bits = [f"model {e.model}"]
        if e.build:
            bits.append(f"build {e.build}")
        if e.slots:
            bits.append(f"{e.slots} slots")
        if e.decode_tps:
            bits.append(f"{e.decode_tps:.0f} tok/s decode")
        lines.append(f"{redact(e.url)}: " + ", ".join(bits))
    return lines
