"""devices.selection: the one way bulk actions, rollouts and recordings searches choose
their devices (a selection or the list's filters), its one limit and its one id parser."""

import pytest
from django import forms
from django.http import QueryDict
from django.urls import reverse

from core.querystring import MAX_ID
from devices import selection
from devices.filters import Sort
from devices.models import Device, Family
from jobs.models import Job
from recordings.models import RecordingSearch


def _devices(partner, count, **fields):
    return Device.objects.bulk_create(
        Device(partner=partner, uid=f"95270000SEL{partner.slug[:1].upper()}{i:04d}", model="Argus 3 Pro", **fields)
        for i in range(count)
    )


def test_it_reads_a_selection_as_sorted_ids_each_once():
    assert selection.parse_ids(["7", "3", "7", str(MAX_ID)]) == [3, 7, MAX_ID]
    assert selection.parse_ids([]) == []


@pytest.mark.parametrize(
    "bad", ["x", "", "0", "-1", "+1", " 1", "1_000", "１", "²", str(MAX_ID + 1), "9" * 30, 5, None]
)
def test_it_refuses_anything_but_an_id_in_a_selection(bad):
    with pytest.raises(selection.InvalidSelection, match="The selection is not valid"):
        selection.parse_ids(["1", bad])


def test_it_refuses_a_selection_over_the_limit():
    assert len(selection.parse_ids([str(i) for i in range(1, selection.MAX_DEVICES + 1)])) == selection.MAX_DEVICES
    with pytest.raises(selection.TooManyDevices, match="more than 10,000 devices"):
        selection.parse_ids([str(i) for i in range(1, selection.MAX_DEVICES + 2)])
    with pytest.raises(selection.TooManyDevices, match="more than 2 devices"):
        selection.parse_ids(["1", "2", "3"], limit=2)


def test_it_reads_uids_each_once_and_refuses_what_is_not_one():
    assert selection.parse_uids(["B", "A", "B"]) == ["B", "A"]
    for bad in ("", "X" * 17, 5):
        with pytest.raises(selection.InvalidSelection):
            selection.parse_uids([bad])


def test_it_chooses_only_the_partners_devices(acme, bolt):
    mine, theirs = _devices(acme, 2), _devices(bolt, 1)
    ids = [mine[0].id, theirs[0].id]
    assert selection.resolve(acme, device_ids=ids) == [mine[0].id]
    assert selection.resolve(acme, uids=[mine[1].uid, theirs[0].uid]) == [mine[1].id]
    assert sorted(selection.resolve(acme, filters={})) == sorted(d.id for d in mine)


def test_it_chooses_the_devices_matching_the_filters_in_the_lists_order(acme):
    devices = _devices(acme, 3, family=Family.POWERED)
    chosen = selection.resolve(acme, filters={"model": "Argus 3 Pro"}, sort=Sort.parse("-uid"))
    assert chosen == [d.id for d in sorted(devices, key=lambda d: d.uid, reverse=True)]
    assert selection.resolve(acme, filters={"model": "Nothing"}) == []


def test_it_refuses_more_devices_than_the_limit(acme):
    _devices(acme, 3)
    assert len(selection.resolve(acme, filters={}, limit=3)) == 3
    with pytest.raises(selection.TooManyDevices):
        selection.resolve(acme, filters={}, limit=2)


class Chosen(forms.Form):
    device = selection.SelectionField(limit=2)


@pytest.mark.parametrize(
    ("ticked", "error"),
    [
        (["1", "x"], "The selection is not valid. Reload the page and select again."),
        (["99999999999999999999999"], "The selection is not valid. Reload the page and select again."),
        (["1", "2", "3"], "Select at most 2 devices, or use the filters."),
    ],
)
def test_it_gives_a_form_error_for_a_bad_selection(ticked, error):
    data = QueryDict(mutable=True)
    data.setlist("device", ticked)
    form = Chosen(data)
    assert not form.is_valid() and form.errors["device"] == [error]
    good = QueryDict(mutable=True)
    good.setlist("device", ["2", "1"])
    form = Chosen(good)
    assert form.is_valid() and form.cleaned_data["device"] == [1, 2]


def test_it_says_a_bulk_action_or_search_selection_is_bad_without_a_500(acme, client_of, olga):
    client = client_of(olga)
    bulk = client.post(reverse("bulk_start", kwargs={"slug": "acme"}), {"action": "refresh", "device": ["1", "2x"]})
    assert bulk.status_code == 302 and not Job.objects.exists()
    assert "The selection is not valid." in client.get(bulk["Location"]).content.decode()

    url = reverse("recording_searches", kwargs={"slug": "acme"})
    search = client.post(url, {"day": "2026-01-01", "device": ["X" * 40]})
    assert search.status_code == 400 and not RecordingSearch.objects.exists()
    assert "The selection is not valid." in search.content.decode()


def test_it_leaves_bad_ids_out_of_a_selection_when_asked_to():
    assert selection.parse_ids(["4", "x", str(2**64), "4"], drop_invalid=True) == [4]
    with pytest.raises(selection.TooManyDevices):
        selection.parse_ids(["x", "y", "z"], limit=2, drop_invalid=True)
