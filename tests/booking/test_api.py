import datetime

import pytest
from rest_framework.test import APIClient

from booking.models import Booking
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory, ClosureFactory
from tests.factories import CategoryFactory, FacilityManagerFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def payload(resource, start=None, end=None, **extra):
    return {
        "resource": resource.pk,
        "start": (start or days_ahead(3, 10)).isoformat(),
        "end": (end or days_ahead(3, 12)).isoformat(),
        "activity": "economic",
        "access_model": "rental",
        "purpose": "Måling av prøver",
        **extra,
    }


def test_booking_returns_201_with_id_and_status(resource, company_user):
    response = client_for(company_user).post("/api/v1/bookings/", payload(resource), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "confirmed" and Booking.objects.get(pk=body["id"]).user == company_user


def test_anonymous_users_cannot_book(resource):
    assert client_for().post("/api/v1/bookings/", payload(resource), format="json").status_code in (401, 403)


def test_a_broken_rule_is_a_400_naming_it(resource, company_user):
    response = client_for(company_user).post(
        "/api/v1/bookings/", payload(resource, days_ahead(3, 5), days_ahead(3, 7)), format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "opening_hours" and "start" in response.json()


def test_bad_input_is_a_400_naming_the_field(resource, company_user):
    response = client_for(company_user).post(
        "/api/v1/bookings/", {**payload(resource), "activity": "party", "start": "soon"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"activity", "start"}


def test_overlap_is_a_409_with_alternatives_and_no_identity(resource, company_user, other_user):
    client_for(company_user).post("/api/v1/bookings/", payload(resource), format="json")
    response = client_for(other_user).post("/api/v1/bookings/", payload(resource), format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] and body["alternatives"]
    assert set(body["alternatives"][0]) == {"start", "end"}
    assert company_user.email not in response.content.decode()


def test_idempotency_key_returns_the_first_answer(resource, company_user):
    client = client_for(company_user)
    first = client.post("/api/v1/bookings/", payload(resource), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = client.post("/api/v1/bookings/", payload(resource), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1


def test_idempotency_key_stores_errors_and_refuses_a_different_request(resource, company_user):
    client = client_for(company_user)
    bad = payload(resource, days_ahead(3, 5), days_ahead(3, 7))
    first = client.post("/api/v1/bookings/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    again = client.post("/api/v1/bookings/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert first.status_code == again.status_code == 400
    assert first.json() == again.json()
    other = client.post("/api/v1/bookings/", payload(resource), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert other.status_code == 422


def test_the_same_key_from_another_user_is_another_request(resource, company_user, other_user):
    client_for(company_user).post("/api/v1/bookings/", payload(resource), format="json", HTTP_IDEMPOTENCY_KEY="x")
    response = client_for(other_user).post(
        "/api/v1/bookings/", payload(resource, days_ahead(4, 10), days_ahead(4, 12)), format="json",
        HTTP_IDEMPOTENCY_KEY="x",
    )  # fmt: skip
    assert response.status_code == 201 and Booking.objects.count() == 2


def test_approve_and_reject_are_for_managers_only(company_user, other_user):
    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    first = client_for(company_user).post("/api/v1/bookings/", payload(policy.resource), format="json").json()
    assert first["status"] == "pending"
    assert client_for(company_user).post(f"/api/v1/bookings/{first['id']}/approve/").status_code == 403
    # Someone else's booking is not found, as a missing one (tests/test_hidden_objects.py).
    assert client_for(other_user).post(f"/api/v1/bookings/{first['id']}/approve/").status_code == 404
    response = client_for(manager).post(f"/api/v1/bookings/{first['id']}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    second = (
        client_for(company_user)
        .post("/api/v1/bookings/", payload(policy.resource, days_ahead(4, 10), days_ahead(4, 12)), format="json")
        .json()
    )
    no_reason = client_for(manager).post(f"/api/v1/bookings/{second['id']}/reject/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    rejected = client_for(manager).post(f"/api/v1/bookings/{second['id']}/reject/", {"reason": "Kurs"}, format="json")
    assert rejected.json()["status"] == "rejected" and rejected.json()["decision_reason"] == "Kurs"


def test_bulk_decision(company_user):
    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    ids = [
        client_for(company_user)
        .post("/api/v1/bookings/", payload(policy.resource, days_ahead(4, h), days_ahead(4, h + 1)), format="json")
        .json()["id"]
        for h in (8, 10)
    ]
    response = client_for(manager).post(
        "/api/v1/bookings/decide/", {"ids": ids, "decision": "reject", "reason": "Fullt"}, format="json"
    )
    assert response.status_code == 200
    assert set(Booking.objects.values_list("status", flat=True)) == {"rejected"}
    stranger = client_for(company_user).post(
        "/api/v1/bookings/decide/", {"ids": ids, "decision": "approve"}, format="json"
    )
    assert stranger.status_code == 403


def test_cancel_action(resource, company_user, other_user):
    booking = client_for(company_user).post("/api/v1/bookings/", payload(resource), format="json").json()
    assert client_for(other_user).post(f"/api/v1/bookings/{booking['id']}/cancel/").status_code in (403, 404)
    response = client_for(company_user).post(f"/api/v1/bookings/{booking['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_list_shows_own_bookings_and_managers_see_their_facility(
    resource, company_user, other_user, manager, django_assert_max_num_queries
):
    for day in range(3, 13):
        BookingFactory(resource=resource, user=company_user, start=days_ahead(day, 10), end=days_ahead(day, 12))
    BookingFactory(resource=resource, user=other_user, start=days_ahead(2, 10), end=days_ahead(2, 12))
    BookingFactory(user=other_user)  # another facility
    own = client_for(company_user).get("/api/v1/bookings/").json()
    assert own["count"] == 10
    with django_assert_max_num_queries(8):
        managed = client_for(manager).get(f"/api/v1/bookings/?facility={resource.facility_id}").json()
    assert managed["count"] == 11
    assert {row["user_email"] for row in managed["results"]} == {company_user.email, other_user.email}
    confirmed = client_for(manager).get("/api/v1/bookings/?status=pending").json()
    assert confirmed["count"] == 0
    assert client_for(other_user).get(f"/api/v1/bookings/{own['results'][0]['id']}/").status_code == 404


def test_resource_availability_has_free_and_busy_without_personal_data(resource, company_user):
    BookingFactory(resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12))
    ClosureFactory(resource=resource, start=days_ahead(3, 14), end=days_ahead(3, 15))
    start, end = days_ahead(3, 0), days_ahead(4, 0)
    response = client_for().get(
        f"/api/v1/resources/{resource.pk}/availability/", {"start": start.isoformat(), "end": end.isoformat()}
    )
    assert response.status_code == 200
    body = response.json()

    def parse(items):
        return [(datetime.datetime.fromisoformat(i["start"]), datetime.datetime.fromisoformat(i["end"])) for i in items]

    assert parse(body["busy"]) == [(days_ahead(3, 10), days_ahead(3, 12)), (days_ahead(3, 14), days_ahead(3, 15))]
    assert parse(body["free"]) == [
        (days_ahead(3, 7), days_ahead(3, 10)),
        (days_ahead(3, 12), days_ahead(3, 14)),
        (days_ahead(3, 15), days_ahead(3, 19)),
    ]
    assert set(body["busy"][0]) == {"start", "end"}
    assert "Biotek" not in response.content.decode()


def test_availability_rejects_bad_periods(resource):
    response = client_for().get(f"/api/v1/resources/{resource.pk}/availability/", {"start": "yesterday"})
    assert response.status_code == 400 and "start" in response.json()


def test_free_capacity_search_finds_the_earliest_window_across_institutions():
    category = CategoryFactory(slug="bildediagnostikk")
    busy = BookingPolicyFactory(resource=ResourceFactory(name="Opptatt"))
    free = BookingPolicyFactory(resource=ResourceFactory(name="Ledig"))
    elsewhere = BookingPolicyFactory(resource=ResourceFactory(name="Annen kategori"))
    for policy in (busy, free):
        policy.resource.facility.categories.add(category)
    start = days_ahead(3, 0)
    # The first resource is fully booked on day 3 from 07 to 17: its earliest 4-hour window is day 4.
    BookingFactory(resource=busy.resource, start=days_ahead(3, 7), end=days_ahead(3, 17))
    response = client_for().get(
        "/api/v1/availability/",
        {"category": "bildediagnostikk", "start": start.isoformat(), "end": days_ahead(17, 0).isoformat(),
         "duration": "PT4H"},
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["resource"] for r in results] == [free.resource.pk, busy.resource.pk]
    assert datetime.datetime.fromisoformat(results[0]["earliest"]["start"]) == days_ahead(3, 7)
    assert datetime.datetime.fromisoformat(results[1]["earliest"]["start"]) == days_ahead(4, 7)
    assert elsewhere.resource.pk not in [r["resource"] for r in results]


def test_free_capacity_needs_a_window_long_enough():
    category = CategoryFactory(slug="lang")
    policy = BookingPolicyFactory()
    policy.resource.facility.categories.add(category)
    response = client_for().get(
        "/api/v1/availability/",
        {"category": "lang", "start": days_ahead(3, 0).isoformat(), "end": days_ahead(5, 0).isoformat(),
         "duration": "PT13H"},
    )  # fmt: skip
    assert response.json()["results"] == []


def test_free_capacity_validates_the_duration():
    response = client_for().get("/api/v1/availability/", {"duration": "four hours"})
    assert response.status_code == 400 and "duration" in response.json()


def test_free_capacity_hides_preparedness_from_external_users_only():
    category = CategoryFactory(slug="beredskap")
    policy = BookingPolicyFactory()
    policy.resource.facility.categories.add(category)
    ClosureFactory(resource=policy.resource, kind="preparedness", start=days_ahead(3, 0), end=days_ahead(4, 0))
    query = {"category": "beredskap", "start": days_ahead(3, 0).isoformat(), "end": days_ahead(5, 0).isoformat(),
             "duration": "PT2H"}  # fmt: skip
    external = client_for(UserFactory()).get("/api/v1/availability/", query).json()["results"]
    assert datetime.datetime.fromisoformat(external[0]["earliest"]["start"]) == days_ahead(4, 7)
    from tests.factories import AcademicUserFactory

    internal_user = AcademicUserFactory(institution=policy.resource.facility.institution)
    internal = client_for(internal_user).get("/api/v1/availability/", query).json()["results"]
    assert datetime.datetime.fromisoformat(internal[0]["earliest"]["start"]) == days_ahead(3, 7)


def test_recurring_booking_through_the_api(resource, company_user):
    response = client_for(company_user).post(
        "/api/v1/bookings/", payload(resource, repeat="weekly", count=3), format="json"
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["bookings"]) == 3


def test_the_answer_to_a_new_booking_has_every_member_of_a_booking_with_the_same_values(company_user):
    """The 201 is built by hand for speed; it must say what GET /api/v1/bookings/{id}/ says (times in UTC)."""
    from django.utils.dateparse import parse_datetime

    from booking.api.serializers import BookingSerializer

    policy = BookingPolicyFactory()
    created = client_for(company_user).post("/api/v1/bookings/", payload(policy.resource), format="json")
    assert created.status_code == 201, created.content
    stored = dict(BookingSerializer(Booking.objects.get(pk=created.json()["id"])).data)
    answer = created.json()
    assert list(answer) == list(stored)
    for name in ("start", "end", "created_at", "expires_at"):
        if stored[name] is not None:
            assert parse_datetime(answer.pop(name)) == parse_datetime(stored.pop(name)), name
    assert answer == {name: value for name, value in stored.items() if name in answer}


@pytest.mark.parametrize("action", ["approve", "reject", "cancel", "no-show"])
@pytest.mark.parametrize(("reason", "status"), [(0, 400), (["x"], 400), ("0", 404)])
def test_a_reason_that_is_not_text_is_refused_naming_it(company_user, action, reason, status):
    """Found by the fuzzer: DRF took {"reason": 0} as the text "0", though the schema says a string."""
    response = client_for(company_user).post(f"/api/v1/bookings/987654/{action}/", {"reason": reason}, format="json")
    assert response.status_code == status, response.content
    if status == 400:
        assert [error["field"] for error in response.json()["errors"]] == ["reason"]
