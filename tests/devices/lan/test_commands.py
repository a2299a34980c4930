"""Per-channel commands from the device page against the LAN emulator, on a camera
(channel 0) and on an NVR channel: each answers clearly on success and on failure
(not supported by this model, auth, unreachable) and is audited."""

import socket

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from devices.models import ItemResult
from devices.tasks.commands import stop_ptz_task

from .conftest import add_device

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, device):
    return reverse(name, kwargs={"slug": "acme", "uid": device.uid})


def post(client, name, device, data):
    response = client.post(url(name, device), data, **HX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def operator(client_of, olga):
    return client_of(olga)


@pytest.fixture(params=["camera", "nvr"])
def target(request, lan, devs, client_of, olga):
    """(device, channel, emulator state): the camera's channel 0 or the NVR's channel 3."""
    device = add_device(client_of(olga), lan, devs[request.param])
    channel = 0 if request.param == "camera" else 3
    return request.param, device, channel, lan.state(device.uid)


def test_it_takes_a_snapshot_of_a_channel(operator, target):
    _, device, channel, _ = target
    fragment = operator.get(url("device_snapshot", device), {"channel": channel, "stream": "mainStream"})
    assert fragment.status_code == 200 and b"<img" in fragment.content
    image = operator.get(url("device_snapshot_image", device), {"channel": channel, "stream": "mainStream"})
    assert image["Content-Type"] == "image/jpeg" and image.content.startswith(b"\xff\xd8")


@pytest.mark.parametrize(
    ("move", "op"),
    [
        ("left", "Left"),
        ("right", "Right"),
        ("up", "Up"),
        ("down", "Down"),
        ("leftUp", "LeftUp"),
        ("leftDown", "LeftDown"),
        ("rightUp", "RightUp"),
        ("rightDown", "RightDown"),
        ("zoom_in", "ZoomInc"),
        ("zoom_out", "ZoomDec"),
        ("focus_in", "FocusInc"),
        ("focus_out", "FocusDec"),
        ("auto", "Auto"),
        ("stop", "Stop"),
    ],
)
def test_it_sends_every_ptz_move(operator, target, move, op):
    kind, device, channel, state = target
    answer = post(operator, "device_command_ptz", device, {"channel": channel, "move": move, "speed": 20})
    entry = AuditEntry.objects.filter(action="device.ptz", target_label=device.uid).latest("id")
    assert entry.params["move"] == move and entry.params["channel"] == channel
    if kind == "camera":
        assert state.channels[channel].ptz.last_op == op and entry.result == ItemResult.OK
        assert f"Channel {channel}:" in answer
    else:  # the NVR's inputs have no PTZ: the device says so, and the page says it plainly
        assert "This model does not support that." in answer and entry.result == ItemResult.NOT_SUPPORTED


def test_it_stops_a_move_after_its_duration(operator, lan, devs, client_of, olga, django_capture_on_commit_callbacks):
    device = add_device(client_of(olga), lan, devs["camera"])
    state = lan.state(device.uid).channels[0].ptz
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = post(operator, "device_command_ptz", device, {"channel": 0, "move": "left", "duration": 1.5})
    assert "stops it after 1.5 s" in answer and state.moving == "Left"
    assert len(callbacks) == 1  # the Stop, enqueued once the move is committed
    stop_ptz_task(device.id, 0)  # what the worker runs when the countdown ends
    assert state.moving == "" and state.last_op == "Stop"
    assert AuditEntry.objects.filter(action="device.ptz", params__automatic=True, user__isnull=True).exists()


def test_it_checks_speed_and_duration(operator, lan_camera):
    answer = post(operator, "device_command_ptz", lan_camera, {"channel": 0, "move": "left", "speed": 65})
    assert "Ensure this value is less than or equal to 64." in answer
    answer = post(operator, "device_command_ptz", lan_camera, {"channel": 0, "move": "left", "duration": 0})
    assert "Ensure this value is greater than or equal to 0.1." in answer
    answer = post(operator, "device_command_ptz", lan_camera, {"channel": 5, "move": "left"})
    assert "Select a valid choice" in answer


def test_it_lists_named_presets_and_recalls_one(operator, target):
    kind, device, channel, state = target
    listing = operator.get(url("device_presets", device), {"channel": channel}, **HX).content.decode()
    answer = post(operator, "device_command_preset", device, {"channel": channel, "preset": 1, "name": "home"})
    if kind == "camera":
        assert "home" in listing
        assert "moving to preset 1 “home”" in answer and state.channels[channel].ptz.last_op == "ToPos"
    else:
        assert "This model does not support that." in listing and "This model does not support that." in answer


def test_it_refuses_a_preset_outside_1_to_64(operator, lan_camera):
    answer = post(operator, "device_command_preset", lan_camera, {"channel": 0, "preset": 65})
    assert "less than or equal to 64" in answer


def test_it_turns_the_spotlight_on_and_off(operator, target):
    kind, device, channel, state = target
    on = post(operator, "device_command_spotlight", device, {"channel": channel, "on": "true"})
    if kind == "camera":
        assert "spotlight on" in on and state.channels[channel].whiteled.state == 1
        assert "spotlight off" in post(
            operator, "device_command_spotlight", device, {"channel": channel, "on": "false"}
        )
        assert state.channels[channel].whiteled.state == 0
    else:
        assert "This model does not support that." in on


def test_it_sounds_the_siren(operator, target):
    kind, device, channel, state = target
    answer = post(operator, "device_command_siren", device, {"channel": channel})
    if kind == "camera":
        assert "siren sounded" in answer and state.channels[channel].siren_plays == 1
    else:
        assert "This model does not support that." in answer
    assert AuditEntry.objects.filter(action="device.siren", target_label=device.uid).exists()


def test_it_reboots_only_after_a_confirmation(operator, target):
    _, device, _, state = target
    refused = post(operator, "device_command_reboot", device, {})
    assert "Tick the box to confirm." in refused and state.reboots == 0
    answer = post(operator, "device_command_reboot", device, {"confirm": "1"})
    assert "Rebooting" in answer and state.reboots == 1
    # Away: the next command says the device cannot be reached.
    gone = post(operator, "device_command_siren", device, {"channel": 0})
    assert "The device cannot be reached" in gone


def test_it_says_when_the_password_no_longer_works(operator, lan_camera):
    lan_camera.lan_password = "changed-on-the-camera"
    lan_camera.save()
    answer = post(operator, "device_command_siren", lan_camera, {"channel": 0})
    assert "The device refused the user name or password." in answer


def test_it_refreshes_names_and_online_state_of_the_channels(operator, lan_nvr):
    lan_nvr.channels.filter(index=2).update(name="stale", online=False)
    answer = post(operator, "device_refresh", lan_nvr, {})
    assert "Refreshed: NVR RLN8-410, 8 channel(s)." in answer
    channel = lan_nvr.channels.get(index=2)
    assert channel.name.endswith("CH03") and channel.online


def test_it_limits_the_ai_types_a_channel_reports(operator, lan_nvr):
    answer = post(operator, "channel_ai_types", lan_nvr, {"channel": 4, "ai_types": ["people", "vehicle"]})
    assert "Channel 4 reports people, vehicle." in answer
    assert lan_nvr.channels.get(index=4).ai_types == ["people", "vehicle"]
    answer = post(operator, "channel_ai_types", lan_nvr, {"channel": 4})
    assert "every AI type" in answer and lan_nvr.channels.get(index=4).ai_types == []
    assert "Select a valid choice" in post(operator, "channel_ai_types", lan_nvr, {"channel": 4, "ai_types": ["cat"]})


def test_it_forbids_viewers_every_command(client_of, victor, lan_camera, lan):
    viewer = client_of(victor)
    for name, data in [
        ("device_command_ptz", {"channel": 0, "move": "left"}),
        ("device_command_siren", {"channel": 0}),
        ("device_command_reboot", {"confirm": "1"}),
        ("channel_ai_types", {"channel": 0}),
    ]:
        assert viewer.post(url(name, lan_camera), data).status_code == 403
    assert lan.state(lan_camera.uid).channels[0].siren_plays == 0


def test_it_says_when_the_device_does_not_answer_in_time(operator, lan_camera):
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        lan_camera.lan_port, lan_camera.lan_timeout_ms = silent.getsockname()[1], 500
        lan_camera.save()
        answer = post(operator, "device_command_siren", lan_camera, {"channel": 0})
    assert "The device did not answer in time. Try again." in answer
    entry = AuditEntry.objects.filter(action="device.siren").latest("id")
    assert entry.result == ItemResult.OFFLINE
