"""Reads for agreements."""

from django.db.models import Q

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

