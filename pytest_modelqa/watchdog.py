"""Kills a launched server's process group when the pytest process that launched it dies.

    python -m pytest_modelqa.watchdog PGID     (stdin: a pipe from the launching process)

The launching process holds the only write end of our stdin. However it ends — a normal
exit, SIGINT, SIGTERM, or SIGKILL, which runs no cleanup at all — the kernel closes that
pipe and our read returns EOF: then the group gets SIGTERM and, if anything in it is still
alive after a grace period (llama-server has been seen ignoring SIGTERM), SIGKILL. A clean
stop writes `release` first: the launcher has already stopped the server itself."""

from __future__ import annotations

import os
import signal
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


def main(argv: list[str]) -> int:
    pgid = int(argv[0])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C to the terminal is the launcher's to handle
    line = sys.stdin.readline()
    if line.strip() != "release":
        kill_group(pgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
