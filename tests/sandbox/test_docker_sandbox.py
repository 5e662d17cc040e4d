"""The sandbox API on the Docker backend, and the warm pool: files in and out, exec with stdin,
cwd, env and a timeout, capped output, one fresh container per acquire, nothing left behind."""

from __future__ import annotations

import subprocess

import pytest

from pytest_modelqa.errors import SandboxError
from pytest_modelqa.sandbox.base import Limits
from pytest_modelqa.sandbox.docker import OWNER_LABEL
from pytest_modelqa.sandbox.pool import Pool

from tests.sandbox.conftest import containers


def test_files_go_in_and_come_out(sandbox) -> None:
    sandbox.write_files({"pkg/mod.py": "X = 'ü'\n", "data.bin": bytes(range(256))})
    assert sandbox.read_file("pkg/mod.py") == "X = 'ü'\n".encode()
    assert sandbox.read_file("/scratch/data.bin") == bytes(range(256))
    with pytest.raises(SandboxError, match="cannot read"):
        sandbox.read_file("missing.txt")
    with pytest.raises(SandboxError, match="outside the sandbox's scratch dir"):
        sandbox.write_files({"../etc/x": "no"})


def test_exec_takes_stdin_cwd_and_env_and_reports_the_exit_code(sandbox) -> None:
    sandbox.write_files({"sub/echo.py": "import os, sys\nprint(os.getcwd(), os.environ['GREETING'], sys.stdin.read())\n"
                                        "print('to stderr', file=sys.stderr)\nsys.exit(3)\n"})
    r = sandbox.exec(["python3", "echo.py"], stdin="from stdin", cwd="/scratch/sub", env={"GREETING": "hi"})
    assert (r.exit_code, r.stdout, r.stderr, r.limit, r.timed_out) == (3, "/scratch/sub hi from stdin\n",
                                                                       "to stderr\n", None, False)
    assert not r.ok and r.wall_s > 0


def test_a_timeout_is_reported_as_such(sandbox) -> None:
    r = sandbox.exec(["sleep", "30"], timeout=1)
    assert r.timed_out and r.limit == "timeout" and r.exit_code == 124 and r.wall_s < 10


def test_a_command_exiting_124_itself_is_not_a_timeout(sandbox) -> None:
    r = sandbox.exec(["sh", "-c", "exit 124"], timeout=30)
    assert r.exit_code == 124 and not r.timed_out and r.limit is None


def test_output_is_capped_with_a_truncation_flag(pool) -> None:
    sb = pool.acquire("python", Limits(output_bytes=1000))
    try:
        r = sb.exec(["python3", "-c", "import sys; sys.stdout.write('a' * 5000); sys.stderr.write('b' * 10)"])
    finally:
        pool.release(sb)
    assert (len(r.stdout), r.stdout_truncated, r.stderr, r.stderr_truncated) == (1000, True, "b" * 10, False)
    assert r.exit_code == 0 and r.limit is None  # over the cap, but not a flood: it ran to the end


def test_scratch_is_noexec_unless_asked(pool) -> None:
    script = {"run.sh": "#!/bin/sh\necho ran\n"}
    plain = pool.acquire("cli")
    compiling = pool.acquire("cli", Limits(scratch_exec=True))
    try:
        plain.write_files(script, mode=0o755)
        compiling.write_files(script, mode=0o755)
        assert plain.exec(["./run.sh"]).exit_code == 126
        assert compiling.exec(["./run.sh"]).stdout == "ran\n"
    finally:
        pool.release(plain)
        pool.release(compiling)


def test_the_cli_image_has_the_usual_tools(pool) -> None:
    sb = pool.acquire("cli")
    try:
        r = sb.exec(["sh", "-c", "for t in find grep sed gawk jq tar gzip zip unzip git sqlite3 python3; do "
                                 "command -v $t >/dev/null || echo missing $t; done; echo '{\"a\": 1}' | jq .a"])
    finally:
        pool.release(sb)
    assert r.stdout == "1\n", r.stdout


def test_every_acquire_is_a_fresh_container_never_handed_out_again(pool) -> None:
    first = pool.acquire("python")
    first.write_files({"mark": "touched"})
    pool.release(first)
    seen = {first.id}
    for _ in range(4):
        sb = pool.acquire("python")
        assert sb.id not in seen and sb.exec(["ls", "/scratch"]).stdout == ""
        seen.add(sb.id)
        pool.release(sb)


def test_a_pool_holds_at_most_its_size_and_leaves_nothing_when_closed(docker_backend) -> None:
    from pytest_modelqa.sandbox.docker import DockerBackend
    backend = DockerBackend("bounded")
    small = Pool(backend, 2)
    held = [small.acquire("python"), small.acquire("python")]
    with pytest.raises(SandboxError, match="no python sandbox became ready within 2s"):
        small.acquire("python", timeout=2)  # both slots are in use
    assert len(containers(f"{OWNER_LABEL}={backend.owner}")) == 2
    small.release(held.pop())
    held.append(small.acquire("python", timeout=60))  # a slot came free
    small.close()
    assert containers(f"{OWNER_LABEL}={backend.owner}") == []
    assert all(subprocess.run(["docker", "inspect", sb.id], capture_output=True).returncode != 0 for sb in held)


def test_a_missing_image_says_how_to_build_it(docker_backend, monkeypatch) -> None:
    from pytest_modelqa.sandbox import images
    monkeypatch.setattr(images, "tag", lambda name, root=None: f"pytest-modelqa/{name}:000000000000")
    assert docker_backend.available("python") == ("sandbox image pytest-modelqa/python:000000000000 is not built: "
                                                  "run `python -m pytest_modelqa.sandbox build`")
