"""The PTZ pad against ropsim over real HTTP."""

from audit.models import AuditEntry

from .device_page_tools import htmx, page_device, url
from .simtools import go_offline


def ptz_of(sim, device):
    return sim.sim.fleet.devices[device.uid].ptz


def test_it_starts_and_stops_rotation_at_the_chosen_speed(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, name="RLC-823A")
    client = htmx(client_of(olga))
    html = client.post(url("device_ptz", device), {"move": "rotate:leftUp", "speed": "12"}).content.decode()
    assert "Rotating leftUp at speed 12." in html and 'data-outcome="ok"' in html
    assert (ptz_of(sim, device).direction, ptz_of(sim, device).speed) == ("leftUp", 12)
    html = client.post(url("device_ptz", device), {"move": "rotate:none", "speed": "12"}).content.decode()
    assert "Rotation stopped." in html
    assert ptz_of(sim, device).direction == "none"
    entry = AuditEntry.objects.filter(action="device.ptz_rotate").first()
    assert entry is not None and entry.params == {"direction": "none", "speed": 12, "channel": 0}


def test_it_steps_zoom_and_focus(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, name="RLC-823A")
    client = htmx(client_of(olga))
    zoom, focus = ptz_of(sim, device).zoom, ptz_of(sim, device).focus
    assert "Zoomed in." in client.post(url("device_ptz", device), {"move": "zoom_in"}).content.decode()
    assert ptz_of(sim, device).zoom == zoom + 1
    assert "Focus stepped down." in client.post(url("device_ptz", device), {"move": "focus_out"}).content.decode()
    assert ptz_of(sim, device).focus != focus or focus == 0
    assert AuditEntry.objects.filter(action__in=["device.ptz_zoom", "device.ptz_focus"], result="ok").count() == 2


def test_it_answers_not_supported_for_a_model_that_cannot(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, name="Argus PT")  # rotates, but no optical zoom
    html = htmx(client_of(olga)).post(url("device_ptz", device), {"move": "zoom_in"}).content.decode()
    assert "This device does not support that." in html and 'data-outcome="not_supported"' in html
    page = client_of(olga).get(url("device_detail", device)).content.decode()
    assert 'value="rotate:left"' in page and 'value="zoom_in"' not in page


def test_it_gives_an_unknown_model_the_pad_and_lets_the_device_decide(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, name="RLC-810A")
    device.model = "RLC-999X"  # a model the console's catalogue does not know
    device.capabilities = []
    device.save()
    page = client_of(olga).get(url("device_detail", device)).content.decode()
    assert 'value="rotate:left"' in page and 'value="zoom_in"' in page and "not known yet" in page
    html = htmx(client_of(olga)).post(url("device_ptz", device), {"move": "rotate:left", "speed": "5"}).content.decode()
    assert "This device does not support that." in html


def test_it_validates_speed_and_moves(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, name="RLC-823A")
    client = htmx(client_of(olga))
    html = client.post(url("device_ptz", device), {"move": "rotate:left", "speed": "65"}).content.decode()
    assert "Speed must be between 1 and 64" in html and 'class="field-error"' in html
    html = client.post(url("device_ptz", device), {"move": "rotate:sideways", "speed": "5"}).content.decode()
    assert 'class="field-error"' in html
    assert ptz_of(sim, device).direction == "none"
    assert not AuditEntry.objects.exists()


def test_it_says_when_the_camera_is_offline(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, name="RLC-823A")
    go_offline(sim, device.uid)
    html = htmx(client_of(olga)).post(url("device_ptz", device), {"move": "rotate:up", "speed": "5"}).content.decode()
    assert "The device is offline." in html


def test_it_forbids_viewers_and_shows_them_no_pad(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, name="RLC-823A")
    client = client_of(victor)
    assert client.post(url("device_ptz", device), {"move": "rotate:up", "speed": "5"}).status_code == 403
    assert ptz_of(sim, device).direction == "none"
    page = client.get(url("device_detail", device)).content.decode()
    assert 'value="rotate:up"' not in page and "Operators can move it." in page


def test_it_answers_404_for_other_partners_devices(client_of, alice, acme, bolt_camera):
    response = client_of(alice).post(f"/p/acme/devices/{bolt_camera.uid}/ptz/", {"move": "zoom_in"})
    assert response.status_code == 404
