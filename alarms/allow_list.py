"""A partner's optional IP allow-list for the alarm webhook: CIDRs, empty = any address.

Stored normalised (ipaddress' own spelling, host bits cleared), so the webhook only
parses and compares; the settings form is where odd input is refused."""

import ipaddress
from collections.abc import Iterable

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[list[str], list[str]]:
    """(normalised CIDRs, problems) from one entry per line or comma; blanks and
    duplicates dropped. A bare address is a network of one."""
    networks: list[str] = []
    problems: list[str] = []
    for raw in text.replace(",", "\n").splitlines():
        entry = raw.strip()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            problems.append(f"{entry[:60]!r} is not an address or a network such as 203.0.113.0/24.")
            continue
        if str(network) not in networks:
            networks.append(str(network))
    return networks, problems


def address_allowed(address: str | None, networks: Iterable[str]) -> bool:
    """Whether `address` (the client's, as ipware found it) falls in one of `networks`;
    any address when there are none, no address (unknown) when there are some."""
    allowed = list(networks)
    if not allowed:
        return True
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    # An IPv4 client seen through an IPv6 socket arrives as ::ffff:a.b.c.d.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for cidr in allowed:
        try:
            if ip in ipaddress.ip_network(cidr):
                return True
        except ValueError:
            continue  # not written by the form; ignore rather than fail every alarm
    return False
