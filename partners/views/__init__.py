import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.http import CHANGE_METHODS, FORM_METHODS

from .. import invitations, services
from ..access import get_access, get_object_for, partners_for
from ..forms import InviteForm, PartnerSettingsForm, RoleForm
from ..models import Invitation, Membership, Role
from ..session import remember_partner, remembered_partner
from ..webhooks import webhook_url

# What Django's slug URL converter accepts: the only shape a partner's slug can have.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Open the partner chosen last, else the first one the user belongs to."""
    partners = partners_for(request.user)
    slug = remembered_partner(request)
    if not (slug and partners.filter(slug=slug).exists()):
        slug = partners.order_by("name").values_list("slug", flat=True).first()
    if slug:
        return redirect("overview", slug=slug)
    return render(request, "partners/no_partner.html")


@login_required
def switch_partner(request: HttpRequest) -> HttpResponse:
    partners = partners_for(request.user).order_by("name")
    if request.method == "POST":
        slug = request.POST.get("slug", "")
        # Checked for shape first: a NUL byte or any other odd value is simply not a partner.
        if not SLUG.fullmatch(slug) or not partners.filter(slug=slug).exists():
            messages.error(request, "You are not a member of that partner.")
            return redirect("switch_partner")
        remember_partner(request, slug)
        return redirect("overview", slug=slug)
    return render(request, "partners/switch.html", {"partners": partners})


@login_required
def partner_settings(request: HttpRequest, slug: str) -> HttpResponse:
    # Admins only, reading too: the page shows the webhook secret.
    access = get_access(request, slug, Role.ADMIN, methods=FORM_METHODS)
    partner = access.partner
    form = PartnerSettingsForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        services.save_settings(form, request.user)
        messages.success(request, "Settings saved.")
        return redirect("partner_settings", slug=partner.slug)
    context = {
        "form": form,
        "has_token": bool(partner.gateway_token),
        "webhook_url": webhook_url(request, partner),
    }
    return render(request, "partners/settings.html", context)


@login_required
def rotate_webhook_secret(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug, Role.ADMIN, methods=CHANGE_METHODS)
    services.rotate_webhook_secret(access.partner, request.user)
    messages.success(request, "New webhook secret generated. Update ROP_ALARM_WEBHOOK on the Core Server.")
    return redirect("partner_settings", slug=slug)


@never_cache  # an answer may show an accept link
@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """Members, pending invitations, and the invitation form. An invitation's answer is the
    same whatever the address (partners/invitations.py): nothing tells whether an account
    with it exists in the installation."""
    access = get_access(request, slug, Role.ADMIN, methods=FORM_METHODS)
    form = InviteForm(request.POST or None)
    invited = None
    if request.method == "POST" and form.is_valid():
        invitation, token = invitations.invite(
            access.partner, request.user, form.cleaned_data["email"], form.cleaned_data["role"]
        )
        link = request.build_absolute_uri(reverse("invitation", kwargs={"token": token}))
        # Shown on this answer only (never in a redirect's message or a log line): the admin
        # can pass it on if the mail does not arrive.
        invited = {"invitation": invitation, "link": link, "sent": invitations.send_invitation(invitation, link)}
        form = InviteForm()
    context = {
        "form": form,
        "invited": invited,
        "memberships": access.partner.memberships.select_related("user").order_by("user__username"),
        "invitations": invitations.pending_for(access.partner),
        "roles": Role,
    }
    return render(request, "partners/members.html", context)


@login_required
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    _access, invitation = get_object_for(
        request, slug, Invitation.objects.select_related("partner"), Role.ADMIN, CHANGE_METHODS, id=invitation_id
    )
    invitations.revoke(invitation, request.user)
    messages.success(request, f"Invitation to {invitation.email} revoked.")
    return redirect("members", slug=slug)


@login_required
def member_update(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    _access, membership = get_object_for(request, slug, _memberships(), Role.ADMIN, CHANGE_METHODS, id=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose viewer, operator or admin.")
        return redirect("members", slug=slug)
    try:
        services.change_role(membership, request.user, form.cleaned_data["role"])
    except services.MembershipRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user.username} is now {membership.role}.")
    return redirect("members", slug=slug)


@login_required
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    _access, membership = get_object_for(request, slug, _memberships(), Role.ADMIN, CHANGE_METHODS, id=membership_id)
    try:
        services.remove_member(membership, request.user)
    except services.MembershipRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user.username} removed.")
    return redirect("members", slug=slug)


def _memberships() -> QuerySet[Membership]:
    return Membership.objects.select_related("user", "partner")
