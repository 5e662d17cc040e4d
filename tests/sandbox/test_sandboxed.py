"""Sandboxed scenarios against the real Docker Engine: the persistent shell, preparing a
sandbox, evidence gathering, time limits reaching the sandboxed steps, concurrency up to the
pool's size, and a BugFind fix re-run in a fresh sandbox by `modelqa rescore`."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace

import pytest

from pytest_modelqa.catalogue import load_checked
from pytest_modelqa.controls import scripted_responder
from pytest_modelqa.engine import Engine, Lane
from pytest_modelqa.errors import SandboxError
from pytest_modelqa.messages import Reply, ToolCall
from pytest_modelqa.names import shipped_packs_dir
from pytest_modelqa.sandbox.service import Sandboxes
from pytest_modelqa.sandboxed import prepare, regather, run_sandboxed
from pytest_modelqa.tools import ShellTools
from pytest_modelqa.verifiers import verify

CLI = load_checked(shipped_packs_dir() / "cli-40.yaml")
BUGFIND = load_checked(shipped_packs_dir() / "bugfind-15.yaml")


@pytest.fixture(scope="module")
def boxes(docker_backend):
    """The run's service as the plugin makes it (its own backend, watchdog and pool of 3)."""
    service = Sandboxes("docker", 3, "tests-sandboxed")
    yield service
    service.close()


def cmd(command: str, i: int = 0) -> Reply:
    return Reply(content="", tool_calls=(ToolCall.parse("run_command", {"command": command}, f"c{i}"),))


def scenario(base, **changes):
    return replace(base, **changes)


def shell_outputs(boxes, commands: list[str]) -> list[dict]:
    """What run_command returned for each command, in one session."""
    sc = scenario(CLI.scenarios[0], max_steps=len(commands) + 1)
    turns = [cmd(c, i) for i, c in enumerate(commands)] + [Reply(content="done")]
    episode = run_sandboxed(sc, scripted_responder(turns), boxes)
    return [json.loads(m["content"]) for m in episode.transcript if m["role"] == "tool"]


def test_the_shell_session_keeps_cwd_variables_and_functions(boxes):
    out = shell_outputs(boxes, [
        "mkdir -p deep/er && cd deep/er && greeting='hello there' && export SHOUT=LOUD",
        "greet() { echo \"$greeting from $(basename \"$PWD\")\"; }",
        "pwd; greet; bash -c 'echo child sees $SHOUT and ${greeting:-nothing}'",
        "exit 3",
        "echo still $greeting; false",
    ])
    assert out[2]["stdout"].splitlines() == ["/scratch/work/deep/er", "hello there from er", "child sees LOUD and nothing"]
    assert out[3]["exit_code"] == 3  # `exit` ends one command, not the session
    assert out[4] == {"exit_code": 1, "stdout": "still hello there\n", "stderr": ""}


def test_shell_output_is_capped_and_stdin_is_closed(boxes):
    out = shell_outputs(boxes, ["head -c 20000 /dev/zero | tr '\\0' x", "cat; echo after"])
    assert len(out[0]["stdout"]) < 4200 and "more characters cut" in out[0]["stdout"]
    assert out[1]["stdout"] == "after\n"  # `cat` reads /dev/null, it never waits for input


def test_the_scenario_deadline_bounds_each_command(boxes):
    pool = boxes.pool()
    sandbox = pool.acquire("cli")
    try:
        prepare(sandbox, CLI.scenarios[0])
        deadline = time.monotonic() + 2.0
        tools = ShellTools(sandbox, lambda: deadline - time.monotonic())
        out = json.loads(tools.execute(ToolCall.parse("run_command", {"command": "sleep 30"}, "c")))
    finally:
        pool.release(sandbox)
    assert out["error"].startswith("the command was stopped after") and out["exit_code"] in (124, 137)


def test_prepare_lays_the_workspace_and_a_failing_setup_is_a_sandbox_error(boxes):
    sc = scenario(CLI.scenarios[0], setup=("printf 'a\\nb\\n' > made.txt", "chmod 640 made.txt"))
    episode = run_sandboxed(sc, scripted_responder([cmd("find . -type f | sort; stat -c %a made.txt"), Reply("ok")]), boxes)
    listing = json.loads(episode.transcript[-2]["content"])["stdout"].splitlines()
    assert "./made.txt" in listing and "./photos/raw/IMG_003.JPG" in listing and listing[-1] == "640"
    broken = scenario(CLI.scenarios[0], setup=("false",))
    with pytest.raises(SandboxError, match="setup failed"):
        run_sandboxed(broken, scripted_responder([Reply("x")]), boxes)


def test_checks_see_the_final_state_not_the_session(boxes):
    """A function or alias the model defines cannot change what a check computes."""
    sc = CLI.scenarios[0]
    poison = cmd("test() { return 0; }; cat() { echo jpeg-bytes-001; }; export -f test cat")
    poisoned = [poison, *sc.gold]
    episode = run_sandboxed(replace(sc, max_steps=len(poisoned) + 1), scripted_responder(poisoned), boxes)
    assert verify(sc, episode).passed  # the gold's work, judged by plain bash
    lazy = [poison, Reply("Renamed.\nANSWER: 3")]
    episode = run_sandboxed(sc, scripted_responder(lazy), boxes)
    v = verify(sc, episode)
    assert not v.passed and "no .JPG file is left" in v.detail


def test_what_the_commands_left_running_is_stopped_before_the_checks(boxes):
    sc = CLI.scenarios[0]
    late = dict(sc.verifier, checks=[{"label": "nothing appears late", "run": "sleep 4; test ! -e photos/late"}],
                answer={"answer": 3})
    trail = [cmd("(sleep 3; touch photos/late) >/dev/null 2>&1 &"), Reply("ANSWER: 3")]
    episode = run_sandboxed(replace(sc, verifier=late), scripted_responder(trail), boxes)
    assert episode.evidence["checks"][0]["exit"] == 0


def test_a_sandbox_is_taken_only_when_something_runs_in_it(boxes, monkeypatch):
    pool = boxes.pool()
    taken: list[str] = []
    acquire = pool.acquire
    monkeypatch.setattr(pool, "acquire", lambda image, *a, **kw: taken.append(image) or acquire(image, *a, **kw))
    sc = BUGFIND.scenarios[0]
    prose = run_sandboxed(sc, scripted_responder([Reply("The function looks fine to me.")]), boxes)
    assert taken == [] and not verify(sc, prose).passed
    gold = run_sandboxed(sc, scripted_responder(sc.gold), boxes)
    assert taken == ["python"] and verify(sc, gold).passed


def test_sandboxed_episodes_run_concurrently_up_to_the_pool_size(boxes):
    sc = scenario(CLI.scenarios[0], max_steps=3)
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()

    def one(lane: Lane) -> None:
        times: list[float] = []  # the command's start (in the sandbox, one clock) and the last turn

        def respond(scn, messages, turn):
            if turn:
                times.extend([float(json.loads(messages[-1]["content"])["stdout"].split()[0]), time.time()])
            return [cmd("date +%s.%N; sleep 1.5"), Reply("done")][turn]
        run_sandboxed(sc, respond, boxes)
        with lock:
            spans.append((times[0], times[-1]))

    engine: Engine[None] = Engine([Lane("control", 6)])  # more threads than the pool has sandboxes
    try:
        for i in range(6):
            engine.submit(str(i), one)
        for i in range(6):
            engine.wait(str(i))
    finally:
        engine.close()
    # the most episodes inside a sandbox at one moment (a start counts before an end at a tie)
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda x: (x[0], -x[1]))
    live = peak = 0
    for _, step in events:
        live += step
        peak = max(peak, live)
    assert peak == 3


def test_rescore_reruns_a_fix_in_a_fresh_sandbox(boxes):
    sc = BUGFIND.scenarios[0]
    good = run_sandboxed(sc, scripted_responder(sc.gold), boxes)
    assert verify(sc, good).passed and good.evidence["tests"]
    replayed = replace(good, evidence={})
    again = regather(sc, replayed, boxes)
    assert again.evidence["tests"] == good.evidence["tests"] and verify(sc, again).passed
