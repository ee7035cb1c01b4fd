import datetime

import pytest
from django.utils import timezone

from tests.booking.factories import BookingPolicyFactory
from tests.factories import AcademicUserFactory, FacilityManagerFactory, UserFactory
from tests.helpers import OSLO


def days_ahead(days: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """Local `hour:minute` `days` days from today, in Oslo."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=OSLO)


@pytest.fixture
def policy(db):
    return BookingPolicyFactory()


@pytest.fixture
def resource(policy):
    return policy.resource


@pytest.fixture
def company_user(db):
    return UserFactory(company_name="Biotek AS", org_number="988077917")


@pytest.fixture
def other_user(db):
    return UserFactory(company_name="Konkurrent AS")


@pytest.fixture
def academic_user(db):
    return AcademicUserFactory()


@pytest.fixture
def manager(resource):
    return FacilityManagerFactory(facility=resource.facility).user
