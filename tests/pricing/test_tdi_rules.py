"""The TDI calculator's rules as a user of the calculator meets them: every figure it returns, the error code and
field of each refusal (API clients read both), and the exact edge of "too large to be a price"."""

from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from core.errors import DomainError
from pricing import tdi
from tests.pricing.test_api import CALCULATOR, VALID
from tests.pricing.test_tdi import inputs, zero_inputs

D = Decimal
LIMIT = D(10) ** 13  # NOK 10 000 000 000 000: no price has 14 digits before the decimal comma


def refusal(**overrides) -> DomainError:
    with pytest.raises(DomainError) as error:
        tdi.calculate(inputs(**overrides))
    return error.value


def test_the_annual_cost_for_non_economic_users_and_the_vat_rate_are_returned():
    # Worked example of test_tdi.py: 825 000 a year, of which 200 000 depreciation of Research Council equipment,
    # which non-economic users do not pay again: 625 000.
    result = tdi.calculate(inputs())
    assert result.annual_non_economic_cost == D("625000.00")
    assert result.vat_rate == D("0.25")
    # Without Research Council funding everyone pays the depreciation: exactly the full cost, not a krone less.
    result = tdi.calculate(inputs(research_council_funded=False))
    assert result.annual_non_economic_cost == D("825000.00")


def test_the_calculator_api_returns_the_non_economic_cost_the_vat_rate_and_every_cost_line(db):
    with translation.override("en"):
        response = APIClient().post(CALCULATOR, VALID, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["annual_non_economic_cost"] == "625000.00"
    assert body["vat_rate"] == "0.2500"
    lines = [(line["key"], line["amount"], line["excluded_from_non_economic"]) for line in body["breakdown"]]
    assert lines == [
        ("area", "60080.00", False),
        ("depreciation", "200000.00", True),
        ("service_contracts", "50000.00", False),
        ("consumables", "30000.00", False),
        ("other_direct_costs", "9920.00", False),
        ("staff_1_salary", "375000.00", False),
        ("staff_1_indirect", "100000.00", False),
    ]
    assert body["breakdown"][0]["label"] == "Area (m² × area rate)"
    assert body["breakdown"][5]["label"] == "Staff 1: salary and social costs"


def test_each_cost_line_has_a_readable_label():
    with translation.override("en"):
        labels = [line.label for line in tdi.calculate(inputs()).breakdown]
    assert labels == [
        "Area (m² × area rate)",
        "Depreciation of equipment",
        "Service contracts",
        "Consumables",
        "Other direct operating costs",
        "Staff 1: salary and social costs",
        "Staff 1: indirect costs",
    ]


@pytest.mark.parametrize("field", tdi.NON_NEGATIVE_FIELDS)
def test_a_missing_input_is_refused_as_required_naming_it(field):
    error = refusal(**{field: None})
    assert (error.field, error.code) == (field, "required")


@pytest.mark.parametrize("field", tdi.NON_NEGATIVE_FIELDS)
def test_a_negative_input_is_refused_as_negative_naming_it(field):
    error = refusal(**{field: D("-0.01")})
    assert (error.field, error.code) == (field, "negative")


@pytest.mark.parametrize("field", tdi.STAFF_FIELDS)
@pytest.mark.parametrize("value, code", [(None, "required"), (D("-0.01"), "negative")])
def test_a_missing_or_negative_staff_input_is_refused_naming_the_line(field, value, code):
    good = inputs().staff[0]
    bad = tdi.StaffLine(**{**good.__dict__, field: value})
    error = refusal(staff=(good, bad))
    assert (error.field, error.code) == (f"staff[1].{field}", code)


def test_zero_capacity_and_an_internal_share_above_one_have_their_codes():
    assert (refusal(capacity_units=D(0)).field, refusal(capacity_units=D(0)).code) == ("capacity_units", "zero")
    error = refusal(internal_share=D("1.0001"))
    assert (error.field, error.code) == ("internal_share", "range")
    assert tdi.calculate(inputs(internal_share=D(1))).internal_unit_price == D("416.67")


def test_any_equipment_cost_needs_a_depreciation_period():
    # Even half a krone of equipment must be spread over years; no equipment needs none.
    error = refusal(equipment_cost=D("0.50"), depreciation_years=D(0))
    assert (error.field, error.code) == ("depreciation_years", "zero")
    assert tdi.calculate(inputs(equipment_cost=D(0), depreciation_years=D(0))).annual_full_cost == D("625000.00")


def test_the_calculator_api_gives_the_code_and_field_of_a_missing_depreciation_period(db):
    response = APIClient().post(CALCULATOR, {**VALID, "depreciation_years": "0"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "zero"
    assert "depreciation_years" in body


# --- too large to be a price ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, field",
    [
        ("equipment_cost", "equipment_cost"),
        ("service_contracts", "service_contracts"),
        ("consumables", "consumables"),
        ("other_direct_costs", "other_direct_costs"),
    ],
)
def test_an_annual_cost_of_ten_trillion_is_refused_naming_the_largest_line(line, field):
    overrides = {line: LIMIT}
    if line == "equipment_cost":
        overrides["depreciation_years"] = D(1)
    with pytest.raises(DomainError) as error:
        tdi.calculate(zero_inputs(**overrides))
    assert (error.value.field, error.value.code) == (field, "too_large")


def test_just_under_ten_trillion_a_year_is_still_a_price():
    result = tdi.calculate(zero_inputs(other_direct_costs=LIMIT - D("0.01"), capacity_units=D(1000)))
    assert result.annual_full_cost == D("9999999999999.99")


def test_a_staff_lines_indirect_rate_too_large_is_named():
    staff = (tdi.StaffLine(annual_salary=D(1), social_cost_rate=D(0), fte=D(1), indirect_rate_per_fte=LIMIT),)
    with pytest.raises(DomainError) as error:
        tdi.calculate(zero_inputs(staff=staff))
    assert (error.value.field, error.value.code) == ("staff[0].indirect_rate_per_fte", "too_large")


def test_a_price_incl_vat_of_ten_trillion_is_refused_naming_the_margin():
    # 8 000 000 000 000 a unit is a price, but with 25 % VAT it reaches 10 000 000 000 000.
    with pytest.raises(DomainError) as error:
        tdi.calculate(zero_inputs(other_direct_costs=D(8) * 10**12))
    assert (error.value.field, error.value.code) == ("margin", "too_large")
    # 7 900 000 000 000 with VAT is 9 875 000 000 000: still a price.
    result = tdi.calculate(zero_inputs(other_direct_costs=D("7.9") * 10**12))
    assert result.external_economic_unit_price_incl_vat == D("9875000000000.00")


def test_the_calculator_api_gives_the_code_of_a_figure_too_large(db):
    response = APIClient().post(CALCULATOR, {**VALID, "margin": "99999999999"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert "margin" in response.json()
