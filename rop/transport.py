"""HTTP plumbing of the ROP client: session, authentication, retries, limiter, logging.

Kept apart from :mod:`rop.client` so the client reads as a list of endpoints and the
policies (what is retried, what is logged) are in one place.

Retry policy
------------
Every call says whether repeating it is harmless (``idempotent=True``: reads, PUTs
that set a value, a PTZ rotate which sets a motion state). Then:

* 429 (``frequent_request`` or a gateway's 429) is retried for every call: the
  server refused the request before acting on it. Retry-After is honoured; when it
  asks for more than ``RetryPolicy.max_retry_after`` seconds the client gives up at
  once and raises :class:`~rop.errors.FrequentRequest` so a worker is not blocked.
* 5xx, read timeouts and connections lost mid-request are retried only for
  idempotent calls: a POST may have taken effect before the answer was lost.
* Failures that happen before the request left the machine (connection refused,
  connect timeout, DNS) are retried for every call.
* Everything else (4xx) is raised at once.

Waits are exponential with full jitter: ``uniform(0, min(backoff_max,
backoff_base * 2**attempt))``, at least Retry-After when the server sent one.

Deadline and circuit breaker
----------------------------
``deadline`` (seconds, optional) bounds a whole call: every attempt's connect and
read timeouts are cut to what is left of it, the limiter may wait only that long,
and no retry is started that could not finish in time. A person waiting on a page
gets an answer within it (:class:`~rop.errors.DeadlineExceeded` when the server did
not answer), whatever the per-read timeout and the retry policy say.

``breaker`` (optional) is asked before every attempt (it raises, typically
:class:`~rop.errors.CircuitOpen`, to fail fast) and told after it whether the server
answered: connection failures, timeouts and gateway 502/503/504 answers count as
"unreachable", any other answer as "reachable".
"""

from __future__ import annotations

import importlib.metadata
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import IO, Any, Protocol, runtime_checkable

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from .addresses import AddressPolicy, validate_base_url
from .checked_http import CheckedAdapter
from .errors import (
    DeadlineExceeded,
    FrequentRequest,
    ResponseTooLarge,
    RopError,
    RopUnavailable,
    UnexpectedResponse,
    error_from_response,
    parse_retry_after,
)
from .validation import validate_header_name

__all__ = [
    "CircuitBreaker",
    "Limiter",
    "RetryPolicy",
    "Transport",
    "UploadBody",
    "USER_AGENT",
    "logger",
    "read_limited",
]

logger = logging.getLogger("rop")


def _project_version() -> str:
    try:
        return importlib.metadata.version("rop-fleet")
    except importlib.metadata.PackageNotFoundError:  # running from a plain checkout
        return "0.1.0"


USER_AGENT = f"rop-fleet/{_project_version()}"

Timeout = float | tuple[float, float]


@runtime_checkable
class Limiter(Protocol):
    """A request budget. ``acquire()`` is called before every HTTP request, retries
    included, and may block until the budget allows one more request. Under a
    deadline it is called with ``timeout``: the longest it may block (it raises
    when the budget cannot allow a request within it)."""

    def acquire(self, timeout: float | None = None) -> None: ...


@runtime_checkable
class CircuitBreaker(Protocol):
    """Shared knowledge of whether a Core Server answers (see the module's notes)."""

    def before_request(self) -> None:
        """Raise (e.g. CircuitOpen) when no request should be sent now."""

    def record(self, reachable: bool) -> None:
        """After an attempt: did the server answer at all?"""


# Gateway answers meaning "the server behind me does not answer".
_UNREACHABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    #: Retries after the first attempt (0 disables retrying).
    max_retries: int = 3
    #: First backoff ceiling in seconds; doubles per attempt.
    backoff_base: float = 0.5
    #: Largest backoff ceiling in seconds.
    backoff_max: float = 8.0
    #: A Retry-After longer than this is not waited out: FrequentRequest is raised.
    max_retry_after: float = 60.0

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return random.uniform(0, ceiling)


class _HeaderAuth(requests.auth.AuthBase):
    """Puts the partner's credential in one header.

    Using an AuthBase rather than a default header keeps requests from replacing it
    with ~/.netrc credentials, and its repr never shows the secret.
    """

    def __init__(self, header: str, value: str) -> None:
        self._header = header
        self._value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers[self._header] = self._value
        return request

    def __repr__(self) -> str:
        return f"_HeaderAuth(header={self._header!r}, value=<redacted>)"


class UploadBody:
    """A file-like body of known size that requests streams block by block.

    ``__len__`` gives requests the Content-Length (so the upload is never chunked),
    ``read(n)`` is what urllib3 calls for each block, and ``bytes_read`` tells the
    transport whether anything was consumed (an unsent body may be retried even when
    the source cannot be rewound).
    """

    def __init__(self, source: IO[bytes], size: int) -> None:
        self._source = source
        self._size = size
        self.bytes_read = 0

    def __len__(self) -> int:
        return self._size

    def read(self, amount: int = -1) -> bytes:
        remaining = self._size - self.bytes_read
        if remaining <= 0:
            return b""
        if amount is None or amount < 0 or amount > remaining:
            amount = remaining
        chunk = self._source.read(amount)
        self.bytes_read += len(chunk)
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(64 * 1024):
            yield chunk


def _adapter(address_policy: AddressPolicy | None, pool_maxsize: int) -> HTTPAdapter:
    """Without a policy connections go wherever the URL says (a library caller's
    choice); the console always passes one (partners.rop_clients)."""
    if address_policy is None:
        return HTTPAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
    return CheckedAdapter(address_policy, pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)


def read_limited(response: requests.Response, max_bytes: int, what: str = "answer") -> bytes:
    """The body of a ``stream=True`` response, read block by block and given up as soon
    as it passes ``max_bytes``: a server cannot make the client hold more than that."""
    try:
        declared = int(response.headers.get("Content-Length", "-1"))
    except ValueError:
        declared = -1
    received = bytearray()
    try:
        if declared <= max_bytes:
            for block in response.iter_content(64 * 1024):
                received += block
                if len(received) > max_bytes:
                    break
    except requests.RequestException as exc:
        raise RopUnavailable(f"the ROP server's {what} was cut off ({type(exc).__name__})", cause=exc) from exc
    finally:
        response.close()
    if declared > max_bytes or len(received) > max_bytes:
        raise ResponseTooLarge(f"the {what} is larger than {max_bytes:,} bytes", http_status=response.status_code)
    return bytes(received)


def _was_not_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.SSLError):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


# An attempt started with less time than this left would only time out.
_MIN_ATTEMPT_SECONDS = 0.05


# The most a JSON answer (or an error body) may be: far above the largest page the Core
# Server sends, low enough that a hostile or broken server cannot fill a worker's memory.
MAX_ANSWER_BYTES = 32 * 1024 * 1024


def _read_body(
    response: requests.Response, ends_at: float | None, max_bytes: int, too_late: Callable[[], RopError]
) -> None:
    """Read a body block by block, giving up past ``max_bytes`` (counted after decoding, so
    a compressed bomb is cut too) and, with a deadline, once it passes, so that a server
    trickling its answer a byte at a time cannot hold a call past it (each block still
    waits at most the per-read timeout, already cut to what was left when the call started)."""
    try:
        declared = int(response.headers.get("Content-Length", "-1"))
    except ValueError:
        declared = -1
    body = bytearray()
    try:
        if declared > max_bytes:
            raise _too_large(response, max_bytes)
        # read1, not iter_content: it hands over what has arrived instead of waiting for a
        # full block, so a slow answer is seen arriving and cut at the deadline.
        while block := response.raw.read1(16 * 1024, decode_content=True):
            body += block
            if len(body) > max_bytes:
                raise _too_large(response, max_bytes)
            if ends_at is not None and time.monotonic() > ends_at:
                response.close()
                raise too_late()
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise requests.exceptions.ConnectionError(exc) from exc
    response._content = bytes(body)  # where requests itself keeps a body once read


def _too_large(response: requests.Response, max_bytes: int) -> ResponseTooLarge:
    response.close()
    return ResponseTooLarge(f"the answer is larger than {max_bytes:,} bytes", http_status=response.status_code)


def _cut(timeout: Timeout, left: float) -> Timeout:
    """The per-attempt timeout, shortened to what is left of the deadline."""
    if isinstance(timeout, tuple):
        return (min(timeout[0], left), min(timeout[1], left))
    return min(timeout, left)


def _is_transient(exc: requests.RequestException) -> bool:
    # Bad URLs, TLS misconfiguration and similar do not heal by waiting.
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.InvalidURL):
        return False
    return isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout)


@dataclass
class _Call:
    """One call across its attempts: what it is, when it must end, how many attempts
    were made and the error that made the last one be retried."""

    method: str
    path: str
    idempotent: bool
    ends_at: float | None
    attempt: int = 0
    last_error: RopError | None = None


def _ms_since(started: float) -> float:
    return (time.monotonic() - started) * 1000


class Transport:
    """One pooled ``requests.Session`` plus the policies above."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        auth_header: str = "Authorization",
        auth_scheme: str | None = None,
        timeout: Timeout = 10.0,
        pool_maxsize: int = 16,
        retry: RetryPolicy | None = None,
        limiter: Limiter | None = None,
        user_agent: str = USER_AGENT,
        address_policy: AddressPolicy | None = None,
        deadline: float | None = None,
        breaker: CircuitBreaker | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        if limiter is not None and not callable(getattr(limiter, "acquire", None)):
            raise TypeError("limiter must have an acquire() method")
        self.base_url = validate_base_url(base_url)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.limiter = limiter
        self.deadline = deadline
        self.breaker = breaker
        self.max_answer_bytes = max_answer_bytes
        self.session = requests.Session()
        adapter = _adapter(address_policy, pool_maxsize)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        if token:
            auth_header = validate_header_name(auth_header)
            if auth_scheme is None and auth_header.lower() == "authorization":
                auth_scheme = "Bearer"
            value = f"{auth_scheme} {token}" if auth_scheme else token
            self.session.auth = _HeaderAuth(auth_header, value)

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: dict[str, Any] | None = None,
        json: Any = None,
        body: Callable[[], UploadBody] | None = None,
        headers: dict[str, str] | None = None,
        timeout: Timeout | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """Send one call, retrying per the module's policy; return the 2xx response.

        ``body`` is a factory called once per attempt, so an upload can reopen or
        rewind its source; it raises :class:`OSError` when it cannot. With ``stream``
        the 2xx body is left unread: read it with :func:`read_limited`.

        Each attempt: the body replayed, the breaker and the limiter passed, the request
        sent within what is left of the deadline; then the answer is returned, or the
        failure either retried after a wait (no answer: :meth:`_no_answer`; an error
        answer: :meth:`_error_answer`) or raised.
        """
        ends_at = None if self.deadline is None else time.monotonic() + self.deadline
        call = _Call(method, path, idempotent, ends_at)
        send = partial(
            self.session.request,
            method,
            self.base_url + path,
            params=params,
            json=json,
            headers=headers,
            # The body is read here, block by block and bounded (below).
            stream=True,
            # A redirect is an error for this API; following one could also
            # carry a custom auth header to another host.
            allow_redirects=False,
        )
        while True:
            upload = self._replay(call, body)
            self._admit(call)
            attempt_timeout = self._attempt_timeout(call, timeout)
            started = time.monotonic()
            try:
                response = send(data=upload, timeout=attempt_timeout)
                if not stream:
                    too_late = partial(self._deadline_error, method, path, call.last_error)
                    _read_body(response, ends_at, self.max_answer_bytes, too_late)
            except ResponseTooLarge as exc:
                # The server answered: reachable for the breaker, but not an answer to use.
                if self.breaker is not None:
                    self.breaker.record(reachable=True)
                self._log_error(method, path, response.status_code, _ms_since(started), exc)
                raise
            except requests.RequestException as exc:
                delay = self._no_answer(call, exc, _ms_since(started))
            else:
                elapsed_ms = _ms_since(started)
                if self._answered(call, response, elapsed_ms):
                    return response
                delay = self._error_answer(call, response, elapsed_ms, stream)
            time.sleep(delay)
            call.attempt += 1

    def _replay(self, call: _Call, body: Callable[[], UploadBody] | None) -> UploadBody | None:
        """The attempt's upload, from the start of its source."""
        if body is None:
            return None
        try:
            return body()
        except OSError:
            # The source cannot be replayed (not seekable and partly sent):
            # give up with the error that made us want to retry.
            if call.last_error is None:
                raise
            raise call.last_error from None

    def _admit(self, call: _Call) -> None:
        """The breaker (which raises when the server is given up on), then the limiter,
        waiting at most what is left of the deadline."""
        if self.breaker is not None:
            self.breaker.before_request()
        if self.limiter is not None:
            if call.ends_at is None:
                self.limiter.acquire()
            else:
                self.limiter.acquire(timeout=self._left(call.ends_at, call.method, call.path, call.last_error))

    def _attempt_timeout(self, call: _Call, timeout: Timeout | None) -> Timeout:
        """The call's (or the transport's) timeout, cut to what is left of the deadline."""
        attempt_timeout = timeout if timeout is not None else self.timeout
        if call.ends_at is not None:
            attempt_timeout = _cut(attempt_timeout, self._left(call.ends_at, call.method, call.path, call.last_error))
        return attempt_timeout

    def _no_answer(self, call: _Call, exc: requests.RequestException, elapsed_ms: float) -> float:
        """No answer (no connection, a timeout, a connection lost): the wait before the
        next attempt when it is retried (transient, and idempotent or never sent, in
        time), else raises RopUnavailable (DeadlineExceeded for a timeout at the deadline)."""
        method, path = call.method, call.path
        if self.breaker is not None:
            self.breaker.record(reachable=False)
        retryable = _is_transient(exc) and (call.idempotent or _was_not_sent(exc))
        unavailable = RopUnavailable(
            f"{method} {path}: no answer from the ROP server ({type(exc).__name__})", cause=exc
        )
        if isinstance(exc, requests.exceptions.Timeout) and not self._can_wait(call.ends_at, 0.0):
            unavailable = self._deadline_error(method, path, exc)
            retryable = False
        delay = self.retry.backoff(call.attempt)
        if retryable and call.attempt < self.retry.max_retries and self._can_wait(call.ends_at, delay):
            self._log_retry(method, path, None, elapsed_ms, call.attempt, delay, type(exc).__name__)
            call.last_error = unavailable
            return delay
        logger.warning(
            "%s %s failed after %.0f ms: %s",
            method,
            path,
            elapsed_ms,
            type(exc).__name__,
            extra=self._extra(method, path, None, elapsed_ms),
        )
        raise unavailable from exc

    def _answered(self, call: _Call, response: requests.Response, elapsed_ms: float) -> bool:
        """The breaker told whether the server answered; True for a 2xx, the call's answer."""
        status = response.status_code
        if self.breaker is not None:
            self.breaker.record(reachable=status not in _UNREACHABLE_STATUSES)
        if not 200 <= status < 300:
            return False
        logger.debug(
            "%s %s -> %s in %.0f ms",
            call.method,
            call.path,
            status,
            elapsed_ms,
            extra=self._extra(call.method, call.path, status, elapsed_ms),
        )
        return True

    def _error_answer(self, call: _Call, response: requests.Response, elapsed_ms: float, stream: bool) -> float:
        """An error answer: the wait before the next attempt when it is retried (429 for
        every call, 5xx for idempotent ones, within the retries, Retry-After and the
        deadline), else raises its RopError."""
        method, path, status = call.method, call.path, response.status_code
        if stream:
            # Only a 2xx body is left to the caller; an error's is read here, bounded.
            try:
                _read_body(response, None, self.max_answer_bytes, partial(RopError, "unused"))
            except (ResponseTooLarge, requests.RequestException):
                response._content = b""
        error = self._error(response)
        retryable = status == 429 or (status >= 500 and call.idempotent)
        if not retryable or call.attempt >= self.retry.max_retries:
            self._log_error(method, path, status, elapsed_ms, error)
            raise error
        delay = self.retry.backoff(call.attempt)
        retry_after = error.retry_after if isinstance(error, FrequentRequest) else None
        if retry_after is not None:
            if retry_after > self.retry.max_retry_after:
                self._log_error(method, path, status, elapsed_ms, error)
                raise error
            delay = max(delay, retry_after)
        if not self._can_wait(call.ends_at, delay):
            # The retry could not finish before the deadline: the answer we have.
            self._log_error(method, path, status, elapsed_ms, error)
            raise error
        self._log_retry(method, path, status, elapsed_ms, call.attempt, delay, error.symbol or "")
        call.last_error = error
        return delay

    def _left(self, ends_at: float, method: str, path: str, last_error: RopError | None) -> float:
        """Seconds left before the deadline, or DeadlineExceeded when none are."""
        left = ends_at - time.monotonic()
        if left <= 0:
            raise self._deadline_error(method, path, last_error)
        return left

    @staticmethod
    def _can_wait(ends_at: float | None, delay: float) -> bool:
        # A retry needs the wait plus some time to be answered; a sliver is not worth it.
        return ends_at is None or time.monotonic() + delay + _MIN_ATTEMPT_SECONDS < ends_at

    def _deadline_error(self, method: str, path: str, cause: BaseException | None) -> DeadlineExceeded:
        assert self.deadline is not None
        logger.warning("%s %s: no answer within the %g s deadline", method, path, self.deadline)
        return DeadlineExceeded(
            f"{method} {path}: no answer from the ROP server within {self.deadline:g} s",
            seconds=self.deadline,
            cause=cause,
        )

    def request_json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """:meth:`request`, then the answer's JSON object."""
        response = self.request(method, path, **kwargs)
        try:
            data = response.json()
        except ValueError:
            raise UnexpectedResponse(
                "the ROP server answered with a body that is not JSON", http_status=response.status_code
            ) from None
        if not isinstance(data, dict):
            raise UnexpectedResponse(
                "the ROP server answered with JSON that is not an object", http_status=response.status_code
            )
        return data

    @staticmethod
    def _error(response: requests.Response) -> RopError:
        try:
            body = response.json()
        except ValueError:
            body = None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raw_text = response.text if body is None else ""
        return error_from_response(response.status_code, body, retry_after=retry_after, raw_text=raw_text)

    @staticmethod
    def _extra(method: str, path: str, status: int | None, elapsed_ms: float) -> dict[str, Any]:
        return {
            "rop_method": method,
            "rop_path": path,
            "rop_status": status,
            "rop_duration_ms": round(elapsed_ms, 1),
        }

    def _log_retry(
        self,
        method: str,
        path: str,
        status: int | None,
        elapsed_ms: float,
        attempt: int,
        delay: float,
        why: str,
    ) -> None:
        logger.warning(
            "%s %s -> %s in %.0f ms (%s); retry %d/%d in %.2f s",
            method,
            path,
            status if status is not None else "no answer",
            elapsed_ms,
            why,
            attempt + 1,
            self.retry.max_retries,
            delay,
            extra=self._extra(method, path, status, elapsed_ms),
        )

    def _log_error(self, method: str, path: str, status: int, elapsed_ms: float, error: RopError) -> None:
        # Only the symbol: server messages are not ours to vouch for in logs.
        logger.info(
            "%s %s -> %s in %.0f ms (%s)",
            method,
            path,
            status,
            elapsed_ms,
            error.symbol or type(error).__name__,
            extra=self._extra(method, path, status, elapsed_ms),
        )
