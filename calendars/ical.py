"""Reading busy time out of an iCalendar feed: pure functions, no database, no network.

icalendar parses the file; recurring-ical-events expands the recurring series for the period asked (RRULE and
RDATE, EXDATE, overridden instances with RECURRENCE-ID, time zones from VTIMEZONE and TZID, Google's
X-WR-TIMEZONE). What is busy:

- an event, unless it is cancelled (STATUS:CANCELLED, also a single cancelled instance of a series) or marked
  free (TRANSP:TRANSPARENT); an all-day event takes its whole local days; a time without a zone ("floating") is
  read in the platform's zone;
- a VFREEBUSY's FREEBUSY periods, except those typed FBTYPE=FREE.

Only start and end are read. Titles, descriptions, places and attendees are never looked at.
"""

import datetime
import zoneinfo
from collections.abc import Iterator

import icalendar
import recurring_ical_events
from dateutil import rrule as dateutil_rrule

from calendars.choices import FeedErrorCode
from calendars.models import MAX_PIECE

Interval = tuple[datetime.datetime, datetime.datetime]
UTC = datetime.UTC


class FeedError(Exception):
    """A feed could not be read. `code` is a FeedErrorCode; `detail` the technical reason (the parser's words, the
    HTTP status), shown to the facility's managers."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = str(detail)[:500]


def busy_intervals_from_ical(
    data: bytes,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    zone: zoneinfo.ZoneInfo,
    max_intervals: int,
) -> list[Interval]:
    """The busy time in `data` between `start` and `end`, merged, in UTC. Raises FeedError: not_calendar when
    `data` is not an iCalendar file, unreadable with the parser's reason, too_many_events when more than
    `max_intervals` busy times fall in the period (an endless series is cut there, never expanded for ever)."""
    calendar = _parse(data)
    found: list[Interval] = []
    try:
        _check_series_sizes(calendar, start=start, end=end, zone=zone, max_intervals=max_intervals)
        for busy in _busy_times(calendar, start=start, end=end, zone=zone):
            found.append(busy)
        if len(found) > max_intervals:
            raise _too_many(max_intervals, end)
    except FeedError:
        raise
    except Exception as error:  # noqa: BLE001 - a feed is foreign input: any failure of the parser is its reason
        raise FeedError(FeedErrorCode.UNREADABLE, f"{type(error).__name__}: {error}") from None
    return merge(found)


def _parse(data: bytes) -> icalendar.Calendar:
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:15].upper() != b"BEGIN:VCALENDAR":
        shown = text[:40].decode("utf-8", "replace").splitlines()[0] if text else ""
        raise FeedError(FeedErrorCode.NOT_CALENDAR, f"the answer starts with {shown!r}")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:  # noqa: BLE001 - see above
        raise FeedError(FeedErrorCode.UNREADABLE, f"{type(error).__name__}: {error}") from None
    if not calendars:
        raise FeedError(FeedErrorCode.UNREADABLE, "the calendar is incomplete (no END:VCALENDAR)")
    merged, *others = calendars
    for other in others:  # a few systems concatenate calendars; read them as one
        for component in other.subcomponents:
            merged.add_component(component)
    return merged


def _too_many(max_intervals: int, end: datetime.datetime) -> FeedError:
    return FeedError(FeedErrorCode.TOO_MANY_EVENTS, f"more than {max_intervals} busy times before {end:%Y-%m-%d}")


TOO_FREQUENT = {"SECONDLY", "MINUTELY"}  # no booking repeats that often; expanding such a rule could take hours


def _check_series_sizes(calendar, *, start, end, zone, max_intervals: int) -> None:
    """Count the instances of every recurring series in the period before expanding them (dateutil, much cheaper
    than the expansion), so that an endless or dense series is refused before it costs time: too_many_events once
    the series together pass `max_intervals`."""
    total = 0
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        if rules is None:
            continue
        begins = event.get("DTSTART").dt
        if not isinstance(begins, datetime.datetime):
            begins = datetime.datetime.combine(begins, datetime.time())
        # Compare in the series' own kind of time: wall-clock for a floating start, aware otherwise.
        until = end.astimezone(zone).replace(tzinfo=None) if begins.tzinfo is None else end
        since = start.astimezone(zone).replace(tzinfo=None) if begins.tzinfo is None else start
        for rule in rules if isinstance(rules, list) else [rules]:
            frequency = str(rule.get("FREQ", [""])[0]).upper()
            if frequency in TOO_FREQUENT:
                raise FeedError(FeedErrorCode.TOO_MANY_EVENTS, f"a series repeats {frequency}")
            try:
                moments = iter(dateutil_rrule.rrulestr(rule.to_ical().decode(), dtstart=begins))
                for moment in moments:
                    if moment >= until:
                        break
                    if moment >= since:
                        total += 1
                        if total > max_intervals:
                            raise _too_many(max_intervals, end)
            except (ValueError, TypeError):
                continue  # a rule dateutil cannot take as written (UNTIL in another kind of time): the expansion copes


def _busy_times(calendar, *, start, end, zone) -> Iterator[Interval]:
    # Most events of a booking system stand alone: they are read as they are. Only the series (an RRULE or RDATE,
    # and every event sharing a UID with an overridden instance) go through recurring-ical-events, whose expansion
    # costs about as much again as parsing.
    events = list(calendar.walk("VEVENT"))
    in_series = {
        str(event.get("UID", ""))
        for event in events
        if event.get("RRULE") is not None or event.get("RDATE") is not None or event.get("RECURRENCE-ID") is not None
    }
    single = [event for event in events if str(event.get("UID", "")) not in in_series]
    if in_series:
        series = icalendar.Calendar()
        for component in calendar.subcomponents:
            if component.name != "VEVENT" or str(component.get("UID", "")) in in_series:
                series.add_component(component)
        if "X-WR-TIMEZONE" in calendar:  # Google's calendar-wide zone, which the expansion honours
            series.add("X-WR-TIMEZONE", calendar["X-WR-TIMEZONE"])
        # between() expands the whole period at once (events only, by default): much faster than after(), which
        # probes window by window.
        single += recurring_ical_events.of(series).between(start, end)
    for event in single:
        if event.get("DTSTART") is None:
            continue
        event_start, event_end = _moment(event.get("DTSTART"), zone), _event_end(event, zone)
        if event_start >= end or (event_end is not None and event_end <= start):
            continue
        if str(event.get("STATUS")).upper() == "CANCELLED":
            continue
        if str(event.get("TRANSP")).upper() == "TRANSPARENT":
            continue
        if event_end is not None and event_end > event_start:
            yield max(event_start, start), min(event_end, end)
    for freebusy in calendar.walk("VFREEBUSY"):
        yield from _freebusy_periods(freebusy, start=start, end=end, zone=zone)


def _event_end(event, zone) -> datetime.datetime | None:
    if event.get("DTEND") is not None:
        return _moment(event.get("DTEND"), zone)
    begins = event.get("DTSTART").dt
    if event.get("DURATION") is not None:
        return _moment(event.get("DTSTART"), zone) + event.get("DURATION").dt
    if isinstance(begins, datetime.date) and not isinstance(begins, datetime.datetime):
        return _moment(event.get("DTSTART"), zone) + datetime.timedelta(days=1)  # RFC 5545: a date lasts a day
    return None  # a moment, no time taken


def _moment(prop, zone) -> datetime.datetime:
    return as_utc(prop.dt, zone)


def as_utc(value, zone) -> datetime.datetime:
    """A DATE as the start of that local day in `zone`, a floating time as a time in `zone`, both in UTC."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _freebusy_periods(component, *, start, end, zone) -> Iterator[Interval]:
    properties = component.get("FREEBUSY", [])
    if not isinstance(properties, list):
        properties = [properties]
    for prop in properties:
        if str(prop.params.get("FBTYPE")).upper() == "FREE":  # no FBTYPE means BUSY
            continue
        periods = prop.dts if hasattr(prop, "dts") else [prop]
        for period in periods:
            begins, until = period.dt
            begins = as_utc(begins, zone)
            until = begins + until if isinstance(until, datetime.timedelta) else as_utc(until, zone)
            if until > start and begins < end:
                yield max(begins, start), min(until, end)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of half-open intervals; touching intervals are joined."""
    merged: list[Interval] = []
    for begins, until in sorted(intervals):
        if until <= begins:
            continue
        if merged and begins <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(until, merged[-1][1]))
        else:
            merged.append((begins, until))
    return merged


def pieces(intervals: list[Interval]) -> list[Interval]:
    """`intervals` cut into pieces of at most MAX_PIECE (how they are stored; see calendars.models)."""
    cut: list[Interval] = []
    for begins, until in intervals:
        while until - begins > MAX_PIECE:
            cut.append((begins, begins + MAX_PIECE))
            begins += MAX_PIECE
        cut.append((begins, until))
    return cut
