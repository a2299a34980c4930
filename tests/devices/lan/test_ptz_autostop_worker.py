"""The Stop after a PTZ move's duration, sent by a real Celery worker (a task with a
countdown on the interactive queue): a closed tab never leaves a camera turning."""

from django.urls import reverse

from audit.models import AuditEntry

from ..simtools import wait_for


def test_it_stops_the_camera_after_the_duration_on_a_real_worker(celery_worker, client_of, olga, lan_camera, lan):
    ptz = lan.state(lan_camera.uid).channels[0].ptz
    url = reverse("device_command_ptz", kwargs={"slug": "acme", "uid": lan_camera.uid})
    response = client_of(olga).post(url, {"channel": 0, "move": "right", "speed": 8, "duration": 0.5})
    assert response.status_code == 302
    assert ptz.moving == "Right"
    wait_for(lambda: ptz.last_op == "Stop", timeout=20, what="the worker to send Stop")
    assert ptz.moving == ""
    wait_for(
        lambda: AuditEntry.objects.filter(action="device.ptz", params__automatic=True).exists(),
        what="the automatic Stop to be audited",
    )
