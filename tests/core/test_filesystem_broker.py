"""make run's broker (rop_fleet/filesystem_broker.py): a message is read whole even when
the reader comes between the writer creating its file and writing it."""

import fcntl
import json
import os
import threading
import time

from kombu import Connection

import rop_fleet.celery  # noqa: F401  (registers the transport for filesystem://)
from rop_fleet.filesystem_broker import Channel


def _connection(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(tmp_path / "c")}
    return Connection("filesystem://", transport_options=options), folder


def test_it_uses_the_safe_channel_for_filesystem_urls(tmp_path):
    connection, _ = _connection(tmp_path)
    with connection:
        assert isinstance(connection.default_channel, Channel)


def test_it_reads_a_message_whose_writer_has_not_written_it_yet(tmp_path):
    connection, folder = _connection(tmp_path)
    path = folder / f"{int(time.monotonic() * 1000)}_slow.work.msg"
    created = threading.Event()

    def slow_writer():
        # As kombu's _put: create, lock, write; here with a pause between create and write.
        with open(path, "wb", buffering=0) as f:
            created.set()
            time.sleep(0.05)
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            f.write(json.dumps({"body": "hello"}).encode())
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    writer = threading.Thread(target=slow_writer)
    writer.start()
    created.wait(2)
    with connection:
        message = connection.default_channel._get("work")
    writer.join()
    assert message == {"body": "hello"}
    assert not os.listdir(folder)  # taken from the queue once
