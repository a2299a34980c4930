"""Live view sessions, snapshots and PTZ control."""

from __future__ import annotations

import threading

import pytest

from rop import StreamSession, errors


@pytest.mark.parametrize("stream_type", ["mainStream", "externStream", "subStream"])
def test_it_opens_a_live_session_for_every_stream_type(client, running, ptz_camera, stream_type):
    session = client.create_live_session(ptz_camera, 0, stream_type)
    assert isinstance(session, StreamSession)
    assert session.expires_in == 30
    issued = running.sim.check_play_url(session.play_url)
    assert issued is not None and issued.stream_type == stream_type


def test_it_returns_the_snapshot_as_jpeg_bytes(client, ptz_camera):
    image = client.get_snapshot(ptz_camera, 0, "subStream")
    assert isinstance(image, bytes)
    assert image[:3] == b"\xff\xd8\xff"  # JPEG start-of-image marker


def test_it_raises_duplicate_snap_for_a_second_snapshot_while_one_is_taken(client, faults, ptz_camera):
    faults.faults(latency_ms=400)
    first: list[object] = []
    worker = threading.Thread(target=lambda: first.append(client.get_snapshot(ptz_camera, 0, "mainStream")))
    worker.start()
    try:
        # The first call is inside the simulated device's latency window.
        for _ in range(50):
            if (ptz_camera, 0) in faults.running.sim.snaps_in_progress:
                break
            threading.Event().wait(0.01)
        with pytest.raises(errors.DuplicateSnap) as caught:
            client.get_snapshot(ptz_camera, 0, "mainStream")
        assert isinstance(caught.value, errors.CommandExecError)
        assert caught.value.symbol == "duplicate_snap"
    finally:
        worker.join()
    assert isinstance(first[0], bytes)


def test_it_zooms_and_focuses_one_step_per_call(client, control, ptz_camera):
    before = control.device(ptz_camera)["ptz"]
    client.ptz_zoom(ptz_camera, "inc")
    client.ptz_zoom(ptz_camera, "inc")
    client.ptz_focus(ptz_camera, "dec", channel=0)
    after = control.device(ptz_camera)["ptz"]
    assert after["zoom"] == before["zoom"] + 2
    assert after["focus"] < before["focus"]
    client.ptz_zoom(ptz_camera, "dec")
    assert control.device(ptz_camera)["ptz"]["zoom"] == before["zoom"] + 1


def test_it_sends_the_tables_inc_as_the_inc_the_real_server_takes(client, control, ptz_camera):
    # ropsim refuses "Inc" like the real server; the client normalises it.
    before = control.device(ptz_camera)["ptz"]
    client.ptz_zoom(ptz_camera, "Inc")
    client.ptz_focus(ptz_camera, "DEC")
    after = control.device(ptz_camera)["ptz"]
    assert (after["zoom"], after["focus"] < before["focus"]) == (before["zoom"] + 1, True)


@pytest.mark.parametrize(
    ("given", "sent"), [("left", "left"), ("rightUP", "rightUp"), ("None", "none"), ("leftDown", "leftDown")]
)
def test_it_rotates_in_every_spelling_the_document_uses(client, control, ptz_camera, given, sent):
    client.ptz_rotate(ptz_camera, given, speed=10)
    ptz = control.device(ptz_camera)["ptz"]
    assert ptz["direction"] == sent
    assert ptz["speed"] == (0 if sent == "none" else 10)


def test_it_sends_rotate_as_post_as_the_table_says(client, control, ptz_camera):
    control.reset_counters()
    client.ptz_rotate(ptz_camera, "up", 64)
    assert control.count("POST /v1.0/devices/{uid}/ptz/rotate", 200) == 1
    assert control.count("PATCH /v1.0/devices/{uid}/ptz/rotate") == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda c, uid: c.ptz_zoom(uid, "inc"),
        lambda c, uid: c.ptz_focus(uid, "inc"),
        lambda c, uid: c.ptz_rotate(uid, "left", 5),
    ],
    ids=["zoom", "focus", "rotate"],
)
def test_it_raises_command_not_supported_for_a_camera_without_ptz(client, plain_camera, call):
    with pytest.raises(errors.CommandNotSupported) as caught:
        call(client, plain_camera)
    assert (caught.value.symbol, caught.value.http_status) == ("cmd_not_support", 400)
