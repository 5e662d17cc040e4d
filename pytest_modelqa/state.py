"""Eval state: a journal of the run, written as scenarios finish, and resume from it.

Format (schemas/state.schema.json): JSON Lines. The first line is the header (run id,
config hash, sampling, settings), then a `planned` line (every selected scenario's node id),
then one `finished` line per scenario with its full result; a resumed run appends a
`resumed` line and goes on appending. A line is one write() of a complete record, flushed at
once, so a killed process leaves at most a torn last line, which loading ignores. A
scenario is finished when its line is there; every planned id without one is pending.

Nothing is ever lost: each run writes its own journal (by default a new file under
results/modelqa-state/, with `latest.jsonl` a symlink to the newest), the file is created
only when the first scenario finishes (so `--collect-only`, empty and refused runs write
nothing), and a journal that holds finished scenarios is only ever appended to, by the run
that resumes it. Pointing a new run at such a file is refused.

Resume re-uses a finished scenario when the state's config hash equals this run's and the
scenario's pack version is unchanged; serving errors are not finished work and run again."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Mapping

from .errors import StateError
from .results import ScenarioResult

STATE_SCHEMA_VERSION = "1.1.0"
READABLE_VERSIONS = ("1.0.0", STATE_SCHEMA_VERSION)  # 1.1.0 added the `resumed` record


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
    """This run's state file. Nothing touches the disk until the first scenario finishes."""

    def __init__(self, path: Path, head: Mapping[str, Any], append: bool = False, latest: Path | None = None):
        self.path, self.head, self.append, self.latest = Path(path), dict(head), append, latest
        self._planned: list[str] = []
        self._fh: IO[str] | None = None

    def planned(self, nodeids: Iterable[str]) -> None:
        self._planned = list(nodeids)

    def _open(self) -> IO[str]:
        if self._fh is not None:
            return self._fh
        planned = _line({"event": "planned", "nodeids": self._planned})
        if self.append:
            fh = open(self.path, "a", encoding="utf-8", errors="backslashreplace")
            if not _ends_with_newline(self.path):
                fh.write("\n")  # close a torn last line; loading skips it
            fh.write(_line({"event": "resumed", "run_id": self.head["run_id"], "created": self.head["created"]}))
            fh.write(planned)
        else:
            self.path = _create(self.path, _line(self.head) + planned, self.head["run_id"])
            fh = open(self.path, "a", encoding="utf-8", errors="backslashreplace")
            if self.latest is not None:
                _point(self.latest, self.path)
        self._fh = fh
        return fh

    def finished(self, result: ScenarioResult) -> None:
        fh = self._open()
        fh.write(_line({"event": "finished", "result": result.to_json()}))
        fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def journal_for(head: Mapping[str, Any], root: Path, given: Path | None, resume_source: Path | None) -> Journal:
    """This run's journal: the resumed one (appended to), the path given (which must not hold
    finished scenarios), or a new file under results/modelqa-state/ that latest.jsonl will name."""
    if resume_source is not None and (given is None or given.resolve() == resume_source.resolve()):
        return Journal(resume_source, head, append=True)
    if given is not None:
        check_new_journal(given)
        return Journal(given, head)
    return Journal(new_path(root, head["run_id"]), head, latest=state_dir(root) / "latest.jsonl")


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        if fh.seek(0, os.SEEK_END) == 0:
            return True
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def _create(path: Path, text: str, run_id: str) -> Path:
    """Create the journal without ever replacing one that holds finished scenarios, even one
    another run created since this run started (two runs given the same path): then this
    run's journal goes beside it, named by its run id."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        for target in (path, path.with_name(f"{path.stem}-{run_id[:8]}{path.suffix}")):
            try:
                os.link(tmp, target)  # fails if the target exists: no check-then-write race
                return target
            except FileExistsError:
                try:
                    check_new_journal(target)
                except StateError:
                    continue
                os.replace(tmp, target)  # an empty or header-only journal: nothing to lose
                return target
        raise StateError(f"{path} and its run-id variant both hold finished scenarios")
    finally:
        tmp.unlink(missing_ok=True)


def _point(link: Path, target: Path) -> None:
    """Make `link` a symlink to `target`, atomically (a reader never sees it missing)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    try:
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.path.relpath(target, link.parent))
        os.replace(tmp, link)
    except OSError:
        tmp.unlink(missing_ok=True)  # a convenience only: the journal itself is written


def state_dir(root: Path) -> Path:
    return Path(root) / "results" / "modelqa-state"


def new_path(root: Path, run_id: str, now: dt.datetime | None = None) -> Path:
    """A new journal's name: its UTC start to the microsecond, then the run id, so names sort
    by age even for runs started within one second."""
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%S.%fZ")
    return state_dir(root) / f"{stamp}-{run_id[:8]}.jsonl"


def resolve_resume(path: Path, root: Path) -> Path:
    """`latest` -> the journal latest.jsonl points at."""
    if str(path) != "latest":
        return Path(path)
    link = state_dir(root) / "latest.jsonl"
    if not link.exists():
        raise StateError(f"no eval state to resume: {link} does not exist (no run has finished a scenario here)")
    return link.resolve()


def check_new_journal(path: Path) -> None:
    """A new run may not replace a journal that holds finished scenarios."""
    if not Path(path).exists():
        return
    try:
        saved = load(path)
    except StateError:
        saved = None
    if saved is None or saved.finished:
        what = f"holds {len(saved.finished)} finished scenarios of run {saved.run_id}" if saved else \
            "is not an eval state this plugin can read"
        raise StateError(f"{path} {what}; resume it with --modelqa-resume {path}, or give --modelqa-state "
                         "another path (nothing is ever overwritten)")


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
            # Torn by a kill mid-write (the last line, or one a resumed run closed off): that
            # scenario simply did not finish.
            if i == len(lines) or '"event":"resumed"' in lines[i]:
                continue
            raise StateError(f"{path}:{i}: not a JSON record (the state file is damaged)") from None
    if not records or records[0].get("kind") != "modelqa-state":
        raise StateError(f"{path} is not a pytest-modelqa eval state (no header line)")
    head = records[0]
    missing = [k for k in ("run_id", "config_hash", "created") if not isinstance(head.get(k), str)]
    if missing or not isinstance(head.get("config", {}), dict):
        raise StateError(f"{path}: the header lacks {', '.join(missing) or 'a config object'} (the state file is damaged)")
    if head.get("schema_version") not in READABLE_VERSIONS:
        raise StateError(f"{path}: state schema {head.get('schema_version')}, this plugin reads {STATE_SCHEMA_VERSION}")
    finished: dict[str, ScenarioResult] = {}
    planned: tuple[str, ...] = ()
    for i, rec in enumerate(records[1:], 2):
        try:
            if rec["event"] == "planned":
                planned = tuple(dict.fromkeys((*planned, *rec["nodeids"])))
            elif rec["event"] == "finished":
                result = ScenarioResult.from_json(rec["result"])
                finished[result.nodeid] = result
        except (KeyError, TypeError, AttributeError) as exc:
            raise StateError(f"{path}:{i}: malformed record ({type(exc).__name__}: {exc})") from None
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


def served_identity(endpoints: Iterable[Any]) -> list[dict[str, Any]]:
    """What the endpoints actually serve: model id, server build, chat template hash."""
    return sorted(({"model": e.model, "build": e.build, "template_sha256": e.template_sha256} for e in endpoints),
                  key=lambda d: json.dumps(d, sort_keys=True))


def check_served(saved: SavedState, served: list[dict[str, Any]]) -> None:
    theirs = saved.header.get("served")
    if theirs is None:
        if saved.finished:
            raise StateError(f"cannot resume from {saved.path}: it does not record what its endpoint served (written "
                             "by an older plugin), so its verdicts cannot be shown to be this model's; start a fresh run")
        return
    if theirs != served:
        def show(ids: list[dict[str, Any]]) -> str:
            return ", ".join(f"{d['model']} (build {d['build'] or '?'}, template "
                             f"{(d['template_sha256'] or '?')[:12]})" for d in ids) or "nothing"
        raise StateError(f"cannot resume from {saved.path}: it was written against {show(theirs)}, the endpoint now "
                         f"serves {show(served)}; its verdicts are not this model's. Start a fresh run.")


def reusable(saved: SavedState, versions: Mapping[str, str]) -> dict[str, ScenarioResult]:
    """Finished, non-error results whose pack still has the same version (pack id -> version)."""
    return {nodeid: r for nodeid, r in saved.finished.items()
            if r.outcome != "error" and versions.get(r.pack) == r.pack_version}


