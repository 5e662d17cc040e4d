"""The packs a run knows: found in directories, loaded once, checked in full.

Every reader of packs (pytest collection, the `modelqa` CLI, the simulator) goes through
here, so a pack means the same everywhere: its schema and meaning (packs.load_pack), each
scenario's verifier parameters (verifiers.check_params), and a pack id used by one file only."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .datasets import DataPaths
from .errors import PackError
from .names import shipped_packs_dir
from .packs import Pack, discover, load_pack
from .verifiers import check_params


def load_checked(path: Path, data: DataPaths | None = None) -> Pack:
    pack = load_pack(path, data)
    for scenario in pack.scenarios:
        problem = check_params(scenario)
        if problem:
            raise PackError(path, f"verifier: {problem}", scenario.id)
    return pack


class Catalogue:
    def __init__(self, data: DataPaths | None = None) -> None:
        self.data = data  # where dataset packs find the user's data (None: the environment)
        self._packs: dict[Path, Pack] = {}
        self._errors: dict[Path, PackError] = {}
        self._ids: dict[str, Path] = {}

    def load(self, path: Path) -> Pack:
        """The pack in this file (loaded once); PackError, every time, if it is unusable."""
        path = Path(path).resolve()
        if path in self._errors:
            raise self._errors[path]
        if path not in self._packs:
            try:
                pack = load_checked(path, self.data)
                other = self._ids.get(pack.meta.id)
                if other is not None:
                    raise PackError(path, f"pack id {pack.meta.id} is already used by {other}")
            except PackError as exc:
                self._errors[path] = exc
                raise
            self._ids[pack.meta.id] = path
            self._packs[path] = pack
        return self._packs[path]

    @property
    def packs(self) -> list[Pack]:
        return list(self._packs.values())

    def by_id(self, pack_id: str) -> Pack | None:
        path = self._ids.get(pack_id)
        return self._packs.get(path) if path else None


def load_all(dirs: Iterable[Path] = ()) -> tuple[Catalogue, list[PackError]]:
    """The shipped packs and those in `dirs`, for readers outside pytest (CLI, simulator)."""
    catalogue, errors = Catalogue(), []
    try:
        files = discover([shipped_packs_dir(), *dirs])
    except PackError as exc:
        return catalogue, [exc]
    for path in files:
        try:
            catalogue.load(path)
        except PackError as exc:
            errors.append(exc)
    return catalogue, errors
