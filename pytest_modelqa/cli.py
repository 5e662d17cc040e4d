"""`modelqa`: work with saved results without a server.

    modelqa rescore RESULTS.json [--in-place | --output PATH] [--packs-dir DIR]
    modelqa inspect RESULTS.json [--failed] [--scenario ID] [--full]
    modelqa diff A.json B.json [--max-drop-pp PP]

rescore re-runs the deterministic verifiers on the saved responses (after a verifier fix,
say); packs that execute model output in a sandbox are reported as not rescorable. diff
takes results or baseline files and makes the same comparison as the --baseline-diff gate
(exit 1 on a regression)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from . import baseline, report
from .config import RunConfig
from .episode import replay
from .catalogue import load_all
from .errors import BaselineError, CliError, SandboxError
from .packs import Pack
from .probe import EndpointInfo
from .results import ScenarioResult, check_results, write_json_atomic
from .sandbox.service import Sandboxes
from .sandboxed import regather
from .verifiers.bounded import BoundedVerifier, VerifierTimeout

EXIT_USAGE = 2


def read_results(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise CliError(f"{path}: cannot read results JSON ({exc})") from None
    try:
        return check_results(doc)
    except ValueError as exc:
        raise CliError(f"{path}: not a pytest-modelqa results file this plugin can read ({exc})") from None


# -- rescore ----------------------------------------------------------------------------------
def load_packs(dirs: Sequence[Path]) -> dict[str, Pack]:
    catalogue, errors = load_all(dirs)
    for exc in errors:
        print(f"warning: {exc}", file=sys.stderr)
    return {p.meta.id: p for p in catalogue.packs}


def rescore(doc: dict[str, Any], packs: dict[str, Pack]) -> tuple[dict[str, Any], list[str]]:
    """(the rescored document, one line per change or per scenario left as it was)."""
    if doc.get("control"):
        raise CliError(f"a --modelqa-control={doc['control']} run has no model responses to rescore")
    cfg = RunConfig.from_public(doc["config"])
    tests = {row["pack"] for row in doc["packs"] if row.get("kind") == "tests"}
    results: list[ScenarioResult] = []
    lines: list[str] = []
    checker = BoundedVerifier()
    boxes = Sandboxes(cfg.sandbox_backend, cfg.sandboxes)  # starts nothing unless a fix is re-run
    try:
        for saved in doc["scenarios"]:
            result, line = _rescore_one(saved, packs, tests, checker, boxes)
            results.append(result)
            if line:
                lines.append(line)
    finally:
        checker.close()
        boxes.close()
    # A pack whose installed version differs keeps its saved row: its verdicts were kept too.
    summaries = []
    for row in doc["packs"]:
        pack = packs.get(row["pack"])
        same = pack is not None and pack.meta.version == row["version"]
        summaries += (report.summarize([report.pack_row(pack, cfg)], results, cfg) if same
                      else [report.PackSummary.from_json(row)])
    warns = report.warnings(summaries, results, cfg)
    created = dt.datetime.fromisoformat(doc["created"])
    mode = _mode(doc["mode"])
    sel = doc.get("selection") or {}
    selection = report.Selection(sel.get("markexpr", ""), sel.get("keyword", ""), tuple(sel.get("paths", ())),
                                 bool(sel.get("last_failed")), bool(sel.get("interrupted")))
    quality = report.quality_line(summaries, cfg, mode, created.date(), report.partial_label(summaries, selection, cfg.repeat))
    endpoints = [EndpointInfo(**e) for e in doc["endpoints"]]
    out = report.document(summaries, results, cfg, endpoints, mode, warns, quality, created, doc["run_id"], selection)
    return out, lines


def _rescore_one(saved: dict[str, Any], packs: dict[str, Pack], tests: set[str],
                 checker: BoundedVerifier, boxes: Sandboxes) -> tuple[ScenarioResult, str | None]:
    """(the result, rescored where it can be; a line saying what changed or why it was kept)."""
    r = ScenarioResult.from_json(saved)
    pack = packs.get(r.pack)
    scenario = next((s for s in pack.scenarios if s.id == r.scenario), None) if pack else None
    why = "a hand-written test: its assertions are code, run it again" if r.pack in tests else \
        not_rescorable(r, pack, scenario)
    if pack is None and r.outcome != "error" and r.pack not in tests:
        raise CliError(f"pack {r.pack} is not installed: give its directory with --packs-dir")
    if why is not None:
        return r, f"{r.pack} {r.scenario}{_rep(r)}: not rescorable: {why}"
    episode = replay(scenario, r.messages, r.finish_reason)
    try:
        if pack.meta.sandbox:  # a fix is re-run against the hidden tests in a fresh sandbox
            episode = regather(scenario, episode, boxes)
        v = checker(scenario, episode)
    except SandboxError as exc:
        return r, f"{r.pack} {r.scenario}{_rep(r)}: not rescored: no sandbox: {exc}"
    except VerifierTimeout as exc:
        return r, f"{r.pack} {r.scenario}{_rep(r)}: not rescored: {exc}"
    new = ScenarioResult.from_json({**saved, "passed": v.passed, "outcome": "passed" if v.passed else "failed",
                                    "score": round(v.score, 4), "failure_mode": v.failure_mode,
                                    "detail": v.detail, "expected": v.expected, "trace": list(v.trace)})
    changed = (new.passed, new.failure_mode, new.score) != (r.passed, r.failure_mode, r.score)
    return new, f"{r.pack} {r.scenario}{_rep(r)}: {_verdict(r)} -> {_verdict(new)}" if changed else None


def _mode(saved: str) -> str:
    """Results schema 1.0.0 recorded the bare marker expression ("quick") or "all"."""
    if saved == "all":
        return "all packs"
    return saved if saved.startswith(("-m ", "all packs", "selected paths")) else f"-m {saved}"


def not_rescorable(r: ScenarioResult, pack: Pack | None, scenario: Any) -> str | None:
    if r.outcome == "error":
        return "serving error (no response)"
    if pack is None:
        return f"pack {r.pack} not found"
    if pack.meta.version != r.pack_version:
        return f"pack version {r.pack_version} in the results, {pack.meta.version} installed"
    if pack.meta.sandbox and pack.meta.executor != "mocks":
        return ("a multi-turn sandboxed scenario: its final state lived in the episode's sandbox, which is gone "
                "(run the scenario again)")
    if scenario is None:
        return f"scenario {r.scenario} is no longer in {r.pack}"
    return None


def _rep(r: ScenarioResult) -> str:
    return f" #{r.repeat}" if r.repeat else ""


def _verdict(r: ScenarioResult) -> str:
    return "passed" if r.passed else f"failed ({r.failure_mode}, score {r.score:g})"


# -- inspect ----------------------------------------------------------------------------------
def _cut(text: str, full: bool, limit: int = 800) -> str:
    return text if full or len(text) <= limit else text[:limit] + f"… [{len(text) - limit} more chars; --full]"


def inspect(doc: dict[str, Any], failed: bool, scenario: str | None, full: bool) -> list[str]:
    ends = doc["endpoints"]
    lines = [f"run {doc['run_id']} · {doc['created']} · config {doc['config_hash']} · {doc['sampling']['label']}"
             + (f" · control {doc['control']}" if doc.get("control") else "")]
    lines += [f"{e['url']}: model {e['model']}" + (f", build {e['build']}" if e.get("build") else "") for e in ends]
    summaries = [report.PackSummary.from_json(p) for p in doc["packs"]]
    results = [ScenarioResult.from_json(s) for s in doc["scenarios"]]
    lines += ["", report.table(summaries, results)]
    if any(s.repeats for s in summaries):
        lines += ["", report.repeat_table(summaries)]
    lines += ["", doc["quality"], ""]
    chosen = [r for r in results
              if (not failed or r.outcome != "passed")
              and (scenario is None or scenario in (r.scenario, r.nodeid, f"{r.pack}::{r.scenario}"))]
    if scenario is not None and not chosen:
        raise CliError(f"no scenario {scenario!r} in these results")
    if scenario is None:
        for r in chosen:
            state = "PASS" if r.outcome == "passed" else ("ERROR" if r.outcome == "error" else "FAIL")
            why = f"  {r.failure_mode}: {' '.join(r.detail.split())[:140]}" if r.outcome != "passed" else ""
            lines.append(f"{state:5} {r.pack} {r.scenario}{_rep(r)}  {r.latency_s:.2f}s{why}")
        return lines
    for r in chosen:
        lines += [f"== {r.nodeid} ({r.pack} {r.pack_version}, repeat {r.repeat}) ==",
                  f"outcome: {r.outcome}; passed: {r.passed}; score: {r.score:g}; failure mode: {r.failure_mode}",
                  f"detail: {r.detail}", f"expected: {r.expected}",
                  f"latency {r.latency_s:.3f}s, {r.turns} turns, {r.prompt_tokens}+{r.completion_tokens} tokens, "
                  f"{r.retries} retries, finish {r.finish_reason or '-'}, thinking {'on' if r.thinking else 'off'}",
                  "messages:"]
        for m in r.messages:
            calls = "".join(f"\n      -> {c['function']['name']}({c['function'].get('arguments')})"
                            for c in m.get("tool_calls") or ())
            lines.append(f"  [{m['role']}] {_cut(str(m.get('content') or ''), full)}{calls}")
        if r.reasoning:
            lines.append(f"reasoning: {_cut(r.reasoning, full)}")
        lines += ["trace:"] + [f"  - {t}" for t in r.trace] + [""]
    return lines


# -- entry point ------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="modelqa", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("rescore", help="re-run deterministic verifiers on saved responses")
    r.add_argument("results", type=Path)
    where = r.add_mutually_exclusive_group()
    where.add_argument("--in-place", action="store_true", help="rewrite RESULTS.json")
    where.add_argument("--output", type=Path, metavar="PATH", help="write the rescored results here")
    r.add_argument("--packs-dir", type=Path, action="append", default=[], help="extra pack files")
    i = sub.add_parser("inspect", help="show a results file: table, scenarios, one scenario in full")
    i.add_argument("results", type=Path)
    i.add_argument("--failed", action="store_true", help="only failed scenarios and serving errors")
    i.add_argument("--scenario", metavar="ID", help="one scenario (id, Pack::id or node id) with its transcript")
    i.add_argument("--full", action="store_true", help="do not shorten long texts")
    d = sub.add_parser("diff", help="compare two results or baseline files (the gate's comparison)")
    d.add_argument("a", type=Path, help="before (baseline or results)")
    d.add_argument("b", type=Path, help="after (baseline or results)")
    d.add_argument("--max-drop-pp", type=float, default=10.0)
    d.add_argument("--subset", action="store_true", help="B may hold a subset of A's packs and scenarios")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "rescore":
            doc = read_results(args.results)
            dirs = [*map(Path, doc["config"].get("packs_dirs") or ()), *args.packs_dir]
            doc, changes = rescore(doc, load_packs([d for d in dirs if d.is_dir()]))
            print("\n".join(changes) if changes else "no verdict changed")
            target = args.results if args.in_place else args.output
            if target is not None:
                write_json_atomic(target, doc)
                print(f"rescored results written to {target}")
            print(doc["quality"])
        elif args.command == "inspect":
            print("\n".join(inspect(read_results(args.results), args.failed, args.scenario, args.full)))
        else:
            if not 0 <= args.max_drop_pp <= 100:
                raise CliError(f"--max-drop-pp must be between 0 and 100 points, not {args.max_drop_pp}")
            cmp = baseline.compare(baseline.load(args.a), baseline.load(args.b), args.max_drop_pp, args.subset)
            print("\n".join(baseline.render(cmp, f"{args.a} -> {args.b}")))
            return 1 if cmp.failed else 0
    except (CliError, BaselineError) as exc:
        print(f"modelqa: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
