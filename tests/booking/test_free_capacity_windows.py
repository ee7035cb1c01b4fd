"""The earliest window the free-capacity search reports can be booked as it is (PostgreSQL SQL and the Python
fallback give the same answer: the suite runs on both)."""

import datetime
import random
import zoneinfo

import pytest
from django.utils import timezone

from booking import selectors, services
from booking.models import Booking
from tests.booking.factories import BookingFactory, BookingPolicyFactory, ClosureFactory
from tests.factories import UserFactory
from tests.helpers import OSLO

pytestmark = pytest.mark.django_db


def test_the_earliest_window_respects_minimum_notice_and_the_slot_grid():
    policy = BookingPolicyFactory(min_notice_minutes=125, slot_minutes=30, min_length_minutes=60)
    resource = policy.resource
    now = timezone.now()
    windows = selectors.free_capacity_windows(
        start=now, end=now + datetime.timedelta(days=3), duration=datetime.timedelta(hours=1)
    )
    window = next(w for w in windows if w.resource.pk == resource.pk)
    assert window.start >= now + datetime.timedelta(minutes=125)
    local = window.start.astimezone(OSLO)
    assert local.minute % 30 == 0 and local.second == 0
    # and it really can be booked
    booking = services.booking_create(
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
        for w in selectors.free_capacity_windows(
            start=start, end=start + datetime.timedelta(hours=6), duration=datetime.timedelta(hours=2)
        )
        if w.resource.pk == resource.pk
    )
    assert window.start > taken_until
    assert window.start.astimezone(OSLO).time() == datetime.time(8, 0)


HOUR = datetime.timedelta(hours=1)


def _period_start() -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=2)
    return datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=OSLO)


def test_a_booking_that_began_before_the_period_still_blocks_it():
    """Also when a later booking was cancelled and the active one has no changeover time stored."""
    resource = BookingPolicyFactory(min_notice_minutes=0).resource
    start = _period_start()
    BookingFactory(resource=resource, start=start - 2 * HOUR, end=start + 4 * HOUR)
    Booking.objects.filter(resource=resource).update(blocked_until=None)
    BookingFactory(resource=resource, start=start - HOUR, end=start, status="cancelled")
    window = next(
        w
        for w in selectors.free_capacity_windows(start=start, end=start + datetime.timedelta(days=2), duration=HOUR)
        if w.resource.pk == resource.pk
    )
    assert window.start == start + 4 * HOUR


@pytest.mark.parametrize("began", ["ahead", "before_now"])
def test_a_short_list_is_the_head_of_the_long_one(began):
    """The search looks at the first day, then three, then the whole period (counted from now when the period
    began earlier), and stops once it has enough resources; what it answers must be exactly the head of the list
    it gives when it reads the whole period."""
    rng = random.Random(20261127)
    start = _period_start()
    if began == "before_now":
        start = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=2, hours=5)
    resources = [BookingPolicyFactory(min_notice_minutes=0).resource for _ in range(8)]
    for resource in resources:
        moment = start - datetime.timedelta(hours=rng.choice([0, 3]))
        while moment < start + datetime.timedelta(days=6):
            length = datetime.timedelta(hours=rng.choice([1, 2, 5, 9, 14]))
            if rng.random() < 0.6:
                BookingFactory(resource=resource, start=moment, end=moment + length)
            moment += length + datetime.timedelta(hours=rng.choice([0, 1, 3]))
    ClosureFactory(resource=resources[0], start=start, end=start + datetime.timedelta(days=1))
    end = start + datetime.timedelta(days=7)
    for duration in (HOUR, 4 * HOUR, 10 * HOUR):
        everything = selectors.free_capacity_windows(start=start, end=end, duration=duration, limit=500)
        full = [(w.resource.pk, w.start, w.end) for w in everything]
        assert len(full) >= 3, duration
        for limit in range(1, len(resources) + 1):
            short = selectors.free_capacity_windows(start=start, end=end, duration=duration, limit=limit)
            assert [(w.resource.pk, w.start, w.end) for w in short] == full[:limit], (duration, limit)


def test_a_short_list_is_the_head_of_the_long_one_across_time_zones():
    """A resource in a zone ahead of Oslo opens on its next local day before Oslo's day ends."""
    start = datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=2), datetime.time(20), tzinfo=OSLO)
    mornings = {day: [(datetime.time(0), datetime.time(12))] for day in range(7)}
    tokyo = BookingPolicyFactory(min_notice_minutes=0, time_zone="Asia/Tokyo", opening=mornings).resource
    tokyo_midnight = datetime.datetime.combine(
        start.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).date() + datetime.timedelta(days=1),
        datetime.time(0),
        tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"),
    )
    BookingFactory(resource=tokyo, start=start, end=tokyo_midnight)  # free from Tokyo's next midnight, 16:00 in Oslo
    next_evening = {day: [(datetime.time(18), datetime.time(20))] for day in range(7)}
    oslo_evening = BookingPolicyFactory(min_notice_minutes=0, opening=next_evening).resource
    end = start + datetime.timedelta(days=3)
    everything = selectors.free_capacity_windows(start=start, end=end, duration=2 * HOUR, limit=500)
    full = [(w.resource.pk, w.start) for w in everything if w.resource.pk in (tokyo.pk, oslo_evening.pk)]
    assert full[0] == (tokyo.pk, tokyo_midnight)
    short = selectors.free_capacity_windows(start=start, end=end, duration=2 * HOUR, limit=1)
    assert [(w.resource.pk, w.start) for w in short] == full[:1]
