"""Every waiting claim or membership reaches a person who decides it, and the person hears the decision."""

import pytest
from django.core import mail

from accounts import services
from accounts.choices import MembershipRole, MembershipState, RegisterState, UserKind
from accounts.models import Affiliation, Organisation, OrganisationMembership
from tests.factories import AcademicUserFactory, InstitutionFactory, InstitutionRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def claim(institution, email="kari@gmail.com"):
    user = UserFactory(email=email, kind=UserKind.ACADEMIC, company_name="", org_number="")
    services.user_update_profile(
        user=user, first_name="Kari", last_name="Nordmann", phone="", language="nb", kind=UserKind.ACADEMIC,
        institution=institution,
    )  # fmt: skip
    return user


# Who hears of a waiting claim: the institution's admins, else the platform admins.
@pytest.mark.parametrize(
    "admins, platform, expected",
    [
        (["admin@uio.no"], ["plattform@x.no"], {"admin@uio.no"}),
        ([], ["plattform@x.no"], {"plattform@x.no"}),
        (["admin@uio.no", "admin2@uio.no"], [], {"admin@uio.no", "admin2@uio.no"}),
    ],
)
def test_a_waiting_claim_reaches_the_people_who_decide_it(django_capture_on_commit_callbacks, admins, platform,
                                                           expected):  # fmt: skip
    uio = InstitutionFactory(short_name="UiO")
    for email in admins:
        InstitutionRoleFactory(institution=uio, role="admin", user=AcademicUserFactory(email=email, language="en"))
    for email in platform:
        UserFactory(email=email, is_staff=True, company_name="", org_number="")
    InstitutionRoleFactory(institution=InstitutionFactory(), role="admin")  # another institution's admin
    with django_capture_on_commit_callbacks(execute=True):
        claim(uio)
    waiting = [m for m in mail.outbox if "kari@gmail.com" in m.body]
    assert {m.to[0] for m in waiting} == expected
    assert all("/accounts/affiliations/institutions/" in m.body for m in waiting)


def test_the_person_hears_the_decision_in_their_language(django_capture_on_commit_callbacks):
    uio = InstitutionFactory(short_name="UiO")
    admin = AcademicUserFactory(institution=uio)
    InstitutionRoleFactory(institution=uio, role="admin", user=admin)
    user = claim(uio)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.affiliation_decide(actor=admin, affiliation_id=Affiliation.objects.get(user=user).pk, approve=True)
    assert [m.to for m in mail.outbox] == [["kari@gmail.com"]]
    assert "er verifisert" in mail.outbox[0].subject


@pytest.mark.parametrize(
    "first_member, expected",
    [(True, {"plattform@x.no"}), (False, {"eier@helse.no"})],
)
def test_a_waiting_membership_reaches_the_people_who_decide_it(django_capture_on_commit_callbacks, first_member,
                                                                expected):  # fmt: skip
    organisation = Organisation.objects.create(org_number="988077917", name="Demo Helse AS",
                                               register_state=RegisterState.VERIFIED)  # fmt: skip
    UserFactory(email="plattform@x.no", is_staff=True, company_name="", org_number="")
    if not first_member:
        owner = UserFactory(email="eier@helse.no", company_name="", org_number="")
        OrganisationMembership.objects.create(organisation=organisation, user=owner, role=MembershipRole.ADMIN,
                                              state=MembershipState.APPROVED)  # fmt: skip
    person = UserFactory(email="ny@helse.no", company_name="", org_number="")
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_request(user=person, org_number="988077917")
    assert {m.to[0] for m in mail.outbox} == expected
    mail.outbox.clear()
    decider = UserFactory(is_staff=True, company_name="", org_number="")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_decide(actor=decider, membership_id=membership.pk, approve=False, note="Ukjent person")
    assert [m.to for m in mail.outbox] == [["ny@helse.no"]] and "Ukjent person" in mail.outbox[0].body


def test_nothing_is_sent_once_the_claim_was_decided_before_the_mail_went(django_capture_on_commit_callbacks):
    from accounts import emails

    uio = InstitutionFactory()
    InstitutionRoleFactory(institution=uio, role="admin")
    user = claim(uio)
    Affiliation.objects.filter(user=user).update(state="verified", method="admin")
    assert emails.affiliation_waiting_messages(Affiliation.objects.get(user=user).pk, {}) == []
