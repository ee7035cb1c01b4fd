"""Writes for a resource's calendar around the bookings: qualifications, closures and feed tokens."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from booking import policies
from booking.models import (
    CalendarFeedToken,
    Closure,
    Qualification,
)
from catalogue.models import Resource
from core.errors import DomainError
from core.policies import require


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
def closure_create(*, resource: Resource, actor, kind: str, start, end, internal_note: str = "") -> Closure:
    """Close a resource for a period. Existing bookings stay; the manager moves or cancels them."""
    require(policies.can_manage_calendar, actor, resource)
    if end <= start:
        raise DomainError(_("The end must be after the start."), field="end", code="end_before_start")
    closure = Closure(resource=resource, kind=kind, start=start, end=end, internal_note=internal_note, created_by=actor)
    closure.full_clean()
    closure.save()
    return closure


def feed_token_renew(*, user, facility=None) -> CalendarFeedToken:
    """A new secret for a private feed; the old address stops working at once."""
    from booking.models import new_feed_token

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
