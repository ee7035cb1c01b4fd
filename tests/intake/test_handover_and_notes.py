"""Handing a request between queues, referring it outside, and what each party may read: a screener's note and a
facility's internal notes never reach the requester; a facility sees only its own proposal (issue 17)."""

import pytest

from catalogue.choices import InstitutionRoleKind
from core.outbox import outbox_send_due
from intake import policies, services
from intake.choices import AuthorRole, RequestStatus
from tests.factories import FacilityFactory, FacilityManagerFactory, InstitutionFactory, InstitutionRoleFactory
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db


def test_a_screener_hands_a_request_to_another_institution_whose_screeners_are_told(world, mailoutbox, client):
    request = IntakeRequestFactory(institution=world.uio, requester=world.company)
    deadline = request.deadline_at
    services.request_assign_institution(request=request, user=world.screener, institution=world.ntnu, note="MR")
    outbox_send_due()
    request.refresh_from_db()
    assert request.institution == world.ntnu and request.deadline_at == deadline  # the same clock
    assert world.other_screener.email in {a for m in mailoutbox for a in m.to}
    assert policies.can_screen_request(world.other_screener, request)
    assert not policies.can_screen_request(world.screener, request)
    client.force_login(world.company)  # the requester sees where it went
    assert "NTNU" in client.get(f"/intake/requests/{request.pk}/").content.decode()


@pytest.mark.parametrize(
    ("target", "code"),
    [("no_screeners", "no_screener"), ("same", "same_queue")],
)
def test_handing_over_to_a_queue_nobody_reads_or_the_same_one_is_refused(world, target, code):
    institution = InstitutionFactory() if target == "no_screeners" else world.uio
    request = IntakeRequestFactory(institution=world.uio)
    with pytest.raises(Exception) as caught:
        services.request_assign_institution(request=request, user=world.screener, institution=institution)
    assert (caught.value.field, caught.value.code) == ("institution", code)
    request.refresh_from_db()
    assert request.institution == world.uio and not request.events.exists()


def test_a_referral_outside_is_recorded_closes_the_request_and_the_requester_sees_it(world, client, mailoutbox):
    request = IntakeRequestFactory(institution=world.uio, requester=world.company, email=world.company.email)
    services.request_refer(
        request=request, user=world.screener, kind="cluster", name="Oslo Cancer Cluster",
        contact="post@occ.example", note="De har et testsenter for dette.",
    )  # fmt: skip
    request.refresh_from_db()
    assert (request.status, request.close_reason) == (RequestStatus.CLOSED, "referred")
    client.force_login(world.company)
    html = client.get(f"/intake/requests/{request.pk}/").content.decode()
    assert "Oslo Cancer Cluster" in html and "post@occ.example" in html
    api = client.get(f"/api/v1/intake/requests/{request.pk}/").json()
    assert api["referrals"][0]["name"] == "Oslo Cancer Cluster"
    outbox_send_due()
    assert any("Oslo Cancer Cluster" in m.body for m in mailoutbox if world.company.email in m.to)


def test_a_referral_needs_a_name_and_a_known_kind(world):
    request = IntakeRequestFactory(institution=world.uio)
    for kind, name, field in [("cluster", " ", "name"), ("moon", "X", "kind")]:
        with pytest.raises(Exception) as caught:
            services.request_refer(request=request, user=world.screener, kind=kind, name=name)
        assert caught.value.field == field
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_SCREENING and not request.referrals.exists()


@pytest.fixture
def two_proposals(world, quote_resource):
    """A request routed to two facilities with a note; both accept with their own proposal and internal note."""
    request = IntakeRequestFactory(institution=world.uio, requester=world.company)
    first, second = services.request_route(
        request=request, user=world.screener, facilities=[world.facility, world.ntnu_facility],
        note="HEMMELIG-SCREENERNOTAT",
    )  # fmt: skip
    services.routing_accept(
        routing=first, user=world.manager, proposal_kind="quote", quote_amount="20000",
        quote_resource=quote_resource.pk, quote_unit="hour", quote_quantity=20, proposal_text="PROTEOMIKK-TILBUD",
    )  # fmt: skip
    services.routing_accept(
        routing=second, user=world.ntnu_manager, proposal_kind="agreement", agreement_type="service",
        proposal_text="MR-TILBUD",
    )  # fmt: skip
    services.request_add_message(
        request=request, actor=world.manager, body="PROTEOMIKK-INTERNT", role=AuthorRole.MANAGER, internal=True
    )
    services.request_add_message(
        request=request, actor=world.screener, body="SCREENER-INTERNT", role=AuthorRole.SCREENER, internal=True
    )
    return request


# who reads the page -> which marker texts they see
SEES = {
    "company": {"PROTEOMIKK-TILBUD", "MR-TILBUD"},
    "screener": {"PROTEOMIKK-TILBUD", "MR-TILBUD", "PROTEOMIKK-INTERNT", "SCREENER-INTERNT", "HEMMELIG-SCREENERNOTAT"},
    "manager": {"PROTEOMIKK-TILBUD", "PROTEOMIKK-INTERNT", "SCREENER-INTERNT", "HEMMELIG-SCREENERNOTAT"},
    "ntnu_manager": {"MR-TILBUD", "SCREENER-INTERNT", "HEMMELIG-SCREENERNOTAT"},
}
MARKERS = {"PROTEOMIKK-TILBUD", "MR-TILBUD", "PROTEOMIKK-INTERNT", "SCREENER-INTERNT", "HEMMELIG-SCREENERNOTAT"}


@pytest.mark.parametrize("person", list(SEES))
def test_each_party_reads_only_its_part_on_the_page_and_in_the_api(client, world, two_proposals, person):
    client.force_login(getattr(world, person))
    html = client.get(f"/intake/requests/{two_proposals.pk}/").content.decode()
    assert {marker for marker in MARKERS if marker in html} == SEES[person]
    api = client.get(f"/api/v1/intake/requests/{two_proposals.pk}/").content.decode()
    # The API does not carry the screener's note to the facilities at all (it is on the facilities' pages).
    assert {marker for marker in MARKERS if marker in api} == SEES[person] - {"HEMMELIG-SCREENERNOTAT"}


def test_the_requesters_email_never_carries_a_note(world, two_proposals, mailoutbox):
    outbox_send_due()
    to_requester = " ".join(m.body for m in mailoutbox if two_proposals.email in m.to)
    for marker in ("HEMMELIG-SCREENERNOTAT", "PROTEOMIKK-INTERNT", "SCREENER-INTERNT"):
        assert marker not in to_requester


def test_a_cluster_client_reads_the_proposals_but_no_internal_note(client, world, quote_resource):
    request = IntakeRequestFactory(institution=world.uio, submitted_by_client=world.client)
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[world.facility])
    services.request_add_message(
        request=request, actor=world.manager, body="INTERNT", role=AuthorRole.MANAGER, internal=True
    )
    api = client.get(f"/api/v1/intake/requests/{request.pk}/", HTTP_AUTHORIZATION=f"Token {world.key}").json()
    assert [m["body"] for m in api["messages"]] == []
    assert [r["id"] for r in api["routings"]] == [routing.pk]


def test_the_requester_cannot_write_an_internal_note(world):
    request = IntakeRequestFactory(institution=world.uio, requester=world.company)
    with pytest.raises(Exception) as caught:
        services.request_add_message(
            request=request, actor=world.company, body="x", role=AuthorRole.REQUESTER, internal=True
        )
    assert caught.value.field == "internal"


def test_a_new_facility_manager_at_another_institution_sees_nothing_of_the_others(world):
    request = IntakeRequestFactory(institution=world.uio)
    third = FacilityFactory(institution=InstitutionRoleFactory(role=InstitutionRoleKind.SCREENER).institution)
    third_manager = FacilityManagerFactory(facility=third).user
    services.request_route(request=request, user=world.screener, facilities=[world.facility, third])
    visible = policies.visible_routings(third_manager, request, request.routings.all())
    assert [routing.facility for routing in visible] == [third]


# --- the exact record a hand-over and a referral leave (what the requester reads) ----------------------------


@pytest.mark.parametrize(
    ("note", "reason"), [("  Har MR.  ", "Handed over to NTNU. Har MR."), ("", "Handed over to NTNU.")]
)
def test_a_hand_over_leaves_one_history_line_with_who_where_and_why(world, note, reason):
    from django.utils import translation

    request = IntakeRequestFactory(institution=world.uio)
    with translation.override("en"):
        services.request_assign_institution(request=request, user=world.screener, institution=world.ntnu, note=note)
    (event,) = request.events.all()
    assert (event.reason, event.actor_user) == (reason, world.screener)


def test_a_referral_leaves_the_whole_record_and_a_history_line_by_the_screener(world):
    from django.utils import translation

    request = IntakeRequestFactory(institution=world.uio)
    with translation.override("en"):
        referral = services.request_refer(
            request=request, user=world.screener, kind="institute", name=" SINTEF ", contact=" post@sintef.example ",
            note=" Spør etter Kari. ",
        )  # fmt: skip
    assert (referral.kind, referral.name, referral.contact, referral.note, referral.referred_by) == (
        "institute", "SINTEF", "post@sintef.example", "Spør etter Kari.", world.screener,
    )  # fmt: skip
    event = request.events.get(to_status=RequestStatus.CLOSED)
    assert event.actor_user == world.screener
    assert event.reason == ("Referred to SINTEF (A research institute). Contact: post@sintef.example. Spør etter Kari.")


def test_a_referral_without_contact_or_note_keeps_them_empty(world):
    from django.utils import translation

    request = IntakeRequestFactory(institution=world.uio)
    with translation.override("en"):
        referral = services.request_refer(
            request=request, user=world.screener, kind="cluster", name="NCE", contact=None, note=None
        )
    assert (referral.contact, referral.note) == ("", "")
    assert request.events.get(to_status=RequestStatus.CLOSED).reason == "Referred to NCE (An industry cluster)."


@pytest.mark.parametrize(
    ("kind", "name", "field", "code"),
    [
        ("moon", "X", "kind", "invalid_choice"),
        ("cluster", None, "name", "required"),
        ("cluster", "  ", "name", "required"),
    ],
)
def test_a_referral_names_the_field_and_the_rule_it_breaks(world, kind, name, field, code):
    request = IntakeRequestFactory(institution=world.uio)
    with pytest.raises(Exception) as caught:
        services.request_refer(request=request, user=world.screener, kind=kind, name=name)
    assert (caught.value.field, caught.value.code) == (field, code)
