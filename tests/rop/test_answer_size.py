"""Answers are read with a bound: a broken or hostile server cannot make a worker hold
an endless body, whether it declares its length, streams it chunked, or compresses it."""

from __future__ import annotations

import gzip
import socket
import threading

import pytest

from rop import RetryPolicy, RopClient, errors

NO_RETRY = RetryPolicy(max_retries=0)
LIMIT = 64 * 1024


def _serve(head: bytes, body_blocks) -> tuple[str, threading.Event, socket.socket]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(head)
                    for block in body_blocks():
                        conn.sendall(block)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{server.getsockname()[1]}", stop, server


@pytest.fixture
def answering():
    started = []

    def start(head: bytes, body_blocks) -> str:
        url, stop, server = _serve(head, body_blocks)
        started.append((stop, server))
        return url

    yield start
    for stop, server in started:
        stop.set()
        server.close()


def _chunked(total: int):
    def blocks():
        block = b"x" * 16384
        for _ in range(total // len(block)):
            yield f"{len(block):x}\r\n".encode() + block + b"\r\n"
        yield b"0\r\n\r\n"

    return blocks


def test_it_refuses_an_answer_declared_larger_than_the_limit(answering):
    url = answering(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n",
        lambda: [b'{"name": "'],
    )
    with (
        RopClient(url, retry=NO_RETRY, max_answer_bytes=LIMIT) as client,
        pytest.raises(errors.ResponseTooLarge, match="larger than 65,536 bytes"),
    ):
        client.get_device_name("95270000ACME0001")


def test_it_stops_reading_a_chunked_answer_past_the_limit(answering):
    url = answering(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        _chunked(4 * 1024 * 1024),
    )
    with RopClient(url, retry=NO_RETRY, max_answer_bytes=LIMIT) as client, pytest.raises(errors.ResponseTooLarge):
        client.get_device_name("95270000ACME0001")


def test_it_counts_a_compressed_answer_after_decompressing_it(answering):
    bomb = gzip.compress(b" " * (8 * 1024 * 1024))  # about 8 KiB on the wire
    url = answering(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        + f"Content-Length: {len(bomb)}\r\n\r\n".encode(),
        lambda: [bomb],
    )
    with RopClient(url, retry=NO_RETRY, max_answer_bytes=LIMIT) as client, pytest.raises(errors.ResponseTooLarge):
        client.get_device_name("95270000ACME0001")


def test_it_still_reads_an_answer_under_the_limit(answering):
    body = b'{"deviceName": "Front door"}'
    url = answering(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + f"Content-Length: {len(body)}\r\n\r\n".encode(),
        lambda: [body],
    )
    with RopClient(url, retry=NO_RETRY, max_answer_bytes=LIMIT) as client:
        assert client.get_device_name("95270000ACME0001") == "Front door"


def test_it_reads_an_oversized_error_body_as_no_body(answering):
    url = answering(
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        _chunked(1024 * 1024),
    )
    with RopClient(url, retry=NO_RETRY, max_answer_bytes=LIMIT) as client, pytest.raises(errors.ResponseTooLarge):
        client.get_device_name("95270000ACME0001")
