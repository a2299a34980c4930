"""Bulk jobs move to the job engine (jobs.Job / jobs.JobItem): rows are copied with their
ids (so /p/<slug>/jobs/<id>/ links keep working), then the old tables are dropped.

An item the old engine left pending or running is copied pending with no dispatch
deadline: its old task (devices.tasks.bulk.run_bulk_job_chunk) no longer exists, and
the engine's sweeper sends it again within seconds. A running one had a worker that is
gone by now; it is copied running without a lease, so the sweeper reports it as
interrupted (never redone), as the old engine did."""

from django.db import migrations

TERMINAL = {"ok", "offline", "not_supported", "error"}


def copy_to_engine(apps, schema_editor):
    BulkJob = apps.get_model("devices", "BulkJob")
    BulkJobItem = apps.get_model("devices", "BulkJobItem")
    Job = apps.get_model("jobs", "Job")
    JobItem = apps.get_model("jobs", "JobItem")
    for old in BulkJob.objects.order_by("id").iterator():
        Job.objects.create(
            id=old.id,
            partner_id=old.partner_id,
            kind="bulk",
            action=old.action,
            user_id=old.user_id,
            state=old.state,  # queued / running / done: the same words
            params=old.params,
            total=old.total,
            finished_at=old.finished_at,
        )
        # auto_now_add set it to now on create.
        Job.objects.filter(id=old.id).update(created_at=old.created_at)
        JobItem.objects.bulk_create(
            [
                JobItem(
                    job_id=old.id,
                    target_id=item.device_id,
                    state="done" if item.result in TERMINAL else ("running" if item.result == "running" else "pending"),
                    result=item.result if item.result in TERMINAL else "",
                    message=item.message,
                )
                for item in BulkJobItem.objects.filter(job_id=old.id).order_by("id").iterator()
            ],
            batch_size=2000,
        )
    if schema_editor.connection.vendor == "postgresql":
        # Ids were given explicitly: move the sequence past them.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('jobs_job', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                "FROM jobs_job"
            )


class Migration(migrations.Migration):

    dependencies = [
        ('devices', '0003_fleet_list_and_bulk'),
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(copy_to_engine, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='bulkjob',
            name='partner',
        ),
        migrations.RemoveField(
            model_name='bulkjob',
            name='user',
        ),
        migrations.RemoveIndex(
            model_name='bulkjobitem',
            name='bulkitem_job_result',
        ),
        migrations.RemoveConstraint(
            model_name='bulkjobitem',
            name='one_item_per_device',
        ),
        migrations.RemoveField(
            model_name='bulkjobitem',
            name='device',
        ),
        migrations.RemoveField(
            model_name='bulkjobitem',
            name='job',
        ),
        migrations.DeleteModel(
            name='BulkJob',
        ),
        migrations.DeleteModel(
            name='BulkJobItem',
        ),
    ]
