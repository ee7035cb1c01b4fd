"""Writes for pricing: cost bases and price lists. Every rule about what may be saved lives here."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from catalogue.models import Resource
from core.errors import ConflictError, DomainError
from pricing import selectors, tdi
from pricing.choices import PriceTier
from pricing.models import CostBase, CostBaseStaffLine, PriceList, PriceListItem

COST_BASE_FIELDS = (
    "area_m2",
    "area_rate_per_m2",
    "equipment_cost",
    "depreciation_years",
    "research_council_funded",
    "service_contracts",
    "consumables",
    "other_direct_costs",
    "capacity_units",
    "capacity_unit",
    "internal_share",
    "margin",
)


@transaction.atomic
def cost_base_save(*, resource: Resource, year: int, staff: list[dict], **values) -> CostBase:
    """Create or replace the resource's cost base for `year`, with its staff lines.

    `values` are the fields in COST_BASE_FIELDS; `staff` a list of dicts with annual_salary, social_cost_rate,
    fte, indirect_rate_per_fte and optionally role. The calculator must accept the inputs (else DomainError).
    """
    unknown = set(values) - set(COST_BASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown cost base fields: {sorted(unknown)}")
    cost_base = CostBase.objects.select_for_update().filter(resource=resource, year=year).first()
    cost_base = cost_base or CostBase(resource=resource, year=year)
    for name, value in values.items():
        setattr(cost_base, name, value)
    lines = [
        CostBaseStaffLine(
            role=line.get("role", ""),
            annual_salary=line["annual_salary"],
            social_cost_rate=line["social_cost_rate"],
            fte=line["fte"],
            indirect_rate_per_fte=line["indirect_rate_per_fte"],
        )
        for line in staff
    ]
    tdi.calculate(cost_base.tdi_inputs(staff_lines=lines))  # refuses inputs it cannot price (DomainError)
    cost_base.full_clean(exclude=["resource"], validate_unique=False)
    cost_base.save()
    cost_base.staff_lines.all().delete()
    for line in lines:
        line.cost_base = cost_base
        line.full_clean(exclude=["cost_base"])
    CostBaseStaffLine.objects.bulk_create(lines)
    return cost_base


def _check_economic_price(*, resource: Resource, valid_from: datetime.date, unit: str, price: Decimal) -> None:
    """Refuse an external economic price below full cost: selling below full cost to companies is state aid."""
    cost_base = selectors.cost_base_for(resource=resource, year=valid_from.year)
    if cost_base is None:
        return
    floor = selectors.economic_price_floor(cost_base=cost_base, unit=unit)
    if floor is not None and price < floor:
        raise DomainError(
            _(
                "The external economic price (%(price)s NOK) is below the full-cost price of %(floor)s NOK from "
                "the %(year)s cost base. Selling below full cost to economic users would be state aid (EEA "
                "R&D&I framework §25); set at least the full cost, preferably with a margin."
            )
            % {"price": number_format(price, 2), "floor": number_format(floor, 2), "year": cost_base.year},
            field=f"{PriceTier.EXTERNAL_ECONOMIC}__{unit}",
            code="below_full_cost",
        )


@transaction.atomic
def price_list_save(
    *,
    resource: Resource,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    prices: dict[tuple[str, str], Decimal],
    note: str = "",
    price_list: PriceList | None = None,
) -> PriceList:
    """Create (or, given `price_list`, replace) a price list with `prices` keyed by (tier, unit), excl. VAT.

    Refused with a DomainError naming the field: an end before the start, a period overlapping another list of
    the resource, a negative price, or an external economic price below the full-cost price (state aid).
    """
    # Serialise price-list writes per resource so that the overlap check below cannot race.
    Resource.objects.select_for_update().filter(pk=resource.pk).first()
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("A price list cannot end before it starts."), field="valid_to", code="invalid_period")
    other = selectors.overlapping_price_list(
        resource=resource, valid_from=valid_from, valid_to=valid_to, exclude=price_list
    )
    if other is not None:
        raise ConflictError(
            _("The validity overlaps the price list %(other)s; end that one first.") % {"other": other},
            field="valid_from",
            code="overlapping_price_list",
        )
    for (tier, unit), price in prices.items():
        if price is None:
            continue
        if price < 0:
            raise DomainError(_("Prices cannot be negative."), field=f"{tier}__{unit}", code="negative")
        if tier == PriceTier.EXTERNAL_ECONOMIC:
            _check_economic_price(resource=resource, valid_from=valid_from, unit=unit, price=price)

    price_list = price_list or PriceList(resource=resource)
    price_list.valid_from, price_list.valid_to, price_list.note = valid_from, valid_to, note
    try:
        with transaction.atomic():
            price_list.save()
    except IntegrityError as error:  # the PostgreSQL exclusion constraint, should a writer bypass the lock
        raise ConflictError(
            _("The validity overlaps another price list of the resource."), field="valid_from"
        ) from error
    price_list.items.all().delete()
    PriceListItem.objects.bulk_create(
        PriceListItem(price_list=price_list, tier=tier, unit=unit, price=price)
        for (tier, unit), price in prices.items()
        if price is not None
    )
    return price_list


def prices_from_cost_base(cost_base: CostBase, *, unit: str) -> dict[tuple[str, str], Decimal]:
    """Suggested prices per tier for one unit, straight from the TDI calculation (used by the demo data)."""
    result = selectors.cost_base_result(cost_base)
    factor = selectors.HOURS_PER_UNIT.get(unit, Decimal(1))
    return {
        (PriceTier.INTERNAL, unit): tdi.round_ore(result.internal_unit_price * factor),
        (PriceTier.EXTERNAL_NON_ECONOMIC, unit): tdi.round_ore(result.external_non_economic_unit_price * factor),
        (PriceTier.EXTERNAL_ECONOMIC, unit): tdi.round_ore(result.external_economic_unit_price * factor),
    }
