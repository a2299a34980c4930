from django.apps import AppConfig


class FirmwareConfig(AppConfig):
    name = "firmware"
    verbose_name = "Firmware and rollouts"

    def ready(self) -> None:
        # Rollouts are the job engine's "rollout" kind.
        from jobs.registry import register

        from .rollout.handler import RolloutHandler

        register(RolloutHandler())
