"""A request points to a registered organisation only when its signed-in requester is an approved member."""

import pytest

from accounts.choices import MembershipState, RegisterState
from accounts.models import Organisation, OrganisationMembership
from intake import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def request_data(org_number="988077917"):
    return {
        "company_name": "Demo Helse AS", "org_number": org_number, "contact_name": "Kari", "email": "kari@x.no",
        "sector": "pharma", "phase": "research", "description": "Trenger massespektrometri", "consent_to_share": True,
    }  # fmt: skip


@pytest.mark.parametrize(
    "membership, signed_in, typed, linked",
    [
        (MembershipState.APPROVED, True, "988077917", True),
        (MembershipState.APPROVED, True, "974760673", False),  # another number than the organisation's
        (MembershipState.PENDING, True, "988077917", False),
        (MembershipState.REFUSED, True, "988077917", False),
        (None, True, "988077917", False),  # an impostor typing the number
        (None, False, "988077917", False),  # without an account
    ],
)
def test_a_request_points_to_the_organisation_only_for_its_approved_members(membership, signed_in, typed, linked):
    organisation = Organisation.objects.create(org_number="988077917", name="Demo Helse AS",
                                               register_state=RegisterState.VERIFIED)  # fmt: skip
    user = UserFactory(company_name="", org_number="")
    if membership:
        OrganisationMembership.objects.create(organisation=organisation, user=user, state=membership)
    request = services.request_submit(data=request_data(typed), user=user if signed_in else None)
    assert (request.organisation == organisation) is linked
