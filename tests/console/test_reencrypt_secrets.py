"""manage.py reencrypt_secrets: every encrypted value rewritten with the newest key, so the
old keys can be removed; values no key decrypts are reported and left as they are."""

from io import StringIO

from cryptography.fernet import Fernet
from django.core.management import call_command

from devices.models import Device
from partners.models import Partner

from .test_unreadable_secrets import write_under_unknown_key


def run(**options):
    out, err = StringIO(), StringIO()
    call_command("reencrypt_secrets", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_it_rewrites_every_encrypted_field_with_the_newest_key(settings, db):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    partners = [
        Partner.objects.create(name=f"P{i}", slug=f"p{i}", rop_base_url="http://127.0.0.1:9", gateway_token=f"tok-{i}")
        for i in range(5)
    ]
    secrets = {p.pk: p.webhook_secret for p in partners}
    device = Device.objects.create(partner=partners[0], uid="95270000ACME0001", lan_password="lan-pw")
    Partner.objects.create(name="No token", slug="none", rop_base_url="http://127.0.0.1:9")  # "" stays ""
    lost = Partner.objects.create(name="Lost", slug="lost", rop_base_url="http://127.0.0.1:9")
    write_under_unknown_key(settings, lost, gateway_token="gone")

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out, err = run(batch_size=2)
    # 5 tokens + 7 webhook secrets but Lost's token + 1 LAN password, under the old key.
    assert "partners.Partner.gateway_token: 5 rewritten, 0 already current, 1 unreadable" in out
    assert "partners.Partner.webhook_secret: 7 rewritten, 0 already current, 0 unreadable" in out
    assert "devices.Device.lan_password: 1 rewritten, 0 already current, 0 unreadable" in out
    assert f"partners.Partner id={lost.pk} gateway_token" in err

    # The old key can go: everything reads with the newest alone.
    settings.FIELD_ENCRYPTION_KEYS = [new]
    for partner in partners:
        fresh = Partner.objects.get(pk=partner.pk)
        assert fresh.gateway_token == partner.gateway_token and fresh.webhook_secret == secrets[partner.pk]
    assert Device.objects.get(pk=device.pk).lan_password == "lan-pw"
    assert Partner.objects.get(slug="none").gateway_token == ""
    assert Partner.objects.get(pk=lost.pk).gateway_token_unreadable

    # Idempotent: a second run has nothing left to do.
    out, _ = run()
    assert "partners.Partner.gateway_token: 0 rewritten, 5 already current, 1 unreadable" in out
    assert "devices.Device.lan_password: 0 rewritten, 1 already current, 0 unreadable" in out
