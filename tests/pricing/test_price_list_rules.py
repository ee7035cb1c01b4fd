"""The rules of pricing.services around the floor, as a manager or an API client meets them: every refusal names
its field and code, the re-check blocks and releases exactly what changed, and the demo's suggested prices stand."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from core.errors import ConflictError, DomainError
from core.models import OutgoingEmail
from core.policies import OPERATOR
from pricing import selectors, services
from pricing.choices import CapacityUnit, FloorBreach, PriceTier, PriceUnit
from pricing.models import CostBase, PriceList, PriceListItem
from tests.pricing.factories import CostBaseFactory

D = Decimal
ECONOMIC, NON_ECONOMIC, INTERNAL = PriceTier.EXTERNAL_ECONOMIC, PriceTier.EXTERNAL_NON_ECONOMIC, PriceTier.INTERNAL
THIS_YEAR = timezone.localdate().year
STAFF = [dict(annual_salary=D(600000), social_cost_rate=D("0.25"), fte=D("0.5"), indirect_rate_per_fte=D(200000))]


def values(**changes) -> dict:
    built = CostBaseFactory.build()
    return {**{name: getattr(built, name) for name in services.COST_BASE_FIELDS}, **changes}


def save(resource, prices, valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 12, 31), **kwargs):
    return services.price_list_save(
        actor=OPERATOR, resource=resource, valid_from=valid_from, valid_to=valid_to, prices=prices, **kwargs
    )


# --- price_list_save: every refusal names its field and code ---------------------------------------------------

REFUSALS = [
    ({"valid_to": datetime.date(2025, 12, 31)}, {}, "valid_to", "invalid_period"),
    ({"fixed_fee_quantity": D(0), "fixed_fee_unit": "hour"}, {}, "fixed_fee_quantity", "not_positive"),
    ({"fixed_fee_quantity": D(-1), "fixed_fee_unit": "hour"}, {}, "fixed_fee_quantity", "not_positive"),
    ({"fixed_fee_quantity": D(1), "fixed_fee_unit": "litre"}, {}, "fixed_fee_unit", "invalid_choice"),
    ({}, {(INTERNAL, PriceUnit.HOUR): D("-0.01")}, f"{INTERNAL}__hour", "negative"),
]


@pytest.mark.parametrize("arguments, prices, field, code", REFUSALS)
def test_price_list_refusals_name_the_field_and_the_rule(resource, arguments, prices, field, code):
    with pytest.raises(DomainError) as error:
        save(resource, prices, **arguments)
    assert (error.value.field, error.value.code) == (field, code)
    assert not PriceList.objects.exists()


def test_an_overlap_is_a_conflict_naming_valid_from(resource):
    save(resource, {(INTERNAL, PriceUnit.HOUR): D(1)})
    with pytest.raises(ConflictError) as error:
        save(resource, {(INTERNAL, PriceUnit.HOUR): D(1)}, valid_from=datetime.date(2026, 6, 1))
    assert (error.value.field, error.value.code) == ("valid_from", "overlapping_price_list")


def test_a_one_day_list_and_prices_left_empty(resource):
    price_list = save(
        resource,
        {(INTERNAL, PriceUnit.HOUR): D(5), (NON_ECONOMIC, PriceUnit.HOUR): None},
        valid_from=datetime.date(2026, 5, 17),
        valid_to=datetime.date(2026, 5, 17),
    )
    assert [(item.tier, item.price) for item in price_list.items.all()] == [(INTERNAL, D(5))]


def test_the_refusal_names_the_unit_of_the_price(resource):
    CostBaseFactory(resource=resource, year=2026)
    with pytest.raises(DomainError) as error, translation.override("en"):
        save(resource, {(ECONOMIC, PriceUnit.HALF_DAY): D(1)})
    assert "per half day (NOK\xa01.00)" in str(error.value)


@pytest.mark.postgres
def test_the_database_refusal_of_an_overlap_is_a_conflict_too(resource, monkeypatch):
    save(resource, {(INTERNAL, PriceUnit.HOUR): D(1)})
    monkeypatch.setattr(selectors, "overlapping_price_list", lambda **kwargs: None)  # a writer past the check
    with pytest.raises(ConflictError) as error:
        save(resource, {(INTERNAL, PriceUnit.HOUR): D(1)}, valid_from=datetime.date(2026, 6, 1))
    assert error.value.field == "valid_from"


# --- cost_base_save -------------------------------------------------------------------------------------------


def test_unknown_cost_base_fields_are_a_programming_error(resource):
    with pytest.raises(TypeError):
        services.cost_base_save(actor=OPERATOR, resource=resource, year=2026, staff=[], **values(), hourly_rate=D(1))


def test_staff_lines_are_saved_with_their_role_and_rates(resource):
    staff = [
        {"role": "Overingeniør", "annual_salary": D(600000), "social_cost_rate": D("0.3"), "fte": D("0.5"),
         "indirect_rate_per_fte": D(200000)},
        {"annual_salary": D(100000), "social_cost_rate": D("0.1"), "fte": D(1), "indirect_rate_per_fte": D(0)},
    ]  # fmt: skip
    cost_base = services.cost_base_save(actor=OPERATOR, resource=resource, year=2026, staff=staff, **values())
    lines = list(cost_base.staff_lines.order_by("id").values_list("role", "social_cost_rate"))
    assert lines == [("Overingeniør", D("0.3")), ("", D("0.1"))]
    # the 350 000 NOK that is not staff + 600 000 × 1.3 × 0.5 + 100 000 + 100 000 × 1.1 = 950 000 NOK a year
    assert selectors.cost_base_result(cost_base).annual_full_cost == D("950000.00")


def test_the_cost_base_is_checked_by_the_model_too(resource):
    with pytest.raises(ValidationError) as error:  # the calculator does not look at the unit; the model does
        services.cost_base_save(actor=OPERATOR, resource=resource, year=2026, staff=[], **values(capacity_unit="week"))
    assert "capacity_unit" in error.value.message_dict
    assert not CostBase.objects.exists()


# --- The re-check -----------------------------------------------------------------------------------------------


@pytest.fixture
def lists(resource):
    """A cost base this year (577.50 an hour), a list for the rest of this year and an open-ended one from next
    year, each selling economic hours at 600.00 and a fixed fee covering 10 hours at 6 000.00."""
    services.cost_base_save(actor=OPERATOR, resource=resource, year=THIS_YEAR, staff=STAFF, **values())
    made = {}
    for name, first, last in (
        ("this year", datetime.date(THIS_YEAR, 1, 1), datetime.date(THIS_YEAR, 12, 31)),
        ("next years", datetime.date(THIS_YEAR + 1, 1, 1), None),
    ):
        made[name] = save(
            resource, {(ECONOMIC, PriceUnit.HOUR): D(600), (ECONOMIC, PriceUnit.FIXED): D(6000),
                       (NON_ECONOMIC, PriceUnit.HOUR): D(550)},
            valid_from=first, valid_to=last, fixed_fee_quantity=D(10), fixed_fee_unit=CapacityUnit.HOUR,
        )  # fmt: skip
    return made


def blocked_state(price_list, unit=PriceUnit.HOUR):
    item = price_list.items.get(tier=ECONOMIC, unit=unit)
    return item.blocked_reason, item.blocked_floor, item.blocked_cost_base_year


def raise_cost(resource, year, extra):
    return services.cost_base_save(
        actor=OPERATOR, resource=resource, year=year, staff=STAFF, **values(other_direct_costs=D(9920) + D(extra))
    )


def test_a_later_years_cost_base_blocks_only_the_lists_that_reach_that_year(resource, lists):
    raise_cost(resource, THIS_YEAR + 1, 150000)  # 650.00 an hour from next year: floor 682.50
    assert blocked_state(lists["this year"]) == ("", None, None)
    assert blocked_state(lists["next years"]) == (FloorBreach.BELOW_FLOOR, D("682.50"), THIS_YEAR + 1)


def test_a_fixed_fee_is_re_checked_against_the_hours_it_covers(resource, lists):
    raise_cost(resource, THIS_YEAR, 150000)
    assert blocked_state(lists["this year"], PriceUnit.FIXED) == (FloorBreach.BELOW_FLOOR, D("6825.00"), THIS_YEAR)
    assert not PriceListItem.objects.filter(tier=NON_ECONOMIC).exclude(blocked_reason="").exists()


def test_the_re_check_reports_what_it_blocked_released_or_left(resource, lists):
    assert services.price_lists_floor_recheck(resource=resource) == services.FloorRecheck([], [], [])

    raise_cost(resource, THIS_YEAR, 150000)
    assert OutgoingEmail.objects.count() == 2  # one per list

    raise_cost(resource, THIS_YEAR, 300000)  # blocked already, at a higher floor now: nobody is told again
    assert blocked_state(lists["this year"]) == (FloorBreach.BELOW_FLOOR, D("787.50"), THIS_YEAR)
    assert OutgoingEmail.objects.count() == 2

    CostBase.objects.filter(resource=resource).update(other_direct_costs=D(9920))  # lowered past the service
    recheck = services.price_lists_floor_recheck(resource=resource)
    assert recheck.blocked == [] and recheck.blocked_lists == []
    assert sorted((item.price_list_id, item.unit) for item in recheck.released) == sorted(
        (price_list.pk, unit) for price_list in lists.values() for unit in (PriceUnit.FIXED, PriceUnit.HOUR)
    )
    assert not PriceListItem.objects.exclude(blocked_reason="").exists()


def test_the_re_check_names_the_lists_it_blocked(resource, lists):
    CostBase.objects.filter(resource=resource).update(other_direct_costs=D(9920) + D(150000))
    recheck = services.price_lists_floor_recheck(resource=resource)
    assert [price_list.pk for price_list in recheck.blocked_lists] == [lists["this year"].pk, lists["next years"].pk]
    assert len(recheck.blocked) == 4 and recheck.released == []


# --- The demo's suggested prices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit, internal, non_economic, economic",
    [
        (PriceUnit.HOUR, "145.83", "416.67", "577.50"),
        (PriceUnit.DAY, "1166.64", "3333.36", "4620.00"),  # 8 × the unit prices as published
    ],
)
def test_suggested_prices_per_tier_and_unit(resource, unit, internal, non_economic, economic):
    cost_base = CostBaseFactory(resource=resource)
    assert services.prices_from_cost_base(cost_base, unit=unit) == {
        (INTERNAL, unit): D(internal), (NON_ECONOMIC, unit): D(non_economic), (ECONOMIC, unit): D(economic),
    }  # fmt: skip


def test_suggested_sample_prices(resource):
    cost_base = CostBaseFactory(resource=resource, capacity_unit=CapacityUnit.SAMPLE, capacity_units=D(1000))
    assert services.prices_from_cost_base(cost_base, unit=PriceUnit.SAMPLE)[(ECONOMIC, PriceUnit.SAMPLE)] == D("866.25")


def test_a_suggested_economic_price_is_never_under_the_floor(resource):
    """1 000 NOK over 11 hours with 5 %: 95.4545… rounds half up to 95.45, under the floor of 95.46."""
    cost_base = CostBaseFactory(resource=resource, capacity_units=D(11), staff=[], area_m2=D(0),
                                equipment_cost=D(0), service_contracts=D(0), consumables=D(0),
                                other_direct_costs=D(1000))  # fmt: skip
    suggested = services.prices_from_cost_base(cost_base, unit=PriceUnit.HOUR)
    assert suggested[(ECONOMIC, PriceUnit.HOUR)] == D("95.46")
    save(resource, suggested)  # and it is accepted
