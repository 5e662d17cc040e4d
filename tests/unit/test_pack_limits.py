"""Pack files are bounded: an alias bomb or a huge file is a pack error, quickly and cheaply."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from pytest_modelqa.errors import PackError
from pytest_modelqa.packs import MAX_PACK_BYTES, load_pack

ROOT = Path(__file__).parents[2]


def test_a_billion_laughs_pack_is_refused_fast(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\npack: *a9\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    with pytest.raises(PackError, match="aliases expand to more than 100,000 nodes"):
        load_pack(tmp_path / "bomb.yaml")
    assert time.monotonic() - start < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB: no blow-up


def test_a_huge_pack_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(MAX_PACK_BYTES + 1)  # sparse: no disk used
    with pytest.raises(PackError, match=r"MiB is more than a pack may hold \(4 MiB\)"):
        load_pack(big)


def test_small_shared_aliases_stay_allowed() -> None:
    assert load_pack(ROOT / "packs" / "dataextract-15.yaml").meta.id == "DataExtract-15"
