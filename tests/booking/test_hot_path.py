"""The booking path (booking.fastpath and the API around it), as a client notices it: a booking costs a few
queries whatever the calendar holds, the price stored is pricing's quote, the booking comes with its history and
e-mails or not at all, closures and a racing overlap get the friendly 409, and tokens are checked."""

import datetime
from decimal import Decimal

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from booking import fastpath, selectors, services
from booking.models import Booking, BookingEvent, BookingPolicy
from booking.services import storing
from catalogue.models import Resource
from core.models import OutgoingEmail
from pricing import selectors as pricing_selectors
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory, ClosureFactory
from tests.factories import AcademicUserFactory, UserFactory
from tests.pricing.factories import CollaborationAgreementFactory, PriceListItemFactory, hourly_price_list

pytestmark = pytest.mark.django_db


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=user)[1]}")
    return client


def _body(resource, start, hours: int = 1, access_model: str = "rental") -> dict:
    end = start + datetime.timedelta(hours=hours)
    return {
        "resource": resource.pk, "start": start.isoformat(), "end": end.isoformat(), "access_model": access_model,
    }  # fmt: skip


def _statements(captured) -> list[str]:
    """The statements a request sent, without the savepoints a test's own transaction adds around the store."""
    return [query["sql"] for query in captured if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_an_api_booking_takes_a_few_queries_however_full_the_calendar_and_price_lists_are():
    policy = BookingPolicyFactory()
    resource = policy.resource
    first = days_ahead(30, 10)
    hourly_price_list(resource, valid_from=first.date() - datetime.timedelta(days=60), valid_to=None,
                      internal="1", non_economic="2", economic="3")  # fmt: skip
    client = _token_client(UserFactory())

    def booking_queries(day: int) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/api/v1/bookings/", _body(resource, days_ahead(day, 10)), format="json")
        assert response.status_code == 201, response.content
        return _statements(captured)

    booking_queries(20)  # first use of the connection
    few = booking_queries(21)
    for week in range(1, 40):  # earlier price lists, closures and bookings on other days
        earlier = first.date() - datetime.timedelta(days=60 + 7 * week)
        hourly_price_list(resource, valid_from=earlier, valid_to=earlier + datetime.timedelta(days=6),
                          internal="9", non_economic="9", economic="9")  # fmt: skip
        ClosureFactory(resource=resource, start=days_ahead(40 + week, 8), end=days_ahead(40 + week, 9))
        BookingFactory(resource=resource, start=days_ahead(40 + week, 10), end=days_ahead(40 + week, 12))
    many = booking_queries(22)
    assert len(many) == len(few), many
    # token and user, resource with facility, policy and opening hours, the payer (the organisation the user is an
    # approved member of), prices, the store (on SQLite the writer lock, check and inserts one by one), the e-mails
    assert len(few) <= (6 if connection.vendor == "postgresql" else 9), few
    assert Booking.objects.get(start=days_ahead(22, 10)).total_amount == Decimal("3.75")


def test_the_resource_to_book_comes_with_facility_policy_and_opening_hours_in_one_query(django_assert_num_queries):
    policy = BookingPolicyFactory(
        buffer_minutes=15, requires_approval=True, resource__facility__name="Kjernelab Ø",
        opening={0: [(datetime.time(13), datetime.time(16)), (datetime.time(8), datetime.time(12))],
                 2: [(datetime.time(9), datetime.time(15))]},
    )  # fmt: skip
    with django_assert_num_queries(1):
        loaded = selectors.resource_to_book(policy.resource_id)
        facility, loaded_policy = loaded.facility, loaded.booking_policy
        hours = [(h.weekday, h.opens, h.closes) for h in selectors.opening_hours_of(loaded_policy)]
        assert loaded_policy.resource is loaded
    expected = Resource.objects.select_related("facility", "booking_policy").get(pk=policy.resource_id)
    assert _values(loaded) == _values(expected) and _values(facility) == _values(expected.facility)
    assert _values(loaded_policy) == _values(expected.booking_policy)
    assert hours == [(0, datetime.time(8), datetime.time(12)), (0, datetime.time(13), datetime.time(16)),
                     (2, datetime.time(9), datetime.time(15))]  # fmt: skip


def test_the_resource_to_book_is_a_saved_instance():
    policy = BookingPolicyFactory()
    loaded = selectors.resource_to_book(policy.resource_id)
    loaded.name = "Nytt navn"
    loaded.save()  # an UPDATE of the row read, not a second resource
    assert Resource.objects.filter(facility=loaded.facility).count() == 1
    assert Resource.objects.get(pk=policy.resource_id).name == "Nytt navn"
    assert loaded.facility.resources.get() == loaded


def test_a_resource_that_does_not_exist_or_has_no_policy_is_refused_naming_the_field():
    policy = BookingPolicyFactory()
    without_policy = policy.resource
    BookingPolicy.objects.filter(pk=policy.pk).delete()
    client = _token_client(UserFactory())
    for resource_id, code in ((without_policy.pk, "not_bookable"), (10**12, "not_found"), (2**63, "not_found")):
        body = {**_body(without_policy, days_ahead(5, 10)), "resource": resource_id}
        response = client.post("/api/v1/bookings/", body, format="json")
        assert response.status_code == 400 and response.json()["code"] == code, response.content
        assert "resource" in response.json()


@pytest.mark.parametrize(
    ("who", "access_model"),
    [("academic of the institution", "rental"), ("company", "rental"), ("company", "collaboration")],
)
def test_the_price_stored_is_pricings_quote_on_each_side_of_price_list_boundaries(who, access_model):
    """Two price lists one after the other, the second with a day rate for the internal tier; bookings on each
    side of every boundary."""
    resource = BookingPolicyFactory(max_advance_days=400).resource
    first = days_ahead(10, 9).date()
    day = datetime.timedelta(days=1)
    hourly_price_list(resource, valid_from=first, valid_to=first + 4 * day,
                      internal="300.00", non_economic="550.00", economic="577.50")  # fmt: skip
    later = hourly_price_list(resource, valid_from=first + 5 * day, valid_to=first + 9 * day,
                              internal="310.00", non_economic="560.00", economic="590.00")  # fmt: skip
    PriceListItemFactory(price_list=later, tier="internal", unit="day", price=Decimal("1000.00"))
    if who == "company":
        user = UserFactory(company_name="Biotek AS")
        CollaborationAgreementFactory(facility=resource.facility, participants=[user])
    else:
        user = AcademicUserFactory(institution=resource.facility.institution)
    client = _token_client(user)
    totals = set()
    for offset in (-1, 0, 4, 5, 9, 10):
        start = days_ahead(10 + offset, 9)
        response = client.post("/api/v1/bookings/", _body(resource, start, hours=7, access_model=access_model),
                               format="json")  # fmt: skip
        assert response.status_code == 201, response.content
        stored = Booking.objects.get(pk=response.json()["id"])
        quote = pricing_selectors.booking_quote(
            resource=resource, user=user, access_model=access_model, start=start,
            end=start + datetime.timedelta(hours=7),
        )  # fmt: skip
        if quote is None:
            assert (stored.price_tier, stored.net_amount, stored.total_amount) == ("", None, None)
        else:
            assert (stored.price_tier, stored.price_unit, stored.unit_price, stored.quantity) == (
                quote.tier,
                quote.unit,
                quote.unit_price,
                quote.quantity,
            )
            assert (stored.net_amount, stored.vat_amount, stored.total_amount, stored.price_list_id) == (
                quote.net_amount,
                quote.vat_amount,
                quote.total_amount,
                quote.price_list_id,
            )
            assert stored.charged_total_amount is None  # chargeable only once the booking is used (or cancelled late)
        totals.add(stored.total_amount)
        assert response.json()["total_amount"] == (None if quote is None else str(quote.total_amount))
    assert None in totals and len(totals) >= 3  # no list before and after, and each list's price


def test_a_booking_is_stored_with_its_history_entry_and_e_mails():
    policy = BookingPolicyFactory(requires_approval=True)
    start = days_ahead(5, 10)
    user = UserFactory(company_name="Biotek Æøå AS")
    response = _token_client(user).post(
        "/api/v1/bookings/",
        {**_body(policy.resource, start, hours=2), "purpose": "Prøver «med» anførselstegn"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    stored = Booking.objects.get(pk=response.json()["id"])
    assert (stored.user, stored.payer_name, stored.purpose) == (user, "Biotek Æøå AS", "Prøver «med» anførselstegn")
    assert stored.created_at is not None and stored.blocked_until == stored.end and stored.expires_at is not None
    event = BookingEvent.objects.get(booking=stored)
    assert (event.actor, event.action, event.from_status, event.to_status) == (user, "requested", "", "pending")
    assert (event.reason, event.details) == ("", {})
    assert event.at == stored.created_at or connection.vendor != "postgresql"  # one statement: one moment
    emails = OutgoingEmail.objects.filter(object_id=stored.pk)
    assert sorted(emails.values_list("kind", flat=True)) == ["booking.requested", "booking.to_managers"]
    assert all(email.attempts == 0 and email.send_after <= timezone.now() for email in emails)


def test_the_booking_the_service_returns_is_the_stored_one():
    policy = BookingPolicyFactory(buffer_minutes=15)
    user = UserFactory()
    booking = services.booking_create(
        resource=selectors.resource_to_book(policy.resource_id), user=user, start=days_ahead(5, 10),
        end=days_ahead(5, 12), activity="economic", access_model="rental",
    )  # fmt: skip
    assert _values(booking) == _values(Booking.objects.get(pk=booking.pk))
    assert booking.resource.name == policy.resource.name and booking.user == user
    booking.purpose = "Endret"
    booking.save()  # an UPDATE of the stored row
    assert list(Booking.objects.values_list("purpose", flat=True)) == ["Endret"]
    if connection.vendor == "postgresql":  # the exclusion constraint does not count the booking against itself
        booking.full_clean()


def test_a_booking_whose_e_mails_cannot_be_written_is_not_stored(monkeypatch):
    def refuse(booking_id, kinds):
        raise DataError("the outbox refused")

    monkeypatch.setattr(storing, "outbox_write", refuse)
    policy = BookingPolicyFactory()
    with pytest.raises(DataError):
        services.booking_create(
            resource=policy.resource, user=UserFactory(), start=days_ahead(5, 10), end=days_ahead(5, 11),
            activity="economic", access_model="rental",
        )  # fmt: skip
    assert not Booking.objects.exists() and not BookingEvent.objects.exists()


@pytest.mark.parametrize(
    ("kind", "internal", "refused"),
    [
        ("maintenance", True, True),
        ("preparedness", False, True),
        ("preparedness", True, False),
        ("preparedness", "claimed", True),  # names the institution, affiliation not verified
    ],
)
def test_a_closure_refuses_only_the_users_it_applies_to(kind, internal, refused):
    """A preparedness reserve is closed to users without a verified affiliation with the resource's institution;
    maintenance to everyone."""
    resource = BookingPolicyFactory().resource
    start = days_ahead(5, 10)
    ClosureFactory(resource=resource, kind=kind, start=start - datetime.timedelta(hours=1),
                   end=start + datetime.timedelta(hours=4))  # fmt: skip
    user = (
        AcademicUserFactory(institution=resource.facility.institution, affiliation_verified=internal is True)
        if internal
        else UserFactory()
    )
    response = _token_client(user).post("/api/v1/bookings/", _body(resource, start),
                                        format="json")  # fmt: skip
    if refused:
        assert response.status_code == 409 and response.json()["code"] == "unavailable"
        assert response.json()["alternatives"]
        assert not Booking.objects.exists() and not BookingEvent.objects.exists()
        assert not OutgoingEmail.objects.exists()
    else:
        assert response.status_code == 201, response.content


def test_a_taken_slot_gets_409_with_the_nearest_alternatives():
    resource = BookingPolicyFactory().resource
    start = days_ahead(5, 10)
    BookingFactory(resource=resource, start=start, end=start + datetime.timedelta(hours=2))
    response = _token_client(UserFactory()).post("/api/v1/bookings/", _body(resource, start), format="json")
    assert response.status_code == 409 and response.json()["code"] == "slot_taken"
    alternatives = response.json()["alternatives"]
    assert len(alternatives) == 3 and {"start", "end"} == set(alternatives[0])
    assert Booking.objects.count() == 1


@pytest.mark.postgres
def test_a_racing_overlap_refused_by_the_constraint_gets_409_with_alternatives_through_the_api(monkeypatch):
    """The application check is off, standing for a parallel request stored between check and insert: the
    exclusion constraint refuses the second booking, and the client sees the same 409 with alternatives."""
    monkeypatch.setattr(storing, "overlap_checked_in_app", lambda: False)
    resource = BookingPolicyFactory().resource
    start = days_ahead(5, 10)
    winner, loser = _token_client(UserFactory()), _token_client(UserFactory())
    assert winner.post("/api/v1/bookings/", _body(resource, start, hours=2), format="json").status_code == 201
    response = loser.post("/api/v1/bookings/", _body(resource, start + datetime.timedelta(hours=1)), format="json")
    assert response.status_code == 409 and response.json()["code"] == "slot_taken"
    assert response.json()["alternatives"]
    assert Booking.objects.count() == BookingEvent.objects.count() == OutgoingEmail.objects.count() == 1


def test_a_token_of_an_inactive_or_unknown_user_is_refused():
    resource = BookingPolicyFactory().resource
    user = UserFactory()
    client = _token_client(user)
    user.is_active = False
    user.save()
    response = client.post("/api/v1/bookings/", _body(resource, days_ahead(5, 10)), format="json")
    assert response.status_code == 401 and not Booking.objects.exists()
    unknown = APIClient()
    unknown.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert unknown.get("/api/v1/bookings/").status_code == 401
    user.is_active = True
    user.save()
    assert client.get("/api/v1/bookings/").status_code == 200


@pytest.mark.postgres
def test_a_value_too_long_for_its_column_is_refused_not_cut():
    """A parameter cast to varchar(3) would be cut to fit; the statement must refuse it as the ORM's INSERT does."""
    policy = BookingPolicyFactory()
    start = days_ahead(5, 10)
    booking = Booking(
        resource=policy.resource, user=UserFactory(), start=start, end=start + datetime.timedelta(hours=1),
        blocked_until=start + datetime.timedelta(hours=1), status="confirmed", activity="economic",
        access_model="rental", currency="NOKX",
    )  # fmt: skip
    with pytest.raises(DataError), transaction.atomic():
        fastpath.booking_insert_if_free(booking, event=BookingEvent(action="confirmed"), closure_kinds=["maintenance"])
    assert not Booking.objects.exists()


@pytest.mark.postgres
def test_repeated_statements_still_show_their_sql_in_the_query_log():
    """With server-side binding psycopg prepares a statement after a few runs and sends no text; the query log
    (debug pages, the test tools) still shows the SQL."""
    resource = BookingPolicyFactory().resource
    with CaptureQueriesContext(connection) as captured:
        for _ in range(8):
            selectors.resource_to_book(resource.pk)
    assert len(captured) == 8
    assert all(f"WHERE r.id = {resource.pk}" in (query["sql"] or "") for query in captured)


def test_a_series_through_the_api_stores_each_booking_with_its_history_and_refuses_a_taken_slot():
    resource = BookingPolicyFactory().resource
    start = days_ahead(5, 10)
    BookingFactory(resource=resource, start=start + datetime.timedelta(days=14),
                   end=start + datetime.timedelta(days=14, hours=1))  # fmt: skip
    client = _token_client(UserFactory())
    body = {**_body(resource, start), "repeat": "weekly", "count": 3, "mode": "skip_conflicts"}
    response = client.post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()["bookings"]
    assert len(created) == 2 and [s["code"] for s in response.json()["skipped"]] == ["slot_taken"]
    assert created[0]["resource_name"] == resource.name
    for booking in created:
        assert BookingEvent.objects.filter(booking_id=booking["id"]).count() == 1
    all_or_nothing = client.post("/api/v1/bookings/", {**body, "mode": "all_or_nothing"}, format="json")
    assert all_or_nothing.status_code == 409
    assert Booking.objects.count() == 3
