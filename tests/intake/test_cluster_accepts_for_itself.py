"""A cluster or TTO that sent a request for a member company accepts a proposal for itself: the agreement names the
cluster, and a collaboration agreement covers its staff member, not the company's people, who never agreed (the
cluster's admin adds any company by its number; the company is only told)."""

import pytest

from accounts import services as account_services
from accounts.models import Organisation
from agreements.models import AgreementAcceptance
from intake import services
from tests.factories import UserFactory
from tests.intake.test_clusters_in_the_portal import REQUEST

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_agreement_templates")]

CLUSTER, COMPANY = "910000004", "910000020"


@pytest.fixture
def sent_by_cluster(world):
    """Oslo Cancer Cluster's staff member sends a request for Equinor ASA (a member it added); UiO's facility
    proposes a collaboration agreement."""
    staff = UserFactory(company_name="Oslo Cancer Cluster", org_number=CLUSTER)
    Organisation.objects.filter(org_number=CLUSTER).update(kind="cluster")
    employee = UserFactory(company_name="Equinor ASA", org_number=COMPANY)
    member = account_services.cluster_member_add(
        actor=staff, cluster=Organisation.objects.get(org_number=CLUSTER), org_number=COMPANY
    )
    account_services.cluster_sharing_decide(actor=employee, member=member, share=True)  # Equinor agrees
    uio = world.uio
    request = services.request_submit(
        data={**REQUEST, "org_number": "", "company_name": "", "email": staff.email, "preferred_institution": uio},
        user=staff,
        on_behalf_of=Organisation.objects.get(org_number=COMPANY),
    )
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[world.facility])
    routing = services.routing_accept(
        routing=routing, user=world.manager, proposal_kind="agreement", agreement_type="collaboration"
    )
    return staff, employee, routing


def test_the_clusters_staff_accept_for_the_cluster_not_for_the_member_company(sent_by_cluster):
    staff, employee, routing = sent_by_cluster
    services.proposal_decide(routing=routing, actor=staff, decision="accepted")
    routing.refresh_from_db()
    acceptance = AgreementAcceptance.objects.get()
    agreement = routing.collaboration_agreement
    assert (acceptance.organisation_name, acceptance.org_number) == ("Oslo Cancer Cluster", CLUSTER)
    assert (agreement.partner_name, agreement.partner_org_number) == ("Oslo Cancer Cluster", CLUSTER)
    assert list(agreement.participants.all()) == [staff]
    assert employee not in agreement.participants.all()
