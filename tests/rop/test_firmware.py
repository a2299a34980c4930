"""Firmware upload (raw, streamed) and upgrade sessions."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import time
import tracemalloc

import pytest

from rop import UpgradeSession, UpgradeStatus, errors
from ropsim.models import CATALOGUE

_builds = itertools.count(3000 + os.getpid() % 1000 * 10)


def firmware_name(model: str = "RLC-823A") -> str:
    """A file name ropsim's file check accepts for ``model``, unique within the session."""
    return CATALOGUE[model].firmware_filename(next(_builds), "240101")


def poll_until_final(client, uid: str, session_id: str, timeout: float = 5.0) -> list[UpgradeStatus]:
    seen = [client.get_upgrade_status(uid, session_id)]
    deadline = time.monotonic() + timeout
    while not seen[-1].is_final and time.monotonic() < deadline:
        time.sleep(0.05)
        seen.append(client.get_upgrade_status(uid, session_id))
    return seen


def test_it_uploads_firmware_from_a_path_as_the_raw_body(client, running, tmp_path):
    name = firmware_name()
    payload = os.urandom(300_000)
    path = tmp_path / name
    path.write_bytes(payload)
    client.upload_firmware(name, path)
    stored = running.sim.firmware.files[name]
    assert stored.size == len(payload)
    assert stored.sha256 == hashlib.sha256(payload).hexdigest()


def test_it_uploads_firmware_from_a_binary_file_object_from_its_position(client, running):
    name = firmware_name()
    source = io.BytesIO(b"HEADER" + b"\x00\x01\x02" * 50_000)
    source.seek(6)
    client.upload_firmware(name, source)
    assert running.sim.firmware.files[name].sha256 == hashlib.sha256(b"\x00\x01\x02" * 50_000).hexdigest()


def test_it_streams_a_50_mb_upload_with_flat_memory(client, running, tmp_path):
    size = 50 * 1024 * 1024
    name = firmware_name()
    path = tmp_path / name
    block = os.urandom(1024 * 1024)
    digest = hashlib.sha256()
    with path.open("wb") as fh:
        for _ in range(size // len(block)):
            fh.write(block)
            digest.update(block)
    tracemalloc.start()
    try:
        client.upload_firmware(name, str(path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Both ends of the connection live in this process, so this bounds the client and
    # ropsim together: far below the 50 MB a read-it-whole upload would hold.
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    stored = running.sim.firmware.files[name]
    assert (stored.size, stored.sha256) == (size, digest.hexdigest())


def test_it_raises_duplicate_firmware_for_a_name_uploaded_twice(client, tmp_path):
    name = firmware_name()
    client.upload_firmware(name, io.BytesIO(b"first image"))
    with pytest.raises(errors.DuplicateFirmware) as caught:
        client.upload_firmware(name, io.BytesIO(b"second image"))
    assert (caught.value.symbol, caught.value.http_status) == ("duplicate_firmware", 400)


def test_it_upgrades_a_device_and_polls_the_status_until_it_is_final(client, control, ptz_camera):
    name = firmware_name("RLC-823A")
    client.upload_firmware(name, io.BytesIO(b"image for the 823A" * 1000))
    session = client.create_upgrade_session(ptz_camera, name)
    assert isinstance(session, UpgradeSession)
    assert session.session_id and 60 <= session.expired_in <= 3600

    statuses = poll_until_final(client, ptz_camera, session.session_id)

    assert statuses[0] is UpgradeStatus.UPGRADING
    assert statuses[-1] is UpgradeStatus.SUCCESS
    assert statuses[-1].is_final and statuses[-1].is_success
    deadline = time.monotonic() + 2
    while not control.device(ptz_camera)["online"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert control.device(ptz_camera)["firmwareFile"] == name


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("same_version", UpgradeStatus.SAME_VERSION),
        ("file_check_failed", UpgradeStatus.FILE_CHECK_FAILED),
        ("out_of_memory", UpgradeStatus.OUT_OF_MEMORY),
        ("low_battery", UpgradeStatus.LOW_BATTERY),
        ("unknown_error", UpgradeStatus.UNKNOWN_ERROR),
        ("failed", UpgradeStatus.FAILED),
    ],
)
def test_it_ends_every_failed_upgrade_in_a_final_unsuccessful_status(client, control, ptz_camera, outcome, status):
    name = firmware_name()
    client.upload_firmware(name, io.BytesIO(b"x" * 1024))
    control.set_upgrade_outcome(ptz_camera, outcome)
    session = client.create_upgrade_session(ptz_camera, name, factory_reset=True)
    final = poll_until_final(client, ptz_camera, session.session_id)[-1]
    assert final is status
    assert final.is_final and not final.is_success


def test_it_raises_file_not_found_for_an_upgrade_to_a_file_never_uploaded(client, ptz_camera):
    with pytest.raises(errors.FileNotFound) as caught:
        client.create_upgrade_session(ptz_camera, "never-uploaded.RLC-823A.pak")
    assert (caught.value.symbol, caught.value.http_status) == ("file_not_found", 404)


def test_it_raises_duplicate_upgrade_for_a_device_already_upgrading(client, faults, ptz_camera):
    faults.faults(upgrade_seconds=30)
    name = firmware_name()
    client.upload_firmware(name, io.BytesIO(b"y" * 1024))
    client.create_upgrade_session(ptz_camera, name)
    with pytest.raises(errors.DuplicateUpgrade) as caught:
        client.create_upgrade_session(ptz_camera, name)
    assert (caught.value.symbol, caught.value.http_status) == ("duplicate_upgrade", 400)


def test_it_raises_up_to_upgrade_session_limit_for_too_many_concurrent_upgrades(client, faults, running):
    faults.faults(upgrade_seconds=30)
    first, second = faults.add_device("RLC-823A"), faults.add_device("RLC-823A")
    name = firmware_name()
    client.upload_firmware(name, io.BytesIO(b"z" * 1024))
    client.create_upgrade_session(first, name)
    faults.faults(upgrade_session_limit=running.sim.active_upgrades())
    with pytest.raises(errors.UpgradeSessionLimitReached) as caught:
        client.create_upgrade_session(second, name)
    assert (caught.value.symbol, caught.value.http_status) == ("up_to_upgrade_session_limit", 400)


@pytest.mark.parametrize("session_id", ["c165ffc8-42c1-450b-a955-bc7ad6bdc515", "abc"])
def test_it_raises_session_not_found_for_an_unknown_upgrade_session(client, ptz_camera, session_id):
    # The Core Server checks no shape: any id it does not know is session_not_found.
    with pytest.raises(errors.SessionNotFound):
        client.get_upgrade_status(ptz_camera, session_id)


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        ("upgrade_success", UpgradeStatus.SUCCESS),
        ("success", UpgradeStatus.SUCCESS),
        ("Upgrading", UpgradeStatus.UPGRADING),
        ("failed", UpgradeStatus.FAILED),
        ("focus_error", UpgradeStatus.FOCUS_ERROR),
    ],
)
def test_it_reads_every_spelling_of_the_upgrade_status(wire, status):
    # ropsim answers the table's spellings only; the other forms are the document's
    # example ("success") and the Core Server's code ("failed", "focus_error").
    assert UpgradeStatus.parse(wire) is status


def test_it_reports_an_undocumented_upgrade_status_instead_of_guessing():
    with pytest.raises(errors.UnexpectedResponse):
        UpgradeStatus.parse("exploded")
