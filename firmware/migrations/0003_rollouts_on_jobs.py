"""Rollouts run on the job engine: a Rollout is the settings of one jobs.Job of kind
"rollout", and the job's items are its targets (RolloutTarget goes). No rollout
could run before this (there was no engine for them), so old rows are dropped."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("firmware", "0002_library_push_state"),
        ("jobs", "0001_initial"),
        ("partners", "0002_partner_last_synced_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.DeleteModel(name="RolloutTarget"),
        migrations.DeleteModel(name="Rollout"),
        migrations.CreateModel(
            name="Rollout",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                ("factory_reset", models.BooleanField(default=False)),
                ("waves", models.JSONField(blank=True, default=list)),
                ("current_wave", models.PositiveIntegerField(default=0)),
                (
                    "auto_advance_percent",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "min_battery_percent",
                    models.PositiveSmallIntegerField(
                        default=20, validators=[django.core.validators.MaxValueValidator(100)]
                    ),
                ),
                (
                    "min_finished",
                    models.PositiveIntegerField(default=10, validators=[django.core.validators.MinValueValidator(1)]),
                ),
                (
                    "max_failure_percent",
                    models.PositiveSmallIntegerField(
                        default=20, validators=[django.core.validators.MaxValueValidator(100)]
                    ),
                ),
                (
                    "file_check_limit",
                    models.PositiveSmallIntegerField(
                        default=3, validators=[django.core.validators.MinValueValidator(1)]
                    ),
                ),
                ("deadline", models.DateTimeField(blank=True, null=True)),
                ("pause_reason", models.CharField(blank=True, default="", max_length=255)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "image",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="rollouts", to="firmware.firmwareimage"
                    ),
                ),
                (
                    "job",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="rollout", to="jobs.job"
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="rollouts", to="partners.partner"
                    ),
                ),
                (
                    "rolled_back_from",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="roll_backs",
                        to="firmware.rollout",
                    ),
                ),
            ],
            options={
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["partner", "-id"], name="rollout_partner_newest")],
            },
        ),
    ]
