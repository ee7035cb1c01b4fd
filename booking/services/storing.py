"""Storing a new booking: the slot check, the insert, its history entry and e-mails.

The first request stored holds the slot. On PostgreSQL the exclusion constraint
`booking_no_overlapping_active_bookings` makes an overlap impossible whatever the application does; the check
here only gives the friendly answer with alternatives. On SQLite writers are serialised instead.
"""

import contextlib
import datetime
import threading

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import selectors
from booking.emails import outbox_write
from booking.models import (
    Booking,
    BookingEvent,
)
from catalogue import roles
from config import rawsql
from core.dates import iso_utc
from core.db import savepoint_in_a_transaction
from core.errors import ConflictError

OVERLAP_CONSTRAINT = "booking_no_overlapping_active_bookings"


def alternatives_payload(alternatives) -> list[dict]:
    return [{"start": iso_utc(s), "end": iso_utc(e)} for s, e in alternatives]


def booking_event_record(
    booking: Booking, *, actor, action: str, from_status: str = "", reason: str = "", details=None
) -> None:
    """Add an entry to the booking's history."""
    rawsql.insert(
        BookingEvent(
            booking=booking,
            actor=actor if roles.is_authenticated(actor) else None,
            action=action,
            from_status=from_status,
            to_status=booking.status,
            reason=reason,
            details=details or {},
        )
    )


_sqlite_process_lock = threading.RLock()


@contextlib.contextmanager
def serialised_in_process():
    """On SQLite, threads of one process also take turns (an in-memory test database has no busy wait)."""
    if connection.vendor != "sqlite":
        yield
        return
    with _sqlite_process_lock:
        yield


class WriterSerialisation:
    """On SQLite, take the database write lock at the start of the booking transaction.

    SQLite starts transactions deferred, so two connections could both read "free" before either writes. A write
    as the first statement makes every other writer wait until this transaction ends, like BEGIN IMMEDIATE; the
    lock is held until commit. PostgreSQL needs nothing here: its exclusion constraint decides.
    """

    def __init__(self, resource_id: int):
        self.resource_id = resource_id

    def __enter__(self):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # Matches no row, but a write statement starts SQLite's write transaction (the RESERVED lock).
                cursor.execute("UPDATE booking_booking SET id = id WHERE id = -1")
        return self

    def __exit__(self, *exc):
        return False


@contextlib.contextmanager
def storing_transaction(resource_id: int):
    """The transaction around storing a new booking.

    On PostgreSQL the booking is stored by one statement, atomic by itself: outside a caller's transaction it runs
    in autocommit, one round trip instead of three (BEGIN, the statement, COMMIT). Inside one (a series, an
    Idempotency-Key request) it runs in a savepoint, so that a refusal by the exclusion constraint leaves the
    caller's transaction usable for the 409's alternatives. On SQLite the writers are serialised inside a
    transaction (see WriterSerialisation).
    """
    if connection.vendor == "postgresql":
        with savepoint_in_a_transaction():
            yield
        return
    with serialised_in_process(), transaction.atomic(), WriterSerialisation(resource_id):
        yield


def check_overlap_in_app() -> bool:
    """The application-level overlap check (friendly 409 with alternatives). The control test turns it off."""
    return True


def _blocked_sql(*, resource, user, start, blocked_until, exclude_booking_id=None) -> tuple[str, list]:
    """SQL answering two questions in one row, `closed` and `taken`: does a closure that applies to `user`, or an
    active booking (unless the application check is off), take any of [start, blocked_until)?"""
    kinds = selectors.blocking_closure_kinds(user, resource)
    if connection.vendor == "postgresql":  # one parameter, whatever the number of kinds
        kinds_sql, kinds_params = "= ANY(%s::text[])", [kinds]
    else:
        kinds_sql, kinds_params = f"IN ({', '.join(['%s'] * len(kinds))})", kinds
    sql = (
        'SELECT EXISTS (SELECT 1 FROM booking_closure WHERE resource_id = %s AND start < %s AND "end" > %s '
        f"AND kind {kinds_sql}) AS closed, "
        "EXISTS (SELECT 1 FROM booking_booking WHERE resource_id = %s AND status IN ('pending', 'confirmed') "
        'AND start < %s AND COALESCE(blocked_until, "end") > %s AND id <> %s AND %s) AS taken'
    )
    adapt = connection.ops.adapt_datetimefield_value
    until, since = adapt(blocked_until), adapt(start)
    exclude = exclude_booking_id or 0
    return sql, [resource.pk, until, since, *kinds_params, resource.pk, until, since, exclude, check_overlap_in_app()]


def _raise_if_blocked(closed: bool, taken: bool, *, resource, policy, user, start, until) -> None:
    if closed:
        raise slot_conflict(resource=resource, user=user, start=start, end=until - policy.buffer, code="unavailable")
    if taken:
        raise slot_conflict(resource=resource, user=user, start=start, end=until - policy.buffer)


def slot_check_free(*, resource, policy, user, start, blocked_until, exclude_booking_id=None) -> None:
    """Raise the friendly 409 when a closure that applies to `user`, or an active booking, takes the slot."""
    sql, params = _blocked_sql(
        resource=resource, user=user, start=start, blocked_until=blocked_until, exclude_booking_id=exclude_booking_id
    )
    with rawsql.cursor() as cursor:
        cursor.execute(sql, params)
        closed, taken = cursor.fetchone()
    _raise_if_blocked(closed, taken, resource=resource, policy=policy, user=user, start=start, until=blocked_until)


def booking_store_new(booking: Booking, *, policy, user, action: str, emails: list[str]) -> None:
    """Check the slot, store the booking, its first history entry and its e-mails (outbox); the friendly 409 when
    the slot is taken.

    On PostgreSQL the booking and its history entry are one statement (the hot path of every booking): the booking
    is inserted only when nothing blocks it, and the exclusion constraint still refuses a booking that a parallel
    request stored in the meantime; its e-mails follow in the same transaction. Elsewhere the same steps run one by
    one inside the caller's transaction.
    """
    resource, start, blocked_until = booking.resource, booking.start, booking.blocked_until
    if connection.vendor != "postgresql":
        slot_check_free(resource=resource, policy=policy, user=user, start=start, blocked_until=blocked_until)
        rawsql.insert(booking)
        booking_event_record(booking, actor=user, action=action)
        outbox_write(booking.pk, emails)
        return
    sql, params = _store_statement(booking, user=user, action=action)
    with transaction.atomic(savepoint=False):  # the booking and its e-mails are stored together, or neither
        with rawsql.cursor() as cursor:
            cursor.execute(sql, params)
            closed, taken, booking_id = cursor.fetchone()
        _raise_if_blocked(closed, taken, resource=resource, policy=policy, user=user, start=start, until=blocked_until)
        booking.pk = booking_id
        booking._state.adding = False
        booking._state.db = connection.alias
        outbox_write(booking.pk, emails)


# psycopg parses a statement once and keeps it only up to this many parameters (psycopg._queries); a longer one
# is parsed again on every booking, which cost about a tenth of the booking's time in the web process.
STORE_STATEMENT_MAX_PARAMS = 50


def _store_statement(booking: Booking, *, user, action: str) -> tuple[str, list]:
    """The PostgreSQL statement that stores a new booking when nothing blocks it, with its history entry; it
    answers (closed, taken, the new id). The history entry takes its time from the stored booking, so that the
    statement stays within STORE_STATEMENT_MAX_PARAMS."""
    blocked_sql, blocked_params = _blocked_sql(
        resource=booking.resource, user=user, start=booking.start, blocked_until=booking.blocked_until
    )
    booking_columns, booking_values, booking_params = rawsql.insert_parts(booking)
    event = BookingEvent(
        actor=user if roles.is_authenticated(user) else None, action=action, to_status=booking.status, details={}
    )
    event_columns, event_values, event_params = rawsql.insert_parts(
        event, replace={"booking_id": "stored.id", "at": "stored.created_at"}
    )
    sql = (
        f"WITH blocked AS ({blocked_sql}), "
        f"stored AS (INSERT INTO {Booking._meta.db_table} ({booking_columns}) SELECT {booking_values} "
        "FROM blocked WHERE NOT blocked.closed AND NOT blocked.taken RETURNING id, created_at), "
        f"event AS (INSERT INTO {BookingEvent._meta.db_table} ({event_columns}) SELECT {event_values} FROM stored) "
        "SELECT blocked.closed, blocked.taken, (SELECT id FROM stored) FROM blocked"
    )
    return sql, [*blocked_params, *booking_params, *event_params]


def slot_conflict(*, resource, user, start, end, code="slot_taken", exclude_booking_id=None) -> ConflictError:
    alternatives = selectors.nearest_alternatives(
        resource=resource,
        start=start,
        end=end,
        user=user,
        exclude_booking_id=exclude_booking_id,
        earliest=timezone.now() + datetime.timedelta(minutes=resource.booking_policy.min_notice_minutes),
    )
    message = (
        _("The resource is unavailable at that time.")
        if code == "unavailable"
        else _("The slot is already taken. Here are the nearest free alternatives.")
    )
    return ConflictError(message, code=code, extra={"alternatives": alternatives_payload(alternatives)})
