"""The booking page's week calendar: what each cell shows and what clicking it picks (booking/grid.py)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from booking.grid import parse_choice, week_grid
from tests.booking.factories import BookingFactory, BookingPolicyFactory, ClosureFactory
from tests.factories import AcademicUserFactory
from tests.helpers import OSLO
from tests.pricing.factories import hourly_price_list

pytestmark = pytest.mark.django_db

# Two weeks ahead, so that the minimum notice never reaches into the week.
MONDAY = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday()) + datetime.timedelta(days=14)
TUESDAY, WEDNESDAY, THURSDAY, SATURDAY, NEXT_MONDAY = (MONDAY + datetime.timedelta(days=n) for n in (1, 2, 3, 5, 7))


def at(day: datetime.date, clock: str) -> datetime.datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=OSLO)


@pytest.fixture
def policy(db):
    """30-minute grid, 1–2 hours a booking, open weekdays 07–19, closed at weekends."""
    weekdays = {day: [(datetime.time(7), datetime.time(19))] for day in range(5)}
    return BookingPolicyFactory(slot_minutes=30, min_length_minutes=60, max_length_minutes=120, opening=weekdays)


@pytest.fixture
def grid_for(policy, company_user):
    BookingFactory(resource=policy.resource, start=at(WEDNESDAY, "10:00"), end=at(WEDNESDAY, "11:00"))

    def build(choice=None):
        grid = week_grid(resource=policy.resource, policy=policy, user=company_user, week_start=MONDAY, choice=choice)
        cells = {(cell.start.date(), cell.start.strftime("%H:%M")): cell for row in grid.rows for cell in row.cells}
        return cells, grid

    return build


TUESDAY_8_TO_9 = (at(TUESDAY, "08:00"), at(TUESDAY, "09:00"))


@pytest.mark.parametrize(
    ("choice", "day", "clock", "state", "pick", "extends"),
    [
        # Nothing chosen: a click picks the minimum length (one hour) from there, where that much is free.
        (None, TUESDAY, "08:00", "free", ("08:00", "09:00"), False),
        (None, WEDNESDAY, "09:30", "free", None, False),  # only 30 minutes before the booking at 10:00
        (None, WEDNESDAY, "10:00", "busy", None, False),
        (None, WEDNESDAY, "11:00", "free", ("11:00", "12:00"), False),
        (None, SATURDAY, "10:00", "closed", None, False),
        (None, TUESDAY, "18:30", "free", None, False),  # closes at 19:00: too short
        # A choice on the same day: a later free time extends it, within the maximum length.
        (TUESDAY_8_TO_9, TUESDAY, "09:30", "free", ("08:00", "10:00"), True),
        (TUESDAY_8_TO_9, TUESDAY, "10:00", "free", ("10:00", "11:00"), False),  # 2.5 hours: starts anew
        (TUESDAY_8_TO_9, TUESDAY, "08:00", "free", ("08:00", "09:00"), False),  # 30 minutes is below the minimum
        (TUESDAY_8_TO_9, TUESDAY, "08:30", "free", ("08:00", "09:00"), True),  # shortens to its end
        (TUESDAY_8_TO_9, THURSDAY, "09:00", "free", ("09:00", "10:00"), False),  # another day starts anew
        ((at(WEDNESDAY, "08:30"), at(WEDNESDAY, "09:30")), WEDNESDAY, "11:00", "free", ("11:00", "12:00"), False),
    ],
)
def test_what_a_cell_shows_and_picks(grid_for, choice, day, clock, state, pick, extends):
    cells, _grid = grid_for(choice)
    cell = cells[(day, clock)]
    assert cell.state == state
    if pick is None:
        assert cell.pick is None
    else:
        assert cell.pick == (at(day, pick[0]), at(day, pick[1]))
        assert cell.extends is extends


def test_rows_follow_the_grid_from_opening_to_closing(grid_for):
    _cells, grid = grid_for()
    assert [row.time.strftime("%H:%M") for row in grid.rows][:3] == ["07:00", "07:30", "08:00"]
    assert grid.rows[-1].time == datetime.time(18, 30)
    assert grid.days[0] == MONDAY and len(grid.days) == 7


@pytest.mark.parametrize(
    ("choice", "valid"),
    [
        (TUESDAY_8_TO_9, True),
        ((at(TUESDAY, "08:00"), at(TUESDAY, "10:00")), True),  # exactly the maximum length
        ((at(WEDNESDAY, "10:30"), at(WEDNESDAY, "11:30")), False),  # starts inside another booking
        ((at(TUESDAY, "08:00"), at(TUESDAY, "08:30")), False),  # below the minimum length
        ((at(TUESDAY, "08:00"), at(TUESDAY, "10:30")), False),  # above the maximum length
        ((at(WEDNESDAY, "09:30"), at(WEDNESDAY, "10:30")), False),  # over another booking
        ((at(SATURDAY, "10:00"), at(SATURDAY, "11:00")), False),  # closed
        # Free, but on the next week's Monday: it is offered in the week that shows it, not in this one.
        ((at(NEXT_MONDAY, "08:00"), at(NEXT_MONDAY, "09:00")), False),
    ],
)
def test_only_a_bookable_choice_is_offered_for_booking(grid_for, choice, valid):
    _cells, grid = grid_for(choice)
    assert grid.choice_valid is valid


def test_the_chosen_cells_are_marked(grid_for):
    cells, _grid = grid_for(TUESDAY_8_TO_9)
    assert [clock for (day, clock), cell in sorted(cells.items()) if cell.chosen] == ["08:00", "08:30"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-12-15T09:00", "2026-12-15T10:00", True),
        ("2026-12-15T10:00", "2026-12-15T09:00", False),
        ("not a time", "2026-12-15T09:00", False),
        ("", "", False),
    ],
)
def test_parse_choice(start, end, expected):
    assert (parse_choice(start, end) is not None) is expected


def test_the_book_page_shows_the_total_and_keeps_the_week(policy, company_user):
    hourly_price_list(
        policy.resource, valid_from=MONDAY - datetime.timedelta(days=30), valid_to=None,
        internal="400", non_economic="800", economic="1000",
    )  # fmt: skip
    policy.requires_approval = True
    policy.save()
    client = Client()
    client.force_login(company_user)
    start, end = TUESDAY_8_TO_9
    url = f"/resources/{policy.resource.pk}/book/?start={start:%Y-%m-%dT%H:%M}&end={end:%Y-%m-%dT%H:%M}"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Request booking" in page and "Needs approval" in page
    assert f"?week={MONDAY.isoformat()}&amp;start=" in page  # each slot link keeps the week
    assert 'aria-current="true"' in page  # the chosen time is marked
    # Before booking: quantity × unit price, VAT and the total for this person (a company: economic, with VAT).
    assert "1 × hour at NOK\u00a01,000.00" in page
    assert 'id="summary-total">NOK\u00a01,250.00<' in page


@pytest.mark.parametrize(("slot", "row"), [(5, 15), (7, 21), (10, 20), (15, 15), (30, 30), (60, 60)])
def test_a_row_is_the_grid_but_never_finer_than_15_minutes(slot, row):
    from booking.grid import row_minutes

    assert row_minutes(BookingPolicyFactory.build(slot_minutes=slot)) == row


def test_a_week_without_opening_hours_shows_a_closed_working_day(company_user):
    policy = BookingPolicyFactory(opening={0: []})  # closed every day
    grid = week_grid(resource=policy.resource, policy=policy, user=company_user, week_start=MONDAY)
    assert [grid.rows[0].time, grid.rows[-1].time] == [datetime.time(8), datetime.time(15, 30)]
    assert {cell.state for row in grid.rows for cell in row.cells} == {"closed"}


def test_rows_start_and_end_on_the_grid_around_odd_opening_hours(company_user):
    policy = BookingPolicyFactory(slot_minutes=30, opening={0: [(datetime.time(7, 30), datetime.time(18, 15))]})
    grid = week_grid(resource=policy.resource, policy=policy, user=company_user, week_start=MONDAY)
    assert [grid.rows[0].time, grid.rows[-1].time] == [datetime.time(7, 30), datetime.time(18)]


T = datetime.time


# Opening hours (Monday, and Tuesday when given) and the grid → the first and last row the calendar shows.
@pytest.mark.parametrize(
    ("slot", "monday", "tuesday", "rows"),
    [
        (30, (T(0), T(8)), (T(8), T(16)), (T(0), T(15, 30))),  # opening at midnight does not stretch the day
        (30, (T(0), T(8)), None, (T(0), T(7, 30))),
        (30, (T(20), T(23, 59)), None, (T(20), T(23, 30))),  # open to the last minute of the day
        (60, (T(22), T(23, 59)), None, (T(22), T(23))),
        (60, (T(22, 30), T(23, 30)), None, (T(22), T(23))),
        (15, (T(23), T(23, 59)), None, (T(23), T(23, 45))),
        (5, (T(9, 10), T(9, 40)), None, (T(9), T(9, 30))),  # 5-minute steps, 15-minute rows
    ],
)
def test_the_rows_run_from_the_first_opening_to_the_last_closing_on_the_grid(company_user, slot, monday, tuesday,
                                                                             rows):  # fmt: skip
    opening = {0: [monday], **({1: [tuesday]} if tuesday else {})}
    policy = BookingPolicyFactory(slot_minutes=slot, min_length_minutes=slot, opening=opening)
    grid = week_grid(resource=policy.resource, policy=policy, user=company_user, week_start=MONDAY)
    assert (grid.rows[0].time, grid.rows[-1].time) == rows
    last = [cell for cell in grid.rows[-1].cells if cell.start.date() == MONDAY][0]
    assert last.end <= at(MONDAY, "00:00") + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("clock", "state"),
    [
        ("07:30", "closed"),  # before Wednesday opens, right before the booking that opens the day
        ("08:00", "busy"),
        ("18:30", "busy"),
        ("19:00", "closed"),  # after Wednesday closes, right after the booking that closes the day
    ],
)
def test_a_cell_touching_a_booking_only_at_its_edge_is_not_shown_booked(company_user, clock, state):
    policy = BookingPolicyFactory(
        slot_minutes=30, opening={0: [(T(7), T(20))], 2: [(T(8), T(19))]}
    )  # fmt: skip
    for start, end in (("08:00", "09:00"), ("18:00", "19:00")):
        BookingFactory(resource=policy.resource, start=at(WEDNESDAY, start), end=at(WEDNESDAY, end))
    grid = week_grid(resource=policy.resource, policy=policy, user=company_user, week_start=MONDAY)
    cells = {cell.start: cell for row in grid.rows for cell in row.cells}
    assert cells[at(WEDNESDAY, clock)].state == state


def test_a_preparedness_reserve_is_free_to_the_owning_institutions_own_academic_only(policy, company_user):
    """The reserve is shown booked to a company and free to a verified academic of the resource's institution."""
    ClosureFactory(resource=policy.resource, kind="preparedness", start=at(TUESDAY, "10:00"), end=at(TUESDAY, "12:00"))
    academic = AcademicUserFactory(institution=policy.resource.facility.institution)
    states = {}
    for name, person in (("company", company_user), ("academic", academic)):
        grid = week_grid(resource=policy.resource, policy=policy, user=person, week_start=MONDAY)
        states[name] = {cell.state for row in grid.rows for cell in row.cells if cell.start == at(TUESDAY, "10:30")}
    assert states == {"company": {"busy"}, "academic": {"free"}}


def test_the_grid_reports_its_row_length_choice_and_today(grid_for):
    _cells, grid = grid_for(TUESDAY_8_TO_9)
    assert (grid.row_minutes, grid.default_minutes, grid.choice, grid.today) == (
        30, 60, TUESDAY_8_TO_9, timezone.localdate(),
    )  # fmt: skip
    assert all(cell.end - cell.start == datetime.timedelta(minutes=30) for row in grid.rows for cell in row.cells)


def test_sunday_is_part_of_the_week(company_user):
    policy = BookingPolicyFactory()  # open every day
    grid = week_grid(resource=policy.resource, policy=policy, user=company_user, week_start=MONDAY)
    sunday = grid.rows[4].cells[6]
    assert sunday.state == "free" and sunday.start.date() == MONDAY + datetime.timedelta(days=6)


@pytest.mark.parametrize(
    ("choice", "clock", "pick", "extends"),
    [
        # A choice over someone else's booking is never extended: a click after it starts anew.
        ((at(WEDNESDAY, "10:00"), at(WEDNESDAY, "11:00")), "11:00", ("11:00", "12:00"), False),
    ],
)
def test_a_choice_over_busy_time_is_not_extended(grid_for, choice, clock, pick, extends):
    cells, _grid = grid_for(choice)
    cell = cells[(WEDNESDAY, clock)]
    assert cell.pick == (at(WEDNESDAY, pick[0]), at(WEDNESDAY, pick[1])) and cell.extends is extends


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-12-15T09:00:59", "2026-12-15T10:00:30", ("09:00", "10:00")),  # seconds are dropped
        ("2026-12-15T09:00", "2026-12-15T09:00", None),  # empty
        ("2026-12-15T09:00", "", None),
        # The page's address without a choice: no start or end at all.
        (None, None, None),
        ("2026-12-15T09:00", None, None),
        (None, "2026-12-15T10:00", None),
    ],
)
def test_parse_choice_reads_minutes_only(start, end, expected):
    parsed = parse_choice(start, end)
    if expected is None:
        assert parsed is None
    else:
        assert (parsed[0].strftime("%H:%M:%S"), parsed[1].strftime("%H:%M:%S")) == (
            expected[0] + ":00", expected[1] + ":00",
        )  # fmt: skip
        assert parsed[0].tzinfo is not None


def test_on_a_5_minute_grid_a_short_choice_is_extended_to_the_end_of_its_own_row(company_user):
    """Rows of 15 minutes on a 5-minute grid: the first click picks the 10-minute minimum, which does not fill its
    row, so a click on that same row extends the choice to the row's end (08:00–08:15); later rows extend further."""
    policy = BookingPolicyFactory(
        slot_minutes=5, min_length_minutes=10, max_length_minutes=60, opening={0: [(T(8), T(12))]}
    )  # fmt: skip

    def cell(choice, clock):
        grid = week_grid(resource=policy.resource, policy=policy, user=company_user, week_start=MONDAY, choice=choice)
        return next(c for row in grid.rows for c in row.cells if c.start == at(MONDAY, clock))

    first = cell(None, "08:00")
    assert first.pick == (at(MONDAY, "08:00"), at(MONDAY, "08:10"))
    again = cell(first.pick, "08:00")
    assert (again.chosen, again.pick, again.extends) == (False, (at(MONDAY, "08:00"), at(MONDAY, "08:15")), True)
    assert cell(first.pick, "08:15").pick == (at(MONDAY, "08:00"), at(MONDAY, "08:30"))
