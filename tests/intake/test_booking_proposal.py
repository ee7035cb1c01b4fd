"""A manager who answers a routed request with a booking names one the company can have: it exists, is active and
is at the facility the request was routed to."""

import datetime

import pytest

from catalogue.models import Facility, Resource
from core.errors import DomainError
from intake import services
from tests.booking.factories import BookingFactory, BookingPolicyFactory
from tests.factories import ResourceFactory
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC)


def routed(world):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=[world.facility])
    return request.routings.get()


def booking_at(facility, **fields):
    """A booking of a resource that can be booked (in use, offered with a booking policy)."""
    resource = BookingPolicyFactory(resource=ResourceFactory(facility=facility)).resource
    return BookingFactory(resource=resource, start=START, **fields)


def propose(routing, user, booking_id):
    return services.routing_accept(routing=routing, user=user, proposal_kind="booking", booking_id=booking_id)


@pytest.mark.parametrize("status", ["pending", "confirmed"])
def test_an_active_booking_at_the_facility_is_proposed(status, world):
    booking = booking_at(world.facility, status=status)
    routing = propose(routed(world), world.manager, booking.pk)
    assert (routing.status, routing.booking_id) == ("accepted", booking.pk)
    assert f"booking nr. {booking.pk}" in routing.request.messages.last().body


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("missing", "Det finnes ingen bestilling med dette nummeret."),
        ("cancelled", "Denne bestillingen er ikke lenger aktiv."),
        ("elsewhere", "Denne bestillingen er ikke ved din fasilitet."),
    ],
)
def test_a_booking_the_company_cannot_have_is_refused_by_name(which, message, world):
    booking_id = {
        "missing": lambda: booking_at(world.facility).pk + 1000,  # another booking exists, not this one
        "cancelled": lambda: booking_at(world.facility, status="cancelled").pk,
        "elsewhere": lambda: booking_at(world.ntnu_facility).pk,
    }[which]()
    routing = routed(world)
    with pytest.raises(DomainError) as caught:
        propose(routing, world.manager, booking_id)
    assert (caught.value.field, caught.value.code, str(caught.value.message)) == (
        "booking_id",
        "invalid_booking",
        message,
    )
    routing.refresh_from_db()
    assert routing.status == "pending" and routing.booking_id is None
    assert routing.request.status == "routed"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"is_active": False}, "Denne ressursen er ikke lenger i bruk."),
        ({"bookable": False}, "tilbys ikke for booking"),
        ({"facility__status": "draft"}, "ikke publisert"),
    ],
)
def test_a_booking_of_a_resource_nobody_can_book_any_more_is_not_proposed(change, message, world):
    """The booking was made while the resource could be booked; since then it was taken out of use, no longer
    offered, or its facility unpublished: the company is not promised it."""
    booking_at(world.ntnu_facility)  # another resource, still bookable, with a booking of its own
    booking = booking_at(world.facility)
    routing = routed(world)
    assert propose(routing, world.manager, booking.pk).status == "accepted"  # while the resource can be booked

    routing = routed(world)
    if "facility__status" in change:
        Facility.objects.filter(pk=world.facility.pk).update(status=change["facility__status"])
    else:
        Resource.objects.filter(pk=booking.resource_id).update(**change)
    with pytest.raises(DomainError) as caught:
        propose(routing, world.manager, booking.pk)
    assert (caught.value.field, caught.value.code) == ("booking_id", "invalid_booking")
    assert message in str(caught.value.message)
    routing.refresh_from_db()
    assert routing.status == "pending" and routing.booking_id is None


def test_the_api_names_the_booking_number_field(client, world):
    routing = routed(world)
    client.force_login(world.manager)
    response = client.post(
        f"/api/v1/intake/requests/{routing.request_id}/accept/",
        {"proposal_kind": "booking", "booking_id": booking_at(world.ntnu_facility).pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_booking" and response.json()["booking_id"]


def test_a_booking_described_in_words_needs_no_number(world):
    routing = services.routing_accept(
        routing=routed(world), user=world.manager, proposal_kind="booking", proposal_text="Uke 3, to dager."
    )
    assert routing.status == "accepted" and routing.booking_id is None
