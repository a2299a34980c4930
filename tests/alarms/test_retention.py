"""The alarm prune: each partner's alarms older than its own retention, or the console's
default (ALARM_RETENTION_DAYS) for a partner without one."""

from datetime import timedelta

from django.utils import timezone

from alarms import services
from alarms.models import AlarmEvent, AlarmSettings
from alarms.tasks import prune_alarm_events
from rop_fleet.celery import app


def alarm(partner, days_ago, now):
    at = now - timedelta(days=days_ago)
    return AlarmEvent.objects.create(
        partner=partner, device_uid="95270000ACME0001", status="MD", received_at=at, last_seen_at=at
    )


def test_it_prunes_each_partner_by_its_own_retention(acme, bolt, settings):
    settings.ALARM_RETENTION_DAYS = 30
    AlarmSettings.objects.create(partner=acme, retention_days=7)
    now = timezone.now()
    acme_recent, acme_old = alarm(acme, 6, now), alarm(acme, 8, now)
    bolt_kept, bolt_old = alarm(bolt, 8, now), alarm(bolt, 31, now)

    assert services.prune_old_events(now) == 2
    remaining = set(AlarmEvent.objects.values_list("id", flat=True))
    assert remaining == {acme_recent.id, bolt_kept.id}
    assert acme_old.id not in remaining and bolt_old.id not in remaining


def test_it_uses_the_default_when_the_partner_left_retention_blank(acme, settings):
    settings.ALARM_RETENTION_DAYS = 10
    AlarmSettings.objects.create(partner=acme, retention_days=None, allowed_networks=["10.0.0.0/8"])
    now = timezone.now()
    kept, old = alarm(acme, 9, now), alarm(acme, 11, now)
    services.prune_old_events(now)
    assert list(AlarmEvent.objects.values_list("id", flat=True)) == [kept.id]
    assert not AlarmEvent.objects.filter(id=old.id).exists()


def test_it_prunes_in_batches_to_the_end(acme, settings, monkeypatch):
    settings.ALARM_RETENTION_DAYS = 1
    monkeypatch.setattr(services, "PRUNE_BATCH", 3)
    now = timezone.now()
    for _ in range(8):
        alarm(acme, 2, now)
    kept = alarm(acme, 0, now)
    assert services.prune_old_events(now) == 8
    assert list(AlarmEvent.objects.values_list("id", flat=True)) == [kept.id]


def test_it_runs_the_prune_on_beats_schedule(acme, settings):
    settings.ALARM_RETENTION_DAYS = 1
    alarm(acme, 2, timezone.now())
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == prune_alarm_events.name]
    assert len(entries) == 1 and entries[0]["schedule"] > 0
    prune_alarm_events.apply()
    assert not AlarmEvent.objects.exists()


def test_it_keeps_alarms_forever_with_a_default_of_zero_unless_the_partner_sets_one(acme, bolt, settings):
    settings.ALARM_RETENTION_DAYS = 0
    AlarmSettings.objects.create(partner=bolt, retention_days=30)
    now = timezone.now()
    ancient, bolts_old = alarm(acme, 5000, now), alarm(bolt, 31, now)
    assert services.prune_old_events(now) == 1
    assert list(AlarmEvent.objects.values_list("id", flat=True)) == [ancient.id]
    assert not AlarmEvent.objects.filter(id=bolts_old.id).exists()
