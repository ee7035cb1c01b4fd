"""The booking path's hand-written SQL: the resource to book, the slot check, and the insert that holds the slot.

Every API booking runs these statements, and building them with the ORM costs more CPU than running them. So they
are written out once, here and nowhere else in booking, with Django's public APIs only: they run on a cursor of
the default database; values go in through each field's `pre_save` and `get_db_prep_save`, and come out through
the database's and the field's converters into `Model.from_db` (core.db.ModelRows), the steps the ORM itself
takes. Table and column names come from the models' `_meta`, so a renamed column cannot leave a statement behind.

Prices are not read here: pricing answers them (pricing.selectors.booking_quote) with its own query.
"""

import datetime
import functools

from django.db import DEFAULT_DB_ALIAS, connections

from booking.choices import ACTIVE_STATUSES
from booking.models import Booking, BookingEvent, BookingPolicy, Closure, OpeningHours
from calendars.selectors import BUSY_MAX_PIECE, BUSY_TABLE
from catalogue.models import Facility, Resource
from core.db import MAX_ID, ModelRows

# resource_to_book keeps the policy's opening hours here, ordered by weekday and opening time, as a
# Prefetch("booking_policy__opening_hours", to_attr=OPENING_HOURS_ATTRIBUTE) would (booking.selectors reads it).
OPENING_HOURS_ATTRIBUTE = "opening_hours_in_order"


def _database():
    """The default database's connection, looked up once per statement (each use of `django.db.connection` goes
    through a context-local lookup)."""
    return connections[DEFAULT_DB_ALIAS]


_resources = ModelRows(Resource, "r")
_facilities = ModelRows(Facility, "f")
_policies = ModelRows(BookingPolicy, "p")
_hours = ModelRows(OpeningHours, "h")


def resource_to_book(resource_id: int) -> Resource | None:
    """The resource with its facility and booking policy (None when it has none) and the policy's opening hours,
    in one statement; None when there is no such resource.

    The first row holds the resource, facility and policy, each further row one opening-hours row: a join would
    repeat the resource's columns in every row.
    """
    if not 0 < resource_id <= MAX_ID:  # a larger number names nothing, and the database would refuse it
        return None
    db = _database()
    with db.cursor() as cursor:
        cursor.execute(_resource_sql(db.vendor), [resource_id, resource_id])
        rows = cursor.fetchall()
    if not rows or rows[0][0] != 0:
        return None
    first = rows[0]
    offset = 1
    resource = _resources.load(first, offset, db)
    offset += _resources.width
    resource.facility = _facilities.load(first, offset, db)
    offset += _facilities.width
    policy = _policies.load(first, offset, db)
    if policy is not None:
        resource.booking_policy = policy
        offset += _policies.width
        setattr(policy, OPENING_HOURS_ATTRIBUTE, [_hours.load(row, offset, db) for row in rows[1:]])
    return resource


@functools.cache
def _resource_sql(vendor: str) -> str:
    """Rows of two kinds, told apart by the first column: 0 the resource, 1 an opening-hours row."""

    def nulls(count: int) -> str:
        return ", ".join(["NULL"] * count)

    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    main = _resources.width + _facilities.width + _policies.width
    weekday, opens = (2 + main + _hours.names.index(name) for name in ("weekday", "opens"))
    return (
        f"SELECT 0, {_resources.columns()}, {_facilities.columns()}, {_policies.columns()}, {nulls(_hours.width)} "
        f"FROM {quote(Resource._meta.db_table)} r JOIN {quote(Facility._meta.db_table)} f ON f.id = r.facility_id "
        f"LEFT JOIN {quote(BookingPolicy._meta.db_table)} p ON p.resource_id = r.id WHERE r.id = %s "
        f"UNION ALL SELECT 1, {nulls(main)}, {_hours.columns()} FROM {quote(OpeningHours._meta.db_table)} h "
        f"JOIN {quote(BookingPolicy._meta.db_table)} p ON p.id = h.policy_id WHERE p.resource_id = %s "
        f"ORDER BY 1, {weekday}, {opens}"
    )


def _blocked(
    db, *, resource_id: int, closure_kinds: list[str], start, blocked_until, exclude_booking_id, count_bookings: bool
) -> tuple[str, list]:
    """SQL answering two questions in one row, `closed` and `taken`: does a closure of one of `closure_kinds` take
    any of [start, blocked_until)? Does (when `count_bookings`) an active booking other than `exclude_booking_id`,
    or busy time of an external calendar (calendars), take any of it?

    External busy time is stored in pieces of at most BUSY_MAX_PIECE, so its probe reads a bounded range of the
    (resource, start) index."""
    postgres = db.vendor == "postgresql"
    if postgres:  # one parameter, whatever the number of kinds
        kinds_sql, kinds_params = "= ANY(%s::text[])", [list(closure_kinds)]
    else:
        kinds_sql, kinds_params = f"IN ({', '.join(['%s'] * len(closure_kinds))})", list(closure_kinds)
    quote = db.ops.quote_name
    active = ", ".join(f"'{status}'" for status in ACTIVE_STATUSES)  # fixed choices, as in the exclusion constraint
    # The resource and the interval are given once, as the one row of `args`, and read from there by every probe
    # (and by the insert that follows in booking_insert_if_free): fewer parameters for the same statement.
    typed = ("%s::bigint", "%s::timestamptz", "%s::timestamptz", "%s::timestamptz") if postgres else ("%s",) * 4
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {quote(Closure._meta.db_table)} c WHERE c.resource_id = args.resource_id "
        f'AND c.start < args.until AND c."end" > args.since AND c.kind {kinds_sql}) AS closed, '
        f"EXISTS (SELECT 1 FROM {quote(Booking._meta.db_table)} b WHERE b.resource_id = args.resource_id "
        f'AND b.status IN ({active}) AND b.start < args.until AND COALESCE(b.blocked_until, b."end") > args.since '
        "AND b.id <> %s AND %s) "
        f"OR EXISTS (SELECT 1 FROM {quote(BUSY_TABLE)} x WHERE x.resource_id = args.resource_id "
        'AND x.start >= args.piece_since AND x.start < args.until AND x."end" > args.since) AS taken, '
        "args.resource_id, args.since, args.until "
        f"FROM (SELECT {typed[0]} AS resource_id, {typed[1]} AS since, {typed[2]} AS until, "
        f"{typed[3]} AS piece_since) args"
    )
    adapt = db.ops.adapt_datetimefield_value
    args = [resource_id, adapt(start), adapt(blocked_until), adapt(start - BUSY_MAX_PIECE)]
    return sql, [*kinds_params, exclude_booking_id or 0, count_bookings, *args]


def slot_blocked(
    *,
    resource_id: int,
    closure_kinds: list[str],
    start: datetime.datetime,
    blocked_until: datetime.datetime,
    exclude_booking_id: int | None = None,
    count_bookings: bool = True,
) -> tuple[bool, bool]:
    """(closed, taken): whether a closure of one of `closure_kinds`, or an active booking (unless
    `count_bookings` is off), takes any of [start, blocked_until)."""
    db = _database()
    sql, params = _blocked(
        db, resource_id=resource_id, closure_kinds=closure_kinds, start=start, blocked_until=blocked_until,
        exclude_booking_id=exclude_booking_id, count_bookings=count_bookings,
    )  # fmt: skip
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        closed, taken = cursor.fetchone()[:2]
    return bool(closed), bool(taken)


def booking_insert_if_free(
    booking: Booking, *, event: BookingEvent, closure_kinds: list[str], count_bookings: bool = True
) -> tuple[bool, bool, Booking | None]:
    """PostgreSQL: insert the new `booking` and its first history entry `event` in one statement, only when
    nothing blocks the slot (as slot_blocked asks); (closed, taken, the stored booking or None).

    The exclusion constraint still refuses a booking that a parallel request stored in the meantime (an
    IntegrityError). The booking's resource, start and end of blocked time come from the probe's `args` row, and the
    history entry takes its booking and time from the stored row: one moment for both, and fewer parameters
    (psycopg keeps the parsed form of a statement only up to 50 parameters; above that it parses this one anew on
    every booking). `booking` itself stays unsaved; the answer is a saved instance with the
    same values and related objects.
    """
    db = _database()
    blocked_sql, blocked_params = _blocked(
        db, resource_id=booking.resource_id, closure_kinds=closure_kinds, start=booking.start,
        blocked_until=booking.blocked_until, exclude_booking_id=None, count_bookings=count_bookings,
    )  # fmt: skip
    booking_fields, booking_values = _insert_parts(
        db.vendor,
        Booking,
        (("resource_id", "blocked.resource_id"), ("start", "blocked.since"), ("blocked_until", "blocked.until")),
    )
    event_fields, event_values = _insert_parts(
        db.vendor, BookingEvent, (("booking_id", "stored.id"), ("at", "stored.created_at"))
    )
    sql = (
        f"WITH blocked AS ({blocked_sql}), "
        f"stored AS (INSERT INTO {booking_values} FROM blocked WHERE NOT blocked.closed AND NOT blocked.taken "
        "RETURNING id, created_at), "
        f"event AS (INSERT INTO {event_values} FROM stored) "
        "SELECT blocked.closed, blocked.taken, (SELECT id FROM stored) FROM blocked"
    )
    params = [
        *blocked_params,
        *(field.get_db_prep_save(field.pre_save(booking, True), db) for field in booking_fields),
        *(field.get_db_prep_save(field.pre_save(event, True), db) for field in event_fields),
    ]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        closed, taken, booking_id = cursor.fetchone()
    if booking_id is None:
        return closed, taken, None
    return closed, taken, _saved(booking, booking_id, db)


@functools.cache
def _insert_parts(vendor: str, model, replace: tuple[tuple[str, str], ...]) -> tuple[list, str]:
    """The fields that take a parameter, and `table (columns) SELECT values` to insert a new `model` row inside a
    larger statement (PostgreSQL). `replace` gives SQL instead of a parameter for some fields, as (attname, SQL).

    Each parameter is cast to its column's type, since a parameter in a SELECT has no column to take it from; a
    character column's to text, since a cast to varchar(n) would silently cut a value that the INSERT must refuse.
    """
    replace = dict(replace)
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    values = []
    for field in fields:
        column_type = field.db_type(db)
        cast = "text" if column_type.startswith(("varchar", "char")) else column_type
        values.append(replace.get(field.attname) or f"%s::{cast}")
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"{quote(model._meta.db_table)} ({columns}) SELECT {', '.join(values)}"
    return [field for field in fields if field.attname not in replace], sql


def _saved(booking: Booking, booking_id: int, db) -> Booking:
    """The stored booking as the ORM gives a saved one: `booking`'s values with its new id, and its related
    objects (the resource, the user and the paying institution or organisation it was made with)."""
    fields = Booking._meta.concrete_fields
    values = [booking_id if field.primary_key else getattr(booking, field.attname) for field in fields]
    stored = Booking.from_db(db.alias, [field.attname for field in fields], values)
    stored.resource = booking.resource
    stored.user = booking.user
    if booking.payer_institution_id is not None:
        stored.payer_institution = booking.payer_institution
    if booking.payer_organisation_id is not None:
        stored.payer_organisation = booking.payer_organisation
    return stored
