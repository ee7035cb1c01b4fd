"""Writes for bookings: create, series, decide, cancel, move, expire, use (complete, no-show, adjust), reminders."""

import datetime
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import payer_for
from booking import policies
from booking.choices import (
    ACTIVE_STATUSES,
    USE_RECORDED_STATUSES,
    BookingAction,
    BookingStatus,
    ConflictMode,
)
from booking.emails import email_kinds, outbox_write
from booking.models import (
    Booking,
    BookingPolicy,
)
from booking.selectors import use_window_closes
from booking.services.rules import booking_rules_validate, recurrence_expand, resource_bookability
from booking.services.storing import (
    OVERLAP_CONSTRAINT,
    WriterSerialisation,
    booking_event_record,
    booking_store_new,
    serialised_in_process,
    slot_check_free,
    slot_conflict,
    storing_transaction,
)
from catalogue.models import Resource
from core.dates import iso_utc
from core.errors import ConflictError, DomainError
from core.policies import require
from pricing.charges import cancellation_charge
from pricing.selectors import booking_quote


@dataclass
class SeriesResult:
    created: list[Booking] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def _payer_fields(user, organisation=None) -> dict:
    """The payer from verified facts (accounts.selectors.payer_for): an organisation the user is an approved
    member of, the institution of a verified affiliation, else the user by name. Naming an organisation the user
    is not an approved member of is refused (403 not_a_member)."""
    payer = payer_for(user, organisation)
    return {
        "payer_name": payer.name[:200],
        "payer_org_number": payer.org_number,
        "payer_institution": payer.institution,
        "payer_organisation": payer.organisation,
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
    }


CHARGED_FIELDS = ("charged_net_amount", "charged_vat_amount", "charged_total_amount")


def _charge_the_snapshot(booking: Booking) -> None:
    """Its use is recorded: what it is charged is its price (nothing without one)."""
    booking.charged_net_amount = booking.net_amount
    booking.charged_vat_amount = booking.vat_amount
    booking.charged_total_amount = booking.total_amount


@transaction.atomic
def completed_use_record(
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
    booking = Booking(
        resource=resource, user=user, start=start, end=end, blocked_until=end, status=BookingStatus.COMPLETED,
        activity=activity, access_model=access_model, purpose=purpose, **_payer_fields(user),
        **_price_fields(resource=resource, user=user, activity=activity, start=start, end=end),
    )  # fmt: skip
    _charge_the_snapshot(booking)
    booking.save()
    booking_event_record(booking, actor=actor or user, action=BookingAction.COMPLETED)
    return booking


def booking_create(
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
    organisation=None,
) -> Booking:
    """Store a booking request. It is confirmed at once unless the resource needs a manager's approval.

    Raises DomainError (400) naming the broken rule, or ConflictError (409) with the nearest free alternatives
    when the slot is taken; the answer never says who holds it.
    """
    require(policies.can_book, user, resource)
    now = now or timezone.now()
    policy = resource_bookability(resource, user)
    booking_rules_validate(
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
        **_payer_fields(user, organisation),
        **_price_fields(resource=resource, user=user, activity=activity, start=start, end=end),
    )
    try:
        with storing_transaction(resource.pk):
            action = BookingAction.REQUESTED if needs_approval else BookingAction.CONFIRMED
            emails = email_kinds("requested" if needs_approval else "confirmed") if notify else []
            booking = booking_store_new(booking, policy=policy, user=user, action=action, emails=emails)
    except IntegrityError as error:
        # Another request was stored first and the database refused ours: the same answer as the check above.
        if OVERLAP_CONSTRAINT in str(error):
            raise slot_conflict(resource=resource, user=user, start=start, end=end) from error
        raise
    return booking


def booking_series_create(
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
    require(policies.can_book, user, resource)
    if mode not in ConflictMode.values:
        raise DomainError(_("Unknown conflict mode."), field="mode", code="invalid_mode")
    policy = resource_bookability(resource, user)
    occurrences = recurrence_expand(
        start=start, end=end, frequency=frequency, until=until, count=count, zone=policy.zone
    )
    group = uuid.uuid4()
    result = SeriesResult()
    with transaction.atomic():
        for occurrence_start, occurrence_end in occurrences:
            try:
                with transaction.atomic():
                    booking = booking_create(
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
                    error.extra = {**error.extra, "occurrence": {"start": iso_utc(occurrence_start)}}
                    raise
                result.skipped.append(
                    {"start": iso_utc(occurrence_start), "end": iso_utc(occurrence_end), "code": error.code,
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
    booking_event_record(booking, actor=actor, action=action, from_status=previous, reason=reason, details=details)
    if email:
        outbox_write(booking.pk, email_kinds(email))
    return booking


@transaction.atomic
def booking_approve(*, booking: Booking, actor, reason: str = "") -> Booking:
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
def booking_reject(*, booking: Booking, actor, reason: str) -> Booking:
    """A manager turns down a pending request; the reason is sent to the user."""
    booking = _locked(booking)
    require(policies.can_decide_booking, actor, booking)
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the rejection."), field="reason", code="reason_required")
    if booking.status != BookingStatus.PENDING:
        raise ConflictError(_("Only pending requests can be rejected."), code="not_pending")
    return _change_status(
        booking, to=BookingStatus.REJECTED, actor=actor, action=BookingAction.REJECTED, reason=reason.strip(),
        email="rejected",
    )  # fmt: skip


@transaction.atomic
def bookings_decide(*, booking_ids: list[int], actor, approve: bool, reason: str = "") -> list[Booking]:
    """Approve or reject many pending requests at once; all or none."""
    if not approve and not (reason or "").strip():
        raise DomainError(_("Give a reason for the rejection."), field="reason", code="reason_required")
    decided = []
    for booking in Booking.objects.filter(pk__in=booking_ids).order_by("pk"):
        if approve:
            decided.append(booking_approve(booking=booking, actor=actor, reason=reason))
        else:
            decided.append(booking_reject(booking=booking, actor=actor, reason=reason))
    return decided


@transaction.atomic
def booking_cancel(
    *, booking: Booking, actor, reason: str = "", charge_late: bool = False, now: datetime.datetime | None = None
) -> Booking:
    """Users cancel their own bookings, managers any booking at their facilities; the charge follows the rules.

    What is charged after a cancellation comes from the resource's cancellation deadline
    (pricing.charges.cancellation_charge): nothing before the deadline, the late share
    (ACCOUNTING_LATE_CANCELLATION_SHARE, the full price unless configured) after it. A pending request was never
    confirmed, so withdrawing it is free. A manager who cancels for the facility's own reasons charges nothing,
    unless `charge_late` says the user asked for it late.
    """
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


def booking_move(
    *, booking: Booking, actor, start: datetime.datetime, end: datetime.datetime, reason: str = ""
) -> Booking:
    """A manager moves an active booking to another time on the same resource (rules apart from notice apply)."""
    with serialised_in_process():  # like booking_create: threads of one process take turns on SQLite
        return _booking_move(booking=booking, actor=actor, start=start, end=end, reason=reason)


@transaction.atomic
def _booking_move(*, booking: Booking, actor, start, end, reason) -> Booking:
    booking = _locked(booking)
    require(policies.can_move_booking, actor, booking)
    if booking.status not in ACTIVE_STATUSES:
        raise ConflictError(_("Only pending or confirmed bookings can be moved."), code="not_active")
    resource = booking.resource
    policy = resource_bookability(resource, booking.user)  # the resource may have been taken out of use since
    booking_rules_validate(
        policy=policy, resource=resource, user=booking.user, start=start, end=end, activity=booking.activity,
        access_model=booking.access_model, now=timezone.now(), check_notice=False,
    )  # fmt: skip
    old = {"start": iso_utc(booking.start), "end": iso_utc(booking.end)}
    with WriterSerialisation(resource.pk):
        blocked_until = end + policy.buffer
        slot_check_free(
            resource=resource, policy=policy, user=booking.user, start=start, blocked_until=blocked_until,
            exclude_booking_id=booking.pk,
        )  # fmt: skip
        booking.start, booking.end, booking.blocked_until = start, end, blocked_until
        try:
            with transaction.atomic():
                booking.save(update_fields=["start", "end", "blocked_until", "updated_at"])
        except IntegrityError as error:
            if OVERLAP_CONSTRAINT in str(error):
                raise slot_conflict(resource=resource, user=booking.user, start=start, end=end) from error
            raise
        booking_event_record(
            booking, actor=actor, action=BookingAction.MOVED, from_status=booking.status, reason=reason,
            details={"from": old, "to": {"start": iso_utc(start), "end": iso_utc(end)}},
        )  # fmt: skip
    return booking


def pending_bookings_expire(*, now: datetime.datetime | None = None) -> int:
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


# --- Use: completed, no-show, adjusted ---------------------------------------------------------------------------
# A confirmed booking is completed on its own once it has ended (bookings_complete_due, a periodic task). Until
# BOOKING_USE_ADJUSTMENT_WORKING_DAYS working days after its end (Norwegian holidays excluded) the facility's
# managers may still say what really happened: completed, no-show, or the time actually used (quoted again by
# pricing). After that window the use is final.


def _use_window_check(booking: Booking, now: datetime.datetime) -> None:
    if now >= use_window_closes(booking):  # booking.selectors: BOOKING_USE_ADJUSTMENT_WORKING_DAYS after the end
        raise ConflictError(
            _(
                "The use of this booking can no longer be changed: corrections are taken until %(days)s working "
                "days after its end."
            )
            % {"days": settings.BOOKING_USE_ADJUSTMENT_WORKING_DAYS},
            field="status",
            code="use_window_closed",
        )


def _use_started_check(booking: Booking, now: datetime.datetime) -> None:
    if booking.start > now:
        raise DomainError(_("The booking has not started yet."), field="start", code="not_started")


@transaction.atomic
def booking_complete(*, booking: Booking, actor, now: datetime.datetime | None = None) -> Booking:
    """A manager records that a booking took place, at its booked price: a confirmed booking once it has started,
    or one marked as a no-show by mistake, within the correction window."""
    now = now or timezone.now()
    booking = _locked(booking)
    require(policies.can_complete_booking, actor, booking)
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW):
        raise ConflictError(
            _("Only confirmed bookings and no-shows can be marked as completed."), field="status",
            code="not_confirmed",
        )  # fmt: skip
    _use_started_check(booking, now)
    if booking.status == BookingStatus.NO_SHOW:
        _use_window_check(booking, now)
    _charge_the_snapshot(booking)
    return _change_status(
        booking, to=BookingStatus.COMPLETED, actor=actor, action=BookingAction.COMPLETED,
        extra_fields=CHARGED_FIELDS, details={"charged_total": _text(booking.charged_total_amount)},
    )  # fmt: skip


@transaction.atomic
def booking_no_show_mark(*, booking: Booking, actor, reason: str = "", now: datetime.datetime | None = None) -> Booking:
    """A manager records that the user did not turn up: after the start of a confirmed booking, or within the
    correction window for one completed already. The slot was held, so the booked price is charged."""
    now = now or timezone.now()
    booking = _locked(booking)
    require(policies.can_mark_no_show, actor, booking)
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        raise ConflictError(
            _("Only confirmed or completed bookings can be marked as no-shows."), field="status",
            code="not_confirmed",
        )  # fmt: skip
    _use_started_check(booking, now)
    _use_window_check(booking, now)
    _charge_the_snapshot(booking)
    return _change_status(
        booking, to=BookingStatus.NO_SHOW, actor=actor, action=BookingAction.NO_SHOW, reason=(reason or "").strip(),
        extra_fields=CHARGED_FIELDS, details={"charged_total": _text(booking.charged_total_amount)},
    )  # fmt: skip


@transaction.atomic
def booking_use_adjust(
    *, booking: Booking, actor, end: datetime.datetime, reason: str, now: datetime.datetime | None = None
) -> Booking:
    """A manager records the time actually used: the booking ends at `end` and is completed, priced again by
    pricing for the new period (pricing.selectors.booking_quote). Within the correction window only, with a
    reason; the end is after the start and not in the future."""
    now = now or timezone.now()
    if not (reason or "").strip():
        raise DomainError(_("Say why the used time differs."), field="reason", code="reason_required")
    if timezone.is_naive(end):
        raise DomainError(_("Give the time with a UTC offset."), field="end", code="naive_time")
    booking = _locked(booking)
    require(policies.can_adjust_use, actor, booking)
    if booking.status not in (BookingStatus.CONFIRMED, *USE_RECORDED_STATUSES):
        raise ConflictError(
            _("Only the use of a confirmed, completed or no-show booking can be adjusted."), field="status",
            code="not_confirmed",
        )  # fmt: skip
    _use_started_check(booking, now)
    _use_window_check(booking, now)
    if end <= booking.start:
        raise DomainError(_("The used time must end after the booking's start."), field="end", code="end_before_start")
    if end > now:
        raise DomainError(_("The used time cannot end in the future."), field="end", code="in_the_future")
    old_end = booking.end
    quote = _price_fields(
        resource=booking.resource, user=booking.user, activity=booking.activity, start=booking.start, end=end
    )
    for name in PRICE_SNAPSHOT_FIELDS:  # without a price list for its start: no price, as when it was booked
        setattr(booking, name, quote.get(name, "" if name in ("price_tier", "price_unit") else None))
    booking.end = booking.blocked_until = end
    _charge_the_snapshot(booking)
    return _change_status(
        booking, to=BookingStatus.COMPLETED, actor=actor, action=BookingAction.USE_ADJUSTED, reason=reason.strip(),
        extra_fields=("end", "blocked_until", *PRICE_SNAPSHOT_FIELDS, *CHARGED_FIELDS),
        details={"booked_end": iso_utc(old_end), "used_end": iso_utc(end),
                 "charged_total": _text(booking.charged_total_amount)},
    )  # fmt: skip


PRICE_SNAPSHOT_FIELDS = (
    "price_tier", "price_unit", "unit_price", "quantity", "net_amount", "vat_rate", "vat_amount", "total_amount",
    "price_list_id",
)  # fmt: skip


def _text(amount) -> str | None:
    return None if amount is None else str(amount)


USE_ACTIONS = ("complete", "no_show", "adjust")


@transaction.atomic
def bookings_use_record(
    *, actor, decisions: list[tuple[int, str, datetime.datetime | None]], reason: str = "",
    now: datetime.datetime | None = None,
) -> list[Booking]:
    """The manager's use page in one go: for each (booking id, action, used end) mark completed ("complete"),
    no-show ("no_show") or adjust the used time ("adjust", with its end and the shared reason). All or none."""
    now = now or timezone.now()
    done = []
    for booking_id, action, end in sorted(decisions, key=lambda decision: decision[0]):
        booking = Booking.objects.filter(pk=booking_id).first()
        if booking is None:
            raise DomainError(_("Unknown booking."), field="ids", code="not_found")
        if action == "complete":
            done.append(booking_complete(booking=booking, actor=actor, now=now))
        elif action == "no_show":
            done.append(booking_no_show_mark(booking=booking, actor=actor, reason=reason, now=now))
        elif action == "adjust":
            if end is None:
                raise DomainError(
                    _("Give the used time of booking %(id)s.") % {"id": booking_id}, field="used_minutes",
                    code="required",
                )  # fmt: skip
            done.append(booking_use_adjust(booking=booking, actor=actor, end=end, reason=reason, now=now))
        else:
            raise DomainError(_("Unknown action."), field="action", code="invalid_choice")
    return done


def bookings_complete_due(*, now: datetime.datetime | None = None) -> int:
    """Complete every confirmed booking that has ended, at its booked price (run periodically); managers may
    still correct the use within the window. Pending requests are never completed: they expire."""
    now = now or timezone.now()
    completed = 0
    due = Booking.objects.filter(status=BookingStatus.CONFIRMED, end__lte=now).order_by("end", "pk")
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().get(pk=pk)
            if booking.status != BookingStatus.CONFIRMED or booking.end > now:
                continue
            _charge_the_snapshot(booking)
            _change_status(
                booking, to=BookingStatus.COMPLETED, actor=None, action=BookingAction.COMPLETED,
                extra_fields=CHARGED_FIELDS, details={"charged_total": _text(booking.charged_total_amount)},
            )  # fmt: skip
            completed += 1
    return completed


def booking_reminders_send(*, now: datetime.datetime | None = None) -> int:
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
            outbox_write(pk, email_kinds("reminder"))
            sent += 1
    return sent
