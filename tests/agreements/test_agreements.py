"""Standard agreements: versioned templates, and a proposal's agreement accepted by the requester, kept as a PDF
that opens and reads back with the parties, the price and the terms (report 7.3.2)."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from pypdf import PdfReader

from agreements import policies, selectors, services
from agreements.choices import AgreementKind
from agreements.models import AgreementTemplate
from intake import services as intake_services
from intake.choices import RequesterDecision
from tests.factories import UserFactory
from tests.intake.factories import IntakeRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_agreement_templates")]


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_every_kind_has_a_national_standard_in_bokmal_and_english():
    for kind in AgreementKind.values:
        template = selectors.agreement_template_current(institution_id=None, kind=kind)
        assert template is not None and template.institution is None
        assert template.terms_nb and template.terms_en and template.title_nb != template.title_en


def test_an_institutions_own_version_replaces_the_national_one_and_versions_count_up(world):
    first = services.agreement_template_publish(
        institution=world.uio, kind="service", title_nb="UiO tjeneste", title_en="UiO service",
        terms_nb="Vilkår 1", terms_en="Terms 1",
    )  # fmt: skip
    second = services.agreement_template_publish(
        institution=world.uio, kind="service", title_nb="UiO tjeneste", title_en="UiO service",
        terms_nb="Vilkår 2", terms_en="Terms 2",
    )  # fmt: skip
    assert (first.version, second.version) == (1, 2)
    assert selectors.agreement_template_current(institution_id=world.uio.pk, kind="service") == second
    national = selectors.agreement_template_current(institution_id=world.ntnu.pk, kind="service")
    assert national.institution is None


def test_a_template_needs_terms_in_both_languages(world):
    with pytest.raises(Exception) as caught:
        services.agreement_template_publish(kind="rental", title_nb="a", title_en="b", terms_nb="x", terms_en=" ")
    assert caught.value.field == "terms_en"
    assert not AgreementTemplate.objects.filter(title_nb="a").exists()


@pytest.fixture
def proposal(world, quote_resource):
    request = IntakeRequestFactory(
        institution=world.uio, requester=world.company, company_name="Biotek AS", org_number="988077917",
        description="Massespektrometri av 200 prøver.", language="nb",
    )  # fmt: skip
    (routing,) = intake_services.request_route(request=request, user=world.screener, facilities=[world.facility])
    return intake_services.routing_accept(
        routing=routing, user=world.manager, proposal_kind="quote", quote_amount=Decimal("48000"),
        quote_resource=quote_resource.pk, quote_unit="hour", quote_quantity=80, proposal_text="Oppstart i mars.",
    )  # fmt: skip


def test_a_quote_comes_with_the_service_order_and_accepting_it_keeps_a_pdf_that_reads_back(world, proposal):
    assert proposal.agreement_template.kind == "service"
    routing = intake_services.proposal_decide(routing=proposal, actor=world.company, decision="accepted")
    acceptance = routing.agreement
    assert (acceptance.template, acceptance.accepted_by, acceptance.organisation_name) == (
        proposal.agreement_template, world.company, "Biotek AS",
    )  # fmt: skip
    text = _text(bytes(acceptance.pdf))
    for expected in ("Tjenesteoppdrag", "Biotek AS", "988077917", "Proteomikk", "48", "Oppstart i mars", "full"):
        assert expected in text, expected


def test_the_requester_reads_the_pdf_and_the_facility_and_nobody_else(client, world, proposal):
    routing = intake_services.proposal_decide(routing=proposal, actor=world.company, decision="accepted")
    for person, status in [("company", 200), ("manager", 200), ("ntnu_manager", 404), ("outsider", 404)]:
        client.force_login(getattr(world, person))
        response = client.get(f"/agreements/{routing.agreement_id}/pdf/")
        assert response.status_code == status, person
        if status == 200:
            assert response["Content-Type"] == "application/pdf" and "Biotek AS" in _text(response.content)
    assert policies.can_read_agreement(UserFactory(is_staff=True), routing.agreement)


def test_only_one_proposal_is_accepted_and_a_decision_is_final(world, proposal, quote_resource):
    intake_services.proposal_decide(routing=proposal, actor=world.company, decision="declined")
    with pytest.raises(Exception) as caught:
        intake_services.proposal_decide(routing=proposal, actor=world.company, decision="accepted")
    assert caught.value.code == "already_decided"
    proposal.refresh_from_db()
    assert (proposal.requester_decision, proposal.agreement) == (RequesterDecision.DECLINED, None)


def test_the_requester_accepts_on_the_page_and_the_facility_is_told(client, world, proposal, mailoutbox):
    from core.outbox import outbox_send_due

    client.force_login(world.company)
    page = client.get(f"/intake/requests/{proposal.request_id}/").content.decode()
    assert "Tjenesteoppdrag" in page
    client.post(f"/intake/requests/{proposal.request_id}/proposal/", {"routing": proposal.pk, "decision": "accepted"})
    proposal.refresh_from_db()
    assert proposal.requester_decision == "accepted" and proposal.agreement is not None
    outbox_send_due()
    assert any(world.manager.email in m.to and "Biotek AS" in m.body for m in mailoutbox)


def test_only_the_requester_decides(client, world, proposal):
    client.force_login(world.manager)
    response = client.post(
        f"/intake/requests/{proposal.request_id}/proposal/", {"routing": proposal.pk, "decision": "accepted"}
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.requester_decision == ""


def test_a_cluster_accepts_a_proposal_for_its_member_through_the_api(client, world, quote_resource):
    request = IntakeRequestFactory(institution=world.uio, submitted_by_client=world.client, company_name="Medlem AS")
    (routing,) = intake_services.request_route(request=request, user=world.screener, facilities=[world.facility])
    intake_services.routing_accept(
        routing=routing, user=world.manager, proposal_kind="agreement", agreement_type="collaboration"
    )
    auth = {"HTTP_AUTHORIZATION": f"Token {world.key}"}
    other = client.post(
        f"/api/v1/intake/requests/{request.pk}/decide/", {"routing": routing.pk, "decision": "accepted"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Token {world.other_key}",
    )  # fmt: skip
    assert other.status_code == 404
    answer = client.post(
        f"/api/v1/intake/requests/{request.pk}/decide/", {"routing": routing.pk, "decision": "accepted"},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert answer.status_code == 200
    (row,) = answer.json()["routings"]
    assert row["requester_decision"] == "accepted" and row["agreement"]
    routing.refresh_from_db()
    assert (routing.agreement.accepted_by_name, routing.agreement.organisation_name) == (
        "Oslo Cancer Cluster", "Medlem AS",
    )  # fmt: skip
    assert routing.agreement.template.kind == "collaboration"
    bad = client.post(
        f"/api/v1/intake/requests/{request.pk}/decide/", {"routing": routing.pk, "decision": "maybe"},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert bad.status_code == 400 and "decision" in bad.json()


def test_a_requester_without_an_account_accepts_and_reads_the_pdf_through_the_follow_link(client, world, proposal):
    """An agreement that makes nothing in a person's name (here: commissioned research, terms to be agreed) is
    accepted on the follow link; a quote, which becomes a service order in a person's name, asks them to sign in."""
    from django.utils import timezone

    request = proposal.request
    request.requester = None
    request.confirmation_token, request.confirmed_at = "quote-secret", timezone.now()
    request.save()
    assert "Tjenesteoppdrag" in client.get("/intake/follow/quote-secret/").content.decode()
    refused = client.post(
        "/intake/follow/quote-secret/proposal/", {"routing": proposal.pk, "decision": "accepted"}, follow=True
    )
    assert "logg inn på Labtorget" in refused.content.decode()
    proposal.refresh_from_db()
    assert (proposal.requester_decision, proposal.agreement) == ("", None)

    request = IntakeRequestFactory(
        institution=world.uio, requester=None, confirmation_token="follow-secret", confirmed_at=timezone.now()
    )
    (proposal,) = intake_services.request_route(request=request, user=world.screener, facilities=[world.facility])
    intake_services.routing_accept(
        routing=proposal, user=world.manager, proposal_kind="agreement", agreement_type="commissioned"
    )
    client.post("/intake/follow/follow-secret/proposal/", {"routing": proposal.pk, "decision": "accepted"})
    proposal.refresh_from_db()
    assert proposal.agreement.accepted_by is None
    assert proposal.agreement.accepted_by_name == request.contact_name
    pdf = client.get(f"/intake/follow/follow-secret/agreement/{proposal.pk}/")
    assert pdf.status_code == 200 and "Biotek AS" in _text(pdf.content)
    assert "no-store" in pdf["Cache-Control"]  # a person's agreement reached by a secret address: no cache keeps it
    assert client.get(f"/intake/follow/wrong-secret/agreement/{proposal.pk}/").status_code == 404
    # Accepted without an account, the agreement has no person behind it: a signed-out visitor (who has no id
    # either) is not that person, on the page or by the policy.
    client.logout()
    assert client.get(f"/agreements/{proposal.agreement_id}/pdf/").status_code in (302, 404)
    assert policies.can_read_agreement(AnonymousUser(), proposal.agreement) is False
