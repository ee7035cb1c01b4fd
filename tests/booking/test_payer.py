"""Who pays for a booking: the company of a company user, the institution of an academic, from the profile."""

import pytest

from booking import services
from tests.booking.conftest import days_ahead
from tests.factories import AcademicUserFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def company():
    return UserFactory(company_name="Biotek AS", org_number="988077917")


def company_that_names_an_institution():
    """A company user whose profile also names an institution (a spin-off, say): the company still pays."""
    return UserFactory(company_name="Biotek AS", org_number="988077917", institution=InstitutionFactory())


def academic():
    return AcademicUserFactory(institution=InstitutionFactory(name="Universitetet i Oslo", org_number="971035854"))


@pytest.mark.parametrize(
    ("person", "payer"),
    [
        (company, ("Biotek AS", "988077917", False)),
        (company_that_names_an_institution, ("Biotek AS", "988077917", False)),
        (academic, ("Universitetet i Oslo", "971035854", True)),
    ],
)
def test_the_payer_comes_from_the_profile(resource, person, payer):
    user = person()
    booking = services.booking_create(
        resource=resource, user=user, start=days_ahead(3, 10), end=days_ahead(3, 12), activity="economic",
        access_model="rental",
    )  # fmt: skip
    institution = booking.payer_institution
    assert (booking.payer_name, booking.payer_org_number, institution is not None) == payer
    assert institution is None or institution == user.institution


def test_a_person_who_pays_under_a_name_longer_than_the_field_is_named_by_its_first_200_characters(resource):
    """A person pays by name (first and last name, up to 150 characters each); the booking's payer field holds 200,
    so a longer name is cut there rather than refused by the database."""
    user = UserFactory(first_name="A" * 150, last_name="B" * 150, company_name="", org_number="")  # no organisation
    booking = services.booking_create(
        resource=resource, user=user, start=days_ahead(3, 10), end=days_ahead(3, 12), access_model="rental"
    )
    booking.refresh_from_db()
    assert booking.payer_name == user.get_full_name()[:200] and len(booking.payer_name) == 200
