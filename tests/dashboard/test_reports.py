"""The reports page: each chart's figures from known data, the period, tenancy."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from alarms.models import AlarmEvent
from dashboard import report_charts, report_data
from devices.models import Device, DeviceHealthSample, Family
from firmware.models import FirmwareImage, Rollout
from jobs.models import Job, JobItem

NOW = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)


def reports_url(slug="acme", **query):
    url = reverse("reports", kwargs={"slug": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def device(partner, i, **fields):
    return Device.objects.create(partner=partner, uid=f"{partner.slug.upper()[:4]}{i:012d}", **fields)


def samples(dev, when, *online):
    DeviceHealthSample.objects.bulk_create(
        [
            DeviceHealthSample(device=dev, taken_at=when + dt.timedelta(minutes=i), online=o)
            for i, o in enumerate(online)
        ]
    )


def test_it_counts_firmware_versions_per_model(acme, bolt):
    for i, fw in enumerate(["v1", "v1", "v2"]):
        device(acme, i, model="Argus 2", firmware_version=fw)
    device(acme, 9, model="RLC-810A", firmware_version="v9")
    device(bolt, 1, model="Argus 2", firmware_version="v7")  # another partner's
    chart = report_charts.firmware_bars(report_data.report(acme, 7, NOW)["firmware"])
    bars = {bar["model"]: bar for bar in chart["bars"]}
    assert bars["Argus 2"]["total"] == 3
    assert [(s["label"], s["count"]) for s in bars["Argus 2"]["segments"]] == [("v1", 2), ("v2", 1)]
    # Segments share the whole width in proportion: 2/3 and 1/3 of 700.
    assert [s["width"] for s in bars["Argus 2"]["segments"]] == [466.7, 233.3]
    assert [(s["label"], s["count"]) for s in bars["RLC-810A"]["segments"]] == [("v9", 1)]


def test_it_labels_firmware_segments_from_the_build_date_the_bar_already_naming_the_model(acme):
    for i, fw in enumerate(["Argus_2_220610_1102", "RLN8_410_230214_2399", "v3.0.0.2356_23051500"]):
        device(acme, i, model=f"Model {i}", firmware_version=fw)
    chart = report_charts.firmware_bars(report_data.report(acme, 7, NOW)["firmware"])
    shorts = [s["short"] for bar in chart["bars"] for s in bar["segments"]]
    assert shorts == ["220610_1102", "230214_2399", "v3.0.0.2356_23051500"]


def test_it_says_since_when_a_young_console_has_polls_and_marks_the_latest(acme):
    samples(device(acme, 1), NOW - dt.timedelta(hours=2), True, False)
    hourly = report_data.online_share(acme, 7, NOW)
    chart = report_charts.online_line(hourly, report_data.period_start(7, NOW), NOW, hourly=True)
    assert chart["since"] == hourly[0].start and chart["last"] == {"x": chart["last"]["x"], "y": 80.0}


def test_it_aggregates_the_online_share_per_hour_for_a_week_and_per_day_beyond(acme, bolt):
    a, b = device(acme, 1), device(acme, 2)
    samples(a, NOW - dt.timedelta(hours=2), True, True, False)  # 13:30..13:32
    samples(b, NOW - dt.timedelta(hours=2), True)
    samples(a, NOW - dt.timedelta(hours=1), False)  # 14:30
    samples(a, NOW - dt.timedelta(days=10), True, False)
    samples(device(bolt, 1), NOW - dt.timedelta(hours=2), False, False)  # another partner's
    hourly = report_data.online_share(acme, 7, NOW)
    assert [(p.start.hour, p.samples, p.online, p.percent) for p in hourly] == [(13, 4, 3, 75.0), (14, 1, 0, 0.0)]
    daily = report_data.online_share(acme, 30, NOW)
    assert [(p.start.date(), p.samples, p.online) for p in daily] == [
        ((NOW - dt.timedelta(days=10)).date(), 2, 1),
        (NOW.date(), 5, 3),
    ]
    chart = report_charts.online_line(hourly, report_data.period_start(7, NOW), NOW, hourly=True)
    # 75 % is 40 units below the top of a 160-high plot; 0 % is its bottom.
    assert [point.split(",")[1] for point in chart["line"].split()] == ["40.0", "160.0"]


def test_it_bins_battery_devices_by_charge(acme):
    for i, percent in enumerate([0, 9, 10, 55, 99, 100, None]):
        device(acme, i, family=Family.BATTERY, battery_percent=percent)
    device(acme, 20, family=Family.POWERED, battery_percent=None)
    battery = report_data.battery_bins(acme)
    assert battery == {"bins": [2, 1, 0, 0, 0, 1, 0, 0, 0, 2], "unknown": 1}
    chart = report_charts.battery_columns(battery)
    assert [c["label"] for c in chart["columns"]][-1] == "90–100"
    assert [c["height"] for c in chart["columns"]][:3] == [160.0, 80.0, 0.0]


def test_it_counts_alarms_per_day_by_ai_type(acme, bolt):
    def alarm(partner, when, ai_types, count=1, status="MD"):
        AlarmEvent.objects.create(
            partner=partner,
            device_uid="ACME000000000001",
            status=status,
            ai_types=ai_types,
            received_at=when,
            last_seen_at=when,
            count=count,
        )

    alarm(acme, NOW - dt.timedelta(hours=1), ["people"], count=3)  # a folded burst of three
    alarm(acme, NOW - dt.timedelta(hours=2), ["people", "vehicle"])
    alarm(acme, NOW - dt.timedelta(days=1), [], status="IOAlarm")
    alarm(acme, NOW - dt.timedelta(days=8), ["vehicle"])  # before the 7 days
    alarm(bolt, NOW - dt.timedelta(hours=1), ["people"], count=50)  # another partner's
    alarms = report_data.alarms_by_type(acme, 7, NOW)
    assert len(alarms["days"]) == 7 and alarms["days"][-1] == NOW.date()
    assert alarms["types"] == ["people", "vehicle", "none"]
    assert alarms["counts"]["people"][-1] == 4
    assert alarms["counts"]["vehicle"][-1] == 1
    assert alarms["counts"]["none"][-2] == 1
    assert sum(sum(c) for c in alarms["counts"].values()) == 6
    chart = report_charts.alarm_columns(alarms)
    assert chart["total"] == 6
    today = chart["columns"][-1]
    assert today["total"] == 5
    assert [(s["type"], s["count"], s["height"]) for s in today["segments"]] == [
        ("people", 4, 128.0),
        ("vehicle", 1, 32.0),
    ]


def rollout(partner, name, results, created_at=None):
    image = FirmwareImage.objects.get_or_create(partner=partner, file_name=f"{name}.pak")[0]
    job = Job.objects.create(partner=partner, kind="rollout", action="upgrade", state="running")
    r = Rollout.objects.create(partner=partner, job=job, image=image, name=name, waves=[100])
    if created_at:
        Rollout.objects.filter(id=r.id).update(created_at=created_at)
    JobItem.objects.bulk_create([JobItem(job=job, target_id=i, result=res) for i, res in enumerate(results)])
    return r


def test_it_rates_rollouts_by_their_devices_results(acme, bolt):
    rollout(acme, "Spring", ["succeeded"] * 6 + ["same_version"] * 2 + ["failed"] * 2 + ["deferred", "", ""])
    rollout(acme, "Fresh", ["", ""])
    rollout(acme, "Old", ["failed"], created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=40))
    rollout(bolt, "Theirs", ["failed"])
    rates = {r.name: r for r in report_data.rollout_rates(acme, 30, dt.datetime.now(dt.UTC))}
    assert set(rates) == {"Spring", "Fresh"}
    spring = rates["Spring"]
    assert (spring.succeeded, spring.failed, spring.other, spring.pending) == (8, 2, 1, 2)
    assert spring.percent == 80.0
    assert rates["Fresh"].percent is None
    assert "Old" in {r.name for r in report_data.rollout_rates(acme, 90, dt.datetime.now(dt.UTC))}
    bars = report_charts.rollout_bars([spring])["bars"][0]["segments"]
    assert [(s["kind"], s["count"]) for s in bars] == [("succeeded", 8), ("failed", 2), ("other", 1), ("pending", 2)]


@pytest.fixture
def fleet_with_history(acme):
    now = dt.datetime.now(dt.UTC)
    cam = device(acme, 1, model="Argus 2", firmware_version="v3.1", family=Family.BATTERY, battery_percent=42)
    samples(cam, now - dt.timedelta(hours=3), True, False)
    samples(cam, now - dt.timedelta(days=20), True)
    AlarmEvent.objects.create(partner=acme, device_uid=cam.uid, status="MD", ai_types=["dog_cat"])
    rollout(acme, "Autumn wave", ["succeeded", "failed"])
    return cam


def test_it_shows_every_chart_with_its_table_to_a_viewer(client_of, victor, fleet_with_history):
    response = client_of(victor).get(reports_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('role="img"') == 5  # five charts, each an image with a title
    titles = re.findall(r'role="img" aria-labelledby="([\w-]+)"', body)
    assert len(titles) == 5 and all(f'<title id="{t}">' in body for t in titles)
    assert "Argus 2" in body and "v3.1" in body
    assert "<td>40–49 %</td><td>1</td>" in body
    assert "Dog/cat" in body
    assert "Autumn wave" in body and "50.0 %" in body
    assert 'aria-current="page">7 days' in body


def test_it_switches_the_period(client_of, victor, fleet_with_history):
    client = client_of(victor)
    week = client.get(reports_url()).content.decode()
    month = client.get(reports_url(days=30)).content.decode()
    assert "Last 7 days" in week and "per hour" in week
    assert "Last 30 days" in month and "per day" in month
    # The 20-day-old poll shows in the month only.
    assert (dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).strftime("%Y-%m-%d") in month
    assert 'aria-current="page">30 days' in month


def test_it_answers_the_charts_alone_to_htmx(client_of, victor, fleet_with_history):
    response = client_of(victor).get(reports_url(days=90), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="report-charts"') and "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_it_says_when_the_period_is_not_one_it_offers(client_of, victor, acme):
    response = client_of(victor).get(reports_url(days="365"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Period:" in body and "Last 7 days" in body


def test_it_hides_another_partners_reports(client_of, bob, acme, fleet_with_history):
    response = client_of(bob).get(reports_url())
    assert response.status_code == 404
    assert b"Autumn wave" not in response.content


def test_it_links_the_reports_page_from_the_menu(client_of, victor, acme):
    body = client_of(victor).get(reverse("overview", kwargs={"slug": "acme"})).content.decode()
    assert f'href="{reports_url()}"' in body


def test_it_refuses_changes_on_the_reports_page(client_of, alice, acme):
    assert client_of(alice).post(reports_url()).status_code == 405
