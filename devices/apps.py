from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "Devices and health"

    def ready(self) -> None:
        # Bulk actions are the job engine's "bulk" kind.
        from jobs.registry import register

        from .bulk import BulkHandler

        register(BulkHandler())
