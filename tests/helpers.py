"""Small helpers shared by the tests of every app."""

import datetime
import zoneinfo

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime.datetime:
    """An aware datetime in Oslo local time: oslo(2026, 3, 2, 9) is 2 March 2026 09:00 (midnight if no hour)."""
    return datetime.datetime(*args, tzinfo=OSLO)


def datetime_local(moment: datetime.datetime) -> str:
    """What a person types in a datetime-local field for `moment`: its Oslo wall-clock time to the minute."""
    return moment.astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")
