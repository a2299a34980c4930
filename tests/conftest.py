"""Named people and two partners, so every view gets tenancy tests cheaply.

- alice: admin of Acme        - olga: operator of Acme     - victor: viewer of Acme
- bob:   admin of Bolt (the other partner; Acme's people must never see Bolt's data)
- stella: staff (the Django admin site), member of nothing: opens no partner
- sam:    superuser, member of nothing, may open every partner
"""

import socket

import pytest
from django.contrib.auth import get_user_model

from devices.models import Device, Family
from partners.models import Membership, Partner, Role

# One naming rule for every test, healthchecks style: `test_it_...`, read as a sentence about the
# module or view the file tests ("it adds a member", "it forbids viewers"). A single rule keeps the
# suite's names readable as a list of behaviours and stops each file drifting into its own style,
# so collection refuses any test function that breaks it rather than leaving it to review.
TEST_NAME_PREFIX = "test_it_"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    bad = sorted(
        {
            f"{item.path.relative_to(config.rootpath)}::{item.originalname}"
            for item in items
            if isinstance(item, pytest.Function) and not item.originalname.startswith(TEST_NAME_PREFIX)
        }
    )
    if bad:
        listing = "\n  ".join(bad)
        raise pytest.UsageError(
            f"Test names must start with {TEST_NAME_PREFIX!r} and read as a sentence about the unit under test "
            f"(e.g. test_it_removes_a_member, test_it_forbids_viewers). Rename:\n  {listing}"
        )


@pytest.fixture(autouse=True)
def _fresh_shared_state():
    """The cache (once-a-day log keys, snapshots...) and the circuit breakers live in Redis
    keyed by partner ids and URLs, which repeat from one test, or one run, to the next:
    each test starts with an empty cache and every circuit closed."""
    from django.core.cache import cache

    from partners.circuit import close_all_circuits

    cache.clear()
    close_all_circuits()


def make_user(username, *, staff=False, superuser=False):
    return get_user_model().objects.create_user(
        username, f"{username}@example.com", "correct horse 42", is_staff=staff or superuser, is_superuser=superuser
    )


@pytest.fixture
def acme(db):
    return Partner.objects.create(name="Acme Security", slug="acme", rop_base_url="http://127.0.0.1:9")


@pytest.fixture
def bolt(db):
    return Partner.objects.create(name="Bolt Properties", slug="bolt", rop_base_url="http://127.0.0.1:9")


@pytest.fixture
def alice(acme):
    user = make_user("alice")
    Membership.objects.create(user=user, partner=acme, role=Role.ADMIN)
    return user


@pytest.fixture
def olga(acme):
    user = make_user("olga")
    Membership.objects.create(user=user, partner=acme, role=Role.OPERATOR)
    return user


@pytest.fixture
def victor(acme):
    user = make_user("victor")
    Membership.objects.create(user=user, partner=acme, role=Role.VIEWER)
    return user


@pytest.fixture
def bob(bolt):
    user = make_user("bob")
    Membership.objects.create(user=user, partner=bolt, role=Role.ADMIN)
    return user


@pytest.fixture
def stella(db):
    return make_user("stella", staff=True)


@pytest.fixture
def sam(db):
    return make_user("sam", superuser=True)


@pytest.fixture
def acme_camera(acme):
    return Device.objects.create(
        partner=acme,
        uid="95270000ACME0001",
        display_name="Front gate",
        model="Argus 3 Pro",
        family=Family.BATTERY,
        firmware_version="v3.0.0.1",
        online=True,
        battery_percent=80,
    )


@pytest.fixture
def bolt_camera(bolt):
    return Device.objects.create(
        partner=bolt,
        uid="95270000BOLT0001",
        display_name="Lobby",
        model="RLC-810A",
        family=Family.POWERED,
        firmware_version="v3.1.0.2",
        online=True,
    )


@pytest.fixture
def client_of(client):
    """client_of(user) -> the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def sim():
    """A fresh ropsim over real HTTP: 30 devices, gateway token required, fast upgrades."""
    from ropsim.testing import SimConfig, start_in_thread

    with start_in_thread(
        SimConfig(devices=30, seed=7, token="sim-token", upgrade_seconds=0.3, wifi_scan_seconds=0.3)
    ) as running:
        yield running


@pytest.fixture
def acme_on_sim(acme, sim):
    """Acme pointed at the simulator, with a budget high enough not to slow tests."""
    acme.rop_base_url = sim.base_url
    acme.gateway_token = "sim-token"
    acme.request_budget = 500
    acme.save()
    return acme


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (threads) on the test broker, for behaviour that depends on one.
    Tests using it need committed data: it comes with transactional_db."""
    from celery.contrib.testing.worker import start_worker

    from rop_fleet.celery import app

    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=20) as worker:
        yield worker


class FakeDns:
    """Name resolution for the reserved .example domain (RFC 2606: never in real DNS),
    so console tests can choose what a Core Server's name resolves to. Every other name
    goes to the system resolver. A name without an answer set resolves to a public
    address; `answer(host)` with no address makes it fail to resolve."""

    PUBLIC = "93.184.215.14"

    def __init__(self, system_getaddrinfo):
        self._system = system_getaddrinfo
        self.answers: dict[str, list[str]] = {}

    def answer(self, host: str, *addresses: str) -> None:
        self.answers[host] = list(addresses)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if not isinstance(name, str) or not name.rstrip(".").endswith(".example"):
            return self._system(host, port, family, type, proto, flags)
        addresses = self.answers.get(name.rstrip("."), [self.PUBLIC])
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        number = int(port or 0)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, number, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, number))
            for address in addresses
        ]


@pytest.fixture
def fake_dns(monkeypatch):
    """The operating system's resolver, answering .example names as the test says."""
    dns = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns
