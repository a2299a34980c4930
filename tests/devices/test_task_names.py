"""Task names are what beat and queued messages address: moving a task between
modules must not change them."""

from devices.tasks.sync import sync_all_partners, sync_partner_task
from rop_fleet.celery import app


def test_it_keeps_the_sync_tasks_names_from_before_they_moved():
    assert sync_all_partners.name == "devices.tasks.polling.sync_all_partners"
    assert sync_partner_task.name == "devices.tasks.polling.sync_partner_task"


def test_it_names_a_registered_task_in_every_beat_entry():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
