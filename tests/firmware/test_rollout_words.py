"""The rollout page says its state in words: what it does, what it waits for (a start
time, someone's "Next wave"), when the upgrading devices are first asked how far they
are; no finish time while it waits for a person; Roll back and Cancel behind
confirmations with their device counts, apart from the everyday controls."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from firmware.models import RolloutResult
from firmware.rollout import selectors
from jobs.models import ItemState, JobItem, JobState

from .rollouts import library_image, start
from .test_rollout_pages import fleet


@pytest.fixture
def rollout(acme, olga):
    fleet(acme)  # five devices to upgrade (one of another model, one upgraded already)
    return start(acme, olga, library_image(acme), canary=1, wave_size=2)


def page_of(client, rollout) -> str:
    url = reverse("rollout_detail", kwargs={"slug": "acme", "rollout_id": rollout.id})
    return str(client.get(url).content.decode())


def items(rollout):
    return JobItem.objects.filter(job_id=rollout.job_id).order_by("id")


def test_it_says_a_finished_wave_waits_for_next_wave_without_a_finish_time(client_of, olga, rollout):
    assert rollout.waves == [1, 2, 2]
    canary = items(rollout).filter(data__wave=0).get()
    JobItem.objects.filter(id=canary.id).update(state=ItemState.DONE, result=RolloutResult.SUCCEEDED)
    rollout.job.state = JobState.RUNNING
    rollout.job.started_at = timezone.now() - timedelta(minutes=3)
    rollout.job.save()
    state = selectors.rollout_progress(rollout)
    assert state.headline == "Wave 1 done: 4 devices wait for Next wave."
    assert state.waits_for_person and state.eta is None
    text = page_of(client_of(olga), rollout)
    assert "Wave 1 done: 4 devices wait for Next wave." in text
    assert "done around" not in text and "devices per minute" not in text


def test_it_says_when_the_upgrading_devices_are_first_checked(client_of, olga, rollout):
    rollout.job.state = JobState.RUNNING
    rollout.job.save()
    canary = items(rollout).first()
    JobItem.objects.filter(id=canary.id).update(
        state=ItemState.WAITING,
        next_at=timezone.now() + timedelta(seconds=62),
        data={**canary.data, "step": "upgrading", "started": timezone.now().timestamp()},
    )
    state = selectors.rollout_progress(rollout)
    assert state.headline == "Wave 1 of 3: 1 device upgrading."
    assert state.next_check == "First status check in about a minute."
    JobItem.objects.filter(id=canary.id).update(
        next_at=timezone.now() + timedelta(minutes=6),
        data={**canary.data, "step": "upgrading", "started": timezone.now().timestamp(), "checks": 2},
    )
    assert selectors.rollout_progress(rollout).next_check == "Next status check in about 6 minutes."
    assert "Next status check in about 6 minutes." in page_of(client_of(olga), rollout)


def test_it_says_it_waits_for_its_start_time_and_for_resume(client_of, olga, acme):
    fleet(acme)
    later = start(acme, olga, library_image(acme), canary=1, wave_size=2, starts_at=timezone.now() + timedelta(days=1))
    assert selectors.rollout_progress(later).headline == "Waiting for its start time: 5 devices to upgrade."
    later.job.state = JobState.PAUSED
    later.job.save()
    assert "Paused: no device starts until someone presses Resume." in page_of(client_of(olga), later)


def test_it_puts_roll_back_and_cancel_behind_confirmations_with_their_counts(client_of, olga, victor, rollout):
    first, second = items(rollout)[:2]
    JobItem.objects.filter(id__in=[first.id, second.id]).update(state=ItemState.DONE, result=RolloutResult.SUCCEEDED)
    text = page_of(client_of(olga), rollout)
    assert 'id="confirm-roll-back"' in text and "Roll back 2 devices</button>" in text
    assert "Put the previous firmware back on the 2 devices this rollout upgraded?" in text
    assert 'id="confirm-cancel"' in text and "Cancel the rollout? 3 devices not finished will not be upgraded." in text
    # Apart from the everyday controls.
    everyday = text[text.index('class="job-controls"') : text.index('class="danger-controls"')]
    assert "Pause" in everyday and "Roll back" not in everyday and "Cancel" not in everyday
    assert "confirm-cancel" not in page_of(client_of(victor), rollout)  # a viewer has no controls
