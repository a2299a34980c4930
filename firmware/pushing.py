"""Pushing an image to the partner's Core Server (POST /v1.0/firmware/{fileName}).

The stored file is streamed as the raw request body by rop's client (never a form,
never read whole). An image is pushed once per partner: the push is claimed with a
conditional UPDATE, so a button clicked twice, a task delivered twice and a rollout
that needs the image at the same moment push it once. duplicate_firmware means the
Core Server already holds a file of that name: recorded as there, not a failure.

Called by firmware.tasks.push_image_task (the button) and, directly from its own
task, by a rollout that needs its image first; a rollout whose upgrade session
answers file_not_found calls forget_push() and pushes again.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import services as audit
from core.request_budget import BudgetTimeout
from partners.rop_clients import using_client
from rop import RopClient
from rop import errors as rop_errors

from .models import FirmwareImage, PushState

log = logging.getLogger(__name__)

# The push task's hard time limit. A claim older than this belongs to a worker that
# died mid-push (the task is delivered again, acks_late): it may be taken over.
PUSH_TIME_LIMIT_SECONDS = 3600
# Seconds to wait for the Core Server's answer once the last byte is sent (it may
# write a gigabyte to disk first).
ANSWER_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class PushOutcome:
    result: str  # "pushed", "already_there", "busy" (another worker is pushing it), "failed"
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.result in ("pushed", "already_there")


def _describe(exc: Exception) -> str:
    if isinstance(exc, BudgetTimeout):
        return "The partner's request budget is used up right now. Try again shortly."
    if isinstance(exc, rop_errors.AuthFailed):
        return "The Core Server's gateway refused the console's credentials. Check the partner settings."
    if isinstance(exc, rop_errors.RopUnavailable):
        return "The Core Server cannot be reached."
    if isinstance(exc, rop_errors.InvalidParameter):
        return f"The Core Server refused the image: {exc.message or exc.symbol}"
    if isinstance(exc, rop_errors.RopError):
        return f"The Core Server answered an error ({exc.symbol or exc.http_status})."
    return "The stored image could not be read. Upload it again."


def _claim(image_id: int) -> bool:
    """pushing ← anything but "on the server" or a live push."""
    stale = timezone.now() - timedelta(seconds=PUSH_TIME_LIMIT_SECONDS)
    claimable = ~Q(push_state=PushState.PUSHING) | Q(push_started_at__lt=stale) | Q(push_started_at__isnull=True)
    return bool(
        FirmwareImage.objects.filter(claimable, id=image_id, uploaded_to_rop_at__isnull=True).update(
            push_state=PushState.PUSHING, push_started_at=timezone.now(), push_message=""
        )
    )


def push_image(image_id: int, *, client: RopClient | None = None, user_id: int | None = None) -> PushOutcome:
    """Push one image unless it is on the Core Server already or being pushed.
    ``user_id``: who asked (the audit entry's user); None for a rollout."""
    image = FirmwareImage.objects.select_related("partner").filter(id=image_id).first()
    if image is None:
        return PushOutcome("failed", "The image was deleted.")
    if image.uploaded_to_rop_at is not None:
        return PushOutcome("already_there", "The image is on the Core Server.")
    if not _claim(image_id):
        image.refresh_from_db()
        if image.uploaded_to_rop_at is not None:
            return PushOutcome("already_there", "The image is on the Core Server.")
        return PushOutcome("busy", "Another worker is pushing this image.")
    timeout = (settings.ROP_TIMEOUT_SECONDS, max(settings.ROP_TIMEOUT_SECONDS, ANSWER_TIMEOUT_SECONDS))
    try:
        with using_client(image.partner, client) as rop:
            rop.upload_firmware(image.file_name, image.file.path, timeout=timeout)
    except rop_errors.DuplicateFirmware:
        outcome = PushOutcome("already_there", "The Core Server already had a file of this name.")
    except (rop_errors.RopError, BudgetTimeout, OSError, ValueError) as exc:
        # ValueError: the row has no stored file (FieldFile.path); OSError: the file is gone.
        log.warning("firmware push of image %s failed: %r", image.id, exc)
        outcome = PushOutcome("failed", _describe(exc))
    except BaseException:
        # A time limit or a shutdown mid-stream: say so, rather than "pushing" forever.
        _record(image, PushOutcome("failed", "The push was interrupted. Push again."), user_id)
        raise
    else:
        outcome = PushOutcome("pushed", "Pushed to the Core Server.")
    _record(image, outcome, user_id)
    return outcome


@transaction.atomic  # the new state and its audit entry are seen together, never one alone
def _record(image: FirmwareImage, outcome: PushOutcome, user_id: int | None) -> None:
    mine = FirmwareImage.objects.filter(id=image.id, push_state=PushState.PUSHING)
    if outcome.ok:
        mine.update(push_state=PushState.PUSHED, uploaded_to_rop_at=timezone.now(), push_message=outcome.message)
    else:
        mine.update(push_state=PushState.FAILED, push_message=outcome.message[:500])
    audit.record(
        image.partner,
        "firmware.push",
        user=get_user_model().objects.filter(id=user_id).first() if user_id else None,
        params={"image": image.id, "file_name": image.file_name, "outcome": outcome.result},
        result="ok" if outcome.ok else "error",
        message=outcome.message,
    )


def forget_push(image_id: int, reason: str) -> None:
    """The Core Server no longer holds the image (an upgrade session answered
    file_not_found): mark it not pushed, so the next push_image() sends it again."""
    FirmwareImage.objects.filter(id=image_id).exclude(push_state=PushState.PUSHING).update(
        uploaded_to_rop_at=None, push_state=PushState.NOT_PUSHED, push_message=reason[:500]
    )
