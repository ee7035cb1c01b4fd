"""The booking page's week calendar as a grid of the resource's slots (a read: a selector for the book page).

Rows are the resource's booking grid (`slot_minutes`, at least 15 minutes a row), columns the seven days; a cell
is free, busy or closed in Norwegian time. Each free cell carries the period that clicking it picks, so the
calendar works as plain links without JavaScript and keeps the week:

- with nothing chosen (or a cell before or apart from the choice), the cell starts a new choice of the
  minimum length, when that much is free from there;
- with a choice on the same day, a later cell that is free all the way from the chosen start extends the choice
  to its end (and a cell inside the choice shortens it there), within the minimum and maximum length.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.utils import timezone

from booking import selectors
from booking.models import BookingPolicy
from catalogue.models import Resource

DEFAULT_DAY = (datetime.time(8), datetime.time(16))


@dataclass
class Cell:
    start: datetime.datetime
    end: datetime.datetime
    state: str  # "free", "busy" or "closed"
    chosen: bool = False
    pick: tuple[datetime.datetime, datetime.datetime] | None = None  # what a click chooses
    extends: bool = False  # the pick extends or shortens the current choice


@dataclass
class Row:
    time: datetime.time
    cells: list[Cell] = field(default_factory=list)


@dataclass
class WeekGrid:
    days: list[datetime.date]
    rows: list[Row]
    row_minutes: int
    default_minutes: int
    choice: tuple[datetime.datetime, datetime.datetime] | None
    choice_valid: bool
    today: datetime.date


def row_minutes(policy: BookingPolicy) -> int:
    """One row per grid step, but not finer than 15 minutes (a 5-minute grid shows three steps a row)."""
    return policy.slot_minutes * max(1, math.ceil(15 / policy.slot_minutes))


def default_minutes(policy: BookingPolicy) -> int:
    """The length a first click picks: the minimum length, rounded up to the grid."""
    step = policy.slot_minutes
    return max(step, math.ceil(policy.min_length_minutes / step) * step)


def _inside(free: list[tuple], start, end) -> bool:
    return any(s <= start and end <= e for s, e in free)


def _overlaps(intervals: list[tuple], start, end) -> bool:
    return any(s < end and start < e for s, e in intervals)


def _minute_of_day(moment: datetime.datetime, zone) -> int:
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute


def week_grid(
    *,
    resource: Resource,
    policy: BookingPolicy,
    user,
    week_start: datetime.date,
    choice: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> WeekGrid:
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(week_start, datetime.time(), tzinfo=zone)
    end = start + datetime.timedelta(days=7)
    availability = selectors.availability_of([resource], start=start, end=end, user=user)[resource.pk]
    earliest = selectors.earliest_bookable(policy)
    free = [(max(s, earliest), e) for s, e in availability["free"] if e > earliest]
    busy = list(availability["busy"])
    step = row_minutes(policy)
    default = default_minutes(policy)
    minimum = datetime.timedelta(minutes=policy.min_length_minutes)
    maximum = datetime.timedelta(minutes=policy.max_length_minutes)

    # The rows cover the earliest opening to the latest closing of the week (free or busy), on the grid. Opening
    # hours close before midnight (booking.models.OpeningHours), so every interval lies within one local day.
    intervals = [*availability["free"], *busy]
    if intervals:
        first = min(_minute_of_day(max(s, start), zone) for s, _e in intervals)
        last = max(_minute_of_day(min(e, end), zone) for _s, e in intervals)
    else:
        first, last = (t.hour * 60 for t in DEFAULT_DAY)
    first = (first // step) * step
    last = math.ceil(last / step) * step  # intervals have length, so last > first

    choice_valid = bool(choice and minimum <= choice[1] - choice[0] <= maximum and _inside(free, choice[0], choice[1]))
    days = [week_start + datetime.timedelta(days=offset) for offset in range(7)]
    rows = []
    for minute in range(first, last, step):
        row = Row(time=datetime.time(minute // 60, minute % 60))
        for day in days:
            # Wall-clock times; on the autumn night the repeated hour shows once, the spring gap as closed.
            cell_start = datetime.datetime.combine(day, row.time, tzinfo=zone)
            cell_end = cell_start + datetime.timedelta(minutes=step)
            if _inside(free, cell_start, cell_end):
                state = "free"
            elif _overlaps(busy, cell_start, cell_end):
                state = "busy"
            else:
                state = "closed"
            cell = Cell(start=cell_start, end=cell_end, state=state)
            if choice:
                cell.chosen = choice[0] <= cell_start and cell_end <= choice[1]
            if state == "free":
                same_day = choice and choice[0].astimezone(zone).date() == day
                if same_day and cell_start >= choice[0]:
                    length = cell_end - choice[0]
                    if minimum <= length <= maximum and _inside(free, choice[0], cell_end):
                        cell.pick, cell.extends = (choice[0], cell_end), True
                if cell.pick is None:
                    pick_end = cell_start + datetime.timedelta(minutes=default)
                    if _inside(free, cell_start, pick_end):
                        cell.pick = (cell_start, pick_end)
            row.cells.append(cell)
        rows.append(row)
    return WeekGrid(
        days=days, rows=rows, row_minutes=step, default_minutes=default, choice=choice,
        choice_valid=choice_valid, today=timezone.localdate(),
    )  # fmt: skip


def parse_choice(raw_start: str | None, raw_end: str | None) -> tuple[datetime.datetime, datetime.datetime] | None:
    """The period in the page's address (`start`/`end` as local 'YYYY-MM-DDTHH:MM'), or None."""
    if not raw_start or not raw_end:
        return None
    zone = timezone.get_default_timezone()
    try:
        start = datetime.datetime.fromisoformat(raw_start[:16]).replace(tzinfo=zone)
        end = datetime.datetime.fromisoformat(raw_end[:16]).replace(tzinfo=zone)
    except ValueError:
        return None
    return (start, end) if end > start else None
