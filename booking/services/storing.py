"""Storing a new booking: the slot check, the insert, its history entry and e-mails.

The first request stored holds the slot. On PostgreSQL the exclusion constraint
`booking_no_overlapping_active_bookings` makes an overlap impossible whatever the application does; the check
here only gives the friendly answer with alternatives. On SQLite writers are serialised instead. The SQL of the
booking path is in booking.fastpath.
"""

import contextlib
import datetime
import threading

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import fastpath, selectors
from booking.emails import outbox_write
from booking.models import Booking, BookingEvent
from catalogue import roles
from core.dates import iso_utc
from core.errors import ConflictError

OVERLAP_CONSTRAINT = "booking_no_overlapping_active_bookings"


def alternatives_payload(alternatives) -> list[dict]:
    return [{"start": iso_utc(s), "end": iso_utc(e)} for s, e in alternatives]


def booking_event_record(
    booking: Booking, *, actor, action: str, from_status: str = "", reason: str = "", details=None
) -> None:
    """Add an entry to the booking's history."""
    BookingEvent.objects.create(
        booking=booking,
        actor=actor if roles.is_authenticated(actor) else None,
        action=action,
        from_status=from_status,
        to_status=booking.status,
        reason=reason,
        details=details or {},
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
    """The transaction around storing a new booking: the booking, its first history entry and its e-mails are
    stored together or not at all.

    Inside a caller's transaction (a series, an Idempotency-Key request) it is a savepoint, so that a refusal by
    the exclusion constraint leaves the caller's transaction usable for the 409's alternatives. On SQLite the
    writers are serialised as well (see WriterSerialisation).
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            yield
        return
    with serialised_in_process(), transaction.atomic(), WriterSerialisation(resource_id):
        yield


def overlap_checked_in_app() -> bool:
    """The application-level overlap check (friendly 409 with alternatives). The control test turns it off."""
    return True


def _raise_if_blocked(closed: bool, taken: bool, *, resource, policy, user, start, until) -> None:
    if closed:
        raise slot_conflict(resource=resource, user=user, start=start, end=until - policy.buffer, code="unavailable")
    if taken:
        raise slot_conflict(resource=resource, user=user, start=start, end=until - policy.buffer)


def slot_check_free(*, resource, policy, user, start, blocked_until, exclude_booking_id=None) -> None:
    """Raise the friendly 409 when a closure that applies to `user`, or an active booking, takes the slot."""
    closed, taken = fastpath.slot_blocked(
        resource_id=resource.pk, closure_kinds=selectors.blocking_closure_kinds(user, resource), start=start,
        blocked_until=blocked_until, exclude_booking_id=exclude_booking_id, count_bookings=overlap_checked_in_app(),
    )  # fmt: skip
    _raise_if_blocked(closed, taken, resource=resource, policy=policy, user=user, start=start, until=blocked_until)


def booking_store_new(booking: Booking, *, policy, user, action: str, emails: list[str]) -> Booking:
    """Check the slot, store the booking, its first history entry and its e-mails (outbox); the stored booking,
    or the friendly 409 when the slot is taken. Run it in storing_transaction.

    On PostgreSQL the check and the two inserts are one statement (booking.fastpath): the booking is inserted only
    when nothing blocks it, and the exclusion constraint still refuses a booking that a parallel request stored in
    the meantime. On SQLite the same steps run one by one, with the writers serialised.
    """
    resource, start, blocked_until = booking.resource, booking.start, booking.blocked_until
    if connection.vendor == "postgresql":
        event = BookingEvent(
            actor=user if roles.is_authenticated(user) else None, action=action, to_status=booking.status
        )
        closed, taken, stored = fastpath.booking_insert_if_free(
            booking, event=event, closure_kinds=selectors.blocking_closure_kinds(user, resource),
            count_bookings=overlap_checked_in_app(),
        )  # fmt: skip
        _raise_if_blocked(closed, taken, resource=resource, policy=policy, user=user, start=start, until=blocked_until)
        booking = stored
    else:
        slot_check_free(resource=resource, policy=policy, user=user, start=start, blocked_until=blocked_until)
        booking.save()
        booking_event_record(booking, actor=user, action=action)
    if emails:
        outbox_write(booking.pk, emails)
    return booking


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
