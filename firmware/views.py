"""The firmware library: list and upload, an image's page with its edit, push and
delete controls. Operators change, viewers read."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.vary import vary_on_headers

from core.http import CHANGE_METHODS, READ_METHODS, HtmxHttpRequest, redirect_to
from partners.access import Access, get_access, get_object_for
from partners.models import Role

from . import selectors, services
from .forms import ImageForm, UploadForm
from .models import FirmwareImage, PushState
from .tasks import push_image_task
from .uploads import FirmwareUploadHandler


@login_required
def firmware_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug)
    return render(request, "firmware/library.html", _library_context(access, UploadForm()))


def _library_context(access: Access, form: UploadForm) -> dict[str, object]:
    return {"images": selectors.library(access.partner), "form": form, "access": access}


# Django reads the body for the CSRF check before a view runs, with the default
# upload handlers. This view is exempt from that so it can install the hashing,
# streaming handler first; the check then runs in _upload, on the streamed body.
@csrf_exempt
@login_required
@vary_on_headers("HX-Request")
def firmware_upload(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    access = get_access(request, slug, Role.OPERATOR, CHANGE_METHODS)
    handler = FirmwareUploadHandler(
        request,
        field_name="file",
        max_bytes=settings.FIRMWARE_MAX_UPLOAD_BYTES,
        check=partial(services.refusal_for_name, access.partner),
    )
    request.upload_handlers = [handler]
    return _upload(request, access, handler)


@csrf_protect
def _upload(request: HtmxHttpRequest, access: Access, handler: FirmwareUploadHandler) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, refusal=handler.refusal)
    if form.is_valid():
        try:
            image = services.store_upload(access.partner, request.user, form.cleaned_data["file"])
        except services.Refused as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, f"Uploaded {image.file_name}.")
            url = reverse("firmware_detail", kwargs={"slug": access.partner.slug, "image_id": image.id})
            return redirect_to(request, url)
    if request.htmx:
        return render(request, "firmware/library.html#upload_form", {"form": form, "access": access})
    return render(request, "firmware/library.html", _library_context(access, form))


def _image(
    request: HtmxHttpRequest,
    slug: str,
    image_id: int,
    need: Role = Role.VIEWER,
    methods: tuple[str, ...] = READ_METHODS,
) -> tuple[Access, FirmwareImage]:
    queryset = FirmwareImage.objects.select_related("partner", "uploaded_by")
    access, image = get_object_for(request, slug, queryset, need, methods, id=image_id)
    return access, image


def _image_context(access: Access, image: FirmwareImage, **extra: object) -> dict[str, object]:
    return {
        "image": image,
        "access": access,
        "rollouts": list(selectors.unfinished_rollouts(image)[:5]),
        "pushing": image.push_state in (PushState.QUEUED, PushState.PUSHING),
        **extra,
    }


@login_required
@vary_on_headers("HX-Request")
def firmware_detail(request: HtmxHttpRequest, slug: str, image_id: int) -> HttpResponse:
    access, image = _image(request, slug, image_id)
    if request.htmx and request.GET.get("part") == "push":
        return render(request, "firmware/image.html#push", _image_context(access, image))
    form = ImageForm(initial={"version": image.version, "models": ", ".join(image.target_models)})
    return render(request, "firmware/image.html", _image_context(access, image, form=form))


@login_required
@vary_on_headers("HX-Request")
def firmware_edit(request: HtmxHttpRequest, slug: str, image_id: int) -> HttpResponse:
    access, image = _image(request, slug, image_id, Role.OPERATOR, CHANGE_METHODS)
    form = ImageForm(request.POST)
    saved = False
    if form.is_valid():
        saved = services.update_image(
            image, request.user, version=form.cleaned_data["version"], target_models=form.cleaned_data["models"]
        )
    if request.htmx:
        return render(request, "firmware/image.html#details", _image_context(access, image, form=form, saved=saved))
    if form.is_valid():
        messages.success(request, "Saved." if saved else "Nothing changed.")
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label or field}: {' '.join(str(e) for e in errors)}")
    return redirect("firmware_detail", slug=slug, image_id=image.id)


@login_required
def firmware_delete(request: HtmxHttpRequest, slug: str, image_id: int) -> HttpResponse:
    access, image = _image(request, slug, image_id, Role.OPERATOR, CHANGE_METHODS)
    try:
        services.delete_image(image, request.user)
    except services.Refused as exc:
        messages.error(request, exc.message)
        url = reverse("firmware_detail", kwargs={"slug": slug, "image_id": image.id})
    else:
        messages.success(request, f"Deleted {image.file_name} from the library.")
        url = reverse("firmware_list", kwargs={"slug": slug})
    return redirect_to(request, url)


@login_required
@vary_on_headers("HX-Request")
def firmware_push(request: HtmxHttpRequest, slug: str, image_id: int) -> HttpResponse:
    access, image = _image(request, slug, image_id, Role.OPERATOR, CHANGE_METHODS)
    queued = services.request_push(image, request.user)
    if queued:
        transaction.on_commit(partial(push_image_task.delay, image.id, request.user.id))
    image.refresh_from_db()
    if request.htmx:
        return render(request, "firmware/image.html#push", _image_context(access, image))
    if queued:
        messages.success(request, "Push to the Core Server queued.")
    else:
        messages.info(request, f"Not queued: {image.get_push_state_display().lower()}.")
    return redirect("firmware_detail", slug=slug, image_id=image.id)
