"""Numbers in a query string are ASCII digits: like the real Core Server (Node.js), ropsim refuses
"٣" or "²" as a channel or a year with invalid_parameter, and a date of non-ASCII digits too."""

from __future__ import annotations

import pytest

from .conftest import Api, symbol


@pytest.mark.parametrize("channel", ["٣", "²", "０"])
def test_it_refuses_a_channel_of_non_ascii_digits(shared: Api, channel: str) -> None:
    uid = shared.device(lambda d: not d.model.battery).uid
    r = shared.get(f"/v1.0/devices/{uid}/snap/snapshot.jpg", params={"channel": channel, "stream_type": "subStream"})
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"


def test_it_refuses_a_record_date_of_non_ascii_digits(shared: Api) -> None:
    uid = shared.device(lambda d: not d.model.battery).uid
    params = {"channel": "0", "record_date": "٢٠٢٤-٠١-٠١", "start_at": "00:00:00", "end_at": "01:00:00"}
    r = shared.get(f"/v1.0/devices/{uid}/records", params=params)
    assert r.status_code == 400 and symbol(r) == "invalid_parameter"
