"""Reads for pricing. Other apps ask pricing for prices only through this module."""

import datetime
import functools
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.choices import UserKind
from core.db import ModelRows
from core.errors import DomainError
from pricing import tdi
from pricing.choices import Activity, CapacityUnit, PriceTier, PriceUnit
from pricing.models import CostBase, CostBaseStaffLine, PriceList, PriceListItem

CURRENCY = "NOK"
# A half day and a day are blocks of working hours: a booking pays for as many blocks as it starts.
HOURS_PER_UNIT = {PriceUnit.HOUR: Decimal(1), PriceUnit.HALF_DAY: Decimal(4), PriceUnit.DAY: Decimal(8)}
TIME_UNITS = (PriceUnit.HOUR, PriceUnit.HALF_DAY, PriceUnit.DAY)


@dataclass(frozen=True)
class Quote:
    """What a use of a resource costs a given user: the figures a booking stores as its price snapshot."""

    tier: str  # "internal", "external_non_economic" or "external_economic"
    unit: str  # "hour", "half_day", "day", "sample" or "fixed"
    unit_price: Decimal
    quantity: Decimal
    net_amount: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    total_amount: Decimal
    currency: str
    price_list_id: int | None


def price_tier(user, resource, activity: str) -> str:
    """The tier a user pays for using `resource` with `activity` (DOMAIN.md, "Price tiers").

    - Economic activity (renting to companies, services, commissioned research) always pays external economic:
      full cost plus margin plus VAT, whoever the user is; below that would be state aid.
    - Non-economic use by an academic of the resource's own institution is internal (subsidised).
    - Any other non-economic use (academics elsewhere, users without an affiliation, companies in a
      collaboration project) is external non-economic: full cost, no VAT.
    """
    if activity not in Activity.values:
        raise ValueError(f"unknown activity {activity!r}")
    if activity == Activity.ECONOMIC:
        return PriceTier.EXTERNAL_ECONOMIC
    if (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.kind == UserKind.ACADEMIC
        and user.institution_id is not None
        and user.institution_id == resource.facility.institution_id
    ):
        return PriceTier.INTERNAL
    return PriceTier.EXTERNAL_NON_ECONOMIC


def _items_prefetch() -> Prefetch:
    return Prefetch("items", queryset=PriceListItem.objects.order_by("tier", "unit"))


def price_list_valid_on(*, resource, day: datetime.date) -> PriceList | None:
    """The resource's price list valid on `day` (a local date), with its items; None when there is none."""
    return (
        PriceList.objects.filter(resource=resource, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .prefetch_related(_items_prefetch())
        .order_by("-valid_from")
        .first()
    )


_items = ModelRows(PriceListItem, "i")


@functools.cache
def _tier_prices_sql(vendor: str) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return (
        f"SELECT {_items.columns()} FROM {quote(PriceListItem._meta.db_table)} i "
        f"WHERE i.price_list_id = (SELECT pl.id FROM {quote(PriceList._meta.db_table)} pl WHERE pl.resource_id = %s "
        "AND pl.valid_from <= %s AND (pl.valid_to IS NULL OR pl.valid_to >= %s) ORDER BY pl.valid_from DESC "
        "LIMIT 1) AND i.tier = %s ORDER BY i.unit"
    )


def _tier_prices_valid_on(*, resource, day: datetime.date, tier: str) -> tuple[int | None, list]:
    """The id of the price list valid on `day` (the latest to start, as price_list_valid_on picks) and its prices
    for one tier, by unit; (None, []) when that list has no price for the tier.

    Every booking asks this, so it is one fixed statement rather than an ORM query built anew each time
    (core.db.ModelRows).
    """
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: each use of django.db.connection is a context lookup
    day_value = db.ops.adapt_datefield_value(day)
    with db.cursor() as cursor:
        cursor.execute(_tier_prices_sql(db.vendor), [resource.pk, day_value, day_value, tier])
        items = [_items.load(row, db=db) for row in cursor.fetchall()]
    return (items[0].price_list_id if items else None), items


@dataclass(frozen=True)
class YourPrice:
    """What a user pays for one activity on a resource: the tier and its prices per unit."""

    activity: str
    tier: str
    items: list  # PriceListItem, excl. VAT; item.price_incl_vat for tiers that pay VAT


def tiers_by_activity(user, resource) -> dict[str, str]:
    """The tier the user pays here for each activity, non-economic first."""
    return {activity: price_tier(user, resource, activity) for activity in (Activity.NON_ECONOMIC, Activity.ECONOMIC)}


def prices_for_user(*, user, resource, day: datetime.date | None = None) -> list[YourPrice]:
    """The user's own prices for each activity, from the price list valid on `day`; empty without one.

    Shown before booking, so that nobody books without knowing what it costs.
    """
    price_list = price_list_valid_on(resource=resource, day=day or timezone.localdate())
    if price_list is None:
        return []
    answer = []
    for activity, tier in tiers_by_activity(user, resource).items():
        items = [item for item in price_list.items.all() if item.tier == tier]
        if items:
            answer.append(YourPrice(activity=activity, tier=tier, items=items))
    return answer


def public_price_lists(*, resource, today: datetime.date | None = None) -> list[PriceList]:
    """The current and coming price lists of a resource (those not yet expired), with items."""
    today = today or timezone.localdate()
    return list(
        PriceList.objects.filter(resource=resource)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .prefetch_related(_items_prefetch())
        .order_by("valid_from")
    )


def current_price_lists_by_resource(*, resources, today: datetime.date | None = None) -> dict[int, PriceList]:
    """For many resources at once (two queries): resource id -> the price list valid today."""
    today = today or timezone.localdate()
    lists = (
        PriceList.objects.filter(resource__in=resources, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .prefetch_related(_items_prefetch())
        .order_by("resource_id", "valid_from")
    )
    return {price_list.resource_id: price_list for price_list in lists}


def quantity_for(*, unit: str, start: datetime.datetime, end: datetime.datetime, samples: int | None = None):
    """How many units a booking from `start` to `end` pays: hours to the minute, started half days and days."""
    if unit == PriceUnit.SAMPLE:
        return Decimal(samples or 1)
    if unit == PriceUnit.FIXED:
        return Decimal(1)
    # Subtract in UTC: two datetimes in the same zone subtract by wall clock, which is wrong across DST changes.
    elapsed = end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC)
    hours = Decimal(int(elapsed.total_seconds())) / Decimal(3600)
    if unit == PriceUnit.HOUR:
        return tdi.round_ore(hours)
    return Decimal(math.ceil(hours / HOURS_PER_UNIT[unit]))


def booking_quote(
    *,
    resource,
    user,
    activity: str,
    start: datetime.datetime,
    end: datetime.datetime,
    samples: int | None = None,
) -> Quote | None:
    """The price of booking `resource` from `start` to `end` for `user` with the given activity.

    The price list valid on the (Oslo) date of `start` applies. Of the time units the list prices for the tier
    (hour, half day, day) the cheapest total is charged, so a day rate works as a cap; without a time unit,
    per sample (`samples`, default 1) and then a fixed fee. None when the resource has no price list valid at
    `start` or the list has no price for the user's tier.
    """
    tier = price_tier(user, resource, activity)
    price_list_id, items = _tier_prices_valid_on(resource=resource, day=timezone.localdate(start), tier=tier)
    items = {item.unit: item for item in items}
    candidates = [items[unit] for unit in TIME_UNITS if unit in items]
    if not candidates:
        candidates = [items[unit] for unit in (PriceUnit.SAMPLE, PriceUnit.FIXED) if unit in items][:1]
    if not candidates:
        return None

    def net_of(item):
        return tdi.round_ore(item.price * quantity_for(unit=item.unit, start=start, end=end, samples=samples))

    item = min(candidates, key=net_of)  # min keeps the first of equals: hour before half day before day
    quantity = quantity_for(unit=item.unit, start=start, end=end, samples=samples)
    net = net_of(item)
    vat_rate = tdi.vat_rate_for_tier(tier)
    vat = tdi.round_ore(net * vat_rate)
    return Quote(
        tier=tier,
        unit=item.unit,
        unit_price=item.price,
        quantity=quantity,
        net_amount=net,
        vat_rate=vat_rate,
        vat_amount=vat,
        total_amount=net + vat,
        currency=CURRENCY,
        price_list_id=price_list_id,
    )


def overlapping_price_list(
    *, resource, valid_from: datetime.date, valid_to: datetime.date | None, exclude: PriceList | None = None
) -> PriceList | None:
    """Another price list of the resource whose validity shares a day with [valid_from, valid_to]."""
    lists = PriceList.objects.filter(resource=resource).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        lists = lists.filter(valid_from__lte=valid_to)
    if exclude is not None and exclude.pk:
        lists = lists.exclude(pk=exclude.pk)
    return lists.order_by("valid_from").first()


def cost_base_for(*, resource, year: int) -> CostBase | None:
    """The cost base for `year`, or the latest earlier one (a cost base holds until replaced)."""
    return (
        CostBase.objects.filter(resource=resource, year__lte=year)
        .prefetch_related(Prefetch("staff_lines", queryset=CostBaseStaffLine.objects.order_by("id")))
        .order_by("-year")
        .first()
    )


def cost_bases_for_resources(*, resources, year: int) -> dict[int, CostBase]:
    """cost_base_for for many resources in two queries: {resource id: its cost base for `year` or the latest
    earlier one}; resources without one are left out."""
    cost_bases = (
        CostBase.objects.filter(resource_id__in=[resource.pk for resource in resources], year__lte=year)
        .prefetch_related(Prefetch("staff_lines", queryset=CostBaseStaffLine.objects.order_by("id")))
        .order_by("resource_id", "-year")
    )
    found: dict[int, CostBase] = {}
    for cost_base in cost_bases:
        found.setdefault(cost_base.resource_id, cost_base)
    return found


def cost_base_result(cost_base: CostBase) -> tdi.TdiResult:
    return tdi.calculate(cost_base.tdi_inputs())


def cost_base_result_or_none(cost_base: CostBase | None) -> tdi.TdiResult | None:
    """cost_base_result for pages: None for no cost base, or one the calculator refuses (saved past the service,
    e.g. in the admin, with equipment but no depreciation years), so a page shows no breakdown instead of failing."""
    if cost_base is None:
        return None
    try:
        return cost_base_result(cost_base)
    except DomainError:
        return None


def annual_capacity_hours(*, resource, year: int) -> Decimal | None:
    """Hours the resource can be used in a calendar year, from its cost base; None when unknown.

    (Contract for the state-aid monitor: economic hours booked divided by this.) Only the cost base of that very
    year counts, and only when its capacity is counted in hours.
    """
    cost_base = CostBase.objects.filter(resource=resource, year=year).only("capacity_units", "capacity_unit").first()
    if cost_base is None or cost_base.capacity_unit != CapacityUnit.HOUR:
        return None
    return cost_base.capacity_units


def annual_capacity_hours_for_resources(*, resources, year: int) -> dict[int, Decimal | None]:
    """annual_capacity_hours for many resources in one query: {resource id: hours, or None when unknown}."""
    ids = [resource.pk for resource in resources]
    found = dict(
        CostBase.objects.filter(resource_id__in=ids, year=year, capacity_unit=CapacityUnit.HOUR).values_list(
            "resource_id", "capacity_units"
        )
    )
    return {resource_id: found.get(resource_id) for resource_id in ids}


def economic_price_floor(*, cost_base: CostBase, unit: str) -> Decimal | None:
    """The lowest external economic price allowed per `unit`: the full-cost unit price (state aid, §25).

    Hour-based cost bases give floors for hour, half day (4 h) and day (8 h); sample-based ones for samples.
    None when the unit cannot be compared with the cost base (a fixed fee, or units of another kind).
    """
    full_cost_unit_price = cost_base_result(cost_base).full_cost_unit_price
    if cost_base.capacity_unit == CapacityUnit.HOUR and unit in HOURS_PER_UNIT:
        return full_cost_unit_price * HOURS_PER_UNIT[unit]
    if cost_base.capacity_unit == CapacityUnit.SAMPLE and unit == PriceUnit.SAMPLE:
        return full_cost_unit_price
    return None
