"""Packs whose scenarios come from a dataset rather than being written out in the pack file.

A pack file names a `source` instead of listing `scenarios`: templates instantiated from a
seed (GSM-Symbolic), data a dependency ships (HumanEval), or a file only the user can provide
(GPQA-Diamond, LiveCodeBench: gated or not redistributable). The source builds the scenarios
as the same mappings a pack file would hold, so they are validated exactly like written ones.
A source whose data is not here raises DatasetUnavailable: its pack is collected as one
skipped item carrying the reason and how to provide the data, never as an empty 0/0 row."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

# Where the user's copies of gated datasets are: source name -> (option, environment variable).
LOCATIONS = {
    "gpqa": ("--modelqa-gpqa-csv", "MODELQA_GPQA_CSV"),
    "lcb": ("--modelqa-lcb-data", "MODELQA_LCB_DATA"),
}


class DatasetUnavailable(Exception):
    """The source's data is not on this machine (or is not the published file): the reason
    says which and how to provide it, in one line."""


@dataclass(frozen=True)
class Built:
    scenarios: list[dict[str, Any]]  # raw scenario mappings, as a pack file holds them
    provenance: str = ""  # what the data was: a file's checksum, a package version, a seed


@dataclass(frozen=True)
class DataPaths:
    """The user's dataset locations (from options or the environment) and expected checksums."""

    paths: Mapping[str, Path] = field(default_factory=dict)
    sha256: Mapping[str, str] = field(default_factory=dict)  # overrides of a source's published checksum

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "DataPaths":
        env = os.environ if environ is None else environ
        return cls({name: Path(env[var]).expanduser() for name, (_, var) in LOCATIONS.items() if env.get(var)},
                   {name: env[f"{var}_SHA256"] for name, (_, var) in LOCATIONS.items() if env.get(f"{var}_SHA256")})


BuildFn = Callable[[Mapping[str, Any], DataPaths], Built]
_MODULES = {"gsm_symbolic": "gsm_symbolic", "gpqa": "gpqa"}


def build(source: Mapping[str, Any], data: DataPaths) -> Built:
    """The scenarios of a pack's `source`. Raises DatasetUnavailable or ValueError (a bad source spec)."""
    name = source["dataset"]
    if name not in _MODULES:
        raise ValueError(f"unknown dataset {name!r} (known: {', '.join(sorted(_MODULES))})")
    module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    return module.build(source, data)
