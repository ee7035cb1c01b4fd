"""Bad input on the booking API is a 400 naming the field (or a 404), never a 500."""

import pytest
from rest_framework.test import APIClient

from booking.models import Booking
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory

pytestmark = pytest.mark.django_db
TOO_BIG = 10**20


@pytest.fixture
def api(company_user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(company_user)
    return client


def _booking(resource):
    return {
        "resource": resource.pk,
        "start": days_ahead(3, 10).isoformat(),
        "end": days_ahead(3, 12).isoformat(),
        "access_model": "rental",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"resource": TOO_BIG}, "resource"),
        ({"resource": "x"}, "resource"),
        ({"start": "2027-02-30T10:00:00+01:00"}, "start"),
        ({"start": "yesterday"}, "start"),
        ({"activity": "fun"}, "activity"),
        ({"activity": "non_economic"}, "activity"),  # a company renting: economic, whatever it says
        ({"access_model": "collaboration"}, "collaboration_agreement"),  # no agreement names it
        ({"collaboration_agreement": 1}, "collaboration_agreement"),  # an agreement for rental
        ({"collaboration_agreement": TOO_BIG}, "collaboration_agreement"),
        ({"access_model": 3}, "access_model"),
        ({"repeat": "weekly"}, "until"),
        ({"repeat": "weekly", "until": "not-a-date"}, "until"),
        ({"repeat": "hourly", "count": 2}, "repeat"),
    ],
)
def test_wrong_values_name_the_field(api, resource, change, field):
    response = api.post("/api/v1/bookings/", {**_booking(resource), **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("field", ["start", "end"])
def test_a_time_without_utc_offset_is_refused_not_guessed(api, resource, field):
    naive = {
        **_booking(resource),
        field: days_ahead(3, 10 if field == "start" else 12).replace(tzinfo=None).isoformat(),
    }
    response = api.post("/api/v1/bookings/", naive, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Booking.objects.exists()


def test_end_before_start_names_the_end(api, resource):
    data = _booking(resource)
    data["start"], data["end"] = data["end"], data["start"]
    response = api.post("/api/v1/bookings/", data, format="json")
    assert response.status_code == 400
    assert "end" in response.json()


def test_each_missing_field_is_named(api, resource):
    for name in _booking(resource):
        data = _booking(resource)
        data.pop(name)
        response = api.post("/api/v1/bookings/", data, format="json")
        assert response.status_code == 400 and name in response.json(), name


@pytest.mark.parametrize("path", ["abc/", "abc/approve/", "abc/reject/", "abc/cancel/", "abc/move/", f"{TOO_BIG}/"])
def test_ids_that_are_no_booking_are_404(api, path):
    response = api.get(f"/api/v1/bookings/{path}") if path.count("/") == 1 else api.post(f"/api/v1/bookings/{path}")
    assert response.status_code == 404


def test_bulk_decision_with_an_impossible_id_names_ids(api):
    response = api.post("/api/v1/bookings/decide/", {"ids": [TOO_BIG], "decision": "approve"}, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()


def test_a_manager_cannot_move_to_a_time_without_offset(resource, manager, company_user):
    booking = BookingFactory(resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12))
    client = APIClient()
    client.force_authenticate(manager)
    response = client.post(
        f"/api/v1/bookings/{booking.pk}/move/",
        {"start": days_ahead(4, 10).replace(tzinfo=None).isoformat(), "end": days_ahead(4, 12).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "start" in response.json()
    booking.refresh_from_db()
    assert booking.start == days_ahead(3, 10)


@pytest.mark.parametrize(
    "query",
    [
        "start=nonsense",
        "start=2027-01-10T00:00Z&end=2027-01-01T00:00Z",
        "start=2027-01-01T00:00Z&end=2029-01-01T00:00Z",
        "start=2027-02-30T10:00Z",
        "start=0001-01-01T00:00Z",
        "start=9999-12-31T00:00Z",
    ],
)
def test_resource_availability_period_errors_are_400(api, resource, query):
    response = api.get(f"/api/v1/resources/{resource.pk}/availability/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "duration=PT0H",
        "duration=4h",
        "duration=-PT1H",
        "institution=nope",
        "category=99999999999999999999",
        "limit=abc",
        "duration=P999999999D",
        "start=9999-12-31T00:00Z",
    ],
)
def test_free_capacity_query_errors_are_400(api, resource, query):
    response = api.get(f"/api/v1/availability/?{query}")
    assert response.status_code == 400


def test_a_time_outside_the_supported_years_says_which_years(api, resource):
    response = api.post(
        "/api/v1/bookings/",
        {"resource": resource.pk, "start": "0001-01-01T00:00Z", "end": "0001-01-01T01:00Z", "activity": "economic",
         "access_model": "rental"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["start"] == ["Give a time between the years 2000 and 2100."]


@pytest.mark.parametrize("value", ["¹", "²³", "٣", "99999999999999999999", "9223372036854775808"])
@pytest.mark.parametrize("name", ["category", "institution"])
def test_a_digit_that_is_no_number_or_an_id_out_of_range_is_an_unknown_value_not_a_500(db, name, value):
    """The fuzzer found '¹' (a digit to Python's str.isdigit, which int() refuses) giving a 500 in the free-capacity
    search's lookups; an id past the database's largest key must not reach the database either."""
    response = APIClient().get("/api/v1/availability/", {"duration": "PT1H", name: value})
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == name
