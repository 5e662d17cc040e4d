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

# The run settings (RunConfig fields, options --modelqa-<key>, env MODELQA_<KEY>) that say where
# the user's copies of datasets are, and which checksum to expect instead of the published one.
PATH_KEYS = ("gpqa_csv", "lcb_data")
SHA256_KEYS = {"gpqa_csv": "gpqa_sha256"}


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

    paths: Mapping[str, Path] = field(default_factory=dict)  # PATH_KEYS -> where
    sha256: Mapping[str, str] = field(default_factory=dict)  # PATH_KEYS -> expected instead of the published

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> "DataPaths":
        """From RunConfig-like values (None or missing: not given)."""
        return cls({k: Path(values[k]).expanduser() for k in PATH_KEYS if values.get(k)},
                   {k: str(values[s]).lower() for k, s in SHA256_KEYS.items() if values.get(s)})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "DataPaths":
        """For readers outside pytest (the CLI, the simulator): MODELQA_GPQA_CSV and the like."""
        env = os.environ if environ is None else environ
        keys = (*PATH_KEYS, *SHA256_KEYS.values())
        return cls.of({k: env.get(f"MODELQA_{k.upper()}") for k in keys})


BuildFn = Callable[[Mapping[str, Any], DataPaths], Built]
_MODULES = {"gsm_symbolic": "gsm_symbolic", "gpqa": "gpqa", "humaneval": "humaneval",
            "livecodebench": "livecodebench"}  # dataset name -> module of this package


def build(source: Mapping[str, Any], data: DataPaths) -> Built:
    """The scenarios of a pack's `source`. Raises DatasetUnavailable or ValueError (a bad source spec)."""
    name = source["dataset"]
    if name not in _MODULES:
        raise ValueError(f"unknown dataset {name!r} (known: {', '.join(sorted(_MODULES))})")
    module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    return module.build(source, data)
