"""The demo's broker: kombu's filesystem transport, made safe for a reader that is faster
than a writer.

kombu's writer creates a message file, then locks and writes it; its reader lists the
folder, moves each file away and reads it without waiting for the lock. A reader that
comes between the two reads an empty or partial message, fails to decode it and the
worker dies (seen on `make run`, more often the more often the folder is read). The
writer keeps writing through its open file after the move, so here the reader takes the
file's lock before reading it (the writer holds it until its write is done) and reads
again, briefly, a message that still does not decode. Production uses Redis
(CELERY_BROKER_URL); this serves `make run` alone (settings.CELERY_BROKER_TRANSPORT)."""

import fcntl
import json
import os
import shutil
import tempfile
import time
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.transport.virtual import Empty
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads

# A message that does not decode is read again after this long, this many times.
RETRY_SECONDS = 0.01
RETRIES = 100


def _read_whole(path: str) -> Any:
    for _ in range(RETRIES):
        with open(path, "rb") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH)  # waits for the writer's exclusive lock
            try:
                payload = f.read()
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        try:
            return loads(bytes_to_str(payload))
        except json.JSONDecodeError:
            time.sleep(RETRY_SECONDS)  # created, not written yet: the writer is about to
    raise ChannelError(f"Cannot decode the message in {path!r}.")


class Channel(filesystem.Channel):
    def _get(self, queue: str, timeout: float | None = None) -> Any:
        """kombu's _get, reading each message whole (see the module's docstring)."""
        wanted = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != wanted:
                continue
            moved_to = self.processed_folder if self.store_processed else tempfile.gettempdir()
            try:
                shutil.move(os.path.join(self.data_folder_in, filename), moved_to)
            except OSError:
                continue  # another consumer took it
            path = os.path.join(moved_to, filename)
            message = _read_whole(path)
            if not self.store_processed:
                os.remove(path)
            return message
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
