"""A requests adapter whose connections only go to addresses an AddressPolicy allows.

The check happens where the socket is opened, for every new connection (retries and
reconnections of pooled connections included): the host is resolved once, every
address it resolves to is checked (rop.addresses), and the socket is connected to one
of those checked addresses, never to a second, unchecked lookup. A name that answers a
public address when a form checks it and 127.0.0.1 a moment later (DNS rebinding) is
therefore refused at connection time.

TLS is unchanged: the connection's ``host`` stays the name from the URL, so urllib3
sends it as SNI and verifies the certificate against it; only the TCP connect uses the
checked address.

Proxies are not used: a proxy would connect on the client's behalf to an address that
was never checked (requests would otherwise take them from HTTP(S)_PROXY).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Mapping
from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

from .addresses import AddressPolicy

__all__ = ["CheckedAdapter"]


def _open_checked(conn: HTTPConnection, policy: AddressPolicy) -> socket.socket:
    """What urllib3's HTTPConnection._new_conn does, with the policy between the
    lookup and the connect: the same errors, so the transport's retry rules hold."""
    try:
        addresses = policy.resolve(conn._dns_host, conn.port)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    except (OSError, UnicodeError) as exc:
        raise NewConnectionError(conn, f"Failed to resolve {conn.host!r}: {exc}") from exc
    last_error: OSError | None = None
    for address in addresses:
        try:
            # A literal address: create_connection's own lookup cannot change it.
            sock = connection.create_connection(
                (str(address), conn.port),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except OSError as exc:  # the next address may answer, as in urllib3's own loop
            last_error = exc
            continue
        sys.audit("http.client.connect", conn, conn.host, conn.port)
        return sock
    if isinstance(last_error, TimeoutError):
        message = f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
        raise ConnectTimeoutError(conn, message) from last_error
    raise NewConnectionError(conn, f"Failed to establish a new connection: {last_error}") from last_error


class _CheckedHTTPConnection(HTTPConnection):
    def __init__(self, *args: Any, address_policy: AddressPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address_policy = address_policy

    def _new_conn(self) -> socket.socket:
        return _open_checked(self, self._address_policy)


class _CheckedHTTPSConnection(HTTPSConnection):
    def __init__(self, *args: Any, address_policy: AddressPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address_policy = address_policy

    def _new_conn(self) -> socket.socket:
        return _open_checked(self, self._address_policy)


class _CheckedPoolManager(PoolManager):
    def __init__(self, *args: Any, address_policy: AddressPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address_policy = address_policy

    def _new_pool(
        self, scheme: str, host: str, port: int, request_context: dict[str, Any] | None = None
    ) -> HTTPConnectionPool:
        pool = super()._new_pool(scheme, host, port, request_context)
        # Set on the pool rather than passed through the manager's keyword arguments,
        # which urllib3 turns into a fixed pool key.
        pool.ConnectionCls = _CheckedHTTPSConnection if scheme == "https" else _CheckedHTTPConnection
        pool.conn_kw["address_policy"] = self._address_policy
        return pool


class CheckedAdapter(HTTPAdapter):
    """An HTTPAdapter that checks every connection against ``address_policy``."""

    def __init__(self, address_policy: AddressPolicy, **kwargs: Any) -> None:
        # Before super().__init__, which builds the pool manager.
        self._address_policy = address_policy
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager = _CheckedPoolManager(
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            address_policy=self._address_policy,
            **pool_kwargs,
        )

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: None | float | tuple[float, float] | tuple[float, None] = None,
        verify: bool | str = True,
        cert: None | bytes | str | tuple[bytes | str, bytes | str] = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        # No proxy: it would connect to an address this adapter never checked.
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=None)
