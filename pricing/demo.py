"""Demo prices: every demo resource gets a plausible TDI cost base and price lists for this year and the next."""

import datetime
import zlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from catalogue.choices import ResourceKind
from catalogue.models import Resource
from core.policies import OPERATOR
from pricing import services
from pricing.choices import CapacityUnit, PriceUnit
from pricing.models import PriceList

D = Decimal


def _cost_base_values(resource, year: int) -> tuple[dict, list[dict]]:
    """Figures in the range of Norwegian core facilities, varied per resource but stable between runs."""
    seed = zlib.crc32(f"{resource.facility.slug}/{resource.name}".encode())
    scale = D(80 + seed % 60) / D(100)  # 0.80 – 1.39
    growth = D("1.03") ** (year - 2024)  # prices follow wages, about 3 % a year
    is_service = resource.kind == ResourceKind.SERVICE
    values = dict(
        area_m2=D(15 + seed % 40),
        area_rate_per_m2=(D(3004) * growth).quantize(D(1)),  # NTNU's 2024 area rate
        equipment_cost=(D(1500000) * scale).quantize(D(1000)) if not is_service else D(400000),
        depreciation_years=D(10),
        research_council_funded=seed % 3 == 0,
        service_contracts=(D(60000) * scale).quantize(D(100)),
        consumables=(D(45000 if is_service else 25000) * scale).quantize(D(100)),
        other_direct_costs=D(10000),
        capacity_units=D(3000) if is_service else D(1600),
        capacity_unit=CapacityUnit.SAMPLE if is_service else CapacityUnit.HOUR,
        internal_share=D("0.35"),
        margin=D("0.05") + D(seed % 6) / D(100),
    )
    staff = [
        dict(
            role="Senioringeniør",
            annual_salary=(D(640000) * growth).quantize(D(1000)),
            social_cost_rate=D("0.25"),
            fte=D("0.5") if not is_service else D(1),
            indirect_rate_per_fte=D(210000),
        )
    ]
    return values, staff


@transaction.atomic
def give_resource_prices(resource, *, years: list[int]) -> None:
    for year in years:
        values, staff = _cost_base_values(resource, year)
        cost_base = services.cost_base_save(actor=OPERATOR, resource=resource, year=year, staff=staff, **values)
        unit = PriceUnit.SAMPLE if cost_base.capacity_unit == CapacityUnit.SAMPLE else PriceUnit.HOUR
        prices = services.prices_from_cost_base(cost_base, unit=unit)
        if unit == PriceUnit.HOUR:
            prices.update(services.prices_from_cost_base(cost_base, unit=PriceUnit.DAY))
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        existing = PriceList.objects.filter(resource=resource, valid_from=start, valid_to=end).first()
        if (
            existing is None
            and PriceList.objects.filter(resource=resource, valid_from__lte=end).filter(valid_to__isnull=True).exists()
        ):
            continue  # the manager has an open-ended list; leave it alone
        if (
            existing is None
            and PriceList.objects.filter(resource=resource, valid_from__lte=end, valid_to__gte=start).exists()
        ):
            continue  # some other list covers part of the year; leave it alone
        services.price_list_save(
            actor=OPERATOR,
            resource=resource,
            valid_from=start,
            valid_to=end,
            prices=prices,
            note="Demo",
            price_list=existing,
        )


def give_demo_resources_prices(sender=None, *, resources, **kwargs) -> None:
    """Receiver for catalogue.signals.demo_register_loaded. Running the loader again updates, never duplicates.

    The signal names the bookable demo resources; services and instruments that are not booked online still
    show prices on the facility page, so every active resource of a demo institution gets them.
    """
    this_year = timezone.localdate().year
    others = Resource.objects.filter(facility__institution__is_demo=True, is_active=True).exclude(
        pk__in=[resource.pk for resource in resources]
    )
    for resource in [*resources, *others.select_related("facility")]:
        give_resource_prices(resource, years=[this_year, this_year + 1])
