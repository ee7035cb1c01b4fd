"""Federated resources in the demo register: a few demo resources read their busy time from iCalendar feeds that
the demo serves itself (`/calendars/demo/<name>.ics`), as a facility's local booking system would publish them.

The feeds are made relative to the current week, so the demo always shows busy time ahead: a weekly series with
one date left out (EXDATE) and one moved (RECURRENCE-ID), a cancelled instance, an all-day service day.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from calendars import ical, services
from calendars.models import ExternalCalendar

# name -> (source shown to managers, weekday of the series, its hours)
DEMO_FEEDS = {
    "bookitlab-1": ("BookitLab", 0, (9, 12)),
    "librebooking-1": ("LibreBooking", 2, (10, 14)),
    "outlook-1": ("Outlook", 3, (8, 11)),
}
DEMO_RESOURCES = len(DEMO_FEEDS)


def demo_feed(name: str, *, today: datetime.date | None = None) -> bytes | None:
    """The iCalendar text of demo feed `name`, or None when there is no such feed. The events' titles are made up
    and never shown: only their times are read."""
    if name not in DEMO_FEEDS:
        return None
    _source, weekday, (opens, closes) = DEMO_FEEDS[name]
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    first = monday + datetime.timedelta(days=weekday)

    def local(day: datetime.date, hour: int) -> str:
        return f"{day:%Y%m%d}T{hour:02d}0000"

    skipped, moved, cancelled = (first + datetime.timedelta(weeks=n) for n in (1, 2, 3))
    service_day = monday + datetime.timedelta(days=4, weeks=1)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//Labtorget demo//{name}//EN", "X-WR-TIMEZONE:Europe/Oslo",
        "BEGIN:VEVENT", f"UID:series-{name}@demo.labtorget", "DTSTAMP:20260101T000000Z",
        f"DTSTART;TZID=Europe/Oslo:{local(first, opens)}", f"DTEND;TZID=Europe/Oslo:{local(first, closes)}",
        "RRULE:FREQ=WEEKLY;COUNT=26", f"EXDATE;TZID=Europe/Oslo:{local(skipped, opens)}",
        "SUMMARY:Project run (internal group, demo)", "END:VEVENT",
        "BEGIN:VEVENT", f"UID:series-{name}@demo.labtorget", "DTSTAMP:20260101T000000Z",
        f"RECURRENCE-ID;TZID=Europe/Oslo:{local(moved, opens)}",
        f"DTSTART;TZID=Europe/Oslo:{local(moved, closes)}", f"DTEND;TZID=Europe/Oslo:{local(moved, closes + 2)}",
        "SUMMARY:Project run, moved (demo)", "END:VEVENT",
        "BEGIN:VEVENT", f"UID:series-{name}@demo.labtorget", "DTSTAMP:20260101T000000Z",
        f"RECURRENCE-ID;TZID=Europe/Oslo:{local(cancelled, opens)}", "STATUS:CANCELLED",
        f"DTSTART;TZID=Europe/Oslo:{local(cancelled, opens)}", f"DTEND;TZID=Europe/Oslo:{local(cancelled, closes)}",
        "SUMMARY:Project run, cancelled (demo)", "END:VEVENT",
        "BEGIN:VEVENT", f"UID:service-{name}@demo.labtorget", "DTSTAMP:20260101T000000Z",
        f"DTSTART;VALUE=DATE:{service_day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{service_day + datetime.timedelta(days=1):%Y%m%d}",
        "SUMMARY:Service visit (demo)", "END:VEVENT",
        "END:VCALENDAR",
    ]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode()


def demo_feed_url(name: str) -> str:
    return settings.SITE_URL + reverse("calendars:demo_feed", args=[name])


def give_demo_resources_feeds(
    *, resources, managed_facility_ids=frozenset(), now: datetime.datetime | None = None
) -> list[ExternalCalendar]:
    """Attach a demo feed to DEMO_RESOURCES of `resources` (those at `managed_facility_ids` first, so that the demo
    manager sees the sources) and read it at once (from the text, as the demo server may not run yet).
    Idempotent: a resource keeps the feed it has."""
    now = now or timezone.now()
    chosen = sorted(resources, key=lambda r: (r.facility_id not in managed_facility_ids, r.pk))[:DEMO_RESOURCES]
    calendars = []
    for resource, (name, (source, _weekday, _hours)) in zip(chosen, DEMO_FEEDS.items(), strict=False):
        calendar, _created = ExternalCalendar.objects.get_or_create(
            resource=resource, url=demo_feed_url(name), defaults={"name": f"{source} (demo)"}
        )
        start, end = services.sync_window(now)
        intervals = ical.busy_intervals_from_ical(
            demo_feed(name), start=start, end=end, zone=timezone.get_default_timezone(),
            max_intervals=settings.EXTERNAL_CALENDARS_MAX_BUSY_TIMES,
        )  # fmt: skip
        services.external_calendar_store(calendar_id=calendar.pk, intervals=intervals, expanded_until=end, now=now)
        calendars.append(calendar)
    return calendars


DEMO_MANAGER = "demo.leder.uio@example.org"


def on_demo_register_loaded(sender, resources=(), users=None, **kwargs):
    manager = (users or {}).get(DEMO_MANAGER)
    managed = set(manager.managed.values_list("facility_id", flat=True)) if manager else set()
    give_demo_resources_feeds(resources=list(resources), managed_facility_ids=managed)
