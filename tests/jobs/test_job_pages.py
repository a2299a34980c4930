"""The jobs list (every kind, newest first, keyset pages) and a job's page."""

from django.urls import reverse

from jobs import selectors
from jobs.models import ItemState, JobItem

from .conftest import scripted_job


def list_url(slug="acme"):
    return reverse("job_list", kwargs={"slug": slug})


def test_it_lists_every_job_of_the_partner_newest_first(acme, bolt, olga, client_of, victor):
    older = scripted_job(acme, {1: ["done:ok"], 2: ["done:ok"]}, action="older")
    newer = scripted_job(acme, {1: ["done:ok"]}, action="newer")
    JobItem.objects.filter(job=older, target_id=1).update(state=ItemState.DONE, result="ok")
    others = scripted_job(bolt, {1: ["done:ok"]}, action="bolts")
    body = client_of(victor).get(list_url()).content.decode()
    assert body.index("Scripted job newer") < body.index("Scripted job older")
    assert "Scripted job bolts" not in body and f"/jobs/{others.id}/" not in body
    assert f'href="/p/acme/jobs/{newer.id}/"' in body
    assert '<progress value="1" max="2">' in body and "1 of 2" in body
    assert "Queued" in body and "script" in body and "system" in body
    assert 'href="/p/acme/jobs/"' in body  # the nav's Jobs link


def test_it_pages_the_jobs_list_by_keyset(acme, client_of, victor, monkeypatch):
    monkeypatch.setattr(selectors, "JOBS_PAGE_SIZE", 2)
    jobs = [scripted_job(acme, {1: ["done:ok"]}, action=f"n{i}") for i in range(5)]
    client = client_of(victor)
    first = client.get(list_url()).content.decode()
    assert "Scripted job n4" in first and "Scripted job n3" in first and "Scripted job n2" not in first
    assert f"?after={jobs[3].id}" in first
    more = client.get(list_url(), {"after": jobs[3].id}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in more and "Scripted job n2" in more and "Scripted job n1" in more
    assert "Scripted job n4" not in more
    for bad in ["x", "-1", "9" * 30, "²"]:
        response = client.get(list_url(), {"after": bad})
        assert response.status_code == 200 and "Scripted job n4" in response.content.decode()


def test_it_shows_a_jobs_targets_results_and_open_states(acme, client_of, victor):
    job = scripted_job(acme, {7: ["done:ok"], 8: ["retry"], 9: ["done:ok"]})
    JobItem.objects.filter(job=job, target_id=7).update(state=ItemState.DONE, result="failed", message="Bad image.")
    JobItem.objects.filter(job=job, target_id=8).update(state=ItemState.WAITING, message="Not yet.", attempts=2)
    client = client_of(victor)
    url = reverse("job_detail", kwargs={"slug": "acme", "job_id": job.id})
    page = client.get(url).content.decode()
    assert "Target 7" in page and "Bad image." in page and "(2 attempts)" in page
    assert "1 of 3 finished" in page and "1 waiting" in page and 'hx-trigger="every 1s"' in page
    waiting = client.get(url, {"result": "waiting"}, headers={"HX-Request": "true"}).content.decode()
    assert "Target 8" in waiting and "Target 7" not in waiting and "Target 9" not in waiting
    failed = client.get(url, {"result": "failed"}).content.decode()
    assert "Target 7" in failed and "Target 8" not in failed
    unknown = client.get(url, {"result": "<script>"}).content.decode()
    assert "Target 7" in unknown and "Target 9" in unknown
