"""Self-signed certificates for the emulator's HTTPS, and rotating them.

Real cameras serve HTTPS with a certificate they made themselves, so clients
cannot verify it against a CA and pin its fingerprint instead. The emulator
does the same: each device gets its own key and certificate (or the whole
run shares one), generated at start, and ``rotate`` gives a device a new one
(a reset camera, a firmware upgrade) so that "the certificate changed" can be
tested. A rotation reloads the device's SSLContext in place: connections
opened after it see the new certificate, without restarting the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Certificate:
    """A PEM certificate and key, and the SHA-256 fingerprint clients pin (hex, lower case)."""

    cert_pem: bytes
    key_pem: bytes
    sha256: str


def generate(common_name: str, host: str = "127.0.0.1") -> Certificate:
    """A fresh self-signed certificate for ``host`` (EC P-256: fast to generate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    try:
        alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        alt = x509.DNSName(host)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return Certificate(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        sha256=hashlib.sha256(der).hexdigest(),
    )


def load(context: ssl.SSLContext, certificate: Certificate) -> None:
    """Load ``certificate`` into ``context`` (replacing any earlier one for new handshakes)."""
    # load_cert_chain only reads files; the files live only for the call.
    with tempfile.TemporaryDirectory(prefix="ropsim-tls-") as tmp:
        cert_path = os.path.join(tmp, "cert.pem")
        key_path = os.path.join(tmp, "key.pem")
        with open(cert_path, "wb") as f:
            f.write(certificate.cert_pem)
        with open(key_path, "wb") as f:
            f.write(certificate.key_pem)
        context.load_cert_chain(cert_path, key_path)


def server_context(certificate: Certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    load(context, certificate)
    return context
