"""Prices for lists of facilities (a selector): the lowest current price each facility offers the person
looking, for the search results, in one query for the whole page."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from pricing.choices import PriceTier, PriceUnit
from pricing.models import PriceListItem
from pricing.selectors import member_of_owning_institution, price_incl_vat, public_vat_rates

# A price per hour says most to someone comparing; other units only where a facility has no hourly price.
UNIT_PREFERENCE = (PriceUnit.HOUR, PriceUnit.HALF_DAY, PriceUnit.DAY, PriceUnit.SAMPLE, PriceUnit.FIXED)


@dataclass(frozen=True)
class FromPrice:
    price: Decimal  # excl. VAT
    price_incl_vat: Decimal | None  # None when the access models differ in VAT (the quote says)
    unit: str


def viewer_tier(user, resource) -> str:
    """The tier whose price a list shows: rental as pricing.terms decides it, internal for a verified member of
    the owning institution, else external economic (the price a company or an anonymous visitor pays)."""
    return PriceTier.INTERNAL if member_of_owning_institution(user, resource) else PriceTier.EXTERNAL_ECONOMIC


def from_prices(*, facilities, user, day: datetime.date | None = None) -> dict[int, FromPrice]:
    """The lowest price per facility, in its most telling unit, in the tier `user` would pay; facilities without
    a current price list are left out."""
    day = day or timezone.localdate()
    items = (
        PriceListItem.objects.filter(price_list__resource__facility__in=[f.pk for f in facilities])
        .filter(price_list__resource__is_active=True, price_list__valid_from__lte=day)
        .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=day))
        .select_related("price_list__resource__facility")
        .order_by("price_list__resource_id", "-price_list__valid_from")
    )
    # Only the newest list valid today counts for each resource.
    newest: dict[int, int] = {}
    best: dict[int, FromPrice] = {}
    vat_rates = public_vat_rates(facilities=facilities)
    for item in items:
        resource = item.price_list.resource
        newest.setdefault(resource.pk, item.price_list_id)
        if newest[resource.pk] != item.price_list_id or item.tier != viewer_tier(user, resource):
            continue
        incl = price_incl_vat(item.price, vat_rates.get(resource.facility_id, {}).get(item.tier))
        candidate = FromPrice(price=item.price, price_incl_vat=incl, unit=item.unit)
        current = best.get(resource.facility_id)
        if current is None or _rank(candidate) < _rank(current):
            best[resource.facility_id] = candidate
    return best


def _rank(price: FromPrice) -> tuple:
    unit = UNIT_PREFERENCE.index(price.unit) if price.unit in UNIT_PREFERENCE else len(UNIT_PREFERENCE)
    return (unit, price.price)
