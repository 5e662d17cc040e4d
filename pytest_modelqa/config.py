"""One frozen RunConfig built from pytest options and environment, plus its stable hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from .errors import ConfigError
from .redaction import redact

CANONICAL_SEED = 1234
DEFAULT_THINKING_TOKENS = 1024
SAMPLING_FLAGS = ("temperature", "top_p", "top_k", "min_p", "repeat_penalty")


@dataclass(frozen=True)
class RunConfig:
    endpoints: tuple[str, ...] = ()  # URLs, or "embedded"
    serve_cmd: str | None = None
    serve_timeout: float = 300.0
    control: str | None = None  # "oracle" | "junk" | "near-miss" (options.CONTROLS): answer without any endpoint
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never written to any artifact
    packs_dirs: tuple[Path, ...] = ()
    concurrency: int | None = None
    thinking: bool | None = None  # None: each pack's default
    thinking_max_tokens: int | None = None  # None: each pack's thinking_tokens, else DEFAULT_THINKING_TOKENS
    reasoning_effort: str | None = None
    sampling_from_server: bool = False
    sampling: tuple[tuple[str, float], ...] = ()  # explicit flags given
    seed: int = CANONICAL_SEED
    retries: int = 3
    case_timeout: float | None = None
    json_path: Path | None = None
    repeat: int = 1  # runs per scenario; repeat r sends seed + r
    state_path: Path | None = None  # eval state journal (None: not written)
    resume_path: Path | None = None  # a journal, or "latest" (options.LATEST)
    baseline_capture: Path | None = None  # a path, or "auto" (options.AUTO: the default naming)
    baseline_diff: Path | None = None
    max_drop_pp: float = 10.0
    gate_subset: bool = False
    sandbox_backend: str = "docker"  # "docker" | "local" (weaker isolation)
    sandboxes: int | None = None  # pool size (None: sandbox.pool.default_size)
    gpqa_csv: Path | None = None  # the user's copy of gpqa_diamond.csv (gated: never shipped)
    gpqa_sha256: str | None = None  # expected checksum, when not the published file's
    lcb_data: Path | None = None  # a local copy of LiveCodeBench's code_generation_lite

    @property
    def enabled(self) -> bool:
        return bool(self.endpoints or self.control or self.serve_cmd)

    @property
    def canonical(self) -> bool:
        return not self.sampling_from_server and not self.sampling and self.seed == CANONICAL_SEED

    @property
    def sampling_label(self) -> str:
        if self.sampling_from_server:
            return "server sampling"
        if self.sampling:
            return ",".join(f"{k}={v:g}" for k, v in self.sampling) + f",seed={self.seed}"
        return "greedy" if self.seed == CANONICAL_SEED else f"greedy,seed={self.seed}"

    def sampling_fields(self, repeat: int = 0) -> dict[str, Any]:
        """Sampling fields for a chat request (none at all with --sampling-from-server).
        Each repeat gets its own seed, so sampled repeats are distinct yet reproducible."""
        if self.sampling_from_server:
            return {}
        out: dict[str, Any] = {"temperature": 0.0, "seed": self.seed + repeat}
        out.update(dict(self.sampling))
        return out

    @property
    def secrets(self) -> tuple[str, ...]:
        """What redaction must mask besides what merely looks secret."""
        return (self.api_key,) if self.api_key else ()

    def sampling_record(self) -> dict[str, Any]:
        """How artifacts (results, journal, baseline) record the sampling."""
        return {"label": self.sampling_label, "canonical": self.canonical, "fields": self.sampling_fields()}

    def thinking_for(self, pack_default: bool) -> bool:
        return pack_default if self.thinking is None else self.thinking

    def thinking_budget(self, pack_default: int | None = None) -> int:
        """Thinking tokens on top of the answer's: --modelqa-thinking-max-tokens, else the pack's own
        (reasoning packs think longer), else DEFAULT_THINKING_TOKENS."""
        if self.thinking_max_tokens is not None:
            return self.thinking_max_tokens
        return pack_default or DEFAULT_THINKING_TOKENS

    @property
    def hash(self) -> str:
        """What changes results: not where the server is, nor how fast we ask it."""
        quality = {k: v for k, v in asdict(self).items()
                   if k in ("control", "model", "thinking", "thinking_max_tokens", "reasoning_effort",
                            "sampling_from_server", "sampling", "seed")}
        blob = json.dumps(quality, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    @classmethod
    def from_public(cls, data: dict[str, Any]) -> "RunConfig":
        """The inverse of public(), for tools that read a results file (the API key stays unknown)."""
        d = {k: v for k, v in data.items() if k in {f.name for f in fields(cls)}}
        d["endpoints"] = tuple(d.get("endpoints") or ())
        d["packs_dirs"] = tuple(Path(p) for p in d.get("packs_dirs") or ())
        d["sampling"] = tuple((d.get("sampling") or {}).items())
        for key in ("json_path", "state_path", "resume_path", "baseline_capture", "baseline_diff", "gpqa_csv",
                    "lcb_data"):
            d[key] = Path(d[key]) if d.get(key) else None
        return cls(**d)

    def public(self) -> dict[str, Any]:
        """The settings as recorded in artifacts (the API key is left out)."""
        out = asdict(self)
        out.pop("api_key")
        out["endpoints"] = [redact(e) for e in self.endpoints]
        out["serve_cmd"] = redact(self.serve_cmd, self.secrets) if self.serve_cmd else None
        out["packs_dirs"] = [str(p) for p in self.packs_dirs]
        for key in ("json_path", "state_path", "resume_path", "baseline_capture", "baseline_diff", "gpqa_csv",
                    "lcb_data"):
            out[key] = str(out[key]) if out[key] else None
        out["sampling"] = dict(self.sampling)
        return out


def endpoint_url(text: str) -> str:
    """The server's base URL: without a trailing slash or /v1 (the OpenAI SDK writes it with).
    ConfigError for anything that is not an http(s) URL with a host and a numeric port."""
    url = text.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port such as "80a80"
    except ValueError as exc:
        raise ConfigError(f"--model-endpoint {redact(url)!r} is not a usable URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--model-endpoint {redact(url)!r} is not an http(s) URL (or 'embedded')")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def from_values(v: Mapping[str, Any]) -> RunConfig:
    """A RunConfig from resolved option values (options.resolve); ConfigError if they clash."""
    sampling = tuple((k, float(v[k])) for k in SAMPLING_FLAGS if v.get(k) is not None)
    if v["sampling_from_server"] and sampling:
        raise ConfigError("--modelqa-sampling-from-server cannot be combined with explicit sampling values")
    if v["control"] and (v["endpoint"] or v["serve_cmd"]):
        raise ConfigError("--modelqa-control answers without a server: drop --model-endpoint/--modelqa-serve-cmd")
    for key, low in (("repeat", 1), ("retries", 0), ("thinking_max_tokens", 0), ("concurrency", 1),
                     ("sandboxes", 1)):
        if v.get(key) is not None and v[key] < low:
            raise ConfigError(f"modelqa_{key} must be at least {low}, not {v[key]}")
    if v.get("concurrency") is not None and v["concurrency"] > 256:
        raise ConfigError(f"modelqa_concurrency {v['concurrency']} is more than 256 requests in flight")
    if v.get("sandboxes") is not None and v["sandboxes"] > 64:
        raise ConfigError(f"modelqa_sandboxes {v['sandboxes']} is more than 64 sandboxes at once")
    if not 0 <= v["max_drop_pp"] <= 100:  # also refuses nan: no comparison with it is true
        raise ConfigError(f"modelqa_max_drop_pp must be between 0 and 100 points, not {v['max_drop_pp']}")
    if v["baseline_capture"] and v["repeat"] < 3:
        raise ConfigError("--baseline-capture needs --modelqa-repeat 3 or more: the gate compares against the "
                          "baseline's repeat noise")
    if v["control"] and (v["baseline_capture"] or v["baseline_diff"]):
        raise ConfigError("baselines describe a model: they cannot be captured or gated under --modelqa-control")
    path = lambda key: Path(v[key]) if v.get(key) else None  # noqa: E731
    return RunConfig(
        endpoints=tuple(e if e == "embedded" else endpoint_url(e) for e in v["endpoint"]),
        serve_cmd=v["serve_cmd"],
        serve_timeout=v["serve_timeout"],
        control=v["control"],
        model=v["model"],
        api_key=v["api_key"] or None,
        packs_dirs=tuple(Path(p).resolve() for p in v["packs_dir"]),
        concurrency=v["concurrency"],
        thinking=v["thinking"],
        thinking_max_tokens=v["thinking_max_tokens"],
        reasoning_effort=v["reasoning_effort"],
        sampling_from_server=bool(v["sampling_from_server"]),
        sampling=sampling,
        seed=v["seed"],
        retries=v["retries"],
        case_timeout=v["case_timeout"],
        json_path=path("json"),
        repeat=v["repeat"],
        state_path=path("state"),
        resume_path=path("resume"),
        baseline_capture=path("baseline_capture"),
        baseline_diff=path("baseline_diff"),
        max_drop_pp=v["max_drop_pp"],
        gate_subset=bool(v["gate_subset"]),
        sandbox_backend=v["sandbox_backend"],
        sandboxes=v["sandboxes"],
        gpqa_csv=path("gpqa_csv"),
        gpqa_sha256=v["gpqa_sha256"],
        lcb_data=path("lcb_data"),
    )
