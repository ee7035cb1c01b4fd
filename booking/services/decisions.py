"""Writes for deciding bookings: a manager approves or rejects pending requests; unanswered ones expire."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import policies
from booking.choices import BookingAction, BookingStatus
from booking.models import Booking
from booking.services.changes import booking_lock, booking_status_change
from core.errors import ConflictError, DomainError
from core.policies import require


@transaction.atomic
def booking_approve(*, booking: Booking, actor, reason: str = "") -> Booking:
    """A manager confirms a pending request."""
    booking = booking_lock(booking)
    require(policies.can_decide_booking, actor, booking)
    if booking.status != BookingStatus.PENDING:
        raise ConflictError(_("Only pending requests can be approved."), code="not_pending")
    return booking_status_change(
        booking, to=BookingStatus.CONFIRMED, actor=actor, action=BookingAction.APPROVED, reason=reason,
        email="confirmed",
    )  # fmt: skip


@transaction.atomic
def booking_reject(*, booking: Booking, actor, reason: str) -> Booking:
    """A manager turns down a pending request; the reason is sent to the user."""
    booking = booking_lock(booking)
    require(policies.can_decide_booking, actor, booking)
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the rejection."), field="reason", code="reason_required")
    if booking.status != BookingStatus.PENDING:
        raise ConflictError(_("Only pending requests can be rejected."), code="not_pending")
    return booking_status_change(
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


def pending_bookings_expire(*, now: datetime.datetime | None = None) -> int:
    """Release the slots of pending requests that no manager answered in time. Run periodically."""
    now = now or timezone.now()
    expired = 0
    for pk in Booking.objects.filter(status=BookingStatus.PENDING, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().get(pk=pk)
            if booking.status != BookingStatus.PENDING:
                continue
            booking_status_change(
                booking, to=BookingStatus.EXPIRED, actor=None, action=BookingAction.EXPIRED,
                reason=_("No manager answered before the deadline."), email="expired",
            )  # fmt: skip
            expired += 1
    return expired
