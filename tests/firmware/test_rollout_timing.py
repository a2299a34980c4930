"""A rollout learns how long its model's upgrades take, from nothing set: it keeps what
it measured per model and image size (UpgradeTiming), the next rollout of that model
starts from it, and the rollout page says it and estimates the end from it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from firmware.models import UpgradeTiming
from firmware.rollout import learning, selectors, timing
from jobs.models import JobItem, JobState
from ropsim.testing import SimConfig

from .rollouts import MODEL, cameras_on_sim, drive, fleet_of, library_image, results, sim_sessions, start

UPGRADE = 0.6


@pytest.fixture
def learning_engine(engine, settings):
    """No prior: the scouts find out (their first read at 0.1 s here, 10 s in production)."""
    settings.ROLLOUT_UPGRADE_SECONDS = None
    return engine


@pytest.fixture
def sim():
    with cameras_on_sim(
        SimConfig(devices=0, seed=13, token="sim-token", upgrade_seconds=UPGRADE), 12, "TIME"
    ) as running:
        yield running


@pytest.fixture
def fleet(sim, acme):
    return fleet_of(sim, acme)


def test_it_learns_the_models_upgrade_time_without_being_told(learning_engine, sim, fleet, acme, olga):
    image = library_image(acme)
    rollout = start(acme, olga, image, max_in_flight=12)
    job = drive(rollout, timeout=60)
    assert job.state == JobState.DONE and set(results(rollout).values()) == {"succeeded"}
    assert set(sim_sessions(sim).values()) == {1}  # one upgrade session per device
    roles = JobItem.objects.filter(job_id=rollout.job_id).values_list("data__role", flat=True)
    assert learning.SCOUT in roles
    learnt = UpgradeTiming.objects.get(partner=acme, model=MODEL, size_class=timing.size_class(image.size))
    assert UPGRADE * 0.7 < learnt.typical_seconds < UPGRADE * 2
    assert learnt.low_seconds <= learnt.typical_seconds <= learnt.high_seconds
    assert learnt.samples >= 1


def test_it_starts_the_next_rollout_of_the_model_from_what_was_learnt(learning_engine, sim, fleet, acme, olga):
    UpgradeTiming.objects.create(
        partner=acme, model=MODEL, size_class=0, low_seconds=0.5, typical_seconds=0.6, high_seconds=0.7, samples=20
    )
    image = library_image(acme)
    rollout = start(acme, olga, image, max_in_flight=12)
    drive(rollout, timeout=60)
    data = list(JobItem.objects.filter(job_id=rollout.job_id).values_list("data", flat=True))
    regular = [d for d in data if d["role"] == learning.REGULAR]
    assert regular, "with a learnt time, most devices are read once where upgrades are over"
    # Read first at the learnt upper end, not parked.
    assert all(not d.get("parked") for d in regular)
    assert sum(d["checks"] for d in regular) <= len(regular)


def test_it_keeps_what_each_partner_learnt_to_itself(learning_engine, sim, fleet, acme, bolt, olga):
    UpgradeTiming.objects.create(
        partner=bolt, model=MODEL, size_class=0, low_seconds=500, typical_seconds=600, high_seconds=700, samples=20
    )
    assert timing.learnt(acme.id, timing.class_key(MODEL, 100)) is None
    learnt = timing.learnt(bolt.id, timing.class_key(MODEL, 100))
    assert learnt is not None and learnt.typical == 600


def test_it_says_the_typical_upgrade_and_estimates_the_end_from_it(client, sim, fleet, acme, olga, engine):
    image = library_image(acme)
    rollout = start(acme, olga, image, max_in_flight=4, starts_at=timezone.now() + timedelta(hours=1))
    client.force_login(olga)
    url = reverse("rollout_detail", args=[acme.slug, rollout.id])
    page = client.get(url).content.decode()
    assert f"typical upgrade of {MODEL}:" in page and "not learned yet" in page
    UpgradeTiming.objects.create(
        partner=acme, model=MODEL, size_class=0, low_seconds=30, typical_seconds=34, high_seconds=40, samples=35
    )
    page = client.get(url).content.decode()
    assert f"typical upgrade of {MODEL}:\n    34 s, learned from 35 timed upgrades" in page
    now = timezone.now()
    state = selectors.rollout_progress(rollout, now)
    # 12 devices, 4 at once: 3 rounds of the 40 s where upgrades are over.
    assert state.eta is not None and abs((state.eta - now).total_seconds() - 120) < 1


def test_it_sizes_images_into_classes() -> None:
    mib = 1024 * 1024
    assert [timing.size_class(n) for n in (0, 15 * mib, 16 * mib, 40 * mib, 70 * mib)] == [0, 0, 1, 2, 3]
    assert timing.split_key(timing.class_key("RLC-810A", 40 * mib)) == ("RLC-810A", 2)
