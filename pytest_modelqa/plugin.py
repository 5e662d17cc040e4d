"""pytest hooks only, each a delegate to the run's session object (session.ModelQASession).

Inert unless asked for (an endpoint, a server command or a control, from the command line,
the environment or an ini key): then no session exists, every hook returns at once, nothing
heavy is imported and nothing is printed. Markers and fixtures are registered either way,
so `--strict-markers` and hand-written tests work (skipping, with the reason) in inert runs."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from . import fixtures, options
from .names import SESSION
from .fixtures import (modelqa_chat, modelqa_endpoint, modelqa_repeat, modelqa_sampling,  # noqa: F401
                       modelqa_sandbox, modelqa_thinking)

MODE_MARKERS = {
    "quick": "per-commit quality gate packs",
    "medium": "pre-release packs",
    "full": "everything, sandboxed packs included",
    "reasoning": "nightly code and math reasoning packs",
    "sandboxed": "packs that execute model output in a sandbox",
    fixtures.MARKER: "modelqa_pack(name, version=None, thinking=None): the report row of hand-written "
                     "modelqa tests",
    fixtures.SANDBOX_MARKER: "modelqa_sandbox(image='python'): the image of the test's modelqa_sandbox fixture",
}


def _mq(config: pytest.Config):
    return config.stash.get(SESSION, None)


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MODE_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    for name, pack_id in shipped_markers():
        config.addinivalue_line("markers", f"{name}: scenarios of pack {pack_id}")
    try:
        resolved = options.resolve(config)
    except ValueError as exc:
        raise pytest.UsageError(f"modelqa: {exc}") from None
    if not resolved.active:
        return
    hijack = options.rootdir_hijack(config)
    if hijack:
        raise pytest.UsageError(f"modelqa: {hijack}")
    from .config import from_values
    from .errors import ConfigError
    from .session import ModelQASession
    try:
        cfg = from_values(resolved.values)
    except ConfigError as exc:
        raise pytest.UsageError(f"modelqa: {exc}") from None
    mq = config.stash[SESSION] = ModelQASession(config, cfg, resolved.sources)
    mq.add_default_paths()
    config.pluginmanager.register(ReportListener(mq), "modelqa-reports")


def shipped_markers() -> list[tuple[str, str]]:
    """(marker, pack id) of the shipped packs, from their file names alone (no YAML parsed:
    this runs in inert sessions; a test checks every shipped pack's id matches its file)."""
    from .names import PACK_SUFFIXES, marker_for, shipped_packs_dir
    folder = shipped_packs_dir()
    if not folder.is_dir():
        return []
    return [(marker_for(p.stem), p.stem) for p in sorted(folder.iterdir()) if p.suffix in PACK_SUFFIXES]


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    mq = _mq(config)
    return mq.header() if mq is not None else None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    mq = _mq(session.config)
    if mq is not None:
        mq.start()


def pytest_collect_file(file_path: Any, parent: pytest.Collector) -> Any:
    mq = _mq(parent.config)
    return mq.collect_file(file_path, parent) if mq is not None else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    mq = _mq(metafunc.config)
    if mq is not None:
        fixtures.parametrize_repeats(metafunc, mq.cfg.repeat)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mq = _mq(config)
    if mq is not None:
        mq.count_collected(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    mq = _mq(session.config)
    if mq is not None:
        mq.collection_finished(session)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    mq = _mq(item.config)
    if mq is not None and mq.worker:
        mq.dispatch_ahead(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    mq = _mq(item.config)
    if mq is not None:
        mq.attach(item, report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_report_to_serializable(config: pytest.Config, report: Any):
    data = yield
    if data is not None and getattr(report, "modelqa_skipped", None) is not None:
        data["modelqa_skipped"] = list(report.modelqa_skipped)
    if data is not None and getattr(report, "modelqa_result", None) is not None:
        data["modelqa_result"] = report.modelqa_result.to_json()
        data["modelqa_reused"] = bool(getattr(report, "modelqa_reused", False))
        data["modelqa_row"] = dataclasses.asdict(report.modelqa_row)
    return data


@pytest.hookimpl(wrapper=True)
def pytest_report_from_serializable(config: pytest.Config, data: dict[str, Any]):
    report = yield
    if report is not None and "modelqa_skipped" in data:
        report.modelqa_skipped = tuple(data["modelqa_skipped"])
    if report is not None and "modelqa_result" in data:
        from .report import RowSpec
        from .results import ScenarioResult
        report.modelqa_result = ScenarioResult.from_json(data["modelqa_result"])
        report.modelqa_reused = data.get("modelqa_reused", False)
        report.modelqa_row = RowSpec(**data["modelqa_row"])
    return report


class ReportListener:
    """Registered only for an active run: pytest_runtest_logreport gets no config to find it by."""

    def __init__(self, mq: Any):
        self.mq = mq

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if getattr(report, "modelqa_result", None) is not None:
            self.mq.logreport(report)
        elif getattr(report, "modelqa_skipped", None) is not None:
            self.mq.skipped_item(*report.modelqa_skipped)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    mq = _mq(session.config)
    if mq is not None:
        mq.finish(session)


def pytest_unconfigure(config: pytest.Config) -> None:
    from .names import SANDBOXES
    sandboxes = config.stash.get(SANDBOXES, None)
    if sandboxes is not None:
        sandboxes.close()
    mq = _mq(config)
    if mq is not None:
        mq.close()  # also after a usage error or an interrupt: launched servers never outlive pytest


def pytest_terminal_summary(terminalreporter: Any) -> None:
    mq = _mq(terminalreporter.config)
    if mq is not None:
        mq.terminal_summary(terminalreporter)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: hand the controller's probe results to each worker (workers do not probe again)."""
    mq = _mq(node.config)
    if mq is not None:
        node.workerinput["modelqa_endpoints"] = [e.to_json() for e in mq.endpoints]
        node.workerinput["modelqa_resume"] = str(mq.resume_source) if mq.resume_source else None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """xdist: the controller collects nothing itself; a worker's selection is the plan."""
    mq = _mq(node.config)
    if mq is not None:
        mq.planned(ids)
