"""Onboarding a new camera: create its initialization session on the Core Server
and show the values a LAN setup tool hands to the camera. The code is a credential
(it fetches the device's private key) and lives 1 minute: shown once, never
stored, audited or cached."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from core.http import FORM_METHODS, HtmxHttpRequest
from partners.access import get_access
from partners.models import Role
from rop import InitializationSession

from .. import actions
from ..connection import rop_client
from ..device_forms import OnboardForm
from .device_scope import no_store

# The spec's default validity of the code; a Core Server may be configured otherwise.
CODE_VALIDITY_SECONDS = 60


def setup_json(uid: str, session: InitializationSession) -> str:
    """The body of POST /rop/setup on the camera (facts: ROP configuration via LAN)."""
    return json.dumps(
        {
            "uid": uid,
            "host": session.host,
            "getCAPort": session.get_ca_port,
            "getCertPort": session.get_cert_port,
            "registerPort": session.register_port,
            "code": session.code,
            "caHash": session.ca_hash,
            "time": session.time,
        },
        indent=2,
    )


@login_required
@vary_on_headers("HX-Request")
def device_onboard(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug, Role.OPERATOR, methods=FORM_METHODS)
    form = OnboardForm(request.POST or None)
    outcome = session = None
    if request.method == "POST" and form.is_valid():
        uid = form.cleaned_data["uid"]
        with rop_client(access.partner, interactive=True) as client:
            outcome = actions.create_initialization_session(access.partner, request.user, uid, client=client)
        session = outcome.value if outcome.ok else None
    context = {
        "form": form,
        "outcome": outcome,
        "session": session,
        "validity": CODE_VALIDITY_SECONDS,
        "setup_json": setup_json(form.cleaned_data["uid"], session) if session else "",
    }
    template = "devices/onboard.html#result" if request.htmx else "devices/onboard.html"
    return no_store(render(request, template, context))
