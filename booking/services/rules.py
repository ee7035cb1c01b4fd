"""The booking rules: whether a resource can be booked at all, every rule but overlap, and recurring series."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import selectors
from booking.choices import Frequency
from booking.models import (
    BookingPolicy,
)
from catalogue import roles
from catalogue.choices import AccessModel
from catalogue.models import Resource
from core.errors import DomainError

MAX_SERIES_LENGTH = 200


def bookability_refusal(resource: Resource, user) -> str | None:
    """Why `resource` cannot be booked through Labtorget by `user`, or None when it can: it is offered to them
    (`offer_refusal`) and not booked in the facility's local system."""
    refusal = offer_refusal(resource, user)
    if refusal is None and resource.booking_policy.booked_in_local_system:
        return _("This resource is booked in %(system)s, the facility's own system.") % {
            "system": resource.booking_policy.local_system_name
        }
    return refusal


def offer_refusal(resource: Resource, user) -> str | None:
    """Why `resource`'s free time is not offered to `user`, or None when it is: the resource is in use and offered
    for booking with a booking policy, its facility is published, and the catalogue does not keep `user` out (a
    facility not open to industry takes no bookings from company users). A resource booked in the facility's local
    system is offered too, but booked there (`bookability_refusal`).

    A visitor who has not signed in is answered as the resource stands, so that pages can show the calendar and ask
    them to sign in; the booking itself needs a signed-in, active user (`resource_bookability`). Reads only what is
    loaded with the resource (its facility and booking policy).
    """
    return use_refusal(resource, user, booked_online=True)


def use_refusal(resource: Resource, user, *, booked_online: bool) -> str | None:
    """The checks of `offer_refusal`, shared with staff-run work: the resource is in use, its facility published
    and open to the person. `booked_online` False (a service order, done by the facility's staff) needs no
    booking policy, so a resource offered only as a service can be ordered."""
    if not resource.is_active:
        return _("This resource is no longer in use.")
    if booked_online and (not resource.bookable or _loaded_policy(resource) is None):
        return _("This resource is not offered for booking online. Contact the facility.")
    facility = resource.facility
    if not facility.is_published:
        return _("The facility of this resource is not published.")
    if roles.is_authenticated(user) and user.is_company and not facility.open_to_industry:
        return _("This facility is not open to industry, so companies cannot book it.")
    return None


def resource_bookability(resource: Resource, user) -> BookingPolicy:
    """The one guard before a booking of `resource` for `user` is stored or moved: its booking policy, or
    DomainError `not_bookable` (field `resource`) saying why not. The user must be signed in and active."""
    if not roles.is_authenticated(user):
        refusal = _("Only a signed-in user with an active account can book.")
    else:
        refusal = bookability_refusal(resource, user)
    if refusal is not None:
        raise DomainError(refusal, field="resource", code="not_bookable")
    return resource.booking_policy


def resource_orderability(resource: Resource, user) -> None:
    """The guard before staff-run work on `resource` is ordered for `user` (a service order): signed in and
    active, the resource in use, its facility published and open to them. DomainError `not_orderable` (field
    `resource`) saying why not."""
    if not roles.is_authenticated(user):
        refusal = _("Only a signed-in user with an active account can order.")
    else:
        refusal = use_refusal(resource, user, booked_online=False)
    if refusal is not None:
        raise DomainError(refusal, field="resource", code="not_orderable")


def proposed_booking_refusal(*, booking_id: int, facility_id: int) -> str | None:
    """Why booking `booking_id` cannot be proposed in an answer from facility `facility_id` to an intake request,
    or None: it exists, is active and at that facility (booking.selectors.booking_proposal_refusal), and its
    resource can still be booked as it stands (in use, offered for booking, at a published facility), so that a
    company is never promised a booking of a resource nobody can book. Registered with core.references."""
    refusal = selectors.booking_proposal_refusal(booking_id=booking_id, facility_id=facility_id)
    if refusal is not None:
        return refusal
    resource = Resource.objects.select_related("facility", "booking_policy").get(bookings__pk=booking_id)
    return bookability_refusal(resource, AnonymousUser())


def _loaded_policy(resource: Resource) -> BookingPolicy | None:
    try:
        return resource.booking_policy
    except BookingPolicy.DoesNotExist:  # the resource has no booking policy
        return None


def local_minutes(moment: datetime.datetime, policy: BookingPolicy) -> float:
    local = moment.astimezone(policy.zone)
    return local.hour * 60 + local.minute + local.second / 60


def booking_rules_validate(
    *, policy: BookingPolicy, resource: Resource, user, start, end, access_model, now, check_notice=True
) -> None:
    """Every rule but overlap, in the order a user meets them. Raises DomainError naming the rule. (The activity
    is not the user's to choose: pricing decides it, see booking.services.bookings._price_fields.)"""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise DomainError(_("Give times with a UTC offset."), field="start", code="naive_time")
    if end <= start:
        raise DomainError(_("The end must be after the start."), field="end", code="end_before_start")
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
    zone: datetime.tzinfo,
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The occurrences of a series, keeping the local wall-clock time in `zone` (the resource's) across
    daylight-saving changes.

    A series ends after `count` occurrences or on `until`, whichever comes first, and has at most
    MAX_SERIES_LENGTH occurrences: a longer one is refused rather than cut short without a word.
    """
    if frequency not in Frequency.values:
        raise DomainError(_("Unknown frequency."), field="frequency", code="invalid_frequency")
    if until is None and count is None:
        raise DomainError(_("Give an end date or a number of occurrences."), field="until", code="series_end")
    if count is not None and count < 1:
        raise DomainError(_("The number must be at least 1."), field="count", code="invalid_count")
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if until is not None and until < local_start.date():
        raise DomainError(_("The series ends before its first date."), field="until", code="until_before_start")
    step = datetime.timedelta(days=1 if frequency == Frequency.DAILY else 7)
    occurrences = []
    day_offset = (local_end.date() - local_start.date()).days
    day = local_start.date()
    while (count is None or len(occurrences) < count) and (until is None or day <= until):
        if len(occurrences) == MAX_SERIES_LENGTH:
            raise DomainError(
                _("A series has at most %(limit)d occurrences.") % {"limit": MAX_SERIES_LENGTH},
                field="until" if count is None else "count",
                code="series_too_long",
            )
        occurrence_start = datetime.datetime.combine(day, local_start.time(), tzinfo=zone)
        occurrence_end = datetime.datetime.combine(
            day + datetime.timedelta(days=day_offset), local_end.time(), tzinfo=zone
        )
        occurrences.append((occurrence_start.astimezone(datetime.UTC), occurrence_end.astimezone(datetime.UTC)))
        day += step
    return occurrences
