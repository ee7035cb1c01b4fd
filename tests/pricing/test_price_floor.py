"""The full-cost floor and the other rules of saving a price list, with the codes and fields an API client or
the price list form reads from each refusal."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from core.errors import ConflictError, DomainError
from pricing import selectors, services
from pricing.choices import CapacityUnit, PriceTier, PriceUnit
from pricing.models import PriceList
from tests.pricing.factories import CostBaseFactory

D = Decimal
ECONOMIC, NON_ECONOMIC, INTERNAL = PriceTier.EXTERNAL_ECONOMIC, PriceTier.EXTERNAL_NON_ECONOMIC, PriceTier.INTERNAL
JANUARY = datetime.date(2026, 1, 1)
DECEMBER = datetime.date(2026, 12, 31)


def save(resource, prices, valid_from=JANUARY, valid_to=DECEMBER, **kwargs):
    return services.price_list_save(
        resource=resource, valid_from=valid_from, valid_to=valid_to, prices=prices, **kwargs
    )


def refused(resource, prices, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        save(resource, prices, **kwargs)
    return error.value


def saved_prices(price_list) -> dict:
    return {(item.tier, item.unit): item.price for item in price_list.items.all()}


def test_an_economic_price_below_full_cost_is_refused_as_below_full_cost(resource):
    CostBaseFactory(resource=resource, year=2026)  # full cost 550.00 NOK/h
    error = refused(resource, {(ECONOMIC, PriceUnit.HOUR): D("549.99")})
    assert (error.field, error.code) == ("external_economic__hour", "below_full_cost")


@pytest.mark.parametrize(
    "unit, floor", [(PriceUnit.HOUR, "550"), (PriceUnit.HALF_DAY, "2200"), (PriceUnit.DAY, "4400")]
)
def test_the_floor_of_each_time_unit_is_its_hours_of_full_cost(resource, unit, floor):
    CostBaseFactory(resource=resource, year=2026)
    error = refused(resource, {(ECONOMIC, unit): D(floor) - D("0.01")})
    assert (error.field, error.code) == (f"external_economic__{unit}", "below_full_cost")
    assert saved_prices(save(resource, {(ECONOMIC, unit): D(floor)})) == {(ECONOMIC, unit): D(floor)}


def test_the_floor_of_a_day_is_eight_hours(resource):
    cost_base = CostBaseFactory(resource=resource, year=2026)
    assert selectors.economic_price_floor(cost_base=cost_base, unit=PriceUnit.DAY) == D("4400.00")
    assert selectors.economic_price_floor(cost_base=cost_base, unit=PriceUnit.HALF_DAY) == D("2200.00")
    assert selectors.economic_price_floor(cost_base=cost_base, unit=PriceUnit.FIXED) is None


def test_units_that_cannot_be_compared_with_the_cost_base_have_no_floor(resource):
    # A cost base counted in samples says nothing about an hour's price, and one in hours nothing about a sample's.
    by_sample = CostBaseFactory(resource=resource, year=2026, capacity_unit=CapacityUnit.SAMPLE)
    assert selectors.economic_price_floor(cost_base=by_sample, unit=PriceUnit.HOUR) is None
    assert saved_prices(save(resource, {(ECONOMIC, PriceUnit.HOUR): D("1")})) == {(ECONOMIC, PriceUnit.HOUR): D("1")}
    by_sample.delete()
    by_hour = CostBaseFactory(resource=resource, year=2026)
    assert selectors.economic_price_floor(cost_base=by_hour, unit=PriceUnit.SAMPLE) is None
    price_list = save(
        resource, {(ECONOMIC, PriceUnit.SAMPLE): D("1")}, valid_from=datetime.date(2027, 1, 1), valid_to=None
    )
    assert saved_prices(price_list) == {(ECONOMIC, PriceUnit.SAMPLE): D("1")}


def test_without_a_cost_base_any_price_may_be_set(resource):
    assert saved_prices(save(resource, {(ECONOMIC, PriceUnit.HOUR): D("1")})) == {(ECONOMIC, PriceUnit.HOUR): D("1")}


def test_a_negative_price_is_refused_naming_its_tier_and_unit(resource):
    error = refused(resource, {(ECONOMIC, PriceUnit.HOUR): D("600"), (INTERNAL, PriceUnit.DAY): D("-0.01")})
    assert (error.field, error.code) == ("internal__day", "negative")
    assert not PriceList.objects.exists()


def test_prices_left_blank_are_not_saved(resource):
    CostBaseFactory(resource=resource, year=2026)
    price_list = save(
        resource,
        {(ECONOMIC, PriceUnit.HOUR): None, (ECONOMIC, PriceUnit.DAY): D("4400"), (INTERNAL, PriceUnit.HOUR): None},
    )
    assert saved_prices(price_list) == {(ECONOMIC, PriceUnit.DAY): D("4400")}


def test_a_price_list_may_be_valid_for_a_single_day_but_not_end_before_it_starts(resource):
    one_day = save(resource, {(INTERNAL, PriceUnit.HOUR): D("10")}, valid_from=JANUARY, valid_to=JANUARY)
    assert (one_day.valid_from, one_day.valid_to) == (JANUARY, JANUARY)
    error = refused(resource, {}, valid_from=datetime.date(2026, 2, 2), valid_to=datetime.date(2026, 2, 1))
    assert (error.field, error.code) == ("valid_to", "invalid_period")


def test_an_overlapping_price_list_is_a_conflict_with_its_code(resource):
    save(resource, {(INTERNAL, PriceUnit.HOUR): D("10")})
    with pytest.raises(ConflictError) as error:
        save(resource, {(INTERNAL, PriceUnit.HOUR): D("10")}, valid_from=DECEMBER, valid_to=None)
    assert (error.value.field, error.value.code) == ("valid_from", "overlapping_price_list")


@pytest.mark.postgres
def test_a_writer_that_slips_past_the_overlap_check_gets_a_conflict_from_the_database(resource, monkeypatch):
    # Two managers saving at once: the second one's check ran before the first one's list was stored. The
    # exclusion constraint refuses the second list, and the service says so as a conflict on the start date.
    save(resource, {(INTERNAL, PriceUnit.HOUR): D("10")})
    monkeypatch.setattr(selectors, "overlapping_price_list", lambda **kwargs: None)
    with pytest.raises(ConflictError) as error, transaction.atomic():
        save(resource, {(INTERNAL, PriceUnit.HOUR): D("12")}, valid_from=DECEMBER, valid_to=None)
    assert error.value.field == "valid_from"
    assert PriceList.objects.count() == 1
