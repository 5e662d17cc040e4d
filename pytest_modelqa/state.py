"""Eval state: a journal of the run, written as scenarios finish, and resume from it.

Format (schemas/state.schema.json): JSON Lines. The first line is the header (run id,
config hash, sampling, settings), then a `planned` line (every selected scenario's node id),
then one `finished` line per scenario with its full result. A line is one write() of a
complete record, flushed at once, so a killed process leaves at most a torn last line,
which loading ignores. A scenario is finished when its line is there; every planned id
without one is pending. Starting a journal (fresh, or carrying a resumed run's records)
replaces the file atomically.

Resume re-uses a finished scenario when the state's config hash equals this run's and the
scenario's pack version is unchanged; serving errors are not finished work and run again."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Mapping

from .results import ScenarioResult, write_text_atomic

STATE_SCHEMA_VERSION = "1.0.0"


class StateError(Exception):
    pass


@dataclass(frozen=True)
class SavedState:
    path: Path
    header: dict[str, Any]
    finished: dict[str, ScenarioResult]  # node id -> result (the last record wins)
    planned: tuple[str, ...]

    @property
    def run_id(self) -> str:
        return self.header["run_id"]


def _line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def header(run_id: str, config_hash: str, created: str, sampling: Mapping[str, Any],
           config: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": "modelqa-state", "schema_version": STATE_SCHEMA_VERSION, "run_id": run_id,
            "config_hash": config_hash, "created": created, "sampling": dict(sampling), "config": dict(config)}


class Journal:
    """The state file of this run, open for appending."""

    def __init__(self, path: Path, head: Mapping[str, Any], carried: Iterable[ScenarioResult] = ()):
        self.path = path
        text = _line(head) + "".join(_line({"event": "finished", "result": r.to_json()}) for r in carried)
        write_text_atomic(path, text)
        self._fh: IO[str] | None = open(path, "a", encoding="utf-8")

    def _write(self, record: Mapping[str, Any]) -> None:
        assert self._fh is not None
        self._fh.write(_line(record))
        self._fh.flush()

    def planned(self, nodeids: Iterable[str]) -> None:
        self._write({"event": "planned", "nodeids": list(nodeids)})

    def finished(self, result: ScenarioResult) -> None:
        self._write({"event": "finished", "result": result.to_json()})

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def load(path: Path) -> SavedState:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise StateError(f"cannot read eval state {path}: {exc.strerror or exc}") from None
    records = []
    for i, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if i == len(lines):
                break  # torn by a kill mid-write: that scenario simply did not finish
            raise StateError(f"{path}:{i}: not a JSON record (the state file is damaged)") from None
    if not records or records[0].get("kind") != "modelqa-state":
        raise StateError(f"{path} is not a pytest-modelqa eval state (no header line)")
    head = records[0]
    if head.get("schema_version") != STATE_SCHEMA_VERSION:
        raise StateError(f"{path}: state schema {head.get('schema_version')}, this plugin reads {STATE_SCHEMA_VERSION}")
    finished: dict[str, ScenarioResult] = {}
    planned: tuple[str, ...] = ()
    for i, rec in enumerate(records[1:], 2):
        try:
            if rec["event"] == "planned":
                planned = tuple(rec["nodeids"])
            elif rec["event"] == "finished":
                result = ScenarioResult.from_json(rec["result"])
                finished[result.nodeid] = result
        except (KeyError, TypeError) as exc:
            raise StateError(f"{path}:{i}: malformed record ({exc})") from None
    return SavedState(Path(path), head, finished, planned)


def check_resumable(saved: SavedState, config_hash: str, public_config: Mapping[str, Any]) -> None:
    """Refuse a state written under other quality-relevant settings, naming what differs."""
    if saved.header["config_hash"] == config_hash:
        return
    theirs = saved.header.get("config", {})
    differs = [f"{k}: state {theirs.get(k)!r}, now {v!r}" for k, v in public_config.items()
               if k in theirs and theirs.get(k) != v and not k.endswith(("_path", "_capture", "_diff"))
               and k not in ("endpoints", "serve_cmd", "concurrency", "retries", "case_timeout", "packs_dirs",
                             "repeat")]
    raise StateError(f"cannot resume from {saved.path}: it was written with config hash "
                     f"{saved.header['config_hash']}, this run has {config_hash}"
                     + (f" ({'; '.join(differs)})" if differs else "")
                     + ". Resume with the same settings, or start a fresh run without --resume.")


def reusable(saved: SavedState, versions: Mapping[str, str]) -> dict[str, ScenarioResult]:
    """Finished, non-error results whose pack still has the same version (pack id -> version)."""
    return {nodeid: r for nodeid, r in saved.finished.items()
            if r.outcome != "error" and versions.get(r.pack) == r.pack_version}


def default_path(root: Path) -> Path:
    return root / "results" / "modelqa-state.jsonl"

