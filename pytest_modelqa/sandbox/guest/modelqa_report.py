"""A pytest plugin loaded into the hidden-test run inside the sandbox (`-p modelqa_report`):
writes each test's outcome to a JSON file, so the grader reads outcomes rather than parsing
output that the code under test can print into."""

import json
import os

_OUTCOMES = {}


def pytest_runtest_logreport(report):
    name = report.nodeid.split("::", 1)[-1]
    if report.when == "call" or report.outcome != "passed":
        worst = {"passed": 0, "skipped": 1, "failed": 2}
        outcome = "error" if report.when != "call" and report.failed else report.outcome
        if worst.get(outcome, 3) >= worst.get(_OUTCOMES.get(name, "passed"), 3):
            _OUTCOMES[name] = outcome


def pytest_sessionfinish(session):
    path = os.environ["MODELQA_REPORT"]
    with open(path + ".tmp", "w") as f:
        json.dump(_OUTCOMES, f, sort_keys=True)
    os.replace(path + ".tmp", path)
