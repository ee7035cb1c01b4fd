"""A collaboration agreement that a company accepts through intake is what pricing uses to allow non-economic use:
accepting it records the agreement in pricing (pricing.CollaborationAgreement), approved for that facility, with the
person who accepted and the members of their registered organisation as participants."""

import datetime

import pytest
from django.utils import timezone

from core.errors import DomainError
from intake import services
from pricing.selectors import booking_price
from tests.booking.factories import BookingPolicyFactory
from tests.factories import FacilityFactory, ResourceFactory, UserFactory
from tests.helpers import OSLO
from tests.intake.factories import IntakeRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_agreement_templates")]


def collaboration_proposed(world):
    organisation = world.company.memberships.get().organisation  # Biotek AS, registered
    request = IntakeRequestFactory(
        institution=world.uio, requester=world.company, email=world.company.email, organisation=organisation
    )
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[world.facility])
    return services.routing_accept(
        routing=routing, user=world.manager, proposal_kind="agreement", agreement_type="collaboration"
    )


def terms_of(user, facility):
    resource = BookingPolicyFactory(resource=ResourceFactory(facility=facility)).resource
    start = datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=7), datetime.time(10), OSLO)
    found, _quote = booking_price(
        resource=resource, user=user, access_model="collaboration", start=start, end=start + datetime.timedelta(hours=2)
    )
    return found


# situation -> the activity pricing gives the company's collaboration research (or the refusal's code)
SITUATIONS = [
    ("accepted, at that facility", "non_economic"),
    ("accepted, asked by a colleague at the same company", "non_economic"),
    ("accepted, at another facility of the same institution", "agreement_required"),
    ("proposed, not accepted yet", "agreement_required"),
    ("declined", "agreement_required"),
]


@pytest.mark.parametrize(("situation", "expected"), SITUATIONS)
def test_only_an_accepted_collaboration_agreement_makes_use_at_that_facility_non_economic(world, situation, expected):
    colleague = UserFactory(company_name="Biotek AS")  # an approved member of the same organisation
    routing = collaboration_proposed(world)
    person, facility = world.company, world.facility
    if situation.startswith("accepted"):
        services.proposal_decide(routing=routing, actor=world.company, decision="accepted")
    elif situation == "declined":
        services.proposal_decide(routing=routing, actor=world.company, decision="declined")
    if "colleague" in situation:
        person = colleague
    if "another facility" in situation:
        facility = FacilityFactory(institution=world.uio)
    try:
        found = terms_of(person, facility)
    except DomainError as error:
        outcome = error.code
    else:
        outcome = found.terms.activity
        routing.refresh_from_db()
        assert found.agreement == routing.collaboration_agreement
    assert outcome == expected


def test_the_agreement_in_pricing_names_the_facility_the_partner_and_who_approved_it(world):
    routing = collaboration_proposed(world)
    services.proposal_decide(routing=routing, actor=world.company, decision="accepted")
    routing.refresh_from_db()
    agreement = routing.collaboration_agreement
    assert (agreement.status, agreement.facility, agreement.partner_name, agreement.decided_by) == (
        "approved",
        world.facility,
        "Biotek AS",
        world.manager,
    )
    assert (agreement.valid_from, agreement.valid_to) == (timezone.localdate(), None)
    assert world.company in agreement.participants.all()
    assert f"Samarbeidsavtale nr. {agreement.pk}" in routing.agreement.subject
