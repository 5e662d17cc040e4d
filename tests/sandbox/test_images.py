"""The image build: what it plans on each path, that tags follow content, and the registry
path built for real from a stand-in for debian:bookworm-slim (no registry is reachable here)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from pytest_modelqa.sandbox import images


def argv_of(steps) -> list[str]:
    return [" ".join(s.argv) for s in steps]


def test_the_rootfs_path_bootstraps_debian_imports_it_and_builds_every_image_in_order() -> None:
    steps = images.plan(list(images.PARENT), "rootfs", have=lambda image: False, mirror="http://mirror.test/debian")
    assert [s.what for s in steps] == ["make a Debian root filesystem", "import it as an image", "build base",
                                       "build python", "build cli", "build polyglot"]
    assert steps[0].argv == ("debootstrap", "--variant=minbase", "bookworm", "ROOTFS", "http://mirror.test/debian")
    assert steps[1].render() == f"tar -C ROOTFS -c . | docker import - {images.ROOTFS_TAG}"
    assert f"BASE={images.ROOTFS_TAG}" in steps[2].argv and f"BASE={images.tag('python')}" in steps[5].argv


def test_the_registry_path_starts_from_debian_slim_and_needs_no_bootstrap() -> None:
    steps = images.plan(["cli"], "registry", have=lambda image: False)
    assert [s.what for s in steps] == ["build base", "build cli"]
    assert "BASE=debian:bookworm-slim" in steps[0].argv and f"BASE={images.tag('base')}" in steps[1].argv
    assert steps[1].argv[-3:] == ("-t", images.tag("cli"), str(images.sandboxes_dir() / "cli"))


def test_auto_uses_the_registry_image_only_when_it_is_already_here() -> None:
    assert images.plan(["base"], "auto", have=lambda i: i == images.REGISTRY_BASE)[0].what == "build base"
    assert images.plan(["base"], "auto", have=lambda i: False)[0].what == "make a Debian root filesystem"


def test_built_images_are_skipped_and_tags_follow_the_dockerfiles(tmp_path: Path) -> None:
    built = {images.tag(n) for n in ("base", "python")}
    assert argv_of(images.plan(["python", "cli"], "rootfs", have=lambda i: i in built or i == images.ROOTFS_TAG)) \
        == argv_of(images.plan(["cli"], "rootfs", have=lambda i: i in built or i == images.ROOTFS_TAG))
    root = tmp_path / "sandboxes"
    shutil.copytree(images.sandboxes_dir(), root)
    before = {n: images.tag(n, root) for n in images.PARENT}
    (root / "base" / "Dockerfile").write_text((root / "base" / "Dockerfile").read_text() + "# changed\n")
    after = {n: images.tag(n, root) for n in images.PARENT}
    assert all(before[n] != after[n] for n in images.PARENT)  # every image builds on base
    (root / "cli" / "Dockerfile").write_text((root / "cli" / "Dockerfile").read_text() + "# changed\n")
    assert images.tag("cli", root) != after["cli"] and images.tag("python", root) == after["python"]


def test_the_host_mirror_is_read_from_both_apt_formats(tmp_path: Path) -> None:
    one = tmp_path / "sources.list"
    one.write_text("# comment\ndeb http://security.test/debian-security bookworm-security main\n"
                   "deb [arch=amd64] http://one.test/debian bookworm main\n")
    assert images.apt_mirror([one]) == "http://one.test/debian"
    d = tmp_path / "sources.list.d"
    d.mkdir()
    (d / "debian.sources").write_text("Types: deb\nURIs: http://deb822.test/debian\nSuites: bookworm\n")
    assert images.apt_mirror([tmp_path / "absent", d]) == "http://deb822.test/debian"
    assert images.apt_mirror([tmp_path / "absent"]) == images.DEFAULT_MIRROR


def test_an_unknown_image_or_base_is_a_one_line_error() -> None:
    with pytest.raises(images.SandboxError, match="unknown sandbox image 'gpu'"):
        images.plan(["gpu"], "rootfs", have=lambda i: False)
    with pytest.raises(images.SandboxError, match="--base must be auto, registry or rootfs"):
        images.plan(["base"], "ubuntu", have=lambda i: False)


def test_the_registry_path_builds_for_real_from_a_stand_in_debian_image(docker_backend, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The rootfs image, tagged under a private name, stands in for debian:bookworm-slim; a copy
    of the Dockerfiles (changed, so no real tag is touched) builds base on it."""
    stand_in = f"modelqa-test/debian-slim:{uuid.uuid4().hex[:8]}"
    root = tmp_path / "sandboxes"
    shutil.copytree(images.sandboxes_dir(), root)
    (root / "base" / "Dockerfile").write_text((root / "base" / "Dockerfile").read_text() + f"# {stand_in}\n")
    monkeypatch.setattr(images, "REGISTRY_BASE", stand_in)
    subprocess.run(["docker", "tag", images.ROOTFS_TAG, stand_in], check=True)
    built = images.tag("base", root)
    try:
        steps = images.plan(["base"], "auto", have=images.docker_has, root=root)
        assert [s.what for s in steps] == ["build base"] and f"BASE={stand_in}" in steps[0].argv
        images.run(steps, say=lambda line: None)
        out = subprocess.run(["docker", "run", "--rm", "--network", "none", built, "sh", "-c", "id -u; command -v timeout"],
                             capture_output=True, text=True, check=True).stdout.split()
        assert out == ["65534", "/usr/bin/timeout"]
    finally:
        subprocess.run(["docker", "rmi", "-f", built, stand_in], capture_output=True)
