"""Certificate pinning for cameras' self-signed HTTPS.

Cameras make their own certificates, so no CA can vouch for them. Instead of
turning verification off, the client pins the certificate's SHA-256
fingerprint: trust on first use (``fetch_fingerprint`` reads it, the caller
stores it), then every connection must present exactly that certificate
(urllib3's ``assert_fingerprint``, checked during the handshake, before any
credentials are sent).
"""

from __future__ import annotations

import hashlib
import socket
import ssl
from typing import Any

from ..addresses import AddressPolicy
from ..checked_http import CheckedAdapter


def normalise_fingerprint(value: str) -> str:
    """``AB:CD:…`` or ``abcd…`` → 64 lower-case hex digits; ValueError otherwise."""
    cleaned = value.replace(":", "").strip().lower()
    if len(cleaned) != 64 or any(c not in "0123456789abcdef" for c in cleaned):
        raise ValueError("A SHA-256 fingerprint is 64 hexadecimal digits (colons allowed).")
    return cleaned


def fetch_fingerprint(host: str, port: int, policy: AddressPolicy, timeout: float) -> str:
    """The SHA-256 of the certificate ``host:port`` presents (not verified: this is
    the "first use" of trust on first use). The address is checked like every other
    connection of the client. Raises OSError/ssl.SSLError when no handshake happens."""
    addresses = policy.resolve(host, port)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # reading the certificate, not trusting it
    last_error: OSError | None = None
    for address in addresses:
        try:
            with (
                socket.create_connection((str(address), port), timeout) as sock,
                context.wrap_socket(sock) as tls_sock,
            ):
                der = tls_sock.getpeercert(binary_form=True)
        except OSError as exc:
            last_error = exc
            continue
        if not der:
            raise ssl.SSLError("the server sent no certificate")
        return hashlib.sha256(der).hexdigest()
    assert last_error is not None
    raise last_error


class PinnedAdapter(CheckedAdapter):
    """CheckedAdapter whose HTTPS connections must present the pinned certificate.

    requests is called with verify=False (no CA applies), and urllib3 compares the
    certificate's fingerprint during the handshake; a mismatch is an SSLError.
    """

    def __init__(self, address_policy: AddressPolicy, sha256: str, **kwargs: Any) -> None:
        self._sha256 = sha256  # before super().__init__, which builds the pool manager
        super().__init__(address_policy, **kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, assert_fingerprint=self._sha256, **pool_kwargs)
