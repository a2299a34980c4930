from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from audit import services as audit
from core.http import CHANGE_METHODS
from partners.access import get_access
from partners.models import Role

from ..tasks.sync import sync_partner_task


@login_required
def sync_now(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for a sync of the partner's online list now instead of at the next beat tick."""
    access = get_access(request, slug, Role.OPERATOR, methods=CHANGE_METHODS)
    partner = access.partner
    audit.record(partner, "partner.sync_requested", user=request.user)
    # A request still queued after a few sync intervals is moot: beat has synced since.
    expires = settings.SYNC_INTERVAL_SECONDS * 5
    # A person is waiting: the interactive queue, not behind the background polls.
    transaction.on_commit(
        lambda: sync_partner_task.apply_async(args=(partner.id,), expires=expires, queue=settings.QUEUE_INTERACTIVE)
    )
    messages.success(request, "Sync requested. The device counts update in a few seconds.")
    return redirect("overview", slug=partner.slug)
