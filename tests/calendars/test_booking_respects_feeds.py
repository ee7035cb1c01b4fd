"""External busy time counts wherever Labtorget computes availability, and its private text never shows."""

import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from booking import selectors
from calendars import services
from calendars.models import ExternalCalendar
from tests.calendars.conftest import feed_text, oslo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_WORDS = ["Secret project Falcon", "Dr. Hansen", "Patient samples", "Service visit by Vendor AS",
                 "Overnight run"]  # fmt: skip


@pytest.fixture
def federated(feed_server, resource, base):
    """The resource with the BookitLab test feed read: busy on day 0 09-11, all of day 2, the clock-change night."""
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    calendar = ExternalCalendar.objects.create(resource=resource, url=feed_server.url("/lab.ics"), name="BookitLab")
    assert services.external_calendar_sync(calendar_id=calendar.pk).error == ""
    return calendar


@pytest.fixture
def company(db):
    return UserFactory(company_name="Biotek AS", org_number="988077917")


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _book(user, resource, start, end):
    return _api(user).post(
        "/api/v1/bookings/",
        {"resource": resource.pk, "start": start.isoformat(), "end": end.isoformat(), "activity": "economic",
         "access_model": "rental", "purpose": "Måling"},
        format="json",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("situation", "day", "start", "end", "status"),
    [
        ("inside the series' first instance", 0, 9, 11, 409),
        ("overlapping its end", 0, 10, 12, 409),
        ("right after it", 0, 11, 13, 201),
        ("the date left out by EXDATE", 7, 9, 11, 201),
        ("the moved instance's old time", 14, 9, 11, 201),
        ("the moved instance's new time", 14, 13, 15, 409),
        ("the cancelled instance", 21, 9, 11, 201),
        ("the all-day event", 2, 12, 14, 409),
        ("a free (transparent) event", 1, 9, 10, 201),
    ],
)
def test_booking_is_refused_where_the_feed_is_busy_with_alternatives(
    federated, resource, company, base, situation, day, start, end, status
):
    when = base + datetime.timedelta(days=day)
    response = _book(company, resource, oslo(when, start), oslo(when, end))
    assert response.status_code == status, (situation, response.json())
    if status == 409:
        body = response.json()
        assert body["code"] == "slot_taken" and body["alternatives"]
        for alternative in body["alternatives"]:
            alt_start = datetime.datetime.fromisoformat(alternative["start"])
            alt_end = datetime.datetime.fromisoformat(alternative["end"])
            assert not any(s < alt_end and alt_start < e for s, e in _external(resource, alt_start, alt_end))


def _external(resource, start, end):
    from calendars.selectors import external_busy_of

    return external_busy_of([resource.pk], start, end).get(resource.pk, [])


def test_availability_counts_the_feed_as_busy(federated, resource, company, base):
    start, end = oslo(base, 0), oslo(base + datetime.timedelta(days=3), 0)
    body = (
        _api(company)
        .get(f"/api/v1/resources/{resource.pk}/availability/", {"start": start.isoformat(), "end": end.isoformat()})
        .json()
    )
    free = [
        (datetime.datetime.fromisoformat(i["start"]), datetime.datetime.fromisoformat(i["end"])) for i in body["free"]
    ]
    assert not any(s < oslo(base, 11) and oslo(base, 9) < e for s, e in free)
    assert not any(s < oslo(base + datetime.timedelta(days=3), 0) and oslo(base + datetime.timedelta(days=2), 0) < e
                   for s, e in free)  # fmt: skip
    assert any(s <= oslo(base, 11) < e for s, e in free)
    assert body["external_calendars"]["last_updated"] and body["external_calendars"]["stale"] is False


def test_the_free_capacity_search_skips_external_busy_time(federated, resource, company, base):
    # The resource is open 07-19; the feed takes 09-11 on day 0, so the first free 3 hours from 08:00 start at 11:00.
    windows = selectors.free_capacity_windows(
        start=oslo(base, 8), end=oslo(base, 19), duration=datetime.timedelta(hours=3), user=company
    )
    mine = [window for window in windows if window.resource.pk == resource.pk]
    assert mine and mine[0].start == oslo(base, 11)
    all_day = selectors.free_capacity_windows(
        start=oslo(base + datetime.timedelta(days=2), 0), end=oslo(base + datetime.timedelta(days=3), 0),
        duration=datetime.timedelta(hours=1), user=company,
    )  # fmt: skip
    assert resource.pk not in [window.resource.pk for window in all_day]


def test_a_failing_feed_keeps_blocking_its_last_known_busy_time(feed_server, federated, resource, company, base):
    feed_server.routes["/lab.ics"] = {"body": b"<html>Maintenance</html>"}
    assert services.external_calendar_sync(calendar_id=federated.pk).error == "not_calendar"
    assert _book(company, resource, oslo(base, 9), oslo(base, 11)).status_code == 409


def test_private_text_of_the_feed_never_shows(federated, resource, company, base):
    from tests.factories import FacilityManagerFactory

    manager = FacilityManagerFactory(facility=resource.facility).user
    week = f"?week={base:%Y-%m-%d}"
    week_period = {"start": oslo(base, 0).isoformat(), "end": oslo(base + datetime.timedelta(days=7), 0).isoformat()}
    pages = []
    for user in (None, company, manager):
        client = Client()
        if user is not None:
            client.force_login(user)
        pages += [
            client.get(f"/resources/{resource.pk}/book/{week}"),
            client.get(f"/calendar/resources/{resource.pk}.ics"),
            client.get(f"/api/v1/resources/{resource.pk}/availability/", week_period),
        ]  # fmt: skip
    manager_client = Client()
    manager_client.force_login(manager)
    pages.append(manager_client.get(f"/resources/{resource.pk}/external-calendars/"))
    pages.append(manager_client.get(f"/api/v1/resources/{resource.pk}/external-calendars/"))
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert not [word for word in PRIVATE_WORDS if word in text]


def test_managers_see_external_time_labelled_with_its_source_and_others_do_not(federated, resource, company, base):
    from tests.factories import FacilityManagerFactory

    manager = FacilityManagerFactory(facility=resource.facility).user
    monday = datetime.datetime.combine(base, datetime.time())
    from booking.views import week_calendars

    managed = week_calendars([resource], manager, base, sources_for={resource.pk})[resource.pk]
    plain = week_calendars([resource], company, base)[resource.pk]
    assert [busy["source"] for busy in managed[0]["external"]] == ["BookitLab"]
    assert managed[0]["external"][0]["start"].hour == 9
    assert plain[0]["external"] == []
    assert monday.date() == managed[0]["date"]


def test_the_resource_page_says_when_the_feed_was_last_read(federated, resource, company):
    client = Client()
    client.force_login(company)
    page = client.get(f"/facilities/{resource.facility.slug}/").content.decode()
    assert "sist oppdatert" in page or "last updated" in page


@pytest.fixture
def booked_locally(federated, resource):
    policy = resource.booking_policy
    policy.booked_in_local_system = True
    policy.local_system_name = "BookitLab"
    policy.local_booking_url = "https://bookitlab.example.org/book?instrument=7&from={start}&to={end}"
    policy.full_clean()
    policy.save()
    return resource


def test_a_resource_booked_in_the_local_system_is_not_booked_here(booked_locally, company, base):
    response = _book(company, booked_locally, oslo(base, 12), oslo(base, 14))
    assert response.status_code == 400
    assert response.json()["code"] == "not_bookable" and "BookitLab" in response.json()["detail"]


def test_the_search_offers_its_free_time_with_a_link_to_the_local_system(booked_locally, company, base):
    windows = selectors.free_capacity_windows(
        start=oslo(base, 8), end=oslo(base, 19), duration=datetime.timedelta(hours=3), user=company
    )
    window = next(window for window in windows if window.resource.pk == booked_locally.pk)
    assert window.start == oslo(base, 11)
    assert window.local_url == (
        f"https://bookitlab.example.org/book?instrument=7&from={base:%Y-%m-%d}T11:00&to={base:%Y-%m-%d}T14:00"
    )
    body = (
        _api(company)
        .get(
            "/api/v1/availability/",
            {"start": oslo(base, 8).isoformat(), "end": oslo(base, 19).isoformat(), "duration": "PT3H"},
        )
        .json()
    )
    result = next(result for result in body["results"] if result["resource"] == booked_locally.pk)
    assert result["booked_in"] == {"system": "local", "name": "BookitLab", "url": window.local_url}


def test_the_book_page_shows_the_free_time_and_the_link_instead_of_a_form(booked_locally, company, base):
    client = Client()
    client.force_login(company)
    page = client.get(f"/resources/{booked_locally.pk}/book/?week={base:%Y-%m-%d}").content.decode()
    assert "bookitlab.example.org/book?instrument=7" in page
    assert 'name="activity"' not in page


@pytest.mark.parametrize(
    ("template", "valid"),
    [
        ("https://bookitlab.example.org/book?from={start}&to={end}", True),
        ("https://bookitlab.example.org/day/{date}", True),
        ("https://bookitlab.example.org/", True),
        ("javascript:alert(1)", False),
        ("https://bookitlab.example.org/book?user={user}", False),
        ("not an address", False),
    ],
)
def test_the_local_booking_address_must_be_a_web_address_with_known_placeholders(resource, template, valid):
    from django.core.exceptions import ValidationError

    policy = resource.booking_policy
    policy.booked_in_local_system, policy.local_system_name, policy.local_booking_url = True, "BookitLab", template
    if valid:
        policy.full_clean()
    else:
        with pytest.raises(ValidationError) as refused:
            policy.full_clean()
        assert "local_booking_url" in refused.value.message_dict


@pytest.mark.postgres
def test_the_external_check_costs_no_query_and_keeps_the_insert_statement_cached(federated, resource, company, base):
    """The booking's check and insert stay one statement with the external busy time in it; psycopg keeps the parsed
    form of a statement only up to 50 parameters and 4096 characters (MAX_CACHED_STATEMENT_*), past which every
    booking would parse it anew."""
    from django.db import connection

    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert _book(company, resource, oslo(base, 9), oslo(base, 10)).status_code == 409
        assert _book(company, resource, oslo(base, 12), oslo(base, 13)).status_code == 201
    inserts = [(sql, params) for sql, params in seen if "INSERT INTO" in sql and "blocked" in sql]
    assert len(inserts) == 2 and all("calendars_externalbusyinterval" in sql for sql, _params in inserts)
    assert all(len(params) <= 50 and len(sql) <= 4096 for sql, params in inserts)


def test_the_book_page_labels_external_time_for_managers_only(federated, resource, company, base):
    from tests.factories import FacilityManagerFactory

    manager = FacilityManagerFactory(facility=resource.facility).user
    pages = {}
    for name, user in (("manager", manager), ("company", company)):
        client = Client()
        client.force_login(user)
        pages[name] = client.get(f"/resources/{resource.pk}/book/?week={base:%Y-%m-%d}").content.decode()
    assert "BookitLab" in pages["manager"]
    assert "BookitLab" not in pages["company"]
