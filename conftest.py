"""What a checkout needs to run its own packs and examples.

`pytest --model-endpoint=… -m quick` from the repository root collects the shipped packs and
the ini's testpaths. The plugin's own test suite (tests/) is not a behavioural test of a model:
it leaves those runs unless named on the command line (`python -m pytest tests` runs it, with
the plugin inactive). examples/ stays: its hand-written tests run when selected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_modelqa.names import SESSION

OWN_TESTS = Path(__file__).parent / "tests"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.stash.get(SESSION, None) is not None and config.args_source == pytest.Config.ArgsSource.TESTPATHS:
        config.args[:] = [a for a in config.args if Path(a).resolve() != OWN_TESTS]
