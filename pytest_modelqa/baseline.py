"""Baselines and the merge gate: aggregate a results document, capture it, compare two.

A baseline is the aggregate of a run (schemas/baseline.schema.json): per pack its version,
thinking mode and repeat statistics, per scenario its passes out of n. Comparing is the same
for the gate (`--baseline-diff`) and for `modelqa diff`: both sides are aggregated, packs are
compared over their common scenarios, and a pack regresses only when its drop is beyond
`max_drop_pp` AND beyond what the repeats' variance explains (stats.paired_shift, one-sided
95%). Anything not comparable (pack version, thinking mode, sampling) is reported, never
compared as if equal."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from . import stats
from .errors import BaselineError
from .stats import Tally

BASELINE_SCHEMA_VERSION = "1.0.0"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "baseline.schema.json"


# -- aggregation ----------------------------------------------------------------------------------
def aggregate(results: Mapping[str, Any]) -> dict[str, Any]:
    """The baseline document of a results document (schemas/results.schema.json)."""
    if results.get("control"):
        raise BaselineError(f"a --modelqa-control={results['control']} run describes the verifiers, not a model")
    tallies = stats.scenario_tallies(results["scenarios"])
    packs = {}
    for row in results["packs"]:
        mine = [t for key, t in tallies.items() if key.split("::")[0] == row["pack"]]
        if not mine:
            continue  # every scenario of the pack hit a serving error
        ps = stats.pack_stats(mine, stats.pack_rounds(results["scenarios"], row["pack"]))
        packs[row["pack"]] = {"version": row["version"], "thinking": row["thinking"],
                              "total_in_pack": row["total_in_pack"], **asdict(ps)}
    endpoints = results["endpoints"]
    return {
        "schema_version": BASELINE_SCHEMA_VERSION,
        "kind": "modelqa-baseline",
        "created": results["created"],
        "run_id": results["run_id"],
        "config_hash": results["config_hash"],
        "model": endpoints[0]["model"] if endpoints else None,
        "server": [{k: e.get(k) for k in ("build", "model_path", "template_sha256")} for e in endpoints],
        "sampling": results["sampling"],
        "thinking": results["thinking"],
        "mode": results["mode"],
        "repeat": max((s["repeat"] for s in results["scenarios"]), default=0) + 1,
        "packs": packs,
        "scenarios": {key: {"passes": t.passes, "n": t.n, "stability": t.stability}
                      for key, t in sorted(tallies.items())},
    }


def load(path: Path) -> dict[str, Any]:
    """A baseline file, or a results file aggregated on the fly (so `modelqa diff` takes either)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline (capture one with --repeat 3 --baseline-capture)") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise BaselineError(f"{path}: not readable JSON ({exc})") from None
    if isinstance(doc, dict) and doc.get("kind") != "modelqa-baseline" and "scenarios" in doc:
        from .results import check_results
        try:
            return aggregate(check_results(doc))
        except ValueError as exc:
            raise BaselineError(f"{path}: not a results file this plugin can read ({exc})") from None
    from jsonschema import Draft202012Validator
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    err = next(iter(Draft202012Validator(schema).iter_errors(doc)), None)
    if err is not None:
        at = "/".join(str(p) for p in err.absolute_path)
        raise BaselineError(f"{path}: not a valid baseline ({at or 'top level'}: {err.message})")
    for key, tally in doc["scenarios"].items():
        if not 0 <= tally["passes"] <= tally["n"]:
            raise BaselineError(f"{path}: not a valid baseline (scenario {key}: {tally['passes']} passes of "
                                f"{tally['n']} runs)")
    for pack, row in doc["packs"].items():
        if not 0 <= row["passes"] <= row["trials"]:
            raise BaselineError(f"{path}: not a valid baseline (pack {pack}: {row['passes']} passes of "
                                f"{row['trials']} trials)")
    return doc


def slug(model: str | None) -> str:
    """Directory name for a model: the file name without extension, lower-case, [a-z0-9._-]."""
    name = Path(model or "unknown-model").name
    name = re.sub(r"\.gguf$", "", name, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-") or "unknown-model"


def default_path(root: Path, model: str | None, thinking: bool | None) -> Path:
    """baselines/<model-slug>/<thinking-mode>.json, thinking mode one of thinking-on,
    thinking-off (forced by flag) or pack-defaults (each pack's own default)."""
    mode = "pack-defaults" if thinking is None else ("thinking-on" if thinking else "thinking-off")
    return root / "baselines" / slug(model) / f"{mode}.json"


# -- comparison -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PackDiff:
    pack: str
    verdict: str  # regression | improvement | within noise | not compared | new | missing
    reason: str = ""
    before: float | None = None
    now: float | None = None
    delta_pp: float | None = None
    z: float | None = None
    scenarios: int = 0


@dataclass(frozen=True)
class Comparison:
    packs: tuple[PackDiff, ...]
    flips: tuple[str, ...]  # stable pass <-> stable fail, per scenario
    flaky: tuple[str, ...]  # scenarios whose stability changed through flakiness
    mismatches: tuple[str, ...]  # what differs in configuration (reported, not compared)
    notes: tuple[str, ...] = field(default_factory=tuple)
    max_drop_pp: float = 10.0
    incomplete: tuple[str, ...] = ()  # what the baseline holds and this run does not
    allow_subset: bool = False

    @property
    def regressions(self) -> list[PackDiff]:
        return [p for p in self.packs if p.verdict == "regression"]

    @property
    def compared(self) -> list[PackDiff]:
        return [p for p in self.packs if p.delta_pp is not None]

    @property
    def failed(self) -> bool:
        """The gate fails on a regression, and when nothing could be compared at all: a gate
        that compares nothing must not pass silently."""
        return bool(self.regressions) or not self.compared or bool(self.incomplete and not self.allow_subset)

    def verdict_line(self) -> str:
        if self.regressions:
            worst = ", ".join(f"{p.pack} {p.delta_pp:+.1f} pp (z={_z(p.z)})" for p in self.regressions)
            return (f"Baseline gate: FAILED: regression beyond {self.max_drop_pp:g} pp and beyond repeat "
                    f"noise: {worst}")
        if not self.compared:
            return "Baseline gate: FAILED: nothing was comparable with the baseline (see mismatches)"
        if self.incomplete and not self.allow_subset:
            return (f"Baseline gate: FAILED: this run does not cover the baseline ({'; '.join(self.incomplete)}); "
                    "run what the baseline holds, or gate a subset on purpose with --modelqa-gate-subset")
        if self.incomplete:
            return (f"Baseline gate: passed on a SUBSET ({'; '.join(self.incomplete)}), "
                    f"{len(self.compared)} packs compared, no regression")
        return f"Baseline gate: passed ({len(self.compared)} packs compared, no regression)"


def _z(z: float | None) -> str:
    if z is None:
        return "–"
    return "∞" if z == float("inf") else "-∞" if z == float("-inf") else f"{z:.2f}"


def config_mismatches(before: Mapping[str, Any], now: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(mismatches that make every pack incomparable, notes that do not)."""
    hard, notes = [], []
    b, n = before["sampling"], now["sampling"]
    if b["label"] != n["label"]:
        hard.append(f"sampling: baseline {b['label']}, now {n['label']}")
    elif not n["canonical"]:
        notes.append(f"non-canonical sampling ({n['label']}) on both sides: compared, but this is not the "
                     "canonical greedy gate")
    for key in ("max_tokens", "reasoning_effort"):
        if before["thinking"].get(key) != now["thinking"].get(key):
            hard.append(f"thinking {key}: baseline {before['thinking'].get(key)}, now {now['thinking'].get(key)}")
    if before.get("model") != now.get("model"):
        notes.append(f"model: baseline {before.get('model')}, now {now.get('model')}")
    if [s.get("template_sha256") for s in before.get("server", [])][:1] != \
            [s.get("template_sha256") for s in now.get("server", [])][:1]:
        notes.append("chat template differs from the baseline's")
    return hard, notes


def compare(before: Mapping[str, Any], now: Mapping[str, Any], max_drop_pp: float = 10.0,
            allow_subset: bool = False) -> Comparison:
    hard, notes = config_mismatches(before, now)
    bs, ns = before["scenarios"], now["scenarios"]
    rows: list[PackDiff] = []
    flips: list[str] = []
    flaky: list[str] = []
    mismatches = list(hard)
    incomplete: list[str] = []
    for pack in sorted(set(before["packs"]) | set(now["packs"])):
        bp, np_ = before["packs"].get(pack), now["packs"].get(pack)
        if bp is None or np_ is None:
            rows.append(PackDiff(pack, "new" if bp is None else "missing",
                                 "not in the baseline" if bp is None else "not in this run"))
            if np_ is None:
                incomplete.append(f"{pack} not run")
            continue
        why = []
        if bp["version"] != np_["version"]:
            why.append(f"pack version {bp['version']} -> {np_['version']}")
        if bp["thinking"] != np_["thinking"]:
            why.append(f"thinking {'on' if bp['thinking'] else 'off'} -> {'on' if np_['thinking'] else 'off'}")
        keys = sorted(k for k in set(bs) & set(ns) if k.split("::")[0] == pack)
        if not keys:
            why.append("no scenario in common")
        if why or hard:
            mismatches += [f"{pack}: {w}" for w in why]
            rows.append(PackDiff(pack, "not compared", "; ".join(why or ["configuration differs"])))
            continue
        pairs = [(Tally(bs[k]["passes"], bs[k]["n"]), Tally(ns[k]["passes"], ns[k]["n"])) for k in keys]
        shift = stats.paired_shift(pairs)
        delta_pp = shift.delta * 100
        if delta_pp < -max_drop_pp and shift.z < -stats.Z95_ONE_SIDED:
            verdict = "regression"
        elif delta_pp > max_drop_pp and shift.z > stats.Z95_ONE_SIDED:
            verdict = "improvement"
        else:
            verdict = "within noise"
        rows.append(PackDiff(pack, verdict, "", sum(b.rate for b, _ in pairs) / len(pairs),
                             sum(n.rate for _, n in pairs) / len(pairs), delta_pp, shift.z, len(pairs)))
        for k, (b, n) in zip(keys, pairs):
            if (b.stability, n.stability) == ("stable_pass", "stable_fail"):
                flips.append(f"{k}: stable pass -> stable fail ({b.passes}/{b.n} -> {n.passes}/{n.n})")
            elif (b.stability, n.stability) == ("stable_fail", "stable_pass"):
                flips.append(f"{k}: stable fail -> stable pass ({b.passes}/{b.n} -> {n.passes}/{n.n})")
            elif b.stability != n.stability:
                flaky.append(f"{k}: {b.stability.replace('_', ' ')} -> {n.stability.replace('_', ' ')} "
                             f"({b.passes}/{b.n} -> {n.passes}/{n.n})")
        held = len({k for k in bs if k.split("::")[0] == pack})
        if len(keys) < held:
            incomplete.append(f"{pack} {len(keys)} of {held} scenarios")
    return Comparison(tuple(rows), tuple(flips), tuple(flaky), tuple(mismatches), tuple(notes), max_drop_pp,
                      tuple(incomplete), allow_subset)


def render(cmp: Comparison, label: str) -> list[str]:
    """The diff as markdown lines (table, flips, mismatches), ending with the verdict line."""
    lines = [f"Baseline diff vs {label}", "",
             "| Pack | Baseline | Now | Δ pp | z | Verdict |", "|---|---|---|---|---|---|"]
    for p in cmp.packs:
        if p.delta_pp is None:
            lines.append(f"| {p.pack} | – | – | – | – | {p.verdict} ({p.reason}) |")
        else:
            shown = p.verdict.upper() if p.verdict == "regression" else p.verdict
            lines.append(f"| {p.pack} | {p.before:.1%} | {p.now:.1%} | {p.delta_pp:+.1f} | {_z(p.z)} | {shown} |")
    for title, items in (("Scenario flips:", cmp.flips), ("Stability changes (flaky):", cmp.flaky),
                         ("Mismatches (not compared):", cmp.mismatches), ("Notes:", cmp.notes)):
        if items:
            lines += ["", title] + [f"  {x}" for x in items]
    return lines + ["", cmp.verdict_line()]
