"""The committed baseline of the bundled tiny model gates a checkout: the README's main job,
run as a user runs it, from the repository root (embedded server, default baseline name)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pytest_modelqa.servers import find_llama_server

pytestmark = pytest.mark.realserver
ROOT = Path(__file__).parents[2]
BASELINE = ROOT / "baselines" / "smollm2-135m-instruct" / "pack-defaults.json"


def test_the_committed_embedded_baseline_gates_the_quick_run(tmp_path: Path) -> None:
    if find_llama_server() is None:
        pytest.skip("the baseline was captured on llama-server: build it with `python -m pytest_modelqa.servers build`")
    assert BASELINE.is_file(), "the committed baseline is missing"
    before = sorted((ROOT / "results").rglob("*")) if (ROOT / "results").exists() else []
    done = subprocess.run([sys.executable, "-m", "pytest", "--model-endpoint=embedded", "-m", "quick", "--baseline-diff",
                           "-p", "no:cacheprovider", f"--modelqa-state={tmp_path / 'state.jsonl'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    out = done.stdout
    assert f"Baseline diff vs {BASELINE}" in out, out[-3000:] + done.stderr[-2000:]
    assert "Baseline gate: passed (2 packs compared, no regression)" in out, out[-3000:]
    assert done.returncode == 0, out[-3000:]
    assert (tmp_path / "state.jsonl").is_file()  # the journal went where it was told, nothing into the checkout
    assert (sorted((ROOT / "results").rglob("*")) if (ROOT / "results").exists() else []) == before
