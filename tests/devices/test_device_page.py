"""The device page (from the database) and its alarm, PIR and rename controls,
against ropsim over real HTTP."""

import datetime as dt

from django.utils import timezone

from audit.models import AuditEntry
from devices.models import DeviceHealthSample, Family, Tag

from .device_page_tools import htmx, page_device, rate_limit_everything, set_faults, url
from .simtools import go_offline


def sim_state(sim, uid):
    return sim.sim.fleet.devices[uid]


# --- the page ------------------------------------------------------------------------------


def test_it_shows_identity_and_health_without_calling_rop(client_of, victor, acme):
    # acme points at a closed port: the page must not need the Core Server.
    from devices.models import Device

    device = Device.objects.create(
        partner=acme,
        uid="95270000ACME0001",
        display_name="Front gate",
        model="Argus PT",
        family=Family.BATTERY,
        firmware_version="Argus_PT_220901_1320",
        online=True,
        battery_percent=64,
        charge_status="charging",
        alarm_enabled=True,
        pir_enabled=True,
        pir_sensitivity=70,
        pir_reduce_mistakes=False,
        capabilities=["battery", "ptz", "wifi"],
        last_seen=timezone.now(),
    )
    device.tags.add(Tag.objects.create(partner=acme, name="Site North"))
    response = client_of(victor).get(url("device_detail", device))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Front gate",
        "95270000ACME0001",
        "Argus PT",
        "Argus_PT_220901_1320",
        "ROP Core Server",
        "online",
        "64 %",
        "Charging",
        "Site North",
        "sensitivity 70",
        "ptz",
        "wifi",
    ):
        assert text in html, text
    # A viewer sees states, no change controls.
    assert 'name="enabled"' not in html and "Save PIR settings" not in html and "Rename" not in html
    assert "Set WiFi" not in html and "rotate:left" not in html
    # Battery camera: no snapshot nor WiFi read on page load, only on request.
    assert 'hx-trigger="load"' not in html
    assert "Take a snapshot" in html


def test_it_shows_operators_the_controls_and_loads_powered_cameras_lazily(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, zoom=True, wifi=True)  # E1 Zoom: powered, WiFi-only, PTZ
    html = client_of(olga).get(url("device_detail", device)).content.decode()
    assert 'hx-trigger="load"' in html  # snapshot and WiFi settings come in lazily
    assert "Rename" in html and 'role="switch"' in html
    assert "Save PIR settings" not in html  # no PIR sensor on this model: the device would refuse
    assert 'value="rotate:left"' in html and 'value="zoom_in"' in html and 'value="focus_out"' in html
    assert "WiFi-only device" in html and "Set WiFi" in html
    assert 'formaction="' not in html  # no WiFi test offered for a WiFi-only device


def test_it_offers_pir_settings_on_a_camera_with_a_pir_sensor(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, pir=True)
    html = client_of(olga).get(url("device_detail", device)).content.decode()
    assert "Save PIR settings" in html


def test_it_shows_no_pad_and_no_wifi_section_for_a_model_without_them(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, name="RLC-810A")
    html = client_of(olga).get(url("device_detail", device)).content.decode()
    assert "Pan, tilt, zoom" not in html and "WiFi" not in html.split("</nav>", 1)[1].split("Capabilities")[0]
    assert 'id="wifi-heading"' not in html and 'id="ptz-heading"' not in html


def test_it_draws_the_battery_chart_as_an_svg_polyline_of_the_last_7_days(client_of, victor, acme_camera):
    now = timezone.now()
    for hours, percent in [(170, 10), (100, 90), (99, 88), (98, 86), (10, 40), (9, 38)]:
        DeviceHealthSample.objects.create(
            device=acme_camera, taken_at=now - dt.timedelta(hours=hours), online=True, battery_percent=percent
        )
    html = client_of(victor).get(url("device_detail", acme_camera)).content.decode()
    assert "<svg" in html and "<polyline" in html
    assert html.count('class="chart-line"') == 2  # broken at the 88-hour gap; the 170-hour sample is too old
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_it_says_since_when_a_battery_chart_of_a_fresh_console_has_readings_and_marks_the_latest(
    client_of, victor, acme_camera
):
    acme_camera.family = "battery"
    acme_camera.save()
    page = url("device_detail", acme_camera)
    html = client_of(victor).get(page).content.decode()
    assert "data-chart-empty" in html and "reads this device every 6 hours" in html and "<polyline" not in html
    DeviceHealthSample.objects.create(device=acme_camera, taken_at=timezone.now(), online=True, battery_percent=42)
    html = client_of(victor).get(page).content.decode()
    assert 'class="chart-dot"' in html and "data-chart-since" in html and "every 6 hours" in html


def test_it_answers_404_for_other_partners_devices(client_of, alice, bolt_camera, acme):
    response = client_of(alice).get(f"/p/acme/devices/{bolt_camera.uid}/")
    assert response.status_code == 404


# --- alarm toggle --------------------------------------------------------------------------


def test_it_flips_the_alarm_toggle_on_the_device_and_in_the_fragment(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    sim_state(sim, device.uid).alarm_enabled = True
    device.alarm_enabled = True
    device.save()
    response = htmx(client_of(olga)).post(url("device_alarm", device), {"enabled": "false"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="alarm-control"' in html and "<html" not in html
    assert "Alarm notifications disabled." in html and 'data-outcome="ok"' in html
    assert 'name="enabled" value="true"' in html  # the next press turns it back on
    assert sim_state(sim, device.uid).alarm_enabled is False
    device.refresh_from_db()
    assert device.alarm_enabled is False
    entry = AuditEntry.objects.get(action="device.alarm")
    assert entry.params == {"enabled": False} and entry.user == olga


def test_it_explains_an_offline_device_on_the_alarm_toggle(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    go_offline(sim, device.uid)
    html = htmx(client_of(olga)).post(url("device_alarm", device), {"enabled": "false"}).content.decode()
    assert "The device is offline." in html and 'data-outcome="offline"' in html
    device.refresh_from_db()
    assert device.alarm_enabled == sim_state(sim, device.uid).alarm_enabled  # unchanged


def test_it_explains_alarm_toggle_rate_limits_server_errors_and_refused_credentials(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    client = htmx(client_of(olga))
    rate_limit_everything(sim)
    html = client.post(url("device_alarm", device), {"enabled": "false"}).content.decode()
    assert "rate limiting the console" in html
    set_faults(sim, rate_limit=0, error_rate=1)
    html = client.post(url("device_alarm", device), {"enabled": "false"}).content.decode()
    assert 'data-outcome="error"' in html
    assert any(text in html for text in ("did not answer in time", "could not carry out", "internal error"))
    set_faults(sim, error_rate=0)
    acme_on_sim.gateway_token = "wrong"
    acme_on_sim.save()
    html = client.post(url("device_alarm", device), {"enabled": "false"}).content.decode()
    assert "gateway refused the console" in html


def test_it_redirects_the_alarm_toggle_without_htmx_with_a_message(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    response = client_of(olga).post(url("device_alarm", device), {"enabled": "true"}, follow=True)
    assert response.redirect_chain[-1][0] == url("device_detail", device)
    assert "Alarm notifications enabled." in response.content.decode()


def test_it_redirects_a_bad_field_without_htmx_with_its_label_and_error(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    response = client_of(olga).post(url("device_pir", device), {"sensitivity": "lots"}, follow=True)
    assert response.redirect_chain[-1][0] == url("device_detail", device)
    assert "Sensitivity (0–100): Enter a whole number." in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_it_forbids_viewers_any_change(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim)
    before = sim_state(sim, device.uid).alarm_enabled
    client = client_of(victor)
    for name, data in [
        ("device_alarm", {"enabled": "true"}),
        ("device_pir", {"sensitivity": 5}),
        ("device_rename", {"name": "Hacked"}),
    ]:
        assert client.post(url(name, device), data).status_code == 403
    assert sim_state(sim, device.uid).alarm_enabled is before
    assert not AuditEntry.objects.exists()


def test_it_takes_changes_by_post_only(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    for name in ("device_alarm", "device_pir", "device_rename"):
        assert client_of(olga).get(url(name, device)).status_code == 405


# --- PIR -----------------------------------------------------------------------------------


def test_it_saves_pir_settings(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim, pir=True)  # only models with a PIR sensor take PIR settings
    html = (
        htmx(client_of(olga)).post(url("device_pir", device), {"enabled": "on", "sensitivity": "35"}).content.decode()
    )
    assert "PIR settings saved." in html
    pir = sim_state(sim, device.uid).pir
    assert (pir.enabled, pir.sensitivity, pir.reduce_mistakes) == (True, 35, False)
    device.refresh_from_db()
    assert (device.pir_enabled, device.pir_sensitivity, device.pir_reduce_mistakes) == (True, 35, False)


def test_it_keeps_pir_field_errors_from_the_device(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    before = sim_state(sim, device.uid).pir.sensitivity
    client = htmx(client_of(olga))
    html = client.post(url("device_pir", device), {"sensitivity": "101"}).content.decode()
    assert 'class="field-error"' in html and "between 0 and 100" in html and 'aria-invalid="true"' in html
    html = client.post(url("device_pir", device), {"sensitivity": "lots"}).content.decode()
    assert "Enter a whole number." in html
    assert sim_state(sim, device.uid).pir.sensitivity == before
    assert not AuditEntry.objects.exists()


def test_it_says_when_pir_meets_an_offline_device(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    go_offline(sim, device.uid)
    html = htmx(client_of(olga)).post(url("device_pir", device), {"sensitivity": "20"}).content.decode()
    assert "The device is offline." in html


# --- rename --------------------------------------------------------------------------------


def test_it_renames_and_updates_the_title(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    html = htmx(client_of(olga)).post(url("device_rename", device), {"name": "Back door 2"}).content.decode()
    assert "Renamed to “Back door 2”." in html
    assert 'hx-swap-oob="true"' in html and "<h1>Back door 2</h1>" in html
    assert sim_state(sim, device.uid).name == "Back door 2"
    device.refresh_from_db()
    assert device.display_name == "Back door 2"


def test_it_applies_the_spec_rules_to_rename_as_field_errors(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    before = sim_state(sim, device.uid).name
    client = htmx(client_of(olga))
    cases = {
        " Porch": "must not begin or end with a space",
        "Porch ": "must not begin or end with a space",
        "x" * 32: "at most 31 bytes",
        "Porch_1": "letters, digits, spaces and hyphens",
        "Caméra": "letters, digits, spaces and hyphens",
        "": "This field is required.",
    }
    for name, error in cases.items():
        html = client.post(url("device_rename", device), {"name": name}).content.decode()
        assert error in html, (name, html)
        assert 'class="field-error"' in html
    assert sim_state(sim, device.uid).name == before
    assert not AuditEntry.objects.exists()


def test_it_says_when_rename_meets_an_offline_device(sim, acme_on_sim, client_of, olga):
    device = page_device(sim, acme_on_sim)
    go_offline(sim, device.uid)
    html = htmx(client_of(olga)).post(url("device_rename", device), {"name": "Gate"}).content.decode()
    assert "The device is offline." in html and "hx-swap-oob" not in html
