"""Running bin/run-demo (`make run`) and manage.py as a user would: real processes on
the embedded defaults (SQLite, the filesystem broker, no Redis), in a var/ of their own."""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# What the test run sets and a user's shell would not: PostgreSQL and Redis of the suite,
# its settings module and keys (rop_fleet.test_settings), and pytest's own marker
# (manage.py ignores var/run.env under it).
NOT_A_USERS_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "PYTEST_VERSION",
)


def users_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_A_USERS_ENV}
    env.update(ROP_FLEET_VAR_DIR=str(var_dir), **extra)
    return env


def manage(var_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """python manage.py ARGS in a user's environment; answers its output."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env or users_env(var_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class DemoProcess(subprocess.Popen[str]):
    """bin/run-demo, with its output lines queued as they are printed (see start_demo)."""

    lines: queue.Queue[str]


def _drain(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


def start_demo(var_dir: Path, port: int, sim_port: int) -> DemoProcess:
    env = users_env(
        var_dir,
        PORT=str(port),
        ROPSIM_PORT=str(sim_port),
        ROPSIM_DEVICES="40",
        ROPSIM_LAN_PORT_BASE="0",
    )
    proc = DemoProcess(
        [sys.executable, str(ROOT / "bin" / "run-demo")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # Drain the output in a thread: a full pipe would stall honcho, and readline() has no timeout.
    assert proc.stdout is not None  # stdout=PIPE
    proc.lines = queue.Queue()
    threading.Thread(target=_drain, args=(proc.stdout, proc.lines), daemon=True).start()
    return proc


def read_until(proc: DemoProcess, pattern: str, timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    seen = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = proc.lines.get(timeout=left)
        except queue.Empty:
            break
        seen.append(line)
        if match := re.search(pattern, line):
            return match
    pytest.fail(f"{pattern!r} never printed:\n{''.join(seen[-40:])}")


def stop(proc: subprocess.Popen[str]) -> int:
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
    try:
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def log_in(base: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        timeout=10,
        headers={"Referer": f"{base}/accounts/login/"},
        data={"username": "admin", "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
    )
    assert response.url == f"{base}/p/demo/", response.url
    return session


def wait_for[T](check: Callable[[], T], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(1)
    pytest.fail(f"timed out waiting for {what}")


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
