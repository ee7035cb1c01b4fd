"""iCalendar documents built with the icalendar package: e-mail attachments and subscribable feeds.

UIDs are stable (one per booking), times are UTC, and bookings that no longer hold their slot are sent as
STATUS:CANCELLED so that calendar clients remove them.
"""

import datetime
from email.utils import parseaddr

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress

from booking.choices import BookingStatus

PRODID = "-//Labtorget//Booking//NB"


def booking_uid(booking_id: int) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "labtorget"
    return f"booking-{booking_id}@{host}"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _event(booking, *, summary: str, private: bool) -> Event:
    event = Event()
    event.add("uid", booking_uid(booking.pk))
    event.add("dtstamp", _utc(booking.updated_at or datetime.datetime.now(datetime.UTC)))
    event.add("dtstart", _utc(booking.start))
    event.add("dtend", _utc(booking.end))
    event.add("sequence", _sequence(booking))
    event.add("summary", summary)
    cancelled = booking.status not in (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
    if cancelled:
        event.add("status", "CANCELLED")
    elif booking.status == BookingStatus.PENDING:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    if private:
        event.add("location", f"{booking.resource.facility.name}")
        if booking.purpose:
            event.add("description", booking.purpose)
    return event


def _closure_event(closure) -> Event:
    """A closure as the public sees it: unavailable, without its kind or internal note."""
    event = Event()
    host = booking_uid(0).split("@", 1)[1]
    event.add("uid", f"closure-{closure.pk}@{host}")
    event.add("dtstamp", _utc(closure.start))  # stable between fetches; closures carry no revision time
    event.add("dtstart", _utc(closure.start))
    event.add("dtend", _utc(closure.end))
    event.add("summary", "Unavailable / Utilgjengelig")
    event.add("status", "CONFIRMED")
    return event


def busy_feed(resource, bookings, closures=()) -> bytes:
    """Public feed: busy times only (bookings and closures), no names, purposes or reasons."""
    calendar = _calendar(f"{resource.name} (busy)")
    for booking in bookings:
        calendar.add_component(_event(booking, summary="Busy / Opptatt", private=False))
    for closure in closures:
        calendar.add_component(_closure_event(closure))
    return calendar.to_ical()


def private_feed(name: str, bookings, *, show_user: bool) -> bytes:
    """A user's own bookings, or a facility's bookings for its managers."""
    calendar = _calendar(name)
    for booking in bookings:
        summary = booking.resource.name
        if show_user:
            summary = f"{summary} – {booking.user.get_full_name() or booking.user.email}"
        calendar.add_component(_event(booking, summary=summary, private=True))
    return calendar.to_ical()


def _sequence(booking) -> int:
    """Grows with every change of the booking (seconds since it was made), so clients take the newest version."""
    if not (booking.created_at and booking.updated_at):
        return 0
    return max(0, int((booking.updated_at - booking.created_at).total_seconds()))


def booking_attachment(booking) -> bytes:
    calendar = _calendar(booking.resource.name)
    calendar.add("method", "CANCEL" if booking.status not in ("pending", "confirmed") else "PUBLISH")
    event = _event(booking, summary=booking.resource.name, private=True)
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = "Labtorget"
    event.add("organizer", organizer)
    calendar.add_component(event)
    return calendar.to_ical()
