"""What calendars.ical reads as busy out of real iCalendar files, each rule a row of a table."""

import datetime
import zoneinfo

import pytest

from calendars.ical import FeedError, busy_intervals_from_ical, pieces
from tests.calendars.conftest import feed_text, oslo, spring_base
from tests.helpers import OSLO

UTC = datetime.UTC


def _busy(data: bytes, base: datetime.date, *, max_intervals: int = 1000, days: int = 60):
    start = datetime.datetime.combine(base - datetime.timedelta(days=7), datetime.time(), tzinfo=UTC)
    return busy_intervals_from_ical(
        data, start=start, end=start + datetime.timedelta(days=days), zone=OSLO, max_intervals=max_intervals
    )


def _covers(busy, start, end) -> bool:
    return any(s <= start and end <= e for s, e in busy)


def _touches(busy, start, end) -> bool:
    return any(s < end and start < e for s, e in busy)


BASE = spring_base()
D = {n: BASE + datetime.timedelta(days=n) for n in range(30)}


@pytest.mark.parametrize(
    ("situation", "start", "end", "busy"),
    [
        ("the series' first Monday", oslo(D[0], 9), oslo(D[0], 11), True),
        ("the date left out by EXDATE", oslo(D[7], 9), oslo(D[7], 11), False),
        ("the moved instance is not at its old time", oslo(D[14], 9), oslo(D[14], 11), False),
        ("the moved instance at its new time, after the clock change", oslo(D[14], 13), oslo(D[14], 15), True),
        ("the cancelled instance of the series", oslo(D[21], 9), oslo(D[21], 11), False),
        ("the series ends after COUNT=4", oslo(D[28], 9), oslo(D[28], 11), False),
        ("the all-day event takes its whole local day", oslo(D[2], 0), oslo(D[3], 0), True),
        ("the all-day event ends at local midnight", oslo(D[3], 0), oslo(D[3], 1), False),
        ("the night of the clock change: 22:00 to 04:00 summer time", oslo(D[12], 22), oslo(D[13], 4), True),
        ("a free (TRANSPARENT) event is not busy", oslo(D[1], 9), oslo(D[1], 10), False),
        ("a cancelled event is not busy", oslo(D[3], 9), oslo(D[3], 10), False),
    ],
)
def test_a_recurring_feed_is_busy_exactly_when_its_events_take_time(situation, start, end, busy):
    found = _busy(feed_text("bookitlab.ics", BASE), BASE)
    assert _covers(found, start, end) if busy else not _touches(found, start, end), situation


def test_the_clock_change_night_lasts_five_hours():
    found = _busy(feed_text("bookitlab.ics", BASE), BASE)
    night = [(s, e) for s, e in found if s == oslo(D[12], 22)]
    assert night and night[0][1] - night[0][0] == datetime.timedelta(hours=5)


@pytest.mark.parametrize(
    ("situation", "start", "end", "busy"),
    [
        ("a BUSY period", oslo(D[0], 9), oslo(D[0], 11), True),
        ("a period given by its length", oslo(D[1], 13), oslo(D[1], 14), True),
        ("a FREE period", oslo(D[2], 9), oslo(D[2], 11), False),
        ("a tentative period is busy", oslo(D[3], 9), oslo(D[3], 10), True),
    ],
)
def test_free_busy_periods(situation, start, end, busy):
    found = _busy(feed_text("freebusy.ics", BASE), BASE)
    assert _covers(found, start, end) if busy else not _touches(found, start, end), situation


def _calendar(*lines: str) -> bytes:
    return (
        "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *lines, "END:VCALENDAR"]) + "\r\n"
    ).encode()


def _event(*lines: str) -> list[str]:
    return ["BEGIN:VEVENT", "UID:x@t", "DTSTAMP:20260101T000000Z", *lines, "END:VEVENT"]


def test_a_floating_time_is_read_as_oslo_time():
    day = D[1]
    found = _busy(_calendar(*_event(f"DTSTART:{day:%Y%m%d}T100000", f"DTEND:{day:%Y%m%d}T120000")), BASE)
    assert found == [(oslo(day, 10).astimezone(UTC), oslo(day, 12).astimezone(UTC))]


def test_google_calendars_x_wr_timezone_is_honoured():
    day = D[1]
    data = _calendar(
        "X-WR-TIMEZONE:Europe/Oslo", *_event(f"DTSTART:{day:%Y%m%d}T090000Z", f"DTEND:{day:%Y%m%d}T100000Z")
    )
    found = _busy(data, BASE)
    assert found == [(datetime.datetime.combine(day, datetime.time(9), tzinfo=UTC),
                      datetime.datetime.combine(day, datetime.time(10), tzinfo=UTC))]  # fmt: skip


def test_an_all_day_event_without_an_end_takes_one_day_and_a_moment_takes_none():
    day = D[4]
    data = _calendar(
        *_event(f"DTSTART;VALUE=DATE:{day:%Y%m%d}"),
        *_event(f"DTSTART:{D[5]:%Y%m%d}T100000Z"),
    )
    found = _busy(data, BASE)
    assert found == [(oslo(day, 0).astimezone(UTC), oslo(D[5], 0).astimezone(UTC))]


def test_an_event_given_by_its_duration():
    data = _calendar(*_event(f"DTSTART;TZID=Europe/Oslo:{D[1]:%Y%m%d}T100000", "DURATION:PT90M"))
    assert _busy(data, BASE) == [(oslo(D[1], 10).astimezone(UTC), oslo(D[1], 11, 30).astimezone(UTC))]


@pytest.mark.parametrize(
    ("situation", "data", "code"),
    [
        ("a web page", b"<!DOCTYPE html><html><body>Log in</body></html>", "not_calendar"),
        ("an empty answer", b"", "not_calendar"),
        ("JSON", b'{"events": []}', "not_calendar"),
        ("a broken calendar", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\nEND:VEVENT\r\n", "unreadable"),
        (
            "an endless series",
            _calendar(*_event(f"DTSTART:{D[0]:%Y%m%d}T000000Z", f"DTEND:{D[0]:%Y%m%d}T000001Z", "RRULE:FREQ=SECONDLY")),
            "too_many_events",
        ),
    ],
)
def test_garbage_is_refused_with_a_reason(situation, data, code):
    with pytest.raises(FeedError) as refused:
        _busy(data, BASE, max_intervals=500)
    assert refused.value.code == code, situation
    assert refused.value.detail, situation


def test_an_endless_series_is_cut_quickly():
    data = _calendar(*_event(f"DTSTART:{D[0]:%Y%m%d}T000000Z", f"DTEND:{D[0]:%Y%m%d}T000001Z", "RRULE:FREQ=SECONDLY"))
    started = datetime.datetime.now()
    with pytest.raises(FeedError):
        _busy(data, BASE, max_intervals=20000, days=400)
    assert datetime.datetime.now() - started < datetime.timedelta(seconds=20)


def test_a_long_event_is_stored_in_pieces_of_at_most_a_day():
    start = datetime.datetime(2027, 1, 1, 12, tzinfo=UTC)
    cut = pieces([(start, start + datetime.timedelta(days=2, hours=3))])
    assert cut == [
        (start, start + datetime.timedelta(days=1)),
        (start + datetime.timedelta(days=1), start + datetime.timedelta(days=2)),
        (start + datetime.timedelta(days=2), start + datetime.timedelta(days=2, hours=3)),
    ]


def test_calendars_concatenated_in_one_answer_are_all_read():
    first = _calendar(*_event(f"DTSTART:{D[1]:%Y%m%d}T080000Z", f"DTEND:{D[1]:%Y%m%d}T090000Z"))
    second = _calendar(*_event(f"DTSTART:{D[2]:%Y%m%d}T080000Z", f"DTEND:{D[2]:%Y%m%d}T090000Z"))
    found = _busy(first + second, BASE)
    assert [start.date() for start, _end in found] == [D[1], D[2]]


@pytest.mark.parametrize(
    ("situation", "events", "merged"),
    [
        ("overlapping events are one busy time", [(8, 10), (9, 11)], [(8, 11)]),
        ("touching events are one busy time", [(8, 9), (9, 10)], [(8, 10)]),
        ("an event inside another", [(8, 12), (9, 10)], [(8, 12)]),
        ("apart they stay apart", [(8, 9), (10, 11)], [(8, 9), (10, 11)]),
        ("three chained", [(10, 11), (8, 9), (8, 10), (11, 12)], [(8, 12)]),
    ],
)
def test_busy_times_are_merged(situation, events, merged):
    lines = []
    for number, (start, end) in enumerate(events):
        day = f"{D[1]:%Y%m%d}"
        lines += ["BEGIN:VEVENT", f"UID:{number}@t", "DTSTAMP:20260101T000000Z",
                  f"DTSTART:{day}T{start:02d}0000Z", f"DTEND:{day}T{end:02d}0000Z", "END:VEVENT"]  # fmt: skip
    found = _busy(_calendar(*lines), BASE)
    expected = [(datetime.datetime.combine(D[1], datetime.time(s), tzinfo=UTC),
                 datetime.datetime.combine(D[1], datetime.time(e), tzinfo=UTC)) for s, e in merged]  # fmt: skip
    assert found == expected, situation


@pytest.mark.parametrize(
    ("situation", "start", "count", "refused"),
    [
        ("an hourly series within the limit", f"DTSTART:{D[0]:%Y%m%d}T000000Z", 100, False),
        ("an hourly series just at the limit", f"DTSTART:{D[0]:%Y%m%d}T000000Z", 200, False),
        ("an hourly series one past the limit", f"DTSTART:{D[0]:%Y%m%d}T000000Z", 201, True),
        ("a floating hourly series past the limit", f"DTSTART:{D[0]:%Y%m%d}T000000", 201, True),
        ("an all-day daily series past the limit", f"DTSTART;VALUE=DATE:{D[0]:%Y%m%d}", 201, True),
        ("a series in Oslo time past the limit", f"DTSTART;TZID=Europe/Oslo:{D[0]:%Y%m%d}T000000", 201, True),
    ],
)
def test_series_are_counted_against_the_limit_before_they_are_expanded(situation, start, count, refused):
    frequency = "DAILY" if "VALUE=DATE" in start else "HOURLY"
    data = _calendar(*_event(start, "DURATION:PT30M", f"RRULE:FREQ={frequency};COUNT={count}"))
    if refused:
        with pytest.raises(FeedError) as error:
            _busy(data, BASE, max_intervals=200, days=400)
        assert error.value.code == "too_many_events", situation
    else:
        assert len(_busy(data, BASE, max_intervals=200, days=400)) == count, situation


def test_series_before_the_period_do_not_count_against_the_limit():
    data = _calendar(
        *_event(f"DTSTART:{D[0] - datetime.timedelta(days=60):%Y%m%d}T000000Z", "DURATION:PT30M",
                "RRULE:FREQ=HOURLY;COUNT=500"),
        "BEGIN:VEVENT", "UID:y@t", "DTSTAMP:20260101T000000Z", f"DTSTART:{D[1]:%Y%m%d}T080000Z",
        f"DTEND:{D[1]:%Y%m%d}T090000Z", "END:VEVENT",
    )  # fmt: skip
    assert len(_busy(data, BASE, max_intervals=10)) == 1


@pytest.mark.parametrize("frequency", ["SECONDLY", "MINUTELY"])
def test_a_series_repeating_every_second_or_minute_is_refused_at_once(frequency):
    data = _calendar(*_event(f"DTSTART:{D[0]:%Y%m%d}T000000Z", "DURATION:PT1S", f"RRULE:FREQ={frequency};COUNT=5"))
    with pytest.raises(FeedError) as error:
        _busy(data, BASE, max_intervals=1000)
    assert error.value.code == "too_many_events" and frequency in error.value.detail


def test_the_reason_for_a_non_calendar_shows_how_the_answer_starts():
    with pytest.raises(FeedError) as error:
        _busy(b"\n<!DOCTYPE html>\n<html><body>Log in to Outlook</body></html>", BASE)
    assert error.value.detail == "the answer starts with '<!DOCTYPE html>'"


# What the facility's managers read when a feed is refused: the code and the reason, word for word.
@pytest.mark.parametrize(
    ("situation", "data", "code", "detail"),
    [
        ("a web page on one long line", b"<!DOCTYPE html><html><head><title>Log in</title></head><body></body></html>",
         "not_calendar", "the answer starts with '<!DOCTYPE html><html><head><title>Log in'"),  # 40 characters
        ("an empty answer", b"", "not_calendar", "the answer starts with ''"),
        ("only a byte-order mark and blank lines", b"\xef\xbb\xbf \r\n\r\n", "not_calendar",
         "the answer starts with ''"),
        ("an answer that is not UTF-8", b"\xff\xfeLog in", "not_calendar",
         "the answer starts with '\ufffd\ufffdLog in'"),
        ("a calendar cut off before its end", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "unreadable",
         "the calendar is incomplete (no END:VCALENDAR)"),
        ("too many events", _calendar(*_event(f"DTSTART:{D[1]:%Y%m%d}T080000Z", "DURATION:PT1H",
                                               "RRULE:FREQ=DAILY;COUNT=3")),
         "too_many_events", f"more than 2 busy times before {BASE + datetime.timedelta(days=53):%Y-%m-%d}"),
        ("a series every minute", _calendar(*_event(f"DTSTART:{D[1]:%Y%m%d}T080000Z", "DURATION:PT1M",
                                                     "RRULE:FREQ=MINUTELY;COUNT=3")),
         "too_many_events", "a series repeats MINUTELY"),
    ],
)  # fmt: skip
def test_the_reason_a_feed_is_refused_is_given_word_for_word(situation, data, code, detail):
    with pytest.raises(FeedError) as refused:
        _busy(data, BASE, max_intervals=2)
    assert (refused.value.code, refused.value.detail) == (code, detail), situation


def test_a_calendar_that_starts_in_lower_case_is_read():
    data = _calendar(*_event(f"DTSTART:{D[1]:%Y%m%d}T080000Z", f"DTEND:{D[1]:%Y%m%d}T090000Z"))
    assert len(_busy(data.replace(b"BEGIN:VCALENDAR", b"begin:vcalendar", 1), BASE)) == 1


def test_an_event_without_a_start_is_left_out_and_the_rest_is_read():
    data = _calendar(
        "BEGIN:VEVENT", "UID:no-start@t", "DTSTAMP:20260101T000000Z", f"DTEND:{D[1]:%Y%m%d}T090000Z", "END:VEVENT",
        *_event(f"DTSTART:{D[2]:%Y%m%d}T080000Z", f"DTEND:{D[2]:%Y%m%d}T090000Z"),
    )  # fmt: skip
    found = _busy(data, BASE)
    assert [start.date() for start, _end in found] == [D[2]]


def test_a_single_busy_period_of_a_freebusy_is_read():
    data = _calendar(
        "BEGIN:VFREEBUSY", "UID:fb@t", "DTSTAMP:20260101T000000Z",
        f"FREEBUSY:{D[1]:%Y%m%d}T080000Z/{D[1]:%Y%m%d}T100000Z", "END:VFREEBUSY",
    )  # fmt: skip
    assert _busy(data, BASE) == [(datetime.datetime.combine(D[1], datetime.time(8), tzinfo=UTC),
                                  datetime.datetime.combine(D[1], datetime.time(10), tzinfo=UTC))]  # fmt: skip


# Busy time that only touches the period asked for takes none of it, and does not count against the limit.
@pytest.mark.parametrize(
    ("situation", "lines"),
    [
        ("an event ending as the period starts", ["DTSTART:{first}T220000Z", "DTEND:{first}T230000Z"]),
        ("an event starting as the period ends", ["DTSTART:{last}T000000Z", "DTEND:{last}T010000Z"]),
        ("an event of no length", ["DTSTART:{middle}T080000Z", "DTEND:{middle}T080000Z"]),
    ],
)
def test_busy_time_touching_the_period_only_at_its_edge_is_not_counted(situation, lines):
    start = datetime.datetime.combine(D[1], datetime.time(), tzinfo=UTC)
    end = start + datetime.timedelta(days=2)
    names = {"first": f"{D[0]:%Y%m%d}", "middle": f"{D[1]:%Y%m%d}", "last": f"{D[3]:%Y%m%d}"}
    data = _calendar(
        *_event(f"DTSTART:{D[1]:%Y%m%d}T080000Z", f"DTEND:{D[1]:%Y%m%d}T090000Z"),
        "BEGIN:VEVENT", "UID:edge@t", "DTSTAMP:20260101T000000Z", *[line.format(**names) for line in lines],
        "END:VEVENT",
    )  # fmt: skip
    found = busy_intervals_from_ical(data, start=start, end=end, zone=OSLO, max_intervals=1)
    assert found == [(start + datetime.timedelta(hours=8), start + datetime.timedelta(hours=9))], situation


@pytest.mark.parametrize(
    ("situation", "first", "count"),
    [
        ("two instances inside, the first at the period's start", 1, None),
        ("one instance inside, the next at the period's end", 2, 1),
    ],
)
def test_a_series_is_counted_from_the_periods_start_up_to_its_end(situation, first, count):
    """Daily at midnight UTC over a period of two days from D[1], with room for one busy time."""
    start = datetime.datetime.combine(D[1], datetime.time(), tzinfo=UTC)
    data = _calendar(*_event(f"DTSTART:{D[first]:%Y%m%d}T000000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=2"))

    def read():
        return busy_intervals_from_ical(
            data, start=start, end=start + datetime.timedelta(days=2), zone=OSLO, max_intervals=1
        )

    if count is None:
        with pytest.raises(FeedError):
            read()
    else:
        assert len(read()) == count, situation


def test_busy_time_of_exactly_one_day_is_one_piece():
    start = datetime.datetime(2027, 1, 1, 12, tzinfo=UTC)
    assert pieces([(start, start + datetime.timedelta(days=1))]) == [(start, start + datetime.timedelta(days=1))]


# --- What the mutation run of calendars.ical showed was not pinned down (docs/testing.md) ---


def _utc(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=UTC)


def test_google_s_x_wr_timezone_keeps_a_weekly_series_at_its_local_time_across_the_clock_change():
    """Google exports a series in UTC and names the calendar's zone in X-WR-TIMEZONE: the Monday 09:00 (Oslo) series
    stays at 09:00 after the clock change, i.e. at 07:00 UTC instead of 08:00."""
    data = _calendar(
        "X-WR-TIMEZONE:Europe/Oslo",
        *_event(f"DTSTART:{D[0]:%Y%m%d}T080000Z", f"DTEND:{D[0]:%Y%m%d}T090000Z", "RRULE:FREQ=WEEKLY;COUNT=3"),
    )
    assert _busy(data, BASE) == [
        (_utc(D[0], 8), _utc(D[0], 9)), (_utc(D[7], 8), _utc(D[7], 9)), (_utc(D[14], 7), _utc(D[14], 8)),
    ]  # fmt: skip


def test_extra_dates_of_an_event_rdate_are_busy_too():
    data = _calendar(
        *_event(f"DTSTART:{D[0]:%Y%m%d}T080000Z", f"DTEND:{D[0]:%Y%m%d}T090000Z", f"RDATE:{D[2]:%Y%m%d}T080000Z")
    )
    assert _busy(data, BASE) == [(_utc(D[0], 8), _utc(D[0], 9)), (_utc(D[2], 8), _utc(D[2], 9))]


def test_an_event_with_two_rules_repeats_by_both():
    data = _calendar(
        *_event(f"DTSTART:{D[0]:%Y%m%d}T080000Z", f"DTEND:{D[0]:%Y%m%d}T090000Z", "RRULE:FREQ=DAILY;COUNT=2",
                "RRULE:FREQ=WEEKLY;COUNT=3"),
    )  # fmt: skip
    assert [start.date() for start, _end in _busy(data, BASE)] == [D[0], D[1], D[7], D[14]]


def test_a_series_in_a_time_zone_the_feed_defines_itself_is_read_in_that_zone_and_singles_are_read_once():
    """A local system may name its own zone (VTIMEZONE "Lab time", UTC+5). The series and the two single events fill
    the limit exactly: none is read twice."""
    data = _calendar(
        "BEGIN:VTIMEZONE", "TZID:Lab time", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0500",
        "TZOFFSETTO:+0500", "END:STANDARD", "END:VTIMEZONE",
        "BEGIN:VEVENT", "UID:series@t", "DTSTAMP:20260101T000000Z", f"DTSTART;TZID=Lab time:{D[0]:%Y%m%d}T080000",
        f"DTEND;TZID=Lab time:{D[0]:%Y%m%d}T090000", "RRULE:FREQ=DAILY;COUNT=1", "END:VEVENT",
        "BEGIN:VEVENT", "UID:one@t", "DTSTAMP:20260101T000000Z", f"DTSTART:{D[1]:%Y%m%d}T080000Z",
        f"DTEND:{D[1]:%Y%m%d}T090000Z", "END:VEVENT",
        "BEGIN:VEVENT", "UID:two@t", "DTSTAMP:20260101T000000Z", f"DTSTART:{D[2]:%Y%m%d}T080000Z",
        f"DTEND:{D[2]:%Y%m%d}T090000Z", "END:VEVENT",
    )  # fmt: skip
    assert _busy(data, BASE, max_intervals=3) == [
        (_utc(D[0], 3), _utc(D[0], 4)), (_utc(D[1], 8), _utc(D[1], 9)), (_utc(D[2], 8), _utc(D[2], 9)),
    ]  # fmt: skip


def test_a_series_without_a_uid_is_read_once():
    data = _calendar(
        "BEGIN:VEVENT", "DTSTAMP:20260101T000000Z", f"DTSTART:{D[0]:%Y%m%d}T080000Z", f"DTEND:{D[0]:%Y%m%d}T090000Z",
        "RRULE:FREQ=DAILY;COUNT=2", "END:VEVENT",
        "BEGIN:VEVENT", "DTSTAMP:20260101T000000Z", f"DTSTART:{D[3]:%Y%m%d}T080000Z", f"DTEND:{D[3]:%Y%m%d}T090000Z",
        "END:VEVENT",
    )  # fmt: skip
    assert _busy(data, BASE, max_intervals=3) == [
        (_utc(D[0], 8), _utc(D[0], 9)), (_utc(D[1], 8), _utc(D[1], 9)), (_utc(D[3], 8), _utc(D[3], 9)),
    ]  # fmt: skip


def test_single_events_past_the_limit_are_refused():
    lines = []
    for number in range(3):
        lines += ["BEGIN:VEVENT", f"UID:{number}@t", "DTSTAMP:20260101T000000Z",
                  f"DTSTART:{D[number]:%Y%m%d}T080000Z", f"DTEND:{D[number]:%Y%m%d}T090000Z", "END:VEVENT"]  # fmt: skip
    with pytest.raises(FeedError) as refused:
        _busy(_calendar(*lines), BASE, max_intervals=2)
    assert refused.value.code == "too_many_events"
    assert len(_busy(_calendar(*lines), BASE, max_intervals=3)) == 3


def _period_from_monday():
    start = _utc(D[0], 0)
    return start, start + datetime.timedelta(days=2)


# A series is counted before it is expanded, free or cancelled instances too (expanding is what costs the time the
# limit protects), from the period's start up to its end, in the series' own kind of time.
@pytest.mark.parametrize(
    ("situation", "lines", "inside"),
    [
        ("hourly in UTC from the period's first moment",
         [f"DTSTART:{D[0]:%Y%m%d}T000000Z", "RRULE:FREQ=HOURLY;COUNT=5"], 5),
        ("hourly in Oslo time", [f"DTSTART;TZID=Europe/Oslo:{D[0]:%Y%m%d}T080000", "RRULE:FREQ=HOURLY;COUNT=5"], 5),
        ("hourly in floating time", [f"DTSTART:{D[0]:%Y%m%d}T080000", "RRULE:FREQ=HOURLY;COUNT=5"], 5),
        ("daily in Oslo time until a moment in UTC",
         [f"DTSTART;TZID=Europe/Oslo:{D[0]:%Y%m%d}T080000", f"RRULE:FREQ=DAILY;UNTIL={D[1]:%Y%m%d}T235959Z"], 2),
        ("floating, hourly, up to the period's end in local time (01:00 in Oslo)",
         [f"DTSTART:{D[1]:%Y%m%d}T210000", "RRULE:FREQ=HOURLY;COUNT=10"], 4),
    ],
)  # fmt: skip
def test_a_free_series_is_counted_against_the_limit_before_it_is_expanded(situation, lines, inside):
    start, end = _period_from_monday()
    data = _calendar(*_event(*lines, "DURATION:PT30M", "TRANSP:TRANSPARENT"))

    def read(limit):
        return busy_intervals_from_ical(data, start=start, end=end, zone=OSLO, max_intervals=limit)

    with pytest.raises(FeedError) as refused:
        read(inside - 1)
    assert refused.value.code == "too_many_events", situation
    assert read(inside) == [], situation  # free time is not busy


def test_floating_times_are_read_in_the_platform_s_zone_whatever_the_server_s_own_zone():
    """The zone passed (the platform's, TIME_ZONE) counts, not the process's; and busy time comes back in UTC."""
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")  # UTC+9, no clock change
    start, end = _period_from_monday()
    data = _calendar(
        *_event(f"DTSTART:{D[0]:%Y%m%d}T100000", f"DTEND:{D[0]:%Y%m%d}T110000"),
        *_event(f"DTSTART;VALUE=DATE:{D[1]:%Y%m%d}"),
        "BEGIN:VFREEBUSY", "UID:fb@t", "DTSTAMP:20260101T000000Z",
        f"FREEBUSY:{D[0]:%Y%m%d}T120000/{D[0]:%Y%m%d}T130000", "END:VFREEBUSY",
    )  # fmt: skip
    found = busy_intervals_from_ical(data, start=start, end=end, zone=tokyo, max_intervals=10)
    assert found == [
        (_utc(D[0], 1), _utc(D[0], 2)), (_utc(D[0], 3), _utc(D[0], 4)), (_utc(D[0], 15), _utc(D[1], 15)),
    ]  # fmt: skip
    assert all(begins.utcoffset() == datetime.timedelta(0) for begins, _until in found)


def test_a_floating_series_is_counted_up_to_the_period_s_end_in_the_platform_s_zone():
    """The period ends at midnight UTC, 09:00 in Tokyo: a floating hourly series from 04:00 has five instances
    before it there (and none before midnight in the process's own zone)."""
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    start, end = _period_from_monday()
    data = _calendar(*_event(f"DTSTART:{D[2]:%Y%m%d}T040000", "DURATION:PT30M", "TRANSP:TRANSPARENT",
                             "RRULE:FREQ=HOURLY;COUNT=20"))  # fmt: skip
    with pytest.raises(FeedError):
        busy_intervals_from_ical(data, start=start, end=end, zone=tokyo, max_intervals=4)
    assert busy_intervals_from_ical(data, start=start, end=end, zone=tokyo, max_intervals=5) == []


def test_several_periods_on_one_freebusy_line_are_all_busy():
    data = _calendar(
        "BEGIN:VFREEBUSY", "UID:fb@t", "DTSTAMP:20260101T000000Z",
        f"FREEBUSY:{D[1]:%Y%m%d}T080000Z/{D[1]:%Y%m%d}T090000Z,{D[1]:%Y%m%d}T100000Z/PT1H", "END:VFREEBUSY",
    )  # fmt: skip
    assert _busy(data, BASE) == [(_utc(D[1], 8), _utc(D[1], 9)), (_utc(D[1], 10), _utc(D[1], 11))]


# Free/busy periods outside the period asked, or only touching it, take none of it and do not count against the
# limit.
@pytest.mark.parametrize(
    ("situation", "period"),
    [
        ("a period before", "{first}T200000Z/{first}T210000Z"),
        ("a period ending as the period starts", "{first}T230000Z/{middle}T000000Z"),
        ("a period starting as the period ends", "{last}T000000Z/{last}T010000Z"),
        ("a period after", "{last}T020000Z/{last}T030000Z"),
    ],
)
def test_free_busy_outside_the_period_is_not_counted(situation, period):
    start = _utc(D[1], 0)
    end = start + datetime.timedelta(days=2)
    names = {"first": f"{D[0]:%Y%m%d}", "middle": f"{D[1]:%Y%m%d}", "last": f"{D[3]:%Y%m%d}"}
    data = _calendar(
        *_event(f"DTSTART:{D[1]:%Y%m%d}T080000Z", f"DTEND:{D[1]:%Y%m%d}T090000Z"),
        "BEGIN:VFREEBUSY", "UID:fb@t", "DTSTAMP:20260101T000000Z", f"FREEBUSY:{period.format(**names)}",
        "END:VFREEBUSY",
    )  # fmt: skip
    found = busy_intervals_from_ical(data, start=start, end=end, zone=OSLO, max_intervals=1)
    assert found == [(_utc(D[1], 8), _utc(D[1], 9))], situation


def test_a_free_busy_period_of_no_length_is_no_busy_time():
    data = _calendar(
        "BEGIN:VFREEBUSY", "UID:fb@t", "DTSTAMP:20260101T000000Z",
        f"FREEBUSY:{D[1]:%Y%m%d}T120000Z/{D[1]:%Y%m%d}T120000Z,{D[1]:%Y%m%d}T080000Z/PT1H", "END:VFREEBUSY",
    )  # fmt: skip
    assert _busy(data, BASE) == [(_utc(D[1], 8), _utc(D[1], 9))]


def test_an_event_ending_exactly_as_the_period_starts_is_not_counted():
    start = _utc(D[1], 0)
    data = _calendar(
        *_event(f"DTSTART:{D[0]:%Y%m%d}T230000Z", f"DTEND:{D[1]:%Y%m%d}T000000Z"),
        "BEGIN:VEVENT", "UID:y@t", "DTSTAMP:20260101T000000Z", f"DTSTART:{D[1]:%Y%m%d}T080000Z",
        f"DTEND:{D[1]:%Y%m%d}T090000Z", "END:VEVENT",
    )  # fmt: skip
    found = busy_intervals_from_ical(data, start=start, end=start + datetime.timedelta(days=2), zone=OSLO,
                                     max_intervals=1)  # fmt: skip
    assert found == [(_utc(D[1], 8), _utc(D[1], 9))]


@pytest.mark.parametrize(
    ("situation", "events", "merged"),
    [
        ("the third overlaps the second, not the first", [(8, 9), (10, 11), (10, 12)], [(8, 9), (10, 12)]),
        ("the third lies inside the second", [(8, 9), (10, 13), (11, 12)], [(8, 9), (10, 13)]),
    ],
)
def test_busy_times_are_merged_with_the_one_before_them(situation, events, merged):
    lines = []
    for number, (start, end) in enumerate(events):
        day = f"{D[1]:%Y%m%d}"
        lines += ["BEGIN:VEVENT", f"UID:{number}@t", "DTSTAMP:20260101T000000Z",
                  f"DTSTART:{day}T{start:02d}0000Z", f"DTEND:{day}T{end:02d}0000Z", "END:VEVENT"]  # fmt: skip
    assert _busy(_calendar(*lines), BASE) == [(_utc(D[1], s), _utc(D[1], e)) for s, e in merged], situation


@pytest.mark.parametrize(
    ("situation", "data", "detail"),
    [
        ("a line that is no property", b"BEGIN:VCALENDAR\r\n:::\r\nEND:VCALENDAR\r\n",
         "ValueError: Content line could not be parsed into parts: ':::': :::"),
        ("a start that is no date", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x@t\r\nDTSTART:notadate\r\n"
         b"END:VEVENT\r\nEND:VCALENDAR\r\n", "Wrong date format notadate"),
    ],
)  # fmt: skip
def test_a_calendar_the_parser_cannot_read_is_refused_with_the_parser_s_reason(situation, data, detail):
    with pytest.raises(FeedError) as refused:
        _busy(data, BASE)
    assert refused.value.code == "unreadable", situation
    assert detail in refused.value.detail, situation


def test_the_reason_shown_is_cut_at_500_characters():
    line = "x" * 600
    with pytest.raises(FeedError) as refused:
        _busy(f"BEGIN:VCALENDAR\r\n{line}\r\nEND:VCALENDAR\r\n".encode(), BASE)
    assert len(refused.value.detail) == 500
    assert refused.value.detail.startswith("ValueError: Content line could not be parsed into parts: 'xxx")
