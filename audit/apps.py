from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        # partners sits below the audit log and cannot import it: its services announce
        # their changes with a signal, recorded here.
        from partners.signals import partner_changed

        from .receivers import record_partner_change

        partner_changed.connect(record_partner_change, dispatch_uid="audit.record_partner_change")
