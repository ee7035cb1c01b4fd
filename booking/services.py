"""Writes for booking: create, decide, cancel, move, expire, recurring series, qualifications, closures.

The first request stored holds the slot. On PostgreSQL the exclusion constraint
`booking_no_overlapping_active_bookings` makes an overlap impossible whatever the application does; the check
below only gives the friendly answer with alternatives. On SQLite writers are serialised instead.
"""

import contextlib
import datetime
import functools
import logging
import smtplib
import threading
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import emails as booking_emails
from booking import policies, selectors
from booking.choices import (
    ACTIVE_STATUSES,
    Activity,
    BookingAction,
    BookingStatus,
    ConflictMode,
    Frequency,
)
from booking.models import (
    Booking,
    BookingEvent,
    BookingPolicy,
    CalendarFeedToken,
    Closure,
    OutgoingEmail,
    Qualification,
)
from catalogue import roles
from catalogue.choices import AccessModel
from catalogue.models import Resource
from config import rawsql
from config.celery import drain_after_commit
from config.errors import ConflictError, DomainError
from config.policies import require
from pricing.selectors import booking_quote

logger = logging.getLogger(__name__)

OVERLAP_CONSTRAINT = "booking_no_overlapping_active_bookings"
MAX_SERIES_LENGTH = 200


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _alternatives_payload(alternatives) -> list[dict]:
    return [{"start": _iso(s), "end": _iso(e)} for s, e in alternatives]


EMAIL_BATCH_SECONDS = 1.0  # the e-mail task is queued at most once a second per web process
EMAIL_MAX_ATTEMPTS = 5
EMAIL_RETRY_SECONDS = 60  # then 2, 4 and 8 minutes; the sweep runs every minute
EMAIL_LEASE_SECONDS = 600  # an e-mail taken by a sender that died is due again after this
EMAIL_GIVE_UP_HOURS = 24  # an e-mail the mail server could not take for this long is given up
TO_MANAGERS = "to_managers"


def _email_kinds(kind: str) -> list[str]:
    return [kind, TO_MANAGERS] if kind == "requested" else [kind]  # the managers answer a request


def _queue_email(booking_id: int, kind: str) -> None:
    """Put the e-mail in the outbox, in the caller's transaction; it is sent after the commit."""
    _write_outbox(booking_id, _email_kinds(kind))
    _send_emails_after_commit(booking_id)


def _write_outbox(booking_id: int, kinds: list[str]) -> None:
    for kind in kinds:
        rawsql.insert(OutgoingEmail(booking_id=booking_id, kind=kind))


def _send_emails_after_commit(booking_id: int) -> None:
    from booking import tasks

    drain_after_commit(
        tasks.send_queued_emails,
        within=EMAIL_BATCH_SECONDS,
        if_unreachable=lambda: send_queued_emails(booking_ids=[booking_id]),
    )


def _deliver(email: OutgoingEmail, mail_connection) -> None:
    if email.kind == TO_MANAGERS:
        booking_emails.send_request_to_managers(email.booking_id, connection=mail_connection)
    else:
        booking_emails.send_booking_email(email.booking_id, email.kind, connection=mail_connection)


def _refused_for_good(error: Exception) -> bool:
    """This e-mail's own failure: the mail server refused it for good (5xx for its recipients or its content), or
    it could not be made (a rendering error). Anything else – the network, DNS, TLS, a 4xx "try later", a server
    that hangs up – is the mail server's trouble, and every e-mail waits for it alike."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return not isinstance(error, OSError)


def _claim_due_emails(*, booking_ids: list[int] | None, batch: int) -> tuple[list[OutgoingEmail], datetime.datetime]:
    """Take up to `batch` due e-mails, oldest first, and the time their lease runs out: a short transaction locks
    them (a parallel sender skips them, PostgreSQL) and moves their `send_after` to the end of the lease, so that
    they are sent outside any transaction. If the sender dies, what it had not sent is due again after the lease."""
    now = timezone.now()
    leased = now + datetime.timedelta(seconds=EMAIL_LEASE_SECONDS)
    with transaction.atomic():
        due = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(send_after__lte=now)
        if booking_ids is not None:
            due = due.filter(booking_id__in=booking_ids)
        claimed = list(due.order_by("send_after", "id")[:batch])
        OutgoingEmail.objects.filter(pk__in=[email.pk for email in claimed]).update(send_after=leased)
    return claimed, leased


def _renew_lease(email: OutgoingEmail, leased: datetime.datetime) -> datetime.datetime | None:
    """Right before sending: a fresh lease for this e-mail, or None when its lease ran out and another sender has
    taken it meanwhile (then that sender sends it, not this one)."""
    renewed = timezone.now() + datetime.timedelta(seconds=EMAIL_LEASE_SECONDS)
    taken = OutgoingEmail.objects.filter(pk=email.pk, send_after=leased).update(send_after=renewed)
    return renewed if taken else None


def _failed(email: OutgoingEmail, held: datetime.datetime) -> None:
    """This e-mail failed on its own: try again after 1, 2, 4 and 8 minutes, then give up and log it."""
    attempts = email.attempts + 1
    mine = OutgoingEmail.objects.filter(pk=email.pk, send_after=held)
    if attempts >= EMAIL_MAX_ATTEMPTS:
        logger.exception("Booking e-mail %s given up after %d attempts", email, attempts)
        mine.delete()
        return
    logger.warning("Booking e-mail %s failed; trying again later", email, exc_info=True)
    retry_at = timezone.now() + datetime.timedelta(seconds=EMAIL_RETRY_SECONDS * 2 ** (attempts - 1))
    mine.update(attempts=attempts, send_after=retry_at)


def _wait_for_the_mail_server(held: dict[int, datetime.datetime]) -> None:
    """The mail server cannot take e-mails now: all those held wait a minute, without counting an attempt; only one
    that has waited EMAIL_GIVE_UP_HOURS since it was written is given up."""
    now = timezone.now()
    too_old = now - datetime.timedelta(hours=EMAIL_GIVE_UP_HOURS)
    retry_at = now + datetime.timedelta(seconds=EMAIL_RETRY_SECONDS)
    by_lease: dict[datetime.datetime, list[int]] = {}
    for pk, lease in held.items():  # two leases at most: the batch's, and the one renewed for the failed e-mail
        by_lease.setdefault(lease, []).append(pk)
    for lease, pks in by_lease.items():
        mine = OutgoingEmail.objects.filter(pk__in=pks, send_after=lease)
        for email in mine.filter(created_at__lt=too_old):
            logger.error(
                "Booking e-mail %s given up: the mail server could not take it for %d hours", email, EMAIL_GIVE_UP_HOURS
            )
            email.delete()
        mine.update(send_after=retry_at)


def _savepoint_in_a_transaction():
    """In a caller's transaction, a savepoint, so that a database error inside leaves it usable; otherwise nothing
    (no transaction is held open while the mail server is talked to; a single statement is atomic by itself)."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def send_queued_emails(*, booking_ids: list[int] | None = None, batch: int = 100) -> int:
    """Send the due e-mails of the outbox, oldest first, over one connection to the mail server per batch; returns
    how many were sent.

    Each e-mail is deleted as soon as it is sent, so a failure later in the batch never sends it again (inside a
    caller's transaction only when that commits). An e-mail refused for good is tried again after 1, 2, 4 and 8
    minutes, then given up and logged; when the mail server cannot be reached, the whole batch waits a minute,
    without counting it against the e-mails. With `booking_ids`, only those bookings' e-mails (the web process
    sending its own when the broker is down).
    """
    sent = 0
    while True:
        claimed, leased = _claim_due_emails(booking_ids=booking_ids, batch=batch)
        if not claimed:
            return sent
        held = {email.pk: leased for email in claimed}
        mail_connection = get_connection()
        try:
            mail_connection.open()
        except Exception:
            logger.warning("The mail server cannot be reached; %d booking e-mails wait", len(held), exc_info=True)
            _wait_for_the_mail_server(held)
            return sent
        try:
            for email in claimed:
                lease = _renew_lease(email, held.pop(email.pk))
                if lease is None:
                    continue
                try:
                    with _savepoint_in_a_transaction():
                        _deliver(email, mail_connection)
                except Exception as error:
                    if not _refused_for_good(error):
                        logger.warning("The mail server failed; %d booking e-mails wait", len(held) + 1, exc_info=True)
                        _wait_for_the_mail_server({email.pk: lease, **held})
                        return sent
                    _failed(email, lease)
                else:
                    OutgoingEmail.objects.filter(pk=email.pk).delete()
                    sent += 1
        finally:
            mail_connection.close()
        if len(claimed) < batch:
            return sent


def _record(booking: Booking, *, actor, action: str, from_status: str = "", reason: str = "", details=None):
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
def _serialised_in_process():
    """On SQLite, threads of one process also take turns (an in-memory test database has no busy wait)."""
    if connection.vendor != "sqlite":
        yield
        return
    with _sqlite_process_lock:
        yield


class _WriterSerialisation:
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
def _storing_transaction(resource_id: int):
    """The transaction around storing a new booking.

    On PostgreSQL the booking is stored by one statement, atomic by itself: outside a caller's transaction it runs
    in autocommit, one round trip instead of three (BEGIN, the statement, COMMIT). Inside one (a series, an
    Idempotency-Key request) it runs in a savepoint, so that a refusal by the exclusion constraint leaves the
    caller's transaction usable for the 409's alternatives. On SQLite the writers are serialised inside a
    transaction (see _WriterSerialisation).
    """
    if connection.vendor == "postgresql":
        with _savepoint_in_a_transaction():
            yield
        return
    with _serialised_in_process(), transaction.atomic(), _WriterSerialisation(resource_id):
        yield


@dataclass
class BookingRequest:
    resource: Resource
    start: datetime.datetime
    end: datetime.datetime
    activity: str
    access_model: str
    purpose: str = ""


@dataclass
class SeriesResult:
    created: list[Booking] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def check_overlap_in_app() -> bool:
    """The application-level overlap check (friendly 409 with alternatives). The control test turns it off."""
    return True


def _policy(resource: Resource) -> BookingPolicy:
    policy = getattr(resource, "booking_policy", None) if hasattr(resource, "_state") else None
    if policy is None:
        try:
            policy = BookingPolicy.objects.get(resource=resource)
        except BookingPolicy.DoesNotExist:
            policy = None
    if policy is None or not resource.bookable or not resource.is_active:
        raise DomainError(_("This resource cannot be booked."), field="resource", code="not_bookable")
    return policy


def _local_minutes(moment: datetime.datetime, policy: BookingPolicy) -> float:
    local = moment.astimezone(policy.zone)
    return local.hour * 60 + local.minute + local.second / 60


def validate_booking_rules(
    *, policy: BookingPolicy, resource: Resource, user, start, end, activity, access_model, now, check_notice=True
) -> None:
    """Every rule but overlap, in the order a user meets them. Raises DomainError naming the rule."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise DomainError(_("Give times with a UTC offset."), field="start", code="naive_time")
    if end <= start:
        raise DomainError(_("The end must be after the start."), field="end", code="end_before_start")
    if activity not in Activity.values:
        raise DomainError(_("Unknown activity."), field="activity", code="invalid_activity")
    if access_model not in AccessModel.values:
        raise DomainError(_("Unknown access model."), field="access_model", code="invalid_access_model")
    for name, moment in (("start", start), ("end", end)):
        if _local_minutes(moment, policy) % policy.slot_minutes:
            raise DomainError(
                _("Bookings start and end on a %(minutes)d-minute grid.") % {"minutes": policy.slot_minutes},
                field=name,
                code="slot_granularity",
            )
    minutes = (end - start).total_seconds() / 60
    if minutes < policy.min_length_minutes:
        raise DomainError(
            _("A booking lasts at least %(minutes)d minutes.") % {"minutes": policy.min_length_minutes},
            field="end",
            code="min_length",
        )
    if minutes > policy.max_length_minutes:
        raise DomainError(
            _("A booking lasts at most %(minutes)d minutes.") % {"minutes": policy.max_length_minutes},
            field="end",
            code="max_length",
        )
    if check_notice and start < now + datetime.timedelta(minutes=policy.min_notice_minutes):
        raise DomainError(
            _("Book at least %(minutes)d minutes ahead.") % {"minutes": policy.min_notice_minutes},
            field="start",
            code="min_notice",
        )
    if start > now + datetime.timedelta(days=policy.max_advance_days):
        raise DomainError(
            _("Bookings open at most %(days)d days ahead.") % {"days": policy.max_advance_days},
            field="start",
            code="max_advance",
        )
    opening = selectors.opening_intervals(policy, start, end)
    if not any(o_start <= start and end <= o_end for o_start, o_end in opening):
        raise DomainError(_("The resource is open only within its opening hours."), field="start", code="opening_hours")
    if policy.requires_qualification and not selectors.has_valid_qualification(
        user, resource, start.astimezone(policy.zone).date()
    ):
        raise DomainError(
            _("You need a valid qualification (training) for this resource. Request training first."),
            field="resource",
            code="qualification_required",
            extra={"request_training_url": reverse("booking:request_training", args=[resource.pk])},
        )


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
        raise _conflict(resource=resource, user=user, start=start, end=until - policy.buffer, code="unavailable")
    if taken:
        raise _conflict(resource=resource, user=user, start=start, end=until - policy.buffer)


def _check_free(*, resource, policy, user, start, blocked_until, exclude_booking_id=None) -> None:
    """Raise the friendly 409 when a closure that applies to `user`, or an active booking, takes the slot."""
    sql, params = _blocked_sql(
        resource=resource, user=user, start=start, blocked_until=blocked_until, exclude_booking_id=exclude_booking_id
    )
    with rawsql.cursor() as cursor:
        cursor.execute(sql, params)
        closed, taken = cursor.fetchone()
    _raise_if_blocked(closed, taken, resource=resource, policy=policy, user=user, start=start, until=blocked_until)


def _store_new_booking(booking: Booking, *, policy, user, action: str, emails: list[str]) -> None:
    """Check the slot, store the booking, its first history entry and its e-mails (outbox); the friendly 409 when
    the slot is taken.

    On PostgreSQL this is one statement (one round trip, the hot path of every booking): the booking is inserted
    only when nothing blocks it, and the exclusion constraint still refuses a booking that a parallel request
    stored in the meantime. Elsewhere the same steps run one by one inside the caller's transaction.
    """
    resource, start, blocked_until = booking.resource, booking.start, booking.blocked_until
    if connection.vendor != "postgresql":
        _check_free(resource=resource, policy=policy, user=user, start=start, blocked_until=blocked_until)
        rawsql.insert(booking)
        _record(booking, actor=user, action=action)
        _write_outbox(booking.pk, emails)
        return
    sql, params = _store_statement(booking, user=user, action=action, emails=emails)
    with rawsql.cursor() as cursor:
        cursor.execute(sql, params)
        closed, taken, booking_id = cursor.fetchone()
    _raise_if_blocked(closed, taken, resource=resource, policy=policy, user=user, start=start, until=blocked_until)
    booking.pk = booking_id
    booking._state.adding = False
    booking._state.db = connection.alias


# psycopg parses a statement once and keeps it only up to this many parameters (psycopg._queries); a longer one
# is parsed again on every booking, which cost about a tenth of the booking's time in the web process.
STORE_STATEMENT_MAX_PARAMS = 50


def _store_statement(booking: Booking, *, user, action: str, emails: list[str]) -> tuple[str, list]:
    """The PostgreSQL statement that stores a new booking when nothing blocks it, with its history entry and
    e-mails; it answers (closed, taken, the new id). The history entry and the e-mails take their time from the
    stored booking, so that the statement stays within STORE_STATEMENT_MAX_PARAMS."""
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
    email_columns, email_values = _email_insert_parts()
    sql = (
        f"WITH blocked AS ({blocked_sql}), "
        f"stored AS (INSERT INTO {Booking._meta.db_table} ({booking_columns}) SELECT {booking_values} "
        "FROM blocked WHERE NOT blocked.closed AND NOT blocked.taken RETURNING id, created_at), "
        f"event AS (INSERT INTO {BookingEvent._meta.db_table} ({event_columns}) SELECT {event_values} FROM stored), "
        f"email AS (INSERT INTO {OutgoingEmail._meta.db_table} ({email_columns}) SELECT {email_values} "
        "FROM stored, unnest(%s::text[]) AS kinds(kind)) "
        "SELECT blocked.closed, blocked.taken, (SELECT id FROM stored) FROM blocked"
    )
    return sql, [*blocked_params, *booking_params, *event_params, emails]


@functools.cache
def _email_insert_parts() -> tuple[str, str]:
    """The outbox columns and values of the storing statement: every value comes from the stored booking and the
    kinds array, so they take no parameters and are the same for every booking."""
    columns, values, params = rawsql.insert_parts(
        OutgoingEmail(),
        replace={
            "booking_id": "stored.id", "kind": "kinds.kind", "created_at": "stored.created_at",
            "send_after": "stored.created_at", "attempts": "0",
        },
    )  # fmt: skip
    if params:
        raise ImproperlyConfigured("A new OutgoingEmail field needs its value in the storing statement.")
    return columns, values


def _conflict(*, resource, user, start, end, code="slot_taken", exclude_booking_id=None) -> ConflictError:
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
    return ConflictError(message, code=code, extra={"alternatives": _alternatives_payload(alternatives)})


def _payer_fields(user) -> dict:
    """The paying organisation from the user's profile: the company, or the institution."""
    if getattr(user, "is_company", False) or not user.institution_id:
        return {"payer_name": user.company_name, "payer_org_number": user.org_number, "payer_institution": None}
    institution = user.institution
    return {
        "payer_name": institution.name,
        "payer_org_number": institution.org_number,
        "payer_institution": institution,
    }


def _price_fields(*, resource, user, activity, start, end) -> dict:
    quote = booking_quote(resource=resource, user=user, activity=activity, start=start, end=end)
    if quote is None:
        return {}
    return {
        "price_tier": quote.tier,
        "price_unit": quote.unit,
        "unit_price": quote.unit_price,
        "quantity": quote.quantity,
        "net_amount": quote.net_amount,
        "vat_rate": quote.vat_rate,
        "vat_amount": quote.vat_amount,
        "total_amount": quote.total_amount,
        "currency": quote.currency,
        "price_list_id": quote.price_list_id,
        "charged_net_amount": quote.net_amount,
        "charged_vat_amount": quote.vat_amount,
        "charged_total_amount": quote.total_amount,
    }


@transaction.atomic
def record_completed_use(
    *,
    resource: Resource,
    user,
    start: datetime.datetime,
    end: datetime.datetime,
    activity: str,
    access_model: str,
    actor=None,
    purpose: str = "",
) -> Booking:
    """Record a use that has already taken place (agreed by phone, say) as a completed, chargeable booking.

    It is priced like any booking, from the price list valid at its start, and goes to the invoice basis.
    """
    if end <= start:
        raise DomainError(_("The end must be after the start."), field="end", code="end_before_start")
    if end > timezone.now():
        raise DomainError(_("Only uses that have ended can be recorded."), field="end", code="not_ended")
    booking = Booking.objects.create(
        resource=resource, user=user, start=start, end=end, blocked_until=end, status=BookingStatus.COMPLETED,
        activity=activity, access_model=access_model, purpose=purpose, **_payer_fields(user),
        **_price_fields(resource=resource, user=user, activity=activity, start=start, end=end),
    )  # fmt: skip
    _record(booking, actor=actor or user, action=BookingAction.COMPLETED)
    return booking


def create_booking(
    *,
    resource: Resource,
    user,
    start: datetime.datetime,
    end: datetime.datetime,
    activity: str,
    access_model: str,
    purpose: str = "",
    now: datetime.datetime | None = None,
    recurrence_group: uuid.UUID | None = None,
    notify: bool = True,
) -> Booking:
    """Store a booking request. It is confirmed at once unless the resource needs a manager's approval.

    Raises DomainError (400) naming the broken rule, or ConflictError (409) with the nearest free alternatives
    when the slot is taken; the answer never says who holds it.
    """
    now = now or timezone.now()
    policy = _policy(resource)
    validate_booking_rules(
        policy=policy,
        resource=resource,
        user=user,
        start=start,
        end=end,
        activity=activity,
        access_model=access_model,
        now=now,
    )
    needs_approval = policy.requires_approval
    status = BookingStatus.PENDING if needs_approval else BookingStatus.CONFIRMED
    booking = Booking(
        resource=resource,
        user=user,
        start=start,
        end=end,
        blocked_until=end + policy.buffer,
        status=status,
        activity=activity,
        access_model=access_model,
        purpose=purpose,
        recurrence_group=recurrence_group,
        expires_at=min(now + datetime.timedelta(hours=policy.approval_deadline_hours), start)
        if needs_approval
        else None,
        **_payer_fields(user),
        **_price_fields(resource=resource, user=user, activity=activity, start=start, end=end),
    )
    try:
        with _storing_transaction(resource.pk):
            action = BookingAction.REQUESTED if needs_approval else BookingAction.CONFIRMED
            emails = _email_kinds("requested" if needs_approval else "confirmed") if notify else []
            _store_new_booking(booking, policy=policy, user=user, action=action, emails=emails)
            if emails:
                _send_emails_after_commit(booking.pk)
    except IntegrityError as error:
        # Another request was stored first and the database refused ours: the same answer as the check above.
        if OVERLAP_CONSTRAINT in str(error):
            raise _conflict(resource=resource, user=user, start=start, end=end) from error
        raise
    return booking


def expand_recurrence(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    frequency: str,
    until: datetime.date | None = None,
    count: int | None = None,
    zone=None,
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The occurrences of a series, keeping the local wall-clock time across daylight-saving changes."""
    if frequency not in Frequency.values:
        raise DomainError(_("Unknown frequency."), field="frequency", code="invalid_frequency")
    if until is None and count is None:
        raise DomainError(_("Give an end date or a number of occurrences."), field="until", code="series_end")
    if count is not None and count < 1:
        raise DomainError(_("The number must be at least 1."), field="count", code="invalid_count")
    zone = zone or timezone.get_default_timezone()
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    step = datetime.timedelta(days=1 if frequency == Frequency.DAILY else 7)
    occurrences = []
    day_offset = (local_end.date() - local_start.date()).days
    day = local_start.date()
    while len(occurrences) < MAX_SERIES_LENGTH:
        if count is not None and len(occurrences) >= count:
            break
        if until is not None and day > until:
            break
        occurrence_start = datetime.datetime.combine(day, local_start.timetz().replace(tzinfo=None), tzinfo=zone)
        occurrence_end = datetime.datetime.combine(
            day + datetime.timedelta(days=day_offset), local_end.timetz().replace(tzinfo=None), tzinfo=zone
        )
        occurrences.append((occurrence_start.astimezone(datetime.UTC), occurrence_end.astimezone(datetime.UTC)))
        day += step
    return occurrences


def create_recurring_bookings(
    *,
    resource: Resource,
    user,
    start: datetime.datetime,
    end: datetime.datetime,
    frequency: str,
    activity: str,
    access_model: str,
    purpose: str = "",
    until: datetime.date | None = None,
    count: int | None = None,
    mode: str = ConflictMode.ALL_OR_NOTHING,
    now: datetime.datetime | None = None,
) -> SeriesResult:
    """A daily or weekly series. All-or-nothing stores none when one occurrence fails; skip-conflicts stores the
    rest and reports what it skipped and why."""
    if mode not in ConflictMode.values:
        raise DomainError(_("Unknown conflict mode."), field="mode", code="invalid_mode")
    policy = _policy(resource)
    occurrences = expand_recurrence(
        start=start, end=end, frequency=frequency, until=until, count=count, zone=policy.zone
    )
    group = uuid.uuid4()
    result = SeriesResult()
    with transaction.atomic():
        for occurrence_start, occurrence_end in occurrences:
            try:
                with transaction.atomic():
                    booking = create_booking(
                        resource=resource,
                        user=user,
                        start=occurrence_start,
                        end=occurrence_end,
                        activity=activity,
                        access_model=access_model,
                        purpose=purpose,
                        now=now,
                        recurrence_group=group,
                    )
                result.created.append(booking)
            except DomainError as error:
                if mode == ConflictMode.ALL_OR_NOTHING:
                    error.extra = {**error.extra, "occurrence": {"start": _iso(occurrence_start)}}
                    raise
                result.skipped.append(
                    {"start": _iso(occurrence_start), "end": _iso(occurrence_end), "code": error.code,
                     "detail": str(error.message)}
                )  # fmt: skip
    return result


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("resource__facility", "user").get(pk=booking.pk)


def _change_status(
    booking: Booking, *, to: str, actor, action: str, reason: str = "", email: str | None = None,
    extra_fields: tuple[str, ...] = (), details=None,
):  # fmt: skip
    previous = booking.status
    booking.status = to
    if reason:
        booking.decision_reason = reason
    booking.save(update_fields=["status", "decision_reason", "updated_at", *extra_fields])
    _record(booking, actor=actor, action=action, from_status=previous, reason=reason, details=details)
    if email:
        _queue_email(booking.pk, email)
    return booking


@transaction.atomic
def approve_booking(*, booking: Booking, actor, reason: str = "") -> Booking:
    """A manager confirms a pending request."""
    booking = _locked(booking)
    require(policies.can_decide_booking, actor, booking)
    if booking.status != BookingStatus.PENDING:
        raise ConflictError(_("Only pending requests can be approved."), code="not_pending")
    return _change_status(
        booking, to=BookingStatus.CONFIRMED, actor=actor, action=BookingAction.APPROVED, reason=reason,
        email="confirmed",
    )  # fmt: skip


@transaction.atomic
def reject_booking(*, booking: Booking, actor, reason: str) -> Booking:
    """A manager turns down a pending request; the reason is sent to the user."""
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the rejection."), field="reason", code="reason_required")
    booking = _locked(booking)
    require(policies.can_decide_booking, actor, booking)
    if booking.status != BookingStatus.PENDING:
        raise ConflictError(_("Only pending requests can be rejected."), code="not_pending")
    return _change_status(
        booking, to=BookingStatus.REJECTED, actor=actor, action=BookingAction.REJECTED, reason=reason.strip(),
        email="rejected",
    )  # fmt: skip


@transaction.atomic
def decide_bookings(*, booking_ids: list[int], actor, approve: bool, reason: str = "") -> list[Booking]:
    """Approve or reject many pending requests at once; all or none."""
    if not approve and not (reason or "").strip():
        raise DomainError(_("Give a reason for the rejection."), field="reason", code="reason_required")
    decided = []
    for booking in Booking.objects.filter(pk__in=booking_ids).order_by("pk"):
        if approve:
            decided.append(approve_booking(booking=booking, actor=actor, reason=reason))
        else:
            decided.append(reject_booking(booking=booking, actor=actor, reason=reason))
    return decided


@transaction.atomic
def cancel_booking(
    *, booking: Booking, actor, reason: str = "", charge_late: bool = False, now: datetime.datetime | None = None
) -> Booking:
    """Users cancel their own bookings, managers any booking at their facilities; the charge follows the rules.

    What is charged after a cancellation comes from the resource's cancellation deadline
    (booking.accounting.cancellation_charge): nothing before the deadline, the late share
    (ACCOUNTING_LATE_CANCELLATION_SHARE, the full price unless configured) after it. A pending request was never
    confirmed, so withdrawing it is free. A manager who cancels for the facility's own reasons charges nothing,
    unless `charge_late` says the user asked for it late.
    """
    from booking.accounting import cancellation_charge

    now = now or timezone.now()
    booking = _locked(booking)
    require(policies.can_cancel_booking, actor, booking)
    own = booking.user_id == getattr(actor, "pk", None)
    if booking.status not in ACTIVE_STATUSES:
        raise ConflictError(_("Only pending or confirmed bookings can be cancelled."), code="not_active")
    policy = BookingPolicy.objects.filter(resource_id=booking.resource_id).first()
    deadline_hours = policy.cancellation_deadline_hours if policy else 0
    free = booking.status == BookingStatus.PENDING or (not own and not charge_late)
    charge = cancellation_charge(booking, now, deadline_hours, late_share=0 if free else None)
    booking.charged_net_amount = charge.net_amount
    booking.charged_vat_amount = charge.vat_amount
    booking.charged_total_amount = charge.total_amount
    return _change_status(
        booking, to=BookingStatus.CANCELLED, actor=actor, action=BookingAction.CANCELLED, reason=reason,
        email="cancelled", extra_fields=("charged_net_amount", "charged_vat_amount", "charged_total_amount"),
        details={"charged_total": None if charge.total_amount is None else str(charge.total_amount)},
    )  # fmt: skip


def move_booking(
    *, booking: Booking, actor, start: datetime.datetime, end: datetime.datetime, reason: str = ""
) -> Booking:
    """A manager moves an active booking to another time on the same resource (rules apart from notice apply)."""
    with _serialised_in_process():  # like create_booking: threads of one process take turns on SQLite
        return _move_booking(booking=booking, actor=actor, start=start, end=end, reason=reason)


@transaction.atomic
def _move_booking(*, booking: Booking, actor, start, end, reason) -> Booking:
    booking = _locked(booking)
    require(policies.can_move_booking, actor, booking)
    if booking.status not in ACTIVE_STATUSES:
        raise ConflictError(_("Only pending or confirmed bookings can be moved."), code="not_active")
    resource = booking.resource
    policy = _policy(resource)
    validate_booking_rules(
        policy=policy, resource=resource, user=booking.user, start=start, end=end, activity=booking.activity,
        access_model=booking.access_model, now=timezone.now(), check_notice=False,
    )  # fmt: skip
    old = {"start": _iso(booking.start), "end": _iso(booking.end)}
    with _WriterSerialisation(resource.pk):
        blocked_until = end + policy.buffer
        _check_free(
            resource=resource, policy=policy, user=booking.user, start=start, blocked_until=blocked_until,
            exclude_booking_id=booking.pk,
        )  # fmt: skip
        booking.start, booking.end, booking.blocked_until = start, end, blocked_until
        try:
            with transaction.atomic():
                booking.save(update_fields=["start", "end", "blocked_until", "updated_at"])
        except IntegrityError as error:
            if OVERLAP_CONSTRAINT in str(error):
                raise _conflict(resource=resource, user=booking.user, start=start, end=end) from error
            raise
        _record(
            booking, actor=actor, action=BookingAction.MOVED, from_status=booking.status, reason=reason,
            details={"from": old, "to": {"start": _iso(start), "end": _iso(end)}},
        )  # fmt: skip
    return booking


def expire_pending_bookings(*, now: datetime.datetime | None = None) -> int:
    """Release the slots of pending requests that no manager answered in time. Run periodically."""
    now = now or timezone.now()
    expired = 0
    for pk in Booking.objects.filter(status=BookingStatus.PENDING, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().get(pk=pk)
            if booking.status != BookingStatus.PENDING:
                continue
            _change_status(
                booking, to=BookingStatus.EXPIRED, actor=None, action=BookingAction.EXPIRED,
                reason=_("No manager answered before the deadline."), email="expired",
            )  # fmt: skip
            expired += 1
    return expired


@transaction.atomic
def complete_booking(*, booking: Booking, actor, no_show: bool = False) -> Booking:
    """A manager records that a confirmed booking took place, or that the user did not turn up."""
    booking = _locked(booking)
    require(policies.can_complete_booking, actor, booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise ConflictError(_("Only confirmed bookings can be completed."), code="not_confirmed")
    if booking.start > timezone.now():
        raise DomainError(_("The booking has not started yet."), field="start", code="not_started")
    return _change_status(
        booking,
        to=BookingStatus.NO_SHOW if no_show else BookingStatus.COMPLETED,
        actor=actor,
        action=BookingAction.NO_SHOW if no_show else BookingAction.COMPLETED,
    )


def send_due_reminders(*, now: datetime.datetime | None = None) -> int:
    """Queue a reminder for each confirmed booking that starts tomorrow (local time) and has none yet."""
    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    tomorrow = now.astimezone(zone).date() + datetime.timedelta(days=1)
    day_start = datetime.datetime.combine(tomorrow, datetime.time(), tzinfo=zone)
    day_end = day_start + datetime.timedelta(days=1)
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED, start__gte=day_start, start__lt=day_end, reminder_sent_at__isnull=True
    )
    sent = 0
    with transaction.atomic():
        for pk in list(due.values_list("pk", flat=True)):
            Booking.objects.filter(pk=pk).update(reminder_sent_at=now)
            _queue_email(pk, "reminder")
            sent += 1
    return sent


# --- qualifications, closures, policies, feeds --------------------------------------------------------------


@transaction.atomic
def grant_qualification(*, user, resource: Resource, actor, expires_on: datetime.date | None = None) -> Qualification:
    """A manager records that `user` is trained for `resource` (renewing an existing qualification)."""
    require(policies.can_manage_calendar, actor, resource)
    qualification, _created = Qualification.objects.update_or_create(
        user=user, resource=resource, defaults={"expires_on": expires_on, "granted_by": actor}
    )
    return qualification


@transaction.atomic
def revoke_qualification(*, qualification: Qualification, actor) -> None:
    require(policies.can_manage_calendar, actor, qualification.resource)
    qualification.delete()


@transaction.atomic
def create_closure(*, resource: Resource, actor, kind: str, start, end, internal_note: str = "") -> Closure:
    """Close a resource for a period. Existing bookings stay; the manager moves or cancels them."""
    require(policies.can_manage_calendar, actor, resource)
    if end <= start:
        raise DomainError(_("The end must be after the start."), field="end", code="end_before_start")
    closure = Closure(resource=resource, kind=kind, start=start, end=end, internal_note=internal_note, created_by=actor)
    closure.full_clean()
    closure.save()
    return closure


def renew_feed_token(*, user, facility=None) -> CalendarFeedToken:
    """A new secret for a private feed; the old address stops working at once."""
    from booking.models import new_feed_token

    token, created = CalendarFeedToken.objects.get_or_create(user=user, facility=facility)
    if not created:
        token.token = new_feed_token()
        token.save(update_fields=["token"])
    return token


def feed_token(*, user, facility=None) -> CalendarFeedToken:
    token, _created = CalendarFeedToken.objects.get_or_create(user=user, facility=facility)
    return token


def facility_feed_tokens(*, user, facilities) -> dict[int, CalendarFeedToken]:
    """The user's feed token for each facility, by facility id, made where missing: two queries however many
    facilities (a parallel request that made one first wins; its token is the one returned)."""
    facility_ids = [facility.pk for facility in facilities]
    found = {t.facility_id: t for t in CalendarFeedToken.objects.filter(user=user, facility_id__in=facility_ids)}
    missing = [pk for pk in facility_ids if pk not in found]
    if missing:
        CalendarFeedToken.objects.bulk_create(
            [CalendarFeedToken(user=user, facility_id=pk) for pk in missing], ignore_conflicts=True
        )
        found.update((t.facility_id, t) for t in CalendarFeedToken.objects.filter(user=user, facility_id__in=missing))
    return found
