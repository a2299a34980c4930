"""The /_sim/ control API."""

from __future__ import annotations

from tests.ropsim.conftest import Api, symbol


def test_it_adds_and_removes_devices(api: Api) -> None:
    r = api.control("POST", "/devices", json={"model": "Argus PT", "uid": "9527ADDED0000001", "name": "New Cam"})
    assert r.status_code == 201
    assert r.json()["uid"] == "9527ADDED0000001" and r.json()["name"] == "New Cam"
    listed = api.get("/v1.0/devices").json()
    assert listed["totalRows"] == 41 and "9527ADDED0000001" in [i["uid"] for i in listed["items"]]
    assert api.control("DELETE", "/devices/9527ADDED0000001").status_code == 200
    assert api.get("/v1.0/devices").json()["totalRows"] == 40
    assert symbol(api.get("/v1.0/devices/9527ADDED0000001/settings/alarm")) == "device_offline"


def test_it_refuses_bad_device_definitions(api: Api) -> None:
    assert api.control("POST", "/devices", json={"model": "Nope"}).status_code == 400
    existing = next(iter(api.sim.fleet.devices))
    assert api.control("POST", "/devices", json={"uid": existing}).status_code == 400
    assert api.control("POST", "/devices", json={"uid": "lower"}).status_code == 400
    assert api.control("DELETE", "/devices/9527NOTHERE000000").status_code == 404


def test_it_shows_a_devices_full_state(shared: Api) -> None:
    dev = shared.device(lambda d: d.model.battery)
    state = shared.control("GET", f"/devices/{dev.uid}").json()
    for key in (
        "uid",
        "model",
        "family",
        "channels",
        "capabilities",
        "name",
        "firmware",
        "online",
        "sleeping",
        "batteryPercent",
        "chargeStatus",
        "alarmEnabled",
        "pir",
        "wifi",
        "sdCard",
        "upgrade",
        "ptz",
    ):
        assert key in state
    assert state["capabilities"]["battery"] is True and state["wifi"]["ssid"]


def test_it_sets_the_battery(api: Api) -> None:
    dev = api.add("Argus 2")
    r = api.control("PUT", f"/devices/{dev.uid}/battery", json={"percent": 16, "chargeStatus": "charging"})
    assert r.status_code == 200
    assert api.get(f"/v1.0/devices/{dev.uid}/states/battery").json() == {"percent": 16, "chargeStatus": "charging"}
    assert api.control("PUT", f"/devices/{dev.uid}/battery", json={"percent": 101}).status_code == 400
    powered = api.add("RLC-810A")
    assert api.control("PUT", f"/devices/{powered.uid}/battery", json={"percent": 5}).status_code == 400


def test_it_counts_requests_per_endpoint_and_resets(api: Api) -> None:
    api.control("DELETE", "/counters")
    uid = api.device(lambda d: True).uid
    api.get("/v1.0/devices")
    api.get("/v1.0/devices")
    api.get(f"/v1.0/devices/{uid}/settings/alarm")
    api.get("/v1.0/devices/bad/settings/alarm")
    api.get("/nowhere")
    counters = api.control("GET", "/counters").json()
    assert counters["GET /v1.0/devices"] == {"count": 2, "200": 2}
    assert counters["GET /v1.0/devices/{uid}/settings/alarm"] == {"count": 2, "200": 1, "400": 1}
    assert counters["unmatched"]["404"] == 1
    assert not any("/_sim" in k for k in counters)  # the control API is not counted
    assert api.control("POST", "/counters/reset").status_code == 200
    assert api.control("GET", "/counters").json() == {}


def test_it_sets_fault_rates_atomically(api: Api) -> None:
    r = api.control("PUT", "/faults", json={"error_rate": 0.2, "latency_ms": 5})
    assert r.status_code == 200 and r.json()["error_rate"] == 0.2
    bad = api.control("PUT", "/faults", json={"error_rate": 0.9, "no_such": 1})
    assert bad.status_code == 400 and api.sim.config.error_rate == 0.2
    assert api.control("PUT", "/faults", json={"latency_ms": -1}).status_code == 400


def test_it_takes_devices_down_and_brings_them_back_at_the_offline_rate(make_api) -> None:
    api = make_api(devices=400, offline_rate=0.2, offline_mean_seconds=60)
    first = {i["uid"] for i in api.get("/v1.0/devices").json()["items"]}
    assert 250 < len(first) < 370
    api.advance(600)
    later = {i["uid"] for i in api.get("/v1.0/devices").json()["items"]}
    assert 250 < len(later) < 370 and later != first


def test_it_lists_firmware_models_sessions_and_config(api: Api) -> None:
    api.post("/v1.0/firmware/one.pak", data=b"abc")
    files = api.control("GET", "/firmware").json()
    assert files["totalRows"] == 1 and files["items"][0]["name"] == "one.pak"
    models = api.control("GET", "/models").json()["items"]
    assert {m["name"] for m in models} >= {"Argus 2", "NVR RLN8-410"}
    assert api.control("GET", "/sessions").status_code == 200
    assert api.control("GET", "/config").json()["devices"] == 40


def test_it_only_moves_the_clock_forward(api: Api) -> None:
    before = api.sim.now()
    assert api.control("POST", "/clock/advance", json={"seconds": 100}).json()["now"] >= before + 100
    assert api.control("POST", "/clock/advance", json={"seconds": -1}).status_code == 400


def test_it_answers_the_next_matching_request_once_with_an_injected_error(api: Api) -> None:
    uid = api.device(lambda d: True).uid
    r = api.control(
        "POST",
        "/inject",
        json={"symbol": "server_internal_error", "method": "GET", "path": "/v1.0/devices/{uid}/settings/alarm"},
    )
    assert r.status_code == 200
    assert api.get("/v1.0/devices").status_code == 200  # does not match
    hit = api.get(f"/v1.0/devices/{uid}/settings/alarm")
    assert hit.status_code == 500 and symbol(hit) == "server_internal_error"
    assert api.get(f"/v1.0/devices/{uid}/settings/alarm").status_code == 200
    assert api.control("GET", "/counters").json()["GET /v1.0/devices/{uid}/settings/alarm"]["500"] == 1


def test_it_injects_unknown_symbols_raw_bodies_and_retry_after(api: Api) -> None:
    api.control("POST", "/inject", json={"symbol": "brand_new_symbol", "status": 418, "count": 2})
    for _ in range(2):
        r = api.get("/v1.0/devices")
        assert r.status_code == 418 and symbol(r) == "brand_new_symbol"
    api.control("POST", "/inject", json={"body": "Service Unavailable", "status": 503, "retryAfter": 2})
    r = api.get("/v1.0/devices")
    assert (r.status_code, r.text, r.headers["Retry-After"]) == (503, "Service Unavailable", "2")
    api.control("POST", "/inject", json={"symbol": "session_expired", "path": "/v1.0/devices"})
    assert api.get("/v1.0/devices").status_code == 400
    assert api.control("POST", "/inject", json={"symbol": "no_status_unknown"}).status_code == 400
    api.control("POST", "/inject", json={"symbol": "cmd_timeout", "count": 5})
    assert api.control("DELETE", "/inject").status_code == 200
    assert api.get("/v1.0/devices").status_code == 200
