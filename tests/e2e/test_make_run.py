"""`make run` end to end: bin/run-demo on the embedded defaults (SQLite, the filesystem
broker, no Redis) starts web, worker, beat and ropsim; the printed login reaches the
dashboard, the simulated fleet arrives through the real worker and beat, a second run
neither fails nor duplicates the demo, and Ctrl-C stops every process."""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(var_dir: Path, port: int, sim_port: int) -> subprocess.Popen:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        ROP_FLEET_VAR_DIR=str(var_dir),
        PORT=str(port),
        ROPSIM_PORT=str(sim_port),
        ROPSIM_DEVICES="40",
        ROPSIM_LAN_PORT_BASE="0",
    )
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bin" / "run-demo")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # Drain the output in a thread: a full pipe would stall honcho, and readline() has no timeout.
    proc.lines = queue.Queue()
    threading.Thread(target=lambda: [proc.lines.put(line) for line in proc.stdout], daemon=True).start()
    return proc


def read_until(proc: subprocess.Popen, pattern: str, timeout: float) -> re.Match:
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


def stop(proc: subprocess.Popen) -> int:
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


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(1)
    pytest.fail(f"timed out waiting for {what}")


def test_it_serves_the_console_with_the_simulated_fleet(tmp_path):
    port, sim_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_demo(tmp_path, port, sim_port)
    try:
        assert read_until(proc, r"Demo partner: .*\((\w[\w ]*)\)", timeout=180).group(1) == "created"
        password = read_until(proc, r"as  admin / (\S+)", timeout=10).group(1)
        wait_for(lambda: _answers(f"{base}/healthz"), 60, "the web server")
        session = log_in(base, password)
        assert "Demo Integrator" in session.get(f"{base}/p/demo/", timeout=10).text
        # The worker and beat really run: the first sync fills the device list from ropsim.
        wait_for(
            lambda: "9527" in session.get(f"{base}/p/demo/devices/?format=csv", timeout=10).text,
            90,
            "the simulated devices to be synced",
        )
    finally:
        assert stop(proc) == 0

    # Running it again keeps the same demo and login.
    proc = start_demo(tmp_path, port, sim_port)
    try:
        assert read_until(proc, r"Demo partner: .*\((\w[\w ]*)\)", timeout=120).group(1) == "already there"
        assert read_until(proc, r"as  admin / (\S+)", timeout=10).group(1) == password
    finally:
        stop(proc)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
