"""The e-mail external calendars send: a feed has not been read for a long time (to the facility's managers)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from calendars.models import ExternalCalendar
from calendars.selectors import feed_error_message
from catalogue import roles
from core.outbox import email_kind_register

STALE = "calendars.feed_stale"


def stale_feed_messages(calendar_id: int) -> list[EmailMessage]:
    """Tell those who answer for the facility (its managers, else its institution's admins) that the feed is out of
    date and why; each in their own language. None once the feed is gone or has been read again."""
    calendar = (
        ExternalCalendar.objects.select_related("resource__facility")
        .prefetch_related("resource__facility__managers__user")
        .filter(pk=calendar_id, stale_notified_at__isnull=False)
        .first()
    )
    if calendar is None:
        return []
    messages = []
    for recipient in roles.responsible_people(calendar.resource.facility):
        if not recipient.email:
            continue
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = {
                "calendar": calendar,
                "resource": calendar.resource,
                "recipient": recipient,
                "error": feed_error_message(calendar.error_code) if calendar.error_code else "",
                "stale_hours": settings.EXTERNAL_CALENDARS_STALE_HOURS,
                "site_url": settings.SITE_URL,
            }
            body = render_to_string("calendars/email/feed_stale.txt", context)
            subject = _("Calendar out of date: %(resource)s") % {"resource": calendar.resource.name}
            messages.append(EmailMessage(subject=subject, body=body, to=[recipient.email]))
    return messages


def _render_stale(object_id: int, payload: dict) -> list[EmailMessage]:
    return stale_feed_messages(object_id)


def register() -> None:
    """Make the e-mail known to the outbox (CalendarsConfig.ready)."""
    email_kind_register(STALE, _render_stale)
