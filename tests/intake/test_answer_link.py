"""A facility's contact person answers through the signed link: accept with a proposal or decline with a reason,
no account; an expired, used or tampered link shows a clear page and changes nothing."""

import pytest

from core.outbox import outbox_send_due
from intake import answer_links
from intake.choices import RequestStatus, RoutingStatus
from intake.models import Routing
from tests.factories import ContactPersonFactory, FacilityFactory
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(world):
    from intake import services

    facility = FacilityFactory(institution=world.ntnu, name="Kontaktlab")
    ContactPersonFactory(facility=facility, name="Per Kontakt", email="per@ntnu.example")
    request = IntakeRequestFactory(institution=world.uio, description="Vi trenger MR av 20 fantomer.")
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[facility], note="Passer dere")
    return routing


def _link_from_the_email(mailoutbox) -> str:
    outbox_send_due()
    (message,) = [m for m in mailoutbox if "per@ntnu.example" in m.to]
    return next(line for line in message.body.split() if "/intake/answer/" in line).split("testserver")[-1]


def _path(link: str) -> str:
    return link[link.index("/intake/answer/") :]


def test_the_contact_reads_the_request_and_declines_with_a_reason_without_an_account(client, routed, mailoutbox):
    path = _path(_link_from_the_email(mailoutbox))
    page = client.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Vi trenger MR av 20 fantomer." in html and "Passer dere" in html
    response = client.post(path, {"answer": "decline", "answered_by": "Per Kontakt", "d-reason": "no_capacity"})
    assert response.status_code == 200
    routed.refresh_from_db()
    assert (routed.status, routed.decline_reason, routed.decided_by) == (RoutingStatus.DECLINED, "no_capacity", None)
    assert routed.decided_label.startswith("Per Kontakt")
    routed.request.refresh_from_db()
    assert routed.request.status == RequestStatus.IN_SCREENING  # back to the screener


def test_the_contact_accepts_with_a_proposal_the_requester_then_reads(client, routed, mailoutbox):
    path = _path(_link_from_the_email(mailoutbox))
    response = client.post(
        path,
        {"answer": "accept", "answered_by": "Per Kontakt", "a-routing": routed.pk, "a-proposal_kind": "agreement",
         "a-agreement_type": "service", "a-proposal_text": "Vi kan ta dette i mars."},
    )  # fmt: skip
    assert response.status_code == 200
    routed.refresh_from_db()
    assert (routed.status, routed.agreement_type) == (RoutingStatus.ACCEPTED, "service")
    proposal = routed.request.messages.get(routing=routed)
    assert "Vi kan ta dette i mars." in proposal.body and not proposal.internal


def test_a_used_link_shows_a_clear_page_and_changes_nothing(client, routed, mailoutbox):
    path = _path(_link_from_the_email(mailoutbox))
    client.post(path, {"answer": "decline", "answered_by": "Per", "d-reason": "no_capacity"})
    before = Routing.objects.values().get(pk=routed.pk)
    again = client.post(path, {"answer": "decline", "answered_by": "Per", "d-reason": "budget"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode() or "allerede" in again.content.decode()
    assert Routing.objects.values().get(pk=routed.pk) == before


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(client, routed, mailoutbox, settings):
    path = _path(_link_from_the_email(mailoutbox))
    settings.INTAKE_ANSWER_LINK_DAYS = 0
    response = client.post(path, {"answer": "decline", "answered_by": "Per", "d-reason": "no_capacity"})
    assert response.status_code == 410
    routed.refresh_from_db()
    assert routed.status == RoutingStatus.PENDING


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature
        lambda token: "x" + token,  # payload
        lambda token: "",  # nothing
    ],
)
def test_a_tampered_link_shows_a_clear_page_and_changes_nothing(client, routed, tamper):
    token = tamper(answer_links.answer_token_make(routed))
    response = client.get(f"/intake/answer/{token}/") if token else client.get("/intake/answer/x/")
    assert response.status_code in (400, 410)
    assert "This link" in response.content.decode() or "lenken" in response.content.decode().lower()
    routed.refresh_from_db()
    assert routed.status == RoutingStatus.PENDING


def test_a_link_to_another_routing_is_not_a_key_to_this_one(routed, world):
    """The nonce is per routing: a routing without a contact link (a managed facility) cannot be answered by link."""
    from intake import services

    managed = Routing.objects.create(request=routed.request, facility=world.facility)
    forged = answer_links.answer_token_make(managed)  # signed, but names no nonce this routing holds
    with pytest.raises(Exception) as caught:
        services.routing_decline_by_link(token=forged, answered_by="X", reason="no_capacity")
    assert caught.value.field == "token"
    managed.refresh_from_db()
    assert managed.status == RoutingStatus.PENDING


def test_a_contact_who_gives_no_name_is_recorded_by_the_routings_contact_name(routed):
    """Through the API or any caller that leaves the name empty: the answer is still someone's."""
    from intake import services

    routed.refresh_from_db()
    token = answer_links.answer_token_make(routed)
    services.routing_decline_by_link(token=token, answered_by="", reason="no_capacity")
    routed.refresh_from_db()
    assert routed.status == RoutingStatus.DECLINED
    assert routed.decided_label.startswith("Per Kontakt")
