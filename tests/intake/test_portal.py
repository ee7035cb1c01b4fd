import re

import pytest
from django.test import RequestFactory

from core.navigation import FACILITY_PAGE, panels_for
from intake.models import IntakeRequest
from tests.intake.conftest import VALID_REQUEST
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db


def form_data(**extra):
    data = {k: v for k, v in VALID_REQUEST.items()}
    data["nda_required"] = "on"
    data["consent_to_share"] = "on"
    data.update(extra)
    return data


def test_anonymous_request_waits_for_the_email_link_before_entering_the_queue(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/intake/new/", form_data(email="ny@firma.example"))
    assert response.status_code == 302 and response["Location"] == "/intake/sent/"
    request = IntakeRequest.objects.get(email="ny@firma.example")
    assert request.status == "awaiting_confirmation"
    assert request.requester is None
    assert request.deadline_at is None
    # Nobody screens it yet.
    client.force_login(world.platform_admin)
    assert request.pk not in [r["id"] for r in client.get("/api/v1/intake/requests/").json()["results"]]
    client.logout()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ny@firma.example"]
    link = re.search(r"https?://\S+/intake/confirm/\S+/", mailoutbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    # Opening the link (as a mail system's link scanner would) only shows a button.
    assert client.get(path).status_code == 200
    request.refresh_from_db()
    assert request.status == "awaiting_confirmation"
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(path)
    assert confirmed.status_code == 200
    request.refresh_from_db()
    assert request.status == "in_screening"
    assert request.confirmed_at is not None and request.deadline_at is not None
    assert [e.to_status for e in request.events.all()] == ["submitted", "awaiting_confirmation", "in_screening"]
    # The requester is told by e-mail, with the secret link to follow the request.
    to_requester = [m for m in mailoutbox if m.to == ["ny@firma.example"]]
    assert to_requester[-1].subject == f"Henvendelse nr. {request.pk}: Under vurdering"
    follow = re.search(r"https?://\S+/intake/follow/\S+/", to_requester[-1].body).group(0)
    follow_path = "/" + follow.split("://", 1)[1].split("/", 1)[1]
    # A second click changes nothing; a wrong token is a clear 404 page.
    assert client.post(path).status_code == 200
    assert client.get("/intake/confirm/wrong-token/").status_code == 404
    # Without an account, the requester follows, adds information and withdraws through the link.
    page = client.get(follow_path)
    assert page.status_code == 200 and request.description in page.content.decode()
    client.post(follow_path + "message/", {"message": "Vi har 300 prøver."})
    assert request.messages.get().author_label == "Kari Nordmann"
    client.post(follow_path + "withdraw/", {"reason": ""})
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert client.get("/intake/follow/not-the-token/").status_code == 404


def test_the_follow_link_works_only_after_confirmation(client, world):
    client.post("/intake/new/", form_data(email="ny@firma.example"))
    request = IntakeRequest.objects.get()
    assert client.get(f"/intake/follow/{request.confirmation_token}/").status_code == 404


def test_unconfirmed_requests_are_closed_after_the_configured_days(world, settings):
    import datetime

    from django.utils import timezone

    from intake import services

    request = services.request_submit(data={**VALID_REQUEST, "org_number": "988077917"})
    assert services.unconfirmed_requests_close(now=timezone.now() + datetime.timedelta(days=15)) == 1
    request.refresh_from_db()
    assert (request.status, request.close_reason) == ("closed", "unconfirmed")


def test_wrong_org_number_is_shown_on_the_form(client, world):
    response = client.post("/intake/new/", form_data(org_number="988 077 918"))
    assert response.status_code == 200
    assert 'id="id_org_number"' in response.content.decode()
    assert response.context["form"].errors["org_number"]
    assert not IntakeRequest.objects.exists()


def test_request_form_from_a_facility_page_is_pre_filled(client, world):
    response = client.get("/intake/new/?facility=proteomikk")
    form = response.context["form"]
    assert form.initial["preferred_facility"] == world.facility
    assert form.initial["preferred_institution"] == world.uio
    assert "Proteomikk" in response.content.decode()


def test_facility_page_panel_has_a_send_request_button(world):
    request = RequestFactory().get("/")
    panels = panels_for(FACILITY_PAGE, request, world.facility)
    ours = [p for p in panels if p["template_name"] == "intake/panels/facility_request.html"]
    assert ours and ours[0]["context"]["request_url"] == "/intake/new/?facility=proteomikk"


def test_signed_in_company_sends_and_follows_a_request(client, world, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(world.company)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/intake/new/", form_data(preferred_facility=world.facility.pk))
    request = IntakeRequest.objects.get()
    assert response["Location"] == f"/intake/requests/{request.pk}/"
    assert (request.status, request.requester, request.institution) == ("in_screening", world.company, world.uio)
    mine = client.get("/intake/mine/").content.decode()
    assert f"#{request.pk}" in mine
    client.post(f"/intake/requests/{request.pk}/message/", {"message": "Vi kan sende prøvene i januar."})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/intake/requests/{request.pk}/withdraw/", {"reason": "Fant annen løsning"})
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert request.messages.get().body == "Vi kan sende prøvene i januar."
    assert any(f"nr. {request.pk}" in m.subject for m in mailoutbox)


def test_screener_queue_shows_age_and_deadline_without_a_query_per_row(client, world, django_assert_max_num_queries):
    for _ in range(8):
        IntakeRequestFactory(institution=world.uio)
    IntakeRequestFactory(institution=world.ntnu, company_name="Annen Bedrift AS")
    client.force_login(world.screener)
    with django_assert_max_num_queries(12):
        response = client.get("/intake/queue/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 8
    assert "Annen Bedrift AS" not in response.content.decode()


def test_national_queue_is_for_platform_admins(client, world):
    national = IntakeRequestFactory(institution=None, company_name="Nasjonal AS")
    client.force_login(world.platform_admin)
    assert "Nasjonal AS" in client.get("/intake/queue/").content.decode()
    client.force_login(world.screener)
    assert "Nasjonal AS" not in client.get("/intake/queue/").content.decode()
    client.force_login(world.outsider)
    assert client.get("/intake/queue/").status_code == 403
    assert national.pk


def test_screener_routes_on_the_page_and_the_manager_accepts_in_the_inbox(client, world):
    request = IntakeRequestFactory(institution=world.uio)
    client.force_login(world.screener)
    client.post(f"/intake/requests/{request.pk}/checklist/", {"check_need_clear": "on", "check_fits_institution": "on"})
    client.post(f"/intake/requests/{request.pk}/route/", {"facilities": [world.ntnu_facility.pk], "note": "MR passer"})
    request.refresh_from_db()
    assert request.check_need_clear and request.check_fits_institution and not request.check_funding_plausible
    assert request.status == "routed"
    client.force_login(world.ntnu_manager)
    inbox = client.get("/intake/inbox/").content.decode()
    assert f"#{request.pk}" in inbox
    routing = request.routings.get()
    page = client.get(f"/intake/requests/{request.pk}/").content.decode()
    assert "MR passer" in page
    assert "988 077 917" in page
    client.post(
        f"/intake/requests/{request.pk}/accept/",
        {
            f"a{routing.pk}-routing": routing.pk,
            f"a{routing.pk}-proposal_kind": "agreement",
            f"a{routing.pk}-agreement_type": "commissioned",
            f"a{routing.pk}-proposal_text": "Oppdragsforskning.",
        },
    )
    request.refresh_from_db()
    assert request.status == "accepted"
    routing.refresh_from_db()
    assert (routing.proposal_kind, routing.agreement_type) == ("agreement", "commissioned")


def test_manager_decline_on_the_page_returns_to_screening(client, world):
    request = IntakeRequestFactory(institution=world.uio)
    from intake import services

    services.request_route(request=request, user=world.screener, facilities=[world.facility])
    routing = request.routings.get()
    client.force_login(world.manager)
    client.post(
        f"/intake/requests/{request.pk}/decline-routing/",
        {
            f"d{routing.pk}-routing": routing.pk,
            f"d{routing.pk}-reason": "no_capacity",
            f"d{routing.pk}-comment": "Fullt til mars",
        },
    )
    request.refresh_from_db()
    assert request.status == "in_screening"


def test_illegal_action_on_the_page_is_a_message_not_an_error(client, world):
    request = IntakeRequestFactory(institution=world.uio, status="withdrawn")
    client.force_login(world.screener)
    response = client.post(f"/intake/requests/{request.pk}/decline/", {"reason": "unclear"}, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])


@pytest.mark.parametrize(("language", "heading"), [("nb", "Screeningkø"), ("en", "Screening queue")])
def test_queue_in_bokmal_and_english(client, world, language, heading):
    client.force_login(world.screener)
    client.cookies["django_language"] = language
    assert heading in client.get("/intake/queue/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_nav_items_follow_roles(client, world):
    client.force_login(world.screener)
    client.cookies["django_language"] = "en"
    labels = [item["label"] for item in client.get("/intake/mine/").context["nav_items"]]
    assert "Screening queue" in [str(label) for label in labels]
    client.force_login(world.company)
    labels = [str(item["label"]) for item in client.get("/intake/mine/").context["nav_items"]]
    assert "Screening queue" not in labels and "My requests" in labels


def test_emails_go_out_in_the_requesters_language(world, valid_request, mailoutbox, django_capture_on_commit_callbacks):
    from intake import services

    world.company.language = "en"
    world.company.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_submit(data=valid_request, user=world.company)
    to_requester = [m for m in mailoutbox if m.to == [valid_request["email"]]]
    assert [m.subject for m in to_requester] == [f"Your request #{request.pk}: Being reviewed"]


def test_screeners_are_told_when_a_request_enters_their_queue(
    world, valid_request, mailoutbox, django_capture_on_commit_callbacks
):
    from intake import services

    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_submit(
            data={**valid_request, "preferred_institution": world.uio}, user=world.company
        )
    to_screeners = [m for m in mailoutbox if m.to == [world.screener.email]]
    assert len(to_screeners) == 1 and f"nr. {request.pk}" in to_screeners[0].subject
    assert not [m for m in mailoutbox if m.to == [world.other_screener.email]]


def test_dashboard_panel_counts_what_waits_for_the_user(world):
    from django.template.loader import render_to_string

    from core.navigation import DASHBOARD
    from intake import services

    request = IntakeRequestFactory(institution=world.uio, requester=world.company)
    IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=[world.facility])
    http = RequestFactory().get("/")

    def counts(user):
        http.user = user
        ours = [p for p in panels_for(DASHBOARD, http) if p["template_name"] == "intake/panels/dashboard.html"]
        return ours[0]["context"]["counts"] if ours else None

    assert counts(world.company) == {"mine": 1, "inbox": 0}
    assert counts(world.screener) == {"mine": 0, "queue": 1, "inbox": 0}
    assert counts(world.manager) == {"mine": 0, "inbox": 1}
    assert counts(world.outsider) is None
    http.user = world.screener
    html = render_to_string("intake/panels/dashboard.html", {"counts": counts(world.screener)}, request=http)
    assert "/intake/queue/" in html


def test_platform_admin_assigns_on_the_page(client, world):
    request = IntakeRequestFactory(institution=None)
    client.force_login(world.platform_admin)
    assert "Overlat" in client.get(f"/intake/requests/{request.pk}/").content.decode()
    response = client.post(f"/intake/requests/{request.pk}/assign/", {"institution": world.ntnu.pk})
    assert response["Location"] == "/intake/queue/"
    request.refresh_from_db()
    assert request.institution == world.ntnu


@pytest.mark.parametrize(
    ("language", "words"),
    [("nb", ["Send en henvendelse", "Screening", "Historikk"]), ("en", ["Send a request", "Screening", "History"])],
)
def test_every_page_renders_in_bokmal_and_english(client, world, language, words):
    request = IntakeRequestFactory(institution=world.uio)
    client.cookies["django_language"] = language
    for path in ["/intake/new/", "/intake/sent/", "/intake/new/?facility=proteomikk"]:
        assert client.get(path).status_code == 200, path
    assert words[0] in client.get("/intake/new/").content.decode()
    client.force_login(world.screener)
    detail = client.get(f"/intake/requests/{request.pk}/").content.decode()
    assert words[1] in detail and words[2] in detail
    for path in ["/intake/mine/", "/intake/queue/", "/intake/queue/?all=1"]:
        assert client.get(path).status_code == 200, path
    client.force_login(world.manager)
    assert client.get("/intake/inbox/").status_code == 200


def test_facilities_with_the_same_name_are_told_apart_by_institution(client, world):
    from intake.forms import RouteForm
    from tests.factories import FacilityFactory

    FacilityFactory(institution=world.uio, name="Forskningsposten", slug="forskningsposten-uio")
    FacilityFactory(institution=world.ntnu, name="Forskningsposten", slug="forskningsposten-ntnu")
    labels = [label for _value, label in RouteForm().fields["facilities"].choices]
    assert "Forskningsposten – UiO" in labels and "Forskningsposten – NTNU" in labels


def _routed_to(world, facilities):
    from intake import services

    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=facilities)
    return request


def test_detail_page_asks_once_which_routings_the_manager_may_answer(client, world):
    """An answer section per routing to the manager's own facilities and none for the others' facilities, with the
    same number of queries for one routing as for six."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import FacilityManager
    from tests.factories import ContactPersonFactory, FacilityFactory

    own = [world.facility]
    for index in range(2):
        facility = FacilityFactory(institution=world.uio, slug=f"egen-{index}")
        FacilityManager.objects.create(user=world.manager, facility=facility)
        own.append(facility)
    others = [world.ntnu_facility, *(FacilityFactory(institution=world.ntnu, slug=f"annen-{i}") for i in range(2))]
    for facility in others[1:]:  # no manager: their contact person answers by e-mail link
        ContactPersonFactory(facility=facility)
    small = _routed_to(world, [world.facility])
    large = _routed_to(world, own + others)
    client.force_login(world.manager)
    client.get(f"/intake/requests/{small.pk}/")  # the session and the caches are warm for both counts
    with CaptureQueriesContext(connection) as one:
        page = client.get(f"/intake/requests/{small.pk}/")
    assert [r.pk for r, _accept, _decline in page.context["answer_forms"]] == [small.routings.get().pk]
    with CaptureQueriesContext(connection) as six:
        page = client.get(f"/intake/requests/{large.pk}/")
    assert len(six.captured_queries) == len(one.captured_queries)
    html = page.content.decode()
    for routing in large.routings.all():
        assert (f'id="answer-{routing.pk}"' in html) == (routing.facility in own), routing.facility


def test_answerable_routings_agrees_with_the_policy_for_each_role(world):
    from django.contrib.auth.models import AnonymousUser

    from intake import policies
    from tests.factories import FacilityManagerFactory

    request = _routed_to(world, [world.facility, world.ntnu_facility])
    routings = list(request.routings.all())
    inactive_manager = FacilityManagerFactory(facility=world.facility, user__is_active=False).user
    actors = [world.manager, world.ntnu_manager, world.screener, world.inst_admin, world.platform_admin,
              world.company, world.outsider, world.client, policies.RequestLink(request.pk), AnonymousUser(),
              inactive_manager]  # fmt: skip
    for actor in actors:
        expected = [r for r in routings if policies.can_answer_routing(actor, r)]
        assert policies.answerable_routings(actor, routings) == expected, actor
    assert [r.facility_id for r in policies.answerable_routings(world.manager, routings)] == [world.facility.pk]
    assert policies.answerable_routings(inactive_manager, routings) == []


def test_the_screener_ticks_facilities_the_request_text_suggests(client, world, django_assert_max_num_queries):
    """The routing form lists, first, the facilities whose text matches the request's words (the register's
    search, rare words counting most), as checkboxes: several can be ticked without Ctrl-click."""
    from tests.factories import FacilityFactory, FacilityManagerFactory

    flow = FacilityFactory(institution=world.ntnu, name="Flowcytometri", slug="flow-ntnu", keywords="cellesortering")
    FacilityManagerFactory(facility=flow)  # someone who can answer
    FacilityFactory(institution=world.uio, name="Sekvensering", slug="sekv-uio")
    request = IntakeRequestFactory(
        institution=world.uio, description="Vi trenger flowcytometri og proteomikk av 40 prøver fra cellekulturer."
    )
    client.force_login(world.screener)
    with django_assert_max_num_queries(60):
        page = client.get(f"/intake/requests/{request.pk}/").content.decode()
    suggested = re.search(r'<ul class="picker-list" aria-labelledby="suggested-heading">(.*?)</ul>', page, re.S)[1]
    assert "Flowcytometri – NTNU" in suggested and "Proteomikk – UiO" in suggested
    assert "Sekvensering" not in suggested and "Sekvensering – UiO" in page  # among all the others
    assert 'type="checkbox" name="facilities"' in page and "<select" not in suggested
    client.post(f"/intake/requests/{request.pk}/checklist/", {"check_need_clear": "on", "check_fits_institution": "on"})
    client.post(f"/intake/requests/{request.pk}/route/", {"facilities": [flow.pk, world.facility.pk], "note": ""})
    assert {routing.facility for routing in request.routings.all()} == {flow, world.facility}
