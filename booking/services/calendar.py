"""Writes for a resource's calendar around the bookings: qualifications, closures and feed tokens."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from booking import policies
from booking.choices import ClosureKind
from booking.models import (
    BookingPolicy,
    CalendarFeedToken,
    Closure,
    OpeningHours,
    Qualification,
)
from catalogue.models import Resource
from core.errors import DomainError
from core.policies import require
from core.working_days import public_holidays


@transaction.atomic
def qualification_grant(*, user, resource: Resource, actor, expires_on: datetime.date | None = None) -> Qualification:
    """A manager records that `user` is trained for `resource` (renewing an existing qualification)."""
    require(policies.can_manage_calendar, actor, resource)
    qualification, _created = Qualification.objects.update_or_create(
        user=user, resource=resource, defaults={"expires_on": expires_on, "granted_by": actor}
    )
    return qualification


@transaction.atomic
def qualification_revoke(*, qualification: Qualification, actor) -> None:
    require(policies.can_manage_calendar, actor, qualification.resource)
    qualification.delete()


@transaction.atomic
def booking_policy_save(
    *, policy: BookingPolicy, opening_hours: list[tuple[int, datetime.time, datetime.time]], actor
) -> BookingPolicy:
    """A manager saves a resource's booking policy (new or changed) and replaces its opening hours, given as
    (weekday, opens, closes) in local time."""
    require(policies.can_manage_calendar, actor, policy.resource)
    policy.full_clean()
    policy.save()
    policy.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(policy=policy, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in opening_hours
    )
    return policy


@transaction.atomic
def closure_delete(*, closure: Closure, actor) -> None:
    """A manager removes a closure; the time is open for booking again."""
    require(policies.can_manage_calendar, actor, closure.resource)
    closure.delete()


@transaction.atomic
def closure_create(*, resource: Resource, actor, kind: str, start, end, internal_note: str = "") -> Closure:
    """Close a resource for a period. Existing bookings stay; the manager moves or cancels them."""
    require(policies.can_manage_calendar, actor, resource)
    if end <= start:
        raise DomainError(_("The end must be after the start."), field="end", code="end_before_start")
    closure = Closure(resource=resource, kind=kind, start=start, end=end, internal_note=internal_note, created_by=actor)
    closure.full_clean()
    closure.save()
    return closure


def public_holiday_closures(*, resource: Resource, created_by=None, days: int = 366) -> list[Closure]:
    """Unsaved closures of `resource` for each Norwegian public holiday from today through `days` days ahead that
    has none yet, from local midnight to the next, the holiday's name (in the active language) as the internal
    note."""
    today = timezone.localdate()
    wanted = {
        timezone.make_aware(datetime.datetime.combine(day, datetime.time())): (day, name)
        for day, name in public_holidays(today, today + datetime.timedelta(days=days), language=get_language())
    }
    existing = set(
        Closure.objects.filter(resource=resource, kind=ClosureKind.PUBLIC_HOLIDAY, start__in=wanted).values_list(
            "start", flat=True
        )
    )
    return [
        Closure(
            resource=resource,
            kind=ClosureKind.PUBLIC_HOLIDAY,
            start=start,
            end=timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())),
            internal_note=name,
            created_by=created_by,
        )
        for start, (day, name) in wanted.items()
        if start not in existing
    ]


@transaction.atomic
def public_holiday_closures_create(*, resource: Resource, actor) -> list[Closure]:
    """A manager closes a resource on each Norwegian public holiday of the coming year (today through a year and a
    day ahead, so that a year's Christmas is closed when pressed on Christmas Eve).

    A holiday that already has a public-holiday closure of that resource is left as it is, so running it again
    (next year, or after removing a holiday the facility keeps open) adds only what is missing. Existing bookings
    on those days stay; the manager moves or cancels them, as with any closure."""
    require(policies.can_manage_calendar, actor, resource)
    return Closure.objects.bulk_create(public_holiday_closures(resource=resource, created_by=actor))


def feed_token_renew(*, user, facility=None) -> CalendarFeedToken:
    """A new secret for a private feed (the user's own, or a facility's for those who see its bookings); the old
    address stops working at once."""
    from booking.models import new_feed_token

    if facility is not None:
        require(policies.can_see_facility_bookings, user, facility)
    token, created = CalendarFeedToken.objects.get_or_create(user=user, facility=facility)
    if not created:
        token.token = new_feed_token()
        token.save(update_fields=["token"])
    return token


def feed_token_get(*, user, facility=None) -> CalendarFeedToken:
    token, _created = CalendarFeedToken.objects.get_or_create(user=user, facility=facility)
    return token


def facility_feed_tokens_get(*, user, facilities) -> dict[int, CalendarFeedToken]:
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
