"""Every option resolves from the command line, the environment and the ini file, in that order."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from pytest_modelqa.config import endpoint_url, from_values
from pytest_modelqa.errors import ConfigError
from pytest_modelqa.options import OPTIONS, _bool, _thinking, dest, resolve

# A sample text per option (as ini/env give it) and the value it must become.
SAMPLES = {
    "endpoint": ("http://a:1, http://b:2", ["http://a:1", "http://b:2"]),
    "serve_cmd": ("llama-server --port {port}", "llama-server --port {port}"),
    "serve_timeout": ("12.5", 12.5),
    "model": ("m", "m"),
    "api_key": ("sk-abcdefgh", "sk-abcdefgh"),
    "concurrency": ("3", 3),
    "retries": ("0", 0),
    "thinking": ("off", False),
    "thinking_max_tokens": ("64", 64),
    "reasoning_effort": ("high", "high"),
    "sampling_from_server": ("yes", True),
    "temperature": ("0.7", 0.7),
    "top_p": ("0.9", 0.9),
    "top_k": ("40", 40),
    "min_p": ("0.05", 0.05),
    "repeat_penalty": ("1.1", 1.1),
    "seed": ("7", 7),
    "packs_dir": ("a b", ["INI/a", "INI/b"]),
    "repeat": ("3", 3),
    "case_timeout": ("30", 30.0),
    "control": ("junk", "junk"),
    "sandbox_backend": ("local", "local"),
    "sandboxes": ("3", 3),
    "json": ("out.json", "INI/out.json"),
    "state": ("s.jsonl", "INI/s.jsonl"),
    "resume": ("latest", "latest"),
    "baseline_capture": ("auto", "auto"),
    "baseline_diff": ("b.json", "INI/b.json"),
    "max_drop_pp": ("5", 5.0),
    "gate_subset": ("on", True),
    "gpqa_csv": ("gpqa_diamond.csv", "INI/gpqa_diamond.csv"),
    "gpqa_sha256": ("ab" * 32, "ab" * 32),
    "lcb_data": ("lcb", "INI/lcb"),
}
KEYS = sorted({o.key for o in OPTIONS})


def fake_config(tmp_path: Path, ini: dict[str, str], cli: dict[str, object]) -> SimpleNamespace:
    option = SimpleNamespace(**{dest(o): None for o in OPTIONS})
    for key, value in cli.items():
        setattr(option, "modelqa_opt_" + key, value)
    return SimpleNamespace(option=option, inipath=tmp_path / "pytest.ini", rootpath=tmp_path,
                           getini=lambda name: ini.get(name, ""))


def expected(key: str, tmp_path: Path, base: Path) -> object:
    value = SAMPLES[key][1]
    fix = lambda v: str(base / v[4:]) if isinstance(v, str) and v.startswith("INI/") else v  # noqa: E731
    return [fix(v) for v in value] if isinstance(value, list) else fix(value)


def test_every_option_has_a_sample() -> None:
    assert sorted(SAMPLES) == KEYS


@pytest.mark.parametrize("key", KEYS)
def test_each_option_from_ini_then_environment_then_command_line(tmp_path: Path, key: str) -> None:
    text = SAMPLES[key][0]
    from_ini = resolve(fake_config(tmp_path, {f"modelqa_{key}": text}, {}), environ={})
    assert from_ini.values[key] == expected(key, tmp_path, tmp_path) and from_ini.sources[key] == f"ini modelqa_{key}"
    env = {f"MODELQA_{key.upper()}": text}
    from_env = resolve(fake_config(tmp_path, {f"modelqa_{key}": "ignored"}, {}), environ=env)
    # Environment paths are used as given (relative to where pytest runs), not to the ini file.
    assert from_env.values[key] == expected(key, tmp_path, Path(""))
    assert from_env.sources[key] == f"environment MODELQA_{key.upper()}"
    cli = resolve(fake_config(tmp_path, {}, {key: "from-cli"}), environ=env)
    assert cli.values[key] == "from-cli" and cli.sources[key] == "command line"


def test_defaults_and_activity(tmp_path: Path) -> None:
    r = resolve(fake_config(tmp_path, {}, {}), environ={})
    assert not r.active and r.values["repeat"] == 1 and r.values["endpoint"] == [] and r.values["thinking"] is None
    assert resolve(fake_config(tmp_path, {"modelqa_control": "oracle"}, {}), environ={}).active
    assert resolve(fake_config(tmp_path, {}, {}), environ={"MODELQA_ENDPOINT": "http://x:1"}).active


@pytest.mark.parametrize("key,text,message", [
    ("repeat", "two", "not a number"), ("control", "gold", "expected one of oracle, junk"),
    ("sampling_from_server", "maybe", "expected on/off"), ("thinking", "sometimes", "expected on/off"),
])
def test_a_bad_value_names_its_source(tmp_path: Path, key: str, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=rf"environment MODELQA_{key.upper()}='{text}': {message}"):
        resolve(fake_config(tmp_path, {}, {}), environ={f"MODELQA_{key.upper()}": text})


def test_text_forms_of_switches() -> None:
    assert [_bool(t) for t in ("1", "TRUE", "yes", "On", "0", "false", "no", "off")] == [True] * 4 + [False] * 4
    assert [_thinking(t) for t in ("on", "off", "pack", "default")] == [True, False, None, None]


@pytest.mark.parametrize("given,url", [("http://h:8000/v1", "http://h:8000"), ("http://h:8000/v1/", "http://h:8000"),
                                       ("http://h:8000/", "http://h:8000"), ("http://h/api/v1x", "http://h/api/v1x")])
def test_endpoint_urls_with_or_without_v1(given: str, url: str) -> None:
    assert endpoint_url(given) == url


def test_clashing_values_are_config_errors(tmp_path: Path) -> None:
    base = resolve(fake_config(tmp_path, {}, {}), environ={}).values
    for change, message in (({"control": "oracle", "endpoint": ["http://x"]}, "answers without a server"),
                            ({"sampling_from_server": True, "temperature": 0.5}, "cannot be combined"),
                            ({"repeat": 0}, "modelqa_repeat must be at least 1"),
                            ({"baseline_capture": "auto"}, "needs --modelqa-repeat 3")):
        with pytest.raises(ConfigError, match=message):
            from_values({**base, **change})
