"""What partners announces to the apps above it, which it must not import.

partner_changed(partner, user, action, params): a partner's settings, webhook secret or
    members changed; the audit log records it (audit/receivers.py).
poll_intervals_changed(partner): the partner's poll intervals changed; devices
    reschedules the polls already planned (devices/receivers.py).
Both are sent inside the transaction of the change, so a failing receiver undoes it.
"""

from django.dispatch import Signal

partner_changed = Signal()
poll_intervals_changed = Signal()
