"""The TDI full-cost calculator (DOMAIN.md, "Prices: the TDI full-cost model").

Pure arithmetic on Decimals, no database. Every published figure is computed from unrounded values and rounded
once, to øre, half up, so that rounding never accumulates across lines.

    annual full cost = area_m2 × area_rate_per_m2
                     + equipment_cost / depreciation_years
                     + service_contracts + consumables + other_direct_costs
                     + Σ staff: annual_salary × (1 + social_cost_rate) × fte + indirect_rate_per_fte × fte
    full-cost unit price = annual full cost / capacity_units

The indirect rate is an amount in NOK per full-time equivalent per year (the TDI "indirekte kostnader per
årsverk"), so a staff line's indirect cost is that rate times the line's FTE share.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.formatting import money_text

VAT_RATE = Decimal("0.25")
ORE = Decimal("0.01")


def round_ore(value: Decimal) -> Decimal:
    """Round to øre (two decimals), half up: 0.005 becomes 0.01."""
    return value.quantize(ORE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StaffLine:
    annual_salary: Decimal
    social_cost_rate: Decimal
    fte: Decimal
    indirect_rate_per_fte: Decimal

    @property
    def salary_cost(self) -> Decimal:
        return self.annual_salary * (1 + self.social_cost_rate) * self.fte

    @property
    def indirect_cost(self) -> Decimal:
        return self.indirect_rate_per_fte * self.fte


@dataclass(frozen=True)
class TdiInputs:
    area_m2: Decimal
    area_rate_per_m2: Decimal
    equipment_cost: Decimal
    depreciation_years: Decimal
    research_council_funded: bool
    service_contracts: Decimal
    consumables: Decimal
    other_direct_costs: Decimal
    capacity_units: Decimal
    internal_share: Decimal
    margin: Decimal
    staff: tuple[StaffLine, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class BreakdownLine:
    key: str
    label: str
    amount: Decimal  # rounded to øre, for display; totals are summed unrounded
    excluded_from_non_economic: bool = False


@dataclass(frozen=True)
class TdiResult:
    annual_full_cost: Decimal
    annual_non_economic_cost: Decimal
    full_cost_unit_price: Decimal
    external_non_economic_unit_price: Decimal
    internal_unit_price: Decimal
    external_economic_unit_price: Decimal
    external_economic_unit_price_incl_vat: Decimal
    vat_rate: Decimal
    breakdown: tuple[BreakdownLine, ...]


NON_NEGATIVE_FIELDS = (
    "area_m2",
    "area_rate_per_m2",
    "equipment_cost",
    "depreciation_years",
    "service_contracts",
    "consumables",
    "other_direct_costs",
    "capacity_units",
    "internal_share",
    "margin",
)
STAFF_FIELDS = ("annual_salary", "social_cost_rate", "fte", "indirect_rate_per_fte")


def validate(inputs: TdiInputs) -> None:
    """Raise DomainError naming the first input that makes the calculation meaningless."""
    for name in NON_NEGATIVE_FIELDS:
        value = getattr(inputs, name)
        if value is None:
            raise DomainError(_("This field is required."), field=name, code="required")
        if value < 0:
            raise DomainError(_("Must be zero or more."), field=name, code="negative")
    if inputs.capacity_units == 0:
        raise DomainError(_("The annual capacity must be more than zero."), field="capacity_units", code="zero")
    if inputs.internal_share > 1:
        raise DomainError(
            _("The internal share is a fraction of the non-economic price, between 0 and 1."),
            field="internal_share",
            code="range",
        )
    if inputs.equipment_cost > 0 and inputs.depreciation_years == 0:
        raise DomainError(
            _("Equipment with a cost must be depreciated over at least one year."),
            field="depreciation_years",
            code="zero",
        )
    for index, line in enumerate(inputs.staff):
        for name in STAFF_FIELDS:
            value = getattr(line, name)
            if value is None:
                raise DomainError(_("This field is required."), field=f"staff[{index}].{name}", code="required")
            if value < 0:
                raise DomainError(_("Must be zero or more."), field=f"staff[{index}].{name}", code="negative")


# No figure of the model reaches this many kroner; larger ones come from mistyped input and cannot be shown
# (prices have at most 14 digits before the decimal comma).
LARGEST_AMOUNT = Decimal(10) ** 13

# The input to name when a cost line makes the annual cost too large.
LINE_FIELDS = {
    "area": "area_m2",
    "depreciation": "equipment_cost",
    "service_contracts": "service_contracts",
    "consumables": "consumables",
    "other_direct_costs": "other_direct_costs",
}


def _largest_line_field(lines) -> str:
    key = max(lines, key=lambda line: line[2])[0]
    if key.startswith("staff_"):
        number = int(key.split("_")[1])
        return f"staff[{number - 1}].{'annual_salary' if key.endswith('_salary') else 'indirect_rate_per_fte'}"
    return LINE_FIELDS[key]


def _check_size(amount: Decimal, *, field: str) -> None:
    if amount >= LARGEST_AMOUNT:
        raise DomainError(
            _("This gives an amount too large to be a price (%(limit)s or more); check the figures.")
            % {"limit": money_text(LARGEST_AMOUNT, decimal_places=0)},
            field=field,
            code="too_large",
        )


def calculate(inputs: TdiInputs) -> TdiResult:
    """Full cost, unit prices per tier and the named cost lines for one resource and year."""
    validate(inputs)
    area = inputs.area_m2 * inputs.area_rate_per_m2
    depreciation = inputs.equipment_cost / inputs.depreciation_years if inputs.depreciation_years else Decimal(0)
    lines: list[tuple[str, str, Decimal, bool]] = [
        ("area", _("Area (m² × area rate)"), area, False),
        ("depreciation", _("Depreciation of equipment"), depreciation, inputs.research_council_funded),
        ("service_contracts", _("Service contracts"), inputs.service_contracts, False),
        ("consumables", _("Consumables"), inputs.consumables, False),
        ("other_direct_costs", _("Other direct operating costs"), inputs.other_direct_costs, False),
    ]
    for number, staff in enumerate(inputs.staff, start=1):
        lines.append(
            (
                f"staff_{number}_salary",
                _("Staff %(n)s: salary and social costs") % {"n": number},
                staff.salary_cost,
                False,
            )
        )
        lines.append(
            (f"staff_{number}_indirect", _("Staff %(n)s: indirect costs") % {"n": number}, staff.indirect_cost, False)
        )

    annual_full_cost = sum((amount for _key, _label, amount, _excluded in lines), Decimal(0))
    _check_size(annual_full_cost, field=_largest_line_field(lines))
    # Equipment the Research Council paid for is not charged again to non-economic users (DOMAIN.md).
    annual_non_economic_cost = annual_full_cost - (depreciation if inputs.research_council_funded else 0)
    full_cost_unit = annual_full_cost / inputs.capacity_units
    non_economic_unit = annual_non_economic_cost / inputs.capacity_units
    economic_unit = full_cost_unit * (1 + inputs.margin)
    _check_size(full_cost_unit, field="capacity_units")
    _check_size(economic_unit * (1 + VAT_RATE), field="margin")
    return TdiResult(
        annual_full_cost=round_ore(annual_full_cost),
        annual_non_economic_cost=round_ore(annual_non_economic_cost),
        full_cost_unit_price=round_ore(full_cost_unit),
        external_non_economic_unit_price=round_ore(non_economic_unit),
        internal_unit_price=round_ore(non_economic_unit * inputs.internal_share),
        external_economic_unit_price=round_ore(economic_unit),
        external_economic_unit_price_incl_vat=round_ore(economic_unit * (1 + VAT_RATE)),
        vat_rate=VAT_RATE,
        breakdown=tuple(
            BreakdownLine(key=key, label=str(label), amount=round_ore(amount), excluded_from_non_economic=excluded)
            for key, label, amount, excluded in lines
        ),
    )
