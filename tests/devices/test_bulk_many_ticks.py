"""Ticking as many devices as a bulk job allows (devices.bulk.MAX_DEVICES, 10,000) starts the
job; a request with more fields than the console accepts answers a clear 400, never a 500."""

from django.conf import settings
from django.urls import reverse

from devices import bulk
from devices.bulk_forms import BulkActionForm
from devices.models import Device
from jobs.models import Job, JobItem


def many_devices(partner, count):
    Device.objects.bulk_create(
        [Device(partner=partner, uid=f"9527{i:012d}", online=True) for i in range(count)], batch_size=2000
    )
    return list(Device.objects.filter(partner=partner).values_list("id", flat=True))


def test_it_admits_the_bulk_forms_largest_selection_with_its_other_fields():
    # Every field of the form, the CSRF token, and one `device` per selected device.
    assert bulk.MAX_DEVICES + len(BulkActionForm.base_fields) + 1 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_it_starts_a_job_for_ten_thousand_ticked_devices(acme, client_of, olga):
    ids = many_devices(acme, bulk.MAX_DEVICES)
    response = client_of(olga).post(
        reverse("bulk_start", kwargs={"slug": "acme"}), {"action": "add_tag", "tag": "Many", "device": ids}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/jobs/{job.id}/")
    assert JobItem.objects.filter(job=job).count() == bulk.MAX_DEVICES


def test_it_answers_a_clear_400_above_the_field_limit(acme, client_of, olga):
    too_many = list(range(1, settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 2))
    response = client_of(olga).post(
        reverse("bulk_start", kwargs={"slug": "acme"}), {"action": "add_tag", "tag": "Many", "device": too_many}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bad request" in page and "10,000 devices" in page
    assert not Job.objects.exists()
