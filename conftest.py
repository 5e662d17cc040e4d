"""What a checkout needs to run its own packs and examples.

`pytest --model-endpoint=… -m quick` from the repository root collects the ini's testpaths
(tests/, examples/) plus the shipped packs. The plugin's own test suite under tests/ is not
a behavioural test of a model: it is left out of endpoint and control runs unless named on
the command line (`python -m pytest tests` runs it, with the plugin inactive)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_modelqa.names import SESSION

HERE = Path(__file__).parent


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if (collection_path == HERE / "tests" and config.stash.get(SESSION, None) is not None
            and config.args_source != pytest.Config.ArgsSource.ARGS):
        return True
    return None
