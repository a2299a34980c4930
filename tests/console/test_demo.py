from django.contrib.auth import get_user_model
from django.core.management import call_command

from partners.models import Membership, Partner


def test_it_loads_twice_without_failing_or_duplicating(db, tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    env_file = tmp_path / "demo.env"
    call_command("load_demo", env_file=str(env_file))
    first = capsys.readouterr().out
    call_command("load_demo", env_file=str(env_file))
    second = capsys.readouterr().out
    assert Partner.objects.filter(slug="demo").count() == 1
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert Membership.objects.filter(partner__slug="demo").count() == 1
    password = (tmp_path / "demo-login.txt").read_text().strip()
    assert f"admin / {password}" in first and f"admin / {password}" in second
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert "DEMO_WEBHOOK_SECRET=" in env_file.read_text()
