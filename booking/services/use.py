"""Writes for the use of bookings: completed, no-show, adjusted, and uses recorded after the fact.

A confirmed booking is completed on its own once it has ended (bookings_complete_due, a periodic task). Until
BOOKING_USE_ADJUSTMENT_WORKING_DAYS working days after its end (Norwegian holidays excluded) the facility's
managers may still say what really happened: completed, no-show, or the time actually used (quoted again by
pricing). After that window the use is final.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import policies
from booking.choices import USE_RECORDED_STATUSES, BookingAction, BookingStatus
from booking.models import Booking
from booking.selectors import use_window_closes
from booking.services.changes import (
    PRICE_SNAPSHOT_FIELDS,
    booking_lock,
    booking_price_again,
    booking_status_change,
    payer_fields,
    price_fields,
)
from booking.services.storing import booking_event_record
from catalogue.models import Resource
from core.dates import iso_utc
from core.errors import ConflictError, DomainError
from core.policies import require

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
    access_model: str,
    activity: str | None = None,
    collaboration_agreement: int | None = None,
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
        access_model=access_model, purpose=purpose, **payer_fields(user),
        **price_fields(
            resource=resource, user=user, access_model=access_model, start=start, end=end, activity=activity,
            collaboration_agreement=collaboration_agreement,
        ),
    )  # fmt: skip
    _charge_the_snapshot(booking)
    booking.save()
    booking_event_record(booking, actor=actor or user, action=BookingAction.COMPLETED)
    return booking


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
    booking = booking_lock(booking)
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
    return booking_status_change(
        booking, to=BookingStatus.COMPLETED, actor=actor, action=BookingAction.COMPLETED,
        extra_fields=CHARGED_FIELDS, details={"charged_total": _text(booking.charged_total_amount)},
    )  # fmt: skip


@transaction.atomic
def booking_no_show_mark(*, booking: Booking, actor, reason: str = "", now: datetime.datetime | None = None) -> Booking:
    """A manager records that the user did not turn up: after the start of a confirmed booking, or within the
    correction window for one completed already. The slot was held, so the booked price is charged."""
    now = now or timezone.now()
    booking = booking_lock(booking)
    require(policies.can_mark_no_show, actor, booking)
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        raise ConflictError(
            _("Only confirmed or completed bookings can be marked as no-shows."), field="status",
            code="not_confirmed",
        )  # fmt: skip
    _use_started_check(booking, now)
    _use_window_check(booking, now)
    _charge_the_snapshot(booking)
    return booking_status_change(
        booking, to=BookingStatus.NO_SHOW, actor=actor, action=BookingAction.NO_SHOW, reason=(reason or "").strip(),
        extra_fields=CHARGED_FIELDS, details={"charged_total": _text(booking.charged_total_amount)},
    )  # fmt: skip


@transaction.atomic
def booking_use_adjust(
    *, booking: Booking, actor, end: datetime.datetime, reason: str, now: datetime.datetime | None = None
) -> Booking:
    """A manager records the time actually used: the booking ends at `end` and is completed, priced again by
    pricing for the new period (pricing.selectors.booking_quote). Within the correction window only, with a
    reason; the end is after the start and not in the future. A price agreed in intake stays as agreed."""
    now = now or timezone.now()
    if not (reason or "").strip():
        raise DomainError(_("Say why the used time differs."), field="reason", code="reason_required")
    if timezone.is_naive(end):
        raise DomainError(_("Give the time with a UTC offset."), field="end", code="naive_time")
    booking = booking_lock(booking)
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
    booking_price_again(booking, start=booking.start, end=end)
    booking.end = booking.blocked_until = end
    _charge_the_snapshot(booking)
    return booking_status_change(
        booking, to=BookingStatus.COMPLETED, actor=actor, action=BookingAction.USE_ADJUSTED, reason=reason.strip(),
        extra_fields=("end", "blocked_until", *PRICE_SNAPSHOT_FIELDS, *CHARGED_FIELDS),
        details={"booked_end": iso_utc(old_end), "used_end": iso_utc(end),
                 "charged_total": _text(booking.charged_total_amount)},
    )  # fmt: skip


def _text(amount) -> str | None:
    return None if amount is None else str(amount)


@transaction.atomic
def bookings_use_record(
    *,
    actor,
    decisions: list[tuple[int, str, datetime.datetime | None]],
    reason: str = "",
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
            booking_status_change(
                booking, to=BookingStatus.COMPLETED, actor=None, action=BookingAction.COMPLETED,
                extra_fields=CHARGED_FIELDS, details={"charged_total": _text(booking.charged_total_amount)},
            )  # fmt: skip
            completed += 1
    return completed
