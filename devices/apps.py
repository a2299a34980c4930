from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "Devices and health"

    def ready(self) -> None:
        # partners sits below devices and cannot call it: it announces the change.
        from partners.signals import poll_intervals_changed

        from .receivers import reschedule_polls

        poll_intervals_changed.connect(reschedule_polls, dispatch_uid="devices.reschedule_polls")
        # Bulk actions are the job engine's "bulk" kind.
        from jobs.registry import register

        from .bulk import BulkHandler

        register(BulkHandler())
