"""The read side of the booking guard: the resources pages and searches offer are exactly those the booking service
would take, for every kind of person."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from booking import selectors, services
from core.errors import DomainError
from tests.booking.factories import BookingPolicyFactory
from tests.factories import AcademicUserFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

STATES = list(
    itertools.product(
        [True, False],  # is_active
        [True, False],  # bookable
        [True, False],  # has a booking policy
        ["published", "draft"],  # facility status
        [True, False],  # facility open to industry
    )
)


@pytest.mark.parametrize("who", ["anonymous", "company", "academic", "inactive"])
def test_bookable_resources_agrees_with_the_guard_for_every_state(who):
    user = {
        "anonymous": AnonymousUser,
        "company": UserFactory,
        "academic": AcademicUserFactory,
        "inactive": lambda: UserFactory(is_active=False),
    }[who]()
    resources = []
    for is_active, bookable, with_policy, status, open_to_industry in STATES:
        resource = ResourceFactory(
            is_active=is_active, bookable=bookable, facility__status=status, facility__open_to_industry=open_to_industry
        )
        if with_policy:
            BookingPolicyFactory(resource=resource)
        resources.append(resource)
    offered = set(selectors.bookable_resources(user).values_list("pk", flat=True))
    for resource in resources:
        fresh = type(resource).objects.select_related("facility").get(pk=resource.pk)
        assert (fresh.pk in offered) is (services.bookability_refusal(fresh, user) is None), vars(fresh)
    expected = 2 if who in ("anonymous", "inactive", "academic") else 1  # open to industry or not
    assert len(offered) == expected


@pytest.mark.parametrize(
    ("raw", "monday"),
    [
        ("2027-01-06", datetime.date(2027, 1, 4)),  # a Wednesday
        ("2027-01-04", datetime.date(2027, 1, 4)),  # a Monday is its own week's start
        ("2027-01-10", datetime.date(2027, 1, 4)),  # a Sunday belongs to the week before
    ],
)
def test_week_start_is_the_monday_of_the_week_asked_for(raw, monday):
    assert selectors.week_start(raw) == monday


@pytest.mark.parametrize("raw", [None, "", "next week", "2027-02-30"])
def test_week_start_falls_back_to_this_week(raw):
    from django.utils import timezone

    today = timezone.localdate()
    assert selectors.week_start(raw) == today - datetime.timedelta(days=today.weekday())


@pytest.mark.parametrize("who", ["anonymous", "company", "academic", "inactive"])
def test_staff_run_work_is_ordered_from_a_resource_in_use_at_a_published_facility_open_to_the_person(who):
    """A service order (the facility's staff do the work) has the booking guard without its online-booking half:
    a resource not offered for booking, or without a booking policy, can still be ordered; one out of use, at an
    unpublished facility, or (for a company) at a facility closed to industry cannot, and neither can anyone
    signed out or deactivated."""
    user = {
        "anonymous": AnonymousUser,
        "company": UserFactory,
        "academic": AcademicUserFactory,
        "inactive": lambda: UserFactory(is_active=False),
    }[who]()
    for is_active, bookable, with_policy, status, open_to_industry in STATES:
        resource = ResourceFactory(
            is_active=is_active, bookable=bookable, facility__status=status, facility__open_to_industry=open_to_industry
        )
        if with_policy:
            BookingPolicyFactory(resource=resource)
        fresh = type(resource).objects.select_related("facility").get(pk=resource.pk)
        orderable = (
            who in ("company", "academic")
            and is_active
            and status == "published"
            and (open_to_industry or who != "company")
        )
        try:
            services.resource_orderability(fresh, user)
        except DomainError as error:
            assert not orderable, vars(fresh)
            assert (error.code, error.field) == ("not_orderable", "resource")
        else:
            assert orderable, vars(fresh)
