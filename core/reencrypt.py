"""Rewriting every encrypted value with the newest key of FIELD_ENCRYPTION_KEY, so that the
older keys can be removed (`manage.py reencrypt_secrets`).

The fields are found through the app registry, so a model that gains an EncryptedTextField is
covered without a change here. Rows are read and rewritten in batches (keyset on the primary
key), each batch locked and rewritten in one transaction so a value changed meanwhile is never
overwritten with an older one. A value the newest key already decrypts is left alone, which
makes a second run a no-op; a value no key decrypts is reported and left as it is."""

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast

from .encrypted_fields import EncryptedTextField, fernet

BATCH = 500
_RAW = "_stored_ciphertext"


@dataclass(frozen=True)
class UnreadableRow:
    model: str  # "partners.Partner"
    pk: Any
    field: str


@dataclass
class FieldReport:
    model: str
    field: str
    rewritten: int = 0
    current: int = 0
    unreadable: list[UnreadableRow] = dataclasses.field(default_factory=list)


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    for model in apps.get_models():
        for candidate in model._meta.concrete_fields:
            if isinstance(candidate, EncryptedTextField):
                yield model, candidate


def reencrypt_all(batch_size: int = BATCH) -> list[FieldReport]:
    return [reencrypt_field(model, encrypted, batch_size) for model, encrypted in encrypted_fields()]


def reencrypt_field(model: type[models.Model], encrypted: EncryptedTextField, batch_size: int = BATCH) -> FieldReport:
    newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())
    report = FieldReport(model._meta.label, encrypted.name)
    # The stored text as it is: a Cast to a plain text field skips the decrypting converter.
    rows = (
        model._base_manager.annotate(**{_RAW: Cast(encrypted.attname, models.TextField())})
        .exclude(**{f"{_RAW}__isnull": True})
        .exclude(**{_RAW: ""})
        .order_by("pk")
    )
    last: Any = None
    while True:
        with transaction.atomic():
            page = rows if last is None else rows.filter(pk__gt=last)
            batch = list(page.select_for_update().values_list("pk", _RAW)[:batch_size])
            if not batch:
                return report
            last = batch[-1][0]
            for pk, token in batch:
                _reencrypt_one(model, encrypted, pk, token, newest, report)


def _reencrypt_one(
    model: type[models.Model], encrypted: EncryptedTextField, pk: Any, token: str, newest: Fernet, report: FieldReport
) -> None:
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        pass
    else:
        report.current += 1
        return
    try:
        plain = fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        report.unreadable.append(UnreadableRow(report.model, pk, encrypted.name))
        return
    # update() encrypts through the field, with the newest key.
    model._base_manager.filter(pk=pk).update(**{encrypted.attname: plain})
    report.rewritten += 1
