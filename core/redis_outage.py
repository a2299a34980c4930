"""A Redis outage answers a clear 503 page instead of a 500 or a hung request.

Redis holds the cache, the request budgets and (in production) the Celery queue. Its clients
have timeouts (settings: REDIS_CONNECT_TIMEOUT_SECONDS, REDIS_SOCKET_TIMEOUT_SECONDS), so
a Redis that is down or stops answering raises within seconds; this middleware turns that
error into a page saying what is wrong, with Retry-After, and logs it once.
"""

import logging
from collections.abc import Callable

import kombu.exceptions
import redis.exceptions
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# redis-py's TimeoutError is not a ConnectionError; Celery reports a queue it cannot reach
# (after its publish retries) as kombu's OperationalError.
REDIS_OUTAGE_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
RETRY_AFTER_SECONDS = 30


class RedisOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, REDIS_OUTAGE_ERRORS):
            return None
        logger.error("Redis unavailable on %s %s: %s", request.method, request.path, type(exception).__name__)
        # No request context: the page must not need Redis (or anything else) to render.
        body = render_to_string("errors/redis_outage.html")
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
