import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from core import encrypted_fields
from partners.models import Partner


def test_old_keys_still_decrypt_after_rotation(settings):
    old_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    token = encrypted_fields.encrypt("gateway-secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    assert encrypted_fields.decrypt(token) == "gateway-secret"


def test_a_wrong_key_is_a_clear_configuration_error(settings):
    token = encrypted_fields.encrypt("gateway-secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        encrypted_fields.decrypt(token)


def test_an_empty_secret_stays_empty(acme):
    assert Partner.objects.get(id=acme.id).gateway_token == ""
