"""The issue's acceptance test (issue 17): with the demo register loaded, a request preferring each institution is
told at once to someone other than the requester, and routed to every facility of that institution, each facility
is told. Kept apart from the responder rules' tests: it loads the whole register, so the mutation run leaves it out."""

import pytest
from django.core.management import call_command

from catalogue.models import Facility, Institution
from core.outbox import outbox_send_due
from intake import selectors, services
from intake.models import IntakeRequest
from tests.factories import UserFactory
from tests.intake.conftest import VALID_REQUEST

pytestmark = pytest.mark.django_db


def _told(mailoutbox) -> set[str]:
    return {address for message in mailoutbox for address in message.to}


def test_a_request_to_every_institution_of_the_demo_register_reaches_a_person_and_every_routing_a_facility(
    mailoutbox,
):
    """The issue's acceptance test: one request preferring each demo institution, each told to someone other than
    the requester at once; then routed to every facility of that institution, each facility told."""
    call_command("load_demo_register", "--with-demo-users", stdout=open("/dev/null", "w"))
    company = UserFactory(email="kari@biotek.example", company_name="Biotek AS")
    institutions = list(Institution.objects.filter(facilities__status="published").distinct())
    assert len(institutions) >= 20
    for institution in institutions:
        mailoutbox.clear()
        request = services.request_submit(data={**VALID_REQUEST, "preferred_institution": institution}, user=company)
        outbox_send_due()
        told = _told(mailoutbox) - {company.email, request.email}
        assert told, f"nobody was told of the request to {institution}"
        screener = next(
            user
            for user in _users(told)
            if services_can_screen(user, request)  # the person told can also open and answer it
        )
        facilities = list(Facility.objects.filter(institution=institution, status="published"))
        mailoutbox.clear()
        routings = services.request_route(request=request, user=screener, facilities=facilities)
        outbox_send_due()
        for routing in routings:
            people = {person.email for person in selectors.routing_people(routing)}
            assert people and people <= _told(mailoutbox), f"nobody at {routing.facility} was told"


def _users(emails):
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(email__in=emails))


def services_can_screen(user, request) -> bool:
    from intake import policies

    return policies.can_screen_request(user, IntakeRequest.objects.get(pk=request.pk))


