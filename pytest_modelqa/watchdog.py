"""Kills a launched server's process group, or removes a run's sandbox containers, when the
pytest process that owns them dies.

    python -m pytest_modelqa.watchdog PGID                  (stdin: a pipe from the owner)
    python -m pytest_modelqa.watchdog --containers OWNER    (the owner label of its containers)

The launching process holds the only write end of our stdin. However it ends — a normal
exit, SIGINT, SIGTERM, or SIGKILL, which runs no cleanup at all — the kernel closes that
pipe and our read returns EOF: then the group gets SIGTERM and, if anything in it is still
alive after a grace period (llama-server has been seen ignoring SIGTERM), SIGKILL. A clean
stop writes `release` first: the launcher has already stopped the server itself. Containers
are removed by their owner label (sandbox/docker.py), so only the dead process's own go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

GRACE_S = 3.0


def alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_group(pgid: int, grace_s: float = GRACE_S) -> None:
    """Here the group's leader is not our child (it was the launcher's), so nothing waits for
    a zombie: `alive` turns false as soon as every member has exited."""
    signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    signal_group(pgid, signal.SIGKILL)


def start(*args: str) -> subprocess.Popen:
    """A watchdog over what `args` name, holding the read end of a pipe only we write to."""
    return subprocess.Popen([sys.executable, "-m", "pytest_modelqa.watchdog", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, start_new_session=True)


def release(guard: subprocess.Popen) -> None:
    """A clean stop: the owner has cleaned up itself; the watchdog exits doing nothing."""
    if guard.poll() is None:
        try:
            guard.stdin.write("release\n")  # type: ignore[union-attr]
            guard.stdin.close()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            pass
        guard.wait()


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C to the terminal is the launcher's to handle
    line = sys.stdin.readline()
    if line.strip() == "release":
        return 0
    if argv[0] == "--containers":
        from .sandbox.docker import remove_owned
        remove_owned(argv[1])
    else:
        kill_group(int(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
