"""A search result's next free time (booking.selectors.next_free_times): the earliest moment a booking of the
resource's minimum length could start at one of the facility's resources, for a whole page of facilities at once.
The suite runs on PostgreSQL (one SQL statement, the next day first) and SQLite (the Python rule)."""

import datetime

import pytest

from booking import selectors
from tests.booking.factories import BookingPolicyFactory, ClosureFactory
from tests.factories import FacilityFactory, ResourceFactory
from tests.helpers import OSLO

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2027, 1, 4)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=OSLO)


def bookable(facility, **policy):
    return BookingPolicyFactory(resource=ResourceFactory(facility=facility, bookable=True), min_notice_minutes=0,
                                **policy)  # fmt: skip


def closed(policy, start, end):
    ClosureFactory(resource=policy.resource, start=start, end=end)


def test_the_next_free_time_is_the_first_start_after_opening_and_busy_time():
    facility = FacilityFactory()
    policy = bookable(facility)  # open every day 07-19
    closed(policy, at(MONDAY, 7), at(MONDAY, 10, 30))
    assert selectors.next_free_times(facility_ids=[facility.pk], now=at(MONDAY, 6)) == {facility.pk: at(MONDAY, 10, 30)}


def test_a_gap_shorter_than_the_minimum_length_is_not_free_time():
    facility = FacilityFactory()
    policy = bookable(facility, min_length_minutes=120)
    closed(policy, at(MONDAY, 7), at(MONDAY, 9))
    closed(policy, at(MONDAY, 10), at(MONDAY, 12))  # 09-10 is free, but an hour is too short
    assert selectors.next_free_times(facility_ids=[facility.pk], now=at(MONDAY, 6)) == {facility.pk: at(MONDAY, 12)}


def test_the_earliest_of_the_facility_s_resources_counts_even_when_it_runs_past_the_first_day():
    """A short booking found near the end of the first day does not hide a long one that starts earlier and ends
    after it (the statement looks at the next day first)."""
    facility = FacilityFactory()
    short = bookable(facility, min_length_minutes=60)
    long = bookable(facility, min_length_minutes=240)
    tuesday = MONDAY + datetime.timedelta(days=1)
    closed(short, at(MONDAY, 10), at(tuesday, 9))  # free Tuesday 09-10, inside the first day from Monday 10:00
    closed(long, at(MONDAY, 10), at(MONDAY, 19))  # free Tuesday 07-11, which ends after the first day
    found = selectors.next_free_times(facility_ids=[facility.pk], now=at(MONDAY, 10))
    assert found == {facility.pk: at(tuesday, 7)}


def test_a_facility_with_nothing_free_in_the_period_is_left_out_and_others_keep_theirs():
    full, free = FacilityFactory(), FacilityFactory()
    policy = bookable(full)
    closed(policy, at(MONDAY, 0), at(MONDAY + datetime.timedelta(days=selectors.NEXT_FREE_DAYS + 1), 0))
    bookable(free)
    found = selectors.next_free_times(facility_ids=[full.pk, free.pk], now=at(MONDAY, 6))
    assert found == {free.pk: at(MONDAY, 7)}


def test_a_facility_open_only_in_a_week_is_found_after_the_first_day():
    facility = FacilityFactory()
    bookable(facility, opening={MONDAY.weekday(): [(datetime.time(8), datetime.time(16))]})
    found = selectors.next_free_times(facility_ids=[facility.pk], now=at(MONDAY, 17))
    assert found == {facility.pk: at(MONDAY + datetime.timedelta(days=7), 8)}


def test_no_facilities_no_question():
    assert selectors.next_free_times(facility_ids=[], now=at(MONDAY, 6)) == {}


def test_only_the_facilities_asked_about_are_answered():
    asked, other = FacilityFactory(), FacilityFactory()
    bookable(asked)
    bookable(other)
    assert selectors.next_free_times(facility_ids=[asked.pk], now=at(MONDAY, 6)) == {asked.pk: at(MONDAY, 7)}


def test_the_preparedness_reserve_is_free_time_for_the_owning_institution_only():
    """A hospital's reserve (beredskap) is the next free time for its own verified academics, not for a company."""
    from tests.factories import AcademicUserFactory, UserFactory

    facility = FacilityFactory()
    policy = bookable(facility)
    ClosureFactory(resource=policy.resource, kind="preparedness", start=at(MONDAY, 7), end=at(MONDAY, 12))
    internal = AcademicUserFactory(institution=facility.institution)
    assert selectors.next_free_times(facility_ids=[facility.pk], user=internal, now=at(MONDAY, 6)) == {
        facility.pk: at(MONDAY, 7)
    }
    assert selectors.next_free_times(facility_ids=[facility.pk], user=UserFactory(), now=at(MONDAY, 6)) == {
        facility.pk: at(MONDAY, 12)
    }


def test_a_facility_closed_to_industry_has_no_next_free_time_for_a_company():
    from tests.factories import AcademicUserFactory, UserFactory

    facility = FacilityFactory(open_to_industry=False)
    bookable(facility)
    academic = AcademicUserFactory(institution=facility.institution)
    assert selectors.next_free_times(facility_ids=[facility.pk], user=academic, now=at(MONDAY, 6)) == {
        facility.pk: at(MONDAY, 7)
    }
    assert selectors.next_free_times(facility_ids=[facility.pk], user=UserFactory(), now=at(MONDAY, 6)) == {}


def test_the_next_free_time_is_counted_from_the_moment_given():
    facility = FacilityFactory()
    BookingPolicyFactory(resource=ResourceFactory(facility=facility, bookable=True), min_notice_minutes=120)
    wednesday = MONDAY + datetime.timedelta(days=2)
    assert selectors.next_free_times(facility_ids=[facility.pk], now=at(wednesday, 9)) == {
        facility.pk: at(wednesday, 11)
    }


def test_no_facilities_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.next_free_times(facility_ids=[], now=at(MONDAY, 6)) == {}


@pytest.mark.postgres
def test_a_page_whose_facilities_are_free_the_first_day_costs_one_statement(django_assert_num_queries):
    """On PostgreSQL the next day is asked first, for the whole page; only facilities it does not settle are asked
    about the rest of the period."""
    facilities = [FacilityFactory() for _ in range(3)]
    for facility in facilities:
        bookable(facility)
    with django_assert_num_queries(1):
        found = selectors.next_free_times(facility_ids=[f.pk for f in facilities], now=at(MONDAY, 6))
    assert found == {facility.pk: at(MONDAY, 7) for facility in facilities}


@pytest.mark.postgres
def test_a_facility_free_only_after_the_first_day_costs_a_second_statement(django_assert_num_queries):
    facility = FacilityFactory()
    bookable(facility, opening={MONDAY.weekday(): [(datetime.time(8), datetime.time(16))]})
    with django_assert_num_queries(2):
        found = selectors.next_free_times(facility_ids=[facility.pk], now=at(MONDAY, 17))
    assert found == {facility.pk: at(MONDAY + datetime.timedelta(days=7), 8)}
