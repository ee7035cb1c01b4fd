"""The full-cost floor: every external economic price against full cost plus the minimum margin, in its own unit.

The worked cost base (tests/pricing/factories.py) costs 825 000 NOK a year: 550.00 NOK an hour over 1 500 hours,
825.00 NOK a sample over 1 000 samples. With the default minimum margin of 5 % the floors are 577.50 an hour,
2 310.00 a half day (4 h), 4 620.00 a day (8 h) and 866.25 a sample.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import DomainError
from core.policies import OPERATOR
from pricing import selectors, services
from pricing.choices import CapacityUnit, PriceTier, PriceUnit
from pricing.models import PriceList
from tests.factories import FacilityManagerFactory
from tests.pricing.factories import CostBaseFactory

D = Decimal
ECONOMIC, NON_ECONOMIC, INTERNAL = PriceTier.EXTERNAL_ECONOMIC, PriceTier.EXTERNAL_NON_ECONOMIC, PriceTier.INTERNAL
HOURS, SAMPLES = CapacityUnit.HOUR, CapacityUnit.SAMPLE
CAPACITY = {HOURS: D(1500), SAMPLES: D(1000)}


def cost_base(resource, counted=HOURS, year=2026, **values):
    values.setdefault("capacity_units", CAPACITY[counted])
    return CostBaseFactory(resource=resource, year=year, capacity_unit=counted, **values)


@pytest.fixture
def manager_client(client, resource):
    client.force_login(FacilityManagerFactory(facility=resource.facility).user)
    return client


def save(resource, prices, valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 12, 31), **kwargs):
    return services.price_list_save(
        actor=OPERATOR, resource=resource, valid_from=valid_from, valid_to=valid_to, prices=prices, **kwargs
    )


# (what the cost base counts, the unit of the price, a fixed fee's quantity and unit, the floor)
FLOORS = [
    (HOURS, PriceUnit.HOUR, None, "", D("577.50")),
    (HOURS, PriceUnit.HALF_DAY, None, "", D("2310.00")),
    (HOURS, PriceUnit.DAY, None, "", D("4620.00")),
    (HOURS, PriceUnit.FIXED, D(10), HOURS, D("5775.00")),  # a fixed fee covering 10 hours
    (SAMPLES, PriceUnit.SAMPLE, None, "", D("866.25")),
    (SAMPLES, PriceUnit.FIXED, D(3), SAMPLES, D("2598.75")),  # a fixed fee covering 3 samples
]


@pytest.mark.parametrize("counted, unit, quantity, quantity_unit, floor", FLOORS)
def test_exactly_full_cost_plus_the_minimum_margin_is_accepted_in_every_unit(
    resource, counted, unit, quantity, quantity_unit, floor
):
    cost_base(resource, counted)
    price_list = save(resource, {(ECONOMIC, unit): floor}, fixed_fee_quantity=quantity, fixed_fee_unit=quantity_unit)
    assert [(item.unit, item.price) for item in price_list.items.all()] == [(unit, floor)]


@pytest.mark.parametrize("counted, unit, quantity, quantity_unit, floor", FLOORS)
def test_one_ore_under_the_floor_is_refused_in_every_unit(resource, counted, unit, quantity, quantity_unit, floor):
    cost_base(resource, counted)
    with pytest.raises(DomainError) as error, translation.override("en"):
        save(resource, {(ECONOMIC, unit): floor - D("0.01")}, fixed_fee_quantity=quantity, fixed_fee_unit=quantity_unit)
    assert (error.value.field, error.value.code) == (f"{ECONOMIC}__{unit}", "below_full_cost")
    assert f"NOK\xa0{floor:,.2f}" in str(error.value)  # the message names the floor to set, as money
    assert not PriceList.objects.exists()


@pytest.mark.parametrize("margin, floor", [("0.05", "577.50"), ("0.10", "605.00"), ("0.2", "660.00")])
def test_the_floor_follows_the_minimum_margin_setting(resource, settings, margin, floor):
    settings.PRICING_MINIMUM_MARGIN = margin
    cost_base(resource, margin=D(margin))
    with pytest.raises(DomainError):
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D(floor) - D("0.01")})
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D(floor)})


def test_the_floor_is_the_minimum_margin_not_the_margin_the_cost_base_suggests(resource):
    cost_base(resource, margin=D("0.30"))  # suggests 715.00 an hour; the floor stays 577.50
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D("577.50")})


def test_the_floor_is_rounded_up_to_the_ore(resource):
    """1 000 NOK a year over 11 hours is 90.909… an hour, 95.4545… with the margin: 95.45 would be under it."""
    cost_base(resource, capacity_units=D(11), staff=[], area_m2=0, equipment_cost=0, service_contracts=0,
              consumables=0, other_direct_costs=D(1000))  # fmt: skip
    base = selectors.cost_base_for(resource=resource, year=2026)
    assert selectors.economic_price_floor(cost_base=base, unit=PriceUnit.HOUR) == D("95.46")
    with pytest.raises(DomainError):
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D("95.45")})


def test_a_floor_that_is_a_whole_number_of_ore_is_exactly_that(resource):
    """2 000 NOK over 3 hours with 5 %: 700.00, not 700.01 (the division comes last)."""
    cost_base(resource, capacity_units=D(3), staff=[], area_m2=0, equipment_cost=0, service_contracts=0,
              consumables=0, other_direct_costs=D(2000))  # fmt: skip
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D("700.00")})


@pytest.mark.parametrize(
    "counted, prices, fixed, field, code",
    [
        # the cost base does not count the unit of the price
        (HOURS, {(ECONOMIC, PriceUnit.SAMPLE): D("1")}, {}, f"{ECONOMIC}__sample", "unit_not_measured"),
        (SAMPLES, {(ECONOMIC, PriceUnit.HOUR): D("10000")}, {}, f"{ECONOMIC}__hour", "unit_not_measured"),
        (SAMPLES, {(ECONOMIC, PriceUnit.DAY): D("99999")}, {}, f"{ECONOMIC}__day", "unit_not_measured"),
        # a fixed fee covering samples on an hour-based cost base
        (
            HOURS,
            {(ECONOMIC, PriceUnit.FIXED): D("99999")},
            {"fixed_fee_quantity": D(2), "fixed_fee_unit": SAMPLES},
            "fixed_fee_unit",
            "unit_not_measured",
        ),  # fmt: skip
        # a fixed fee that does not say how much it covers (the 1 NOK fixed fee that was accepted)
        (HOURS, {(ECONOMIC, PriceUnit.FIXED): D("1")}, {}, "fixed_fee_quantity", "fixed_fee_quantity_required"),
        (
            HOURS,
            {(ECONOMIC, PriceUnit.FIXED): D("1")},
            {"fixed_fee_quantity": D(1), "fixed_fee_unit": HOURS},
            f"{ECONOMIC}__fixed",
            "below_full_cost",
        ),  # fmt: skip
        # half a declaration
        (
            HOURS,
            {(ECONOMIC, PriceUnit.FIXED): D("6000")},
            {"fixed_fee_quantity": D(10)},
            "fixed_fee_unit",
            "required",
        ),  # fmt: skip
        (
            HOURS,
            {(ECONOMIC, PriceUnit.FIXED): D("6000")},
            {"fixed_fee_unit": HOURS},
            "fixed_fee_quantity",
            "required",
        ),  # fmt: skip
    ],
)
def test_units_the_cost_base_does_not_count_are_refused_with_the_reason(resource, counted, prices, fixed, field, code):
    cost_base(resource, counted)
    with pytest.raises(DomainError) as error, translation.override("en"):
        save(resource, prices, **fixed)
    assert (error.value.field, error.value.code) == (field, code)
    assert str(error.value)
    assert not PriceList.objects.exists()


def test_the_unit_message_says_what_the_cost_base_counts(resource):
    cost_base(resource, HOURS)
    with pytest.raises(DomainError) as error, translation.override("en"):
        save(resource, {(ECONOMIC, PriceUnit.SAMPLE): D("1")})
    assert "counts its capacity in hours" in str(error.value) and "per sample" in str(error.value)


@pytest.mark.parametrize("price", [D("0"), D("1"), D("100000")])
def test_no_economic_price_without_a_cost_base(resource, price):
    with pytest.raises(DomainError) as error:
        save(resource, {(ECONOMIC, PriceUnit.HOUR): price})
    assert (error.value.field, error.value.code) == (f"{ECONOMIC}__hour", "no_cost_base")


def test_a_cost_base_of_a_later_year_does_not_cover_an_earlier_list(resource):
    cost_base(resource, year=2027)
    with pytest.raises(DomainError) as error:
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D("1000")})
    assert error.value.code == "no_cost_base"


def test_subsidised_tiers_and_lists_without_economic_prices_need_no_cost_base(resource):
    price_list = save(resource, {(INTERNAL, PriceUnit.HOUR): D("0"), (NON_ECONOMIC, PriceUnit.SAMPLE): D("10")})
    assert price_list.items.count() == 2


def test_an_open_ended_list_respects_the_cost_bases_of_the_later_years_it_reaches(resource):
    cost_base(resource, year=2026)
    cost_base(resource, year=2027, other_direct_costs=D(9920) + D(150000))  # 650.00 an hour, floor 682.50
    with pytest.raises(DomainError) as error, translation.override("en"):
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D("600")}, valid_to=None)
    assert "682.50" in str(error.value) and "2027" in str(error.value)
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D("600")})  # ends in 2026: only the 2026 cost base applies


@pytest.mark.parametrize("margin, saved", [(D("0"), False), (D("0.049"), False), (D("0.05"), True), (D("0.3"), True)])
def test_a_cost_base_margin_below_the_minimum_is_refused(resource, margin, saved):
    values = {name: getattr(CostBaseFactory.build(), name) for name in services.COST_BASE_FIELDS}
    values["margin"] = margin
    if saved:
        services.cost_base_save(actor=OPERATOR, resource=resource, year=2026, staff=[], **values)
        return
    with pytest.raises(DomainError) as error:
        services.cost_base_save(actor=OPERATOR, resource=resource, year=2026, staff=[], **values)
    assert (error.value.field, error.value.code) == ("margin", "below_minimum_margin")
    assert not resource.cost_bases.exists()


def test_the_form_shows_the_floor_of_every_unit(resource, manager_client):
    cost_base(resource, year=datetime.date.today().year)
    page = manager_client.get(f"/pricing/resources/{resource.pk}/price-lists/").content.decode()
    assert "577,50" in page and "2\xa0310,00" in page and "4\xa0620,00" in page


def test_a_fixed_fee_quantity_is_saved_and_shown_through_the_form_and_the_api(resource, manager_client, client):
    cost_base(resource, year=2026)
    response = manager_client.post(
        f"/pricing/resources/{resource.pk}/price-lists/",
        {"valid_from": "2026-01-01", "valid_to": "2026-12-31", "external_economic__fixed": "5775",
         "fixed_fee_quantity": "10", "fixed_fee_unit": "hour"},
    )  # fmt: skip
    assert response.status_code == 302
    price_list = PriceList.objects.get()
    assert (price_list.fixed_fee_quantity, price_list.fixed_fee_unit) == (D(10), HOURS)
    listed = client.get(f"/api/v1/pricing/price-lists/?resource={resource.pk}").json()["results"][0]
    assert (listed["fixed_fee_quantity"], listed["fixed_fee_unit"]) == ("10.00", "hour")
    refused = manager_client.post(
        f"/pricing/resources/{resource.pk}/price-lists/",
        {"valid_from": "2027-01-01", "external_economic__fixed": "5775"},
    )
    assert refused.status_code == 200
    assert "fixed_fee_quantity" in refused.context["form"].errors


# --- Which cost bases, and what the refusal says ---------------------------------------------------------------


def test_only_this_resources_later_cost_bases_count(resource):
    cost_base(resource, year=2026)
    other = CostBaseFactory(year=2027, other_direct_costs=D(1000000)).resource  # another resource, far dearer
    assert other != resource
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D("577.50")}, valid_to=None)


def test_an_earlier_cost_base_does_not_count_once_a_later_one_is_in_force(resource):
    cost_base(resource, year=2025, other_direct_costs=D(9920) + D(150000))  # 682.50, replaced in 2026
    cost_base(resource, year=2026)
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D("577.50")})


def test_of_equal_floors_the_cost_base_in_force_first_is_named(resource):
    cost_base(resource, year=2026)
    cost_base(resource, year=2027)
    with pytest.raises(DomainError) as error, translation.override("en"):
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D("500")}, valid_to=None)
    assert "2026 cost base" in str(error.value)


def test_a_cost_base_the_calculator_refuses_is_no_cost_base_to_check_against(resource):
    cost_base(resource, depreciation_years=D(0))  # saved past the service: equipment without depreciation years
    with pytest.raises(DomainError) as error, translation.override("en"):
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D("1000")})
    assert error.value.code == "no_cost_base" and "2026 cost base cannot be calculated" in str(error.value)


def test_the_unit_refusal_names_the_cost_base_year(resource):
    cost_base(resource, SAMPLES)
    with pytest.raises(DomainError) as error, translation.override("en"):
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D("1000")})
    assert "The 2026 cost base counts its capacity in samples" in str(error.value)
