"""The booking rules (booking.services.rules) as a user meets them: the guard, every rule's exact boundary, the slot
grid in local time, and recurring series. Each test fails when its rule is changed the way mutation testing
changed it (a boundary moved by one, a check dropped, `or` turned into `and`)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from booking import services
from booking.models import Booking
from core.errors import DomainError
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory, QualificationFactory
from tests.factories import AcademicUserFactory, FacilityManagerFactory, ResourceFactory, UserFactory
from tests.helpers import OSLO, oslo

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)


def book(resource, user, start, end, now=None, **extra):
    fields = {"activity": "economic", "access_model": "rental", **extra}
    return services.booking_create(resource=resource, user=user, start=start, end=end, now=now, **fields)


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


# --- the guard: whether a resource can be booked at all -----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"is_active": False}, "ikke lenger i bruk"),
        ({"bookable": False}, "tilbys ikke for booking"),
        ({"facility__status": "draft"}, "ikke publisert"),
    ],
)
def test_a_resource_out_of_use_not_offered_or_unpublished_cannot_be_booked(change, reason, company_user):
    policy = BookingPolicyFactory(resource=ResourceFactory(**change))
    error = refusal(lambda: book(policy.resource, company_user, days_ahead(3, 10), days_ahead(3, 12)))
    assert (error.code, error.field) == ("not_bookable", "resource")
    assert reason in str(error.message)
    assert not Booking.objects.exists()


def test_a_resource_without_a_booking_policy_cannot_be_booked(company_user):
    resource = ResourceFactory(bookable=True)
    error = refusal(lambda: book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12)))
    assert (error.code, error.field) == ("not_bookable", "resource")


def test_a_facility_closed_to_industry_takes_bookings_from_academics_but_not_from_companies(company_user):
    policy = BookingPolicyFactory(resource=ResourceFactory(facility__open_to_industry=False))
    error = refusal(lambda: book(policy.resource, company_user, days_ahead(3, 10), days_ahead(3, 12)))
    assert error.code == "not_bookable" and "ikke åpen for næringslivet" in str(error.message)
    assert book(policy.resource, AcademicUserFactory(), days_ahead(3, 10), days_ahead(3, 12)).status == "confirmed"


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_only_a_signed_in_active_user_passes_the_guard(who, resource):
    user = AnonymousUser() if who == "anonymous" else UserFactory(is_active=False)
    error = refusal(lambda: services.resource_bookability(resource, user))
    assert (error.code, error.field) == ("not_bookable", "resource")
    assert services.resource_bookability(resource, UserFactory()) == resource.booking_policy


def test_the_guard_answers_for_a_visitor_as_the_resource_stands(resource):
    """Pages show a visitor the calendar and ask them to sign in; the resource's own state still decides."""
    assert services.bookability_refusal(resource, AnonymousUser()) is None
    resource.is_active = False
    assert services.bookability_refusal(resource, AnonymousUser()) is not None


def test_a_manager_cannot_move_a_booking_of_a_resource_taken_out_of_use(resource, company_user, manager):
    booking = book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    resource.is_active = False
    resource.save()
    error = refusal(
        lambda: services.booking_move(booking=booking, actor=manager, start=days_ahead(3, 13), end=days_ahead(3, 15))
    )
    assert error.code == "not_bookable"
    booking.refresh_from_db()
    assert booking.start == days_ahead(3, 10)


def test_a_booking_for_a_person_whose_account_was_closed_is_not_moved(resource, company_user, manager):
    booking = book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    company_user.is_active = False
    company_user.save()
    error = refusal(
        lambda: services.booking_move(booking=booking, actor=manager, start=days_ahead(3, 13), end=days_ahead(3, 15))
    )
    assert error.code == "not_bookable"


# --- the rules a booking meets, in order ------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["start", "end"])
def test_a_time_without_utc_offset_is_refused(which, resource, company_user):
    times = {"start": days_ahead(3, 10), "end": days_ahead(3, 12)}
    times[which] = times[which].replace(tzinfo=None)
    error = refusal(lambda: book(resource, company_user, times["start"], times["end"]))
    assert (error.code, error.field) == ("naive_time", "start")


def test_an_unknown_activity_and_access_model_are_refused_by_name(resource, company_user):
    error = refusal(lambda: book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12), activity="party"))
    assert (error.code, error.field) == ("invalid_activity", "activity")
    error = refusal(lambda: book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12), access_model="gift"))
    assert (error.code, error.field) == ("invalid_access_model", "access_model")


def test_an_unknown_access_model_is_named_before_the_rules_of_the_time(resource, company_user):
    """The rules answer in the order a user meets them: what is asked for, then when. A request with an unknown
    access model at a time off the grid, too short and outside opening hours is told about the access model."""
    start = days_ahead(3, 23, 7)
    error = refusal(lambda: book(resource, company_user, start, start + MINUTE, access_model="gift"))
    assert (error.code, error.field) == ("invalid_access_model", "access_model")


def test_an_end_at_the_start_is_refused_as_ending_before_it(resource, company_user):
    error = refusal(lambda: book(resource, company_user, days_ahead(3, 10), days_ahead(3, 10)))
    assert (error.code, error.field) == ("end_before_start", "end")


def test_length_limits_are_inclusive():
    policy = BookingPolicyFactory(min_length_minutes=60, max_length_minutes=120)
    user = AcademicUserFactory()
    assert book(policy.resource, user, days_ahead(3, 8), days_ahead(3, 9)).pk  # exactly the minimum
    assert book(policy.resource, user, days_ahead(3, 10), days_ahead(3, 12)).pk  # exactly the maximum
    error = refusal(lambda: book(policy.resource, user, days_ahead(4, 8), days_ahead(4, 8, 30)))
    assert (error.code, error.field) == ("min_length", "end")
    error = refusal(lambda: book(policy.resource, user, days_ahead(4, 10), days_ahead(4, 12, 30)))
    assert (error.code, error.field) == ("max_length", "end")


def test_minimum_notice_exactly_at_the_limit_is_accepted_and_a_second_less_refused(resource, company_user):
    start = oslo(2027, 1, 4, 10)  # minimum notice 60 minutes
    error = refusal(lambda: book(resource, company_user, start, start + 60 * MINUTE, now=start - 60 * MINUTE + SECOND))
    assert (error.code, error.field) == ("min_notice", "start")
    assert book(resource, company_user, start, start + 60 * MINUTE, now=start - 60 * MINUTE).pk


def test_maximum_advance_exactly_at_the_limit_is_accepted_and_a_second_more_refused(company_user):
    policy = BookingPolicyFactory(max_advance_days=30)
    start = oslo(2027, 2, 3, 10)
    limit = datetime.timedelta(days=30)
    error = refusal(lambda: book(policy.resource, company_user, start, start + 60 * MINUTE, now=start - limit - SECOND))
    assert (error.code, error.field) == ("max_advance", "start")
    assert book(policy.resource, company_user, start, start + 60 * MINUTE, now=start - limit).pk


def test_a_move_may_come_closer_than_the_notice_a_new_booking_needs(company_user):
    policy = BookingPolicyFactory(min_notice_minutes=3 * 24 * 60)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    booking = book(policy.resource, company_user, days_ahead(5, 10), days_ahead(5, 12))
    error = refusal(lambda: book(policy.resource, company_user, days_ahead(1, 10), days_ahead(1, 12)))
    assert error.code == "min_notice"
    moved = services.booking_move(booking=booking, actor=manager, start=days_ahead(1, 10), end=days_ahead(1, 12))
    assert moved.start == days_ahead(1, 10)


def test_opening_hours_are_inclusive_at_both_ends(company_user):
    policy = BookingPolicyFactory(opening={day: [(datetime.time(8), datetime.time(16))] for day in range(7)})
    assert book(policy.resource, company_user, days_ahead(3, 8), days_ahead(3, 10)).pk
    assert book(policy.resource, company_user, days_ahead(3, 14), days_ahead(3, 16)).pk
    error = refusal(lambda: book(policy.resource, company_user, days_ahead(4, 7, 30), days_ahead(4, 9)))
    assert (error.code, error.field) == ("opening_hours", "start")
    error = refusal(lambda: book(policy.resource, company_user, days_ahead(4, 15), days_ahead(4, 16, 30)))
    assert error.code == "opening_hours"


def test_a_qualification_is_asked_for_with_where_to_get_it(company_user):
    policy = BookingPolicyFactory(requires_qualification=True)
    error = refusal(lambda: book(policy.resource, company_user, days_ahead(3, 10), days_ahead(3, 12)))
    assert (error.code, error.field) == ("qualification_required", "resource")
    assert error.extra["request_training_url"].endswith(f"/resources/{policy.resource.pk}/training/")
    QualificationFactory(user=company_user, resource=policy.resource, expires_on=days_ahead(3).date())
    assert book(policy.resource, company_user, days_ahead(3, 10), days_ahead(3, 12)).pk  # valid on the day itself


# --- the slot grid, in local time -------------------------------------------------------------------------------


def test_a_grid_that_does_not_divide_the_hour_counts_from_local_midnight(company_user):
    policy = BookingPolicyFactory(slot_minutes=45, min_length_minutes=45)
    day = (3, 4, 5)
    for offset, (hour, minute) in zip(day, [(9, 0), (9, 45), (10, 30)], strict=True):
        start = days_ahead(offset, hour, minute)
        assert book(policy.resource, company_user, start, start + 45 * MINUTE).pk
    error = refusal(lambda: book(policy.resource, company_user, days_ahead(6, 10), days_ahead(6, 10) + 45 * MINUTE))
    assert (error.code, error.field) == ("slot_granularity", "start")
    error = refusal(lambda: book(policy.resource, company_user, days_ahead(7, 9), days_ahead(7, 10)))
    assert (error.code, error.field) == ("slot_granularity", "end")


def test_a_start_seconds_off_the_grid_is_refused(resource, company_user):
    start = days_ahead(3, 10) + 30 * SECOND
    error = refusal(lambda: book(resource, company_user, start, days_ahead(3, 12)))
    assert (error.code, error.field) == ("slot_granularity", "start")


@pytest.mark.parametrize("change_day", [datetime.date(2027, 3, 28), datetime.date(2027, 10, 31)])
def test_the_grid_is_the_local_wall_clock_on_the_days_the_clock_changes(change_day, company_user):
    """On these days an hour more or less has passed since midnight at 09:00; the grid still counts 09:00."""
    policy = BookingPolicyFactory(slot_minutes=45, min_length_minutes=45)
    now = datetime.datetime.combine(change_day - datetime.timedelta(days=7), datetime.time(8), tzinfo=OSLO)
    start = datetime.datetime.combine(change_day, datetime.time(9), tzinfo=OSLO)
    booking = book(policy.resource, company_user, start, start + 45 * MINUTE, now=now)
    assert booking.start.astimezone(OSLO).time() == datetime.time(9)
    off_grid = datetime.datetime.combine(change_day, datetime.time(10), tzinfo=OSLO)
    error = refusal(lambda: book(policy.resource, company_user, off_grid, off_grid + 45 * MINUTE, now=now))
    assert error.code == "slot_granularity"


def test_local_minutes_read_the_wall_clock_in_the_policy_zone():
    policy = BookingPolicyFactory.build(time_zone="Europe/Oslo")
    moment = datetime.datetime(2027, 10, 31, 8, 0, 30, tzinfo=UTC)  # 09:00:30 in Oslo after the change
    assert services.rules.local_minutes(moment, policy) == 9 * 60 + 0.5


# --- recurring series -------------------------------------------------------------------------------------------


def test_an_overnight_weekly_series_across_the_october_change_keeps_its_wall_clock_and_ends_next_day():
    start = oslo(2027, 10, 23, 22)  # Saturday 22:00 to Sunday 06:00; summer time ends on Sunday 31 October
    occurrences = services.recurrence_expand(
        start=start, end=oslo(2027, 10, 24, 6), frequency="weekly", count=3, zone=OSLO
    )
    local = [(s.astimezone(OSLO), e.astimezone(OSLO)) for s, e in occurrences]
    assert [(s.date(), s.time(), e.date(), e.time()) for s, e in local] == [
        (datetime.date(2027, 10, 23), datetime.time(22), datetime.date(2027, 10, 24), datetime.time(6)),
        (datetime.date(2027, 10, 30), datetime.time(22), datetime.date(2027, 10, 31), datetime.time(6)),
        (datetime.date(2027, 11, 6), datetime.time(22), datetime.date(2027, 11, 7), datetime.time(6)),
    ]
    assert [e - s for s, e in occurrences] == [datetime.timedelta(hours=h) for h in (8, 9, 8)]  # the night is longer


def test_a_series_keeps_the_wall_clock_of_the_resource_zone_not_the_site_zone():
    """A resource in New York keeps 09:00 there across the American change (7 November 2027), a week after Oslo's."""
    new_york = zoneinfo.ZoneInfo("America/New_York")
    start = datetime.datetime(2027, 10, 25, 9, tzinfo=new_york)
    occurrences = services.recurrence_expand(
        start=start, end=start + datetime.timedelta(hours=2), frequency="weekly", count=3, zone=new_york
    )
    local = [(s.astimezone(new_york), e.astimezone(new_york)) for s, e in occurrences]
    assert [(s.day, s.hour, e.hour) for s, e in local] == [(25, 9, 11), (1, 9, 11), (8, 9, 11)]
    assert [s.astimezone(UTC).hour for s, _ in occurrences] == [13, 13, 14]


def test_a_daily_series_steps_one_day_and_a_weekly_one_seven():
    start = oslo(2027, 1, 4, 9)
    daily = services.recurrence_expand(start=start, end=oslo(2027, 1, 4, 10), frequency="daily", count=2, zone=OSLO)
    weekly = services.recurrence_expand(start=start, end=oslo(2027, 1, 4, 10), frequency="weekly", count=2, zone=OSLO)
    assert daily[1][0] - daily[0][0] == datetime.timedelta(days=1)
    assert weekly[1][0] - weekly[0][0] == datetime.timedelta(days=7)


def test_a_series_ends_on_its_until_date_inclusive_or_after_count_whichever_first():
    start = oslo(2027, 1, 4, 9)
    end = oslo(2027, 1, 4, 10)
    until = services.recurrence_expand(
        start=start, end=end, frequency="daily", until=datetime.date(2027, 1, 6), zone=OSLO
    )
    assert [s.astimezone(OSLO).day for s, _ in until] == [4, 5, 6]
    both = services.recurrence_expand(
        start=start, end=end, frequency="daily", until=datetime.date(2027, 1, 6), count=2, zone=OSLO
    )
    assert len(both) == 2
    assert len(services.recurrence_expand(start=start, end=end, frequency="daily", until=start.date(), zone=OSLO)) == 1


def test_a_one_occurrence_series_is_one_booking_with_a_series_id(resource, company_user):
    result = services.booking_series_create(
        resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12), frequency="weekly",
        count=1, activity="economic", access_model="rental",
    )  # fmt: skip
    assert len(result.created) == 1 and not result.skipped
    assert result.created[0].recurrence_group is not None


@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [
        ({"frequency": "monthly", "count": 2}, "invalid_frequency", "frequency"),
        ({"frequency": "weekly"}, "series_end", "until"),
        ({"frequency": "weekly", "count": 0}, "invalid_count", "count"),
        ({"frequency": "weekly", "count": -1}, "invalid_count", "count"),
        ({"frequency": "daily", "count": 201}, "series_too_long", "count"),
        ({"frequency": "daily", "until": datetime.date(2027, 7, 23)}, "series_too_long", "until"),
        ({"frequency": "daily", "until": datetime.date(2027, 1, 3)}, "until_before_start", "until"),
    ],
)
def test_a_series_that_cannot_be_expanded_is_refused_by_name(arguments, code, field):
    start = oslo(2027, 1, 4, 9)
    error = refusal(lambda: services.recurrence_expand(start=start, end=oslo(2027, 1, 4, 10), zone=OSLO, **arguments))
    assert (error.code, error.field) == (code, field)


def test_the_cap_is_exactly_200_occurrences():
    start = oslo(2027, 1, 4, 9)
    end = oslo(2027, 1, 4, 10)
    assert services.MAX_SERIES_LENGTH == 200
    assert len(services.recurrence_expand(start=start, end=end, frequency="daily", count=200, zone=OSLO)) == 200
    last_day = start.date() + datetime.timedelta(days=199)  # 4 January + 199 days: the 200th day
    by_date = services.recurrence_expand(start=start, end=end, frequency="daily", until=last_day, zone=OSLO)
    assert len(by_date) == 200 and by_date[-1][0].astimezone(OSLO).date() == last_day


def test_an_unknown_conflict_mode_is_refused_before_anything_is_stored(resource, company_user):
    error = refusal(
        lambda: services.booking_series_create(
            resource=resource,
            user=company_user,
            start=days_ahead(3, 10),
            end=days_ahead(3, 12),
            frequency="weekly",
            count=2,
            activity="economic",
            access_model="rental",
            mode="sometimes",
        )  # fmt: skip
    )
    assert (error.code, error.field) == ("invalid_mode", "mode")
    assert not Booking.objects.exists()


def test_a_series_at_an_agreed_price_is_never_stored_in_part(resource, company_user):
    """A price agreed for a whole series (an accepted intake proposal) is divided over all its bookings, so such a
    series cannot skip the dates that are taken: it is refused by its mode before anything is stored."""
    error = refusal(
        lambda: services.booking_series_create(
            resource=resource,
            user=company_user,
            start=days_ahead(3, 10),
            end=days_ahead(3, 12),
            frequency="weekly",
            count=2,
            access_model="rental",
            mode="skip_conflicts",
            agreed_net_amount=Decimal("4000.00"),
        )  # fmt: skip
    )
    assert (error.code, error.field) == ("invalid_mode", "mode")
    assert not Booking.objects.exists()


# Terms a company may not name for itself, and the refusal code: one booking and a series are held to them alike.
TERMS_REFUSALS = [
    ({"activity": "non_economic"}, "activity_not_allowed"),  # a company renting is economic
    ({"collaboration_agreement": 1}, "agreement_needs_collaboration"),
]


@pytest.mark.parametrize(("asked", "code"), TERMS_REFUSALS)
def test_a_booking_at_an_agreed_price_is_held_to_the_terms_all_the_same(resource, company_user, asked, code):
    """A price agreed in intake replaces the price list's amount, not the terms: an activity or agreement named for
    it must still fit the verified facts."""
    fields = {"activity": "economic", **asked}
    error = refusal(
        lambda: book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12), agreed_net_amount=Decimal("900"),
                     **fields)
    )  # fmt: skip
    assert error.code == code
    assert not Booking.objects.exists()


@pytest.mark.parametrize(("asked", "code"), TERMS_REFUSALS)
def test_a_series_is_held_to_the_terms_a_single_booking_is_held_to(resource, company_user, asked, code):
    """An activity or collaboration agreement named for a series must be what the verified facts give, as for one
    booking; otherwise the series is refused and nothing is stored."""
    fields = {"activity": "economic", **asked}
    error = refusal(
        lambda: services.booking_series_create(
            resource=resource,
            user=company_user,
            start=days_ahead(3, 10),
            end=days_ahead(3, 12),
            frequency="weekly",
            count=2,
            access_model="rental",
            **fields,
        )  # fmt: skip
    )
    assert error.code == code
    assert not Booking.objects.exists()


def test_a_series_is_paid_by_the_organisation_named_only_by_its_member(resource, company_user):
    """A series names who pays like one booking: an organisation the person is not an approved member of is
    refused (403 not_a_member) and nothing is stored."""
    from accounts.models import Organisation
    from accounts.selectors import NotAMember

    stranger = Organisation.objects.create(name="Annen AS", org_number="974760673")
    with pytest.raises(NotAMember):
        services.booking_series_create(
            resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12), frequency="weekly",
            count=2, access_model="rental", organisation=stranger,
        )  # fmt: skip
    assert not Booking.objects.exists()


def test_a_series_of_a_resource_that_cannot_be_booked_is_refused_whole(company_user):
    policy = BookingPolicyFactory(resource=ResourceFactory(bookable=False))
    for mode in ("all_or_nothing", "skip_conflicts"):
        error = refusal(
            lambda mode=mode: services.booking_series_create(
                resource=policy.resource,
                user=company_user,
                start=days_ahead(3, 10),
                end=days_ahead(3, 12),
                frequency="weekly",
                count=2,
                activity="economic",
                access_model="rental",
                mode=mode,
            )  # fmt: skip
        )
        assert error.code == "not_bookable"
    assert not Booking.objects.exists()


def test_all_or_nothing_names_the_occurrence_that_failed(resource, company_user):
    BookingFactory(resource=resource, start=days_ahead(10, 10), end=days_ahead(10, 12))
    with pytest.raises(DomainError) as caught:
        services.booking_series_create(
            resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12), frequency="weekly",
            count=3, activity="economic", access_model="rental",
        )  # fmt: skip
    assert caught.value.code == "slot_taken"
    assert caught.value.extra["occurrence"]["start"].startswith(days_ahead(10, 10).astimezone(UTC).strftime("%Y-%m-%d"))
    assert not Booking.objects.filter(user=company_user).exists()


def test_skip_conflicts_reports_each_skipped_date_with_its_rule(resource, company_user):
    BookingFactory(resource=resource, start=days_ahead(10, 10), end=days_ahead(10, 12))
    result = services.booking_series_create(
        resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12), frequency="weekly",
        count=3, activity="economic", access_model="rental", mode="skip_conflicts",
    )  # fmt: skip
    assert [b.start for b in result.created] == [days_ahead(3, 10), days_ahead(17, 10)]
    assert len({b.recurrence_group for b in result.created}) == 1
    (skipped,) = result.skipped
    assert skipped["code"] == "slot_taken" and skipped["detail"]
    assert skipped["start"].startswith(days_ahead(10, 10).astimezone(UTC).strftime("%Y-%m-%d"))
    assert skipped["end"].startswith(days_ahead(10, 12).astimezone(UTC).strftime("%Y-%m-%d"))


def test_a_series_checks_the_person_booking(resource):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.booking_series_create(
            resource=resource, user=AnonymousUser(), start=days_ahead(3, 10), end=days_ahead(3, 12),
            frequency="weekly", count=2, activity="economic", access_model="rental",
        )  # fmt: skip


def test_a_series_booked_at_a_resource_in_new_york_keeps_its_wall_clock_there(company_user):
    new_york = zoneinfo.ZoneInfo("America/New_York")
    policy = BookingPolicyFactory(time_zone="America/New_York")
    start = datetime.datetime(2027, 10, 25, 9, tzinfo=new_york)
    result = services.booking_series_create(
        resource=policy.resource, user=company_user, start=start, end=start + datetime.timedelta(hours=2),
        frequency="weekly", count=3, activity="economic", access_model="rental", now=oslo(2027, 10, 20, 9),
    )  # fmt: skip
    assert [b.start.astimezone(new_york).hour for b in result.created] == [9, 9, 9]
    assert [b.start.astimezone(UTC).hour for b in result.created] == [13, 13, 14]


def test_a_series_is_stored_with_its_purpose_and_checked_at_the_moment_given(company_user):
    """Bookings open 30 days ahead: from 1 June 2027 a series in June may be booked, by today's clock it may not."""
    policy = BookingPolicyFactory(max_advance_days=30)
    result = services.booking_series_create(
        resource=policy.resource, user=company_user, start=oslo(2027, 6, 7, 10), end=oslo(2027, 6, 7, 12),
        frequency="weekly", count=2, activity="economic", access_model="rental", purpose="Cell imaging",
        now=oslo(2027, 6, 1, 9),
    )  # fmt: skip
    assert [(b.start, b.purpose) for b in result.created] == [
        (oslo(2027, 6, 7, 10), "Cell imaging"),
        (oslo(2027, 6, 14, 10), "Cell imaging"),
    ]
