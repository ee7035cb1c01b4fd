"""The tier, activity and VAT a person gets, from verified facts only: every combination of user kind × verified
affiliation × where it is × access model × collaboration agreement, through pricing.selectors.booking_quote."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from catalogue.choices import AccessModel
from core.errors import DomainError
from pricing import selectors, services
from pricing.choices import AgreementStatus, PriceTier
from tests.factories import AcademicUserFactory, FacilityFactory, InstitutionFactory, ResourceFactory, UserFactory
from tests.helpers import oslo
from tests.pricing.factories import CollaborationAgreementFactory, hourly_price_list

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date(2026, 3, 2)
# A rental of two hours at 40 (internal), 110 (external non-economic) and 140 (external economic) NOK an hour.
NET = {
    PriceTier.INTERNAL: D("80.00"),
    PriceTier.EXTERNAL_NON_ECONOMIC: D("220.00"),
    PriceTier.EXTERNAL_ECONOMIC: D("280.00"),
}

KINDS = ("company", "academic")
AFFILIATIONS = ("verified here", "typed here, not verified", "verified elsewhere", "none")
AGREEMENTS = (
    "none", "approved", "proposed", "rejected", "another facility's", "not naming the person", "ended", "not yet valid",
    "ending that day",
)  # fmt: skip
COVERING = ("approved", "ending that day")


@pytest.fixture
def world(db):
    owner = InstitutionFactory(name="NTNU")
    facility = FacilityFactory(institution=owner)
    resource = hourly_price_list(
        ResourceFactory(facility=facility), valid_from=datetime.date(2026, 1, 1), valid_to=None, internal="40",
        non_economic="110", economic="140",
    ).resource  # fmt: skip
    return {"owner": owner, "other": InstitutionFactory(name="UiB"), "resource": resource}


def person(world, kind, affiliation):
    where = {"verified here": "owner", "typed here, not verified": "owner", "verified elsewhere": "other"}
    institution = world[where[affiliation]] if affiliation in where else None
    factory = AcademicUserFactory if kind == "academic" else UserFactory
    return factory(institution=institution, affiliation_verified=affiliation != "typed here, not verified")


def agreement(world, user, situation):
    facility = world["resource"].facility
    if situation == "none":
        return None
    changes = {
        "approved": {},
        "proposed": {"status": AgreementStatus.PROPOSED},
        "rejected": {"status": AgreementStatus.REJECTED},
        "another facility's": {"facility": FacilityFactory(institution=world["owner"])},
        "not naming the person": {"participants": [UserFactory()]},
        "ended": {"valid_to": DAY - datetime.timedelta(days=1)},
        "not yet valid": {"valid_from": DAY + datetime.timedelta(days=1)},
        "ending that day": {"valid_to": DAY},
    }[situation]
    return CollaborationAgreementFactory(**{"facility": facility, "participants": [user], **changes})


def expected(kind, affiliation, access_model, situation):
    """What docs/pricing.md's tier table says: (tier, activity, VAT category) or the field a refusal names."""
    if kind == "academic" and affiliation == "verified here":
        return PriceTier.INTERNAL, "non_economic", "O"
    if access_model != AccessModel.COLLABORATION:
        return PriceTier.EXTERNAL_ECONOMIC, "economic", "S"
    if situation in COVERING:
        return PriceTier.EXTERNAL_NON_ECONOMIC, "non_economic", "O"
    return "collaboration_agreement"


SITUATIONS = list(itertools.product(KINDS, AFFILIATIONS, AccessModel.values, AGREEMENTS))


@pytest.mark.parametrize("kind, affiliation, access_model, situation", SITUATIONS)
def test_every_combination_gets_the_tier_activity_and_vat_of_the_table(
    world, kind, affiliation, access_model, situation
):
    user = person(world, kind, affiliation)
    made = agreement(world, user, situation)
    want = expected(kind, affiliation, access_model, situation)
    arguments = {"resource": world["resource"], "user": user, "access_model": access_model,
                 "start": oslo(2026, 3, 2, 9), "end": oslo(2026, 3, 2, 11)}  # fmt: skip
    if isinstance(want, str):
        with pytest.raises(DomainError) as error:
            selectors.booking_quote(**arguments)
        assert (error.value.field, error.value.code) == (want, "agreement_required")
        return
    quote = selectors.booking_quote(**arguments)
    tier, activity, category = want
    assert (quote.tier, quote.activity, quote.vat_category, quote.net_amount) == (tier, activity, category, NET[tier])
    assert quote.vat_amount == (quote.net_amount * D("0.25") if category == "S" else 0)
    # Outside the scope of VAT, the invoice line says why (EN 16931 BR-O-10); a standard-rated line says nothing.
    assert (quote.vat_reason_code, bool(quote.vat_reason)) == (("VATEX-EU-O", True) if category == "O" else ("", False))
    under_agreement = tier == PriceTier.EXTERNAL_NON_ECONOMIC
    assert quote.collaboration_agreement_id == (made.pk if under_agreement else None)


# A request that names the agreement or the activity itself: accepted only as the facts give it.
@pytest.mark.parametrize(
    "kind, access_model, named, activity, refusal",
    [
        ("company", AccessModel.COLLABORATION, "approved", None, None),
        ("company", AccessModel.COLLABORATION, "approved", "non_economic", None),
        ("company", AccessModel.COLLABORATION, "approved", "economic", ("activity", "activity_not_allowed")),
        ("company", AccessModel.COLLABORATION, "proposed", None,
         ("collaboration_agreement", "agreement_not_applicable")),
        ("company", AccessModel.COLLABORATION, "another person's", None,
         ("collaboration_agreement", "agreement_not_applicable")),
        ("company", AccessModel.COLLABORATION, "another person's, while their own covers them", None,
         ("collaboration_agreement", "agreement_not_applicable")),
        ("company", AccessModel.RENTAL, "approved", None, ("collaboration_agreement", "agreement_needs_collaboration")),
        ("company", AccessModel.RENTAL, None, "non_economic", ("activity", "activity_not_allowed")),
        ("company", AccessModel.RENTAL, None, "economic", None),
        ("academic elsewhere", AccessModel.SERVICE, None, "non_economic", ("activity", "activity_not_allowed")),
        ("academic here", AccessModel.RENTAL, None, "economic", ("activity", "activity_not_allowed")),
        ("academic here", AccessModel.RENTAL, None, "non_economic", None),
    ],
)  # fmt: skip
def test_a_named_agreement_or_activity_must_fit_the_facts(world, kind, access_model, named, activity, refusal):
    user = {
        "company": lambda: UserFactory(),
        "academic elsewhere": lambda: AcademicUserFactory(institution=world["other"]),
        "academic here": lambda: AcademicUserFactory(institution=world["owner"]),
    }[kind]()
    facility = world["resource"].facility
    chosen = {
        None: lambda: None,
        "approved": lambda: CollaborationAgreementFactory(facility=facility, participants=[user]),
        "proposed": lambda: CollaborationAgreementFactory(
            facility=facility, participants=[user], status=AgreementStatus.PROPOSED
        ),
        "another person's": lambda: CollaborationAgreementFactory(facility=facility, participants=[UserFactory()]),
        "another person's, while their own covers them": lambda: [
            CollaborationAgreementFactory(facility=facility, participants=[user]),
            CollaborationAgreementFactory(facility=facility, participants=[UserFactory()]),
        ][1],
    }[named]()
    arguments = {"resource": world["resource"], "user": user, "access_model": access_model,
                 "start": oslo(2026, 3, 2, 9), "end": oslo(2026, 3, 2, 11), "activity": activity,
                 "collaboration_agreement": chosen.pk if chosen else None}  # fmt: skip
    if refusal is None:
        quote = selectors.booking_quote(**arguments)
        assert quote.collaboration_agreement_id == (chosen.pk if chosen else None)
        return
    with pytest.raises(DomainError) as error:
        selectors.booking_quote(**arguments)
    assert (error.value.field, error.value.code) == refusal


def test_of_two_agreements_the_latest_approved_applies(world):
    user = UserFactory()
    facility = world["resource"].facility
    older = CollaborationAgreementFactory(facility=facility, participants=[user])
    newer = CollaborationAgreementFactory(facility=facility, participants=[user])
    newer.decided_at = older.decided_at + datetime.timedelta(days=1)
    newer.save()
    quote = selectors.booking_quote(
        resource=world["resource"], user=user, access_model="collaboration", start=oslo(2026, 3, 2, 9),
        end=oslo(2026, 3, 2, 11),
    )  # fmt: skip
    assert quote.collaboration_agreement_id == newer.pk


# The institution's VAT table decides the VAT of sales per access model; internal use stays an internal transfer.
@pytest.mark.parametrize(
    "who, access_model, category, rate, reason, expected",
    [
        ("company", AccessModel.SERVICE, "E", D(0), "Helsetjenester, mval. § 3-2", ("E", D("0.00"))),
        ("company", AccessModel.RENTAL, "E", D(0), "Helsetjenester, mval. § 3-2", ("S", D("70.00"))),  # other model
        ("company", AccessModel.SERVICE, "S", D("0.15"), "", ("S", D("42.00"))),
        ("academic here", AccessModel.SERVICE, "S", D("0.25"), "", ("O", D("0.00"))),  # never a sale
    ],
)
def test_the_institutions_vat_rule_applies_to_its_access_model_only(world, who, access_model, category, rate, reason,
                                                                    expected):  # fmt: skip
    admin = UserFactory(is_staff=True)
    services.vat_rule_save(
        institution=world["owner"], access_model=AccessModel.SERVICE, actor=admin, category=category, rate=rate,
        reason=reason,
    )  # fmt: skip
    user = UserFactory() if who == "company" else AcademicUserFactory(institution=world["owner"])
    quote = selectors.booking_quote(
        resource=world["resource"], user=user, access_model=access_model, start=oslo(2026, 3, 2, 9),
        end=oslo(2026, 3, 2, 11),
    )  # fmt: skip
    assert (quote.vat_category, quote.vat_amount) == expected
    assert quote.total_amount == quote.net_amount + quote.vat_amount


def test_prices_for_the_person_show_each_access_model_and_why(world):
    user = UserFactory()
    rows = {row.access_model: row for row in selectors.prices_for_user(user=user, resource=world["resource"], day=DAY)}
    assert rows["rental"].terms.terms.tier == PriceTier.EXTERNAL_ECONOMIC
    assert [entry["total"] for entry in rows["rental"].priced_items] == [D("175.00")]
    assert rows["collaboration"].terms is None and "agreement_required" not in rows["collaboration"].refusal
    assert rows["collaboration"].refusal  # why collaboration research is not open (the words: see test_terms)
    CollaborationAgreementFactory(facility=world["resource"].facility, participants=[user])
    rows = {row.access_model: row for row in selectors.prices_for_user(user=user, resource=world["resource"], day=DAY)}
    assert rows["collaboration"].terms.terms.tier == PriceTier.EXTERNAL_NON_ECONOMIC
    assert [entry["total"] for entry in rows["collaboration"].priced_items] == [D("110.00")]


def test_a_member_of_the_owning_institution_who_names_an_agreement_uses_it_as_internal_use_without_it(world):
    """Collaboration research by the owning institution's own academic is an internal transfer: an agreement they
    take part in and name changes nothing, and the booking records none."""
    user = AcademicUserFactory(institution=world["owner"])
    named = CollaborationAgreementFactory(facility=world["resource"].facility, participants=[user])
    found, quote = selectors.booking_price(
        resource=world["resource"], user=user, access_model=AccessModel.COLLABORATION, start=oslo(2026, 3, 2, 9),
        end=oslo(2026, 3, 2, 11), collaboration_agreement=named.pk,
    )  # fmt: skip
    assert (found.terms.tier, found.agreement, quote.collaboration_agreement_id) == (PriceTier.INTERNAL, None, None)


def your_prices(world, user) -> dict:
    return {row.access_model: row for row in selectors.prices_for_user(user=user, resource=world["resource"], day=DAY)}


def test_your_prices_name_the_agreement_on_the_collaboration_row_only(world):
    user = UserFactory()
    made = CollaborationAgreementFactory(facility=world["resource"].facility, participants=[user])
    rows = {row.access_model: row for row in selectors.prices_for_user(user=user, resource=world["resource"], day=DAY)}
    assert {model: row.terms.agreement for model, row in rows.items()} == {
        AccessModel.RENTAL: None, AccessModel.SERVICE: None, AccessModel.COMMISSIONED: None,
        AccessModel.COLLABORATION: made,
    }  # fmt: skip


def test_your_prices_show_the_vat_the_institutions_table_gives_each_access_model(world):
    """A company sees the institution's exemption for service on the service row (no VAT added), and the standard
    rate on the others; the owning institution's own academic pays no VAT on any (internal transfer)."""
    services.vat_rule_save(
        institution=world["owner"], access_model=AccessModel.SERVICE, actor=UserFactory(is_staff=True), category="E",
        rate=D(0), reason="Helsetjenester, mval. § 3-2",
    )  # fmt: skip
    company = your_prices(world, UserFactory())
    assert (company["service"].terms.vat.category, company["service"].terms.vat.reason) == (
        "E", "Helsetjenester, mval. § 3-2"
    )  # fmt: skip
    assert [entry["total"] for entry in company["service"].priced_items] == [D("140.00")]
    assert [entry["total"] for entry in company["rental"].priced_items] == [D("175.00")]
    academic = AcademicUserFactory(institution=world["owner"])
    internal = your_prices(world, academic)
    assert {row.terms.vat.category for row in internal.values()} == {"O"}


def test_a_resource_without_a_price_list_shows_no_prices_and_a_refused_row_no_items(world):
    user = UserFactory()
    assert selectors.prices_for_user(user=user, resource=ResourceFactory(), day=DAY) == []
    rows = {row.access_model: row for row in selectors.prices_for_user(user=user, resource=world["resource"], day=DAY)}
    assert (rows["collaboration"].terms, rows["collaboration"].items, rows["collaboration"].priced_items) == (
        None, [], []
    )  # fmt: skip


def test_a_visitor_who_is_not_signed_in_gets_the_external_terms_and_no_collaboration(world):
    found = selectors.terms_by_access_model(user=AnonymousUser(), resource=world["resource"], day=DAY)
    assert found[AccessModel.RENTAL].terms.tier == PriceTier.EXTERNAL_ECONOMIC
    assert isinstance(found[AccessModel.COLLABORATION], DomainError)
    assert list(selectors.agreements_covering(user=AnonymousUser(), facility_id=world["resource"].facility_id,
                                              day=DAY)) == []  # fmt: skip
