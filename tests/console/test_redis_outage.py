"""A Redis outage on a page answers a clear 503 page quickly, not a hang and not a 500.

Redis is the cache (device list), the request budgets (every device change) and the Celery
queue (sync now, bulk actions). Each client gets its timeouts from the settings, derived here
from the environment exactly as production reads it (a subprocess imports the settings), and
is pointed at a Redis that never answers (a TCP server that accepts and stays silent) or at a
port where nothing listens.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from django.urls import reverse

# The page must answer within this, though the silent server would hold it forever.
BOUND_SECONDS = 5.0
HOLD_SECONDS = 3 * BOUND_SECONDS


@pytest.fixture
def silent_redis():
    """redis://… of a server that accepts connections and never replies. It hangs up after
    HOLD_SECONDS, so a client without timeouts fails the test instead of hanging it."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[tuple[float, socket.socket]] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append((time.monotonic(), server.accept()[0]))
            for since, conn in held:
                if time.monotonic() - since > HOLD_SECONDS:
                    conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for _, conn in held:
        conn.close()
    server.close()


@pytest.fixture
def refused_redis():
    """redis://… of a port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def settings_for(redis_url: str, **extra: str) -> dict[str, Any]:
    """The Redis-related settings production derives from this environment."""
    env = dict(os.environ, REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url, **extra)
    names = ["CACHES", "REDIS_CLIENT_OPTIONS", "CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_TASK_PUBLISH_RETRY_POLICY"]
    script = (
        f"import json; from rop_fleet import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    derived: dict[str, Any] = json.loads(out.stdout)
    return derived


FAST = {"REDIS_CONNECT_TIMEOUT_SECONDS": "0.5", "REDIS_SOCKET_TIMEOUT_SECONDS": "0.5"}


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def assert_outage_page(response, elapsed):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"cannot reach its Redis server" in response.content
    assert elapsed < BOUND_SECONDS, f"took {elapsed:.1f}s"


def test_it_gives_every_redis_client_timeouts_by_default():
    derived = settings_for("redis://redis.example:6379/0")
    timeouts = {"socket_connect_timeout": 2.0, "socket_timeout": 3.0}
    assert derived["REDIS_CLIENT_OPTIONS"] == timeouts
    assert derived["CACHES"]["default"]["OPTIONS"] == timeouts
    assert derived["CELERY_BROKER_TRANSPORT_OPTIONS"] == timeouts
    assert derived["CELERY_TASK_PUBLISH_RETRY_POLICY"]["max_retries"] == 2


@pytest.mark.parametrize("outage", ["silent_redis", "refused_redis"])
def test_it_answers_a_503_page_when_the_cache_is_down(outage, request, client_of, alice, settings):
    settings.CACHES = settings_for(request.getfixturevalue(outage), **FAST)["CACHES"]
    response, elapsed = timed(lambda: client_of(alice).get(reverse("device_list", kwargs={"slug": "acme"})))
    assert_outage_page(response, elapsed)


@pytest.fixture
def budget_redis(settings):
    """Point the request budgets' Redis client at an address, as the settings would."""
    from core.request_budget import _redis

    def point_at(url):
        derived = settings_for(url, **FAST)
        settings.REDIS_URL = url
        settings.REDIS_CLIENT_OPTIONS = derived["REDIS_CLIENT_OPTIONS"]
        _redis.cache_clear()

    yield point_at
    _redis.cache_clear()


def test_it_answers_a_503_page_when_the_request_budget_is_down(
    budget_redis, silent_redis, client_of, olga, acme_camera
):
    budget_redis(silent_redis)
    acme_camera.alarm_enabled = False
    acme_camera.save()
    url = reverse("device_alarm", kwargs={"slug": "acme", "uid": acme_camera.uid})
    response, elapsed = timed(lambda: client_of(olga).post(url, {"enabled": "true"}))
    assert_outage_page(response, elapsed)
    acme_camera.refresh_from_db()
    assert acme_camera.alarm_enabled is False  # nothing was sent, nothing changed


@pytest.fixture
def celery_broker():
    """Point the Celery app's producers at a broker, as the settings would, then back."""
    from rop_fleet.celery import app

    # broker_write_url: what producers use; broker_url itself is pinned by $CELERY_BROKER_URL.
    saved = {k: app.conf[k] for k in ("broker_write_url", "broker_transport_options", "task_publish_retry_policy")}

    def reset_pools():
        # What Celery itself does after a fork: the next publish builds pools for the new URL.
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    def point_at(url):
        derived = settings_for(url, **FAST)
        app.conf.update(
            broker_write_url=url,
            broker_transport_options=derived["CELERY_BROKER_TRANSPORT_OPTIONS"],
            task_publish_retry_policy=derived["CELERY_TASK_PUBLISH_RETRY_POLICY"],
        )
        reset_pools()

    yield point_at
    app.conf.update(saved)
    reset_pools()


def test_it_answers_a_503_page_when_the_queue_is_down(transactional_db, celery_broker, silent_redis, client_of, olga):
    # transactional_db: the view enqueues on commit, which a test transaction would defer.
    celery_broker(silent_redis)
    response, elapsed = timed(lambda: client_of(olga).post(reverse("sync_now", kwargs={"slug": "acme"})))
    assert_outage_page(response, elapsed)
