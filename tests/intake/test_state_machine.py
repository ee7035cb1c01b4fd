import pytest

from core.errors import ConflictError
from intake import services
from intake.choices import RequestStatus
from intake.services import ALLOWED_TRANSITIONS
from tests.intake.conftest import quote_covers
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db

S = RequestStatus
ALLOWED = [(source, target) for source, targets in ALLOWED_TRANSITIONS.items() for target in sorted(targets)]
FORBIDDEN = [
    (source, target) for source in S.values for target in S.values if target not in ALLOWED_TRANSITIONS[source]
]


def test_the_machine_has_exactly_the_states_of_the_issue():
    assert set(S.values) == {
        "submitted",
        "awaiting_confirmation",
        "in_screening",
        "needs_info",
        "routed",
        "accepted",
        "declined",
        "withdrawn",
        "closed",
    }
    assert set(ALLOWED_TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_transition_is_made_and_recorded(source, target, world):
    request = IntakeRequestFactory(status=source, institution=world.uio)
    services.request_transition(request, target, actor=world.screener, reason="fordi")
    request.refresh_from_db()
    assert request.status == target
    event = request.events.get()
    assert (event.from_status, event.to_status, event.actor_user, event.reason) == (
        source,
        target,
        world.screener,
        "fordi",
    )
    assert event.created_at is not None


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_every_forbidden_transition_is_a_conflict_that_changes_nothing(source, target, world):
    request = IntakeRequestFactory(status=source, institution=world.uio)
    with pytest.raises(ConflictError) as error:
        services.request_transition(request, target, actor=world.screener)
    assert error.value.code == "illegal_transition"
    assert error.value.field == "status"
    request.refresh_from_db()
    assert request.status == source
    assert not request.events.exists()


def test_terminal_states_have_no_way_out():
    for terminal in (S.DECLINED, S.WITHDRAWN, S.CLOSED):
        assert ALLOWED_TRANSITIONS[terminal] == frozenset()


def test_full_journey_through_services_keeps_who_when_and_why(world, valid_request):
    request = services.request_submit(data=valid_request, user=world.company)
    services.request_ask_for_info(request=request, user=world.screener, message="Hvilke prøvetyper?")
    services.request_add_message(request=request, actor=world.company, body="Serum.", role="requester")
    services.request_route(request=request, user=world.screener, facilities=[world.facility], note="Passer dere")
    routing = request.routings.get()
    services.routing_accept(
        routing=routing,
        user=world.manager,
        proposal_kind="agreement",
        agreement_type="service",
        proposal_text="Vi tilbyr analyse som tjeneste.",
    )
    request.refresh_from_db()
    assert request.status == S.ACCEPTED
    steps = list(request.events.values_list("from_status", "to_status"))
    assert steps == [
        ("", "submitted"),
        ("submitted", "in_screening"),
        ("in_screening", "needs_info"),
        ("needs_info", "in_screening"),
        ("in_screening", "routed"),
        ("routed", "accepted"),
    ]
    assert request.events.get(to_status="needs_info").reason == "Hvilke prøvetyper?"
    assert request.events.get(to_status="accepted").actor_user == world.manager


def test_manager_decline_sends_the_request_back_to_screening_only_when_no_facility_is_left(world):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=[world.facility, world.ntnu_facility])
    first, second = request.routings.order_by("id")
    services.routing_decline(routing=first, user=world.manager, reason="no_capacity")
    request.refresh_from_db()
    assert request.status == S.ROUTED
    services.routing_decline(routing=second, user=world.ntnu_manager, reason="out_of_scope", comment="Ikke MR")
    request.refresh_from_db()
    assert request.status == S.IN_SCREENING
    assert "Ikke MR" in request.events.last().reason


def test_a_routing_cannot_be_answered_twice(world, quote_resource):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=[world.facility])
    routing = request.routings.get()
    services.routing_accept(
        routing=routing, user=world.manager, proposal_kind="quote", quote_amount=12000,
        **quote_covers(quote_resource, hours=20),
    )  # fmt: skip
    with pytest.raises(ConflictError):
        services.routing_decline(routing=routing, user=world.manager, reason="other")


def test_declining_a_withdrawn_request_is_a_conflict(world):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_withdraw(request=request, actor=world.company)
    with pytest.raises(ConflictError):
        services.request_decline(request=request, user=world.screener, reason="unclear")


def test_duplicate_and_spam_close_the_request_with_the_reason(world):
    original = IntakeRequestFactory(institution=world.uio)
    duplicate = IntakeRequestFactory(institution=world.uio)
    spam = IntakeRequestFactory(institution=world.uio)
    services.request_close(request=duplicate, user=world.screener, reason="duplicate", duplicate_of=original)
    services.request_close(request=spam, user=world.screener, reason="spam")
    duplicate.refresh_from_db()
    spam.refresh_from_db()
    assert (duplicate.status, duplicate.close_reason, duplicate.duplicate_of) == ("closed", "duplicate", original)
    assert (spam.status, spam.close_reason) == ("closed", "spam")


def test_withdrawing_a_routed_request_cancels_what_the_facilities_were_asked(world, quote_resource):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=[world.facility])
    services.request_withdraw(request=request, actor=world.company, reason="Løst internt")
    assert request.routings.get().status == "cancelled"
    with pytest.raises(ConflictError):
        services.routing_accept(
            routing=request.routings.get(), user=world.manager, proposal_kind="quote", quote_amount=600,
            **quote_covers(quote_resource, hours=1),
        )  # fmt: skip
