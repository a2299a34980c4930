"""manage.py reencrypt_secrets: rewrite every encrypted value with the newest key (core.reencrypt)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.reencrypt import BATCH, reencrypt_all


class Command(BaseCommand):
    help = (
        "Rewrite every encrypted field of every model with the newest key of FIELD_ENCRYPTION_KEY "
        "(the first one), so the older keys can be removed. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH, help="Rows read and rewritten per transaction.")

    def handle(self, *args: Any, batch_size: int = BATCH, **options: Any) -> None:
        unreadable = 0
        for report in reencrypt_all(max(1, batch_size)):
            self.stdout.write(
                f"{report.model}.{report.field}: {report.rewritten} rewritten, {report.current} already current, "
                f"{len(report.unreadable)} unreadable"
            )
            for row in report.unreadable:
                self.stderr.write(f"cannot decrypt {row.model} id={row.pk} {row.field}")
            unreadable += len(report.unreadable)
        if unreadable:
            # Left as they are: removing the old keys now would not change them, and whoever
            # still has the key they were written with can run this command again with it.
            self.stderr.write(
                self.style.WARNING(
                    f"{unreadable} value(s) could not be decrypted with any key and were left as they are; "
                    "re-enter them (partner settings) or add back the key they were written with."
                )
            )
