"""Booking e-mails in the user's language (Bokmål or English), each with the booking as an .ics attachment.

They go through core's outbox: `outbox_write` queues a booking's e-mails in the caller's transaction, and the
renderers registered in BookingConfig.ready() (`register`) make the messages when the outbox sends them.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from booking.ics import booking_attachment
from booking.models import Booking, ServiceOrder
from catalogue import roles
from core.outbox import QueuedEmail, email_kind_register, emails_queue

KINDS = ("requested", "confirmed", "rejected", "cancelled", "expired", "reminder")

TO_MANAGERS = "to_managers"  # a request waits for the managers' answer


def email_kinds(kind: str) -> list[str]:
    """The e-mails a change of `kind` sends: the user's, and for a request the managers' too."""
    return [kind, TO_MANAGERS] if kind == "requested" else [kind]


def outbox_write(booking_id: int, kinds: list[str]) -> None:
    """Queue the booking's e-mails of `kinds` (names from KINDS or TO_MANAGERS) with one INSERT, in the caller's
    transaction; they are sent after the commit."""
    emails_queue(emails=[QueuedEmail(f"booking.{kind}", booking_id) for kind in kinds])


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


def booking_email_messages(booking_id: int, kind: str) -> list[EmailMessage]:
    """The e-mail of `kind` to the booking's user, with the booking attached; none when the booking is gone or the
    user has no address."""
    booking = Booking.objects.select_related("resource__facility", "user").filter(pk=booking_id).first()
    if booking is None or not booking.user.email:
        return []
    with translation.override(booking.user.language or settings.LANGUAGE_CODE):
        context = {"booking": booking, "kind": kind, "site_url": settings.SITE_URL}
        body = render_to_string("booking/email/booking.txt", context)
        message = EmailMessage(subject=_subject(kind, booking), body=body, to=[booking.user.email])
    message.attach(f"booking-{booking.pk}.ics", booking_attachment(booking), "text/calendar")
    return [message]


def request_to_managers_messages(booking_id: int) -> list[EmailMessage]:
    """Tell the facility's managers that a request waits for their answer; each in their own language.

    Without named managers the institution admins are told instead. None once the request is no longer pending.
    """
    booking = (
        Booking.objects.select_related("resource__facility", "user")
        .prefetch_related("resource__facility__managers__user")
        .filter(pk=booking_id, status="pending")
        .first()
    )
    if booking is None:
        return []
    messages = []
    for recipient in roles.responsible_people(booking.resource.facility):
        if not recipient.email:
            continue
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = {"booking": booking, "recipient": recipient, "site_url": settings.SITE_URL}
            body = render_to_string("booking/email/request_for_managers.txt", context)
            subject = _("New booking request: %(resource)s") % {"resource": booking.resource.name}
            messages.append(EmailMessage(subject=subject, body=body, to=[recipient.email]))
    return messages


ORDER_KINDS = ("delivered", "cancelled")  # a service order's closing e-mails to the person who ordered


def service_order_outbox_write(order_id: int, kind: str) -> None:
    """Queue the e-mail telling who ordered that their service order is `kind` (ORDER_KINDS), in the caller's
    transaction; it is sent after the commit."""
    emails_queue(emails=[QueuedEmail(f"booking.order_{kind}", order_id)])


def service_order_email_messages(order_id: int, kind: str) -> list[EmailMessage]:
    """The e-mail of `kind` to the person who ordered, in their language; none when the order is gone, is no
    longer `kind`, or the person has no address."""
    order = ServiceOrder.objects.select_related("resource__facility", "user").filter(pk=order_id).first()
    if order is None or order.status != kind or not order.user.email:
        return []
    with translation.override(order.user.language or settings.LANGUAGE_CODE):
        context = {"order": order, "kind": kind, "site_url": settings.SITE_URL}
        body = render_to_string("booking/email/service_order.txt", context)
        subject = (
            _("Your order is delivered: %(resource)s")
            if kind == "delivered"
            else _("Your order is cancelled: %(resource)s")
        ) % {"resource": order.resource.name}
        return [EmailMessage(subject=subject, body=body, to=[order.user.email])]


def _order_renderer(kind: str):
    def render(object_id: int, payload: dict) -> list[EmailMessage]:
        return service_order_email_messages(object_id, kind)

    return render


def _booking_renderer(kind: str):
    def render(object_id: int, payload: dict) -> list[EmailMessage]:
        return booking_email_messages(object_id, kind)

    return render


def _render_to_managers(object_id: int, payload: dict) -> list[EmailMessage]:
    return request_to_managers_messages(object_id)


_RENDERERS = {
    **{kind: _booking_renderer(kind) for kind in KINDS},
    TO_MANAGERS: _render_to_managers,
    **{f"order_{kind}": _order_renderer(kind) for kind in ORDER_KINDS},
}


def register() -> None:
    """Make the booking e-mails known to the outbox (BookingConfig.ready)."""
    for kind, render in _RENDERERS.items():
        email_kind_register(f"booking.{kind}", render)
