"""One frozen RunConfig built from pytest options and environment, plus its stable hash."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

CANONICAL_SEED = 1234
SAMPLING_FLAGS = ("temperature", "top_p", "top_k", "min_p", "repeat_penalty")


@dataclass(frozen=True)
class RunConfig:
    endpoints: tuple[str, ...] = ()  # URLs, or "embedded"
    serve_cmd: str | None = None
    control: str | None = None  # "oracle" | "junk": answer without any endpoint
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never written to any artifact
    packs_dirs: tuple[Path, ...] = ()
    concurrency: int | None = None
    thinking: bool | None = None  # None: each pack's default
    thinking_max_tokens: int = 1024
    reasoning_effort: str | None = None
    sampling_from_server: bool = False
    sampling: tuple[tuple[str, float], ...] = ()  # explicit flags given
    seed: int = CANONICAL_SEED
    retries: int = 3
    case_timeout: float | None = None
    json_path: Path | None = None
    repeat: int = 1  # runs per scenario; repeat r sends seed + r
    state_path: Path | None = None  # eval state journal (None: not written)
    resume_path: Path | None = None
    baseline_capture: Path | None = None
    baseline_diff: Path | None = None
    max_drop_pp: float = 10.0

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

    def thinking_for(self, pack_default: bool) -> bool:
        return pack_default if self.thinking is None else self.thinking

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
        for key in ("json_path", "state_path", "resume_path", "baseline_capture", "baseline_diff"):
            d[key] = Path(d[key]) if d.get(key) else None
        return cls(**d)

    def public(self) -> dict[str, Any]:
        """The settings as recorded in artifacts (the API key is left out)."""
        out = asdict(self)
        out.pop("api_key")
        out["packs_dirs"] = [str(p) for p in self.packs_dirs]
        for key in ("json_path", "state_path", "resume_path", "baseline_capture", "baseline_diff"):
            out[key] = str(out[key]) if out[key] else None
        out["sampling"] = dict(self.sampling)
        return out


def from_options(opt: Any) -> RunConfig:
    sampling = tuple((k, float(getattr(opt, f"modelqa_{k}"))) for k in SAMPLING_FLAGS
                     if getattr(opt, f"modelqa_{k}") is not None)
    if opt.modelqa_sampling_from_server and sampling:
        raise ValueError("--sampling-from-server cannot be combined with explicit sampling flags")
    if opt.modelqa_control and (opt.model_endpoint or opt.modelqa_serve_cmd):
        raise ValueError("--modelqa-control answers without a server: drop --model-endpoint")
    if opt.modelqa_repeat < 1:
        raise ValueError("--repeat must be at least 1")
    if opt.modelqa_baseline_capture and opt.modelqa_repeat < 3:
        raise ValueError("--baseline-capture needs --repeat 3 or more: the gate compares against the "
                         "baseline's repeat noise")
    if opt.modelqa_control and (opt.modelqa_baseline_capture or opt.modelqa_baseline_diff):
        raise ValueError("baselines describe a model: they cannot be captured or gated under --modelqa-control")
    return RunConfig(
        endpoints=tuple(e.rstrip("/") for e in opt.model_endpoint or ()),
        serve_cmd=opt.modelqa_serve_cmd,
        control=opt.modelqa_control,
        model=opt.modelqa_model,
        api_key=opt.modelqa_api_key or os.environ.get("MODELQA_API_KEY") or None,
        packs_dirs=tuple(Path(p).resolve() for p in opt.modelqa_packs_dir or ()),
        concurrency=opt.modelqa_concurrency,
        thinking=opt.modelqa_thinking,
        thinking_max_tokens=opt.modelqa_thinking_max_tokens,
        reasoning_effort=opt.modelqa_reasoning_effort,
        sampling_from_server=opt.modelqa_sampling_from_server,
        sampling=sampling,
        seed=opt.modelqa_seed,
        retries=opt.modelqa_retries,
        case_timeout=opt.modelqa_case_timeout,
        json_path=Path(opt.modelqa_json) if opt.modelqa_json else None,
        repeat=opt.modelqa_repeat,
        state_path=Path(opt.modelqa_state) if opt.modelqa_state else None,
        resume_path=Path(opt.modelqa_resume) if opt.modelqa_resume else None,
        baseline_capture=Path(opt.modelqa_baseline_capture) if opt.modelqa_baseline_capture else None,
        baseline_diff=Path(opt.modelqa_baseline_diff) if opt.modelqa_baseline_diff else None,
        max_drop_pp=opt.modelqa_max_drop_pp,
    )
