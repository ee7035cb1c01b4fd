"""The routing rules of the intake queue, as screeners, managers and requesters meet them: who is asked, what a
manager must say to accept or decline, where the request goes next, and who is told."""

import datetime

import pytest
from django.utils import timezone, translation

from core.errors import ConflictError, DomainError
from intake import services
from intake.choices import RequestStatus, RoutingStatus
from intake.models import Routing
from tests.booking.factories import BookingFactory, BookingPolicyFactory
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db

S = RequestStatus
NOW = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)


def routed(world, *facilities, note=""):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=list(facilities), note=note, now=NOW)
    request.refresh_from_db()
    return request


def error_of(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    return error.value


# --- routing ----------------------------------------------------------------------------------------------------


def test_routing_asks_each_chosen_facility_once_in_the_order_chosen(world):
    request = IntakeRequestFactory(institution=world.uio)
    routings = services.request_route(
        request=request,
        user=world.screener,
        facilities=[world.ntnu_facility, world.facility, world.ntnu_facility],
        note="Passer begge",
    )
    assert [routing.facility for routing in routings] == [world.ntnu_facility, world.facility]
    request.refresh_from_db()
    assert request.status == S.ROUTED
    rows = list(request.routings.order_by("id").values_list("facility", "status", "note", "routed_by"))
    assert rows == [
        (world.ntnu_facility.pk, RoutingStatus.PENDING, "Passer begge", world.screener.pk),
        (world.facility.pk, RoutingStatus.PENDING, "Passer begge", world.screener.pk),
    ]
    event = request.events.get(to_status=S.ROUTED)
    # The history the requester reads names the facilities; the screener's note is for the facilities only.
    assert event.actor_user == world.screener
    assert "MR-senteret" in event.reason and "Proteomikk" in event.reason
    assert "Passer begge" not in event.reason


def test_the_managers_of_each_routed_facility_are_told(world, mailoutbox, django_capture_on_commit_callbacks):
    request = IntakeRequestFactory(institution=world.uio)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_route(request=request, user=world.screener, facilities=[world.facility, world.ntnu_facility])
    told = {address for message in mailoutbox for address in message.to}
    assert {world.manager.email, world.ntnu_manager.email} <= told


def test_routing_to_no_facility_is_refused_and_changes_nothing(world):
    request = IntakeRequestFactory(institution=world.uio)
    error = error_of(services.request_route, request=request, user=world.screener, facilities=[])
    assert (error.field, error.code) == ("facilities", "required")
    request.refresh_from_db()
    assert request.status == S.IN_SCREENING and not request.routings.exists()


# --- assigning a national request ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.IN_SCREENING, S.NEEDS_INFO])
def test_a_request_in_screening_is_assigned_to_an_institution_and_its_screeners_told(
    world, status, mailoutbox, django_capture_on_commit_callbacks
):
    request = IntakeRequestFactory(institution=None, status=status)
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.request_assign_institution(request=request, user=world.platform_admin, institution=world.uio)
    assert (answer.pk, answer.institution) == (request.pk, world.uio)
    request.refresh_from_db()
    assert (request.institution, request.status) == (world.uio, status)
    event = request.events.get()
    assert (event.from_status, event.to_status, event.actor_user) == (status, status, world.platform_admin)
    assert "UiO" in event.reason or "Universitetet i Oslo" in event.reason
    assert any(message.to == [world.screener.email] for message in mailoutbox)


@pytest.mark.parametrize("status", [S.ROUTED, S.ACCEPTED, S.DECLINED, S.CLOSED, S.WITHDRAWN, S.SUBMITTED])
def test_a_request_out_of_screening_cannot_be_assigned(world, status):
    request = IntakeRequestFactory(institution=None, status=status)
    with pytest.raises(ConflictError) as error:
        services.request_assign_institution(request=request, user=world.platform_admin, institution=world.uio)
    assert (error.value.field, error.value.code) == ("status", "illegal_transition")
    request.refresh_from_db()
    assert request.institution is None and not request.events.exists()


def test_assigning_needs_an_institution(world):
    request = IntakeRequestFactory(institution=None)
    error = error_of(services.request_assign_institution, request=request, user=world.platform_admin, institution=None)
    assert (error.field, error.code) == ("institution", "required")


# --- accepting ------------------------------------------------------------------------------------------------


def test_accepting_without_a_time_takes_the_time_of_the_answer(world):
    routing = routed(world, world.facility).routings.get()
    before = timezone.now()
    services.routing_accept(routing=routing, user=world.manager, proposal_kind="agreement", agreement_type="service")
    routing.refresh_from_db()
    assert before <= routing.decided_at <= timezone.now()


def test_an_agreement_proposal_names_the_agreement_type(world):
    routing = routed(world, world.facility).routings.get()
    error = error_of(services.routing_accept, routing=routing, user=world.manager, proposal_kind="agreement")
    assert (error.field, error.code) == ("agreement_type", "required")
    error = error_of(
        services.routing_accept, routing=routing, user=world.manager, proposal_kind="agreement", agreement_type="x"
    )
    assert (error.field, error.code) == ("agreement_type", "required")
    services.routing_accept(routing=routing, user=world.manager, proposal_kind="agreement", agreement_type="service")
    routing.refresh_from_db()
    assert (routing.proposal_kind, routing.agreement_type, routing.quote_amount) == ("agreement", "service", None)


def test_a_booking_proposal_gives_the_booking_number_or_describes_the_booking(world):
    request = routed(world, world.facility, world.ntnu_facility)
    first, second = request.routings.order_by("id")
    error = error_of(services.routing_accept, routing=first, user=world.manager, proposal_kind="booking")
    assert error.field == "slot_start"  # the time of the booking, its number or a description
    services.routing_accept(routing=first, user=world.manager, proposal_kind="booking", proposal_text="Uke 12")
    resource = BookingPolicyFactory(resource__facility=world.ntnu_facility).resource  # a resource it can book
    booking = BookingFactory(resource=resource)  # an active booking at the facility answering
    services.routing_accept(routing=second, user=world.ntnu_manager, proposal_kind="booking", booking_id=booking.pk)
    second.refresh_from_db()
    assert (second.booking_id, second.proposal_text) == (booking.pk, "")


def test_an_unknown_proposal_is_refused(world):
    routing = routed(world, world.facility).routings.get()
    error = error_of(services.routing_accept, routing=routing, user=world.manager, proposal_kind="gift")
    assert (error.field, error.code) == ("proposal_kind", "invalid_choice")


def test_a_second_facility_may_accept_a_request_already_accepted(world):
    request = routed(world, world.facility, world.ntnu_facility)
    first, second = request.routings.order_by("id")
    services.routing_accept(routing=first, user=world.manager, proposal_kind="agreement", agreement_type="service")
    services.routing_accept(
        routing=second, user=world.ntnu_manager, proposal_kind="agreement", agreement_type="service"
    )
    request.refresh_from_db()
    assert request.status == S.ACCEPTED
    assert list(request.routings.values_list("status", flat=True)) == [RoutingStatus.ACCEPTED] * 2
    assert request.events.filter(to_status=S.ACCEPTED).count() == 1


def test_a_routing_of_a_request_back_in_screening_cannot_be_accepted(world):
    request = IntakeRequestFactory(institution=world.uio, status=S.IN_SCREENING)
    routing = Routing.objects.create(request=request, facility=world.facility)
    with pytest.raises(ConflictError) as error:
        services.routing_accept(
            routing=routing, user=world.manager, proposal_kind="agreement", agreement_type="service"
        )
    assert (error.value.field, error.value.code) == ("status", "illegal_transition")
    routing.refresh_from_db()
    assert routing.status == RoutingStatus.PENDING


# --- declining ------------------------------------------------------------------------------------------------


def test_declining_records_who_when_and_why(world):
    routing = routed(world, world.facility, world.ntnu_facility).routings.order_by("id").first()
    answer = services.routing_decline(
        routing=routing, user=world.manager, reason="no_capacity", comment="Full vår", now=NOW
    )
    assert (answer.pk, answer.status) == (routing.pk, RoutingStatus.DECLINED)
    routing.refresh_from_db()
    assert (routing.status, routing.decided_by, routing.decided_at) == (RoutingStatus.DECLINED, world.manager, NOW)
    assert (routing.decline_reason, routing.decline_comment) == ("no_capacity", "Full vår")


def test_declining_without_a_time_takes_the_time_of_the_answer(world):
    routing = routed(world, world.facility).routings.get()
    before = timezone.now()
    services.routing_decline(routing=routing, user=world.manager, reason="no_capacity")
    routing.refresh_from_db()
    assert before <= routing.decided_at <= timezone.now()
    assert routing.decline_comment == ""


def test_the_last_decline_sends_the_request_back_to_screening_with_the_reason_and_a_new_deadline(world):
    request = routed(world, world.facility)
    with translation.override("en"):
        services.routing_decline(
            routing=request.routings.get(), user=world.manager, reason="out_of_scope", comment="Ikke MR", now=NOW
        )
    request.refresh_from_db()
    assert request.status == S.IN_SCREENING
    # The screeners get five working days from the decline: Monday 2 March 11:00 Oslo → Monday 9 March 11:00.
    assert request.deadline_at == datetime.datetime(2026, 3, 9, 10, tzinfo=datetime.UTC)
    event = request.events.get(to_status=S.IN_SCREENING)
    assert (event.from_status, event.actor_user) == (S.ROUTED, world.manager)
    assert event.reason == f"{world.facility} declined: Outside what we offer. Ikke MR"


def test_a_decline_after_another_facility_accepted_leaves_the_request_accepted(world):
    request = routed(world, world.facility, world.ntnu_facility)
    first, second = request.routings.order_by("id")
    services.routing_accept(routing=first, user=world.manager, proposal_kind="agreement", agreement_type="service")
    services.routing_decline(routing=second, user=world.ntnu_manager, reason="no_capacity")
    request.refresh_from_db()
    assert request.status == S.ACCEPTED
