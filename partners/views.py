from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from devices.polling import reschedule_after_interval_change

from . import audit
from .access import get_access, get_object_for, partners_for
from .forms import AddMemberForm, AuditFilterForm, PartnerSettingsForm, RoleForm
from .models import Membership, Role, new_webhook_secret
from .selectors import audit_actions, audit_page
from .webhooks import webhook_url


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    """Open the partner chosen last, else the first one the user belongs to."""
    partners = partners_for(request.user)
    slug = request.session.get("partner_slug")
    if not (slug and partners.filter(slug=slug).exists()):
        slug = partners.order_by("name").values_list("slug", flat=True).first()
    if slug:
        return redirect("overview", slug=slug)
    return render(request, "partners/no_partner.html")


@login_required
def switch_partner(request):
    partners = partners_for(request.user).order_by("name")
    if request.method == "POST":
        slug = request.POST.get("slug", "")
        if not partners.filter(slug=slug).exists():
            messages.error(request, "You are not a member of that partner.")
            return redirect("switch_partner")
        request.session["partner_slug"] = slug
        return redirect("overview", slug=slug)
    return render(request, "partners/switch.html", {"partners": partners})


@login_required
@vary_on_headers("HX-Request")
def audit_log(request, slug):
    access = get_access(request, slug)
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    rows, next_before = audit_page(access.partner, filters)
    context = {
        "form": form,
        "rows": rows,
        "next_before": next_before,
        "actions": audit_actions(access.partner),
        "next_query": _with_param(request.GET, "before", next_before),
    }
    template = "partners/audit.html#rows" if request.htmx and filters.get("before") else "partners/audit.html"
    return render(request, template, context)


@login_required
def partner_settings(request, slug):
    # Admins only, reading too: the page shows the webhook secret.
    access = get_access(request, slug, Role.ADMIN, methods=["GET", "HEAD", "POST"])
    partner = access.partner
    form = PartnerSettingsForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        form.save()
        if {"powered_poll_seconds", "battery_poll_seconds"} & set(form.changed_data):
            reschedule_after_interval_change(partner)
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name != "new_gateway_token"}
        if form.cleaned_data.get("new_gateway_token"):
            changed["gateway_token_replaced"] = True
        audit.record(partner, "partner.settings", user=request.user, params=changed)
        messages.success(request, "Settings saved.")
        return redirect("partner_settings", slug=partner.slug)
    context = {
        "form": form,
        "has_token": bool(partner.gateway_token),
        "webhook_url": webhook_url(request, partner),
    }
    return render(request, "partners/settings.html", context)


@login_required
def rotate_webhook_secret(request, slug):
    access = get_access(request, slug, Role.ADMIN, methods=["POST"])
    access.partner.webhook_secret = new_webhook_secret()
    access.partner.save(update_fields=["webhook_secret"])
    audit.record(access.partner, "partner.webhook_secret_rotated", user=request.user)
    messages.success(request, "New webhook secret generated. Update ROP_ALARM_WEBHOOK on the Core Server.")
    return redirect("partner_settings", slug=slug)


@login_required
def members(request, slug):
    access = get_access(request, slug, Role.ADMIN, methods=["GET", "HEAD", "POST"])
    form = AddMemberForm(request.POST or None, partner=access.partner)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        Membership.objects.create(user=form.user, partner=access.partner, role=role)
        audit.record(
            access.partner, "member.added", user=request.user, params={"username": form.user.username, "role": role}
        )
        messages.success(request, f"{form.user.username} added as {role}.")
        return redirect("members", slug=slug)
    memberships = access.partner.memberships.select_related("user").order_by("user__username")
    return render(request, "partners/members.html", {"form": form, "memberships": memberships, "roles": Role})


@login_required
def member_update(request, slug, membership_id):
    access, membership = get_object_for(
        request, slug, Membership.objects.select_related("user"), Role.ADMIN, ["POST"], id=membership_id
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose viewer, operator or admin.")
    elif membership.user_id == request.user.id:
        messages.error(request, "You cannot change your own role.")
    else:
        membership.role = form.cleaned_data["role"]
        membership.save(update_fields=["role"])
        audit.record(
            access.partner,
            "member.role_changed",
            user=request.user,
            params={"username": membership.user.username, "role": membership.role},
        )
        messages.success(request, f"{membership.user.username} is now {membership.role}.")
    return redirect("members", slug=slug)


@login_required
def member_remove(request, slug, membership_id):
    access, membership = get_object_for(
        request, slug, Membership.objects.select_related("user"), Role.ADMIN, ["POST"], id=membership_id
    )
    if membership.user_id == request.user.id:
        messages.error(request, "You cannot remove yourself.")
    else:
        membership.delete()
        audit.record(access.partner, "member.removed", user=request.user, params={"username": membership.user.username})
        messages.success(request, f"{membership.user.username} removed.")
    return redirect("members", slug=slug)


def _with_param(query, name, value) -> str:
    if value is None:
        return ""
    q = query.copy()
    q[name] = value
    return q.urlencode()
