"""Every option, declared once: its command-line flag, ini key and environment variable.

Precedence: command line > environment > ini (`[tool.pytest.ini_options]`, pytest.ini, …) >
default. Names follow one scheme: `--modelqa-<name>`, ini `modelqa_<name>`, environment
`MODELQA_<NAME>`; only the headline flags keep their short form (`--model-endpoint`,
`--baseline-capture`, `--baseline-diff`). Nothing generic (`--model`, `--seed`, `--repeat`)
is claimed, so users' conftests and other plugins keep those names.

This module imports nothing heavy: it runs in every pytest session, inert ones included."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

AUTO = "auto"  # --baseline-capture/--baseline-diff without a PATH: the default naming
LATEST = "latest"  # --modelqa-resume latest: the newest journal under results/modelqa-state/
CONTROLS = ("oracle", "junk", "near-miss")  # verifier self-tests (controls.probes)


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected on/off, true/false, yes/no or 1/0")


def _thinking(text: str) -> bool | None:
    low = text.strip().lower()
    if low in ("pack", "default", "pack-defaults", ""):
        return None
    return _bool(low)


def _words(text: str) -> list[str]:
    return text.replace(",", " ").split()


@dataclass(frozen=True)
class Opt:
    key: str  # the RunConfig-side name
    flag: str  # command line
    help: str
    section: str
    parse: Callable[[str], Any] = str  # text (ini, environment) -> value
    default: Any = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    many: bool = False  # repeatable on the command line; several values in ini/env
    path: bool = False  # relative ini values are relative to the ini file's directory
    flag_only: bool = False  # e.g. the thinking switches share one key

    @property
    def ini(self) -> str:
        return "modelqa_" + self.key

    @property
    def env(self) -> str:
        return "MODELQA_" + self.key.upper()


SECTIONS = {
    "endpoint": "modelqa: endpoint and launched servers",
    "generation": "modelqa: sampling and thinking",
    "run": "modelqa: packs, repeats and timeouts",
    "output": "modelqa: results, state and the baseline gate",
}

OPTIONS: tuple[Opt, ...] = (
    Opt("endpoint", "--model-endpoint", "OpenAI-compatible endpoint to evaluate (with or without /v1); repeat "
        "for several servers of one model; 'embedded' serves the bundled tiny model", "endpoint",
        many=True, metavar="URL"),
    Opt("serve_cmd", "--modelqa-serve-cmd", 'launch this server for the session; {port} becomes a free port, e.g. '
        '"llama-server -m model.gguf --port {port} --parallel 4 --jinja"', "endpoint", metavar="CMD"),
    Opt("serve_timeout", "--modelqa-serve-timeout", "seconds a launched server may take to become healthy "
        "(default 300)", "endpoint", float, 300.0, "SECONDS"),
    Opt("model", "--modelqa-model", "model name to request (default: the first of /v1/models)", "endpoint",
        metavar="NAME"),
    Opt("api_key", "--modelqa-api-key", "API key for the endpoint; never written to any artifact or log",
        "endpoint", metavar="KEY"),
    Opt("concurrency", "--modelqa-concurrency", "requests in flight per endpoint (default: the server's "
        "total_slots, else 4)", "endpoint", int, None, "N"),
    Opt("retries", "--modelqa-retries", "retries for transport errors, 5xx and 429 (default 3)", "endpoint",
        int, 3, "N"),
    Opt("thinking", "--modelqa-enable-thinking", "force thinking on for every pack (ini/env modelqa_thinking = "
        "on|off|pack)", "generation", _thinking),
    Opt("thinking", "--modelqa-no-thinking", "force thinking off for every pack", "generation", _thinking,
        flag_only=True),
    Opt("thinking_max_tokens", "--modelqa-thinking-max-tokens", "tokens allowed for thinking on top of a "
        "pack's answer budget (default: the pack's own, 8192 for the reasoning packs, else 1024)", "generation", int,
        None, "N"),
    Opt("reasoning_effort", "--modelqa-reasoning-effort", "send reasoning_effort=LEVEL with every request",
        "generation", metavar="LEVEL"),
    Opt("sampling_from_server", "--modelqa-sampling-from-server", "send no sampling fields; the server's "
        "defaults are recorded (non-canonical)", "generation", _bool, False),
    Opt("temperature", "--modelqa-temperature", "explicit temperature (non-canonical)", "generation", float,
        metavar="T"),
    Opt("top_p", "--modelqa-top-p", "explicit top_p (non-canonical)", "generation", float, metavar="P"),
    Opt("top_k", "--modelqa-top-k", "explicit top_k (non-canonical)", "generation", int, metavar="K"),
    Opt("min_p", "--modelqa-min-p", "explicit min_p (non-canonical)", "generation", float, metavar="P"),
    Opt("repeat_penalty", "--modelqa-repeat-penalty", "explicit repeat_penalty (non-canonical)", "generation",
        float, metavar="R"),
    Opt("seed", "--modelqa-seed", "sampling seed (canonical: 1234); repeat r sends seed + r", "generation",
        int, 1234, "N"),
    Opt("packs_dir", "--modelqa-packs-dir", "a directory of pack files to run besides the paths given "
        "(repeatable)", "run", many=True, metavar="DIR", path=True),
    Opt("repeat", "--modelqa-repeat", "run every scenario N times; adds mean, std, Wilson interval, pass@k "
        "and pass^k per pack", "run", int, 1, "N"),
    Opt("case_timeout", "--modelqa-case-timeout", "fixed per-request ceiling instead of one scaled from the "
        "measured decode speed", "run", float, None, "SECONDS"),
    Opt("control", "--modelqa-control", "verifier self-test without a server: answer every scenario with "
        "its gold and accepted alternatives (oracle), with junk, or with its near misses and accepted "
        "alternatives (near-miss)", "run", choices=CONTROLS),
    Opt("sandbox_backend", "--modelqa-sandbox-backend", "where model-written code runs: docker (locked-down "
        "containers, the default) or local (child processes with rlimits: weaker isolation, labelled so)", "run",
        default="docker", choices=("docker", "local")),
    Opt("sandboxes", "--modelqa-sandboxes", "sandboxes alive at once, warm ones included (default: two per "
        "core, as memory allows)", "run", int, None, "N"),
    Opt("gpqa_csv", "--modelqa-gpqa-csv", "your copy of gpqa_diamond.csv (gated data, never shipped); checked "
        "against the published SHA-256", "run", metavar="PATH", path=True),
    Opt("gpqa_sha256", "--modelqa-gpqa-sha256", "accept a GPQA file with this SHA-256 instead of the published one "
        "(recorded in the results)", "run", metavar="HEX"),
    Opt("lcb_data", "--modelqa-lcb-data", "a local copy of LiveCodeBench's code_generation_lite release (else the "
        "Hugging Face datasets cache is searched)", "run", metavar="PATH", path=True),
    Opt("json", "--modelqa-json", "write the JSON results here", "output", metavar="PATH", path=True),
    Opt("state", "--modelqa-state", "eval state journal (default: a new file per run under "
        "results/modelqa-state/; latest.jsonl points at the newest)", "output", metavar="PATH", path=True),
    Opt("resume", "--modelqa-resume", "re-use the finished scenarios of this eval state (same config hash) "
        "and run the rest; 'latest' = results/modelqa-state/latest.jsonl", "output", metavar="PATH", path=True),
    Opt("baseline_capture", "--baseline-capture", "write a baseline from this run (needs --modelqa-repeat 3+); "
        "default PATH: baselines/<model-slug>/<thinking-mode>.json", "output", metavar="PATH", path=True),
    Opt("baseline_diff", "--baseline-diff", "compare with a baseline and fail the session on a regression "
        "(default PATH as above)", "output", metavar="PATH", path=True),
    Opt("gate_subset", "--modelqa-gate-subset", "let the baseline gate pass on a subset of what the baseline "
        "holds (labelled SUBSET); without it a run missing baseline packs or scenarios fails the gate", "output",
        _bool, False),
    Opt("max_drop_pp", "--modelqa-max-drop-pp", "a pack regresses only when it drops by more than this many "
        "points AND beyond its repeat noise (default 10)", "output", float, 10.0, "PP"),
)
_OPTIONAL_VALUE = ("baseline_capture", "baseline_diff")  # flag alone = AUTO


def dest(opt: Opt) -> str:
    return "modelqa_opt_" + opt.key


def add_options(parser: Any) -> None:
    """Register the flags and ini keys on a pytest.Parser (grouped for --help)."""
    groups = {name: parser.getgroup(f"modelqa-{name}", text) for name, text in SECTIONS.items()}
    for opt in OPTIONS:
        g = groups[opt.section]
        kw: dict[str, Any] = {"dest": dest(opt), "help": opt.help}
        if opt.key == "thinking":
            kw.update(action="store_const", const=not opt.flag_only)
        elif opt.parse is _bool:
            kw.update(action="store_const", const=True)
        else:
            if opt.many:
                kw["action"] = "append"
            if opt.key in _OPTIONAL_VALUE:
                kw.update(nargs="?", const=AUTO)
            if opt.parse in (int, float):
                kw["type"] = opt.parse
            if opt.choices:
                kw["choices"] = opt.choices
            kw["metavar"] = opt.metavar
        g.addoption(opt.flag, **kw)
        if not opt.flag_only:
            parser.addini(opt.ini, f"{opt.help} [env {opt.env}]", type="string", default="")


@dataclass(frozen=True)
class Resolved:
    values: dict[str, Any]  # key -> value (defaults filled in)
    sources: dict[str, str]  # key -> where it came from, for messages and the report header

    @property
    def active(self) -> bool:
        """Asked for at all: an endpoint, a launched server or a control."""
        return bool(self.values["endpoint"] or self.values["serve_cmd"] or self.values["control"])


def resolve(config: Any, environ: dict[str, str] | None = None) -> Resolved:
    """Values from a pytest.Config. Raises ValueError naming the source of a bad value."""
    env = os.environ if environ is None else environ
    inidir = Path(config.inipath).parent if getattr(config, "inipath", None) else Path(config.rootpath)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for opt in OPTIONS:
        if opt.flag_only:
            continue
        given = getattr(config.option, dest(opt), None)
        if given is not None:
            values[opt.key], sources[opt.key] = given, "command line"
            continue
        for source, text, base in ((f"environment {opt.env}", env.get(opt.env, ""), None),
                                   (f"ini {opt.ini}", str(config.getini(opt.ini) or ""), inidir)):
            if not text.strip():
                continue
            try:
                values[opt.key] = _parse(opt, text, base)
            except ValueError as exc:
                raise ValueError(f"{source}={text!r}: {exc}") from None
            sources[opt.key] = source
            break
        else:
            values[opt.key] = [] if opt.many else opt.default
            sources[opt.key] = "default"
    return Resolved(values, sources)


def _parse(opt: Opt, text: str, base: Path | None) -> Any:
    parts = _words(text) if opt.many else [text.strip()]
    out = []
    for part in parts:
        if opt.choices and part not in opt.choices:
            raise ValueError(f"expected one of {', '.join(opt.choices)}")
        try:
            value = opt.parse(part)
        except ValueError as exc:
            raise ValueError(str(exc) if opt.parse not in (int, float) else "not a number") from None
        if opt.path and base is not None and value not in (AUTO, LATEST) and not Path(value).is_absolute():
            value = str(base / value)
        out.append(value)
    return out if opt.many else out[0]


def rootdir_hijack(config: Any) -> str | None:
    """Why pytest's rootdir came from one of our option values, or None.

    pytest picks the rootdir and ini file before plugins load, from every bare argument that
    names an existing path, so `--modelqa-packs-dir /elsewhere` (value as its own argument)
    can move the rootdir there, and with it baselines/, the cache and the ini file. This
    makes pytest's choice twice, from the positional arguments with and without our values
    (pytest's own function, called defensively: an incompatible pytest skips the check),
    and names the fix when they differ."""
    args = list(config.invocation_params.args)
    flags = {opt.flag for opt in OPTIONS if opt.path}
    ours = [args[i + 1] for i, a in enumerate(args[:-1]) if a in flags and not args[i + 1].startswith("-")]
    if not ours:
        return None
    try:
        import inspect

        from _pytest.config.findpaths import determine_setup
        params = inspect.signature(determine_setup).parameters

        def rootdir(positional: list[str]) -> Path:
            known = {"inifile": config.option.inifilename, "override_ini": config.option.override_ini,
                     "args": positional, "rootdir_cmd_arg": config.option.rootdir or None,
                     "invocation_dir": config.invocation_params.dir}
            return Path(determine_setup(**{k: v for k, v in known.items() if k in params})[0])

        positional = [str(a) for a in config.option.file_or_dir or ()]
        without, with_ours = rootdir(positional), rootdir(positional + ours)
    except Exception:  # noqa: BLE001 - a private pytest function: no check rather than a crash
        return None
    if without == with_ours:
        return None
    flag = next(args[i] for i, a in enumerate(args[1:]) if a == ours[0])
    return (f"pytest took its rootdir ({with_ours}, not {without}) from the value of {flag}: pytest reads "
            f"bare path arguments before plugins load. Write {flag}={ours[0]} instead")
