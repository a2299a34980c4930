"""Which network addresses the client may connect to, and the base URL rules.

A partner admin chooses the Core Server URL, so without a check the console could
be pointed at cloud metadata (169.254.169.254), at its own Redis or at any service
on the operator's network, and the snapshot view would hand back what answers.
An :class:`AddressPolicy` says which addresses are refused; :mod:`rop.checked_http`
applies it to every address a host name resolves to *at connection time* and then
connects to the address it checked, so a DNS answer that changes between a form's
check and the request (DNS rebinding) cannot slip through.

Always refused, whatever the switches: "this network" (0.0.0.0/8, ::), link-local
(169.254.0.0/16 with the cloud metadata address, fe80::/10), known metadata
addresses elsewhere (fd00:ec2::254, 100.100.100.200), multicast, broadcast and
reserved ranges, and anything else that is not a public address (documentation,
benchmarking…). Loopback and private ranges (RFC 1918, CGNAT 100.64.0.0/10, IPv6
ULA fc00::/7) each have a switch: off for Core Servers unless the installation's
operator allows them, private always on for cameras on a LAN. An IPv6 address that
carries an IPv4 one (IPv4-mapped, NAT64, 6to4) is judged by the IPv4 address, so
``::ffff:127.0.0.1`` is loopback.

A policy may also bound the peers to a list of networks (``networks``): cameras, which
an operator adds by address, may then be only there (the installation's
LAN_ALLOWED_NETWORKS), so "add a LAN device" cannot be used to probe the console's own
services on another private network. Loopback stays its switch's alone, listed or not.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import AddressRefused, InvalidParameter

__all__ = [
    "AddressPolicy",
    "IPAddress",
    "Network",
    "Resolver",
    "parse_networks",
    "system_resolver",
    "url_host_port",
    "validate_base_url",
]

logger = logging.getLogger("rop")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: ``resolver(host, port)`` -> the addresses ``host`` resolves to, as strings, in the
#: order to try them. Raises OSError (socket.gaierror) when the name does not resolve.
Resolver = Callable[[str, int], Sequence[str]]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Net = Network


def _nets(*specs: str) -> tuple[_Net, ...]:
    return tuple(ipaddress.ip_network(spec) for spec in specs)


def parse_networks(specs: Sequence[str]) -> tuple[Network, ...]:
    """CIDRs ("10.0.0.0/8", "fd00::/8", or a bare address for one host) as networks; raises
    ValueError naming the first that is not one (host bits set included: "10.0.0.1/8"
    is refused rather than read as 10.0.0.0/8)."""
    networks = []
    for spec in specs:
        try:
            networks.append(ipaddress.ip_network(spec.strip()))
        except ValueError as exc:
            raise ValueError(f"{spec.strip()!r} is not a network in CIDR notation ({exc})") from None
    return tuple(networks)


# Each (networks, why) is refused whatever the policy's switches say.
_ALWAYS_REFUSED: tuple[tuple[tuple[_Net, ...], str], ...] = (
    (_nets("169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32"), "a cloud metadata address"),
    (_nets("169.254.0.0/16", "fe80::/10"), "a link-local address"),
    (_nets("0.0.0.0/8", "::/128"), "an unspecified address"),
    (_nets("224.0.0.0/4", "ff00::/8"), "a multicast address"),
    (_nets("240.0.0.0/4"), "a reserved address"),
)
_LOOPBACK = _nets("127.0.0.0/8", "::1/128")
# IPv4-compatible IPv6 (deprecated; ::1 is checked first) and local-use NAT64: never
# a real server's address, yet Python counts them as global.
_TRANSLATED = _nets("::/96", "64:ff9b:1::/48")
_PRIVATE = _nets("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's answer for ``host``: unique addresses, in its order."""
    found: list[str] = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(sockaddr[0])
        if address not in found:
            found.append(address)
    return found


def _in(address: IPAddress, networks: tuple[_Net, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one is translated to, when it carries one."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses connections may go to; see the module's docstring.

    ``what`` names the peer in refusal messages ("the Core Server", "the camera").
    ``resolver`` is injectable so that tests can answer any address for any name.
    ``networks``, when given, bounds every address but loopback to these networks
    (``allow_private`` then says nothing: the list does).
    """

    allow_loopback: bool = False
    allow_private: bool = False
    what: str = "the Core Server"
    resolver: Resolver = field(default=system_resolver, compare=False)
    networks: tuple[Network, ...] | None = None

    @classmethod
    def for_core_server(
        cls, *, allow_loopback: bool = False, allow_private: bool = False, resolver: Resolver | None = None
    ) -> AddressPolicy:
        """A partner's Core Server (or its gateway): public addresses only, unless the
        installation's operator allows loopback (the demo, tests) or private ranges (a
        Core Server on the operator's own network)."""
        return cls(allow_loopback, allow_private, "the Core Server", resolver or system_resolver)

    @classmethod
    def for_lan(
        cls,
        *,
        allow_loopback: bool = False,
        networks: Sequence[Network] | None = None,
        resolver: Resolver | None = None,
    ) -> AddressPolicy:
        """A camera's LAN API: private ranges are where cameras live, so they are
        allowed by design; metadata, link-local, multicast and the like still are not.
        With ``networks`` (the installation's LAN_ALLOWED_NETWORKS) a camera may be only
        in those; loopback still needs ``allow_loopback``, listed or not."""
        bound = None if networks is None else tuple(networks)
        return cls(allow_loopback, True, "the camera", resolver or system_resolver, bound)

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` is refused (a phrase such as "a private network address"),
        or None when connecting to it is allowed."""
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return self.refusal(embedded)
        for networks, why in _ALWAYS_REFUSED:
            if _in(address, networks):
                return why
        if _in(address, _LOOPBACK):
            return None if self.allow_loopback else "a loopback address (this machine)"
        if self.networks is not None:
            return None if _in(address, self.networks) else "outside the networks this installation allows"
        if _in(address, _PRIVATE):
            return None if self.allow_private else "a private network address"
        if _in(address, _TRANSLATED) or not address.is_global:
            return "not a public address"
        return None

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address ``host`` resolves to, each checked: raises
        :class:`~rop.errors.AddressRefused` when any of them is refused (a name that
        also answers a forbidden address is not trusted with the others), and lets
        the resolver's OSError through when the name does not resolve."""
        literal = _literal(host)
        if literal is not None:
            answers: list[IPAddress] = [literal]
        else:
            answers = [_parse_answer(raw) for raw in self.resolver(host, port)]
            if not answers:
                raise socket.gaierror(socket.EAI_NONAME, f"{host} has no address")
        for address in answers:
            why = self.refusal(address)
            if why is not None:
                shown = host if literal is not None else f"{host} ({address})"
                logger.warning("refused a connection to %s: %s", shown, why)
                raise AddressRefused(
                    f"The address of {self.what}, {shown}, is {why}: this installation does not let the "
                    "console connect there. Use another address, or ask the installation's operator.",
                    host=host,
                    address=str(address),
                )
        return answers


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _parse_answer(raw: str) -> IPAddress:
    # getaddrinfo may add a zone to a link-local IPv6 answer ("fe80::1%eth0").
    return ipaddress.ip_address(raw.split("%", 1)[0])


def validate_base_url(base_url: str) -> str:
    """The base URL without its trailing slash, or InvalidParameter: http or https, a
    host, a valid port, no user or password (they would be sent to whoever answers, and
    the gateway token has its own field), no query and no fragment (paths are appended
    to the base URL; a query or fragment there would swallow them)."""
    if not isinstance(base_url, str):
        raise InvalidParameter("The Core Server URL must be text.")
    if any(c.isspace() or ord(c) < 32 for c in base_url):
        raise InvalidParameter("The Core Server URL must not contain spaces or control characters.")
    parts = urlsplit(base_url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidParameter("The Core Server URL must start with http:// or https://.")
    if "@" in parts.netloc:
        raise InvalidParameter("The Core Server URL must not contain a user name or password.")
    if "?" in base_url or "#" in base_url:
        raise InvalidParameter("The Core Server URL must not have a query (?…) or a fragment (#…).")
    if not parts.hostname:
        raise InvalidParameter("The Core Server URL must name a host.")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        raise InvalidParameter("The Core Server URL has an invalid port.") from None
    return base_url.rstrip("/")


def url_host_port(base_url: str) -> tuple[str, int]:
    """The host and port a valid base URL connects to (the scheme's port by default)."""
    parts = urlsplit(base_url)
    return parts.hostname or "", parts.port or (443 if parts.scheme.lower() == "https" else 80)
