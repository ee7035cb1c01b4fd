"""What a facility's answer records, in the portal and through the contact person's link (intake.services.routing):
each refusal's field and code, who answered, the proposal message of that routing only, the agreement that comes
with it, the single-use nonce, and the time it was given."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from intake import answer_links, services
from intake.choices import RequestStatus, RoutingStatus
from tests.factories import ContactPersonFactory, FacilityFactory
from tests.intake.factories import IntakeRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_agreement_templates")]


@pytest.fixture
def routing(world):
    request = IntakeRequestFactory(institution=world.uio)
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[world.facility])
    return routing


@pytest.fixture
def contact_routing(world):
    facility = FacilityFactory(institution=world.ntnu, name="Kontaktlab")
    ContactPersonFactory(facility=facility, name="Per Kontakt")
    request = IntakeRequestFactory(institution=world.uio)
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[facility])
    return routing


# the proposal -> the field and code of the refusal
REFUSALS = [
    ({"proposal_kind": "quote"}, "quote_amount", "required"),
    ({"proposal_kind": "quote", "quote_amount": Decimal("-1")}, "quote_amount", "invalid"),
    ({"proposal_kind": "quote", "quote_amount": Decimal("0"), "quote_unit": "hour", "quote_quantity": 1},
     "quote_amount", "below_full_cost"),
    ({"proposal_kind": "quote", "quote_amount": Decimal("0.5"), "quote_unit": "hour", "quote_quantity": 1},
     "quote_amount", "below_full_cost"),
]  # fmt: skip


@pytest.mark.parametrize(("proposal", "field", "code"), REFUSALS)
def test_a_proposal_is_refused_naming_the_field_and_the_rule(world, routing, quote_resource, proposal, field, code):
    if "quote_unit" in proposal:
        proposal = {**proposal, "quote_resource": quote_resource.pk}
    with pytest.raises(Exception) as caught:
        services.routing_accept(routing=routing, user=world.manager, **proposal)
    assert (caught.value.field, caught.value.code) == (field, code)
    routing.refresh_from_db()
    assert routing.status == RoutingStatus.PENDING


def test_an_accepted_proposal_records_who_and_comes_with_its_agreement_for_that_facility_only(
    world, routing, quote_resource
):
    with translation.override("en"):
        services.routing_accept(
            routing=routing, user=world.manager, proposal_kind="quote", quote_amount=Decimal("20000"),
            quote_resource=quote_resource.pk, quote_unit="hour", quote_quantity=20,
        )  # fmt: skip
    routing.refresh_from_db()
    assert (routing.decided_by, routing.agreement_template.kind) == (world.manager, "service")
    assert routing.decided_label == f"{world.manager} (Proteomikk)"
    event = routing.request.events.get(to_status=RequestStatus.ACCEPTED)
    assert (event.reason, event.actor_user) == ("Proteomikk sent a proposal.", world.manager)
    (message,) = routing.request.messages.all()
    assert (message.routing, message.author_user, message.author_role) == (routing, world.manager, "manager")
    assert message.author_label == f"{world.manager} (Proteomikk)"


@pytest.mark.parametrize(("typed", "recorded"), [("  Per Hansen  ", "Per Hansen"), ("   ", "Per Kontakt")])
def test_the_link_records_the_name_given_or_else_the_contact_told(contact_routing, typed, recorded):
    token = answer_links.answer_token_make(contact_routing)
    when = timezone.now() - datetime.timedelta(minutes=5)
    services.routing_decline_by_link(token=token, answered_by=typed, reason="budget", comment="For dyrt", now=when)
    contact_routing.refresh_from_db()
    assert contact_routing.decided_label == f"{recorded} (Kontaktlab)"
    assert (contact_routing.decline_comment, contact_routing.decided_at, contact_routing.answer_nonce) == (
        "For dyrt", when, "",
    )  # fmt: skip
    request = contact_routing.request
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_SCREENING
    event = request.events.get(to_status=RequestStatus.IN_SCREENING, from_status=RequestStatus.ROUTED)
    assert event.created_at >= when and event.actor_label == f"{recorded} (Kontaktlab)"


@pytest.mark.parametrize(("typed", "recorded"), [(" Per Hansen ", "Per Hansen"), ("", "Per Kontakt")])
def test_an_acceptance_by_link_records_the_name_the_time_and_uses_up_the_link(contact_routing, typed, recorded):
    token = answer_links.answer_token_make(contact_routing)
    when = timezone.now() - datetime.timedelta(minutes=5)
    services.routing_accept_by_link(
        token=token, answered_by=typed, proposal_kind="agreement", agreement_type="rental", now=when
    )
    contact_routing.refresh_from_db()
    assert (contact_routing.decided_label, contact_routing.decided_at, contact_routing.answer_nonce) == (
        f"{recorded} (Kontaktlab)", when, "",
    )  # fmt: skip
    assert contact_routing.decided_by is None and contact_routing.agreement_template.kind == "rental"


def test_the_nonce_of_a_contact_link_is_long_and_random(world):
    nonces = set()
    for _index in range(3):
        facility = FacilityFactory(institution=world.ntnu)
        ContactPersonFactory(facility=facility)
        request = IntakeRequestFactory(institution=world.uio)
        (routing,) = services.request_route(request=request, user=world.screener, facilities=[facility])
        assert len(routing.answer_nonce) == 32  # 24 random bytes
        nonces.add(routing.answer_nonce)
    assert len(nonces) == 3
