"""Per-scenario results and the run's JSON document (schema: schemas/results.schema.json)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

RESULTS_SCHEMA_VERSION = "1.5.0"
_UMASK = os.umask(0)
os.umask(_UMASK)


@dataclass(frozen=True)
class ScenarioResult:
    pack: str
    pack_version: str
    scenario: str
    nodeid: str
    outcome: str  # pytest's view: "passed" | "failed" | "error" (serving problem)
    passed: bool  # the verifier's view
    score: float
    failure_mode: str | None
    detail: str
    expected: str
    trace: list[str]
    messages: list[dict[str, Any]]
    response: str
    reasoning: str
    tool_calls: list[dict[str, Any]]
    turns: int  # model requests made
    latency_s: float
    prompt_tokens: int
    completion_tokens: int
    retries: int
    finish_reason: str
    thinking: bool  # requested
    thought: bool  # reasoning actually came back
    repeat: int = 0
    control: str | None = None
    control_variants: list[dict[str, Any]] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)  # a dataset scenario's origin (Scenario.source)

    def to_json(self) -> dict[str, Any]:
        # Shallow on purpose: every field is already JSON-shaped (asdict deep-copies it all).
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ScenarioResult":
        """Fields a newer plugin added are ignored; a missing field is a TypeError."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename: readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # backslashreplace: a lone surrogate inside a JSON string becomes its own \uXXXX escape.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())  # the rename must never expose a file whose data is not on disk
        # mkstemp makes 0600 files; an artifact gets the mode a plain open() would give it.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # a full disk leaves no temporary file behind
        raise


def write_json_atomic(path: Path, doc: Any) -> None:
    write_text_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


SCHEMA_PATH = Path(__file__).parent / "schemas" / "results.schema.json"


def check_results(doc: Any) -> dict[str, Any]:
    """A results document as this plugin reads it, or ValueError saying what is wrong.

    Any 1.x document is read: 1.0.0 files are brought up to date (their missing fields get
    the values 1.0.0 runs implied), and fields a newer 1.x plugin added are ignored."""
    import re

    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    version = doc.get("schema_version")
    if not isinstance(version, str) or not re.fullmatch(r"1\.\d+\.\d+", version):
        raise ValueError(f"results schema {version!r}: this plugin reads 1.x results files")
    newer = tuple(map(int, version.split("."))) > tuple(map(int, RESULTS_SCHEMA_VERSION.split(".")))
    if version == "1.0.0":
        doc = _from_1_0(doc)
    for err in sorted(_reader().iter_errors(doc), key=lambda e: list(e.absolute_path)):
        if newer and err.validator == "additionalProperties":
            continue
        at = "/".join(str(p) for p in err.absolute_path) or "top level"
        raise ValueError(f"{at}: {err.message[:200]}")
    return doc


@lru_cache(maxsize=1)
def _reader() -> Any:
    """The results schema as a reader applies it: any 1.x version string."""
    from jsonschema import Draft202012Validator
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["properties"]["schema_version"] = {"type": "string"}
    return Draft202012Validator(schema)


def _from_1_0(doc: dict[str, Any]) -> dict[str, Any]:
    mode = doc.get("mode")
    return {**doc, "schema_version": RESULTS_SCHEMA_VERSION,
            "selection": {"markexpr": "" if mode in (None, "all") else str(mode), "keyword": "", "paths": [],
                          "last_failed": False, "partial": False},
            "endpoints": [{"api": "openai", **e} if isinstance(e, dict) else e for e in doc.get("endpoints") or []],
            "packs": [{"kind": "pack", **p} if isinstance(p, dict) else p for p in doc.get("packs") or []]}
