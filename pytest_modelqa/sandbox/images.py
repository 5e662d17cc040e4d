"""The sandbox images: which exist, what each is built from, and the command that builds them.

    python -m pytest_modelqa.sandbox build [--base auto|registry|rootfs] [--dry-run] [IMAGE ...]

Each image is `sandboxes/<name>/Dockerfile`, built FROM its parent (the BASE build arg) and
tagged `pytest-modelqa/<name>:<hash>`, where the hash covers its Dockerfile and its parents':
a tag that exists is up to date, so a second build does nothing. The root of the chain, the
`base` image, starts FROM `debian:bookworm-slim` where a registry is reachable ("registry"),
or from a Debian root filesystem made here with debootstrap and imported ("rootfs"), which
needs only the Debian package mirror. "auto" uses the registry image when it is present
locally, else the root filesystem: it never tries a pull (no surprise network access)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..errors import SandboxError
from ..names import shipped_dir

PARENT = {"base": None, "python": "base", "cli": "base", "polyglot": "python"}  # image -> the image it builds on
REGISTRY_BASE = "debian:bookworm-slim"
SUITE, VARIANT = "bookworm", "minbase"
ROOTFS_TAG = f"pytest-modelqa/debian-rootfs:{SUITE}-{VARIANT}"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
LABEL = "org.pytest-modelqa.image"
BUILD_COMMAND = "python -m pytest_modelqa.sandbox build"


def sandboxes_dir() -> Path:
    return shipped_dir("sandboxes")


def chain(name: str) -> list[str]:
    """The image and its parents, root first."""
    if name not in PARENT:
        raise SandboxError(f"unknown sandbox image {name!r} (known: {', '.join(PARENT)})")
    out: list[str] = []
    at: str | None = name
    while at is not None:
        out.insert(0, at)
        at = PARENT[at]
    return out


def content_hash(name: str, root: Path | None = None) -> str:
    root = root or sandboxes_dir()
    h = hashlib.sha256()
    for part in chain(name):
        h.update(part.encode() + b"\0" + (root / part / "Dockerfile").read_bytes() + b"\0")
    return h.hexdigest()[:12]


def tag(name: str, root: Path | None = None) -> str:
    return f"pytest-modelqa/{name}:{content_hash(name, root)}"


@dataclass(frozen=True)
class Step:
    what: str
    argv: tuple[str, ...]
    stdin_from: str = ""  # a directory tarred into the command's stdin (docker import)

    def render(self) -> str:
        cmd = " ".join(self.argv)
        return f"tar -C {self.stdin_from} -c . | {cmd}" if self.stdin_from else cmd


def apt_mirror(sources: Sequence[Path] = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))) -> str:
    """The host's own Debian mirror (it is the one known to be reachable), else deb.debian.org."""
    files: list[Path] = []
    for s in sources:
        files += sorted(s.glob("*")) if s.is_dir() else [s] if s.is_file() else []
    for f in files:
        for line in f.read_text(errors="replace").splitlines():
            words = line.split()
            if words[:1] == ["deb"] and len(words) >= 3 and "security" not in words[-2]:
                return next(w for w in words[1:] if "://" in w)
            if words[:1] == ["URIs:"] and len(words) >= 2 and "security" not in words[1]:
                return words[1]
    return DEFAULT_MIRROR


def plan(names: Sequence[str], base: str, have: Callable[[str], bool], root: Path | None = None,
         mirror: str | None = None, workdir: str = "ROOTFS") -> list[Step]:
    """The commands that build `names` (and their parents) that are not built yet, in order."""
    root = root or sandboxes_dir()
    wanted: list[str] = []
    for name in names:
        wanted += [p for p in chain(name) if p not in wanted]
    steps: list[Step] = []
    if base == "auto":
        base = "registry" if have(REGISTRY_BASE) else "rootfs"
    if base not in ("registry", "rootfs"):
        raise SandboxError(f"--base must be auto, registry or rootfs, not {base!r}")
    start = REGISTRY_BASE if base == "registry" else ROOTFS_TAG
    missing = [n for n in wanted if not have(tag(n, root))]
    if base == "rootfs" and "base" in missing and not have(ROOTFS_TAG):
        steps += [Step("make a Debian root filesystem", ("debootstrap", f"--variant={VARIANT}", SUITE, workdir,
                                                          mirror or apt_mirror())),
                  Step("import it as an image", ("docker", "import", "-", ROOTFS_TAG), stdin_from=workdir)]
    for name in missing:
        parent = PARENT[name]
        origin = ("--label", f"org.pytest-modelqa.base={start}") if parent is None else ()
        steps.append(Step(f"build {name}", (
            "docker", "build", "--pull=false", "--build-arg", f"BASE={start if parent is None else tag(parent, root)}",
            "--label", f"{LABEL}={name}", *origin, "-t", tag(name, root), str(root / name))))
    return steps


def docker_has(image: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", image], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def run(steps: Sequence[Step], say: Callable[[str], None] = print) -> None:
    with tempfile.TemporaryDirectory(prefix="modelqa-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        for step in steps:
            argv = [str(rootfs) if a == "ROOTFS" else a for a in step.argv]
            say(f"sandbox build: {step.what}: {' '.join(argv)}")
            if argv[0] == "debootstrap":
                _ensure_debootstrap(say)
                _check(subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), step)
                _slim(rootfs)
                continue
            if step.stdin_from:
                tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
                done = subprocess.run(argv, stdin=tar.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                assert tar.stdout is not None
                tar.stdout.close()
                tar.wait()
                _check(done, step)
                continue
            _check(subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), step)


def _ensure_debootstrap(say: Callable[[str], None]) -> None:
    """Debian's own tool, from the package mirror (the one network this path needs): installed
    here when missing and we may (root, with apt-get), else a one-line instruction."""
    if shutil.which("debootstrap"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SandboxError("debootstrap is not installed (Debian: sudo apt-get install debootstrap), "
                           f"or build with --base registry where {REGISTRY_BASE} can be pulled")
    say("sandbox build: installing debootstrap (apt-get install debootstrap)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "debootstrap"]):
        _check(subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env),
               Step("install debootstrap", tuple(argv)))


def _slim(rootfs: Path) -> None:
    """The downloaded packages and apt's lists are most of a fresh root filesystem."""
    for pattern in ("var/cache/apt/archives/*.deb", "var/cache/apt/*.bin", "var/lib/apt/lists/*"):
        for p in rootfs.glob(pattern):
            if p.is_file():
                p.unlink()


def _check(done: subprocess.CompletedProcess, step: Step) -> None:
    if done.returncode != 0:
        tail = (done.stderr or b"").decode(errors="replace").strip().splitlines()[-5:]
        raise SandboxError(f"{step.what} failed (exit {done.returncode}): {' | '.join(tail)}")


def main(argv: Sequence[str]) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog=BUILD_COMMAND.rsplit(" ", 1)[0] + " build",
                                     description="Build the sandbox images (cached by content hash).")
    parser.add_argument("images", nargs="*", default=list(PARENT), help=f"images to build (default: all: {', '.join(PARENT)})")
    parser.add_argument("--base", default="auto", help="auto (default), registry or rootfs")
    parser.add_argument("--mirror", default=None, help="Debian mirror for the root filesystem (default: the host's)")
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = parser.parse_args(argv)
    try:
        have = docker_has if not args.dry_run or shutil.which("docker") else (lambda image: False)
        steps = plan(args.images, args.base, have, mirror=args.mirror)
        if args.dry_run:
            for step in steps:
                print(step.render())
            return 0
        run(steps)
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name in args.images:
        print(f"sandbox image {name}: {tag(name)}")
    return 0
