import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from core.errors import ConflictError, DomainError
from core.policies import OPERATOR
from pricing import selectors, services
from pricing.choices import CapacityUnit, PriceTier, PriceUnit
from pricing.models import CostBase, PriceList, PriceListItem
from tests.pricing.factories import CostBaseFactory, PriceListFactory

D = Decimal
ECONOMIC, NON_ECONOMIC, INTERNAL = PriceTier.EXTERNAL_ECONOMIC, PriceTier.EXTERNAL_NON_ECONOMIC, PriceTier.INTERNAL


def save(resource, prices, valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 12, 31), **kwargs):
    return services.price_list_save(
        actor=OPERATOR, resource=resource, valid_from=valid_from, valid_to=valid_to, prices=prices, **kwargs
    )


def test_economic_price_below_full_cost_is_refused_with_an_explanation(resource):
    CostBaseFactory(resource=resource, year=2026)  # full cost 550.00 NOK/h, with the 5 % minimum margin 577.50
    with pytest.raises(DomainError) as error, translation.override("en"):
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D("577.49"), (INTERNAL, PriceUnit.HOUR): D("100")})
    assert error.value.field == "external_economic__hour"
    assert error.value.code == "below_full_cost"
    assert "state aid" in str(error.value)
    assert "577.50" in str(error.value)
    assert not PriceList.objects.exists()


def test_half_day_floor_is_four_hours_of_full_cost(resource):
    CostBaseFactory(resource=resource, year=2026)
    with pytest.raises(DomainError):
        save(resource, {(ECONOMIC, PriceUnit.HALF_DAY): D("2309.99")})
    save(resource, {(ECONOMIC, PriceUnit.HALF_DAY): D("2310")})


def test_full_cost_or_a_higher_margin_is_accepted_and_subsidised_tiers_may_be_lower(resource):
    CostBaseFactory(resource=resource, year=2026)
    price_list = save(
        resource,
        {
            (ECONOMIC, PriceUnit.HOUR): D("577.50"),
            (NON_ECONOMIC, PriceUnit.HOUR): D("416.67"),
            (INTERNAL, PriceUnit.HOUR): D("0"),
        },
    )
    assert price_list.items.count() == 3
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D("800")}, price_list=price_list)
    assert list(price_list.items.values_list("price", flat=True)) == [D("800.00")]


def test_the_cost_base_of_the_price_lists_year_or_the_latest_before_applies(resource):
    CostBaseFactory(resource=resource, year=2025)  # 550.00 NOK/h, still the latest for 2027
    with pytest.raises(DomainError):
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D("500")}, valid_from=datetime.date(2027, 1, 1), valid_to=None)


def test_sample_priced_cost_base_checks_sample_prices(resource):
    CostBaseFactory(resource=resource, year=2026, capacity_unit=CapacityUnit.SAMPLE, capacity_units=D(1000))
    with pytest.raises(DomainError):  # 825 000 / 1 000 = 825.00 per sample, 866.25 with the minimum margin
        save(resource, {(ECONOMIC, PriceUnit.SAMPLE): D("866.24")})
    save(resource, {(ECONOMIC, PriceUnit.SAMPLE): D("866.25")})


@pytest.mark.parametrize(
    "valid_from, valid_to",
    [
        (datetime.date(2026, 12, 31), datetime.date(2027, 6, 30)),
        (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)),
        (datetime.date(2025, 1, 1), None),
    ],
)
def test_overlapping_price_lists_are_refused(resource, valid_from, valid_to):
    CostBaseFactory(resource=resource, year=2025)
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D("600")})
    with pytest.raises(ConflictError) as error:
        save(resource, {(ECONOMIC, PriceUnit.HOUR): D("600")}, valid_from=valid_from, valid_to=valid_to)
    assert error.value.field == "valid_from"


def test_adjacent_years_and_other_resources_do_not_overlap(resource):
    CostBaseFactory(resource=resource, year=2026)
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D("600")})
    save(resource, {(ECONOMIC, PriceUnit.HOUR): D("650")}, valid_from=datetime.date(2027, 1, 1), valid_to=None)
    assert PriceList.objects.filter(resource=resource).count() == 2


def test_end_before_start_is_refused(resource):
    with pytest.raises(DomainError) as error:
        save(resource, {}, valid_from=datetime.date(2026, 2, 1), valid_to=datetime.date(2026, 1, 31))
    assert error.value.field == "valid_to"


def test_database_refuses_negative_prices(resource):
    price_list = PriceListFactory(resource=resource)
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceListItem.objects.create(price_list=price_list, unit="hour", tier="internal", price=D("-1"))


@pytest.mark.postgres
def test_postgres_refuses_overlapping_price_lists_even_without_the_service(resource):
    PriceListFactory(resource=resource, valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceListFactory(resource=resource, valid_from=datetime.date(2026, 12, 31), valid_to=None)


def test_cost_base_save_replaces_the_years_cost_base_and_staff(resource):
    values = dict(
        area_m2=D(20),
        area_rate_per_m2=D(3004),
        equipment_cost=D(2000000),
        depreciation_years=D(10),
        research_council_funded=True,
        service_contracts=D(50000),
        consumables=D(30000),
        other_direct_costs=D(9920),
        capacity_units=D(1500),
        capacity_unit="hour",
        internal_share=D("0.35"),
        margin=D("0.05"),
    )
    staff = [dict(annual_salary=D(600000), social_cost_rate=D("0.25"), fte=D("0.5"), indirect_rate_per_fte=D(200000))]
    cost_base = services.cost_base_save(actor=OPERATOR, resource=resource, year=2026, staff=staff, **values)
    assert selectors.cost_base_result(cost_base).full_cost_unit_price == D("550.00")
    services.cost_base_save(
        actor=OPERATOR, resource=resource, year=2026, staff=staff * 2, **{**values, "margin": D("0.1")}
    )
    assert CostBase.objects.count() == 1
    cost_base = CostBase.objects.get()
    assert cost_base.margin == D("0.1") and cost_base.staff_lines.count() == 2


def test_cost_base_save_refuses_zero_capacity_naming_the_field(resource):
    with pytest.raises(DomainError) as error:
        services.cost_base_save(
            actor=OPERATOR,
            resource=resource,
            year=2026,
            staff=[],
            capacity_units=D(0),
            depreciation_years=D(0),
            internal_share=D(1),
            margin=D(0),
        )
    assert error.value.field == "capacity_units"
    assert not CostBase.objects.exists()


def test_cost_base_save_refuses_a_cost_base_too_large_to_price(resource):
    with pytest.raises(DomainError) as error:
        services.cost_base_save(
            actor=OPERATOR,
            resource=resource,
            year=2026,
            staff=[],
            equipment_cost=D("999999999999.99"),
            depreciation_years=D(1),
            capacity_units=D("0.01"),
            internal_share=D(1),
            margin=D(0),
        )
    assert error.value.field == "capacity_units"
    assert not CostBase.objects.exists()
