"""The webhook answers odd channel ids with a clear 400, never a 500."""

import pytest

from alarms.models import AlarmEvent

from .test_webhook import BODY, hook, post


@pytest.mark.parametrize("channel", ["²", "٣", "1_0"])
def test_it_refuses_a_channel_id_of_non_ascii_digits_with_a_clear_400(client, acme, channel):
    response = post(client, hook(authcode=acme.webhook_secret), dict(BODY, channelId=channel))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["symbol"] == "invalid_parameter" and "channelId" in error["message"]
    assert not AlarmEvent.objects.exists()
