"""Session end as one typed object: summarise -> write -> render.

`summarise` is a pure function of what the run recorded (RunRecord) and builds the
SessionSummary: the table, repeat statistics, failure breakdown, warnings, the Quality
line, the JSON results document and the baseline verdict. `write` puts the artifacts on
disk (JSON results, a captured baseline, the GitHub step summary) and says where;
`render` prints it through pytest's terminal reporter. The plugin's hooks only call these."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

from . import baseline, report
from .config import RunConfig
from .errors import BaselineError
from .probe import EndpointInfo
from .results import ScenarioResult, write_json_atomic


@dataclass(frozen=True)
class RunRecord:
    """Everything the session end needs, gathered by the session."""

    cfg: RunConfig
    rows: tuple[report.RowSpec, ...]
    results: tuple[ScenarioResult, ...]
    endpoints: tuple[EndpointInfo, ...]
    selection: report.Selection
    run_id: str
    now: dt.datetime
    baseline: dict[str, Any] | None = None  # the gate's baseline, loaded at start
    baseline_label: str = ""
    capture_path: Path | None = None
    resumed: int = 0
    journal: Path | None = None
    skipped: tuple[tuple[str, int, str], ...] = ()  # (pack, scenarios, why): could not run here


@dataclass(frozen=True)
class SessionSummary:
    record: RunRecord
    packs: tuple[report.PackSummary, ...]
    table: str
    repeats: str
    failures: tuple[str, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    quality: str
    document: dict[str, Any]
    gate: tuple[str, ...] = ()  # the baseline diff, ending with its verdict line
    gate_failed: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    unwritten: tuple[str, ...] = field(default_factory=tuple)  # artifacts asked for that are missing

    def with_notes(self, notes: Sequence[str]) -> "SessionSummary":
        return replace(self, notes=self.notes + tuple(notes))


def summarise(rec: RunRecord) -> SessionSummary:
    cfg, results = rec.cfg, list(rec.results)
    packs = report.summarize(rec.rows, results, cfg)
    warns = report.warnings(packs, results, cfg)
    partial = report.partial_label(packs, rec.selection, cfg.repeat)
    mode = rec.selection.mode()
    quality = report.quality_line(packs, cfg, mode, rec.now.date(), partial)
    doc = report.document(packs, results, cfg, rec.endpoints, mode, warns, quality, rec.now, rec.run_id,
                          rec.selection)
    if rec.skipped:
        doc["skipped"] = [{"pack": p, "scenarios": n, "reason": why} for p, n, why in rec.skipped]
    gate: list[str] = []
    failed = False
    if rec.baseline is not None:
        cmp = baseline.compare(rec.baseline, baseline.aggregate(doc), cfg.max_drop_pp, cfg.gate_subset)
        gate, failed = baseline.render(cmp, rec.baseline_label), cmp.failed
    failures, errors = report.failure_breakdown(results, cfg)
    return SessionSummary(rec, tuple(packs), report.table(packs, results, rec.skipped), report.repeat_table(packs),
                          tuple(failures), tuple(errors), tuple(warns), quality, doc, tuple(gate), failed)


def write(summary: SessionSummary, environ: dict[str, str] | None = None) -> SessionSummary:
    """Write the artifacts; the returned summary's notes say where, or why not (`unwritten`:
    what was asked for and is missing, which fails the session)."""
    rec, notes, unwritten = summary.record, [], []
    env = os.environ if environ is None else environ

    def put(what: str, path: Path, doc: Any, after: str = "") -> None:
        try:
            write_json_atomic(path, doc)
            notes.append(f"{what}: {path}{after}")
        except OSError as exc:
            unwritten.append(f"{what} NOT written: {path}: {exc.strerror or exc}")

    if rec.cfg.json_path:
        put("JSON results", rec.cfg.json_path, summary.document)
    if rec.resumed:
        notes.append(f"Resumed: {rec.resumed} finished scenarios re-used from {rec.cfg.resume_path}")
    if rec.journal is not None:
        notes.append(f"Eval state: {rec.journal}")
    if rec.capture_path is not None:
        refusal = ("the run was interrupted" if rec.selection.interrupted else
                   "the selection is partial, so it is no pack's score" if summary.document["selection"]["partial"]
                   else "")
        if refusal:
            unwritten.append(f"Baseline NOT captured ({rec.capture_path}): {refusal}")
        else:
            try:
                put("Baseline captured", rec.capture_path, baseline.aggregate(summary.document), f" (n={rec.cfg.repeat})")
            except BaselineError as exc:
                unwritten.append(f"Baseline NOT captured: {exc}")
    step_summary = env.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        try:
            with open(step_summary, "a", encoding="utf-8") as fh:
                fh.write(f"## pytest-modelqa\n\n{summary.table}\n\n`{summary.quality}`\n")
                if summary.gate:
                    fh.write("\n" + "\n".join(summary.gate) + "\n")
        except OSError as exc:
            unwritten.append(f"GitHub step summary NOT written: {step_summary}: {exc.strerror or exc}")
    return replace(summary.with_notes(notes), unwritten=tuple(unwritten))


def render(summary: SessionSummary, tr: Any) -> None:
    tr.section("modelqa")
    for line in report.provenance(summary.record.endpoints):
        tr.write_line(line)
    tr.write_line("")
    tr.write_line(summary.table)
    if summary.repeats:
        tr.write_line("")
        tr.write_line(summary.repeats)
    skipped = tuple(f"{p} ({f'{n} scenario' + 's' * (n != 1) if n else 'no scenario built'}) {why}"
                    for p, n, why in summary.record.skipped)
    for title, lines, colour in (("Skipped (not run, so not scored):", skipped, {"yellow": True}),
                                 ("Failures:", summary.failures, {}),
                                 ("Serving errors (not quality failures):", summary.errors, {"red": True}),
                                 ("Warnings:", summary.warnings, {"yellow": True})):
        if lines:
            tr.write_line("")
            tr.write_line(title)
            for line in lines:
                tr.write_line(f"  {line}", **colour)
    tr.write_line("")
    tr.write_line(summary.quality, bold=True)
    for line in summary.notes:
        tr.write_line(line)
    for line in summary.unwritten:
        tr.write_line(line, red=True, bold=True)
    if summary.gate:
        tr.write_line("")
        for line in summary.gate[:-1]:
            tr.write_line(line)
        tr.write_line(summary.gate[-1], bold=True, red=summary.gate_failed, green=not summary.gate_failed)
