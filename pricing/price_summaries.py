"""Prices for lists of facilities (a selector): the lowest current price each facility offers the person
looking, for the search results, in one query for the whole page."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from pricing.choices import PriceTier, PriceUnit
from pricing.models import PriceListItem
from pricing.selectors import member_institution_id, price_incl_vat, public_vat_rates

# A price per hour says most to someone comparing; other units only where a facility has no hourly price.
UNIT_PREFERENCE = (PriceUnit.HOUR, PriceUnit.HALF_DAY, PriceUnit.DAY, PriceUnit.SAMPLE, PriceUnit.FIXED)


@dataclass(frozen=True)
class FromPrice:
    price: Decimal  # excl. VAT
    price_incl_vat: Decimal | None  # None when the access models differ in VAT (the quote says)
    unit: str


def from_prices(*, facilities, user, day: datetime.date | None = None) -> dict[int, FromPrice]:
    """The lowest price per facility, in its most telling unit, in the tier `user` would pay (internal
    at the institution the person is a verified member of, else external economic); facilities without a current
    price list are left out.

    One query of plain values (facility, resource, list, tier, unit, price) for the whole page, not model objects:
    a page of 20 facilities has some 40 priced resources with three tiers each."""
    day = day or timezone.localdate()
    facilities = list(facilities)
    rows = (
        PriceListItem.objects.filter(price_list__resource__facility__in=[facility.pk for facility in facilities])
        .filter(price_list__resource__is_active=True, price_list__valid_from__lte=day)
        .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=day))
        .order_by("price_list__resource_id", "-price_list__valid_from")
        .values_list(
            "price_list__resource__facility_id", "price_list__resource_id", "price_list_id", "tier", "unit", "price"
        )
    )
    member_of = member_institution_id(user)
    tiers = {
        facility.pk: PriceTier.INTERNAL if facility.institution_id == member_of else PriceTier.EXTERNAL_ECONOMIC
        for facility in facilities
    }
    # Only the newest list valid today counts for each resource.
    newest: dict[int, int] = {}
    offers: dict[int, list[tuple]] = defaultdict(list)  # facility id -> (rank of the unit, price, unit) of each price
    for facility_id, resource_id, price_list_id, tier, unit, price in rows:
        if newest.setdefault(resource_id, price_list_id) == price_list_id and tier == tiers[facility_id]:
            offers[facility_id].append((_unit_rank(unit), price, unit))
    vat_rates = public_vat_rates(facilities=[facility for facility in facilities if facility.pk in offers])
    lowest = {facility_id: min(prices) for facility_id, prices in offers.items()}  # the best unit, then the price
    return {
        facility_id: FromPrice(
            price=price,
            price_incl_vat=price_incl_vat(price, vat_rates.get(facility_id, {}).get(tiers[facility_id])),
            unit=unit,
        )
        for facility_id, (_rank, price, unit) in lowest.items()
    }


def _unit_rank(unit: str) -> int:
    return UNIT_PREFERENCE.index(unit) if unit in UNIT_PREFERENCE else len(UNIT_PREFERENCE)
