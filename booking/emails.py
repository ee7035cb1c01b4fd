"""Booking e-mails in the user's language (Bokmål or English), each with the booking as an .ics attachment."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from booking.ics import booking_attachment
from booking.models import Booking
from catalogue import roles

KINDS = ("requested", "confirmed", "rejected", "cancelled", "expired", "reminder")


def _subject(kind: str, booking: Booking) -> str:
    subjects = {
        "requested": _("Booking request received: %(resource)s"),
        "confirmed": _("Booking confirmed: %(resource)s"),
        "rejected": _("Booking request rejected: %(resource)s"),
        "cancelled": _("Booking cancelled: %(resource)s"),
        "expired": _("Booking request expired: %(resource)s"),
        "reminder": _("Reminder: %(resource)s tomorrow"),
    }
    return subjects[kind] % {"resource": booking.resource.name}


def send_booking_email(booking_id: int, kind: str, *, connection=None) -> bool:
    """Send one booking e-mail (over `connection`, an open one to the mail server, if given). Returns False when
    there is nothing to send (booking gone, unknown kind)."""
    if kind not in KINDS:
        return False
    booking = Booking.objects.select_related("resource__facility", "user").filter(pk=booking_id).first()
    if booking is None or not booking.user.email:
        return False
    with translation.override(booking.user.language or settings.LANGUAGE_CODE):
        context = {"booking": booking, "kind": kind, "site_url": settings.SITE_URL}
        body = render_to_string("booking/email/booking.txt", context)
        message = EmailMessage(
            subject=_subject(kind, booking), body=body, to=[booking.user.email], connection=connection
        )
    message.attach(f"booking-{booking.pk}.ics", booking_attachment(booking), "text/calendar")
    message.send()
    return True


def send_request_to_managers(booking_id: int, *, connection=None) -> int:
    """Tell the facility's managers that a request waits for their answer; each in their own language.

    Returns the number of e-mails sent. Without named managers the institution admins are told instead.
    """
    booking = (
        Booking.objects.select_related("resource__facility", "user")
        .prefetch_related("resource__facility__managers__user")
        .filter(pk=booking_id, status="pending")
        .first()
    )
    if booking is None:
        return 0
    sent = 0
    for recipient in roles.responsible_people(booking.resource.facility):
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = {"booking": booking, "recipient": recipient, "site_url": settings.SITE_URL}
            body = render_to_string("booking/email/request_for_managers.txt", context)
            subject = _("New booking request: %(resource)s") % {"resource": booking.resource.name}
            EmailMessage(subject=subject, body=body, to=[recipient.email], connection=connection).send()
        sent += 1
    return sent
