"""Names every pytest session needs, inert ones included, without loading anything heavy:
where the shipped packs live, what makes a pack file, pack marker names, and the stash key
under which the active run is kept on pytest's config."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .sandbox.service import Sandboxes
    from .session import ModelQASession

PACK_SUFFIXES = (".yaml", ".yml")
SESSION = pytest.StashKey["ModelQASession"]()  # the active run, on config.stash
SANDBOXES = pytest.StashKey["Sandboxes"]()  # the run's sandbox pool (inert runs too), made on first use


def shipped_dir(name: str) -> Path:
    """Data shipped inside the installed wheel, else the repository's top-level folder (editable)."""
    inside = Path(__file__).parent / name
    return inside if inside.is_dir() else Path(__file__).parent.parent / name


def shipped_packs_dir() -> Path:
    return shipped_dir("packs")


def marker_for(pack_id: str) -> str:
    """pytest marker name for a pack id: ToolCall-15 -> toolcall_15, HumanEval+-30 -> humanevalplus_30."""
    return "".join(c if c.isalnum() else "_" for c in pack_id.lower().replace("+", "plus"))
