"""Outbound-request safety in rop/: which addresses a client may connect to, checked on
every connection with a resolver that answers whatever the test says; base URL and
gateway header rules; snapshots only as bounded JPEGs.

The client talks over real HTTP to ropsim (or, for TLS and endless bodies, to a small
http.server in a thread); only name resolution is the test's, through the policy's
resolver argument.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rop import AddressPolicy, RetryPolicy, RopClient, errors
from rop.addresses import validate_base_url
from ropsim.testing import RunningSim

from .conftest import FAST_RETRY, Control

PUBLIC = ["93.184.215.14", "2606:4700:4700::1111"]
REFUSED_FOR_CORE_SERVERS = [
    "10.0.0.5",
    "172.16.3.4",
    "192.168.1.10",
    "100.64.0.7",  # carrier-grade NAT
    "169.254.169.254",  # cloud metadata
    "100.100.100.200",  # another cloud's metadata
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "224.0.0.251",
    "255.255.255.255",
    "192.0.2.10",  # documentation
    "::1",
    "::",
    "fd00::1",
    "fd00:ec2::254",  # cloud metadata over IPv6
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped IPv6
    "::ffff:10.0.0.5",
    "::ffff:169.254.169.254",
    "::7f00:1",  # IPv4-compatible IPv6
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
]


class Dns:
    """A resolver answering `answers` for every name, and noting what it was asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> Sequence[str]:
        self.asked.append(host)
        return list(self.answers)


def base_url_for(running: RunningSim, host: str) -> str:
    """The simulator's URL under another host name (resolved by the test's Dns)."""
    return f"http://{host}:{urlsplit(running.base_url).port}"


def client_for(url: str, policy: AddressPolicy, **options: object) -> RopClient:
    return RopClient(url, timeout=5.0, retry=FAST_RETRY, address_policy=policy, **options)  # type: ignore[arg-type]


# --- the policy ---------------------------------------------------------------------------


@pytest.mark.parametrize("address", REFUSED_FOR_CORE_SERVERS)
def test_it_refuses_non_public_answers_for_a_core_server(address: str) -> None:
    policy = AddressPolicy.for_core_server(resolver=Dns(address))
    with pytest.raises(errors.AddressRefused) as caught:
        policy.resolve("rop.partner.example", 443)
    assert caught.value.address == str(ipaddress.ip_address(address))
    assert "rop.partner.example" in caught.value.message and "operator" in caught.value.message


@pytest.mark.parametrize("address", PUBLIC + ["2002:5db8:d70e::1"])  # 6to4 of a public address
def test_it_allows_public_answers(address: str) -> None:
    policy = AddressPolicy.for_core_server(resolver=Dns(address))
    assert policy.resolve("rop.partner.example", 443) == [ipaddress.ip_address(address)]


def test_it_refuses_a_name_when_any_of_its_answers_is_refused() -> None:
    policy = AddressPolicy.for_core_server(resolver=Dns("93.184.215.14", "10.0.0.5"))
    with pytest.raises(errors.AddressRefused, match="private network"):
        policy.resolve("rop.partner.example", 443)


def test_it_checks_literal_addresses_without_asking_the_resolver() -> None:
    dns = Dns("93.184.215.14")
    policy = AddressPolicy.for_core_server(resolver=dns)
    with pytest.raises(errors.AddressRefused, match="cloud metadata"):
        policy.resolve("169.254.169.254", 80)
    with pytest.raises(errors.AddressRefused, match="loopback"):
        policy.resolve("[::ffff:127.0.0.1]", 80)
    assert dns.asked == []


def test_it_lets_the_operator_allow_loopback_and_private_networks_but_never_metadata() -> None:
    loopback = AddressPolicy.for_core_server(allow_loopback=True)
    private = AddressPolicy.for_core_server(allow_private=True)
    assert loopback.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert loopback.refusal(ipaddress.ip_address("::ffff:127.0.0.1")) is None
    assert loopback.refusal(ipaddress.ip_address("10.0.0.5")) == "a private network address"
    assert private.refusal(ipaddress.ip_address("10.0.0.5")) is None
    assert private.refusal(ipaddress.ip_address("fd00::1")) is None
    assert private.refusal(ipaddress.ip_address("127.0.0.1")) == "a loopback address (this machine)"
    everything = AddressPolicy.for_core_server(allow_loopback=True, allow_private=True)
    for address in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "0.0.0.0", "224.0.0.1", "fe80::1"):
        assert everything.refusal(ipaddress.ip_address(address)) is not None, address


def test_it_allows_private_networks_for_lan_cameras_by_design() -> None:
    lan = AddressPolicy.for_lan()
    for address in ("10.0.0.5", "172.16.3.4", "192.168.1.10", "fd00::1", "100.64.0.7", "93.184.215.14"):
        assert lan.refusal(ipaddress.ip_address(address)) is None, address
    for address in ("169.254.169.254", "169.254.1.1", "fd00:ec2::254", "127.0.0.1", "::1", "224.0.0.251", "0.0.0.0"):
        assert lan.refusal(ipaddress.ip_address(address)) is not None, address
    assert AddressPolicy.for_lan(allow_loopback=True).refusal(ipaddress.ip_address("127.0.0.1")) is None
    with pytest.raises(errors.AddressRefused, match="The address of the camera"):
        AddressPolicy.for_lan(resolver=Dns("169.254.169.254")).resolve("cam.lan.example", 80)


# --- connections --------------------------------------------------------------------------


def test_it_connects_to_the_address_it_checked(running: RunningSim) -> None:
    """rop.partner.example exists in no DNS: the call reaches the simulator only because
    the socket goes to the address the policy's resolver answered and checked."""
    dns = Dns("127.0.0.1")
    policy = AddressPolicy.for_core_server(allow_loopback=True, resolver=dns)
    with client_for(base_url_for(running, "rop.partner.example"), policy) as client:
        assert len(client.list_online_devices()) >= 3
    assert dns.asked == ["rop.partner.example"]


def test_it_refuses_loopback_by_default_before_sending_anything(running: RunningSim, control: Control) -> None:
    before = control.total_requests()
    dns = Dns("127.0.0.1")
    named = client_for(base_url_for(running, "rop.partner.example"), AddressPolicy.for_core_server(resolver=dns))
    with named, pytest.raises(errors.AddressRefused, match="loopback"):
        named.list_online_devices()
    literal = client_for(running.base_url, AddressPolicy.for_core_server())
    with literal, pytest.raises(errors.AddressRefused, match="loopback"):
        literal.list_online_devices()
    assert control.total_requests() == before
    assert dns.asked == ["rop.partner.example"]  # refused once, never retried


def test_it_refuses_a_name_rebound_to_a_private_address_after_validation(running: RunningSim, control: Control) -> None:
    dns = Dns("93.184.215.14")
    policy = AddressPolicy.for_core_server(resolver=dns)
    url = base_url_for(running, "rop.rebind.example")
    policy.resolve("rop.rebind.example", 80)  # what the settings form checks: public
    dns.answers = ["127.0.0.1"]  # the name's owner rebinds it to the console's own machine
    before = control.total_requests()
    with client_for(url, policy) as client, pytest.raises(errors.AddressRefused) as caught:
        client.get_snapshot("95270000ABCD0001", 0, "subStream")
    assert caught.value.address == "127.0.0.1"
    assert control.total_requests() == before


def test_it_checks_again_on_every_new_connection(running: RunningSim) -> None:
    dns = Dns("127.0.0.1")
    policy = AddressPolicy.for_core_server(allow_loopback=True, resolver=dns)
    with client_for(base_url_for(running, "rop.partner.example"), policy) as client:
        client.list_online_devices()
        client.close()  # pooled connections gone: the next call opens a new one
        dns.answers = ["169.254.169.254"]
        with pytest.raises(errors.AddressRefused, match="cloud metadata"):
            client.list_online_devices()
    assert dns.asked == ["rop.partner.example", "rop.partner.example"]


def test_it_treats_a_name_that_does_not_resolve_as_unavailable_and_retries_it() -> None:
    asked: list[str] = []

    def nothing(host: str, port: int) -> Sequence[str]:
        asked.append(host)
        return []

    policy = AddressPolicy.for_core_server(resolver=nothing)
    retry = RetryPolicy(max_retries=2, backoff_base=0.001, backoff_max=0.002)
    client = RopClient("http://rop.gone.example", retry=retry, address_policy=policy)
    with client, pytest.raises(errors.RopUnavailable):
        client.list_online_devices()
    assert len(asked) == 3  # a failure before sending: retried like any DNS failure


# --- TLS: SNI and certificate checks still use the URL's name --------------------------------


def _self_signed(tmp_path: Path, hostname: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{hostname}.pem", tmp_path / f"{hostname}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class _Devices(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"items": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], context: ssl.SSLContext | None = None) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_it_keeps_sni_and_certificate_checks_on_the_urls_name_over_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests prefers these to the session's own CA file.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    cert, key = _self_signed(tmp_path, "rop.partner.example")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server_names: list[str | None] = []

    def note_server_name(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        server_names.append(name)

    context.sni_callback = note_server_name
    policy = AddressPolicy.for_core_server(allow_loopback=True, resolver=Dns("127.0.0.1"))
    with serving(_Devices, context) as port:
        with client_for(f"https://rop.partner.example:{port}", policy) as client:
            client.transport.session.verify = str(cert)
            assert client.list_online_devices() == []
        assert server_names == ["rop.partner.example"]
        # The same server under a name its certificate does not carry: refused by TLS.
        with client_for(f"https://other.partner.example:{port}", policy, max_retries=0) as client:
            client.transport.session.verify = str(cert)
            with pytest.raises(errors.RopUnavailable):
                client.list_online_devices()


# --- base URL and gateway header ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://rop.partner.example", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("https://admin:secret@rop.partner.example", "user name or password"),
        ("https://token@rop.partner.example", "user name or password"),
        ("https://rop.partner.example/?next=1", "query"),
        ("https://rop.partner.example/#top", "fragment"),
        ("https://rop.partner.example?", "query"),
        ("https://:8443", "name a host"),
        ("https://rop.partner.example:99999", "port"),
        ("https://rop.partner.example/a b", "spaces"),
    ],
)
def test_it_refuses_base_urls_outside_the_rules(url: str, why: str) -> None:
    with pytest.raises(errors.InvalidParameter, match=why):
        validate_base_url(url)
    with pytest.raises(ValueError, match=why):
        RopClient(url)


def test_it_keeps_a_valid_base_url_with_a_path_prefix() -> None:
    assert validate_base_url("https://rop.partner.example:8443/gateway/") == "https://rop.partner.example:8443/gateway"
    assert RopClient("http://[2001:db8::1]:61009").base_url == "http://[2001:db8::1]:61009"


@pytest.mark.parametrize(
    "header",
    [
        "Host",
        "host",
        "Connection",
        "Keep-Alive",
        "Proxy-Authorization",
        "Proxy-Connection",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Content-Length",
        "X-Api Key",
        "X-Api-Key:",
        "X-Api-Key\r\nHost",
        "",
    ],
)
def test_it_refuses_connection_level_and_malformed_gateway_header_names(header: str) -> None:
    with pytest.raises(errors.InvalidParameter):
        RopClient("https://rop.partner.example", token="t0ken", auth_header=header)


def test_it_sends_the_token_in_an_allowed_custom_header(running: RunningSim) -> None:
    with RopClient(running.base_url, token="t0ken", auth_header="X-Api-Key") as client:
        client.list_online_devices()  # the simulator without a token ignores the header


# --- snapshots -------------------------------------------------------------------------------


def test_it_passes_on_a_jpeg_within_the_limit(client: RopClient, ptz_camera: str) -> None:
    data = client.get_snapshot(ptz_camera, 0, "subStream", max_bytes=1_000_000)
    assert data.startswith(b"\xff\xd8\xff") and len(data) <= 1_000_000


def test_it_refuses_a_snapshot_that_is_not_a_jpeg(client: RopClient, faults: Control, ptz_camera: str) -> None:
    faults.inject(path="/v1.0/devices/{uid}/snap/snapshot.jpg", status=200, body="<html>internal admin</html>")
    with pytest.raises(errors.InvalidSnapshot, match="not a JPEG"):
        client.get_snapshot(ptz_camera, 0, "subStream")


def test_it_refuses_a_snapshot_over_the_size_limit(client: RopClient, ptz_camera: str) -> None:
    size = len(client.get_snapshot(ptz_camera, 0, "subStream"))
    with pytest.raises(errors.InvalidSnapshot, match="larger than"):
        client.get_snapshot(ptz_camera, 0, "subStream", max_bytes=size - 1)


class _EndlessJpeg(BaseHTTPRequestHandler):
    """A chunked 'JPEG' that never ends (at most ~640 MB, so a broken client cannot hang
    the suite); counts the blocks the client let it write."""

    protocol_version = "HTTP/1.1"
    blocks_written = 0

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        block = b"\xff\xd8\xff" + bytes(64 * 1024 - 3)
        try:
            for _ in range(10_000):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                type(self).blocks_written += 1
        except OSError:
            pass  # the client hung up: what this test wants
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_it_stops_reading_an_endless_snapshot_at_the_limit() -> None:
    with serving(_EndlessJpeg) as port:
        started = time.monotonic()
        client = RopClient(f"http://127.0.0.1:{port}", timeout=5.0, retry=FAST_RETRY)
        with client, pytest.raises(errors.InvalidSnapshot, match="larger than 1 MB"):
            client.get_snapshot("95270000ABCD0001", 0, "subStream", max_bytes=1_000_000)
        assert time.monotonic() - started < 5
    assert _EndlessJpeg.blocks_written < 10_000
