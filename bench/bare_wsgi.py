"""The bare WSGI handler bench_webhook.py serves under gunicorn beside the console: it
reads the request body and answers 200 with a small JSON body, nothing else (the floor
of any request through gunicorn on this machine)."""

from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    body = b'{"message": "ok"}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
