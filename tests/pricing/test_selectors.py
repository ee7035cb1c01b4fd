import datetime
from decimal import Decimal

import pytest

from accounts.choices import AffiliationMethod, AffiliationState, UserKind
from accounts.models import Affiliation
from pricing import selectors
from pricing.choices import CapacityUnit, PriceTier, PriceUnit
from tests.factories import AcademicUserFactory, InstitutionFactory
from tests.helpers import oslo
from tests.pricing.factories import (
    CollaborationAgreementFactory,
    CostBaseFactory,
    PriceListItemFactory,
    hourly_price_list,
)

D = Decimal


# Only a verified affiliation gives the internal tier (issue 15): the state of the claim × how it was verified ×
# which institution the person typed. Anyone else renting pays the external economic price.
@pytest.mark.parametrize(
    "state, method, typed_here, verified_here, kind, tier",
    [
        (AffiliationState.VERIFIED, AffiliationMethod.FEIDE, True, True, UserKind.ACADEMIC, PriceTier.INTERNAL),
        (AffiliationState.VERIFIED, AffiliationMethod.EMAIL_DOMAIN, True, True, UserKind.ACADEMIC, PriceTier.INTERNAL),
        (AffiliationState.VERIFIED, AffiliationMethod.ADMIN, True, True, UserKind.ACADEMIC, PriceTier.INTERNAL),
        (AffiliationState.PENDING, "", True, True, UserKind.ACADEMIC, PriceTier.EXTERNAL_ECONOMIC),
        (AffiliationState.REFUSED, "", True, True, UserKind.ACADEMIC, PriceTier.EXTERNAL_ECONOMIC),
        # Typed the resource's institution, verified at another one: the typed one never counts.
        (AffiliationState.VERIFIED, AffiliationMethod.ADMIN, True, False, UserKind.ACADEMIC,
         PriceTier.EXTERNAL_ECONOMIC),
        # Verified here but typed another institution since: the verification is what counts.
        (AffiliationState.VERIFIED, AffiliationMethod.FEIDE, False, True, UserKind.ACADEMIC, PriceTier.INTERNAL),
        (AffiliationState.VERIFIED, AffiliationMethod.ADMIN, True, True, UserKind.COMPANY,
         PriceTier.EXTERNAL_ECONOMIC),
    ],
)  # fmt: skip
def test_only_a_verified_affiliation_gives_the_internal_tier(
    resource, institution, state, method, typed_here, verified_here, kind, tier
):
    other = InstitutionFactory()
    user = AcademicUserFactory(institution=institution if typed_here else other, kind=kind, affiliation_verified=False)
    Affiliation.objects.filter(user=user).update(
        institution=institution if verified_here else other, state=state, method=method
    )
    day = datetime.date(2026, 3, 2)
    assert selectors.use_terms_of(user=user, resource=resource, access_model="rental", day=day)[0].tier == tier


def test_a_user_without_any_claim_is_external(resource, institution):
    user = AcademicUserFactory(institution=institution, affiliation_verified=False)
    Affiliation.objects.filter(user=user).delete()
    terms, _agreement = selectors.use_terms_of(
        user=user, resource=resource, access_model="rental", day=datetime.date(2026, 3, 2)
    )
    assert terms.tier == PriceTier.EXTERNAL_ECONOMIC


@pytest.fixture
def two_years(resource):
    hourly_price_list(
        resource,
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31),
        internal="40",
        non_economic="110",
        economic="140",
    )
    hourly_price_list(
        resource,
        valid_from=datetime.date(2027, 1, 1),
        valid_to=None,
        internal="45",
        non_economic="120",
        economic="150",
    )
    return resource


def test_quote_for_a_company_pays_vat(two_years, company_user):
    # NTNU electric power lab A: 140 NOK/h commissioned, 175 incl. VAT. Two hours: 280 + 70 = 350.
    quote = selectors.booking_quote(
        resource=two_years,
        user=company_user,
        access_model="rental",
        start=oslo(2026, 3, 2, 9),
        end=oslo(2026, 3, 2, 11),
    )
    assert (quote.tier, quote.unit, quote.unit_price, quote.quantity) == ("external_economic", "hour", D("140"), D(2))
    assert (quote.net_amount, quote.vat_rate, quote.vat_amount, quote.total_amount) == (
        D("280.00"),
        D("0.25"),
        D("70.00"),
        D("350.00"),
    )
    assert quote.currency == "NOK"


@pytest.mark.parametrize("user_fixture, price", [("internal_academic", "40"), ("external_academic", "110")])
def test_non_economic_quotes_pay_no_vat(request, two_years, user_fixture, price):
    user = request.getfixturevalue(user_fixture)
    CollaborationAgreementFactory(facility=two_years.facility, participants=[user])  # the internal user needs none
    quote = selectors.booking_quote(
        resource=two_years,
        user=user,
        access_model="collaboration",
        start=oslo(2026, 3, 2, 9),
        end=oslo(2026, 3, 2, 10, 30),
    )
    assert quote.quantity == D("1.50")
    assert quote.net_amount == D(price) * D("1.5")
    assert quote.vat_rate == 0 and quote.vat_amount == 0 and quote.total_amount == quote.net_amount


@pytest.mark.parametrize(
    "start, end, unit_price",
    [
        (oslo(2026, 12, 31, 22), oslo(2026, 12, 31, 23), D("140")),  # last hour of the old list
        (oslo(2026, 12, 31, 23), oslo(2027, 1, 1, 1), D("140")),  # starts in the old year: old price throughout
        (oslo(2027, 1, 1, 0), oslo(2027, 1, 1, 1), D("150")),  # first hour of the new list
        (oslo(2027, 1, 1, 0, 30), oslo(2027, 1, 1, 1, 30), D("150")),  # 23:30 UTC on 31 Dec: Oslo date counts
    ],
)
def test_the_price_list_valid_at_the_start_applies_across_the_year_boundary(
    two_years, company_user, start, end, unit_price
):
    quote = selectors.booking_quote(resource=two_years, user=company_user, access_model="rental", start=start, end=end)
    assert quote.unit_price == unit_price


def test_no_price_list_no_quote(resource, company_user):
    assert (
        selectors.booking_quote(
            resource=resource,
            user=company_user,
            access_model="rental",
            start=oslo(2026, 3, 2, 9),
            end=oslo(2026, 3, 2, 10),
        )
        is None
    )


def test_day_rate_caps_the_hourly_price(resource, company_user):
    price_list = hourly_price_list(
        resource, valid_from=datetime.date(2026, 1, 1), valid_to=None, internal="10", non_economic="20", economic="200"
    )
    PriceListItemFactory(price_list=price_list, tier=PriceTier.EXTERNAL_ECONOMIC, unit=PriceUnit.DAY, price=D("1200"))
    # 7 hours: 7 × 200 = 1 400 by the hour, one day (up to 8 h) = 1 200 → the day rate.
    quote = selectors.booking_quote(
        resource=resource,
        user=company_user,
        access_model="rental",
        start=oslo(2026, 3, 2, 9),
        end=oslo(2026, 3, 2, 16),
    )
    assert (quote.unit, quote.quantity, quote.net_amount) == ("day", D(1), D("1200.00"))
    # 3 hours: 600 by the hour is cheaper.
    quote = selectors.booking_quote(
        resource=resource,
        user=company_user,
        access_model="rental",
        start=oslo(2026, 3, 2, 9),
        end=oslo(2026, 3, 2, 12),
    )
    assert (quote.unit, quote.net_amount) == ("hour", D("600.00"))


def test_quote_across_the_october_clock_change_counts_real_hours(resource, company_user):
    hourly_price_list(
        resource, valid_from=datetime.date(2026, 1, 1), valid_to=None, internal="1", non_economic="1", economic="100"
    )
    # 25 October 2026: 00:00 to 06:00 Oslo time is 7 real hours (the clock goes back at 03:00).
    quote = selectors.booking_quote(
        resource=resource,
        user=company_user,
        access_model="rental",
        start=oslo(2026, 10, 25, 0),
        end=oslo(2026, 10, 25, 6),
    )
    assert quote.quantity == D(7)


def test_annual_capacity_hours_from_the_cost_base(resource):
    CostBaseFactory(resource=resource, year=2026)
    CostBaseFactory(resource=resource, year=2027, capacity_unit=CapacityUnit.SAMPLE, capacity_units=D(4000))
    assert selectors.annual_capacity_hours(resource=resource, year=2026) == D(1500)
    assert selectors.annual_capacity_hours(resource=resource, year=2027) is None
    assert selectors.annual_capacity_hours(resource=resource, year=2025) is None
