"""The earliest window the free-capacity search reports can be booked as it is (PostgreSQL SQL and the Python
fallback give the same answer: the suite runs on both)."""

import datetime

import pytest
from django.utils import timezone

from booking import selectors, services
from tests.booking.conftest import OSLO
from tests.booking.factories import BookingPolicyFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_earliest_window_respects_minimum_notice_and_the_slot_grid():
    policy = BookingPolicyFactory(min_notice_minutes=125, slot_minutes=30, min_length_minutes=60)
    resource = policy.resource
    now = timezone.now()
    windows = selectors.find_free_capacity(
        start=now, end=now + datetime.timedelta(days=3), duration=datetime.timedelta(hours=1)
    )
    window = next(w for w in windows if w.resource.pk == resource.pk)
    assert window.start >= now + datetime.timedelta(minutes=125)
    local = window.start.astimezone(OSLO)
    assert local.minute % 30 == 0 and local.second == 0
    # and it really can be booked
    booking = services.create_booking(
        resource=resource, user=UserFactory(), start=window.start, end=window.end, activity="economic",
        access_model="rental",
    )  # fmt: skip
    assert booking.status in ("confirmed", "pending")


def test_a_window_starting_off_the_grid_is_moved_to_the_next_slot():
    policy = BookingPolicyFactory(min_notice_minutes=0, slot_minutes=60, min_length_minutes=60)
    resource = policy.resource
    day = timezone.localdate() + datetime.timedelta(days=2)
    taken_until = datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=OSLO)
    start = datetime.datetime.combine(day, datetime.time(7, 20), tzinfo=OSLO)
    window = next(
        w
        for w in selectors.find_free_capacity(
            start=start, end=start + datetime.timedelta(hours=6), duration=datetime.timedelta(hours=2)
        )
        if w.resource.pk == resource.pk
    )
    assert window.start > taken_until
    assert window.start.astimezone(OSLO).time() == datetime.time(8, 0)
