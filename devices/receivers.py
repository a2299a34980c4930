"""Receivers of the signals of apps below devices, connected in DevicesConfig.ready."""

from partners.models import Partner

from .polling import reschedule_after_interval_change


def reschedule_polls(sender: object, *, partner: Partner, **kwargs: object) -> None:
    """partners.signals.poll_intervals_changed: polls planned on the old interval move."""
    reschedule_after_interval_change(partner)
