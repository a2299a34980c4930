"""Receiving a firmware image from the browser: an upload handler that writes each
chunk to a file in the media storage's own directory while it hashes and counts,
so an image of a gigabyte never sits in memory and, once accepted, is moved into
place by a rename instead of a second copy.

The view installs it before anything reads the request body (CSRF included, see
firmware/views.py). A name the Core Server would refuse, or an image too large, is
refused as soon as the part's headers arrive: the rest of it is read off the socket
but never written.
"""

import contextlib
import hashlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

# Bigger than Django's 64 KiB default: fewer Python round trips on a 1 GB body, and
# still a bounded, small amount of memory.
CHUNK_SIZE = 1024 * 1024


def incoming_dir() -> Path:
    """Where uploads are written while they arrive: inside MEDIA_ROOT, so that
    storing an accepted image is a rename on the same file system."""
    path = Path(settings.MEDIA_ROOT) / "firmware" / "incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path


# An upload's temporary file is written to as its bytes arrive: one untouched this long
# belongs to a server that died mid-upload (Django deletes the others when a request ends).
ABANDONED_AFTER_SECONDS = 24 * 3600


def sweep_incoming(now: float | None = None) -> int:
    """Delete the temporary files abandoned in incoming_dir() by a server that died
    while receiving an upload; returns how many. Run periodically (firmware.tasks)."""
    cutoff = (time.time() if now is None else now) - ABANDONED_AFTER_SECONDS
    removed = 0
    for path in incoming_dir().glob("*.upload"):
        with contextlib.suppress(FileNotFoundError):  # finished or swept meanwhile
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


class HashedUpload(UploadedFile[bytes]):
    """A file streamed to a temporary file, with its sha256 and size counted on the way."""

    def __init__(self, name: str, content_type: str, charset: str | None, content_type_extra: Any) -> None:
        # Closed (and so deleted) by close(), which Django calls when the request ends.
        self.handle = tempfile.NamedTemporaryFile(suffix=".upload", dir=incoming_dir())  # noqa: SIM115
        super().__init__(self.handle, name, content_type, 0, charset, content_type_extra)
        self.sha256 = ""

    def temporary_file_path(self) -> str:
        """Django's storage moves a file with this method instead of copying it."""
        return self.handle.name

    def close(self) -> None:
        # Moved into storage: nothing is left to delete.
        with contextlib.suppress(FileNotFoundError):
            self.handle.close()


class FirmwareUploadHandler(FileUploadHandler):
    """Streams the form's ``file`` part to a HashedUpload. ``check`` is called with
    the file name before any byte is written and answers why the upload is refused,
    or None; ``refusal`` then holds that reason for the form."""

    chunk_size = CHUNK_SIZE

    def __init__(
        self,
        request: HttpRequest,
        *,
        field_name: str,
        max_bytes: int,
        check: Callable[[str], str | None],
    ) -> None:
        super().__init__(request)
        self.field_name = field_name
        self.max_bytes = max_bytes
        self.check = check
        self.refusal: str | None = None
        # Not named "file": Django's parser closes handler.file on its own, and an
        # upload refused half way must be closed (deleted) by us exactly once.
        self.upload: HashedUpload | None = None
        self.digest = hashlib.sha256()

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: Any = None,
    ) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self._discard()
        if field_name != self.field_name:
            raise SkipFile  # no other file part is ever stored
        # Django has already reduced the name to its last path component.
        self.refusal = self.check(file_name)
        if self.refusal is not None:
            raise SkipFile
        self.digest = hashlib.sha256()
        self.upload = HashedUpload(file_name, content_type, charset, content_type_extra)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.upload is None:
            raise SkipFile
        if start + len(raw_data) > self.max_bytes:
            self.refusal = f"The image is larger than the console accepts ({self.max_bytes / 2**20:,.0f} MiB)."
            self._discard()
            raise SkipFile
        self.digest.update(raw_data)
        self.upload.write(raw_data)
        return None  # consumed: no later handler sees the bytes

    def file_complete(self, file_size: int) -> HashedUpload | None:
        upload, self.upload = self.upload, None
        if upload is None:
            return None
        upload.handle.flush()
        upload.seek(0)
        upload.size = file_size
        upload.sha256 = self.digest.hexdigest()
        return upload

    def upload_interrupted(self) -> None:
        self._discard()

    def _discard(self) -> None:
        if self.upload is not None:
            self.upload.close()
            self.upload = None
