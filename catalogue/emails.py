"""Catalogue e-mails, each in its recipient's language.

They go through core's outbox: `freshness_reminders_send` queues them, and the renderer registered in
CatalogueConfig.ready() (`register`) makes the message when the outbox sends it, from the data as it is then.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from catalogue import selectors
from core.outbox import email_kind_register

# A user (object id) who answers for stale facilities (payload "facilities": their ids) is asked to check them.
FRESHNESS_REMINDER = "catalogue.freshness_reminder"


def freshness_reminder_messages(user_id: int, facility_ids: list[int]) -> list[EmailMessage]:
    """The reminder to check the entries of those facilities that are still stale; none when all were verified
    meanwhile, or the user is gone or inactive."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return []
    facilities = list(
        selectors.stale_published_facilities()
        .filter(pk__in=facility_ids)
        .select_related("institution")
        .order_by("name")
    )
    if not facilities:
        return []
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "facilities": facilities, "site_url": settings.SITE_URL}
        subject = _("Labtorget: please check that your entries are up to date")
        body = render_to_string("catalogue/email/freshness_reminder.txt", context)
    return [EmailMessage(subject, body, to=[user.email])]


def _render_freshness_reminder(object_id: int, payload: dict) -> list[EmailMessage]:
    return freshness_reminder_messages(object_id, payload.get("facilities", []))


def register() -> None:
    """Make the catalogue e-mails known to the outbox (CatalogueConfig.ready)."""
    email_kind_register(FRESHNESS_REMINDER, _render_freshness_reminder)
