"""Reads for agreements."""

from django.db.models import Q
from django.utils.translation import gettext as _

from agreements.choices import AgreementKind
from agreements.models import AgreementAcceptance, AgreementTemplate


def agreement_template_current(*, institution_id: int | None, kind: str) -> AgreementTemplate | None:
    """The newest version of the institution's own template of this kind, else of the national standard."""
    candidates = AgreementTemplate.objects.filter(kind=kind).filter(
        Q(institution_id=institution_id) | Q(institution__isnull=True)
    )
    own = [t for t in candidates.order_by("-version") if t.institution_id is not None]
    if own:
        return own[0]
    return candidates.filter(institution__isnull=True).order_by("-version").first()


def acceptance_for(pk: int) -> AgreementAcceptance | None:
    return (
        AgreementAcceptance.objects.select_related("template", "facility", "facility__institution")
        .filter(pk=pk)
        .first()
    )


def collaboration_agreement_refusal(*, facility_id: int, user_id: int | None) -> str | None:
    """Why the user's use of the facility is not covered by a collaboration agreement they accepted (on a proposal of
    that facility), or None when it is. Registered as core.references COLLABORATION_AGREEMENT."""
    if user_id is not None and AgreementAcceptance.objects.filter(
        facility_id=facility_id, accepted_by_id=user_id, template__kind=AgreementKind.COLLABORATION
    ).exists():
        return None
    return _("There is no accepted collaboration agreement with this facility.")
