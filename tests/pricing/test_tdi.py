"""The TDI calculator against worked examples computed by hand."""

from decimal import Decimal

import pytest

from core.errors import DomainError
from pricing import tdi

D = Decimal


def inputs(**overrides):
    values = dict(
        area_m2=D("20"),
        area_rate_per_m2=D("3004"),
        equipment_cost=D("2000000"),
        depreciation_years=D("10"),
        research_council_funded=True,
        service_contracts=D("50000"),
        consumables=D("30000"),
        other_direct_costs=D("9920"),
        capacity_units=D("1500"),
        internal_share=D("0.35"),
        margin=D("0.05"),
        staff=(
            tdi.StaffLine(
                annual_salary=D("600000"), social_cost_rate=D("0.25"), fte=D("0.5"), indirect_rate_per_fte=D("200000")
            ),
        ),
    )
    values.update(overrides)
    return tdi.TdiInputs(**values)


def test_worked_example_with_research_council_funded_equipment():
    # By hand:
    #   area            20 m² × 3 004             =  60 080.00
    #   depreciation    2 000 000 / 10            = 200 000.00  (Research Council funded)
    #   service contracts                         =  50 000.00
    #   consumables                               =  30 000.00
    #   other direct costs                        =   9 920.00
    #   staff salary    600 000 × 1.25 × 0.5      = 375 000.00
    #   staff indirect  200 000 per FTE × 0.5     = 100 000.00
    #   annual full cost                          = 825 000.00
    #   full-cost unit price     825 000 / 1 500 h = 550.00
    #   non-economic             (825 000 − 200 000) / 1 500 = 416.666… → 416.67
    #   internal                 416.666… × 0.35 = 145.8333… → 145.83
    #   external economic        550 × 1.05 = 577.50
    #   incl. VAT                577.50 × 1.25 = 721.875 → 721.88 (half up)
    result = tdi.calculate(inputs())
    assert result.annual_full_cost == D("825000.00")
    assert result.full_cost_unit_price == D("550.00")
    assert result.external_non_economic_unit_price == D("416.67")
    assert result.internal_unit_price == D("145.83")
    assert result.external_economic_unit_price == D("577.50")
    assert result.external_economic_unit_price_incl_vat == D("721.88")
    lines = {line.key: line for line in result.breakdown}
    assert lines["area"].amount == D("60080.00")
    assert lines["depreciation"].amount == D("200000.00")
    assert lines["depreciation"].excluded_from_non_economic is True
    assert lines["staff_1_salary"].amount == D("375000.00")
    assert lines["staff_1_indirect"].amount == D("100000.00")
    assert sum(line.amount for line in result.breakdown) == result.annual_full_cost


def test_without_research_council_funding_non_economic_price_is_full_cost():
    # Same as above, depreciation now counts for everyone: non-economic = 825 000 / 1 500 = 550.00,
    # internal 550 × 0.35 = 192.50.
    result = tdi.calculate(inputs(research_council_funded=False))
    assert result.external_non_economic_unit_price == D("550.00")
    assert result.internal_unit_price == D("192.50")
    assert result.full_cost_unit_price == D("550.00")
    assert not any(line.excluded_from_non_economic for line in result.breakdown)


def zero_inputs(**overrides):
    values = dict(
        area_m2=D(0),
        area_rate_per_m2=D(0),
        equipment_cost=D(0),
        depreciation_years=D(0),
        research_council_funded=False,
        service_contracts=D(0),
        consumables=D(0),
        other_direct_costs=D(0),
        capacity_units=D(1),
        internal_share=D(1),
        margin=D(0),
        staff=(),
    )
    values.update(overrides)
    return tdi.TdiInputs(**values)


def test_rounding_is_half_up_on_a_value_ending_in_5():
    # 1 000.10 / 20 = 50.005 → 50.01 (half up; banker's rounding would give 50.00).
    # incl. VAT from the unrounded value: 50.005 × 1.25 = 62.50625 → 62.51.
    result = tdi.calculate(zero_inputs(other_direct_costs=D("1000.10"), capacity_units=D(20)))
    assert result.full_cost_unit_price == D("50.01")
    assert result.external_economic_unit_price == D("50.01")
    assert result.external_economic_unit_price_incl_vat == D("62.51")


def test_each_figure_is_rounded_once_from_unrounded_values():
    # 1 000.04 / 10 = 100.004 → 100.00; incl. VAT 100.004 × 1.25 = 125.005 → 125.01.
    # Rounding twice (100.00 × 1.25 = 125.00) would lose the øre.
    result = tdi.calculate(zero_inputs(other_direct_costs=D("1000.04"), capacity_units=D(10)))
    assert result.external_economic_unit_price == D("100.00")
    assert result.external_economic_unit_price_incl_vat == D("125.01")


def test_two_staff_lines_and_a_margin():
    # staff 1: 500 000 × 1.3 × 1 + 150 000 × 1 = 800 000; staff 2: 400 000 × 1.3 × 0.25 + 150 000 × 0.25
    # = 130 000 + 37 500 = 167 500; total 967 500 over 3 000 samples = 322.50; margin 10 %: 354.75;
    # incl. VAT 443.4375 → 443.44.
    staff = (
        tdi.StaffLine(annual_salary=D(500000), social_cost_rate=D("0.3"), fte=D(1), indirect_rate_per_fte=D(150000)),
        tdi.StaffLine(
            annual_salary=D(400000), social_cost_rate=D("0.3"), fte=D("0.25"), indirect_rate_per_fte=D(150000)
        ),
    )
    result = tdi.calculate(zero_inputs(staff=staff, capacity_units=D(3000), margin=D("0.10")))
    assert result.annual_full_cost == D("967500.00")
    assert result.full_cost_unit_price == D("322.50")
    assert result.external_economic_unit_price == D("354.75")
    assert result.external_economic_unit_price_incl_vat == D("443.44")


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"capacity_units": D(0)}, "capacity_units"),
        ({"margin": D("-0.01")}, "margin"),
        ({"internal_share": D("1.01")}, "internal_share"),
        ({"area_m2": D(-1)}, "area_m2"),
        ({"depreciation_years": D(0)}, "depreciation_years"),
        (
            {
                "staff": (
                    tdi.StaffLine(annual_salary=D(1), social_cost_rate=D(0), fte=D(-1), indirect_rate_per_fte=D(0)),
                )
            },
            "staff[0].fte",
        ),
    ],
)
def test_meaningless_inputs_are_refused_naming_the_field(overrides, field):
    with pytest.raises(DomainError) as error:
        tdi.calculate(inputs(**overrides))
    assert error.value.field == field
