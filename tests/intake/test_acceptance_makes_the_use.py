"""Accepting a facility's proposal makes what it is for, through booking's services and the one booking guard: the
booking or series at the proposal's price, a service order for staff-run work; the agreement is recorded with it.
When the slot is gone or the resource can no longer be booked, the requester is told why and nothing is stored."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from agreements.models import AgreementAcceptance
from booking import services as booking_services
from booking.models import Booking, ServiceOrder
from core.errors import DomainError
from intake import services
from tests.booking.factories import BookingFactory, BookingPolicyFactory
from tests.helpers import OSLO
from tests.intake.factories import IntakeRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_agreement_templates")]

PRICE = Decimal("2000.00")  # for two hours of a resource whose full cost plus margin is 577.50 NOK an hour


def days_ahead(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=OSLO)


@pytest.fixture
def bookable(quote_resource):
    """world.facility's resource with a cost base (full cost 550 NOK/h), offered for booking, open 07–19."""
    return BookingPolicyFactory(resource=quote_resource).resource


def proposal(world, resource, **answer):
    """A request by world.company, routed to world.facility and answered with `answer` by its manager."""
    request = IntakeRequestFactory(institution=world.uio, requester=world.company, email=world.company.email)
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[world.facility])
    answer = {
        "proposal_kind": "booking", "quote_resource": resource.pk, "slot_start": days_ahead(10, 10),
        "slot_end": days_ahead(10, 12), "quote_amount": PRICE, **answer,
    }  # fmt: skip
    return services.routing_accept(routing=routing, user=world.manager, **answer)


def accept_on_the_page(client, user, routing):
    client.force_login(user)
    return client.post(
        f"/intake/requests/{routing.request_id}/proposal/", {"routing": routing.pk, "decision": "accepted"}, follow=True
    )


def accept_by_api(client, user, routing):
    client.force_login(user)
    return client.post(
        f"/api/v1/intake/requests/{routing.request_id}/decide/",
        {"routing": routing.pk, "decision": "accepted"},
        content_type="application/json",
    )


def nothing_stored(routing):
    routing.refresh_from_db()
    return (
        routing.requester_decision == ""
        and routing.agreement_id is None
        and routing.booking_id is None
        and not AgreementAcceptance.objects.exists()
        and not Booking.objects.filter(user__email="kari@biotek.example").exists()
    )


def test_accepting_on_the_page_books_the_slot_in_the_requesters_name_at_the_proposals_price(client, world, bookable):
    routing = proposal(world, bookable)
    page = accept_on_the_page(client, world.company, routing)
    routing.refresh_from_db()
    booking = Booking.objects.get(pk=routing.booking_id)
    assert (booking.user, booking.resource, booking.status) == (world.company, bookable, "confirmed")
    assert (booking.start, booking.end) == (days_ahead(10, 10), days_ahead(10, 12))
    assert (booking.net_amount, booking.vat_amount, booking.total_amount) == (
        PRICE,
        Decimal("500.00"),
        Decimal("2500.00"),
    )
    assert (booking.activity, booking.access_model, booking.payer_name) == ("economic", "rental", "Biotek AS")
    assert routing.agreement.price_amount == PRICE
    assert f"Bestilling nr. {booking.pk}" in routing.agreement.subject
    assert f"Bestillingen din nr. {booking.pk} er laget" in page.content.decode()


def test_accepting_by_the_api_books_the_slot_and_says_so(client, world, bookable):
    routing = proposal(world, bookable)
    response = accept_by_api(client, world.company, routing)
    assert response.status_code == 200, response.json()
    (answered,) = response.json()["routings"]
    booking = Booking.objects.get(pk=answered["booking_id"])
    assert (answered["requester_decision"], booking.net_amount) == ("accepted", PRICE)
    assert answered["agreement"] is not None


def test_a_series_is_booked_whole_with_the_price_divided_over_its_bookings(world, bookable):
    routing = proposal(world, bookable, series_frequency="weekly", series_count=3, quote_amount=Decimal("4000.00"))
    services.proposal_decide(routing=routing, actor=world.company, decision="accepted")
    routing.refresh_from_db()
    bookings = list(Booking.objects.filter(recurrence_group=routing.series).order_by("start"))
    assert [b.start for b in bookings] == [days_ahead(10 + 7 * week, 10) for week in range(3)]
    assert [b.net_amount for b in bookings] == [Decimal("1333.33"), Decimal("1333.33"), Decimal("1333.34")]
    assert routing.booking_id == bookings[0].pk


def test_a_quote_for_staff_run_work_becomes_a_service_order_at_its_price(world, quote_resource):
    routing = proposal(
        world, quote_resource, proposal_kind="quote", slot_start=None, slot_end=None, quote_amount=Decimal("12000"),
        quote_unit="hour", quote_quantity=20,
    )  # fmt: skip
    services.proposal_decide(routing=routing, actor=world.company, decision="accepted")
    routing.refresh_from_db()
    order = ServiceOrder.objects.get(pk=routing.service_order_id)
    assert (order.user, order.resource, order.access_model, order.activity) == (
        world.company,
        quote_resource,
        "service",
        "economic",
    )
    assert (order.quantity, order.price_unit, order.net_amount, order.total_amount) == (
        Decimal("20.00"),
        "hour",
        Decimal("12000.00"),
        Decimal("15000.00"),
    )
    assert routing.agreement is not None


@pytest.mark.parametrize("accept", [accept_on_the_page, accept_by_api])
def test_a_slot_taken_meanwhile_is_refused_with_alternatives_and_nothing_is_stored(client, world, bookable, accept):
    routing = proposal(world, bookable)
    BookingFactory(resource=bookable, start=days_ahead(10, 11), end=days_ahead(10, 13))
    response = accept(client, world.company, routing)
    if accept is accept_by_api:
        assert response.status_code == 409
        assert response.json()["code"] == "slot_taken" and response.json()["alternatives"]
    else:
        assert "Tilbudet kunne ikke gjennomføres, og ingenting er lagret" in response.content.decode()
    assert nothing_stored(routing)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"is_active": False}, "Denne ressursen er ikke lenger i bruk."),
        ({"bookable": False}, "tilbys ikke for booking"),
    ],
)
def test_a_resource_that_can_no_longer_be_booked_is_refused_by_the_booking_guard(
    client, world, bookable, change, message
):
    routing = proposal(world, bookable)
    type(bookable).objects.filter(pk=bookable.pk).update(**change)
    response = accept_by_api(client, world.company, routing)
    assert response.status_code == 400
    assert (response.json()["code"], message in response.json()["detail"]) == ("not_bookable", True)
    assert nothing_stored(routing)


def test_a_requester_without_an_account_is_asked_to_sign_in_and_nothing_is_stored(client, world, bookable):
    routing = proposal(world, bookable)
    request = routing.request
    request.requester, request.confirmation_token, request.confirmed_at = None, "secret-token", timezone.now()
    request.save()
    page = client.post(
        "/intake/follow/secret-token/proposal/", {"routing": routing.pk, "decision": "accepted"}, follow=True
    )
    assert "logg inn" in page.content.decode().lower()
    assert nothing_stored(routing)


def test_a_cluster_key_cannot_book_in_a_persons_name(client, world, bookable):
    routing = proposal(world, bookable)
    type(routing.request).objects.filter(pk=routing.request_id).update(requester=None, submitted_by_client=world.client)
    response = client.post(
        f"/api/v1/intake/requests/{routing.request_id}/decide/",
        {"routing": routing.pk, "decision": "accepted"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {world.key}",
    )
    assert (response.status_code, response.json()["code"]) == (409, "account_needed")
    assert nothing_stored(routing)


def test_declining_makes_nothing(world, bookable):
    routing = proposal(world, bookable)
    services.proposal_decide(routing=routing, actor=world.company, decision="declined")
    routing.refresh_from_db()
    assert (routing.requester_decision, routing.booking_id, Booking.objects.count()) == ("declined", None, 0)


# the slot fields of a proposal -> the field and code of the refusal
SLOT_REFUSALS = [
    ({"slot_end": None}, "slot_end", "required"),
    ({"slot_end": days_ahead(10, 9)}, "slot_end", "end_before_start"),
    ({"series_frequency": "monthly", "series_count": 3}, "series_frequency", "invalid_choice"),
    ({"series_frequency": "weekly", "series_count": 1}, "series_count", "invalid"),
    ({"series_count": 3}, "series_frequency", "required"),
]


@pytest.mark.parametrize(("change", "field", "code"), SLOT_REFUSALS)
def test_a_proposed_slot_is_checked_when_it_is_proposed(world, bookable, change, field, code):
    from core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        proposal(world, bookable, **change)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_a_resource_of_another_facility_cannot_be_proposed(world, bookable):
    from core.errors import DomainError
    from tests.factories import ResourceFactory

    elsewhere = ResourceFactory(facility=world.ntnu_facility)
    with pytest.raises(DomainError) as caught:
        proposal(world, elsewhere, quote_amount=None)
    assert (caught.value.field, caught.value.code) == ("quote_resource", "invalid")


@pytest.mark.parametrize(
    ("email", "verified", "booked"),
    [("kari@biotek.example", True, True), ("kari@biotek.example", False, False), ("ola@biotek.example", True, False)],
)
def test_who_sent_a_request_without_an_account_signs_in_with_that_address_to_accept(
    client, world, bookable, email, verified, booked
):
    """The follow page asks them to sign in; an account with the request's address, verified, may then accept."""
    from tests.factories import UserFactory

    routing = proposal(world, bookable)
    request = routing.request
    request.requester, request.confirmed_at = None, timezone.now()
    request.save()
    person = UserFactory(
        email=email if email != world.company.email else "KARI@biotek.example", email_verified=verified
    )
    response = accept_by_api(client, person, routing)
    assert response.status_code == (200 if booked else 404)
    assert Booking.objects.filter(user=person).exists() is booked


def test_a_manager_proposes_a_weekly_series_on_the_page_in_oslo_time(client, world, bookable):
    request = IntakeRequestFactory(institution=world.uio, requester=world.company, email=world.company.email)
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[world.facility])
    client.force_login(world.manager)
    day = days_ahead(10, 10).date().isoformat()
    prefix = f"a{routing.pk}"
    form = {
        f"{prefix}-routing": routing.pk, f"{prefix}-proposal_kind": "booking", f"{prefix}-quote_resource": bookable.pk,
        f"{prefix}-slot_start": f"{day}T10:00", f"{prefix}-slot_end": f"{day}T12:00",
        f"{prefix}-series_frequency": "weekly", f"{prefix}-series_count": 2, f"{prefix}-quote_amount": "3000.00",
    }  # fmt: skip
    page = client.post(f"/intake/requests/{request.pk}/accept/", form, follow=True)
    routing.refresh_from_db()
    assert (routing.slot_start, routing.series_count, routing.unit, routing.quantity) == (
        days_ahead(10, 10), 2, "hour", Decimal("4.00")
    )  # fmt: skip
    assert "ukentlig, 2 ganger" in page.content.decode()


@pytest.mark.parametrize(
    ("unit", "quantity"),
    [("", None), ("hour", 1), ("hour", Decimal("0.5")), ("day", 1)],
)
def test_a_series_proposal_is_refused_below_the_floor_of_all_its_hours_whatever_unit_it_names(
    world, bookable, unit, quantity
):
    # 10 weekly slots of 2 hours: 20 hours at full cost plus margin (577.50 NOK an hour) is 11 550 NOK.
    with pytest.raises(DomainError) as refused:
        proposal(
            world, bookable, series_frequency="weekly", series_count=10, quote_amount=Decimal("5000.00"),
            quote_unit=unit, quote_quantity=quantity,
        )  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("quote_amount", "below_full_cost")
    routing = proposal(
        world, bookable, series_frequency="weekly", series_count=10, quote_amount=Decimal("11550.00"),
        quote_unit=unit, quote_quantity=quantity,
    )  # fmt: skip
    assert (routing.unit, routing.quantity) == ("hour", Decimal(20))


def test_a_slot_that_is_not_a_whole_number_of_hundredths_of_an_hour_is_proposed(world, bookable):
    # 20 minutes: 0.34 hours (rounded up, so the floor is never lowered), not a refusal on a field nobody typed.
    end = days_ahead(10, 10) + datetime.timedelta(minutes=20)
    routing = proposal(world, bookable, slot_end=end, quote_amount=Decimal("500.00"))
    assert (routing.unit, routing.quantity) == ("hour", Decimal("0.34"))


def test_the_agreed_price_stays_when_the_manager_records_a_shorter_use(world, bookable):
    # The price list has no price for the resource: priced again from it, the booking would become free.
    routing = proposal(world, bookable)
    services.proposal_decide(routing=routing, actor=world.company, decision="accepted")
    routing.refresh_from_db()
    booking = Booking.objects.get(pk=routing.booking_id)
    used_end = booking.start + datetime.timedelta(minutes=105)
    booking_services.booking_use_adjust(
        booking=booking, actor=world.manager, end=used_end, reason="Ferdig tidligere",
        now=booking.start + datetime.timedelta(hours=3),
    )  # fmt: skip
    booking.refresh_from_db()
    assert (booking.status, booking.end) == ("completed", used_end)
    assert (booking.net_amount, booking.charged_net_amount, booking.charged_total_amount) == (
        PRICE,
        PRICE,
        Decimal("2500.00"),
    )


def test_a_collaboration_proposal_books_the_slot_under_the_agreement_it_makes_at_the_agreed_price(world, bookable):
    """Accepting a collaboration proposal with a slot records the agreement for the person and books the slot as
    collaboration research under it (non-economic, no sale, so no VAT) at the agreed price."""
    routing = proposal(world, bookable, agreement_type="collaboration")
    services.proposal_decide(routing=routing, actor=world.company, decision="accepted")
    routing.refresh_from_db()
    booking = Booking.objects.get(pk=routing.booking_id)
    assert routing.collaboration_agreement is not None
    assert (booking.access_model, booking.activity, booking.collaboration_agreement) == (
        "collaboration",
        "non_economic",
        routing.collaboration_agreement,
    )
    assert (booking.net_amount, booking.vat_amount, booking.total_amount) == (PRICE, Decimal("0.00"), PRICE)


def test_a_booking_priced_in_samples_keeps_the_managers_number_of_samples(world):
    """A resource whose cost base counts samples: a booking proposal's amount covers the samples the manager names
    (the floor is checked on them), not the hours of the slot."""
    from pricing.choices import CapacityUnit
    from tests.factories import ResourceFactory
    from tests.pricing.factories import CostBaseFactory

    resource = BookingPolicyFactory(resource=ResourceFactory(facility=world.facility, name="Sekvensator")).resource
    CostBaseFactory(
        resource=resource, year=timezone.localdate().year, capacity_unit=CapacityUnit.SAMPLE,
        capacity_units=Decimal("1000"),
    )  # fmt: skip
    routing = proposal(world, resource, quote_amount=Decimal("3000.00"), quote_unit="sample", quote_quantity=3)
    assert (routing.unit, routing.quantity, routing.quote_amount) == ("sample", Decimal("3"), Decimal("3000.00"))
    assert "3 × " in routing.request.messages.last().body


def test_an_agreement_proposal_keeps_nothing_of_a_booking_or_a_quote(world, bookable):
    """What the manager typed in the booking fields of the form is not part of an agreement proposal."""
    routing = proposal(
        world, bookable, proposal_kind="agreement", agreement_type="service", slot_start=None, slot_end=None,
        quote_amount=None, quote_unit="hour", quote_quantity=3,
    )  # fmt: skip
    routing.refresh_from_db()
    assert (routing.resource_id, routing.quantity, routing.unit, routing.quote_amount) == (None, None, "", None)
    assert (routing.slot_start, routing.slot_end, routing.series_frequency, routing.series_count) == (
        None, None, "", None,
    )  # fmt: skip


def test_a_single_booking_proposal_is_no_series_and_keeps_its_slot(world, bookable):
    routing = proposal(world, bookable, series_count=0)
    routing.refresh_from_db()
    assert (routing.slot_start, routing.slot_end) == (days_ahead(10, 10), days_ahead(10, 12))
    assert (routing.series_frequency, routing.series_count, routing.resource_id) == ("", None, bookable.pk)
    assert (routing.unit, routing.quantity) == ("hour", Decimal("2.00"))


@pytest.mark.parametrize("series", [{"series_frequency": "weekly"}, {"series_count": 3}])
def test_a_series_without_the_time_of_its_first_booking_is_refused_at_its_start(world, bookable, series):
    with pytest.raises(DomainError) as refused:
        proposal(world, bookable, slot_start=None, slot_end=None, **series)
    assert (refused.value.field, refused.value.code) == ("slot_start", "required")


def test_a_long_series_is_priced_on_every_hour_of_it(world, bookable):
    """Ten weekly eight-hour days: the amount covers 80 hours, to the hundredth, whatever unit was named."""
    routing = proposal(
        world, bookable, slot_start=days_ahead(10, 8), slot_end=days_ahead(10, 16), series_frequency="weekly",
        series_count=10, quote_amount=Decimal("60000"), quote_unit="day", quote_quantity=1,
    )  # fmt: skip
    routing.refresh_from_db()
    assert (routing.unit, routing.quantity, routing.series_count) == ("hour", Decimal("80.00"), 10)
