"""Device rows for list and bulk tests: from the simulator's fleet, or made up in bulk."""

from datetime import timedelta

from django.utils import timezone

from devices.models import ChargeStatus, Device, Family, Tag

MODELS = [("Argus 3 Pro", Family.BATTERY), ("RLC-810A", Family.POWERED), ("E1 Zoom", Family.POWERED)]


def rows_from_sim(sim, partner) -> list[Device]:
    """One Device row per simulated device, as a sync would write them."""
    devices = [
        Device(
            partner=partner,
            uid=uid,
            model=dev.model.name,
            family=dev.model.family,
            firmware_version=dev.firmware,
            display_name=dev.name[:31],
            online=dev.online,
            alarm_enabled=dev.alarm_enabled,
        )
        for uid, dev in sorted(sim.sim.fleet.devices.items())
    ]
    return Device.objects.bulk_create(devices)


def made_up_fleet(partner, n: int, *, tag_every: int = 0, tag_name: str = "North site", start: int = 0) -> list[Device]:
    """n devices with spread-out values; every `tag_every`-th gets a tag. Some have no
    battery reading or were never seen, so NULL sort keys are exercised. `start` numbers
    the UIDs on from an earlier call's."""
    now = timezone.now()
    devices = []
    for i in range(start, start + n):
        model, family = MODELS[i % len(MODELS)]
        battery = family == Family.BATTERY
        devices.append(
            Device(
                partner=partner,
                uid=f"{partner.slug.upper()[:4]:0<4}{i:012d}",
                display_name=f"Camera {i % 37:02d}",  # repeated names: the id tie-breaker matters
                model=model,
                family=family,
                firmware_version=f"v3.{i % 4}.0",
                online=i % 5 != 0,
                battery_percent=(i * 7) % 101 if battery and i % 9 else None,
                charge_status=ChargeStatus.CHARGING if battery and i % 6 == 0 else "",
                alarm_enabled=None if i % 11 == 0 else i % 2 == 0,
                last_seen=None if i % 13 == 0 else now - timedelta(minutes=(i * 17) % 500),
            )
        )
    devices = Device.objects.bulk_create(devices)
    if tag_every:
        tag = Tag.objects.create(partner=partner, name=tag_name)
        tag.devices.add(*devices[::tag_every])
    return devices
