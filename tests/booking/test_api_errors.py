"""Refusals as API clients and page users meet them: a resource that cannot be booked is refused through every path
(single booking, series, the web form, a move) and is not offered by the searches; every documented error code of
a booking request is in the answer."""


import pytest
from django.test import Client
from rest_framework.test import APIClient

from booking.models import Booking
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.factories import AcademicUserFactory, CategoryFactory, FacilityManagerFactory, ResourceFactory, UserFactory
from tests.helpers import datetime_local

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"

# How a resource can be out of reach, and who it is out of reach for.
CANNOT_BE_BOOKED = {
    "inactive": {"is_active": False},
    "not_bookable": {"bookable": False},
    "unpublished_facility": {"facility__status": "draft"},
    "closed_to_industry": {"facility__open_to_industry": False},  # for a company user
}


@pytest.fixture(params=list(CANNOT_BE_BOOKED))
def out_of_reach(request):
    return BookingPolicyFactory(resource=ResourceFactory(**CANNOT_BE_BOOKED[request.param])).resource


@pytest.fixture
def company(db):
    return UserFactory(company_name="Biotek AS", org_number="988077917")


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def booking_body(resource, start=None, end=None, **extra) -> dict:
    return {
        "resource": resource.pk,
        "start": (start or days_ahead(3, 10)).isoformat(),
        "end": (end or days_ahead(3, 12)).isoformat(),
        "activity": "economic",
        "access_model": "rental",
        **extra,
    }


# --- a resource that cannot be booked, through every path ---------------------------------------------------------


def refusal_code(resource) -> str:
    """A resource of a draft facility does not exist for the company user (as a missing id); the others are there
    and cannot be booked."""
    return "not_found" if resource.facility.status == "draft" else "not_bookable"


def test_the_booking_api_refuses_it(out_of_reach, company):
    response = api(company).post(BOOKINGS, booking_body(out_of_reach), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == refusal_code(out_of_reach) and response.json()["resource"]
    assert not Booking.objects.exists()


def test_the_series_api_refuses_it(out_of_reach, company):
    response = api(company).post(BOOKINGS, booking_body(out_of_reach, repeat="weekly", count=3), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == refusal_code(out_of_reach)
    assert not Booking.objects.exists()


def test_the_series_api_refuses_it_even_when_told_to_skip_conflicts(out_of_reach, company):
    body = booking_body(out_of_reach, repeat="weekly", count=3, mode="skip_conflicts")
    response = api(company).post(BOOKINGS, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == refusal_code(out_of_reach)


def test_the_booking_form_refuses_it(out_of_reach, company):
    form = {"start": datetime_local(days_ahead(3, 10)), "end": datetime_local(days_ahead(3, 12)),
            "activity": "economic", "access_model": "rental"}  # fmt: skip
    response = web(company).post(f"/resources/{out_of_reach.pk}/book/", form)
    hidden = not out_of_reach.is_active or out_of_reach.facility.status != "published"
    assert response.status_code == (404 if hidden else 400)  # pages never show an inactive or unpublished resource
    assert not Booking.objects.exists()
    if not hidden:
        assert (
            'id="booking-form"' not in response.content.decode()
        )  # no form offered, and the reason said
        assert "tilbys ikke for booking" in response.content.decode() or "ikke åpen for næringslivet" in (
            response.content.decode()
        )


def test_the_booking_form_refuses_a_series_of_it(out_of_reach, company):
    form = {"start": datetime_local(days_ahead(3, 10)), "end": datetime_local(days_ahead(3, 12)),
            "activity": "economic", "access_model": "rental", "repeat": "weekly", "count": 3,
            "mode": "skip_conflicts"}  # fmt: skip
    response = web(company).post(f"/resources/{out_of_reach.pk}/book/", form)
    hidden = not out_of_reach.is_active or out_of_reach.facility.status != "published"
    assert response.status_code == (404 if hidden else 400)
    assert not Booking.objects.exists()


def test_an_academic_may_book_at_a_facility_closed_to_industry():
    resource = BookingPolicyFactory(resource=ResourceFactory(facility__open_to_industry=False)).resource
    academic = AcademicUserFactory()
    assert api(academic).post(BOOKINGS, booking_body(resource), format="json").status_code == 201
    page = web(academic).get(f"/resources/{resource.pk}/book/").content.decode()
    assert 'id="booking-form"' in page


def test_moving_a_booking_of_a_resource_taken_out_of_use_is_refused_on_the_api_and_the_page(company):
    resource = BookingPolicyFactory().resource
    manager = FacilityManagerFactory(facility=resource.facility).user
    booking_id = api(company).post(BOOKINGS, booking_body(resource), format="json").json()["id"]
    resource.is_active = False
    resource.save()
    move = {"start": days_ahead(4, 10).isoformat(), "end": days_ahead(4, 12).isoformat()}
    response = api(manager).post(f"{BOOKINGS}{booking_id}/move/", move, format="json")
    assert response.status_code == 400 and response.json()["code"] == "not_bookable"
    page = web(manager).post(
        f"/bookings/{booking_id}/",
        {"action": "move",
         "move-start": datetime_local(days_ahead(4, 10)), "move-end": datetime_local(days_ahead(4, 12))},
    )
    assert page.status_code == 400 and "ikke lenger i bruk" in page.content.decode()
    assert Booking.objects.get(pk=booking_id).start == days_ahead(3, 10)


def test_a_move_cannot_take_a_booking_to_another_resource(company):
    resource = BookingPolicyFactory().resource
    elsewhere = BookingPolicyFactory(resource=ResourceFactory(facility=resource.facility, is_active=False)).resource
    manager = FacilityManagerFactory(facility=resource.facility).user
    booking_id = api(company).post(BOOKINGS, booking_body(resource), format="json").json()["id"]
    move = {"start": days_ahead(4, 10).isoformat(), "end": days_ahead(4, 12).isoformat(), "resource": elsewhere.pk}
    response = api(manager).post(f"{BOOKINGS}{booking_id}/move/", move, format="json")
    assert response.status_code == 200 and response.json()["resource"] == resource.pk
    assert Booking.objects.get(pk=booking_id).resource == resource


def test_the_free_capacity_search_does_not_offer_it(out_of_reach, company):
    category = CategoryFactory()
    out_of_reach.facility.categories.add(category)
    bookable = BookingPolicyFactory().resource
    bookable.facility.categories.add(category)
    query = {"category": category.pk, "start": days_ahead(2, 0).isoformat(), "end": days_ahead(9, 0).isoformat()}
    found = api(company).get("/api/v1/availability/", query).json()["results"]
    assert [row["resource"] for row in found] == [bookable.pk]
    page = (
        web(company)
        .get("/capacity/", {"category": category.pk, "start": days_ahead(2).date().isoformat(), "days": 7, "hours": 1})
        .content.decode()
    )
    assert f"/resources/{bookable.pk}/book/" in page and f"/resources/{out_of_reach.pk}/book/" not in page


def test_the_free_capacity_search_offers_a_facility_closed_to_industry_to_academics_and_visitors():
    category = CategoryFactory()
    resource = BookingPolicyFactory(resource=ResourceFactory(facility__open_to_industry=False)).resource
    resource.facility.categories.add(category)
    query = {"category": category.pk, "start": days_ahead(2, 0).isoformat(), "end": days_ahead(9, 0).isoformat()}
    for client in (api(AcademicUserFactory()), api()):
        assert [row["resource"] for row in client.get("/api/v1/availability/", query).json()["results"]] == [
            resource.pk
        ]


def test_the_availability_api_offers_no_free_time_where_the_booking_would_be_refused(company):
    closed = BookingPolicyFactory(resource=ResourceFactory(facility__open_to_industry=False)).resource
    not_offered = BookingPolicyFactory(resource=ResourceFactory(bookable=False)).resource
    period = {"start": days_ahead(3, 0).isoformat(), "end": days_ahead(4, 0).isoformat()}
    assert api(company).get(f"/api/v1/resources/{closed.pk}/availability/", period).json()["free"] == []
    assert api(company).get(f"/api/v1/resources/{not_offered.pk}/availability/", period).json()["free"] == []
    assert api(AcademicUserFactory()).get(f"/api/v1/resources/{closed.pk}/availability/", period).json()["free"]


def test_the_facility_page_offers_no_calendar_to_book_where_the_booking_would_be_refused(company):
    closed = BookingPolicyFactory(resource=ResourceFactory(facility__open_to_industry=False)).resource
    url = f"/facilities/{closed.facility.slug}/"
    assert f"/resources/{closed.pk}/book/" not in web(company).get(url).content.decode()
    assert f"/resources/{closed.pk}/book/" in web(AcademicUserFactory()).get(url).content.decode()


# --- every documented error code of a booking request -------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"start": "2027-01-04T10:00:00"}, "naive_time", "start"),
        ({"end": "2027-01-04T12:00:00"}, "naive_time", "end"),
        ({"activity": "party"}, "invalid_activity", "activity"),
        ({"access_model": "gift"}, "invalid_access_model", "access_model"),
        ({"end": days_ahead(3, 9).isoformat()}, "end_before_start", "end"),
        ({"start": days_ahead(3, 10, 15).isoformat()}, "slot_granularity", "start"),
        ({"end": days_ahead(3, 10, 15).isoformat()}, "slot_granularity", "end"),
        ({"end": days_ahead(3, 19).isoformat()}, "max_length", "end"),  # 9 hours, at most 8
        ({"start": days_ahead(600, 10).isoformat(), "end": days_ahead(600, 12).isoformat()}, "max_advance", "start"),
        ({"start": days_ahead(3, 5).isoformat(), "end": days_ahead(3, 7).isoformat()}, "opening_hours", "start"),
        ({"start": days_ahead(-1, 10).isoformat(), "end": days_ahead(-1, 12).isoformat()}, "min_notice", "start"),
    ],
)
def test_a_broken_rule_answers_400_with_its_code_and_field(change, code, field, company):
    resource = BookingPolicyFactory().resource
    response = api(company).post(BOOKINGS, {**booking_body(resource), **change}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code and field in response.json()


def test_min_length_and_qualification_codes(company):
    short = BookingPolicyFactory(min_length_minutes=120).resource
    response = api(company).post(BOOKINGS, booking_body(short, end=days_ahead(3, 11)), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "min_length")
    trained = BookingPolicyFactory(requires_qualification=True).resource
    body = api(company).post(BOOKINGS, booking_body(trained), format="json").json()
    assert body["code"] == "qualification_required" and body["request_training_url"]


def test_an_unknown_resource_is_named():
    response = api(UserFactory()).post(BOOKINGS, booking_body(ResourceFactory.build(pk=999999)), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "not_found")


@pytest.mark.parametrize(
    ("series", "code", "field"),
    [
        ({"repeat": "monthly", "count": 2}, "invalid_frequency", "repeat"),
        ({"repeat": "weekly"}, "series_end", "until"),
        ({"repeat": "weekly", "count": 0}, "invalid_count", "count"),
        ({"repeat": "weekly", "count": 201}, "series_too_long", "count"),
        ({"repeat": "daily", "until": days_ahead(3 + 200).date().isoformat()}, "series_too_long", "until"),
        ({"repeat": "weekly", "until": days_ahead(1).date().isoformat()}, "until_before_start", "until"),
        ({"repeat": "weekly", "count": 2, "mode": "sometimes"}, "invalid_mode", "mode"),
    ],
)
def test_a_series_that_cannot_be_made_answers_400_with_its_code(series, code, field, company):
    resource = BookingPolicyFactory().resource
    response = api(company).post(BOOKINGS, booking_body(resource, **series), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code and field in response.json()
    assert not Booking.objects.exists()


def test_a_one_occurrence_series_is_201_with_one_booking(company):
    resource = BookingPolicyFactory().resource
    response = api(company).post(BOOKINGS, booking_body(resource, repeat="weekly", count=1), format="json")
    assert response.status_code == 201
    body = response.json()
    assert len(body["bookings"]) == 1 and body["recurrence_group"] and body["skipped"] == []


def test_a_daily_series_of_exactly_200_is_stored(company):
    resource = BookingPolicyFactory().resource
    response = api(company).post(
        BOOKINGS, booking_body(resource, repeat="daily", until=days_ahead(3 + 199).date().isoformat()), format="json"
    )
    assert response.status_code == 201
    assert len(response.json()["bookings"]) == 200 == Booking.objects.count()


def test_a_figure_too_large_to_price_in_the_calculator_is_400_too_large(db):
    from tests.pricing.test_api import CALCULATOR, VALID

    response = APIClient().post(
        CALCULATOR, {**VALID, "capacity_units": "0.0001", "equipment_cost": "99999999999"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_large" and "capacity_units" in response.json()
