"""pricing.terms: who pays which tier, with which activity and VAT, as tables of situations (docs/pricing.md)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from catalogue.choices import AccessModel
from core.errors import DomainError
from pricing import terms
from pricing.choices import Activity, PriceTier, TermsReason, Transaction, VatCategory

D = Decimal
ECONOMIC = (Activity.ECONOMIC, PriceTier.EXTERNAL_ECONOMIC, Transaction.SALE, TermsReason.ECONOMIC_USE)
COLLABORATION = (
    Activity.NON_ECONOMIC, PriceTier.EXTERNAL_NON_ECONOMIC, Transaction.COLLABORATION,
    TermsReason.COLLABORATION_AGREEMENT,
)  # fmt: skip
INTERNAL = (Activity.NON_ECONOMIC, PriceTier.INTERNAL, Transaction.INTERNAL_TRANSFER, TermsReason.OWN_INSTITUTION)
REFUSED = "collaboration_agreement"


# (member of the owning institution, access model, an approved agreement covers the person): the terms, or the
# field a refusal names. Every combination.
@pytest.mark.parametrize(
    "internal, access_model, agreement, expected",
    [
        (True, AccessModel.RENTAL, False, INTERNAL),
        (True, AccessModel.SERVICE, False, INTERNAL),
        (True, AccessModel.COMMISSIONED, False, INTERNAL),
        (True, AccessModel.COLLABORATION, False, INTERNAL),  # the owning institution needs no agreement
        (True, AccessModel.RENTAL, True, INTERNAL),
        (True, AccessModel.SERVICE, True, INTERNAL),
        (True, AccessModel.COMMISSIONED, True, INTERNAL),
        (True, AccessModel.COLLABORATION, True, INTERNAL),
        (False, AccessModel.RENTAL, False, ECONOMIC),
        (False, AccessModel.SERVICE, False, ECONOMIC),
        (False, AccessModel.COMMISSIONED, False, ECONOMIC),
        (False, AccessModel.COLLABORATION, False, REFUSED),
        (False, AccessModel.RENTAL, True, ECONOMIC),  # an agreement does not make rental non-economic
        (False, AccessModel.SERVICE, True, ECONOMIC),
        (False, AccessModel.COMMISSIONED, True, ECONOMIC),
        (False, AccessModel.COLLABORATION, True, COLLABORATION),
    ],
)
def test_the_terms_of_every_situation(internal, access_model, agreement, expected):
    if expected == REFUSED:
        with pytest.raises(DomainError) as error:
            terms.use_terms(internal=internal, access_model=access_model, agreement=agreement)
        assert (error.value.field, error.value.code) == ("collaboration_agreement", "agreement_required")
        return
    found = terms.use_terms(internal=internal, access_model=access_model, agreement=agreement)
    assert (found.activity, found.tier, found.transaction, found.reason) == expected


@pytest.mark.parametrize("internal", [True, False])
@pytest.mark.parametrize("access_model", ["", "charity", "economic"])
def test_an_unknown_access_model_is_refused_on_its_field(internal, access_model):
    with pytest.raises(DomainError) as error:
        terms.use_terms(internal=internal, access_model=access_model, agreement=True)
    assert (error.value.field, error.value.code) == ("access_model", "invalid_access_model")


# (the activity a request names, the terms the facts give): None when accepted, else the refusal's code.
@pytest.mark.parametrize(
    "asked, given, refusal",
    [
        (None, terms.ECONOMIC_USE, None),
        ("", terms.ECONOMIC_USE, None),
        (Activity.ECONOMIC, terms.ECONOMIC_USE, None),
        (Activity.NON_ECONOMIC, terms.ECONOMIC_USE, "activity_not_allowed"),  # a company renting, say
        (Activity.ECONOMIC, terms.COLLABORATION_USE, "activity_not_allowed"),
        (Activity.NON_ECONOMIC, terms.COLLABORATION_USE, None),
        (Activity.ECONOMIC, terms.INTERNAL_USE, "activity_not_allowed"),
        (Activity.NON_ECONOMIC, terms.INTERNAL_USE, None),
        ("charity", terms.ECONOMIC_USE, "invalid_activity"),
    ],
)
def test_a_named_activity_must_be_the_one_the_facts_give(asked, given, refusal):
    if refusal is None:
        terms.activity_check(asked=asked, terms=given)
        return
    with pytest.raises(DomainError) as error:
        terms.activity_check(asked=asked, terms=given)
    assert (error.value.field, error.value.code) == ("activity", refusal)


def test_the_refusal_says_why_in_words():
    with translation.override("en"), pytest.raises(DomainError) as error:
        terms.activity_check(asked=Activity.NON_ECONOMIC, terms=terms.ECONOMIC_USE)
    assert "as non-economic activity: Rental, a service or commissioned research" in str(error.value.message)
    with translation.override("nb"), pytest.raises(DomainError) as error:
        terms.activity_check(asked=Activity.NON_ECONOMIC, terms=terms.ECONOMIC_USE)
    assert "Utleie, en tjeneste eller oppdragsforskning" in str(error.value.message)


def rule(category, rate, reason_code="", reason=""):
    return SimpleNamespace(category=category, rate=rate, reason_code=reason_code, reason=reason)


EXEMPT = rule(VatCategory.EXEMPT, D(0), "VATEX-EU-132-1B", "Unntatt etter mval. § 3-2")
INTERNAL_REASON = "Intern overføring i institusjonen: ingen omsetning, ingen faktura"
OUTSIDE_REASON = "Utenfor merverdiavgiftsloven: samarbeids- eller bidragsforskning etter avtale, ingen omsetning"


# (transaction, the institution's rule for the access model): (category, rate, reason code, reason on the invoice,
# invoiced, overridden).
@pytest.mark.parametrize(
    "transaction, override, expected",
    [
        (Transaction.SALE, None, ("S", D("0.25"), "", "", True, False)),
        (Transaction.COLLABORATION, None, ("O", D(0), "VATEX-EU-O", OUTSIDE_REASON, True, False)),
        (Transaction.INTERNAL_TRANSFER, None, ("O", D(0), "VATEX-EU-O", INTERNAL_REASON, False, False)),
        (Transaction.SALE, EXEMPT, ("E", D(0), "VATEX-EU-132-1B", "Unntatt etter mval. § 3-2", True, True)),
        (Transaction.SALE, rule(VatCategory.ZERO_RATED, D(0)), ("Z", D(0), "", "", True, True)),
        (Transaction.SALE, rule(VatCategory.STANDARD, D("0.15")), ("S", D("0.15"), "", "", True, True)),
        (Transaction.COLLABORATION, rule(VatCategory.STANDARD, D("0.25")), ("S", D("0.25"), "", "", True, True)),
        (Transaction.INTERNAL_TRANSFER, EXEMPT, ("O", D(0), "VATEX-EU-O", INTERNAL_REASON, False, False)),  # no sale
    ],
)
def test_vat_follows_the_transaction_and_the_institutions_table(transaction, override, expected):
    found = terms.vat_treatment(transaction=transaction, override=override)
    assert (found.category, found.rate, found.reason_code, found.reason, found.invoiced, found.overridden) == expected


def test_no_tier_decides_the_vat():
    """The same economic tier can be sold at 25 % or exempt: VAT is the transaction's, not the tier's."""
    sale = terms.vat_treatment(transaction=terms.ECONOMIC_USE.transaction, override=None)
    exempt = terms.vat_treatment(transaction=terms.ECONOMIC_USE.transaction, override=EXEMPT)
    assert (sale.category, exempt.category) == ("S", "E")


# An institution's rule, checked against EN 16931: None when it stands, else (field, code).
@pytest.mark.parametrize(
    "category, rate, reason_code, reason, refusal",
    [
        ("S", D("0.25"), "", "", None),
        ("S", D("0.15"), "", "", None),
        ("S", D(0), "", "", ("rate", "rate_required")),
        ("S", D("0.25"), "", "Fordi", ("reason", "reason_not_allowed")),
        ("S", D("0.25"), "VATEX-EU-O", "", ("reason", "reason_not_allowed")),
        ("Z", D(0), "", "", None),
        ("Z", D("0.25"), "", "", ("rate", "rate_not_zero")),
        ("Z", D(0), "", "Eksport", ("reason", "reason_not_allowed")),
        ("E", D(0), "", "Unntatt etter mval. § 3-2", None),
        ("E", D(0), "VATEX-EU-132-1B", "Unntatt", None),
        ("E", D(0), "", "", ("reason", "reason_required")),
        ("E", D(0), "VATEX-EU-132-1B", " ", ("reason", "reason_required")),
        ("E", D("0.01"), "", "Unntatt", ("rate", "rate_not_zero")),
        ("O", D(0), "VATEX-EU-O", "Utenfor", None),
        ("O", D(0), "", "", ("reason", "reason_required")),
        ("O", D(0), "EU-O", "Utenfor", ("reason_code", "not_vatex")),
        ("X", D(0), "", "", ("category", "invalid_choice")),
        ("", D(0), "", "", ("category", "invalid_choice")),
        ("S", D(-1), "", "", ("rate", "rate_out_of_range")),
        ("S", D(1), "", "", ("rate", "rate_out_of_range")),
        ("S", D("0.9999"), "", "", None),
    ],
)
def test_an_institutions_vat_rule_is_checked_against_en_16931(category, rate, reason_code, reason, refusal):
    if refusal is None:
        terms.vat_rule_check(category=category, rate=rate, reason_code=reason_code, reason=reason)
        return
    with pytest.raises(DomainError) as error:
        terms.vat_rule_check(category=category, rate=rate, reason_code=reason_code, reason=reason)
    assert (error.value.field, error.value.code) == refusal


def test_each_tier_has_its_reason():
    assert terms.REASON_BY_TIER == {
        PriceTier.INTERNAL: TermsReason.OWN_INSTITUTION,
        PriceTier.EXTERNAL_NON_ECONOMIC: TermsReason.COLLABORATION_AGREEMENT,
        PriceTier.EXTERNAL_ECONOMIC: TermsReason.ECONOMIC_USE,
    }
