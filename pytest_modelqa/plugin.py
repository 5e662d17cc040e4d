"""pytest hooks only. Inert unless --model-endpoint or --modelqa-control is given: then the
run's plugin object (ModelQA) is registered and does the work through run.Run."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .packs import Pack, Scenario
    from .run import Run

AUTO = "auto"  # --baseline-capture/--baseline-diff without a PATH: the default naming

MODE_MARKERS = {
    "quick": "per-commit quality gate packs",
    "medium": "pre-release packs",
    "full": "everything, sandboxed packs included",
    "reasoning": "nightly code and math reasoning packs",
    "sandboxed": "packs that execute model output in a sandbox",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("modelqa", "behavioural model quality gates (pytest-modelqa)")
    g.addoption("--model-endpoint", action="append", metavar="URL",
                help="OpenAI-compatible endpoint to evaluate; repeat for several servers of one model; "
                     "'embedded' starts the bundled tiny model with llama-server for the session")
    g.addoption("--serve-cmd", dest="modelqa_serve_cmd", metavar="CMD",
                help='launch this server command for the session; {port} is replaced by a free port, e.g. '
                     '"llama-server -m model.gguf --port {port} --parallel 4 --jinja"')
    g.addoption("--serve-timeout", dest="modelqa_serve_timeout", type=float, default=300.0, metavar="SECONDS",
                help="how long a launched server may take to become healthy (default 300)")
    g.addoption("--model", dest="modelqa_model", metavar="NAME", help="model name to request (default: first of /v1/models)")
    g.addoption("--model-api-key", dest="modelqa_api_key", metavar="KEY",
                help="API key (default: $MODELQA_API_KEY); never written to any artifact")
    g.addoption("--modelqa-control", choices=("oracle", "junk"),
                help="verifier self-test without a server: answer with the gold (oracle) or junk")
    g.addoption("--packs-dir", dest="modelqa_packs_dir", action="append", metavar="DIR", help="extra pack files")
    g.addoption("--concurrency", dest="modelqa_concurrency", type=int, metavar="N",
                help="requests in flight per endpoint (default: the server's total_slots, else 4)")
    g.addoption("--enable-thinking", dest="modelqa_thinking", action="store_const", const=True,
                help="force thinking on for every pack")
    g.addoption("--no-thinking", dest="modelqa_thinking", action="store_const", const=False,
                help="force thinking off for every pack")
    g.addoption("--thinking-max-tokens", dest="modelqa_thinking_max_tokens", type=int, default=1024, metavar="N",
                help="extra tokens allowed for thinking on top of a pack's answer budget (default 1024)")
    g.addoption("--reasoning-effort", dest="modelqa_reasoning_effort", metavar="LEVEL",
                help="send reasoning_effort=LEVEL with every request")
    g.addoption("--sampling-from-server", dest="modelqa_sampling_from_server", action="store_true",
                help="send no sampling fields (non-canonical; the server's defaults are recorded)")
    for flag, kind in (("temperature", float), ("top-p", float), ("top-k", int), ("min-p", float),
                       ("repeat-penalty", float)):
        g.addoption(f"--{flag}", dest=f"modelqa_{flag.replace('-', '_')}", type=kind,
                    help=f"explicit {flag} (non-canonical)")
    g.addoption("--seed", dest="modelqa_seed", type=int, default=1234, help="sampling seed (canonical: 1234)")
    g.addoption("--modelqa-retries", type=int, default=3, metavar="N",
                help="retries for transport errors, 5xx and 429 (default 3)")
    g.addoption("--modelqa-case-timeout", type=float, metavar="SECONDS",
                help="fixed per-request ceiling instead of one scaled from the measured decode speed")
    g.addoption("--modelqa-json", metavar="PATH", help="write the JSON results here")
    g.addoption("--repeat", dest="modelqa_repeat", type=int, default=1, metavar="N",
                help="run every scenario N times (repeat r sends seed+r); adds mean, std, Wilson interval, "
                     "pass@k and pass^k per pack")
    g.addoption("--modelqa-state", metavar="PATH",
                help="eval state journal, appended as scenarios finish (default for endpoint runs: "
                     "results/modelqa-state.jsonl)")
    g.addoption("--resume", dest="modelqa_resume", metavar="PATH",
                help="re-use the finished scenarios of this eval state (same config hash) and run the rest")
    g.addoption("--baseline-capture", dest="modelqa_baseline_capture", nargs="?", const=AUTO, metavar="PATH",
                help="write a baseline from this run (needs --repeat 3+); "
                     "default PATH: baselines/<model-slug>/<thinking-mode>.json")
    g.addoption("--baseline-diff", dest="modelqa_baseline_diff", nargs="?", const=AUTO, metavar="PATH",
                help="compare with a baseline and fail the session on a regression (default PATH as above)")
    g.addoption("--max-drop-pp", dest="modelqa_max_drop_pp", type=float, default=10.0, metavar="PP",
                help="a pack regresses only when it drops by more than this many points AND beyond its "
                     "repeat noise (default 10)")


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MODE_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    if not (config.getoption("model_endpoint") or config.getoption("modelqa_control")
            or config.getoption("modelqa_serve_cmd")):
        return
    from .config import from_options
    from .run import Run

    try:
        cfg = from_options(config.option)
    except ValueError as exc:
        raise pytest.UsageError(f"modelqa: {exc}") from None
    run = Run(cfg)
    if cfg.resume_path:
        from .state import StateError
        try:
            run.resume(cfg.resume_path)
        except StateError as exc:
            raise pytest.UsageError(f"modelqa: {exc}") from None
    for pack in run.packs:
        config.addinivalue_line("markers", f"{pack.meta.marker}: scenarios of pack {pack.meta.id}")
    config.pluginmanager.register(ModelQA(config, run), "modelqa-run")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(run), "modelqa-xdist")


class ServingFailure(Exception):
    """The server, not the model, failed: reported as a pytest error."""


class ScenarioFailed(Exception):
    pass


class PackCollector(pytest.Collector):
    def __init__(self, *, pack_path: Path, run: "Run", **kw: Any):
        super().__init__(**kw)
        self.pack_path, self.run = pack_path, run

    def collect(self):
        pack: Pack = self.run.pack_for(self.pack_path)
        n = self.run.cfg.repeat
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
        from .packs import PackError
        if isinstance(excinfo.value, PackError):
            return f"modelqa pack error: {excinfo.value}"
        return super().repr_failure(excinfo)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: "Scenario", repeat: int = 0, **kw: Any):
        super().__init__(**kw)
        self.scenario, self.repeat = scenario, repeat
        self.result = None

    @property
    def work(self) -> tuple[str, "Scenario", int]:
        return self.nodeid, self.scenario, self.repeat

    @property
    def run(self) -> "Run":
        return self.parent.run  # type: ignore[union-attr]

    def setup(self) -> None:
        r = self.result = self.run.result_for(*self.work)
        # JUnit XML carries these per scenario.
        self.user_properties += [("modelqa_pack", r.pack), ("modelqa_score", r.score),
                                 ("modelqa_failure_mode", r.failure_mode or ""),
                                 ("modelqa_latency_s", r.latency_s), ("modelqa_retries", r.retries)]
        if r.outcome == "error":
            raise ServingFailure(f"{r.failure_mode}: {r.detail}")

    def runtest(self) -> None:
        r = self.result
        if r.outcome == "failed":
            raise ScenarioFailed(r.detail)

    def repr_failure(self, excinfo, style=None):  # type: ignore[override]
        if isinstance(excinfo.value, ServingFailure):
            return f"serving error (not a quality failure): {excinfo.value}"
        if isinstance(excinfo.value, ScenarioFailed) and self.result is not None:
            return failure_text(self.result)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.scenario.pack.id}::{self.scenario.id}"


def failure_text(r) -> str:
    if r.control == "junk":
        head = f"{r.scenario}: a junk answer PASSED the verifier ({r.detail}); the verifier is too lenient"
    elif r.control == "oracle":
        head = f"{r.scenario}: the gold answer FAILED the verifier ({r.failure_mode}: {r.detail})"
    else:
        head = f"{r.scenario}: {r.failure_mode}: {r.detail}"
    produced = r.response if r.response else "(empty)"
    calls = ", ".join(f"{c['name']}({c['arguments'] if c['arguments'] is not None else c.get('raw_arguments')})"
                      for c in r.tool_calls)
    lines = [head, f"  produced: {produced[:600]}"]
    if calls:
        lines.append(f"  tool calls: {calls[:600]}")
    if r.expected:
        lines.append(f"  expected: {r.expected[:600]}")
    lines += ["  trace:"] + [f"    - {t}" for t in r.trace]
    return "\n".join(lines)


class ModelQA:
    """The run's hooks, registered only when the plugin is asked for."""

    def __init__(self, config: pytest.Config, run: "Run"):
        self.config, self.run = config, run
        self.worker = hasattr(config, "workerinput")
        self.distributed = self.worker or bool(getattr(config.option, "numprocesses", None))
        self.journal = None  # the eval state, written by the process that sees every report
        self.quality_failures = 0  # failed scenario items (not serving errors)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._connect()
        if not self.worker:
            self._check_baseline()
            self._open_journal()

    def _connect(self) -> None:
        if self.run.cfg.control:
            return
        if self.worker:
            from .probe import EndpointInfo
            self.run.endpoints = [EndpointInfo(**e) for e in self.config.workerinput["modelqa_endpoints"]]  # type: ignore[attr-defined]
            return
        from .probe import ProbeError
        from .servers import ServerError
        try:
            self.run.connect(self.run.launch_servers(self.config.option.modelqa_serve_timeout))
        except (ProbeError, ServerError) as exc:
            self.run.stop_servers()
            raise pytest.UsageError(f"modelqa: {exc}") from None
        models = {e.model for e in self.run.endpoints}
        if len(models) > 1:
            raise pytest.UsageError(f"modelqa: the endpoints serve different models ({', '.join(sorted(models))}); "
                                    "several --model-endpoint values must serve one model")

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector):
        report = yield
        if isinstance(collector, pytest.Session) and report.passed:
            root = self.config.rootpath
            for path in self.run.pack_files():
                try:
                    nodeid = path.relative_to(root).as_posix()
                except ValueError:
                    nodeid = f"packs/{path.name}"
                report.result.append(PackCollector.from_parent(collector, name=nodeid, nodeid=nodeid,
                                                               path=path, pack_path=path, run=self.run))
        return report

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.distributed and not self.worker:
            return  # the xdist controller runs no items
        items = [i for i in session.items if isinstance(i, ScenarioItem)]
        if not items:
            return
        if self.worker:
            self.run.start_engine(share=int(self.config.workerinput["workercount"]))  # type: ignore[attr-defined]
        else:
            self.run.start_engine()
            self.run.dispatch([i.work for i in items])
            if self.journal is not None:
                self.journal.planned(i.nodeid for i in items)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        if self.worker and isinstance(item, ScenarioItem):
            # xdist hands items out as it goes: dispatch this one and what this worker holds.
            ahead = [item, *pending_items(self.config, item.session)]
            self.run.dispatch([i.work for i in ahead if isinstance(i, ScenarioItem)])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):
        report = yield
        result = getattr(item, "result", None)
        if isinstance(item, ScenarioItem) and result is not None and (
                report.when == "call" or (report.when == "setup" and report.failed)):
            report.modelqa_result = result.to_json()  # type: ignore[attr-defined]
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_report_to_serializable(self, config: pytest.Config, report: Any):
        data = yield
        if data is not None and hasattr(report, "modelqa_result"):
            data["modelqa_result"] = report.modelqa_result
        return data

    @pytest.hookimpl(wrapper=True)
    def pytest_report_from_serializable(self, config: pytest.Config, data: dict[str, Any]):
        report = yield
        if report is not None and "modelqa_result" in data:
            report.modelqa_result = data["modelqa_result"]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker or not hasattr(report, "modelqa_result"):
            return
        from .results import ScenarioResult
        result = ScenarioResult.from_json(report.modelqa_result)
        self.run.results.append(result)
        self.quality_failures += result.outcome == "failed"
        if self.journal is not None and result.nodeid not in self.run.resumed:
            self.journal.finished(result)
        if self.config.option.verbose > 0 and result.outcome != "passed":
            tr = self.config.pluginmanager.get_plugin("terminalreporter")
            if tr is not None:
                tr.write_line("")
                tr.write_line(failure_text(result) if result.outcome == "failed"
                              else f"{result.scenario}: serving error {result.failure_mode}: {result.detail}",
                              red=True)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.run.close()
        self.run.stop_servers()
        if self.journal is not None:
            self.journal.close()
        if not self.worker and self.run.results:
            self.summary = self._build_summary()
            session.exitstatus = self._gate_exit(session)

    def _gate_exit(self, session: pytest.Session) -> int | pytest.ExitCode:
        """With --baseline-diff the gate decides: a regression fails the session even when every
        item passed, and scenario failures the baseline explains do not fail it on their own
        (a model that fails 2 of 15 scenarios must still be gateable). Anything else that failed
        (serving errors, other tests, collection) keeps its non-zero status."""
        summary = self.summary
        if summary["gate_failed"]:
            return pytest.ExitCode.TESTS_FAILED if session.exitstatus == pytest.ExitCode.OK else session.exitstatus
        if (summary["baseline"] and session.exitstatus == pytest.ExitCode.TESTS_FAILED
                and session.testsfailed == self.quality_failures):
            summary["notes"].append(f"Exit status: 0, decided by the baseline gate ({self.quality_failures} scenario "
                                    "failures are quality results within the baseline's range)")
            return pytest.ExitCode.OK
        return session.exitstatus

    def pytest_terminal_summary(self, terminalreporter) -> None:
        summary = getattr(self, "summary", None)
        if summary is None:
            return
        tr = terminalreporter
        tr.section("modelqa")
        for line in summary["provenance"]:
            tr.write_line(line)
        tr.write_line("")
        tr.write_line(summary["table"])
        if summary["repeats"]:
            tr.write_line("")
            tr.write_line(summary["repeats"])
        for title, key in (("Failures:", "failures"), ("Serving errors (not quality failures):", "errors"),
                           ("Warnings:", "warnings")):
            if summary[key]:
                tr.write_line("")
                tr.write_line(title)
                for line in summary[key]:
                    tr.write_line(f"  {line}", yellow=key == "warnings", red=key == "errors")
        tr.write_line("")
        tr.write_line(summary["quality"], bold=True)
        for line in summary["notes"]:
            tr.write_line(line)
        if summary["baseline"]:
            tr.write_line("")
            for line in summary["baseline"][:-1]:
                tr.write_line(line)
            tr.write_line(summary["baseline"][-1], bold=True, red=summary["gate_failed"], green=not summary["gate_failed"])

    # -- eval state and baselines -----------------------------------------------------------------
    def _open_journal(self) -> None:
        from . import state
        cfg = self.run.cfg
        path = cfg.state_path or cfg.resume_path
        if path is None and cfg.control:
            return  # a verifier self-test has nothing worth resuming unless asked
        path = path or state.default_path(self.config.invocation_params.dir)
        head = state.header(self.run.run_id, cfg.hash, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                            {"label": cfg.sampling_label, "canonical": cfg.canonical, "fields": cfg.sampling_fields()},
                            cfg.public())
        try:
            self.journal = state.Journal(path, head, self.run.resumed.values())
        except OSError as exc:
            raise pytest.UsageError(f"modelqa: cannot write the eval state {path}: {exc}") from None

    def _baseline_path(self, given: Path | None) -> Path | None:
        if given is None or str(given) != AUTO:
            return given
        from .baseline import default_path
        model = self.run.endpoints[0].model if self.run.endpoints else None
        return default_path(self.config.rootpath, model, self.run.cfg.thinking)

    def _check_baseline(self) -> None:
        """Fail before the run, not after it, when the gate cannot work."""
        cfg = self.run.cfg
        if cfg.baseline_capture and str(cfg.baseline_capture) == AUTO and not cfg.canonical:
            raise pytest.UsageError("modelqa: a non-canonical baseline needs an explicit --baseline-capture PATH "
                                    "(the default names are for canonical greedy baselines)")
        path = self._baseline_path(cfg.baseline_diff)
        if path is not None:
            from .baseline import BaselineError, load
            try:
                self.baseline = load(path)
            except BaselineError as exc:
                raise pytest.UsageError(f"modelqa: {exc}") from None

    def _build_summary(self) -> dict[str, Any]:
        from . import baseline, report
        from .results import write_json_atomic
        run, cfg = self.run, self.run.cfg
        mode = self.config.option.markexpr or "all"
        summaries = report.summarize(run.packs, run.results, cfg)
        warns = report.warnings(summaries, run.results, cfg)
        now = dt.datetime.now(dt.timezone.utc)
        quality = report.quality_line(summaries, cfg, mode, now.date())
        table = report.table(summaries, run.results)
        doc = report.document(summaries, run.results, cfg, run.endpoints, mode, warns, quality, now, run.run_id)
        notes = []
        if cfg.json_path:
            write_json_atomic(cfg.json_path, doc)
            notes.append(f"JSON results: {cfg.json_path}")
        if run.resumed:
            notes.append(f"Resumed: {len(run.resumed)} finished scenarios re-used from {cfg.resume_path}")
        if self.journal is not None:
            notes.append(f"Eval state: {self.journal.path}")
        capture = self._baseline_path(cfg.baseline_capture)
        if capture is not None:
            write_json_atomic(capture, baseline.aggregate(doc))
            notes.append(f"Baseline captured: {capture} (n={cfg.repeat})")
        gate: list[str] = []
        gate_failed = False
        if getattr(self, "baseline", None) is not None:
            cmp = baseline.compare(self.baseline, baseline.aggregate(doc), cfg.max_drop_pp)
            gate, gate_failed = baseline.render(cmp, str(self._baseline_path(cfg.baseline_diff))), cmp.failed
        step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            with open(step_summary, "a", encoding="utf-8") as fh:
                fh.write(f"## pytest-modelqa\n\n{table}\n\n`{quality}`\n")
                if gate:
                    fh.write("\n" + "\n".join(gate) + "\n")
        failures, errors = report.failure_breakdown(run.results, cfg)
        return {"provenance": report.provenance(run.endpoints), "table": table,
                "repeats": report.repeat_table(summaries), "failures": failures, "errors": errors,
                "warnings": warns, "quality": quality, "notes": notes, "baseline": gate, "gate_failed": gate_failed}


class XdistHooks:
    """Hand the controller's probe results to each worker (workers do not probe again)."""

    def __init__(self, run: "Run"):
        self.run = run

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["modelqa_endpoints"] = [e.to_json() for e in self.run.endpoints]


def pending_items(config: pytest.Config, session: pytest.Session) -> list[pytest.Item]:
    """Items xdist has already assigned to this worker but not yet run (best effort)."""
    for plugin in config.pluginmanager.get_plugins():
        queue = getattr(plugin, "torun", None)
        if queue is not None and hasattr(queue, "lock"):
            with queue.lock() as pending:
                return [session.items[i] for i in list(pending) if isinstance(i, int)]
    return []
