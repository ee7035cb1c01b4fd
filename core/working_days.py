"""Working-day arithmetic: weekends and Norwegian public holidays do not count.

Shared by intake (response deadlines) and booking (the window for correcting a booking's use).
"""

import datetime
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=32)
def _norwegian_holidays(year: int) -> frozenset[datetime.date]:
    # The holidays package lists Norway's public holidays (Easter, Ascension, Whit Monday, 17 May, ...); ordinary
    # Sundays are not among them, and weekends do not count anyway.
    return frozenset(holidays.Norway(years=year).keys())


def public_holidays(
    first: datetime.date, last: datetime.date, *, language: str | None = "nb"
) -> list[tuple[datetime.date, str]]:
    """Norway's public holidays (helligdager and 1 and 17 May) from `first` to `last`, both included, with their
    names in Bokmål or, for any other `language`, English. Ordinary Sundays are not listed; Easter Sunday and
    Whit Sunday are."""
    calendar = holidays.Norway(language="no" if language == "nb" else "en_US")
    return [(day, calendar[day]) for day in calendar[first : last + datetime.timedelta(days=1)]]


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _norwegian_holidays(day.year)


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The moment `days` working days after `start`, at the same Oslo wall-clock time.

    A request sent on a Friday afternoon with 5 working days is due the next Friday afternoon; one sent on a
    Saturday counts from Monday, so it is due the Friday after at the same time of day.
    """
    local = timezone.localtime(start)
    day = local.date()
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return timezone.make_aware(datetime.datetime.combine(day, local.time().replace(tzinfo=None)))


def working_days_between(start: datetime.datetime, end: datetime.datetime) -> int:
    """Working days d with start's date < d <= end's date (Oslo dates); 0 when end is not after start."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    count = 0
    day = first
    while day < last:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
