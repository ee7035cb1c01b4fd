"""Writes for agreements: a new version of a template, and an acceptance with its PDF."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import pdf
from agreements.choices import AgreementKind
from agreements.models import AgreementAcceptance, AgreementTemplate
from core.errors import DomainError


@transaction.atomic
def agreement_template_publish(
    *, institution=None, kind: str, title_nb: str, title_en: str, terms_nb: str, terms_en: str
) -> AgreementTemplate:
    """Publish a new version of the institution's (or the national) template of this kind; older versions stay
    for the agreements already accepted under them."""
    if kind not in AgreementKind.values:
        raise DomainError(_("Unknown kind of agreement."), field="kind", code="invalid_choice")
    for field, value in (("terms_nb", terms_nb), ("terms_en", terms_en)):
        if not (value or "").strip():
            raise DomainError(_("Write the terms in Bokmål and English."), field=field, code="required")
    existing = AgreementTemplate.objects.select_for_update().filter(institution=institution, kind=kind)
    version = (existing.aggregate(Max("version"))["version__max"] or 0) + 1
    template = AgreementTemplate(
        institution=institution, kind=kind, version=version, title_nb=title_nb, title_en=title_en,
        terms_nb=terms_nb, terms_en=terms_en,
    )  # fmt: skip
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def agreement_accept(
    *,
    template: AgreementTemplate,
    facility,
    user,
    accepted_by_name: str,
    organisation_name: str,
    org_number: str = "",
    price_amount: Decimal | None = None,
    subject: str,
    reference: str,
    language: str,
) -> AgreementAcceptance:
    """Record that `accepted_by_name` (the user, when signed in) accepted this version for the organisation, and
    keep the PDF with the parties, the price and the terms filled in."""
    if not (organisation_name or "").strip():
        raise DomainError(_("Name the organisation that accepts."), field="organisation_name", code="required")
    accepted_at = timezone.now()
    acceptance = AgreementAcceptance(
        template=template, facility=facility, accepted_by=user, accepted_by_name=accepted_by_name,
        organisation_name=organisation_name, org_number=org_number or "", price_amount=price_amount,
        subject=subject, reference=reference, language=language if language in ("nb", "en") else "nb",
    )  # fmt: skip
    acceptance.pdf = pdf.agreement_pdf_render(
        language=acceptance.language,
        context={
            "language": acceptance.language,
            "title": template.title_in(acceptance.language),
            "terms": template.terms_in(acceptance.language),
            "template": template,
            "facility": facility,
            "organisation_name": organisation_name,
            "org_number": org_number,
            "accepted_by_name": accepted_by_name,
            "accepted_at": accepted_at,
            "price_amount": price_amount,
            "subject": subject,
            "reference": reference,
        },
    )
    acceptance.full_clean(exclude=["pdf"])
    acceptance.save()
    return acceptance
