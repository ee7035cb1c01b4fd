"""Every request reaches a person: the queue that holds it, the facilities it is routed to, and whoever is above
them when it is overdue (issue 17)."""

import pytest
from django.core.management import call_command

from catalogue.choices import InstitutionRoleKind
from core.outbox import outbox_send_due
from intake import selectors, services
from intake.choices import RequestStatus
from intake.models import NationalScreener
from tests.factories import (
    ContactPersonFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionFactory,
    InstitutionRoleFactory,
    UserFactory,
)
from tests.intake.conftest import VALID_REQUEST
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db


def _told(mailoutbox) -> set[str]:
    return {address for message in mailoutbox for address in message.to}


# --- who holds the queue, as a table of situations -----------------------------------------------------------

# (institution has a screener, the national team has a member, there is a platform admin) -> who is told
QUEUE_CASES = [
    (True, True, True, "screener"),
    (True, False, False, "screener"),
    (False, True, True, "national"),
    (False, False, True, "admin"),
    (False, False, False, "fallback"),
]


@pytest.mark.parametrize(("has_screener", "has_team", "has_admin", "told"), QUEUE_CASES)
@pytest.mark.parametrize("names_institution", [True, False])
def test_a_new_request_is_told_to_the_first_level_that_has_someone(
    settings, mailoutbox, has_screener, has_team, has_admin, told, names_institution
):
    settings.INTAKE_FALLBACK_EMAILS = ["drift@labtorget.example"]
    institution = InstitutionFactory()
    people = {
        "screener": InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.SCREENER).user
        if has_screener
        else None,
        "national": NationalScreener.objects.create(user=UserFactory()).user if has_team else None,
        "admin": UserFactory(is_staff=True) if has_admin else None,
    }
    if not names_institution and told == "screener":
        told = "national" if has_team else "admin" if has_admin else "fallback"
    company = UserFactory(company_name="Biotek AS")
    data = {**VALID_REQUEST, "preferred_institution": institution if names_institution else None}
    request = services.request_submit(data=data, user=company)
    outbox_send_due()
    expected = {"drift@labtorget.example"} if told == "fallback" else {people[told].email}
    assert _told(mailoutbox) - {request.email} == expected


def test_an_inactive_screener_does_not_count_and_the_national_team_answers(mailoutbox):
    institution = InstitutionFactory()
    gone = InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.SCREENER).user
    gone.is_active = False
    gone.save()
    team = NationalScreener.objects.create(user=UserFactory()).user
    request = IntakeRequestFactory(institution=institution)
    assert selectors.is_national_queue(request)
    assert selectors.queue_people(request)[0].email == team.email
    from intake import policies

    assert policies.can_screen_request(team, request)
    assert request in selectors.screening_queue(team)
    assert not policies.can_screen_request(team, IntakeRequestFactory(institution=InstitutionRoleFactory(
        role=InstitutionRoleKind.SCREENER).institution))  # fmt: skip


# (status, the request names an institution, the institution has an admin) -> who is above
ESCALATION_CASES = [
    (RequestStatus.IN_SCREENING, True, True, "institution_admin"),
    (RequestStatus.IN_SCREENING, True, False, "national"),
    (RequestStatus.IN_SCREENING, False, True, "platform_admin"),
    (RequestStatus.ROUTED, True, True, "facility_admin"),
    (RequestStatus.ROUTED, True, False, "screener"),
]


@pytest.mark.parametrize(("status", "names_institution", "has_admin", "above"), ESCALATION_CASES)
def test_an_overdue_request_escalates_to_whoever_is_above_its_holder_never_to_nobody(
    mailoutbox, status, names_institution, has_admin, above
):
    institution = InstitutionFactory()
    screener = InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.SCREENER).user
    facility_institution = InstitutionFactory()
    facility = FacilityFactory(institution=facility_institution)
    FacilityManagerFactory(facility=facility)
    people = {
        "screener": screener,
        "national": NationalScreener.objects.create(user=UserFactory()).user,
        "platform_admin": UserFactory(is_staff=True),
        "institution_admin": InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.ADMIN).user
        if has_admin
        else None,
        "facility_admin": InstitutionRoleFactory(
            institution=facility_institution, role=InstitutionRoleKind.ADMIN
        ).user
        if has_admin
        else None,
    }
    request = IntakeRequestFactory(institution=institution if names_institution else None)
    if status == RequestStatus.ROUTED:
        services.request_route(request=request, user=screener, facilities=[facility])
    request.refresh_from_db()
    assert [person.email for person in selectors.escalation_people(request)] == [people[above].email]


def test_with_nobody_at_all_the_escalation_list_is_empty_and_the_check_says_so(settings):
    settings.INTAKE_FALLBACK_EMAILS = []
    request = IntakeRequestFactory(institution=None)
    assert selectors.escalation_people(request) == []
    gaps = selectors.responder_gaps()
    assert gaps["nobody_above"] and gaps["national_team_empty"]
    lines = selectors.responder_gap_lines(gaps, only_defects=True)
    assert any("INTAKE_FALLBACK_EMAILS" in line for line in lines)


def test_the_daily_check_names_facilities_nobody_answers_for_and_institutions_without_screeners():
    lonely = FacilityFactory(name="Ensom lab")
    ContactPersonFactory(facility=FacilityFactory(name="Lab med kontakt"))
    FacilityManagerFactory(facility=FacilityFactory(name="Lab med leder"))
    gaps = selectors.responder_gaps()
    assert [facility.name for facility in gaps["facilities"]] == ["Ensom lab"]
    assert lonely.institution in gaps["institutions"]
    from io import StringIO

    out = StringIO()
    call_command("check_intake_responders", stdout=out)
    assert "Ensom lab" in out.getvalue()


def test_the_admin_shows_the_gaps_where_the_team_is_kept(client):
    FacilityFactory(name="Ensom lab")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/intake/nationalscreener/")
    assert page.status_code == 200
    assert "Ensom lab" in page.content.decode()


# --- routing to a facility without a manager ----------------------------------------------------------------


def test_routing_to_a_facility_nobody_answers_for_is_refused_by_name_and_changes_nothing(world):
    lonely = FacilityFactory(institution=world.uio, name="Ensom lab")
    request = IntakeRequestFactory(institution=world.uio)
    with pytest.raises(Exception) as caught:
        services.request_route(request=request, user=world.screener, facilities=[world.facility, lonely])
    assert (caught.value.field, caught.value.code) == ("facilities", "no_responder")
    assert "Ensom lab" in str(caught.value)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_SCREENING and not request.routings.exists()


def test_the_page_shows_the_screener_why_routing_was_refused(client, world):
    lonely = FacilityFactory(institution=world.uio, name="Ensom lab", status="published")
    request = IntakeRequestFactory(institution=world.uio)
    client.force_login(world.screener)
    page = client.post(f"/intake/requests/{request.pk}/route/", {"facilities": [lonely.pk]}, follow=True)
    assert "Ensom lab" in page.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_SCREENING


def test_a_facility_without_a_manager_is_reached_through_its_primary_contact_with_a_link(world, mailoutbox):
    facility = FacilityFactory(institution=world.ntnu, name="Kontaktlab")
    contact = ContactPersonFactory(facility=facility, name="Per Kontakt", email="per@ntnu.example")
    ContactPersonFactory(facility=facility, is_primary=False, email="ikke-primaer@ntnu.example")
    request = IntakeRequestFactory(institution=world.uio)
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[facility])
    outbox_send_due()
    (message,) = [m for m in mailoutbox if contact.email in m.to]
    assert "/intake/answer/" in message.body
    assert _told(mailoutbox) - {request.email} == {contact.email}
    assert (routing.contact_name, routing.contact_email) == ("Per Kontakt", contact.email)
