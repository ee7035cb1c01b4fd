"""Writes for the accounts: telling institution admins, once, that a resource crossed a state-aid threshold."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounting import selectors
from accounting.choices import StateAidAlertLevel
from accounting.models import StateAidAlert
from catalogue.choices import InstitutionRoleKind
from catalogue.models import InstitutionRole


def _levels_reached(share_level: str) -> list[str]:
    if share_level == selectors.LEVEL_ALERT:
        return [StateAidAlertLevel.WARNING, StateAidAlertLevel.ALERT]
    if share_level == selectors.LEVEL_WARNING:
        return [StateAidAlertLevel.WARNING]
    return []


def _institution_accounts_url(institution_id: int) -> str:
    return settings.SITE_URL + reverse("accounting:institution", args=[institution_id])


@transaction.atomic
def state_aid_alerts_send(*, year: int | None = None) -> int:
    """E-mail each institution admin about resources that crossed the warning or alert share in `year`.

    Each (resource, year, level) is told once; a resource that jumps past both lines gets the alert only.
    Institutions without an admin are skipped and tried again next run. Each admin gets one e-mail, in their
    language, listing all their institution's newly crossed resources. Returns the number of e-mails queued
    (sent after the transaction commits).
    """
    year = year or selectors.current_year()
    resources = selectors.resources_with_economic_use(year=year)
    crossed = [s for s in selectors.state_aid_shares(resources=resources, year=year) if _levels_reached(s.level)]
    if not crossed:
        return 0

    institution_ids = {s.resource.facility.institution_id for s in crossed}
    admins = defaultdict(list)
    for role in InstitutionRole.objects.filter(
        institution_id__in=institution_ids, role=InstitutionRoleKind.ADMIN, user__is_active=True
    ).select_related("user", "institution"):
        admins[role.institution_id].append(role)
    already_sent = set(
        StateAidAlert.objects.filter(resource__in=[s.resource for s in crossed], year=year).values_list(
            "resource_id", "level"
        )
    )

    news_by_institution = defaultdict(list)
    for share in crossed:
        institution_id = share.resource.facility.institution_id
        if not admins[institution_id]:
            continue
        new_levels = [lvl for lvl in _levels_reached(share.level) if (share.resource.id, lvl) not in already_sent]
        if not new_levels:
            continue
        for level in new_levels:
            StateAidAlert.objects.get_or_create(
                resource=share.resource,
                year=year,
                level=level,
                defaults={"share": min(share.share, Decimal("999")).quantize(Decimal("0.0001"))},
            )
        news_by_institution[institution_id].append(share)

    messages = []
    for institution_id, shares in news_by_institution.items():
        for role in admins[institution_id]:
            with translation.override(role.user.language or settings.LANGUAGE_CODE):
                context = {
                    "user": role.user,
                    "institution": role.institution,
                    "year": year,
                    "shares": shares,
                    "url": _institution_accounts_url(institution_id),
                    "warning_percent": selectors.percent_text(selectors.thresholds()[0]),
                    "alert_percent": selectors.percent_text(selectors.thresholds()[1]),
                }
                subject = render_to_string("accounting/state_aid_email_subject.txt", context).strip()
                body = render_to_string("accounting/state_aid_email.txt", context)
            messages.append((subject, body, role.user.email))

    def send():
        for subject, body, recipient in messages:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])

    transaction.on_commit(send)
    return len(messages)
