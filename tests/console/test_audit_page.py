from django.urls import reverse

from audit import services as audit
from audit.models import AuditEntry
from audit.selectors import AUDIT_PAGE_SIZE


def audit_url(query=""):
    return reverse("audit", kwargs={"slug": "acme"}) + query


def test_it_lists_entries_newest_first(client_of, victor, alice, acme):
    audit.record(acme, "device.rename", user=alice, params={"name": "Gate"})
    audit.record(acme, "device.alarm", user=alice, params={"enabled": False})
    content = client_of(victor).get(audit_url()).content.decode()
    assert content.index("device.alarm") < content.index("device.rename")


def test_it_filters_by_action_and_device(client_of, victor, alice, acme, acme_camera):
    audit.record(acme, "device.rename", user=alice, target=acme_camera)
    audit.record(acme, "device.alarm", user=alice)
    response = client_of(victor).get(audit_url(f"?action=device.rename&device={acme_camera.uid.lower()}"))
    rows = response.context["rows"]
    assert [r.action for r in rows] == ["device.rename"]


def test_it_never_lists_another_partners_entries(client_of, victor, acme, bolt):
    audit.record(bolt, "device.rename")
    assert list(client_of(victor).get(audit_url()).context["rows"]) == []


def test_it_pages_with_a_keyset_and_htmx_partial(client_of, victor, acme):
    AuditEntry.objects.bulk_create(AuditEntry(partner=acme, action=f"a{i}") for i in range(AUDIT_PAGE_SIZE + 5))
    client = client_of(victor)
    first = client.get(audit_url())
    assert len(first.context["rows"]) == AUDIT_PAGE_SIZE
    before = first.context["next_before"]
    second = client.get(audit_url(f"?before={before}"), headers={"HX-Request": "true"})
    assert len(second.context["rows"]) == 5
    assert b"<html" not in second.content  # the rows partial only
    assert "HX-Request" in second["Vary"]


def test_it_survives_bad_filter_values(client_of, victor, acme):
    response = client_of(victor).get(audit_url("?since=notadate&before=-3"))
    assert response.status_code == 200


def test_it_scrubs_secrets_from_parameters(acme):
    entry = audit.record(acme, "device.wifi", params={"ssid": "Home", "key": "hunter22", "nested": {"password": "x"}})
    assert entry.params == {"ssid": "Home", "key": "••••", "nested": {"password": "••••"}}
