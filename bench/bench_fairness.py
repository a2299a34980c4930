"""Benchmark of fairness between partners: another partner's device page while one
partner's Core Server hangs, beside the same page with no hung server, in the same run.

gunicorn runs as production runs it: the web service's command from docker-compose.yml
(its worker class and counts, rop_fleet/gunicorn_conf.py), DEBUG off, production settings,
PostgreSQL and Redis, collected static files. Two partners, each on its own ropsim (other
processes). Load, for DURATION seconds per scenario, from threads of this process:
HUNG_USERS people each opening the WiFi settings of one of Acme's cameras (every look calls
Acme's Core Server) and HEALTHY_USERS people opening Bolt's device page; measured: the
server time of Bolt's pages, as the client sees it.

Scenarios: Acme's server answers (the baseline); Acme's server hangs (every device call
answers after a minute, far beyond the 8 s deadline); the same with the circuit breaker
off, so that only the deadline and the threads keep pages up. A third row gives Acme's
own answer time while it hangs, beside the deadline.

    make bench ARGS=fairness
"""

from __future__ import annotations

import logging
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "rop_fleet_bench_fairness"
DURATION = 20.0
WARM_UP = 2.0
HUNG_USERS = 8
HEALTHY_USERS = 4
THINK = 0.1  # seconds between one person's requests
HANG_MS = 60_000


def _django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rop_fleet.test_settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start")


def _start_sim(port: int, token: str, seed: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "ropsim", "--devices", "40", "--seed", str(seed), "--port", str(port)]
    cmd += ["--log-level", "WARNING", "--no-demo-states", f"--token={token}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
    _wait(f"http://127.0.0.1:{port}/_sim/health", proc, "ropsim")
    return proc


def _web_command(port: int) -> list[str]:
    import yaml

    words: list[str] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    words = [f"127.0.0.1:{port}" if word == "0.0.0.0:8000" else word for word in words]
    return [str(Path(sys.executable).parent / words[0]), *words[1:]]


def _production_env(static_root: str, var_dir: str, **extra: str) -> dict[str, str]:
    from django.conf import settings

    url = urlsplit(os.environ["DATABASE_URL"])
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DEBUG="0",
        # This process's keys: the sessions and encrypted tokens it wrote must read back.
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEY=",".join(settings.FIELD_ENCRYPTION_KEYS),
        DATABASE_URL=urlunsplit(url._replace(path=f"/{BENCH_DB}")),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        STATIC_ROOT=static_root,
        ROP_FLEET_VAR_DIR=var_dir,
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def _start_web(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = _web_command(port)
    print(f"  web: {shlex.join(cmd[:6])} ...", file=sys.stderr)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(f"http://127.0.0.1:{port}/healthz", proc, "gunicorn")
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _load(base: str, healthy: list[tuple[str, str]], hung: list[tuple[str, str]]) -> dict[str, list[float]]:
    """Run every person for DURATION seconds; answer times (ms) per side, after the warm-up."""
    times: dict[str, list[float]] = {"healthy": [], "hung": []}
    lock = threading.Lock()
    start = time.monotonic()
    stop_at = start + DURATION

    def person(side: str, session_id: str, path: str) -> None:
        http = requests.Session()
        http.cookies.set("sessionid", session_id)
        headers = {"HX-Request": "true"} if side == "hung" else {}
        while time.monotonic() < stop_at:
            began = time.monotonic()
            response = http.get(base + path, headers=headers, timeout=120)
            took = (time.monotonic() - began) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")
            if began - start >= WARM_UP:
                with lock:
                    times[side].append(took)
            time.sleep(THINK)

    people = [threading.Thread(target=person, args=("healthy", sid, path)) for sid, path in healthy]
    people += [threading.Thread(target=person, args=("hung", sid, path)) for sid, path in hung]
    for p in people:
        p.start()
    for p in people:
        p.join()
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def run() -> list[dict[str, Any]]:
    _django()
    # One line per refused PIR read of a camera without PIR would cost more than the reads.
    logging.getLogger("rop").setLevel(logging.WARNING)
    logging.getLogger("devices").setLevel(logging.WARNING)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.urls import reverse

    from devices.models import Device
    from devices.sync import sync_partner
    from partners.circuit import close_all_circuits
    from partners.models import Membership, Partner, Role
    from ropsim.models import CATALOGUE

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise RuntimeError("this benchmark needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    setup_test_environment()
    old_name: str = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    procs: list[subprocess.Popen[bytes]] = []
    results: dict[str, dict[str, list[float]]] = {}
    try:
        tmp = tempfile.mkdtemp(prefix="bench-fairness-")
        static_root, var_dir = f"{tmp}/static", f"{tmp}/var"
        env = _production_env(static_root, var_dir)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
        )
        acme_port, bolt_port = _free_port(), _free_port()
        procs += [_start_sim(acme_port, "acme-token", 7), _start_sim(bolt_port, "bolt-token", 8)]
        partners = {}
        for slug, port in (("acme", acme_port), ("bolt", bolt_port)):
            partner = Partner.objects.create(
                name=slug.title(),
                slug=slug,
                rop_base_url=f"http://127.0.0.1:{port}",
                gateway_token=f"{slug}-token",
                request_budget=1000,
            )
            sync_partner(partner)
            partners[slug] = partner
        sessions = {}
        for slug, partner in partners.items():
            user = get_user(f"{slug}-viewer")
            Membership.objects.create(user=user, partner=partner, role=Role.VIEWER)
            client = Client()
            client.force_login(user)
            sessions[slug] = client.cookies["sessionid"].value
        # Cameras with WiFi: for the others ropsim answers cmd_not_support before any latency.
        acme_cams = [
            uid
            for uid, model in Device.objects.filter(partner=partners["acme"]).values_list("uid", "model")
            if CATALOGUE[model].wifi
        ]
        bolt_cams = Device.objects.filter(partner=partners["bolt"]).values_list("uid", flat=True)
        hung = [
            (
                sessions["acme"],
                reverse("device_wifi", kwargs={"slug": "acme", "uid": uid}),
            )
            for uid in acme_cams[:HUNG_USERS]
        ]
        if len(hung) < HUNG_USERS:
            raise RuntimeError("not enough cameras in Acme's simulated fleet")
        healthy = [
            (sessions["bolt"], reverse("device_detail", kwargs={"slug": "bolt", "uid": uid}))
            for uid in list(bolt_cams)[:HEALTHY_USERS]
        ]
        faults = f"http://127.0.0.1:{acme_port}/_sim/faults"

        port = _free_port()
        web = _start_web(port, env)
        procs.append(web)
        base = f"http://127.0.0.1:{port}"
        close_all_circuits()
        results["answers"] = _load(base, healthy, hung)
        requests.put(faults, json={"latency_ms": HANG_MS}, timeout=10).raise_for_status()
        results["hangs"] = _load(base, healthy, hung)
        _stop(web)

        close_all_circuits()
        port = _free_port()
        web = _start_web(port, _production_env(static_root, var_dir, ROP_CIRCUIT_FAILURES="1000000"))
        procs.append(web)
        results["hangs, no breaker"] = _load(f"http://127.0.0.1:{port}", healthy, hung)
    finally:
        for proc in procs:
            if proc.poll() is None:
                _stop(proc)
        close_all_circuits()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    baseline = _p95(results["answers"]["healthy"])
    workers = "gthread, WEB_WORKERS x WEB_THREADS from rop_fleet/gunicorn_conf.py"
    label = (
        f"another partner's device page p95 while one partner's Core Server hangs "
        f"({HEALTHY_USERS} people on it, {HUNG_USERS} on the hung partner's WiFi settings, gunicorn {workers})"
    )
    rows: list[dict[str, Any]] = []
    for name, figure_label in (("hangs", "circuit breaker on"), ("hangs, no breaker", "circuit breaker off")):
        figure = _p95(results[name]["healthy"])
        rows.append(
            {
                "benchmark": f"{label}, {figure_label} ({len(results[name]['healthy'])} pages)",
                "figure": round(figure, 1),
                "unit": "ms",
                "baseline": round(baseline, 1),
                "baseline_name": "no hung server",
                "ratio": round(figure / baseline, 2),
                "target": "about the same",
            }
        )
    deadline = settings.ROP_INTERACTIVE_DEADLINE_SECONDS * 1000
    own = results["hangs, no breaker"]["hung"]
    rows.append(
        {
            "benchmark": f"the hung partner's own WiFi settings answer, slowest of {len(own)} (breaker off)",
            "figure": round(max(own), 1),
            "unit": "ms",
            "baseline": round(deadline, 1),
            "baseline_name": "interactive deadline",
            "ratio": round(max(own) / deadline, 2),
            "target": "the deadline, plus the page's own time",
        }
    )
    return rows


def get_user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, f"{username}@example.com", "bench-password-123")


if __name__ == "__main__":
    for row in run():
        print(row)
