"""Servers a bench starts in other processes (ropsim, gunicorn), waiting for them, stopping
them, and what a process costs (CPU time, memory)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.support.database import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def spawn(cmd: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`cmd` in the project's root with the project importable, its output discarded."""
    env = {**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(list(cmd), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_http(
    url: str, proc: subprocess.Popen[bytes], what: str, *, started: float | None = None, timeout: float = 60.0
) -> float:
    """Wait until GET `url` answers 200; the seconds since `started` (perf_counter, default now).
    Polled every 20 ms: bench_ropsim reports the start-up time this measures."""
    started = time.perf_counter() if started is None else started
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - a loopback URL we built
                resp.read()
                if resp.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, OSError):
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        if time.perf_counter() - started > timeout:
            stop(proc)
            raise RuntimeError(f"{what} did not answer {url} within {timeout:g} s")
        time.sleep(0.02)


def stop(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Server:
    """A server this bench started: its process, port and how long it took to answer."""

    proc: subprocess.Popen[bytes]
    port: int
    startup: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """The pids of a pre-forking server's workers (gunicorn's)."""
        return [int(pid) for pid in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]


@contextmanager
def serving(
    cmd: Sequence[str],
    port: int,
    probe: str,
    what: str,
    env: dict[str, str] | None = None,
    *,
    stop_timeout: float = 20.0,
) -> Iterator[Server]:
    """`cmd` (a server listening on `port`) from its start until GET `probe` answers 200;
    stopped after. Server.startup: process start to that first answer."""
    started = time.perf_counter()
    proc = spawn(cmd, env)
    try:
        startup = wait_for_http(f"http://127.0.0.1:{port}{probe}", proc, what, started=started)
        yield Server(proc, port, startup)
    finally:
        stop(proc, stop_timeout)


def ropsim_command(
    port: int, devices: int, *, seed: int = 7, token: str | None = None, extra: Sequence[str] = ()
) -> list[str]:
    """The raw simulator: no demo states (the demo's slow device and cameras that never
    wake would measure the demo), warnings only."""
    cmd = [sys.executable, "-m", "ropsim", "--devices", str(devices), "--seed", str(seed), "--port", str(port)]
    cmd += ["--log-level", "WARNING", "--no-demo-states", *extra]
    return cmd + ([f"--token={token}"] if token else [])


@dataclass
class Ropsim(Server):
    """A ropsim in another process, with its /_sim control routes."""

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_sim/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - a loopback URL we built
            text = resp.read()
        return json.loads(text) if text else None

    def counters(self) -> dict[str, dict[str, int]]:
        """Answers per route: {"GET /v1.0/...": {"count": n, "429": m, ...}}."""
        counters: dict[str, dict[str, int]] = self.control("GET", "counters")
        return counters

    def reset_counters(self) -> None:
        self.control("POST", "counters/reset")

    def faults(self, **faults: Any) -> None:
        """Fleet-wide faults, e.g. latency_ms=60_000 (PUT /_sim/faults)."""
        self.control("PUT", "faults", faults)


@contextmanager
def ropsim(devices: int, *, seed: int = 7, token: str | None = None, extra: Sequence[str] = ()) -> Iterator[Ropsim]:
    """A ropsim of `devices` devices on a free port, once its health route answers; stopped after."""
    port = free_port()
    cmd = ropsim_command(port, devices, seed=seed, token=token, extra=extra)
    with serving(cmd, port, "/_sim/health", "ropsim") as server:
        yield Ropsim(server.proc, server.port, server.startup)


def production_web_args() -> list[str]:
    """The web service's gunicorn arguments from docker-compose.yml (worker class and counts
    from rop_fleet/gunicorn_conf.py), without the program and its --bind (gunicorn() binds)."""
    import yaml

    words: list[str] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    at = words.index("--bind")
    return words[1:at] + words[at + 2 :]


@contextmanager
def gunicorn(args: Sequence[str], env: dict[str, str], *, probe: str = "/healthz") -> Iterator[Server]:
    """gunicorn with `args` (the app and its options) on a free port, in the project's root
    with `env`, once GET `probe` answers 200; stopped after."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", *args, f"--bind=127.0.0.1:{port}"]
    with serving(cmd, port, probe, "gunicorn", env, stop_timeout=30) as server:
        yield server


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid: int, field: str) -> int:
    """A size from /proc/<pid>/status in kB: VmRSS, VmHWM (the peak)..."""
    match = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    if match is None:
        raise RuntimeError(f"no {field} in /proc/{pid}/status")
    return int(match.group(1))
