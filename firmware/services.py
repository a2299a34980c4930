"""Changes to the firmware library: storing an upload, editing, deleting, asking for
a push. Each writes an audit entry. (Pushing itself is firmware/pushing.py; the
task that runs it, firmware/tasks.py.)"""

from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from audit import services as audit
from partners.models import Partner

from . import selectors
from .models import FirmwareImage, PushState
from .names import check_name, parse_name
from .pushing import PUSH_TIME_LIMIT_SECONDS
from .uploads import HashedUpload


class Refused(Exception):
    """A change the library does not make; the message is for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refusal_for_name(partner: Partner, file_name: str) -> str | None:
    """Why an upload of this name is refused before its bytes arrive, or None."""
    try:
        check_name(file_name)
    except ValidationError as exc:
        return " ".join(exc.messages)
    existing = selectors.same_name(partner, file_name)
    if existing is not None:
        return (
            f"An image named “{file_name}” is already in the library (uploaded {existing.created_at:%Y-%m-%d})."
            " The Core Server keeps one file per name: rename the new one, or delete the old one first."
        )
    return None


def store_upload(partner: Partner, user: Any, upload: HashedUpload) -> FirmwareImage:
    """Add a streamed upload to the library: moved (not copied) into storage, with the
    sha256 and size counted while it arrived, version and models from its name."""
    file_name = upload.name or ""
    problem = refusal_for_name(partner, file_name)
    if problem is not None:
        raise Refused(problem)
    if not upload.size:
        raise Refused("The file is empty.")
    twin = selectors.same_content(partner, upload.sha256)
    if twin is not None:
        raise Refused(f"This image is already in the library as “{twin.file_name}” (the same sha256).")
    parsed = parse_name(file_name, selectors.known_models(partner))
    image = FirmwareImage(
        partner=partner,
        file_name=file_name,
        size=upload.size,
        sha256=upload.sha256,
        version=parsed.version,
        target_models=parsed.models,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    image.file.save(file_name, upload, save=False)
    try:
        with transaction.atomic():
            image.save()
            audit.record(
                partner,
                "firmware.upload",
                user=user,
                params={
                    "image": image.id,
                    "file_name": image.file_name,
                    "size": image.size,
                    "sha256": image.sha256,
                    "version": image.version,
                    "models": image.target_models,
                },
            )
    except IntegrityError:
        # Another upload of the same name or bytes finished first.
        image.file.delete(save=False)
        twin = selectors.same_content(partner, upload.sha256) or selectors.same_name(partner, image.file_name)
        raise Refused(
            f"This image is already in the library as “{twin.file_name}”." if twin else "Upload it again."
        ) from None
    return image


def update_image(image: FirmwareImage, user: Any, *, version: str, target_models: list[str]) -> bool:
    """Correct the version and compatible models. True when something changed."""
    changed: dict[str, object] = {}
    if version != image.version:
        changed["version"] = {"from": image.version, "to": version}
    if target_models != image.target_models:
        changed["models"] = {"from": image.target_models, "to": target_models}
    if not changed:
        return False
    image.version, image.target_models = version, target_models
    with transaction.atomic():
        image.save(update_fields=["version", "target_models"])
        params = {"image": image.id, "file_name": image.file_name, **changed}
        audit.record(image.partner, "firmware.edit", user=user, params=params)
    return True


def delete_image(image: FirmwareImage, user: Any) -> None:
    """Remove an image from the library (not from the Core Server: ROP has no call
    for that). Refused while a rollout that has not finished uses it."""
    with transaction.atomic():
        # Locked, so that a rollout created meanwhile (it locks the image too) waits.
        locked = FirmwareImage.objects.select_for_update().filter(id=image.id).first()
        if locked is None:
            return
        users = list(selectors.unfinished_rollouts(locked).values_list("name", flat=True)[:3])
        if users:
            raise Refused(
                f"“{locked.file_name}” is used by a rollout that has not finished ({', '.join(users)}):"
                " finish or cancel it first."
            )
        name = locked.file.name
        try:
            locked.delete()
        except ProtectedError:
            # Rollout.image is PROTECT: finished rollouts keep their image for history.
            raise Refused(f"“{locked.file_name}” is kept: finished rollouts refer to it in their history.") from None
        audit.record(
            image.partner,
            "firmware.delete",
            user=user,
            params={"image": image.id, "file_name": locked.file_name, "sha256": locked.sha256},
        )
        if name:
            transaction.on_commit(partial(locked.file.storage.delete, name))


def request_push(image: FirmwareImage, user: Any) -> bool:
    """Claim a push to the Core Server (the caller enqueues the task once this commits).
    False when the image is there already, or a push is queued or running (a stale
    claim of a dead worker may be claimed again)."""
    stale = timezone.now() - timedelta(seconds=PUSH_TIME_LIMIT_SECONDS)
    idle = Q(push_state__in=[PushState.NOT_PUSHED, PushState.FAILED]) | Q(
        push_state=PushState.PUSHING, push_started_at__lt=stale
    )
    with transaction.atomic():
        claimed = FirmwareImage.objects.filter(idle, id=image.id, uploaded_to_rop_at__isnull=True).update(
            push_state=PushState.QUEUED, push_message=""
        )
        if not claimed:
            return False
        audit.record(
            image.partner, "firmware.push_queued", user=user, params={"image": image.id, "file_name": image.file_name}
        )
    return True
