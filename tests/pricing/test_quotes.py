"""Quotes for every kind of price a facility publishes: per sample, a fixed fee, a list with both, half days and
days, long bookings by the hour, and the prices read together with the resource on the booking path."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pricing import selectors
from pricing.choices import Activity, PriceTier, PriceUnit
from tests.helpers import oslo
from tests.pricing.factories import PriceListFactory, PriceListItemFactory

D = Decimal
ECONOMIC = PriceTier.EXTERNAL_ECONOMIC


def price_list(resource, prices: dict) -> object:
    """A 2026 price list with `prices` {(tier, unit): price}."""
    price_list = PriceListFactory(resource=resource)
    for (tier, unit), price in prices.items():
        PriceListItemFactory(price_list=price_list, tier=tier, unit=unit, price=D(price))
    return price_list


def quote(resource, user, *, start=None, end=None, samples=None, activity=Activity.ECONOMIC):
    return selectors.booking_quote(
        resource=resource,
        user=user,
        activity=activity,
        start=start or oslo(2026, 3, 2, 9),
        end=end or oslo(2026, 3, 2, 11),
        samples=samples,
    )


def figures(quote) -> tuple:
    return (quote.unit, quote.quantity, quote.net_amount, quote.vat_amount, quote.total_amount)


# --- per sample and fixed fees --------------------------------------------------------------------------------


def test_a_quote_for_three_samples_charges_three(resource, company_user):
    price_list(resource, {(ECONOMIC, PriceUnit.SAMPLE): "1200"})
    assert figures(quote(resource, company_user, samples=3)) == (
        "sample",
        D(3),
        D("3600.00"),
        D("900.00"),
        D("4500.00"),
    )


def test_a_quote_per_sample_without_a_number_is_for_one_sample(resource, company_user):
    price_list(resource, {(ECONOMIC, PriceUnit.SAMPLE): "1200"})
    assert figures(quote(resource, company_user)) == ("sample", D(1), D("1200.00"), D("300.00"), D("1500.00"))


def test_a_fixed_fee_is_charged_once_whatever_the_length_or_the_samples(resource, company_user):
    price_list(resource, {(ECONOMIC, PriceUnit.FIXED): "5000"})
    once = ("fixed", D(1), D("5000.00"), D("1250.00"), D("6250.00"))
    assert figures(quote(resource, company_user)) == once
    assert figures(quote(resource, company_user, end=oslo(2026, 3, 6, 16), samples=4)) == once


def test_a_list_with_both_per_sample_and_fixed_prices_charges_per_sample(resource, company_user):
    # The fixed fee is cheaper for one sample, but the per-sample price is the one that applies.
    price_list(resource, {(ECONOMIC, PriceUnit.SAMPLE): "800", (ECONOMIC, PriceUnit.FIXED): "500"})
    assert figures(quote(resource, company_user, samples=2)) == (
        "sample",
        D(2),
        D("1600.00"),
        D("400.00"),
        D("2000.00"),
    )
    assert quote(resource, company_user).unit == "sample"


def test_time_prices_come_before_sample_and_fixed_prices(resource, company_user):
    price_list(
        resource,
        {(ECONOMIC, PriceUnit.HOUR): "900", (ECONOMIC, PriceUnit.SAMPLE): "10", (ECONOMIC, PriceUnit.FIXED): "10"},
    )
    assert figures(quote(resource, company_user, samples=2)) == ("hour", D(2), D("1800.00"), D("450.00"), D("2250.00"))


def test_the_api_quotes_three_samples_and_a_fixed_fee(resource, company_user):
    api = APIClient()
    api.force_authenticate(company_user)
    url = f"/api/v1/resources/{resource.pk}/quote/"
    query = {"start": "2026-03-02T09:00:00+01:00", "end": "2026-03-02T11:00:00+01:00", "activity": "economic"}
    listed = price_list(resource, {(ECONOMIC, PriceUnit.SAMPLE): "1200"})
    body = api.get(url, {**query, "samples": "3"}).json()
    assert (body["unit"], body["quantity"], body["net_amount"], body["total_amount"]) == (
        "sample",
        "3.00",
        "3600.00",
        "4500.00",
    )
    listed.items.all().delete()
    PriceListItemFactory(price_list=listed, tier=ECONOMIC, unit=PriceUnit.FIXED, price=D("5000"))
    body = api.get(url, {**query, "samples": "3"}).json()
    assert (body["unit"], body["quantity"], body["net_amount"], body["total_amount"]) == (
        "fixed",
        "1.00",
        "5000.00",
        "6250.00",
    )


# --- time units -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hours, days",
    [(1, 1), (8, 1), (9, 2), (16, 2), (17, 3)],
)
def test_a_day_price_is_for_each_started_block_of_eight_hours(resource, company_user, hours, days):
    price_list(resource, {(ECONOMIC, PriceUnit.DAY): "4000"})
    start = oslo(2026, 3, 2, 6)
    result = quote(resource, company_user, start=start, end=start + datetime.timedelta(hours=hours))
    assert (result.unit, result.quantity, result.net_amount) == ("day", D(days), D(4000 * days))


@pytest.mark.parametrize("hours, half_days", [(4, 1), (5, 2), (8, 2), (9, 3)])
def test_a_half_day_price_is_for_each_started_block_of_four_hours(resource, company_user, hours, half_days):
    price_list(resource, {(ECONOMIC, PriceUnit.HALF_DAY): "2200"})
    start = oslo(2026, 3, 2, 6)
    result = quote(resource, company_user, start=start, end=start + datetime.timedelta(hours=hours))
    assert (result.unit, result.quantity) == ("half_day", D(half_days))


def test_a_long_booking_by_the_hour_counts_every_hour(resource, company_user):
    # 24 hours from Monday 09:00: 24 × 100 = 2 400, to the øre.
    price_list(resource, {(ECONOMIC, PriceUnit.HOUR): "100"})
    result = quote(resource, company_user, end=oslo(2026, 3, 3, 9))
    assert (result.quantity, result.net_amount) == (D("24.00"), D("2400.00"))
    # And to the minute: 20 minutes is a third of an hour.
    result = quote(resource, company_user, end=oslo(2026, 3, 2, 9, 20))
    assert (result.quantity, result.net_amount) == (D("0.33"), D("33.00"))
