import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from core import encrypted_fields
from partners.models import Partner


def test_it_still_decrypts_with_old_keys_after_rotation(settings):
    old_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    token = encrypted_fields.encrypt("gateway-secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    assert encrypted_fields.decrypt(token) == "gateway-secret"


def test_it_reports_a_wrong_key_as_a_configuration_error(settings):
    token = encrypted_fields.encrypt("gateway-secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        encrypted_fields.decrypt(token)


def test_it_keeps_an_empty_secret_empty(acme):
    assert Partner.objects.get(id=acme.id).gateway_token == ""
