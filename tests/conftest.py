"""Named people and two partners, so every view gets tenancy tests cheaply.

- alice: admin of Acme        - olga: operator of Acme     - victor: viewer of Acme
- bob:   admin of Bolt (the other partner; Acme's people must never see Bolt's data)
- stella: staff, member of nothing, may open every partner
"""

import pytest
from django.contrib.auth import get_user_model

from devices.models import Device, Family
from partners.models import Membership, Partner, Role


def make_user(username, *, staff=False):
    return get_user_model().objects.create_user(username, f"{username}@example.com", "correct horse 42",
                                                is_staff=staff)


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
def acme_camera(acme):
    return Device.objects.create(partner=acme, uid="95270000ACME0001", display_name="Front gate",
                                 model="Argus 3 Pro", family=Family.BATTERY, firmware_version="v3.0.0.1",
                                 online=True, battery_percent=80)


@pytest.fixture
def bolt_camera(bolt):
    return Device.objects.create(partner=bolt, uid="95270000BOLT0001", display_name="Lobby",
                                 model="RLC-810A", family=Family.POWERED, firmware_version="v3.1.0.2", online=True)


@pytest.fixture
def client_of(client):
    """client_of(user) -> the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
