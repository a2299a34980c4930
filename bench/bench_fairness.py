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
    python -m bench.bench_fairness
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from typing import Any

import requests

from bench.support.database import ROOT, bench_database, database_url, django_setup
from bench.support.fleet import member, partner, quiet, session_cookie
from bench.support.processes import gunicorn, production_web_args, ropsim
from bench.support.stats import p95, row

DURATION = 20.0
WARM_UP = 2.0
HUNG_USERS = 8
HEALTHY_USERS = 4
THINK = 0.1  # seconds between one person's requests
HANG_MS = 60_000


def _production_env(db: str, static_root: str, var_dir: str, **extra: str) -> dict[str, str]:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DEBUG="0",
        # This process's keys: the sessions and encrypted tokens it wrote must read back.
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEY=",".join(settings.FIELD_ENCRYPTION_KEYS),
        DATABASE_URL=database_url(db),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        STATIC_ROOT=static_root,
        ROP_FLEET_VAR_DIR=var_dir,
        LOG_LEVEL="ERROR",
        # The simulators listen on 127.0.0.1, which production refuses as a Core Server's
        # address: without this, every Acme page answered the refusal at once, and the
        # "hung" scenarios measured pages that never called the hung server.
        ROP_ALLOW_LOOPBACK_ADDRESSES="1",
        **extra,
    )
    return env


# How a page says that a call to the device or its Core Server failed (devices/outcome.py).
FAILED = 'data-outcome="error"'


def _load(base: str, healthy: list[tuple[str, str]], hung: list[tuple[str, str]]) -> dict[str, list[Any]]:
    """Run every person for DURATION seconds; answer times (ms) per side, after the warm-up,
    and under "<side> failed" the texts of the pages that said a call failed."""
    times: dict[str, list[Any]] = {"healthy": [], "hung": [], "healthy failed": [], "hung failed": []}
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
                    if FAILED in response.text:
                        times[f"{side} failed"].append(response.text)
            time.sleep(THINK)

    people = [threading.Thread(target=person, args=("healthy", sid, path)) for sid, path in healthy]
    people += [threading.Thread(target=person, args=("hung", sid, path)) for sid, path in hung]
    for p in people:
        p.start()
    for p in people:
        p.join()
    return times


def _check_reached(times: dict[str, list[Any]]) -> None:
    """With every server answering, no page may say a call failed: a page that never
    reaches its Core Server (an address refused, a wrong token) would make the hung
    scenarios measure nothing."""
    for side in ("healthy", "hung"):
        if failed := times[f"{side} failed"]:
            text = " ".join(failed[0].split())[:300]
            raise RuntimeError(f"{len(failed)} of the {side} side's pages said a call failed, e.g.: {text}")


def run() -> list[dict[str, Any]]:
    django_setup()
    quiet("rop", "devices")
    from django.conf import settings
    from django.urls import reverse

    from devices.models import Device
    from partners.circuit import close_all_circuits
    from partners.models import Role
    from ropsim.models import CATALOGUE

    results: dict[str, dict[str, list[Any]]] = {}
    with ExitStack() as stack:
        db = stack.enter_context(bench_database("fairness", redis=True))
        stack.callback(close_all_circuits)
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-fairness-"))
        static_root, var_dir = f"{tmp}/static", f"{tmp}/var"
        env = _production_env(db, static_root, var_dir)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
        )
        sims, partners, sessions = {}, {}, {}
        for slug, seed in (("acme", 7), ("bolt", 8)):
            sims[slug] = stack.enter_context(ropsim(40, seed=seed, token=f"{slug}-token"))
            partners[slug] = partner(slug, sim=sims[slug], token=f"{slug}-token", request_budget=1000)
            sessions[slug] = session_cookie(member(partners[slug], f"{slug}-viewer", Role.VIEWER))
        # Cameras with WiFi: for the others ropsim answers cmd_not_support before any latency.
        acme_cams = [
            uid
            for uid, model in Device.objects.filter(partner=partners["acme"]).values_list("uid", "model")
            if CATALOGUE[model].wifi
        ]
        bolt_cams = Device.objects.filter(partner=partners["bolt"]).values_list("uid", flat=True)
        hung = [
            (sessions["acme"], reverse("device_wifi", kwargs={"slug": "acme", "uid": uid}))
            for uid in acme_cams[:HUNG_USERS]
        ]
        if len(hung) < HUNG_USERS:
            raise RuntimeError("not enough cameras in Acme's simulated fleet")
        healthy = [
            (sessions["bolt"], reverse("device_detail", kwargs={"slug": "bolt", "uid": uid}))
            for uid in list(bolt_cams)[:HEALTHY_USERS]
        ]
        web_args = production_web_args()
        print(f"  web: gunicorn {' '.join(web_args[:3])} ...", file=sys.stderr)

        with gunicorn(web_args, env) as web:
            close_all_circuits()
            results["answers"] = _load(web.url, healthy, hung)
            _check_reached(results["answers"])
            sims["acme"].faults(latency_ms=HANG_MS)
            results["hangs"] = _load(web.url, healthy, hung)

        close_all_circuits()
        with gunicorn(web_args, _production_env(db, static_root, var_dir, ROP_CIRCUIT_FAILURES="1000000")) as web:
            results["hangs, no breaker"] = _load(web.url, healthy, hung)

    baseline = p95(results["answers"]["healthy"])
    workers = "gthread, WEB_WORKERS x WEB_THREADS from rop_fleet/gunicorn_conf.py"
    label = (
        f"another partner's device page p95 while one partner's Core Server hangs "
        f"({HEALTHY_USERS} people on it, {HUNG_USERS} on the hung partner's WiFi settings, gunicorn {workers})"
    )
    rows: list[dict[str, Any]] = []
    for name, figure_label in (("hangs", "circuit breaker on"), ("hangs, no breaker", "circuit breaker off")):
        rows.append(
            row(
                f"{label}, {figure_label} ({len(results[name]['healthy'])} pages)",
                p95(results[name]["healthy"]),
                "ms",
                baseline=baseline,
                baseline_name="no hung server",
                target="about the same",
            )
        )
    deadline = settings.ROP_INTERACTIVE_DEADLINE_SECONDS * 1000
    own = results["hangs, no breaker"]["hung"]
    rows.append(
        row(
            f"the hung partner's own WiFi settings answer, slowest of {len(own)} (breaker off)",
            max(own),
            "ms",
            baseline=deadline,
            baseline_name="interactive deadline",
            target="the deadline, plus the page's own time",
        )
    )
    return rows


if __name__ == "__main__":
    for line in run():
        print(line)
