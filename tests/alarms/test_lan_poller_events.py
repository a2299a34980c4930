"""The LAN poller turns motion and AI changes into alarm events, one per episode:
ropsim's LAN cameras over real HTTP, the poller on a thread, a real database."""

import time

import pytest

from alarms.models import AlarmEvent, AlarmSource
from devices.models import Channel, Device
from tests.devices.simtools import wait_for

from .lan_poller_tools import PollerThread, lan_device, lan_requests

pytestmark = pytest.mark.django_db(transaction=True)


def lan_events(device: Device) -> list[AlarmEvent]:
    return list(AlarmEvent.objects.filter(device=device, source=AlarmSource.LAN).order_by("id"))


def test_it_records_one_event_per_motion_episode_growing_with_ai_types_and_ended_when_quiet(acme, fleet, lan_of):
    cam = fleet.create_device("RLC-823A")  # AI camera
    lan = lan_of()
    device = lan_device(acme, lan, cam)
    with PollerThread():
        wait_for(lambda: lan_requests(lan, cam.uid) >= 2, what="the first poll")
        assert lan_events(device) == []  # quiet: polls write no event

        fleet.raise_alarm(cam.uid, 0, "MD")
        event = wait_for(lambda: lan_events(device), what="the motion event")[0]
        assert (event.status, event.ai_types, event.ended_at, event.ongoing) == ("MD", [], None, True)

        fleet.raise_alarm(cam.uid, 0, "MD", ["people"])
        wait_for(lambda: lan_events(device)[0].ai_types == ["people"], what="the person on the open event")
        seen = lan_requests(lan, cam.uid)
        wait_for(lambda: lan_requests(lan, cam.uid) >= seen + 2, what="two more polls with nothing new")
        assert len(lan_events(device)) == 1
        channel = Channel.objects.get(device=device, index=0)
        assert (channel.motion, channel.ai_detected) == (True, ["people"])

        fleet.raise_alarm(cam.uid, 0, "none")
        ended = wait_for(lambda: lan_events(device)[0].ended_at, what="the event's end")
        channel.refresh_from_db()
        assert (channel.motion, channel.ai_detected) == (False, [])

        fleet.raise_alarm(cam.uid, 0, "MD", ["vehicle"])
        wait_for(lambda: len(lan_events(device)) == 2, what="a second episode")
    first, second = lan_events(device)
    assert (first.ai_types, first.last_seen_at, first.ongoing) == (["people"], ended, False)
    assert second.ai_types == ["vehicle"] and first.ended_at is not None and second.received_at > first.ended_at


def test_it_counts_only_the_channels_allowed_ai_types_and_polls_every_nvr_channel_in_one_request(acme, fleet, lan_of):
    nvr = fleet.create_device("NVR RLN8-410")
    lan = lan_of()
    device = lan_device(acme, lan, nvr, channels=8)
    Channel.objects.filter(device=device, index=2).update(ai_types=["vehicle"])
    with PollerThread():
        wait_for(lambda: lan_requests(lan, nvr.uid) >= 1, what="the first poll")
        fleet.raise_alarm(nvr.uid, 2, "MD", ["people"])  # not a type channel 2 reports
        fleet.raise_alarm(nvr.uid, 5, "MD", ["people"])
        wait_for(lambda: len(lan_events(device)) == 2, what="two motion events")
        before = lan_requests(lan, nvr.uid)
        time.sleep(4.5)  # two more polls at 2 s
        polled = lan_requests(lan, nvr.uid) - before
    by_channel = {e.channel: e.ai_types for e in lan_events(device)}
    assert by_channel == {2: [], 5: ["people"]}
    assert 2 <= polled <= 3  # 8 channels' motion and AI in one request per poll


def test_it_polls_a_camera_without_ai_as_motion_only(acme, fleet, lan_of):
    cam = fleet.create_device("Argus PT")  # no AI: GetAiState answers "not supported"
    lan = lan_of()
    device = lan_device(acme, lan, cam)
    with PollerThread():
        fleet.raise_alarm(cam.uid, 0, "MD")
        event = wait_for(lambda: lan_events(device), what="the motion event")[0]
    device.refresh_from_db()
    assert (event.ai_types, device.online, device.last_poll_error) == ([], True, "")
    assert device.last_seen is not None
