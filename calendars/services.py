"""Writes for external calendars: attach and remove feeds, read them (sync), tell managers of a stale feed.

A sync fetches and parses with no transaction open (a slow feed holds no lock and no connection to the database
in a transaction), then replaces the calendar's busy time in one short transaction. A feed that fails keeps what
was stored; the calendar records why and since when.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from calendars import ical, policies
from calendars.fetch import feed_fetch, normalise_url
from calendars.models import ExternalBusyInterval, ExternalCalendar
from catalogue.models import Resource
from core.errors import DomainError
from core.net import host_is_public, scheme_is_allowed
from core.outbox import QueuedEmail, emails_queue
from core.policies import require
from core.queue import task_queue_after_commit

logger = logging.getLogger(__name__)

SYNC_TASK = "calendars.tasks.sync_external_calendar"
STALE_EMAIL = "calendars.feed_stale"
MAX_CALENDARS_PER_RESOURCE = 10


def _platform_zone():
    return timezone.get_default_timezone()


@transaction.atomic
def external_calendar_add(*, resource: Resource, actor, url: str, name: str) -> ExternalCalendar:
    """A manager attaches an iCalendar feed (`https://` or `webcal://`; `http://` only where private hosts are
    allowed) to `resource`; it is read at once after the commit, then with every periodic sync."""
    require(policies.can_manage_external_calendars, actor, resource)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the source, for example the local booking system."), field="name", code="required")
    if len(name) > 100:
        raise DomainError(_("At most 100 characters."), field="name", code="max_length")
    url = normalise_url(url or "")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(
            _("Give the calendar's address, starting with https://, http:// or webcal://."), field="url",
            code="invalid",
        ) from None  # fmt: skip
    if len(url) > 1000:
        raise DomainError(_("At most 1000 characters."), field="url", code="max_length")
    if not host_is_public(url, allow_private=settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS):
        raise DomainError(
            _("The calendar address must be a public internet address (not localhost or a private network)."),
            field="url", code="not_public",
        )  # fmt: skip
    if not scheme_is_allowed(url, allow_private=settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS):
        raise DomainError(
            _("The calendar address must start with https:// or webcal:// (a plain http:// address would send the "
              "feed and any secret in its address unencrypted)."),
            field="url", code="not_https",
        )  # fmt: skip
    if ExternalCalendar.objects.filter(resource=resource).count() >= MAX_CALENDARS_PER_RESOURCE:
        raise DomainError(
            _("A resource can have at most %(count)d external calendars.") % {"count": MAX_CALENDARS_PER_RESOURCE},
            field="url", code="too_many",
        )  # fmt: skip
    try:
        with transaction.atomic():
            calendar = ExternalCalendar.objects.create(
                resource=resource, name=name, url=url, created_by=actor if actor.is_authenticated else None
            )
    except IntegrityError:
        raise DomainError(
            _("This calendar is already attached to the resource."), field="url", code="duplicate"
        ) from None
    task_queue_after_commit(SYNC_TASK, calendar.pk)
    return calendar


@transaction.atomic
def external_calendar_remove(*, calendar: ExternalCalendar, actor) -> None:
    """A manager removes a feed; its busy time stops counting at once."""
    require(policies.can_manage_external_calendars, actor, calendar.resource)
    calendar.delete()


def external_calendar_refresh(*, calendar: ExternalCalendar, actor) -> None:
    """A manager asks for the feed to be read now (after fixing it in the local system), not at its next turn."""
    require(policies.can_manage_external_calendars, actor, calendar.resource)
    task_queue_after_commit(SYNC_TASK, calendar.pk)


@dataclass(frozen=True)
class SyncOutcome:
    """What one read of a feed did: `stored` busy pieces now stored (None when nothing was replaced), `error` the
    FeedErrorCode of a failed read ('' when it succeeded), `not_modified` when the server said nothing changed."""

    calendar_id: int
    stored: int | None
    error: str = ""
    detail: str = ""
    not_modified: bool = False


def sync_window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The period a feed is expanded for: from the start of yesterday (UTC) to the horizon."""
    start = (now - datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=settings.EXTERNAL_CALENDARS_HORIZON_DAYS + 1)


def external_calendar_sync(*, calendar_id: int, now: datetime.datetime | None = None) -> SyncOutcome | None:
    """Read one feed and, when it answers a calendar, replace its busy time; None when the calendar is gone.

    A 304 (the validators we sent still match), or the same body as last time, keeps the stored busy time as fresh,
    as long as it reaches the horizon; once the horizon has moved a day past it, the feed is read whole again.
    """
    now = now or timezone.now()
    calendar = ExternalCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return None
    start, end = sync_window(now)
    conditional = calendar.expanded_until is not None and calendar.expanded_until >= end - datetime.timedelta(days=1)
    try:
        fetched = feed_fetch(
            calendar.url,
            etag=calendar.etag if conditional else "",
            last_modified=calendar.last_modified if conditional else "",
            timeout=settings.EXTERNAL_CALENDARS_TIMEOUT_SECONDS,
            max_bytes=settings.EXTERNAL_CALENDARS_MAX_BYTES,
            allow_private=settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS,
        )
        unchanged = conditional and hashlib.sha256(fetched.body).hexdigest() == calendar.content_hash
        if fetched.not_modified or unchanged:
            ExternalCalendar.objects.filter(pk=calendar_id).update(
                last_attempt_at=now, last_success_at=now, error_code="", error_detail="", error_since=None,
                stale_notified_at=None,
            )  # fmt: skip
            return SyncOutcome(calendar_id, stored=None, not_modified=True)
        intervals = ical.busy_intervals_from_ical(
            fetched.body, start=start, end=end, zone=_platform_zone(),
            max_intervals=settings.EXTERNAL_CALENDARS_MAX_BUSY_TIMES,
        )  # fmt: skip
    except ical.FeedError as error:
        _record_failure(calendar_id, error, now)
        return SyncOutcome(calendar_id, stored=None, error=error.code, detail=error.detail)
    stored = external_calendar_store(
        calendar_id=calendar_id, intervals=intervals, expanded_until=end, now=now, etag=fetched.etag,
        last_modified=fetched.last_modified, content_hash=hashlib.sha256(fetched.body).hexdigest(),
    )  # fmt: skip
    return SyncOutcome(calendar_id, stored=stored)


def _record_failure(calendar_id: int, error: ical.FeedError, now: datetime.datetime) -> None:
    """Keep the busy time; say why and since when (the first failure of a run of failures)."""
    logger.info("External calendar %s could not be read: %s %s", calendar_id, error.code, error.detail)
    ExternalCalendar.objects.filter(pk=calendar_id).update(
        last_attempt_at=now, error_code=error.code, error_detail=error.detail[:500],
        error_since=Coalesce(F("error_since"), now),
    )  # fmt: skip


@transaction.atomic
def external_calendar_store(
    *,
    calendar_id: int,
    intervals: list[ical.Interval],
    expanded_until: datetime.datetime,
    now: datetime.datetime,
    etag: str = "",
    last_modified: str = "",
    content_hash: str = "",
) -> int | None:
    """Replace the calendar's busy time with `intervals` in one transaction: readers see the old set or the new,
    never a mix or nothing. The number of pieces stored, or None when the calendar was removed meanwhile."""
    calendar = ExternalCalendar.objects.select_for_update().filter(pk=calendar_id).first()
    if calendar is None:
        return None
    ExternalBusyInterval.objects.filter(calendar_id=calendar_id).delete()
    pieces = ical.pieces(intervals)
    ExternalBusyInterval.objects.bulk_create(
        (
            ExternalBusyInterval(calendar_id=calendar_id, resource_id=calendar.resource_id, start=start, end=end)
            for start, end in pieces
        ),
        batch_size=2000,
    )
    ExternalCalendar.objects.filter(pk=calendar_id).update(
        last_attempt_at=now, last_success_at=now, error_code="", error_detail="", error_since=None,
        stale_notified_at=None, etag=etag, last_modified=last_modified, content_hash=content_hash,
        expanded_until=expanded_until,
        busy_count=len(pieces),
    )  # fmt: skip
    return len(pieces)


def calendars_due_ids(*, now: datetime.datetime | None = None, resource_id: int | None = None) -> list[int]:
    """The feeds whose turn it is: never read, or not tried for EXTERNAL_CALENDARS_SYNC_MINUTES (all of one
    resource's when `resource_id` is given)."""
    calendars = ExternalCalendar.objects.all()
    if resource_id is not None:
        return list(calendars.filter(resource_id=resource_id).order_by("pk").values_list("pk", flat=True))
    # A little before the full interval, so that a feed read at the end of one run is due again in the next.
    interval = datetime.timedelta(minutes=settings.EXTERNAL_CALENDARS_SYNC_MINUTES, seconds=-30)
    due_before = (now or timezone.now()) - interval
    return list(
        calendars.filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=due_before))
        .order_by(F("last_attempt_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )


def calendars_all_ids() -> list[int]:
    """Every feed, for an operator's sync of them all."""
    return list(ExternalCalendar.objects.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def calendars_sync_queue(*, now: datetime.datetime | None = None) -> int:
    """Queue a sync of each feed whose turn it is (each runs as its own task, so the workers share them and one
    slow feed never holds up the others); the number queued.

    Each queued feed counts as attempted now, so that the next run (every minute) does not queue it again while it
    still waits for a worker; a task that is lost is made up for at the feed's next turn.
    """
    now = now or timezone.now()
    due = calendars_due_ids(now=now)
    ExternalCalendar.objects.filter(pk__in=due).update(last_attempt_at=now)
    for calendar_id in due:
        task_queue_after_commit(SYNC_TASK, calendar_id)
    return len(due)


@transaction.atomic
def stale_calendars_notify(*, now: datetime.datetime | None = None) -> int:
    """Tell the facility's managers, once, of each feed that has not been read successfully for
    EXTERNAL_CALENDARS_STALE_HOURS (the busy time it showed is kept meanwhile); the number of feeds told of.
    A feed that recovers may be told of again when it next goes stale."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(hours=settings.EXTERNAL_CALENDARS_STALE_HOURS)
    stale = list(
        ExternalCalendar.objects.select_for_update(skip_locked=True)
        .annotate(fresh_at=Coalesce("last_success_at", "created_at"))
        .filter(stale_notified_at__isnull=True, fresh_at__lt=stale_before)
        .values_list("pk", flat=True)
    )
    if stale:
        ExternalCalendar.objects.filter(pk__in=stale).update(stale_notified_at=now)
        emails_queue(emails=[QueuedEmail(STALE_EMAIL, calendar_id) for calendar_id in stale])
    return len(stale)
