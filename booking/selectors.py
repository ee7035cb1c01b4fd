"""Reads for booking: calendars, free capacity, booking lists. Busy times never carry personal data."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import verified_institution_id
from booking import fastpath
from booking.choices import ACTIVE_STATUSES, BookingStatus, ClosureKind, ServiceOrderStatus
from booking.models import Booking, BookingPolicy, Closure, OpeningHours, Qualification, ServiceOrder
from calendars import selectors as calendar_selectors
from catalogue import roles
from catalogue.choices import PublicationStatus
from catalogue.models import Facility, Resource
from core.working_days import add_working_days
from pricing.charges import cancellation_charge

Interval = tuple[datetime.datetime, datetime.datetime]
UTC = datetime.UTC


@dataclass(frozen=True)
class FreeWindow:
    """A free window of a resource. `local_url` is where it is booked when the resource is booked in the facility's
    local system (empty when Labtorget takes the booking)."""

    resource: Resource
    start: datetime.datetime
    end: datetime.datetime
    local_url: str = ""


def free_window(resource: Resource, start: datetime.datetime, end: datetime.datetime) -> FreeWindow:
    policy = resource.booking_policy
    local_url = local_booking_link(policy, start, end) if policy.booked_in_local_system else ""
    return FreeWindow(resource, start, end, local_url)


# --- calendar arithmetic --------------------------------------------------------------------------------------


def week_start(raw: str | None) -> datetime.date:
    """The Monday of the week that `raw` (an ISO date, as in a page's `?week=`) falls in; this week's Monday when
    `raw` is missing or not a date."""
    try:
        day = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def merge_intervals(intervals: list[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of half-open intervals; touching intervals are joined."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_intervals(base: list[Interval], taken: list[Interval]) -> list[Interval]:
    """The parts of `base` not covered by `taken` (both merged, sorted)."""
    free: list[Interval] = []
    taken = merge_intervals(taken)
    for start, end in base:
        cursor = start
        for busy_start, busy_end in taken:
            if busy_end <= cursor or busy_start >= end:
                continue
            if busy_start > cursor:
                free.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
            if cursor >= end:
                break
        if cursor < end:
            free.append((cursor, end))
    return free


def opening_intervals(
    policy: BookingPolicy, start: datetime.datetime, end: datetime.datetime, opening_hours=None
) -> list[Interval]:
    """The resource's opening hours between `start` and `end`, as UTC intervals.

    Opening hours are local wall-clock times, so they are combined with each local date in the policy's time zone:
    08:00 stays 08:00 in Oslo on both sides of the clock changes.
    """
    zone = policy.zone
    if opening_hours is None:
        opening_hours = opening_hours_of(policy)
    by_weekday: dict[int, list] = {}
    for hours in opening_hours:
        by_weekday.setdefault(hours.weekday, []).append(hours)
    intervals: list[Interval] = []
    day = start.astimezone(zone).date() - datetime.timedelta(days=1)
    last_day = end.astimezone(zone).date()
    while day <= last_day:
        for hours in by_weekday.get(day.weekday(), ()):
            opens = datetime.datetime.combine(day, hours.opens, tzinfo=zone).astimezone(UTC)
            closes = datetime.datetime.combine(day, hours.closes, tzinfo=zone).astimezone(UTC)
            opens, closes = max(opens, start), min(closes, end)
            if closes > opens:
                intervals.append((opens, closes))
        day += datetime.timedelta(days=1)
    return merge_intervals(intervals)


def local_booking_link(policy: BookingPolicy, start: datetime.datetime | None = None, end=None) -> str:
    """Where a resource booked in the facility's local system is booked: the policy's address with {start}, {end}
    and {date} filled in from the chosen times (local time); without times, the address with the query parameters
    that wanted them left out."""
    template = policy.local_booking_url
    if not template:
        return ""
    if start is not None and end is not None:
        local_start, local_end = start.astimezone(policy.zone), end.astimezone(policy.zone)
        return template.format(
            start=f"{local_start:%Y-%m-%dT%H:%M}", end=f"{local_end:%Y-%m-%dT%H:%M}", date=f"{local_start:%Y-%m-%d}"
        )
    parts = urlsplit(template)
    if "{" in parts.path:
        parts = parts._replace(path="/")
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if "{" not in value]
    return urlunsplit(parts._replace(query=urlencode(query)))


def opening_hours_of(policy: BookingPolicy) -> list[OpeningHours]:
    """The policy's opening hours: those read with it (resource_to_book, or a Prefetch with
    to_attr=fastpath.OPENING_HOURS_ATTRIBUTE), else the ORM's (prefetched ones if there are)."""
    read = getattr(policy, fastpath.OPENING_HOURS_ATTRIBUTE, None)
    if read is not None:
        return list(read)
    return list(policy.opening_hours.all())


def resource_to_book(resource_id: int) -> Resource | None:
    """The resource a booking request names, with its facility, its booking policy (None when it has none) and the
    policy's opening hours, read together; None when there is no such resource."""
    return fastpath.resource_to_book(resource_id)


def is_internal_user(user, resource: Resource) -> bool:
    """Users whose affiliation with the institution that owns the resource is verified; only they may use a
    preparedness reserve (the institution a person merely typed does not count)."""
    institution_id = verified_institution_id(user)
    return institution_id is not None and institution_id == resource.facility.institution_id


def blocking_closure_kinds(user, resource: Resource) -> list[str]:
    kinds = [ClosureKind.MAINTENANCE, ClosureKind.INTERNAL_USE, ClosureKind.PUBLIC_HOLIDAY]
    if not is_internal_user(user, resource):
        kinds.append(ClosureKind.PREPAREDNESS)
    return kinds


def busy_intervals(
    resource: Resource,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    user=None,
    exclude_booking_id: int | None = None,
) -> list[Interval]:
    """Times the resource is taken for `user`: active bookings with their buffer, closures that apply, and the busy
    time of its external calendars."""
    return busy_intervals_of([resource], start, end, user=user, exclude_booking_id=exclude_booking_id)[resource.pk]


def busy_intervals_of(
    resources: list[Resource],
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    user=None,
    exclude_booking_id: int | None = None,
) -> dict[int, list[Interval]]:
    """busy_intervals for several resources at once, by resource id: three queries however many there are."""
    bookings = Booking.objects.annotate(taken_until=Coalesce("blocked_until", "end")).filter(
        resource__in=resources, status__in=ACTIVE_STATUSES, start__lt=end, taken_until__gt=start
    )
    if exclude_booking_id:
        bookings = bookings.exclude(pk=exclude_booking_id)
    applying = Q()  # the closure kinds that block `user`, which depend on the resource's institution
    by_kinds: dict[tuple, list[int]] = {}
    for resource in resources:
        by_kinds.setdefault(tuple(blocking_closure_kinds(user, resource)), []).append(resource.pk)
    for kinds, ids in by_kinds.items():
        applying |= Q(resource_id__in=ids, kind__in=kinds)
    closures = Closure.objects.filter(applying, start__lt=end, end__gt=start) if by_kinds else Closure.objects.none()
    taken: dict[int, list[Interval]] = {resource.pk: [] for resource in resources}
    for resource_id, taken_from, taken_until in [
        *bookings.values_list("resource_id", "start", "taken_until"),
        *closures.values_list("resource_id", "start", "end"),
    ]:
        taken[resource_id].append((max(taken_from, start), min(taken_until, end)))
    for resource_id, intervals in calendar_selectors.external_busy_of(list(taken), start, end).items():
        taken[resource_id].extend((max(busy_from, start), min(busy_until, end)) for busy_from, busy_until in intervals)
    return {resource_id: merge_intervals(intervals) for resource_id, intervals in taken.items()}


def resource_availability(
    *, resource: Resource, start: datetime.datetime, end: datetime.datetime, user=None
) -> dict[str, list[Interval]]:
    """Free and busy time of one resource within its opening hours. Busy says nothing about who booked."""
    return availability_of([resource], start=start, end=end, user=user)[resource.pk]


def availability_of(
    resources: list[Resource], *, start: datetime.datetime, end: datetime.datetime, user=None
) -> dict[int, dict[str, list[Interval]]]:
    """resource_availability for several resources at once, by resource id. Their policies and opening hours are
    read as they are (prefetch them for a list: `booking_policy__opening_hours`); the bookings, closures and
    external busy time of all of them take three queries."""
    bookable = [resource for resource in resources if getattr(resource, "booking_policy", None) is not None]
    busy = busy_intervals_of(bookable, start, end, user=user) if bookable else {}
    found = {resource.pk: {"free": [], "busy": []} for resource in resources}
    for resource in bookable:
        opening = opening_intervals(resource.booking_policy, start, end)
        free = subtract_intervals(opening, busy[resource.pk])
        found[resource.pk] = {"free": free, "busy": subtract_intervals(opening, free)}
    return found


def _align_up(moment: datetime.datetime, policy: BookingPolicy) -> datetime.datetime:
    local = moment.astimezone(policy.zone)
    midnight = datetime.datetime.combine(local.date(), datetime.time(), tzinfo=policy.zone)
    minutes = (local - midnight).total_seconds() / 60
    slots = -(-minutes // policy.slot_minutes)
    return (midnight + datetime.timedelta(minutes=slots * policy.slot_minutes)).astimezone(UTC)


def earliest_bookable(policy: BookingPolicy, now: datetime.datetime | None = None) -> datetime.datetime:
    """The first slot a new booking may start at: the minimum notice from now, on the slot grid."""
    now = now or timezone.now()
    return _align_up(now + datetime.timedelta(minutes=policy.min_notice_minutes), policy)


def nearest_alternatives(
    *,
    resource: Resource,
    start: datetime.datetime,
    end: datetime.datetime,
    user=None,
    limit: int = 3,
    exclude_booking_id: int | None = None,
    earliest: datetime.datetime | None = None,
) -> list[Interval]:
    """Free slots of the same length on the same resource, nearest in time to the one asked for."""
    policy = resource.booking_policy
    length = end - start
    window_start = max(start - datetime.timedelta(days=7), earliest or start - datetime.timedelta(days=7))
    window_end = end + datetime.timedelta(days=14)
    opening = opening_intervals(policy, window_start, window_end)
    busy = busy_intervals(resource, window_start, window_end, user=user, exclude_booking_id=exclude_booking_id)
    # The buffer after the new booking must fit too, so a window needs room for length + buffer
    # (except where opening hours end, since closing time covers changeover).
    candidates: list[Interval] = []
    step = datetime.timedelta(minutes=policy.slot_minutes)
    for free_start, free_end in subtract_intervals(opening, busy):
        cursor = _align_up(free_start, policy)
        while cursor + length <= free_end and len(candidates) < 2000:
            candidates.append((cursor, cursor + length))
            cursor += step
    candidates.sort(key=lambda c: abs((c[0] - start).total_seconds()))
    chosen = sorted(candidates[:limit])
    return chosen


def has_valid_qualification(user, resource: Resource, on: datetime.date) -> bool:
    return _valid_qualifications(user, on).filter(resource=resource).exists()


def qualified_resource_ids(user, resources: list[Resource], on: datetime.date) -> set[int]:
    """Which of `resources` the user holds a valid qualification for on that day (one query)."""
    return set(_valid_qualifications(user, on).filter(resource__in=resources).values_list("resource_id", flat=True))


def _valid_qualifications(user, on: datetime.date):
    return Qualification.objects.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on), user=user)


# --- free capacity across the country -------------------------------------------------------------------------

_FREE_CAPACITY_SQL = """
WITH res AS (
    SELECT r.id AS resource_id, r.facility_id, p.id AS policy_id, p.time_zone, f.institution_id, p.slot_minutes,
           p.min_notice_minutes, p.min_length_minutes
    FROM catalogue_resource r
    JOIN booking_bookingpolicy p ON p.resource_id = r.id
    JOIN catalogue_facility f ON f.id = r.facility_id
    WHERE r.bookable AND r.is_active AND f.status = 'published'
      {industry_filter}
      {category_filter}
      {institution_filter}
      {facility_filter}
),
days AS (
    -- the local dates of the period in each time zone the candidates use
    SELECT z.time_zone, d::date AS day, extract(isodow FROM d)::int - 1 AS weekday
    FROM (SELECT DISTINCT time_zone FROM res) z
    CROSS JOIN LATERAL generate_series(
        (%(start)s::timestamptz AT TIME ZONE z.time_zone)::date,
        (%(end)s::timestamptz AT TIME ZONE z.time_zone)::date,
        interval '1 day'
    ) AS d
),
opening AS (
    SELECT res.resource_id,
           greatest(
               (d.day + o.opens) AT TIME ZONE res.time_zone,
               %(start)s::timestamptz,
               %(now)s::timestamptz + res.min_notice_minutes * interval '1 minute'
           ) AS os,
           least((d.day + o.closes) AT TIME ZONE res.time_zone, %(end)s::timestamptz) AS oe
    FROM res
    -- each candidate's few opening hours by index (OFFSET 0 keeps the planner from hashing the whole table)
    CROSS JOIN LATERAL (
        SELECT h.weekday, h.opens, h.closes FROM booking_openinghours h WHERE h.policy_id = res.policy_id OFFSET 0
    ) o
    JOIN days d ON d.time_zone = res.time_zone AND d.weekday = o.weekday
),
open_intervals AS (SELECT * FROM opening WHERE oe > os),
open_resources AS (SELECT DISTINCT resource_id FROM open_intervals),
busy AS (
    -- Active bookings never overlap (the exclusion constraint), so those that touch the period are the ones that
    -- start inside it and at most one more: the last to start before it. Probing the (resource, start) b-tree for
    -- each candidate costs less than the constraint's GiST index when the period is short (a search's first stages).
    -- Only candidates open in the period are probed: a stage over a weekend or a closed day costs next to nothing.
    SELECT res.resource_id, inside.bs, inside.be
    FROM open_resources res
    CROSS JOIN LATERAL (
        SELECT b.start AS bs, coalesce(b.blocked_until, b."end") AS be
        FROM booking_booking b
        WHERE b.resource_id = res.resource_id AND b.status IN ('pending', 'confirmed')
          AND b.start >= %(start)s AND b.start < %(end)s
        OFFSET 0
    ) inside
    UNION ALL
    SELECT res.resource_id, last.bs, last.be
    FROM open_resources res
    CROSS JOIN LATERAL (
        SELECT b.start AS bs, coalesce(b.blocked_until, b."end") AS be
        FROM booking_booking b
        WHERE b.resource_id = res.resource_id AND b.status IN ('pending', 'confirmed') AND b.start < %(start)s
        ORDER BY b.start DESC
        LIMIT 1
    ) last
    WHERE last.be > %(start)s
    UNION ALL
    SELECT c.resource_id, c.start, c."end"
    FROM booking_closure c
    JOIN res ON res.resource_id = c.resource_id
    WHERE c.start < %(end)s AND c."end" > %(start)s
      AND (c.kind <> 'preparedness' OR res.institution_id IS DISTINCT FROM %(user_institution)s)
    UNION ALL
    -- busy time read from the resource's external calendars (calendars), stored in pieces of at most a day
    SELECT res.resource_id, x.bs, x.be
    FROM open_resources res
    CROSS JOIN LATERAL (
        SELECT e.start AS bs, e."end" AS be
        FROM {external_busy_table} e
        WHERE e.resource_id = res.resource_id AND e.start >= %(external_from)s AND e.start < %(end)s
          AND e."end" > %(start)s
        OFFSET 0
    ) x
),
pieces AS (
    SELECT o.resource_id, o.os, o.oe, greatest(b.bs, o.os) AS bs, least(b.be, o.oe) AS be
    FROM open_intervals o
    JOIN busy b ON b.resource_id = o.resource_id AND b.bs < o.oe AND b.be > o.os
    UNION ALL
    SELECT o.resource_id, o.os, o.oe, o.oe, o.oe FROM open_intervals o
),
gaps AS (
    SELECT resource_id, bs AS gap_end,
           greatest(o_start, coalesce(max(be) OVER w, o_start)) AS gap_start
    FROM (SELECT *, os AS o_start FROM pieces) p
    WINDOW w AS (PARTITION BY resource_id, os ORDER BY bs, be ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
aligned AS (
    -- a booking starts on the resource's slot grid, counted from local midnight
    SELECT g.resource_id, g.gap_end, {length} AS need,
           (date_trunc('day', g.gap_start AT TIME ZONE res.time_zone)
            + ceil(extract(epoch FROM (g.gap_start AT TIME ZONE res.time_zone)
                                      - date_trunc('day', g.gap_start AT TIME ZONE res.time_zone)) / 60.0
                   / res.slot_minutes) * res.slot_minutes * interval '1 minute'
           ) AT TIME ZONE res.time_zone AS gap_start
    FROM gaps g JOIN res ON res.resource_id = g.resource_id
    WHERE g.gap_end - g.gap_start >= {length}  -- only gaps long enough before aligning can be after it
),
earliest AS (
    SELECT DISTINCT ON (resource_id) resource_id, gap_start, gap_end, need
    FROM aligned
    WHERE gap_end - gap_start >= need
    ORDER BY resource_id, gap_start
)
SELECT e.resource_id, e.gap_start, e.gap_start + e.need, res.facility_id,
       (SELECT max(min_length_minutes) FROM res) AS longest_minimum_minutes
FROM earliest e JOIN res ON res.resource_id = e.resource_id
ORDER BY e.gap_start, e.resource_id LIMIT %(limit)s
"""


def bookable_resources(user=None) -> QuerySet:
    """The resources `user` may book, as booking.services.rules.bookability_refusal decides for one resource: in
    use, offered for booking with a booking policy, at a published facility, and for a company user at a facility
    open to industry. A visitor who has not signed in is offered what can be booked after signing in."""
    resources = Resource.objects.filter(
        bookable=True, is_active=True, facility__status=PublicationStatus.PUBLISHED, booking_policy__isnull=False
    )
    if _is_company(user):
        resources = resources.filter(facility__open_to_industry=True)
    return resources


def _is_company(user) -> bool:
    return roles.is_authenticated(user) and user.is_company


def _candidate_resources(category, institution, user) -> QuerySet:
    resources = bookable_resources(user)
    if category is not None:
        resources = resources.filter(facility__categories=category)
    if institution is not None:
        resources = resources.filter(facility__institution=institution)
    return resources


STAGED_SEARCH_MAX_LIMIT = 100


def _search_stages(
    start: datetime.datetime, end: datetime.datetime, limit: int, now: datetime.datetime | None = None
) -> list[datetime.datetime]:
    """Where the free-capacity query stops looking, in turn: the first day, the first three, the whole period
    (counted from now when the period began earlier).

    Once `limit` resources have a window that ends by a cut-off, the answer is found: a window that a stage could
    not see ends after its cut-off, so it starts after cut-off - duration, later than every window the stage found
    (they end by the cut-off). The usual search (the portal's and the API's 100 results) then reads a day or three
    of the calendar instead of the whole period. A longer list needs most of the period anyway, so it is not staged.
    """
    if limit > STAGED_SEARCH_MAX_LIMIT:
        return [end]
    first = max(start, now or timezone.now())  # nothing before now can be booked: a search from today counts from now
    stages = [first + datetime.timedelta(days=days) for days in (1, 3)]
    return [cut_off for cut_off in stages if cut_off < end] + [end]


def free_capacity_windows(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    duration: datetime.timedelta,
    category=None,
    institution=None,
    user=None,
    limit: int = 100,
) -> list[FreeWindow]:
    """Resources with at least one free window of `duration` between `start` and `end`, earliest window first.

    A window can be booked as it is: its resource is one `user` may book (`bookable_resources`), and it starts after
    the resource's minimum notice and on its slot grid.

    On PostgreSQL one SQL statement computes the gaps between busy intervals inside each opening interval for
    every candidate resource at once; elsewhere the same rule runs in Python over three bulk queries.
    """
    user_institution = verified_institution_id(user)
    if connection.vendor == "postgresql":
        rows = []
        now = timezone.now()
        for cut_off in _search_stages(start, end, limit, now=now):
            rows = _earliest_windows_sql(
                start=start, end=cut_off, duration=duration, category=category, institution=institution,
                facility_ids=None, user=user, user_institution=user_institution, limit=limit, now=now,
            )  # fmt: skip
            if len(rows) >= limit:
                break
        resources = Resource.objects.select_related("facility__institution", "booking_policy").in_bulk(
            [row[0] for row in rows]
        )
        return [free_window(resources[rid], s, e) for rid, s, e, *_facility in rows if rid in resources]
    return _free_capacity_windows_python(
        start=start, end=end, duration=duration, category=category, institution=institution, user=user,
        user_institution=user_institution, limit=limit,
    )  # fmt: skip


# How far ahead a search result looks for its facility's next free time.
NEXT_FREE_DAYS = 14


def next_free_times(*, facility_ids, user=None, now: datetime.datetime | None = None) -> dict[int, datetime.datetime]:
    """For each facility, the earliest moment within NEXT_FREE_DAYS at which `user` could start a booking of one of
    its resources, of that resource's minimum length (the rule of free_capacity_windows: a resource `user` may
    book, after its minimum notice, on its slot grid, clear of bookings, closures and external busy time);
    facilities with nothing free in that time are left out.

    On PostgreSQL one statement for a whole page of search results looks at the next day first, and a second one
    at the rest of the period for the facilities that day did not settle: a window that the first day could not
    show ends after it, so it starts after the day's end less its resource's minimum length, and a facility whose
    earliest window found starts before the day's end less the longest minimum length is settled.
    """
    facility_ids = list(facility_ids)
    if not facility_ids:
        return {}
    now = now or timezone.now()
    end = now + datetime.timedelta(days=NEXT_FREE_DAYS)
    user_institution = verified_institution_id(user)
    if connection.vendor == "postgresql":
        found: dict[int, datetime.datetime] = {}
        remaining = facility_ids
        for cut_off in (min(now + datetime.timedelta(days=1), end), end):
            rows = _earliest_windows_sql(
                start=now, end=cut_off, duration=None, category=None, institution=None, facility_ids=remaining,
                user=user, user_institution=user_institution, limit=None, now=now,
            )  # fmt: skip
            earliest: dict[int, datetime.datetime] = {}
            longest = 0  # the longest minimum length of all candidates, in minutes (the same on every row)
            for _resource, window_start, _window_end, facility_id, row_longest in rows:  # earliest first
                earliest.setdefault(facility_id, window_start)
                longest = row_longest
            settled_before = cut_off - datetime.timedelta(minutes=longest)
            for facility_id, window_start in earliest.items():
                if cut_off == end or window_start <= settled_before:
                    found[facility_id] = window_start
            remaining = [facility_id for facility_id in remaining if facility_id not in found]
            if not remaining or cut_off == end:
                break
        return found
    windows = _free_capacity_windows_python(
        start=now, end=end, duration=None, category=None, institution=None, user=user,
        user_institution=user_institution, limit=None, facility_ids=facility_ids, now=now,
    )  # fmt: skip
    found = {}
    for window in windows:
        found.setdefault(window.resource.facility_id, window.start)
    return found


def _earliest_windows_sql(
    *, start, end, duration, category, institution, facility_ids, user, user_institution, limit, now
) -> list[tuple]:
    """(resource id, start, end, facility id, the longest minimum booking length in minutes of all candidates) of
    each candidate's earliest free window in [start, end), earliest first: of `duration`, or with None of each
    resource's minimum booking length."""
    params = {
        "start": start,
        "end": end,
        "duration": duration,
        "limit": limit,
        "now": now,
        "user_institution": user_institution,
        "category": getattr(category, "pk", category),
        "institution": getattr(institution, "pk", institution),
        "facilities": facility_ids,
        "external_from": start - calendar_selectors.BUSY_MAX_PIECE,
    }
    sql = _FREE_CAPACITY_SQL.format(
        category_filter=(
            "AND EXISTS (SELECT 1 FROM catalogue_facility_categories fc "
            "WHERE fc.facility_id = f.id AND fc.category_id = %(category)s)"
            if category is not None
            else ""
        ),
        institution_filter="AND f.institution_id = %(institution)s" if institution is not None else "",
        facility_filter="AND f.id = ANY(%(facilities)s)" if facility_ids is not None else "",
        industry_filter="AND f.open_to_industry" if _is_company(user) else "",  # as in bookable_resources
        external_busy_table=connection.ops.quote_name(calendar_selectors.BUSY_TABLE),
        length="%(duration)s" if duration is not None else "res.min_length_minutes * interval '1 minute'",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _free_capacity_windows_python(
    *, start, end, duration, category, institution, user, user_institution, limit, facility_ids=None, now=None
):
    """free_capacity_windows without SQL of its own; `duration` None means each resource's minimum length, `now`
    the moment the minimum notice counts from (the present when None)."""
    candidates = _candidate_resources(category, institution, user)
    if facility_ids is not None:
        candidates = candidates.filter(facility_id__in=facility_ids)
    resources = list(
        candidates.select_related("facility__institution", "booking_policy")
        .prefetch_related("booking_policy__opening_hours")
        .distinct()
    )
    ids = [r.id for r in resources]
    taken: dict[int, list[Interval]] = {}
    for rid, s, e in (
        Booking.objects.annotate(taken_until=Coalesce("blocked_until", "end"))
        .filter(resource_id__in=ids, status__in=ACTIVE_STATUSES, start__lt=end, taken_until__gt=start)
        .values_list("resource_id", "start", "taken_until")
    ):
        taken.setdefault(rid, []).append((s, e))
    institution_of = {r.id: r.facility.institution_id for r in resources}
    for rid, s, e, kind in Closure.objects.filter(resource_id__in=ids, start__lt=end, end__gt=start).values_list(
        "resource_id", "start", "end", "kind"
    ):
        if kind == ClosureKind.PREPAREDNESS and user_institution == institution_of[rid]:
            continue
        taken.setdefault(rid, []).append((s, e))
    for rid, intervals in calendar_selectors.external_busy_of(ids, start, end).items():
        taken.setdefault(rid, []).extend(intervals)
    found = []
    for resource in resources:
        policy = resource.booking_policy
        first = max(start, earliest_bookable(policy, now))
        opening = opening_intervals(policy, first, end, opening_hours=list(policy.opening_hours.all()))
        for free_start, free_end in subtract_intervals(opening, taken.get(resource.id, [])):
            free_start = _align_up(free_start, policy)
            length = duration if duration is not None else datetime.timedelta(minutes=policy.min_length_minutes)
            if free_end - free_start >= length:
                found.append(free_window(resource, free_start, free_start + length))
                break
    found.sort(key=lambda w: (w.start, w.resource.id))
    return found[:limit] if limit is not None else found


# --- lists ------------------------------------------------------------------------------------------------------


def bookings_for_user(user) -> QuerySet:
    return (
        Booking.objects.filter(user=user)
        .select_related("resource__facility", "resource__booking_policy")
        .order_by("-start")
    )


def bookings_for_manager(user) -> QuerySet:
    """Every booking of the facilities the user manages."""
    return (
        Booking.objects.filter(resource__facility_id__in=roles.managed_facility_ids(user))
        .select_related("resource__facility", "user")
        .order_by("start")
    )


def visible_bookings(user) -> QuerySet:
    """Own bookings plus those of managed facilities."""
    facility_ids = roles.managed_facility_ids(user)
    return (
        Booking.objects.filter(Q(user=user) | Q(resource__facility_id__in=facility_ids))
        .select_related("resource__facility", "user")
        .order_by("-start")
    )


def facility_bookings(
    user,
    *,
    facility_id: int | None = None,
    starts_from: datetime.datetime | None = None,
    starts_before: datetime.datetime | None = None,
    statuses=ACTIVE_STATUSES,
    now: datetime.datetime | None = None,
) -> QuerySet:
    """Upcoming pending and confirmed bookings of the facilities the user manages, soonest first.

    Only facilities the user manages are ever in the answer, whatever `facility_id` says. Without a period, the
    bookings that have not ended yet.
    """
    bookings = bookings_for_manager(user).filter(status__in=statuses)
    if facility_id is not None:
        bookings = bookings.filter(resource__facility_id=facility_id)
    if starts_from is None and starts_before is None:
        bookings = bookings.filter(end__gt=now or timezone.now())
    if starts_from is not None:
        bookings = bookings.filter(start__gte=starts_from)
    if starts_before is not None:
        bookings = bookings.filter(start__lt=starts_before)
    return bookings.order_by("start", "pk")


def price_labels(booking: Booking) -> dict[str, str]:
    """The price snapshot's tier and unit, why the tier applies and the VAT category, as words, not codes."""
    from pricing.choices import PriceTier, PriceUnit, TermsReason, VatCategory
    from pricing.terms import REASON_BY_TIER

    tier, unit = booking.price_tier, booking.price_unit
    reason = REASON_BY_TIER.get(tier)
    category = booking.vat_category
    return {
        "tier": str(PriceTier(tier).label) if tier in PriceTier.values else tier,
        "unit": str(PriceUnit(unit).label) if unit in PriceUnit.values else unit,
        "reason": str(TermsReason(reason).label) if reason else "",
        "vat_category": f"{category} – {VatCategory(category).label}" if category in VatCategory.values else category,
    }


def booking_for_page(pk: int) -> Booking:
    """One booking with everything its page shows (resource, facility, policy, user) in one query."""
    return Booking.objects.select_related(
        "resource__facility__institution",
        "resource__booking_policy",
        "user",
        "payer_institution",
        "collaboration_agreement",
    ).get(pk=pk)


@dataclass(frozen=True)
class HistoryEntry:
    event: object
    actor_label: str
    from_label: str
    to_label: str
    moved_from: tuple | None
    moved_to: tuple | None
    charged_total: Decimal | None


def _parse_moment(value) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(
            timezone.get_default_timezone()
        )
    except (TypeError, ValueError):
        return None


def _interval(value) -> tuple | None:
    if not isinstance(value, dict):
        return None
    start, end = _parse_moment(value.get("start")), _parse_moment(value.get("end"))
    return (start, end) if start and end else None


def _amount(value) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except ArithmeticError:
        return None


def _status_label(value: str) -> str:
    return str(BookingStatus(value).label) if value in BookingStatus.values else value


def booking_history(booking: Booking, viewer) -> list[HistoryEntry]:
    """Every change of the booking, oldest first, as `viewer` may see it (one query).

    The facility's managers see who did what. The customer sees "you" for their own actions and "the facility"
    for the staff's; changes made by the platform itself (expiry) say so.
    """
    staff_view = booking.resource.facility_id in roles.managed_facility_ids(viewer)
    entries = []
    for event in booking.events.select_related("actor").order_by("at", "id"):
        actor = event.actor
        if actor is None:
            label = _("Labtorget (automatically)")
        elif staff_view:
            label = actor.get_full_name() or actor.email
        elif actor.pk == getattr(viewer, "pk", None):
            label = _("You")
        else:
            label = _("The facility")
        details = event.details if isinstance(event.details, dict) else {}
        entries.append(
            HistoryEntry(
                event=event,
                actor_label=label,
                from_label=_status_label(event.from_status),
                to_label=_status_label(event.to_status),
                moved_from=_interval(details.get("from")),
                moved_to=_interval(details.get("to")),
                charged_total=_amount(details.get("charged_total")),
            )
        )
    return entries


def pending_queue(user) -> QuerySet:
    """Requests waiting for the user's answer as a manager, oldest first."""
    return bookings_for_manager(user).filter(status=BookingStatus.PENDING).order_by("created_at")


def booking_proposal_refusal(*, booking_id: int, facility_id: int) -> str | None:
    """Why booking `booking_id` cannot be proposed in an answer from facility `facility_id` (an intake request),
    or None: it must exist, be active (pending or confirmed) and be at that facility."""
    booking = Booking.objects.filter(pk=booking_id).values("status", "resource__facility_id").first()
    if booking is None:
        return _("There is no booking with this number.")
    if booking["status"] not in ACTIVE_STATUSES:
        return _("This booking is no longer active.")
    if booking["resource__facility_id"] != facility_id:
        return _("This booking is not at your facility.")
    return None


def cancellation_is_charged(booking, *, now: datetime.datetime | None = None) -> bool:
    """Whether the user cancelling `booking` now would pay for it (the page warns before they do)."""
    if booking.status != BookingStatus.CONFIRMED or booking.net_amount is None:
        return False
    policy = getattr(booking.resource, "booking_policy", None)
    deadline_hours = policy.cancellation_deadline_hours if policy else 0
    charge = cancellation_charge(booking, now or timezone.now(), deadline_hours)
    return bool(charge.total_amount)


# --- Use to record: the manager's page of bookings ended within the correction window -------------------------


def use_window_closes(booking: Booking) -> datetime.datetime:
    """The moment after which the use of `booking` (completed, no-show, the time used) can no longer be changed:
    BOOKING_USE_ADJUSTMENT_WORKING_DAYS working days after its end, Norwegian holidays excluded."""
    return add_working_days(booking.end, settings.BOOKING_USE_ADJUSTMENT_WORKING_DAYS)


def bookings_in_use_window(*, facility: Facility, now: datetime.datetime | None = None) -> list[Booking]:
    """The facility's bookings whose use the manager may still record or correct: confirmed ones that have
    started, and completed ones and no-shows, whose window has not closed. Earliest end first."""
    now = now or timezone.now()
    # N working days never span more than 2N + 14 calendar days (Easter, Christmas): fetch those, then count.
    earliest_end = now - datetime.timedelta(days=2 * settings.BOOKING_USE_ADJUSTMENT_WORKING_DAYS + 14)
    candidates = (
        Booking.objects.filter(
            resource__facility=facility,
            status__in=(BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW),
            start__lte=now,
            end__gte=earliest_end,
        )
        .select_related("resource", "user")
        .order_by("end", "pk")
    )
    return [booking for booking in candidates if now < use_window_closes(booking)]


# --- Service orders --------------------------------------------------------------------------------------------

OPEN_AND_DELIVERED_ORDER_STATUSES = (ServiceOrderStatus.ORDERED, ServiceOrderStatus.DELIVERED)


def facility_service_orders(facility: Facility) -> QuerySet:
    """The facility's service orders still to deliver, then the delivered ones, newest first; one query."""
    return (
        ServiceOrder.objects.filter(resource__facility=facility, status__in=OPEN_AND_DELIVERED_ORDER_STATUSES)
        .select_related("resource__facility", "user", "closed_by")
        .order_by("-status", "-created_at", "-id")  # "ordered" sorts after "delivered": reversed, ordered first
    )


def service_orders_for_user(user) -> QuerySet:
    """The service orders the user placed, newest first; one query."""
    return (
        ServiceOrder.objects.filter(user=user)
        .select_related("resource__facility", "closed_by")
        .order_by("-created_at", "-id")
    )


def visible_service_orders(user) -> QuerySet:
    """The user's own service orders and those of the facilities they keep, newest first."""
    facility_ids = roles.managed_facility_ids(user)
    return (
        ServiceOrder.objects.filter(Q(user=user) | Q(resource__facility_id__in=facility_ids))
        .select_related("resource__facility", "user", "closed_by")
        .order_by("-created_at", "-id")
    )
