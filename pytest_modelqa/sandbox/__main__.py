"""`python -m pytest_modelqa.sandbox build …` builds the images; `… contain` prints the
containment table (each hostile payload, the limit that stopped it, the result)."""

from __future__ import annotations

import sys

USAGE = ("usage: python -m pytest_modelqa.sandbox build [--base auto|registry|rootfs] [--dry-run] [IMAGE ...]\n"
         "       python -m pytest_modelqa.sandbox contain")


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        from .images import main as build
        return build(argv[1:])
    if argv == ["contain"]:
        return contain()
    print(USAGE, file=sys.stderr)
    return 2


def contain() -> int:
    """Run every containment payload in fresh Docker sandboxes and print the table."""
    from ..errors import SandboxError
    from .containment import HostSide, payloads, run_one, table, with_canary
    from .docker import DockerBackend
    from .pool import Pool
    try:
        pool = Pool(DockerBackend("containment"), 2)
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    undo, host, rows = with_canary(), HostSide(), []
    try:
        why = pool.unavailable("python")
        if why:
            print(f"error: {why}", file=sys.stderr)
            return 1
        rows = [run_one(p, pool.acquire, pool.release, host) for p in payloads(host.port)]
    finally:
        host.close()
        pool.close()
        undo()
    print(table(rows))
    return 0 if all(r.contained for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
