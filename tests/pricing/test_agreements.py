"""Collaboration agreements: proposed by anyone, approved by the facility's managers (portal and API), told to
the people they concern, and the only way for use outside the owning institution to be non-economic."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from core.errors import ConflictError, DomainError
from core.outbox import outbox_send_due
from pricing import services
from pricing.choices import AgreementStatus
from pricing.models import CollaborationAgreement
from tests.factories import (
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionRoleFactory,
    UserFactory,
)
from tests.pricing.factories import CollaborationAgreementFactory

pytestmark = pytest.mark.django_db

TERMS = {"effective_collaboration": True, "shared_risk": True, "may_publish": True}


@pytest.fixture
def facility(db):
    return FacilityFactory()


@pytest.fixture
def manager(facility):
    return FacilityManagerFactory(facility=facility, user__email="leder@example.org").user


def propose(actor, facility, **changes):
    values = {"title": "Felles biomarkørstudie", "partner_name": "Biotek AS", "partner_org_number": "988077917",
              "valid_from": datetime.date(2026, 1, 1), **TERMS, **changes}  # fmt: skip
    return services.collaboration_agreement_propose(actor=actor, facility=facility, **values)


def test_a_proposal_names_its_proposer_and_asks_the_managers(facility, manager):
    company = UserFactory(email="forsker@biotek.no")
    colleague = UserFactory(email="kollega@biotek.no")
    agreement = propose(company, facility, participants=["Kollega@Biotek.no"])
    assert agreement.status == AgreementStatus.PROPOSED and agreement.proposed_by == company
    assert set(agreement.participants.all()) == {company, colleague}
    outbox_send_due()
    assert [message.to for message in mail.outbox] == [["leder@example.org"]]
    assert "Felles biomarkørstudie" in mail.outbox[0].subject


def test_without_managers_the_institutions_admins_are_asked(facility):
    admin = InstitutionRoleFactory(institution=facility.institution, role="admin", user__email="admin@ntnu.no").user
    propose(UserFactory(), facility)
    outbox_send_due()
    assert [message.to for message in mail.outbox] == [[admin.email]]


@pytest.mark.parametrize("term", ["effective_collaboration", "shared_risk", "may_publish"])
def test_an_agreement_without_each_term_of_collaboration_is_refused_on_that_field(facility, term):
    with pytest.raises(DomainError) as error:
        propose(UserFactory(), facility, **{term: False})
    assert (error.value.field, error.value.code) == (term, "collaboration_term_required")
    assert not CollaborationAgreement.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": " "}, "title"),
        ({"partner_name": ""}, "partner_name"),
        ({"partner_org_number": "988077918"}, "partner_org_number"),
        ({"valid_to": datetime.date(2025, 12, 31)}, "valid_to"),
        ({"participants": ["nobody@example.org"]}, "participants"),
    ],
)
def test_bad_proposals_name_the_field_and_store_nothing(facility, changes, field):
    with pytest.raises(DomainError) as error:
        propose(UserFactory(), facility, **changes)
    assert error.value.field == field
    assert not CollaborationAgreement.objects.exists()


def test_a_manager_proposing_for_a_partner_is_not_a_participant(facility, manager):
    partner = UserFactory(email="partner@biotek.no")
    agreement = propose(manager, facility, participants=["partner@biotek.no"])
    assert list(agreement.participants.all()) == [partner]


def test_approval_tells_the_proposer_and_participants(facility, manager):
    company = UserFactory(email="forsker@biotek.no")
    agreement = propose(company, facility)
    outbox_send_due()
    mail.outbox.clear()
    services.collaboration_agreement_approve(agreement=agreement, actor=manager)
    agreement.refresh_from_db()
    assert (agreement.status, agreement.decided_by) == (AgreementStatus.APPROVED, manager)
    outbox_send_due()
    assert [message.to for message in mail.outbox] == [["forsker@biotek.no"]]


def test_rejection_needs_a_reason_and_is_told(facility, manager):
    agreement = propose(UserFactory(email="forsker@biotek.no"), facility)
    with pytest.raises(DomainError) as error:
        services.collaboration_agreement_reject(agreement=agreement, actor=manager, reason=" ")
    assert error.value.field == "reason"
    services.collaboration_agreement_reject(agreement=agreement, actor=manager, reason="Ren oppdragsforskning")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.decision_reason) == (AgreementStatus.REJECTED, "Ren oppdragsforskning")
    with pytest.raises(ConflictError):
        services.collaboration_agreement_approve(agreement=agreement, actor=manager)


def test_only_the_facilitys_keepers_decide(facility, manager):
    agreement = propose(UserFactory(), facility)
    for outsider in (agreement.proposed_by, FacilityManagerFactory().user, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.collaboration_agreement_approve(agreement=agreement, actor=outsider)
    admin = InstitutionRoleFactory(institution=facility.institution, role="admin").user
    services.collaboration_agreement_approve(agreement=agreement, actor=admin)


def test_an_agreement_naming_nobody_cannot_be_approved(facility, manager):
    agreement = propose(manager, facility)
    with pytest.raises(DomainError) as error:
        services.collaboration_agreement_approve(agreement=agreement, actor=manager)
    assert error.value.field == "participants"
    services.collaboration_agreement_participant_add(agreement=agreement, actor=manager, email=UserFactory().email)
    services.collaboration_agreement_approve(agreement=agreement, actor=manager)


def test_ending_an_agreement_keeps_it_for_the_days_before(facility, manager):
    agreement = CollaborationAgreementFactory(facility=facility, participants=[UserFactory()])
    services.collaboration_agreement_end(agreement=agreement, actor=manager, last_day=datetime.date(2026, 6, 30))
    agreement.refresh_from_db()
    assert agreement.valid_to == datetime.date(2026, 6, 30)
    with pytest.raises(DomainError) as error:
        services.collaboration_agreement_end(agreement=agreement, actor=manager, last_day=datetime.date(2019, 1, 1))
    assert error.value.field == "valid_to"


def test_the_database_refuses_an_approved_agreement_without_collaboration(facility):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CollaborationAgreementFactory(facility=facility, shared_risk=False)


# --- Portal and API -----------------------------------------------------------------------------------------


def test_the_portal_proposes_lists_and_approves(client, facility, manager):
    company = UserFactory()
    client.force_login(company)
    response = client.post(
        f"/pricing/facilities/{facility.pk}/agreements/propose/",
        {"title": "Felles studie", "partner_name": "Biotek AS", "valid_from": "2026-01-01",
         "effective_collaboration": "on", "shared_risk": "on"},
    )  # fmt: skip
    assert response.status_code == 400 and "may_publish" in response.context["form"].errors
    response = client.post(
        f"/pricing/facilities/{facility.pk}/agreements/propose/",
        {"title": "Felles studie", "partner_name": "Biotek AS", "valid_from": "2026-01-01",
         "effective_collaboration": "on", "shared_risk": "on", "may_publish": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    agreement = CollaborationAgreement.objects.get()
    assert "Felles studie" in client.get("/pricing/agreements/").content.decode()
    assert client.get(f"/pricing/facilities/{facility.pk}/agreements/").status_code == 403

    client.force_login(manager)
    page = client.get(f"/pricing/facilities/{facility.pk}/agreements/").content.decode()
    assert "Felles studie" in page
    response = client.post(
        f"/pricing/facilities/{facility.pk}/agreements/", {"agreement": agreement.pk, "action": "approve"}
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.APPROVED


def test_the_api_proposes_and_the_manager_approves(facility, manager):
    company, api = UserFactory(), APIClient()
    api.force_authenticate(company)
    body = {"facility": facility.pk, "title": "Felles studie", "partner_name": "Biotek AS",
            "valid_from": "2026-01-01", **TERMS, "may_publish": False}  # fmt: skip
    refused = api.post("/api/v1/pricing/agreements/", body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "collaboration_term_required"
    assert "may_publish" in refused.json()
    created = api.post("/api/v1/pricing/agreements/", {**body, "may_publish": True}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "proposed"
    pk = created.json()["id"]
    assert api.post(f"/api/v1/pricing/agreements/{pk}/approve/", {}, format="json").status_code == 403
    assert [row["id"] for row in api.get("/api/v1/pricing/agreements/").json()] == [pk]

    api.force_authenticate(manager)
    approved = api.post(f"/api/v1/pricing/agreements/{pk}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["participants"] == [company.email]
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert stranger.post(f"/api/v1/pricing/agreements/{pk}/reject/", {"reason": "x"}, format="json").status_code == 404
    assert stranger.get("/api/v1/pricing/agreements/").json() == []
    missing = api.post("/api/v1/pricing/agreements/", {**body, "facility": 10**9, "may_publish": True}, format="json")
    assert missing.status_code == 400 and "facility" in missing.json()


@pytest.mark.parametrize("agreement", ["abc", "", str(10**30)])
def test_a_decision_for_no_agreement_is_a_400_not_a_500(client, facility, manager, agreement):
    client.force_login(manager)
    response = client.post(
        f"/pricing/facilities/{facility.pk}/agreements/", {"agreement": agreement, "action": "approve"}
    )
    assert response.status_code == 400


def test_ids_beyond_the_database_are_404(client, facility, manager):
    client.force_login(manager)
    api = APIClient()
    api.force_authenticate(manager)
    assert api.post(f"/api/v1/pricing/agreements/{10**30}/approve/", {}, format="json").status_code == 404
    assert api.get(f"/api/v1/pricing/institutions/{10**30}/vat-table/").status_code == 404
    assert client.get(f"/pricing/facilities/{10**30}/agreements/").status_code == 404


# --- Every refusal names its field and the code API clients read --------------------------------------------


def _refusal(call):
    with pytest.raises((DomainError, ConflictError)) as error:
        call()
    return (error.value.field, error.value.code)


PROPOSAL_REFUSALS = [
    ({"title": None}, ("title", "required")),
    ({"partner_name": "  "}, ("partner_name", "required")),
    ({"valid_to": datetime.date(2025, 12, 31)}, ("valid_to", "end_before_start")),
    ({"partner_org_number": "988077918"}, ("partner_org_number", "invalid")),
    ({"participants": ["nobody@example.org"]}, ("participants", "unknown_person")),
    ({"participants": ["inaktiv@biotek.no"]}, ("participants", "unknown_person")),  # a deactivated account
]


@pytest.mark.parametrize("changes, refusal", PROPOSAL_REFUSALS)
def test_each_refused_proposal_names_its_field_and_code(facility, changes, refusal):
    UserFactory(email="inaktiv@biotek.no", is_active=False)
    assert _refusal(lambda: propose(UserFactory(), facility, **changes)) == refusal
    assert not CollaborationAgreement.objects.exists()


def test_a_proposal_keeps_what_it_was_given(facility):
    colleague = UserFactory(email="kollega@biotek.no")
    agreement = propose(
        UserFactory(), facility, partner_org_number="988 077 917", valid_from=datetime.date(2026, 3, 1),
        valid_to=datetime.date(2026, 3, 1), description="  Felles analyse av prøver.  ",
        participants=["  ", "", "kollega@biotek.no"],
    )  # fmt: skip
    agreement.refresh_from_db()
    assert (agreement.partner_org_number, agreement.valid_to, agreement.description) == (
        "988077917", datetime.date(2026, 3, 1), "Felles analyse av prøver."
    )  # fmt: skip  # one day is a valid agreement; blank e-mail lines are ignored
    assert colleague in agreement.participants.all()
    assert propose(UserFactory(), facility, description=None).description == ""


def test_each_refused_decision_names_its_field_and_code(facility, manager):
    proposed = propose(UserFactory(), facility)
    approved = CollaborationAgreementFactory(facility=facility, participants=[UserFactory()],
                                             valid_from=datetime.date(2026, 1, 1))  # fmt: skip
    nobody = propose(manager, facility)
    decide = services.collaboration_agreement_approve
    assert _refusal(lambda: decide(agreement=approved, actor=manager)) == ("status", "not_proposed")
    assert _refusal(lambda: decide(agreement=nobody, actor=manager)) == ("participants", "required")
    reject = services.collaboration_agreement_reject
    assert _refusal(lambda: reject(agreement=proposed, actor=manager, reason=None)) == ("reason", "reason_required")
    assert _refusal(lambda: reject(agreement=approved, actor=manager, reason="Nei")) == ("status", "not_proposed")
    end = services.collaboration_agreement_end
    assert _refusal(lambda: end(agreement=proposed, actor=manager, last_day=datetime.date(2026, 6, 30))) == (
        "status", "not_approved"
    )  # fmt: skip
    assert _refusal(lambda: end(agreement=approved, actor=manager, last_day=datetime.date(2025, 12, 31))) == (
        "valid_to", "end_before_start"
    )  # fmt: skip
    assert (proposed.status, approved.status) == (AgreementStatus.PROPOSED, AgreementStatus.APPROVED)


def test_decisions_record_who_decided_and_why_and_return_the_agreement(facility, manager):
    first, second = propose(UserFactory(), facility), propose(UserFactory(), facility)
    approved = services.collaboration_agreement_approve(agreement=first, actor=manager, reason=" Godkjent i møte ")
    rejected = services.collaboration_agreement_reject(agreement=second, actor=manager, reason="Ren oppdragsforskning")
    for agreement, status, reason in ((approved, "approved", "Godkjent i møte"),
                                      (rejected, "rejected", "Ren oppdragsforskning")):  # fmt: skip
        agreement.refresh_from_db()
        assert (agreement.status, agreement.decided_by, agreement.decision_reason) == (status, manager, reason)
    person = UserFactory()
    added = services.collaboration_agreement_participant_add(agreement=first, actor=manager, email=person.email)
    assert person in added.participants.all()
    ended = services.collaboration_agreement_end(agreement=first, actor=manager, last_day=first.valid_from)
    assert ended.valid_to == first.valid_from  # ending on its first day leaves that one day
