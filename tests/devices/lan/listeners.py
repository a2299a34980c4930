"""Listeners that are not ropsim's well-behaved cameras, started by a test on a free
loopback port: one that records everything sent to it and answers what the test says,
or one that answers Login and then goes away. Real sockets and real HTTP, so the
console's LAN client, address checks and error handling all run as in production."""

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# What a listener answers to one request: (status, content type, body).
type Answer = tuple[int, str, bytes]
type Answerer = Callable[["Listener", str, bytes], Answer]


@dataclass
class Listener:
    host: str
    port: int
    received: list[bytes] = field(default_factory=list)  # each request's line, headers and body
    server: ThreadingHTTPServer | None = None

    @property
    def everything(self) -> bytes:
        return b"\n".join(self.received)

    def stop(self) -> None:
        """Close the listening socket: later connections are refused."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@contextmanager
def listening(answer: Answerer) -> Iterator[Listener]:
    listener = Listener("127.0.0.1", 0)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            listener.received.append(f"{self.requestline}\n{self.headers}".encode() + body)
            status, content_type, payload = answer(listener, self.path, body)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _any

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True  # so stop() may run inside a handler without joining it
    listener.server, listener.port = server, server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        listener.stop()


def answering(body: bytes, content_type: str = "application/json", status: int = 200) -> Answerer:
    """Answers every request with the same body: `[]`, an HTML page, ..."""
    return lambda listener, path, request: (status, content_type, body)


def login_then_vanish(token: str) -> Answerer:
    """Answers Login with `token`, then stops listening, so the next request (which carries
    the token in its URL) fails to connect."""

    def answer(listener: Listener, path: str, request: bytes) -> Answer:
        envelope = [{"cmd": "Login", "code": 0, "value": {"Token": {"name": token, "leaseTime": 3600}}}]
        listener.stop()  # before answering: the client's next connection is refused
        return 200, "application/json", json.dumps(envelope).encode()

    return answer
