"""A LAN API request carries its session token in the URL (`?cmd=GetDevInfo&token=…`), and a
failed request's error quotes that URL. The token never reaches a page, an audit entry, a
bulk job's result or a log line: rop.lan scrubs it where LAN errors are built, and the log
handler's filter scrubs tracebacks too."""

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from audit.models import AuditEntry
from devices.models import Device, Transport
from jobs.models import Job, JobItem
from rop.addresses import AddressPolicy
from rop.lan import LanClient, LanUnreachable
from rop.lan.errors import scrub_tokens
from rop_fleet.log_filters import ScrubTokens

from ..test_bulk_actions import run_job
from .listeners import listening, login_then_vanish

TOKEN = "s3cretLanSessionToken"


def form(port: int) -> dict[str, object]:
    return {
        "lan_host": "127.0.0.1",
        "lan_port": port,
        "lan_use_https": "false",
        "lan_username": "admin",
        "lan_password": "pass-word-1",
        "lan_status_interval_ms": 5000,
        "lan_timeout_ms": 3000,
    }


def test_it_scrubs_the_token_from_a_failed_adds_page_and_audit_entry(client_of, olga, acme):
    with listening(login_then_vanish(TOKEN)) as camera:
        page = client_of(olga).post(reverse("lan_device_add", kwargs={"slug": "acme"}), form(camera.port))
    text = page.content.decode()
    # The failure is the one quoting the URL: GetDevInfo, sent with the token, was refused a connection.
    assert "Failed while reading device info: The device cannot be reached" in text and "token=…" in text
    assert TOKEN not in text
    entry = AuditEntry.objects.get(action="device.lan_add", user=olga)
    assert entry.result != "ok" and "token=…" in entry.message and TOKEN not in entry.message


def test_it_scrubs_the_token_from_a_bulk_jobs_results(client_of, olga, acme):
    with listening(login_then_vanish(TOKEN)) as camera:
        device = Device.objects.create(
            partner=acme,
            uid="LAN0000000000001",
            transport=Transport.LAN,
            lan_host="127.0.0.1",
            lan_port=camera.port,
            lan_username="admin",
            lan_password="pass-word-1",
        )
        response = client_of(olga).post(
            reverse("bulk_start", kwargs={"slug": "acme"}), {"action": "refresh", "device": [device.id]}
        )
        assert response.status_code == 302
        job = run_job(Job.objects.latest("id"))
    message = JobItem.objects.get(job=job).message
    assert "cannot be reached" in message and "token=…" in message and TOKEN not in message
    for entry in AuditEntry.objects.filter(partner=acme):
        assert TOKEN not in entry.message and TOKEN not in str(entry.params)
    api = client_of(olga).get(f"/api/v1/partners/acme/jobs/{job.id}/results/")
    assert api.status_code == 200 and "cannot be reached" in api.content.decode()
    assert TOKEN not in api.content.decode()


def test_it_scrubs_the_token_from_a_logged_traceback(acme):
    """A handler as settings.LOGGING builds it (with the ScrubTokens filter) beside a bare one:
    the chained requests error quotes the URL, and only the filter keeps it off the line."""
    scrubbed, bare = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(scrubbed)
    handler.addFilter(ScrubTokens())
    logger = logging.getLogger("tests.lan_token_scrubbing")
    logger.addHandler(logging.StreamHandler(bare))  # first: the filter rewrites the record it sees
    logger.addHandler(handler)
    try:
        with listening(login_then_vanish(TOKEN)) as camera:
            policy = AddressPolicy.for_lan(allow_loopback=True)
            client = LanClient("127.0.0.1", camera.port, password="pass-word-1", timeout=3.0, address_policy=policy)
            try:
                client.device_info()
            except LanUnreachable:
                logger.exception("refresh of %s failed", "127.0.0.1")
            client.close()
    finally:
        logger.handlers.clear()
    assert TOKEN in bare.getvalue()
    assert "token=…" in scrubbed.getvalue() and TOKEN not in scrubbed.getvalue()
    assert "refresh of 127.0.0.1 failed" in scrubbed.getvalue()


def test_it_scrubs_every_token_in_a_text():
    text = "url: /cgi-bin/api.cgi?cmd=GetMdState&token=abc123 and ('http://h/?token=Zz9&x=1')"
    assert scrub_tokens(text) == "url: /cgi-bin/api.cgi?cmd=GetMdState&token=… and ('http://h/?token=…&x=1')"


# What a Celery worker does with logging when it starts (WorkController.setup_logging): its own
# handlers on the root logger and the task logger, instead of settings.LOGGING's console handler.
WORKER_LOGGING = f"""
import logging
from celery.utils.log import get_task_logger
from rop_fleet.celery import app
app.log.setup(loglevel=logging.INFO, logfile=None, redirect_stdouts=False, colorize=False, hostname="w@h")
logging.getLogger("devices.lan_devices").error("refresh failed: /cgi-bin/api.cgi?cmd=GetMdState&token={TOKEN}")
try:
    raise RuntimeError("GET http://10.0.0.5/cgi-bin/api.cgi?cmd=Login&token={TOKEN}")
except RuntimeError:
    logging.getLogger("celery.app.trace").exception("Task devices.tasks.x raised")
get_task_logger("devices.tasks.polling").error("poll said token={TOKEN}&x=1")
print("logged", flush=True)
"""


def test_it_scrubs_the_token_from_a_celery_workers_log():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rop_fleet.test_settings"}
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", WORKER_LOGGING], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "logged" in done.stdout, done.stderr[-2000:]
    logged = done.stdout + done.stderr
    assert "refresh failed" in logged and "Traceback" in logged and "poll said" in logged
    assert logged.count("token=…") >= 3 and TOKEN not in logged
