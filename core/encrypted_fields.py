"""A text field encrypted at rest with Fernet (AES-128-CBC + HMAC).

Values are encrypted with the first key of settings.FIELD_ENCRYPTION_KEYS and
decrypted with any of them, so keys rotate by prepending a new one (and
`manage.py reencrypt_secrets` rewrites every value with it, so old keys can go).
The plain value never reaches the database, logs or repr().

A stored value no key decrypts loads as an UnreadableSecret instead of raising:
one such row must not make every query that loads its model fail (the poll
sweeper loads every partner). Code that uses the secret checks is_unreadable().
"""

from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY is not a valid Fernet key: {exc}") from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


class UnreadableSecret(str):
    """A stored value that no key of FIELD_ENCRYPTION_KEY decrypts. It is the empty
    string (never sent anywhere as a secret) and keeps the ciphertext, so saving its
    row writes the stored value back unchanged rather than losing it."""

    ciphertext: str

    def __new__(cls, ciphertext: str) -> "UnreadableSecret":
        value = super().__new__(cls, "")
        value.ciphertext = ciphertext
        return value

    def __repr__(self) -> str:
        return "UnreadableSecret()"


def is_unreadable(value: object) -> bool:
    return isinstance(value, UnreadableSecret)


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("a stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY") from None


if TYPE_CHECKING:
    # django-stubs makes fields generic; Django itself does not subscript them at runtime.
    _TextField = models.TextField[str, str]
else:
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """Stores ciphertext; Python code sees plain text. Empty stays empty (no secret set)."""

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, UnreadableSecret):
            return value.ciphertext
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value in (None, ""):
            return value
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            return UnreadableSecret(value)
