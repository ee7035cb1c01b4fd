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
