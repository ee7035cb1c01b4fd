"""Who pays (accounts.selectors.payer_for): only verified facts make an organisation or institution the payer."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import selectors
from accounts.choices import MembershipState, RegisterState, UserKind
from accounts.models import Organisation, OrganisationMembership
from tests.factories import AcademicUserFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def uio(db):
    return InstitutionFactory(name="Universitetet i Oslo", short_name="UiO", org_number="971035854")


@pytest.fixture
def helse(db):
    return Organisation.objects.create(org_number="988077917", name="Demo Helse AS",
                                       register_state=RegisterState.VERIFIED)  # fmt: skip


def member(organisation, state=MembershipState.APPROVED, **user):
    person = UserFactory(first_name="Kari", last_name="Nordmann", company_name="", org_number="", **user)
    OrganisationMembership.objects.create(organisation=organisation, user=person, state=state)
    return person


# Who the person is × what they name → the payer (name, number, institution, organisation).
@pytest.mark.parametrize(
    "who, names, payer",
    [
        ("academic_verified", None, ("Universitetet i Oslo", "971035854", "uio", None)),
        ("academic_pending", None, ("Kari Nordmann", "", None, None)),
        ("company_approved", None, ("Demo Helse AS", "988077917", None, "helse")),
        ("company_approved", "helse", ("Demo Helse AS", "988077917", None, "helse")),
        ("company_approved", "helse_id", ("Demo Helse AS", "988077917", None, "helse")),
        ("company_pending", None, ("Kari Nordmann", "", None, None)),
        ("company_refused", None, ("Kari Nordmann", "", None, None)),
        ("company_without_number", None, ("Foreign Ltd", "", None, "foreign")),
        ("company_without_number", "foreign", ("Foreign Ltd", "", None, "foreign")),
        ("academic_verified_and_member", None, ("Universitetet i Oslo", "971035854", "uio", None)),
        ("academic_verified_and_member", "helse", ("Demo Helse AS", "988077917", None, "helse")),
        ("no_email_name", None, ("kari@example.org", "", None, None)),
    ],
)
def test_the_payer_follows_verified_facts_only(uio, helse, who, names, payer):
    foreign = Organisation.objects.create(name="Foreign Ltd", register_state=RegisterState.VERIFIED)
    people = {
        "academic_verified": lambda: AcademicUserFactory(institution=uio, first_name="Kari", last_name="Nordmann"),
        "academic_pending": lambda: AcademicUserFactory(
            institution=uio, first_name="Kari", last_name="Nordmann", affiliation_verified=False
        ),
        "company_approved": lambda: member(helse),
        "company_pending": lambda: member(helse, MembershipState.PENDING),
        "company_refused": lambda: member(helse, MembershipState.REFUSED),
        "company_without_number": lambda: member(foreign),
        "academic_verified_and_member": lambda: member(helse, kind=UserKind.ACADEMIC, institution=uio),
        "no_email_name": lambda: UserFactory(
            email="kari@example.org", first_name="", last_name="", company_name="", org_number=""
        ),
    }
    user = people[who]()
    named = {"helse": helse, "helse_id": helse.pk, "foreign": foreign, None: None}[names]
    found = selectors.payer_for(user, named)
    objects = {"uio": uio, "helse": helse, "foreign": foreign, None: None}
    assert (found.name, found.org_number, found.institution, found.organisation) == (
        payer[0], payer[1], objects[payer[2]], objects[payer[3]]
    )  # fmt: skip


@pytest.mark.parametrize("state", [MembershipState.PENDING, MembershipState.REFUSED, None])
def test_naming_an_organisation_one_is_not_an_approved_member_of_is_refused(helse, state):
    other = Organisation.objects.create(org_number="974760673", name="Annen AS", register_state="verified")
    user = member(other)  # approved elsewhere: that does not count here
    if state:
        OrganisationMembership.objects.create(organisation=helse, user=user, state=state)
    for named in (helse, helse.pk):
        user.__dict__.pop("membership_by_organisation", None)
        with pytest.raises(selectors.NotAMember):
            selectors.payer_for(user, named)


def test_nobody_signed_in_has_no_verified_institution_or_membership(helse, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.verified_institution_id(AnonymousUser()) is None
        assert selectors.membership_of(AnonymousUser(), helse) is None


def test_the_verified_institution_and_memberships_are_read_once_per_request(uio, helse, django_assert_num_queries):
    user = member(helse, kind=UserKind.ACADEMIC, institution=uio)
    with django_assert_num_queries(2):
        for _ in range(3):
            assert selectors.verified_institution_id(user) == uio.pk
            assert selectors.membership_of(user, helse).is_approved
