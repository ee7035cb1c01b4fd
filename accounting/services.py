"""Writes for the accounts: telling institution admins, once, that a resource crossed a state-aid threshold."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from accounting import emails, selectors
from accounting.choices import StateAidAlertLevel
from accounting.models import StateAidAlert
from catalogue.choices import InstitutionRoleKind
from catalogue.models import InstitutionRole
from core.outbox import QueuedEmail, emails_queue


def _levels_reached(share_level: str) -> list[str]:
    if share_level == selectors.LEVEL_ALERT:
        return [StateAidAlertLevel.WARNING, StateAidAlertLevel.ALERT]
    if share_level == selectors.LEVEL_WARNING:
        return [StateAidAlertLevel.WARNING]
    return []


@transaction.atomic
def state_aid_alerts_send(*, year: int | None = None) -> int:
    """E-mail each institution admin about resources that crossed the warning or alert share in `year`.

    Each (resource, year, level) is told once; a resource that jumps past both lines gets the alert only.
    Institutions without an admin are skipped and tried again next run. Each admin gets one e-mail, in their
    language, listing all their institution's newly crossed resources. Returns the number of e-mails queued in the
    outbox (sent after the transaction commits).
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

    alerts = [
        QueuedEmail(emails.STATE_AID_ALERT, role.pk, {"year": year, "resources": [s.resource.id for s in shares]})
        for institution_id, shares in news_by_institution.items()
        for role in admins[institution_id]
        if role.user.email
    ]
    emails_queue(emails=alerts)
    return len(alerts)
