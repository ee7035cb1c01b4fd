"""Who pays what, and with which VAT: the rules that turn verified facts into an activity, a price tier and a VAT
treatment (DOMAIN.md, "Price tiers" and VAT; docs/pricing.md has the tables).

Pure functions, no database: `pricing.selectors.use_terms_for` gathers the facts (the person's verified
affiliation, the access model, an approved collaboration agreement, the institution's VAT table). Nothing a person
merely typed decides anything here.

Tier and activity:
- A verified member of the institution that owns the facility: internal use, non-economic, an internal transfer.
- Anyone else using collaboration research: non-economic at full cost, but only under a collaboration agreement
  the facility has approved (effective collaboration, shared risk, the institution may publish).
- Anyone else renting, buying a service or commissioning research: economic use, full cost plus a margin
  (EEA R&D&I framework §21 and §25). A company never becomes non-economic by saying so.

VAT follows the transaction, not the tier: an internal transfer has no VAT and no invoice; a sale carries 25 %
unless the institution's table says otherwise for that access model; collaboration research under an agreement is
outside the scope of VAT. This encodes common practice and is not tax advice.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from catalogue.choices import AccessModel
from core.errors import DomainError
from pricing.choices import Activity, PriceTier, TermsReason, Transaction, VatCategory


@dataclass(frozen=True)
class UseTerms:
    """What a use is: its activity (economic or not, for state aid), the tier it pays, the kind of transaction
    (for VAT) and why (a TermsReason)."""

    activity: str
    tier: str
    transaction: str
    reason: str


INTERNAL_USE = UseTerms(
    Activity.NON_ECONOMIC, PriceTier.INTERNAL, Transaction.INTERNAL_TRANSFER, TermsReason.OWN_INSTITUTION
)
COLLABORATION_USE = UseTerms(
    Activity.NON_ECONOMIC, PriceTier.EXTERNAL_NON_ECONOMIC, Transaction.COLLABORATION,
    TermsReason.COLLABORATION_AGREEMENT,
)  # fmt: skip
ECONOMIC_USE = UseTerms(Activity.ECONOMIC, PriceTier.EXTERNAL_ECONOMIC, Transaction.SALE, TermsReason.ECONOMIC_USE)


# Why a booking made in a tier pays it, for bookings stored before their reason (one tier, one reason).
REASON_BY_TIER = {terms.tier: terms.reason for terms in (INTERNAL_USE, COLLABORATION_USE, ECONOMIC_USE)}


def use_terms(*, internal: bool, access_model: str, agreement: bool) -> UseTerms:
    """The terms of one use of a facility.

    `internal`: the person is verified as a member of the institution that owns the facility (and so it pays).
    `access_model`: rental, service, commissioned or collaboration. `agreement`: an approved collaboration
    agreement of the facility covers the person on the day of use. DomainError naming the field when the access
    model is unknown or collaboration research is asked for without an agreement.
    """
    if access_model not in AccessModel.values:
        raise DomainError(_("Unknown access model."), field="access_model", code="invalid_access_model")
    if internal:
        return INTERNAL_USE
    if access_model == AccessModel.COLLABORATION:
        if not agreement:
            raise DomainError(
                _(
                    "Collaboration research outside the owning institution needs a collaboration agreement that "
                    "the facility has approved. Propose one first, or choose rental, service or commissioned "
                    "research (economic use)."
                ),
                field="collaboration_agreement",
                code="agreement_required",
            )
        return COLLABORATION_USE
    return ECONOMIC_USE


def activity_check(*, asked: str | None, terms: UseTerms) -> None:
    """Refuse a request that names an activity the person may not have (400 on `activity`); no activity named
    is fine, the server decides it."""
    if not asked:
        return
    if asked not in Activity.values:
        raise DomainError(_("Unknown activity."), field="activity", code="invalid_activity")
    if asked != terms.activity:
        raise DomainError(
            _(
                "You cannot book this as %(asked)s: %(why)s Leave the activity out and the price follows from "
                "who you are, the access model and any approved collaboration agreement."
            )
            % {"asked": str(Activity(asked).label).lower(), "why": TermsReason(terms.reason).label},
            field="activity",
            code="activity_not_allowed",
        )


@dataclass(frozen=True)
class VatTreatment:
    """The VAT of one use: the EN 16931 category, the rate, and for categories other than S and Z the reason
    (an optional VATEX code and the text on the invoice). `invoiced` is False for an internal transfer, which is
    charged inside the institution and never invoiced. `overridden` says that the institution's table decided it."""

    category: str
    rate: Decimal
    reason_code: str = ""
    reason: str = ""
    invoiced: bool = True
    overridden: bool = False


# The defaults, by transaction: the standard rate of 25 %, or outside the scope of VAT with EN 16931's code for it
# (VATEX-EU-O). The reason texts go on invoices, so they are in Norwegian.
DEFAULT_VAT = {
    Transaction.INTERNAL_TRANSFER: VatTreatment(
        VatCategory.OUTSIDE_SCOPE, Decimal(0), "VATEX-EU-O",
        "Intern overføring i institusjonen: ingen omsetning, ingen faktura", invoiced=False,
    ),
    Transaction.SALE: VatTreatment(VatCategory.STANDARD, Decimal("0.25")),
    Transaction.COLLABORATION: VatTreatment(
        VatCategory.OUTSIDE_SCOPE, Decimal(0), "VATEX-EU-O",
        "Utenfor merverdiavgiftsloven: samarbeids- eller bidragsforskning etter avtale, ingen omsetning",
    ),
}  # fmt: skip


def vat_treatment(*, transaction: str, override=None) -> VatTreatment:
    """The VAT of a transaction: the default (DEFAULT_VAT), or the institution's override for the access model
    (anything with category, rate, reason_code and reason, e.g. a pricing.models.VatRule). An internal transfer
    is never a sale, so no override applies to it."""
    default = DEFAULT_VAT[transaction]
    if override is None or transaction == Transaction.INTERNAL_TRANSFER:
        return default
    return VatTreatment(
        category=override.category,
        rate=Decimal(override.rate),
        reason_code=override.reason_code,
        reason=override.reason,
        overridden=True,
    )


def vat_rule_check(*, category: str, rate: Decimal, reason_code: str, reason: str) -> None:
    """Whether an institution's VAT rule makes sense under EN 16931: standard rate above zero and without a
    reason (BR-S-05, BR-S-10); zero rated at 0 % without a reason (BR-Z-05, BR-Z-10); exempt and outside the
    scope at 0 % with the reason stated (BR-E-05, BR-E-10, BR-O-05, BR-O-10). DomainError naming the field."""
    if category not in VatCategory.values:
        raise DomainError(_("Choose a VAT category."), field="category", code="invalid_choice")
    rate = Decimal(rate)
    if rate < 0 or rate >= 1:
        raise DomainError(
            _("The VAT rate is a fraction from 0 to below 1, e.g. 0.25."), field="rate", code="rate_out_of_range"
        )
    if category == VatCategory.STANDARD:
        if rate <= 0:
            raise DomainError(_("The standard rate is above zero."), field="rate", code="rate_required")
    elif rate != 0:
        raise DomainError(
            _("Only the standard rate carries VAT: zero rated, exempt and outside the scope are 0 %."),
            field="rate",
            code="rate_not_zero",
        )
    has_reason = bool(reason.strip() or reason_code.strip())
    if category in (VatCategory.EXEMPT, VatCategory.OUTSIDE_SCOPE) and not reason.strip():
        raise DomainError(
            _("Say why: exempt and outside-the-scope lines carry the reason on the invoice."),
            field="reason",
            code="reason_required",
        )
    if category in (VatCategory.STANDARD, VatCategory.ZERO_RATED) and has_reason:
        raise DomainError(
            _("Standard-rated and zero-rated lines carry no exemption reason."),
            field="reason",
            code="reason_not_allowed",
        )
    if reason_code and not reason_code.startswith("VATEX-"):
        raise DomainError(
            _("An exemption reason code is a VATEX code, e.g. VATEX-EU-O."), field="reason_code", code="not_vatex"
        )
