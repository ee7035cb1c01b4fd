"""The responder rules one by one, as tables (intake.selectors and intake.answer_links): who counts as reachable,
which requests the national team holds, whom an overdue routed request escalates to, and each way a contact
person's link can fail."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone

from catalogue.choices import InstitutionRoleKind
from core.outbox import outbox_send_due
from intake import answer_links, selectors, services
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
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db


def _screener(institution, **user_fields):
    user = InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.SCREENER).user
    get_user_model().objects.filter(pk=user.pk).update(**user_fields)
    return user


# how the only screener of the institution is -> whether the institution's queue is its own
SCREENER_CASES = [
    ({}, True),
    ({"is_active": False}, False),
    ({"email": ""}, False),
]


@pytest.mark.parametrize(("fields", "own_queue"), SCREENER_CASES)
def test_only_a_screener_who_can_be_told_keeps_the_queue_at_the_institution(fields, own_queue):
    institution = InstitutionFactory()
    screener = _screener(institution, **fields)
    team = NationalScreener.objects.create(user=UserFactory()).user
    request = IntakeRequestFactory(institution=institution)
    assert selectors.is_national_queue(request) is (not own_queue)
    expected = screener.email if own_queue else team.email
    assert [person.email for person in selectors.queue_people(request)] == [expected]
    assert (request in selectors.screening_queue(team)) is (not own_queue)


def test_an_admin_is_not_a_screener_and_other_institutions_screeners_do_not_count():
    lonely = InstitutionFactory()
    InstitutionRoleFactory(institution=lonely, role=InstitutionRoleKind.ADMIN)
    _screener(InstitutionFactory())  # somewhere else
    request = IntakeRequestFactory(institution=lonely)
    assert selectors.is_national_queue(request)


def test_the_national_team_sees_requests_naming_no_institution_and_not_those_of_institutions_with_screeners():
    team = NationalScreener.objects.create(user=UserFactory()).user
    staffed = InstitutionFactory()
    _screener(staffed)
    nameless = IntakeRequestFactory(institution=None)
    unstaffed = IntakeRequestFactory(institution=InstitutionFactory())
    at_staffed = IntakeRequestFactory(institution=staffed)
    queue = set(selectors.screening_queue(team))
    assert queue == {nameless, unstaffed}
    assert at_staffed not in set(selectors.requests_visible_to(team))


def test_a_routed_request_escalates_to_the_admins_of_the_facilities_still_waiting_only():
    screener_institution = InstitutionFactory()
    screener = _screener(screener_institution)
    waiting_admin, answered_admin = (
        InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.ADMIN).user
        for institution in (InstitutionFactory(), InstitutionFactory())
    )
    waiting = FacilityFactory(institution=waiting_admin.institution_roles.get().institution)
    answered = FacilityFactory(institution=answered_admin.institution_roles.get().institution)
    FacilityManagerFactory(facility=waiting)
    answered_manager = FacilityManagerFactory(facility=answered).user
    request = IntakeRequestFactory(institution=screener_institution)
    services.request_route(request=request, user=screener, facilities=[waiting, answered])
    services.routing_decline(routing=request.routings.get(facility=answered), user=answered_manager, reason="budget")
    request.refresh_from_db()
    assert request.status == RequestStatus.ROUTED
    assert [person.email for person in selectors.escalation_people(request)] == [waiting_admin.email]


# the request's state -> who is reminded before its deadline
@pytest.mark.parametrize("state", ["screening", "routed", "routed_to_contact"])
def test_the_reminder_goes_to_whoever_holds_the_request_now(state, mailoutbox):
    institution = InstitutionFactory()
    screener = _screener(institution)
    facility = FacilityFactory()
    manager = FacilityManagerFactory(facility=facility).user if state == "routed" else None
    contact = ContactPersonFactory(facility=facility) if state == "routed_to_contact" else None
    declined = FacilityFactory()
    declined_manager = FacilityManagerFactory(facility=declined).user
    request = IntakeRequestFactory(institution=institution)
    if state != "screening":
        services.request_route(request=request, user=screener, facilities=[facility, declined])
        services.routing_decline(
            routing=request.routings.get(facility=declined), user=declined_manager, reason="budget"
        )
    request.refresh_from_db()
    expected = {"screening": screener.email, "routed": getattr(manager, "email", ""),
                "routed_to_contact": getattr(contact, "email", "")}[state]  # fmt: skip
    assert [person.email for person in selectors.responsible_people(request)] == [expected]
    if request.deadline_at is None:  # the factory's request entered screening without the clock
        request.deadline_at = timezone.now() + datetime.timedelta(hours=2)
        request.save(update_fields=["deadline_at"])
    mailoutbox.clear()
    services.deadline_reminders_send(now=request.deadline_at - datetime.timedelta(hours=1))
    outbox_send_due()
    assert expected in {address for message in mailoutbox for address in message.to}


# --- the contact person's link ------------------------------------------------------------------------------


@pytest.fixture
def linked(world):
    facility = FacilityFactory(institution=world.ntnu)
    ContactPersonFactory(facility=facility)
    other = FacilityFactory(institution=world.ntnu)
    ContactPersonFactory(facility=other)
    request = IntakeRequestFactory(institution=world.uio)
    first, second = services.request_route(request=request, user=world.screener, facilities=[facility, other])
    return first, second


def test_each_link_opens_its_own_routing(linked):
    first, second = linked
    assert selectors.routing_for_answer_token(answer_links.answer_token_make(second)) == second
    assert selectors.routing_for_answer_token(answer_links.answer_token_make(first)) == first


def _forged(routing_id, nonce):
    return signing.dumps({"routing": routing_id, "nonce": nonce}, salt=answer_links.SALT)


def _payload(payload):
    return signing.dumps(payload, salt=answer_links.SALT)


# what the link holds -> the field and code of the refusal
LINK_CASES = [
    ("wrong nonce", lambda first: _forged(first.pk, "guessed"), "token", "link_used"),
    ("no such routing", lambda first: _forged(10**9, "x"), "token", "link_used"),
    ("not a dict", lambda first: _payload([first.pk, first.answer_nonce]), "token", "invalid_token"),
    ("routing not a number", lambda first: _payload({"routing": str(first.pk), "nonce": "x"}), "token",
     "invalid_token"),
    ("no nonce", lambda first: _payload({"routing": first.pk}), "token", "invalid_token"),
    ("other salt", lambda first: signing.dumps({"routing": first.pk, "nonce": first.answer_nonce}), "token",
     "invalid_token"),
    ("garbage", lambda first: "not-a-token", "token", "invalid_token"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "make", "field", "code"), LINK_CASES, ids=[case[0] for case in LINK_CASES])
def test_a_bad_link_is_refused_naming_the_token_and_why(linked, case, make, field, code):
    first, _second = linked
    with pytest.raises(Exception) as caught:
        selectors.routing_for_answer_token(make(first))
    assert (caught.value.field, caught.value.code) == (field, code)


def test_a_link_to_a_routing_cancelled_with_its_request_is_refused_as_answered(linked, world):
    first, _second = linked
    token = answer_links.answer_token_make(first)
    services.request_withdraw(request=first.request, actor=None, reason="Løst")
    with pytest.raises(Exception) as caught:
        selectors.routing_for_answer_token(token)
    assert (caught.value.field, caught.value.code) == ("token", "already_answered")


def test_links_already_sent_keep_working_the_salt_is_part_of_their_format(linked):
    first, _second = linked
    token = signing.dumps({"routing": first.pk, "nonce": first.answer_nonce}, salt="intake.routing-answer")
    assert answer_links.answer_token_read(token) == (first.pk, first.answer_nonce)


@pytest.mark.parametrize(("age_seconds", "valid"), [(14 * 86400 - 60, True), (14 * 86400 + 60, False)])
def test_a_link_is_valid_for_the_configured_days_to_the_minute(linked, monkeypatch, settings, age_seconds, valid):
    import time

    settings.INTAKE_ANSWER_LINK_DAYS = 14
    first, _second = linked
    made_at = time.time() - age_seconds
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(made_at)))
    token = answer_links.answer_token_make(first)
    monkeypatch.undo()
    if valid:
        assert answer_links.answer_token_read(token) == (first.pk, first.answer_nonce)
    else:
        with pytest.raises(Exception) as caught:
            answer_links.answer_token_read(token)
        assert (caught.value.field, caught.value.code) == ("token", "expired")


def test_a_facility_whose_contact_left_after_routing_has_nobody_and_its_email_is_not_sent(linked, mailoutbox):
    from catalogue.models import ContactPerson

    first, _second = linked
    ContactPerson.objects.filter(facility=first.facility).delete()
    assert selectors.routing_people(first) == []
    mailoutbox.clear()
    outbox_send_due()
    assert all(first.contact_email not in message.to for message in mailoutbox)


def test_a_request_routed_to_two_facilities_reminds_both(world):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=[world.facility, world.ntnu_facility])
    request.refresh_from_db()
    people = [person.email for person in selectors.responsible_people(request)]
    assert people == sorted([world.manager.email, world.ntnu_manager.email])
