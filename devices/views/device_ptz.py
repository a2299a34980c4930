"""The PTZ pad: one zoom/focus step per press, or start/stop a rotation."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.vary import vary_on_headers

from core.http import CHANGE_METHODS, HtmxHttpRequest
from partners.models import Role

from .. import actions
from ..device_forms import PtzForm
from ..device_reads import interactive_driver
from .device_scope import device_context, get_device, respond


@login_required
@vary_on_headers("HX-Request")
def device_ptz(request: HtmxHttpRequest, slug: str, uid: str) -> HttpResponse:
    access, device = get_device(request, slug, uid, Role.OPERATOR, CHANGE_METHODS)
    form = PtzForm(request.POST, device=device)
    outcome = None
    if form.is_valid():
        data = form.cleaned_data
        with interactive_driver(device) as driver:
            if form.direction is not None:
                outcome = actions.ptz_rotate(
                    device, request.user, form.direction, data["speed"], data["channel"], driver=driver
                )
            else:
                outcome = actions.ptz_step(device, request.user, data["move"], data["channel"], driver=driver)
    return respond(
        request, device, "devices/device/page.html#ptz_result", device_context(access, device), outcome, form
    )
