"""Loads the demo: an admin user and a partner wired to the local simulator.

Idempotent: running it again keeps the same user, password and partner."""

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from partners.models import Membership, Partner, Role

DEMO_SLUG = "demo"


class Command(BaseCommand):
    help = "Create the demo admin and the demo partner pointing at the local ropsim."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--env-file", help="Write the simulator's webhook settings here (for Procfile.dev).")

    def handle(self, *args: Any, env_file: str | None = None, **options: Any) -> None:
        port = os.environ.get("PORT", "8000")
        sim_port = os.environ.get("ROPSIM_PORT", "8900")
        password = self._admin_password()
        partner, created = Partner.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                "name": "Demo Integrator",
                "rop_base_url": f"http://127.0.0.1:{sim_port}",
                "gateway_auth_header": "Authorization",
                "gateway_token": os.environ.get("ROPSIM_TOKEN", ""),
            },
        )
        admin = get_user_model().objects.get(username="admin")
        Membership.objects.get_or_create(user=admin, partner=partner, defaults={"role": Role.ADMIN})
        if env_file:
            hook = f"http://127.0.0.1:{port}{reverse('alarm_webhook', kwargs={'slug': partner.slug})}"
            Path(env_file).write_text(f"DEMO_WEBHOOK_URL={hook}\nDEMO_WEBHOOK_SECRET={partner.webhook_secret}\n")
            Path(env_file).chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Demo partner: {partner.name} ({'created' if created else 'already there'})"
                f"\n  Log in at http://127.0.0.1:{port}/ as  admin / {password}\n"
            )
        )

    def _admin_password(self) -> str:
        """The demo admin's password, generated once and kept in var/ (never committed)."""
        path = Path(settings.VAR_DIR) / "demo-login.txt"
        User = get_user_model()
        user = User.objects.filter(username="admin").first()
        if path.exists() and user is not None:
            return path.read_text().strip()
        password = secrets.token_urlsafe(9)
        if user is None:
            User.objects.create_superuser("admin", "admin@example.com", password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(password + "\n")
        path.chmod(0o600)
        return password
