"""Every error the plugin raises on purpose, in one hierarchy.

    ModelQAError                 a one-line message for the user; never a traceback
    ├── ConfigError              options, ini keys or environment values that do not fit together
    ├── PackError                a pack file that cannot be used (names file, scenario, problem)
    ├── StateError               an eval state journal that cannot be read, resumed or written
    ├── BaselineError            a baseline that cannot be read, captured or compared
    ├── ServerError              a server the plugin launches did not come up
    ├── EndpointError            an endpoint unusable at start-up: the session stops at once
    ├── CliError                 `modelqa` command input that cannot be used
    ├── SandboxError             a sandbox image, backend or container that cannot be used
    └── ServingError             one request failed after its retries: the scenario is a pytest
                                 *error* (a serving problem), not a quality failure

Session-level errors (all but ServingError) end the run with one message: the plugin turns
them into pytest.UsageError or a collection error. ServingError carries the failure mode
recorded in the results (`server_error`, `http_error`, `timeout`, …)."""

from __future__ import annotations

from pathlib import Path


class ModelQAError(Exception):
    pass


class ConfigError(ModelQAError):
    pass


class PackError(ModelQAError):
    """A pack file that cannot be used: names the file, the scenario and the problem."""

    def __init__(self, path: Path | str, problem: str, scenario: str | None = None):
        self.path, self.problem, self.scenario = str(path), problem, scenario
        where = f"{self.path}: scenario {scenario}" if scenario else self.path
        super().__init__(f"{where}: {problem}")


class StateError(ModelQAError):
    pass


class BaselineError(ModelQAError):
    pass


class ServerError(ModelQAError):
    pass


class EndpointError(ModelQAError):
    pass


class CliError(ModelQAError):
    pass


class SandboxError(ModelQAError):
    pass


class ServingError(ModelQAError):
    def __init__(self, failure_mode: str, detail: str, retries: int = 0):
        super().__init__(detail)
        self.failure_mode, self.detail, self.retries = failure_mode, detail, retries
