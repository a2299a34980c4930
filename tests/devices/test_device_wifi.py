"""WiFi settings, scan, test and set against ropsim over real HTTP."""

import logging

from audit.models import AuditEntry

from .device_page_tools import htmx, page_device, set_faults, url
from .simtools import go_offline, wait_for

KEY = "netgear-36-pass"  # ropsim's key for its "NETGEAR36" network


def wired_wifi_device(sim, partner):
    return page_device(sim, partner, name="Reolink Duo 2")  # WiFi and a cable port


def wifi_only_device(sim, partner):
    return page_device(sim, partner, name="E1 Zoom")


def poll_scan(client, fragment):
    """Follow the fragment's own hx-get until it stops asking (what htmx does every second)."""
    for _ in range(100):
        if 'hx-trigger="load delay:1s"' not in fragment:
            return fragment
        next_url = fragment.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        fragment = client.get(next_url).content.decode()
    raise AssertionError("the scan never ended")


def test_it_reads_the_current_wifi_settings_lazily(sim, acme_on_sim, client_of, victor):
    device = wired_wifi_device(sim, acme_on_sim)
    wifi = sim.sim.fleet.devices[device.uid].wifi
    html = htmx(client_of(victor)).get(url("device_wifi", device)).content.decode()
    assert wifi.ssid in html and wifi.country_code in html
    assert wifi.key not in html


def test_it_answers_not_supported_for_a_model_without_wifi(sim, acme_on_sim, client_of, victor):
    device = page_device(sim, acme_on_sim, name="RLC-810A")
    html = htmx(client_of(victor)).get(url("device_wifi", device)).content.decode()
    assert "This device does not support that." in html


def test_it_polls_a_scan_until_it_lists_networks(sim, acme_on_sim, client_of, olga):
    device = wired_wifi_device(sim, acme_on_sim)
    client = htmx(client_of(olga))
    fragment = client.post(url("device_wifi_scan", device)).content.decode()
    assert 'hx-trigger="load delay:1s"' in fragment and "Scanning" in fragment
    result = poll_scan(client, fragment)
    assert "NETGEAR36" in result and "dBm" in result and "<meter" in result
    assert 'data-fill="#wifi-ssid" data-value="NETGEAR36"' in result
    assert AuditEntry.objects.get(action="device.wifi_scan").result == "ok"


def test_it_explains_a_failed_or_timed_out_scan(sim, acme_on_sim, client_of, olga):
    device = wired_wifi_device(sim, acme_on_sim)
    client = htmx(client_of(olga))
    set_faults(sim, scan_outcome="error")
    result = poll_scan(client, client.post(url("device_wifi_scan", device)).content.decode())
    assert "could not scan" in result
    set_faults(sim, scan_outcome="timeout")
    result = poll_scan(client, client.post(url("device_wifi_scan", device)).content.decode())
    assert "scan timed out" in result


def test_it_explains_an_unknown_or_expired_scan_session(sim, acme_on_sim, client_of, olga):
    device = wired_wifi_device(sim, acme_on_sim)
    client = htmx(client_of(olga))
    html = client.get(url("device_wifi_scan_status", device, session="A" * 32)).content.decode()
    assert "The session expired. Start again." in html and "hx-trigger" not in html
    html = client.get(url("device_wifi_scan_status", device, session="A" * 32, until=1000)).content.decode()
    assert "took too long" in html


def test_it_says_when_a_scan_meets_an_offline_device(sim, acme_on_sim, client_of, olga):
    device = wired_wifi_device(sim, acme_on_sim)
    go_offline(sim, device.uid)
    html = htmx(client_of(olga)).post(url("device_wifi_scan", device)).content.decode()
    assert "The device is offline." in html and "hx-trigger" not in html


def test_it_tests_a_network_on_a_wired_device_and_the_key_goes_nowhere(sim, acme_on_sim, client_of, olga, caplog):
    device = wired_wifi_device(sim, acme_on_sim)
    caplog.set_level(logging.DEBUG)
    client = htmx(client_of(olga))
    html = client.post(
        url("device_wifi_test", device), {"ssid": "NETGEAR36", "key": KEY, "country_code": "us"}
    ).content.decode()
    assert "The device can join “NETGEAR36”." in html
    html = client.post(
        url("device_wifi_test", device), {"ssid": "NETGEAR36", "key": "wrong-key", "country_code": "US"}
    ).content.decode()
    assert "could not join" in html and 'data-outcome="error"' in html
    assert KEY not in html and "wrong-key" not in html  # never rendered back
    assert sim.sim.fleet.devices[device.uid].online  # a wired device stays connected
    for entry in AuditEntry.objects.filter(action="device.wifi_test"):
        assert entry.params == {"ssid": "NETGEAR36", "country_code": "US"}
    assert KEY not in caplog.text and "wrong-key" not in caplog.text


def test_it_never_tests_a_wifi_only_device(sim, acme_on_sim, client_of, olga):
    device = wifi_only_device(sim, acme_on_sim)
    html = (
        htmx(client_of(olga))
        .post(url("device_wifi_test", device), {"ssid": "NETGEAR36", "key": KEY, "country_code": "US"})
        .content.decode()
    )
    assert "must not be tested" in html
    assert sim.sim.fleet.devices[device.uid].online
    assert not AuditEntry.objects.exists()


def test_it_needs_the_confirmation_to_set_wifi_on_a_wifi_only_device(sim, acme_on_sim, client_of, olga):
    device = wifi_only_device(sim, acme_on_sim)
    client = htmx(client_of(olga))
    before = sim.sim.fleet.devices[device.uid].wifi
    html = client.post(
        url("device_wifi_set", device), {"ssid": "NETGEAR36", "key": KEY, "country_code": "US"}
    ).content.decode()
    assert "Tick this box" in html and 'class="field-error"' in html
    assert sim.sim.fleet.devices[device.uid].wifi == before
    html = client.post(
        url("device_wifi_set", device), {"ssid": "NETGEAR36", "key": KEY, "country_code": "US", "confirm": "on"}
    ).content.decode()
    assert "WiFi set to “NETGEAR36”." in html and "offline until it reconnects" in html
    assert KEY not in html
    sim_dev = sim.sim.fleet.devices[device.uid]
    assert sim_dev.wifi.ssid == "NETGEAR36" and not sim_dev.online  # the spec: it leaves to join
    entry = AuditEntry.objects.get(action="device.wifi_set")
    assert entry.params == {"ssid": "NETGEAR36", "country_code": "US"} and KEY not in str(entry.params)


def test_it_keeps_a_wired_device_online_when_setting_wifi(sim, acme_on_sim, client_of, olga):
    device = wired_wifi_device(sim, acme_on_sim)
    html = (
        htmx(client_of(olga))
        .post(url("device_wifi_set", device), {"ssid": "TP-LINK_JIN", "key": "88888888", "country_code": "DE"})
        .content.decode()
    )
    assert "WiFi set to “TP-LINK_JIN”." in html and "offline" not in html
    wait_for(lambda: sim.sim.fleet.devices[device.uid].wifi.ssid == "TP-LINK_JIN")
    assert sim.sim.fleet.devices[device.uid].online


def test_it_shows_wifi_field_errors(sim, acme_on_sim, client_of, olga):
    device = wired_wifi_device(sim, acme_on_sim)
    client = htmx(client_of(olga))
    html = client.post(
        url("device_wifi_set", device), {"ssid": "", "key": "k" * 128, "country_code": "USA"}
    ).content.decode()
    assert html.count('class="field-error"') >= 3
    assert "k" * 128 not in html
    html = client.post(
        url("device_wifi_set", device), {"ssid": "Café", "key": "", "country_code": "1A"}
    ).content.decode()
    assert "may only contain" in html and "two letters" in html
    assert not AuditEntry.objects.exists()


def test_it_says_when_setting_wifi_meets_an_offline_device(sim, acme_on_sim, client_of, olga):
    device = wired_wifi_device(sim, acme_on_sim)
    go_offline(sim, device.uid)
    html = (
        htmx(client_of(olga))
        .post(url("device_wifi_set", device), {"ssid": "NETGEAR36", "key": KEY, "country_code": "US"})
        .content.decode()
    )
    assert "The device is offline." in html


def test_it_shows_viewers_the_settings_but_forbids_every_change(sim, acme_on_sim, client_of, victor):
    device = wired_wifi_device(sim, acme_on_sim)
    client = client_of(victor)
    data = {"ssid": "NETGEAR36", "key": KEY, "country_code": "US", "confirm": "on"}
    for name in ("device_wifi_scan", "device_wifi_test", "device_wifi_set"):
        assert client.post(url(name, device), data).status_code == 403, name
    assert client.get(url("device_wifi_scan_status", device, session="A" * 32)).status_code == 403
    page = client.get(url("device_detail", device)).content.decode()
    assert "Set WiFi" not in page and url("device_wifi", device) in page


def test_it_answers_404_for_other_partners_devices(client_of, alice, acme, bolt_camera):
    assert client_of(alice).get(f"/p/acme/devices/{bolt_camera.uid}/wifi/").status_code == 404


def test_it_reads_bad_poll_counters_of_a_scan_as_a_first_poll(sim, acme_on_sim, client_of, olga):
    device = wired_wifi_device(sim, acme_on_sim)
    client = htmx(client_of(olga))
    response = client.get(url("device_wifi_scan_status", device, session="A" * 32, poll="lots", until="²"))
    assert response.status_code == 200
    assert "The session expired. Start again." in response.content.decode()
    html = client.get(url("device_wifi_scan_status", device, session="A" * 32, poll="90")).content.decode()
    assert "took too long" in html
