"""One active run inside a pytest session: the object every plugin hook delegates to.

It owns, each through its own module: the pack catalogue (catalogue.py), the servers it
launched (servers.py), the probed endpoints (probe.py), the engine that dispatches episodes
ahead of the items (engine.py, lanes.py), the eval state journal and resume (state.py),
hand-written tests' results (fixtures.py), the live progress line (progress.py) and the
session end (summary.py). Created only when the plugin is asked for; under
`--collect-only` it collects and does nothing else (no server, no probe, no state).

Roles under pytest-xdist: the controller launches and probes, writes the journal and the
summary, and runs no items; each worker dispatches the items it is given, on its share of
every endpoint's slots, with the controller's probe results."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

import pytest

from . import state
from .catalogue import Catalogue
from .datasets import DataPaths
from .collection import PackFile, ScenarioItem, UnavailableItem, error_text, failure_text, is_pack_file, shipped_nodeid
from .config import RunConfig
from .controls import probes
from .engine import Engine
from .fixtures import pool_for, sandboxes
from .errors import BaselineError, EndpointError, ModelQAError, StateError
from .lanes import Outcome, build_engine, client_for, job
from .options import AUTO
from .names import shipped_packs_dir
from .packs import Scenario
from .probe import EndpointInfo, probe
from .progress import Progress
from .redaction import redact
from .report import RowSpec, Selection, header_lines, pack_row
from .results import ScenarioResult
from .servers import ServerSet
from .summary import RunRecord, SessionSummary, render, summarise, write
from .verdicts import evaluate
from .verifiers import needs
from .verifiers.bounded import BoundedVerifier


class ModelQASession:
    def __init__(self, config: pytest.Config, cfg: RunConfig, sources: dict[str, str] | None = None):
        self.config, self.cfg, self.sources = config, cfg, sources or {}
        self.worker = hasattr(config, "workerinput")
        self.controller = not self.worker and bool(getattr(config.option, "numprocesses", None))
        self.collect_only = bool(config.option.collectonly)
        self.catalogue = Catalogue(DataPaths.of(vars(self.cfg)))
        self.pack_dirs = {shipped_packs_dir().resolve(), *cfg.packs_dirs}
        self.servers = ServerSet(self.say, cfg.secrets)
        self.endpoints: list[EndpointInfo] = []
        self.engine: Engine[Outcome] | None = None
        self.verifier = BoundedVerifier()
        self.scheduled: dict[str, ScenarioItem] = {}  # dispatched to the engine, by node id
        self.run_id = uuid.uuid4().hex
        self.created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.resume_source: Path | None = None
        self.saved: state.SavedState | None = None
        self.resumed: dict[str, ScenarioResult] = {}
        self.results: list[ScenarioResult] = []
        self.journal: state.Journal | None = None
        self.progress: Progress | None = None
        self.quality_failures = 0
        self.reused = 0  # results re-used from the resumed state
        self.baseline: dict[str, Any] | None = None
        self.groups: dict[str, RowSpec] = {}  # the rows of hand-written tests, as collected
        self.rows: dict[str, RowSpec] = {}  # the rows results were reported for (any process's)
        self.summary: SessionSummary | None = None
        self.skipped: dict[str, tuple[int, str]] = {}  # pack -> (scenarios skipped, why)
        self._markers: set[str] = set()
        self._sandbox_problems: dict[str, str] = {}  # image -> why it cannot be started ("" when it can)
        self._weak_isolation = False  # the sandbox backend isolates processes only (local)
        self._chat_client: Any = None

    # -- output ---------------------------------------------------------------------------------
    def say(self, line: str) -> None:
        """A progress or status line (quiet under -q)."""
        if self.config.option.verbose < 0:
            return
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        if tr is not None:
            tr.write_line(line)

    def register_marker(self, name: str, text: str) -> None:
        if name not in self._markers:
            self._markers.add(name)
            self.config.addinivalue_line("markers", f"{name}: {text}")

    # -- configure: what gets collected ---------------------------------------------------------
    def add_default_paths(self) -> None:
        """Given no path arguments, the shipped packs run; --modelqa-packs-dir always adds its
        directories. A shipped pack's `packs/<file>` id finds it from any directory."""
        args = self.config.args
        for i, arg in enumerate(args):
            path, _, rest = arg.partition("::")
            here = Path(self.config.invocation_params.dir, path)
            shipped = shipped_packs_dir() / Path(path).name
            if path.startswith("packs/") and not here.exists() and shipped.is_file():
                args[i] = str(shipped) + (f"::{rest}" if rest else "")
        if self.config.args_source != pytest.Config.ArgsSource.ARGS:
            args.append(str(shipped_packs_dir()))
        args.extend(str(d) for d in self.cfg.packs_dirs if str(d) not in args)

    def collect_file(self, file_path: Path, parent: pytest.Collector) -> PackFile | None:
        if not is_pack_file(file_path, parent, self.pack_dirs):
            return None
        nodeid = shipped_nodeid(file_path, self.config.rootpath)
        if nodeid is not None:
            return PackFile.from_parent(parent, path=file_path, nodeid=nodeid)
        return PackFile.from_parent(parent, path=file_path)

    # -- session start --------------------------------------------------------------------------
    def start(self) -> None:
        """Launch and probe (not under --collect-only), load the baseline and the state to
        resume: everything that can refuse the run does so before a scenario is sent."""
        if self.collect_only:
            return
        if self.worker:
            given = self.config.workerinput  # type: ignore[attr-defined]
            self.endpoints = [EndpointInfo(**e) for e in given["modelqa_endpoints"]]
            if given.get("modelqa_resume"):
                self.saved = state.load(Path(given["modelqa_resume"]))  # checked by the controller
            return
        try:
            # Refusals that need no server come first, so nothing is launched for them; the
            # default baseline name needs the served model's name, so it is read after the probe.
            self._check_capture()
            self._prepare_state()
            if str(self.cfg.baseline_diff) != AUTO:
                self._load_baseline()
            if not self.cfg.control:
                self._connect()
                self._check_served()
            if self.baseline is None:
                self._load_baseline()
        except ModelQAError as exc:
            self.close()
            raise pytest.UsageError(f"modelqa: {redact(str(exc), self.cfg.secrets)}") from None

    def _connect(self) -> None:
        urls = self.servers.launch(self.cfg.endpoints, self.cfg.serve_cmd, self.cfg.serve_timeout)
        infos = []
        for url in urls:
            self.say(f"modelqa: probing {redact(url)} (health, models, props, a short generation)")
            client = client_for(url, self.cfg)
            try:
                info = probe(url, client, self.cfg.model)
            finally:
                client.close()
            infos.append(replace(info, slots=info.slots or self.servers.slot_hints.get(url)))
        self.endpoints = infos
        models = {e.model for e in infos}
        if len(models) > 1:
            raise EndpointError(f"the endpoints serve different models ({', '.join(sorted(models))}); "
                                "several --model-endpoint values must serve one model")

    def _check_served(self) -> None:
        """What the endpoints serve belongs to the run's identity: a journal written against
        another model (or build, or chat template) is not resumed against this one."""
        served = state.served_identity(self.endpoints)
        if self.journal is not None:
            self.journal.head["served"] = served
        if self.saved is not None:
            state.check_served(self.saved, served)

    def baseline_path(self, given: Path | None) -> Path | None:
        if given is None or str(given) != AUTO:
            return given
        from .baseline import default_path
        model = self.endpoints[0].model if self.endpoints else None
        return default_path(self.config.rootpath, model, self.cfg.thinking)

    def _check_capture(self) -> None:
        if self.cfg.baseline_capture and str(self.cfg.baseline_capture) == AUTO and not self.cfg.canonical:
            raise BaselineError("a non-canonical baseline needs an explicit --baseline-capture PATH "
                                "(the default names are for canonical greedy baselines)")

    def _load_baseline(self) -> None:
        path = self.baseline_path(self.cfg.baseline_diff)
        if path is not None:
            from .baseline import load
            self.baseline = load(path)

    def _prepare_state(self) -> None:
        cfg, root = self.cfg, Path(self.config.invocation_params.dir)
        if cfg.resume_path:
            self.resume_source = state.resolve_resume(cfg.resume_path, root)
            self.saved = state.load(self.resume_source)
            state.check_resumable(self.saved, cfg.hash, cfg.public())
            self.run_id, self.created = self.saved.run_id, self.saved.header["created"]
        if cfg.state_path is None and cfg.control and not cfg.resume_path:
            return  # a verifier self-test has nothing worth resuming unless asked
        head = state.header(self.run_id, cfg.hash, self.created, cfg.sampling_record(), cfg.public())
        self.journal = state.journal_for(head, root, cfg.state_path, self.resume_source)

    def header(self) -> list[str]:
        return header_lines(self.cfg, self.endpoints, self.collect_only)

    # -- collection -----------------------------------------------------------------------------
    def count_collected(self, items: Sequence[pytest.Item]) -> None:
        """Before -k/-m deselect anything: the rows of the hand-written tests, in full."""
        from .fixtures import group_rows
        self.groups = group_rows(items, self.cfg)

    def collection_finished(self, session: pytest.Session) -> None:
        if self.collect_only or self.controller:
            return  # the xdist controller runs no items
        items = [i for i in session.items if isinstance(i, ScenarioItem)]
        if self.saved is not None:
            versions = {p.meta.id: p.meta.version for p in self.catalogue.packs}
            self.resumed = state.reusable(self.saved, versions)
        if items and self.engine is None:
            share = int(self.config.workerinput["workercount"]) if self.worker else 1  # type: ignore[attr-defined]
            self.engine = build_engine(self.cfg, self.endpoints, share, self._sandboxed_at_once(items))
        if not self.worker:
            from .fixtures import group_of
            ours = [i for i in session.items if isinstance(i, ScenarioItem) or group_of(i) is not None]
            self.dispatch(items)
            if self.journal is not None:
                self.journal.planned(i.nodeid for i in ours)
            self.progress = Progress(len(ours), self.say)

    def planned(self, nodeids: Sequence[str]) -> None:
        """Under xdist, the controller's plan and progress come from a worker's selection
        (plain tests included: the controller cannot tell them apart)."""
        if self.progress is None:
            if self.journal is not None:
                self.journal.planned(nodeids)
            self.progress = Progress(len(nodeids), self.say)

    def dispatch(self, items: Sequence[pytest.Item]) -> None:
        """Submit scenario jobs ahead of their items, except those re-used from a resumed state."""
        assert self.engine is not None or not any(isinstance(i, ScenarioItem) for i in items)
        for item in items:
            if isinstance(item, ScenarioItem) and item.nodeid not in self.resumed and not self.missing_needs(item.scenario):
                self.scheduled[item.nodeid] = item
                boxes = sandboxes(self.config) if item.scenario.pack.sandbox else None
                self.engine.submit(item.nodeid, job(self.cfg, item.scenario, item.repeat, boxes))  # type: ignore[union-attr]

    def _sandboxed_at_once(self, items: Sequence[ScenarioItem]) -> int:
        """How many sandboxed episodes may run at once: the pool's size, if any will run."""
        runnable = [i for i in items if i.scenario.pack.sandbox and not self.missing_needs(i.scenario)]
        return sandboxes(self.config).pool().size if runnable else 0

    def missing_needs(self, scenario: Scenario) -> str:
        """Why the scenario cannot run here ("" when it can): its pack's sandbox cannot be
        started (asked once per image), or its verifier needs a judge (none is provided yet)."""
        image = scenario.pack.sandbox
        if image:
            if image not in self._sandbox_problems:
                pool, why = pool_for(self.config, image)
                self._sandbox_problems[image] = why
                self._weak_isolation = pool is not None and pool.backend.isolation != "container"
            if self._sandbox_problems[image]:
                return f"{scenario.pack.id} needs the {image} sandbox: {self._sandbox_problems[image]}"
            if self._weak_isolation and scenario.pack.executor != "agent":
                # the agent tools are ours; fixes and shell commands are the model's own code
                return (f"{scenario.pack.id} runs model-written code, which the local backend (process isolation "
                        "only) does not contain: it needs --modelqa-sandbox-backend=docker")
        if "judge" in needs(scenario):
            return f"{scenario.pack.id} needs a judge, which this run does not provide (see the README: judges)"
        if self.cfg.control and not probes(self.cfg.control, scenario):
            return (f"{scenario.pack.id} {scenario.id}: its data has no reference answers, so "
                    f"--modelqa-control={self.cfg.control} has nothing to check")
        return ""

    # -- items ----------------------------------------------------------------------------------
    def result_for(self, nodeid: str, scenario: Scenario, repeat: int) -> ScenarioResult:
        """The item's result: re-used from the resumed state, else its episode's verdict."""
        found = self.resumed.get(nodeid)
        if found is not None:
            return found
        assert self.engine is not None
        return evaluate(self.cfg, scenario, nodeid, self.engine.wait(nodeid), repeat, self.verifier)

    def dispatch_ahead(self, item: pytest.Item) -> None:
        """xdist hands items out as it goes: dispatch this one and what this worker holds."""
        if isinstance(item, ScenarioItem):
            self.dispatch([item, *pending_items(self.config, item.session)])

    def attach(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """Put the item's result on its report (serialised for xdist by the plugin's hooks)."""
        if isinstance(item, UnavailableItem):
            if report.when == "setup":
                report.modelqa_skipped = (item.pack.meta.id, item.why, 0)  # type: ignore[attr-defined]
            return
        if isinstance(item, ScenarioItem):
            if report.when == "setup" and report.skipped and item.result is None:
                why = self.missing_needs(item.scenario)
                if why:  # the summary says which packs did not run, and why
                    pack = item.scenario.pack.id
                    report.modelqa_skipped = (pack, why.removeprefix(f"{pack} "), 1)  # type: ignore[attr-defined]
            if item.result is not None and (report.when == "call" or (report.when == "setup" and report.failed)):
                if report.when == "setup":  # pytest would print its own setup frames for it
                    report.longrepr = error_text(item.result)
                report.modelqa_result = item.result  # type: ignore[attr-defined]
                report.modelqa_reused = item.nodeid in self.resumed  # type: ignore[attr-defined]
                pack = self.catalogue.by_id(item.scenario.pack.id)
                assert pack is not None
                report.modelqa_row = pack_row(pack, self.cfg)  # type: ignore[attr-defined]
            return
        from .fixtures import group_of, handwritten_result
        row = self.groups.get(group_of(item) or "")
        result = handwritten_result(item, report, self.cfg, row) if row is not None else None
        if result is not None:
            report.modelqa_result = result  # type: ignore[attr-defined]
            report.modelqa_row = row  # type: ignore[attr-defined]

    def logreport(self, report: pytest.TestReport) -> None:
        if self.worker:
            return  # the controller records what workers report
        result: ScenarioResult = report.modelqa_result  # type: ignore[attr-defined]
        row: RowSpec = report.modelqa_row  # type: ignore[attr-defined]
        self.rows.setdefault(row.id, row)
        self.record(result, bool(getattr(report, "modelqa_reused", False)))
        if self.config.option.verbose > 0 and result.outcome != "passed" and row.kind == "pack":
            tr = self.config.pluginmanager.get_plugin("terminalreporter")
            if tr is not None:
                tr.write_line("")
                tr.write_line(failure_text(result) if result.outcome == "failed"
                              else f"{result.scenario}: serving error {result.failure_mode}: {result.detail}",
                              red=True)

    def skipped_item(self, pack: str, why: str, scenarios: int) -> None:
        """Scenarios that could not run here (their sandbox is missing: one each; their
        dataset is: none could even be built), counted per pack."""
        if not self.worker:
            count, _ = self.skipped.get(pack, (0, why))
            self.skipped[pack] = (count + scenarios, why)

    def record(self, result: ScenarioResult, reused: bool = False) -> None:
        """A finished item's result, in the process that sees every report; `reused`: taken
        from the resumed state rather than run."""
        self.results.append(result)
        self.quality_failures += result.outcome == "failed"
        self.reused += reused
        if self.journal is not None and not (reused and self.journal.append):
            try:
                self.journal.finished(result)
            except (OSError, StateError) as exc:
                self.say(f"modelqa: cannot write the eval state {self.journal.path}: {exc}; the run goes on")
                self.journal = None
        if self.progress is not None:
            self.progress.update(result.outcome == "passed", result.completion_tokens)

    def chat_client(self) -> Any:
        """The client hand-written tests share (the first endpoint's), made on first use."""
        if self._chat_client is None:
            self._chat_client = client_for(self.endpoints[0].url, self.cfg)
        return self._chat_client

    def endpoint_provenance(self) -> str:
        if self.cfg.serve_cmd and not self.cfg.endpoints:
            return "launched by the plugin (--modelqa-serve-cmd)"
        if self.cfg.endpoints and self.cfg.endpoints[0] == "embedded":
            return "launched by the plugin (--model-endpoint=embedded, the bundled tiny model)"
        return f"--model-endpoint from the {self.sources.get('endpoint', 'command line')}"

    # -- session end ----------------------------------------------------------------------------
    def close(self) -> None:
        self.verifier.close()
        if self.engine is not None:
            self.engine.close()
            self.engine = None
        if self._chat_client is not None:
            self._chat_client.close()
            self._chat_client = None
        self.servers.stop()
        if self.journal is not None:
            self.journal.close()

    def finish(self, session: pytest.Session) -> None:
        interrupted = session.shouldstop is not False or session.exitstatus == pytest.ExitCode.INTERRUPTED
        if interrupted and not self.worker:
            self._score_answers_in_hand()
        self.close()
        if self.worker or not self.results:
            return
        rows = sorted(self.rows.values(), key=lambda r: (r.kind != "pack", r.id))
        opt = self.config.option
        selection = Selection(markexpr=opt.markexpr or "", keyword=opt.keyword or "",
                              paths=tuple(a for a in self.config.args if a not in self._default_args())
                              if self.config.args_source == pytest.Config.ArgsSource.ARGS else (),
                              last_failed=bool(getattr(opt, "lf", False)),
                              interrupted=interrupted)
        capture = self.baseline_path(self.cfg.baseline_capture)
        record = RunRecord(self.cfg, tuple(rows), tuple(self.results), tuple(self.endpoints), selection,
                           self.run_id, dt.datetime.now(dt.timezone.utc), self.baseline,
                           str(self.baseline_path(self.cfg.baseline_diff) or ""), capture, self.reused,
                           self.journal.path if self.journal is not None and self.journal.path.exists() else None,
                           tuple((p, n, why) for p, (n, why) in sorted(self.skipped.items())))
        self.summary = write(summarise(record))
        sandboxed = {p.meta.id for p in self.catalogue.packs if p.meta.sandbox}
        if self._weak_isolation and any(r.pack in sandboxed for r in self.results):
            self.summary = self.summary.with_notes([
                "Sandboxes: the local backend, process isolation only (this host's network, files and processes "
                "were reachable from inside); only packs that run no model-written code used it"])
        session.exitstatus = self._gate_exit(session)
        if self.summary.unwritten and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED  # an artifact asked for is missing

    def _score_answers_in_hand(self) -> None:
        """An interrupted run keeps what finished: episodes done ahead of items that never ran
        are verified and recorded too (they are in the JSON and the journal, not in pytest's
        own tally), so a resume need not ask for them again."""
        if self.engine is None:
            return
        recorded = {r.nodeid for r in self.results}
        done = [(nid, out) for nid, out in self.engine.finished().items() if nid not in recorded]
        for nodeid, outcome in done:
            item = self.scheduled[nodeid]
            pack = self.catalogue.by_id(item.scenario.pack.id)
            assert pack is not None
            row = pack_row(pack, self.cfg)
            self.rows.setdefault(row.id, row)
            self.record(evaluate(self.cfg, item.scenario, nodeid, outcome, item.repeat, self.verifier))
        if done:
            self.say(f"modelqa: interrupted: {len(done)} scenarios answered ahead of their items were scored too")

    def _default_args(self) -> set[str]:
        return {str(shipped_packs_dir()), *(str(d) for d in self.cfg.packs_dirs)}

    def _gate_exit(self, session: pytest.Session) -> int | pytest.ExitCode:
        """With --baseline-diff the gate decides: a regression fails the session even when every
        item passed, and scenario failures the baseline explains do not fail it on their own
        (a model that fails 2 of 15 scenarios must still be gateable). Anything else that failed
        (serving errors, other tests, collection) keeps its non-zero status."""
        s = self.summary
        assert s is not None
        if s.gate_failed:
            return pytest.ExitCode.TESTS_FAILED if session.exitstatus == pytest.ExitCode.OK else session.exitstatus
        if (s.gate and session.exitstatus == pytest.ExitCode.TESTS_FAILED
                and session.testsfailed == self.quality_failures):
            self.summary = s.with_notes([f"Exit status: 0, decided by the baseline gate ({self.quality_failures} "
                                         "scenario failures are quality results within the baseline's range)"])
            return pytest.ExitCode.OK
        return session.exitstatus

    def terminal_summary(self, tr: Any) -> None:
        if self.summary is not None:
            render(self.summary, tr)



def pending_items(config: pytest.Config, session: pytest.Session) -> list[pytest.Item]:
    """Items xdist has already assigned to this worker but not yet run (best effort)."""
    for plugin in config.pluginmanager.get_plugins():
        queue = getattr(plugin, "torun", None)
        if queue is not None and hasattr(queue, "lock"):
            with queue.lock() as pending:
                return [session.items[i] for i in list(pending) if isinstance(i, int)]
    return []
