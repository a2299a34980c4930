"""Answers are read with a bound: a broken or hostile server cannot make a worker hold
an endless body, whether it declares its length, streams it chunked, or compresses it."""

from __future__ import annotations

import gzip

import pytest

from rop import RetryPolicy, RopClient, errors

NO_RETRY = RetryPolicy(max_retries=0)
LIMIT = 64 * 1024


OK_JSON = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


def _chunked(head: bytes, total: int):
    def answer():
        yield head + b"Transfer-Encoding: chunked\r\n\r\n"
        block = b"x" * 16384
        for _ in range(total // len(block)):
            yield f"{len(block):x}\r\n".encode() + block + b"\r\n"
        yield b"0\r\n\r\n"

    return answer


def _sized(head: bytes, body: bytes, declared: int | None = None):
    length = len(body) if declared is None else declared
    return lambda: [head + f"Content-Length: {length}\r\n\r\n".encode(), body]


def _name_of_device_at(url: str) -> str:
    with RopClient(url, retry=NO_RETRY, max_answer_bytes=LIMIT) as client:
        return client.get_device_name("95270000ACME0001")


def test_it_refuses_an_answer_declared_larger_than_the_limit(raw_server):
    url = raw_server(_sized(OK_JSON, b'{"deviceName": "', declared=999_999_999))
    with pytest.raises(errors.ResponseTooLarge, match="larger than 65,536 bytes"):
        _name_of_device_at(url)


def test_it_stops_reading_a_chunked_answer_past_the_limit(raw_server):
    with pytest.raises(errors.ResponseTooLarge):
        _name_of_device_at(raw_server(_chunked(OK_JSON, 4 * 1024 * 1024)))


def test_it_counts_a_compressed_answer_after_decompressing_it(raw_server):
    bomb = gzip.compress(b" " * (8 * 1024 * 1024))  # about 8 KiB on the wire
    url = raw_server(_sized(OK_JSON + b"Content-Encoding: gzip\r\n", bomb))
    with pytest.raises(errors.ResponseTooLarge):
        _name_of_device_at(url)


def test_it_still_reads_an_answer_under_the_limit(raw_server):
    url = raw_server(_sized(OK_JSON, b'{"deviceName": "Front door"}'))
    assert _name_of_device_at(url) == "Front door"


def test_it_refuses_an_oversized_error_body_too(raw_server):
    head = b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
    with pytest.raises(errors.ResponseTooLarge):
        _name_of_device_at(raw_server(_chunked(head, 1024 * 1024)))
