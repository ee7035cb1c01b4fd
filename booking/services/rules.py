"""The booking rules: whether a resource can be booked at all, every rule but overlap, and recurring series."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import selectors
from booking.choices import (
    Activity,
    Frequency,
)
from booking.models import (
    BookingPolicy,
)
from catalogue.choices import AccessModel
from catalogue.models import Resource
from core.errors import DomainError

MAX_SERIES_LENGTH = 200


def bookable_policy(resource: Resource) -> BookingPolicy:
    policy = getattr(resource, "booking_policy", None) if hasattr(resource, "_state") else None
    if policy is None:
        try:
            policy = BookingPolicy.objects.get(resource=resource)
        except BookingPolicy.DoesNotExist:
            policy = None
    if policy is None or not resource.bookable or not resource.is_active:
        raise DomainError(_("This resource cannot be booked."), field="resource", code="not_bookable")
    return policy


def local_minutes(moment: datetime.datetime, policy: BookingPolicy) -> float:
    local = moment.astimezone(policy.zone)
    return local.hour * 60 + local.minute + local.second / 60


def booking_rules_validate(
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
        if local_minutes(moment, policy) % policy.slot_minutes:
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


def recurrence_expand(
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
