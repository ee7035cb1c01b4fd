"""Writes for bookings: create, series, cancel, move, reminders."""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import policies
from booking.choices import ACTIVE_STATUSES, BookingAction, BookingStatus, ConflictMode
from booking.emails import email_kinds, outbox_write
from booking.models import Booking, BookingPolicy
from booking.services.changes import (
    PRICE_SNAPSHOT_FIELDS,
    booking_lock,
    booking_price_again,
    booking_status_change,
    payer_fields,
    price_fields,
)
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
from pricing.selectors import agreed_amount_split


@dataclass
class SeriesResult:
    created: list[Booking] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def booking_create(
    *,
    resource: Resource,
    user,
    start: datetime.datetime,
    end: datetime.datetime,
    access_model: str,
    activity: str | None = None,
    collaboration_agreement: int | None = None,
    purpose: str = "",
    now: datetime.datetime | None = None,
    recurrence_group: uuid.UUID | None = None,
    notify: bool = True,
    organisation=None,
    agreed_net_amount: Decimal | None = None,
) -> Booking:
    """Store a booking request. It is confirmed at once unless the resource needs a manager's approval.

    Pricing decides the activity, tier and VAT from verified facts (pricing.selectors.booking_price); a request
    may name `activity` only as those facts give it, and `collaboration_agreement` (an id) only when it covers
    the person. The booking records the agreement behind a non-economic use. `agreed_net_amount` is a price the
    facility proposed and the person accepted (intake): it replaces the price list's amount, with the same terms.

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
        access_model=access_model,
        purpose=purpose,
        recurrence_group=recurrence_group,
        expires_at=min(now + datetime.timedelta(hours=policy.approval_deadline_hours), start)
        if needs_approval
        else None,
        **payer_fields(user, organisation),
        **price_fields(
            resource=resource,
            user=user,
            access_model=access_model,
            start=start,
            end=end,
            activity=activity,
            collaboration_agreement=collaboration_agreement,
            agreed_net_amount=agreed_net_amount,
        ),
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
    access_model: str,
    activity: str | None = None,
    collaboration_agreement: int | None = None,
    purpose: str = "",
    until: datetime.date | None = None,
    count: int | None = None,
    mode: str = ConflictMode.ALL_OR_NOTHING,
    now: datetime.datetime | None = None,
    organisation=None,
    agreed_net_amount: Decimal | None = None,
) -> SeriesResult:
    """A daily or weekly series. All-or-nothing stores none when one occurrence fails; skip-conflicts stores the
    rest and reports what it skipped and why. Every occurrence has the same payer (`organisation` as in
    booking_create). `agreed_net_amount`, a price for the whole series (an accepted intake proposal, all-or-nothing
    only), is divided over its bookings (pricing.selectors.agreed_amount_split)."""
    require(policies.can_book, user, resource)
    if mode not in ConflictMode.values:
        raise DomainError(_("Unknown conflict mode."), field="mode", code="invalid_mode")
    policy = resource_bookability(resource, user)
    occurrences = recurrence_expand(
        start=start, end=end, frequency=frequency, until=until, count=count, zone=policy.zone
    )
    if agreed_net_amount is not None and mode != ConflictMode.ALL_OR_NOTHING:
        raise DomainError(
            _("A series at an agreed price is stored whole or not at all."), field="mode", code="invalid_mode"
        )
    shares = [None] * len(occurrences)
    if agreed_net_amount is not None:
        shares = agreed_amount_split(amount=agreed_net_amount, parts=len(occurrences))
    group = uuid.uuid4()
    result = SeriesResult()
    with transaction.atomic():
        for (occurrence_start, occurrence_end), share in zip(occurrences, shares, strict=True):
            try:
                with transaction.atomic():
                    booking = booking_create(
                        resource=resource,
                        user=user,
                        start=occurrence_start,
                        end=occurrence_end,
                        activity=activity,
                        access_model=access_model,
                        collaboration_agreement=collaboration_agreement,
                        purpose=purpose,
                        now=now,
                        recurrence_group=group,
                        organisation=organisation,
                        agreed_net_amount=share,
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
    booking = booking_lock(booking)
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
    return booking_status_change(
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
    booking = booking_lock(booking)
    require(policies.can_move_booking, actor, booking)
    if booking.status not in ACTIVE_STATUSES:
        raise ConflictError(_("Only pending or confirmed bookings can be moved."), code="not_active")
    resource = booking.resource
    policy = resource_bookability(resource, booking.user)  # the resource may have been taken out of use since
    booking_rules_validate(
        policy=policy, resource=resource, user=booking.user, start=start, end=end,
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
        booking_price_again(booking, start=start, end=end)  # a longer or later time costs what it costs
        try:
            with transaction.atomic():
                booking.save(update_fields=["start", "end", "blocked_until", "updated_at", *PRICE_SNAPSHOT_FIELDS])
        except IntegrityError as error:
            if OVERLAP_CONSTRAINT in str(error):
                raise slot_conflict(resource=resource, user=booking.user, start=start, end=end) from error
            raise
        booking_event_record(
            booking, actor=actor, action=BookingAction.MOVED, from_status=booking.status, reason=reason,
            details={"from": old, "to": {"start": iso_utc(start), "end": iso_utc(end)}},
        )  # fmt: skip
    return booking


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
