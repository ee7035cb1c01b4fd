"""Accounting e-mails, each in its recipient's language.

They go through core's outbox: `state_aid_alerts_send` queues them, and the renderer registered in
AccountingConfig.ready() (`register`) makes the message when the outbox sends it, with the figures as they are then.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounting import selectors
from catalogue.choices import InstitutionRoleKind
from catalogue.models import InstitutionRole, Resource
from core.outbox import email_kind_register

# An institution admin (object id: the InstitutionRole) hears that resources (payload "resources": their ids) of the
# institution crossed a state-aid threshold in a year (payload "year").
STATE_AID_ALERT = "accounting.state_aid_alert"


def state_aid_alert_messages(role_id: int, *, year: int, resource_ids: list[int]) -> list[EmailMessage]:
    """The alert to one institution admin, listing the resources' economic use in `year`; none when the admin role
    is gone or its user inactive."""
    role = (
        InstitutionRole.objects.select_related("user", "institution")
        .filter(pk=role_id, role=InstitutionRoleKind.ADMIN, user__is_active=True)
        .first()
    )
    if role is None or not role.user.email:
        return []
    shares = selectors.state_aid_shares(resources=Resource.objects.filter(pk__in=resource_ids), year=year)
    if not shares:
        return []
    warning, alert = selectors.thresholds()
    with translation.override(role.user.language or settings.LANGUAGE_CODE):
        context = {
            "user": role.user,
            "institution": role.institution,
            "year": year,
            "shares": shares,
            "url": settings.SITE_URL + reverse("accounting:institution", args=[role.institution_id]),
            "warning_percent": selectors.percent_text(warning),
            "alert_percent": selectors.percent_text(alert),
        }
        subject = render_to_string("accounting/state_aid_email_subject.txt", context).strip()
        body = render_to_string("accounting/state_aid_email.txt", context)
    return [EmailMessage(subject, body, to=[role.user.email])]


def _render_state_aid_alert(object_id: int, payload: dict) -> list[EmailMessage]:
    return state_aid_alert_messages(object_id, year=payload["year"], resource_ids=payload.get("resources", []))


def register() -> None:
    """Make the accounting e-mails known to the outbox (AccountingConfig.ready)."""
    email_kind_register(STATE_AID_ALERT, _render_state_aid_alert)
