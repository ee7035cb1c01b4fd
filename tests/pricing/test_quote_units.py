"""Quotes per sample and per fixed fee (no time unit on the list): the number of samples counts, a fixed fee is
charged once, and of a list with both the per-sample price applies."""

import datetime
from decimal import Decimal

import pytest

from pricing import selectors
from pricing.choices import PriceTier, PriceUnit
from tests.helpers import oslo
from tests.pricing.factories import PriceListFactory, PriceListItemFactory

D = Decimal


def quote(resource, user, samples=None):
    return selectors.booking_quote(
        resource=resource, user=user, access_model="rental", start=oslo(2026, 3, 2, 9),
        end=oslo(2026, 3, 2, 11), samples=samples,
    )  # fmt: skip


@pytest.fixture
def price_list(resource):
    return PriceListFactory(resource=resource, valid_from=datetime.date(2026, 1, 1), valid_to=None)


@pytest.mark.parametrize(
    "units, samples, unit, quantity, net",
    [
        ({PriceUnit.SAMPLE: "900"}, 3, PriceUnit.SAMPLE, D(3), D("2700.00")),
        ({PriceUnit.SAMPLE: "900"}, None, PriceUnit.SAMPLE, D(1), D("900.00")),  # one sample unless told
        ({PriceUnit.FIXED: "5000"}, 3, PriceUnit.FIXED, D(1), D("5000.00")),  # a fixed fee is charged once
        (
            {PriceUnit.SAMPLE: "900", PriceUnit.FIXED: "500"},
            3,
            PriceUnit.SAMPLE,
            D(3),
            D("2700.00"),
        ),  # not the cheaper fee
    ],
)
def test_per_sample_and_fixed_fee_quotes(resource, company_user, price_list, units, samples, unit, quantity, net):
    for price_unit, price in units.items():
        PriceListItemFactory(price_list=price_list, tier=PriceTier.EXTERNAL_ECONOMIC, unit=price_unit, price=D(price))
    answer = quote(resource, company_user, samples=samples)
    assert (answer.unit, answer.quantity, answer.net_amount) == (unit, quantity, net)
    assert answer.total_amount == net * D("1.25")
