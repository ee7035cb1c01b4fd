"""Reads for external calendars. Busy time carries no text of the event; the source's name only goes to those who
manage the resource."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from calendars.choices import FeedErrorCode
from calendars.models import MAX_PIECE, ExternalBusyInterval, ExternalCalendar
from catalogue.models import Resource

Interval = tuple[datetime.datetime, datetime.datetime]

# The table the booking path's hand-written SQL reads (booking.fastpath, the free-capacity search), and the longest
# piece stored in it: a piece that starts before `a - MAX_PIECE` cannot reach into [a, b).
BUSY_TABLE = ExternalBusyInterval._meta.db_table
BUSY_MAX_PIECE = MAX_PIECE


def _overlapping(resource_ids, start: datetime.datetime, end: datetime.datetime):
    return ExternalBusyInterval.objects.filter(
        resource_id__in=resource_ids, start__gte=start - MAX_PIECE, start__lt=end, end__gt=start
    )


def external_busy_of(resource_ids, start: datetime.datetime, end: datetime.datetime) -> dict[int, list[Interval]]:
    """The external busy time of each resource that overlaps [start, end), by resource id (one query; resources
    without any are left out). Pieces of different feeds may overlap: callers merge."""
    found: dict[int, list[Interval]] = {}
    for resource_id, busy_start, busy_end in _overlapping(resource_ids, start, end).values_list(
        "resource_id", "start", "end"
    ):
        found.setdefault(resource_id, []).append((busy_start, busy_end))
    return found


@dataclass(frozen=True)
class SourcedBusy:
    """External busy time as a manager sees it: when, and which feed says so."""

    start: datetime.datetime
    end: datetime.datetime
    source: str


def external_busy_with_sources(
    resource_ids, start: datetime.datetime, end: datetime.datetime
) -> dict[int, list[SourcedBusy]]:
    """external_busy_of with the name of the feed each piece came from, adjacent pieces of one feed joined
    (one query). For the resource's managers only."""
    found: dict[int, list[SourcedBusy]] = {}
    rows = (
        _overlapping(resource_ids, start, end)
        .order_by("resource_id", "calendar_id", "start")
        .values_list("resource_id", "calendar__name", "start", "end")
    )
    for resource_id, source, busy_start, busy_end in rows:
        pieces = found.setdefault(resource_id, [])
        if pieces and pieces[-1].source == source and pieces[-1].end == busy_start:
            pieces[-1] = SourcedBusy(pieces[-1].start, busy_end, source)
        else:
            pieces.append(SourcedBusy(busy_start, busy_end, source))
    return {rid: sorted(pieces, key=lambda p: (p.start, p.source)) for rid, pieces in found.items()}


@dataclass(frozen=True)
class FeedStatus:
    """What anyone may know of a resource's external calendars: that its busy time comes partly from the local
    system, and when that was last read (the oldest of its feeds' last successful reads); `stale` when that is
    longer ago than EXTERNAL_CALENDARS_STALE_HOURS, `never_read` while a feed waits for its first read, `failing`
    when a feed's last read failed."""

    count: int
    last_updated: datetime.datetime | None
    stale: bool
    never_read: bool
    failing: bool


def feed_status_of(resource_ids, *, now: datetime.datetime | None = None) -> dict[int, FeedStatus]:
    """FeedStatus of each resource that has external calendars, by resource id (one query)."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(hours=settings.EXTERNAL_CALENDARS_STALE_HOURS)
    rows = (
        ExternalCalendar.objects.filter(resource_id__in=resource_ids)
        .values("resource_id")
        .annotate(
            count=Count("id"),
            never=Count("id", filter=Q(last_success_at__isnull=True)),
            oldest=Min("last_success_at"),
            failing=Count("id", filter=~Q(error_code="")),
        )
    )
    return {
        row["resource_id"]: FeedStatus(
            count=row["count"],
            last_updated=row["oldest"],
            stale=row["oldest"] is not None and row["oldest"] < stale_before,
            never_read=bool(row["never"]),
            failing=bool(row["failing"]),
        )
        for row in rows
    }


def external_calendars_of(resource: Resource) -> list[ExternalCalendar]:
    """The resource's feeds with their state, for its managers' page and the API (one query)."""
    return list(ExternalCalendar.objects.filter(resource=resource).order_by("name", "pk"))


def external_calendar_of(resource: Resource, calendar_id) -> ExternalCalendar | None:
    """One of the resource's feeds, or None (a feed of another resource is not found through this one)."""
    if not str(calendar_id).isdecimal():
        return None
    return ExternalCalendar.objects.filter(resource=resource, pk=int(calendar_id)).select_related("resource").first()


def is_stale(calendar: ExternalCalendar, *, now: datetime.datetime | None = None) -> bool:
    """Whether the feed has not been read successfully for EXTERNAL_CALENDARS_STALE_HOURS."""
    now = now or timezone.now()
    fresh_at = calendar.last_success_at or calendar.created_at
    return fresh_at < now - datetime.timedelta(hours=settings.EXTERNAL_CALENDARS_STALE_HOURS)


def feed_error_message(code: str) -> str:
    """The manager's words for a FeedErrorCode."""
    return str(FeedErrorCode(code).label) if code in FeedErrorCode.values else code
