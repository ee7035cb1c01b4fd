"""Factories for pricing tests."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from pricing.choices import AgreementStatus, CapacityUnit, PriceTier, PriceUnit
from pricing.models import CollaborationAgreement, CostBase, CostBaseStaffLine, PriceList, PriceListItem
from tests.factories import FacilityFactory, ResourceFactory


class CostBaseFactory(factory.django.DjangoModelFactory):
    """The worked example of test_tdi.py: full cost 825 000 NOK a year over 1 500 hours = 550.00 NOK/h."""

    class Meta:
        model = CostBase
        skip_postgeneration_save = True

    resource = factory.SubFactory(ResourceFactory)
    year = 2026
    area_m2 = Decimal("20")
    area_rate_per_m2 = Decimal("3004")
    equipment_cost = Decimal("2000000")
    depreciation_years = Decimal("10")
    research_council_funded = True
    service_contracts = Decimal("50000")
    consumables = Decimal("30000")
    other_direct_costs = Decimal("9920")
    capacity_units = Decimal("1500")
    capacity_unit = CapacityUnit.HOUR
    internal_share = Decimal("0.35")
    margin = Decimal("0.05")

    @factory.post_generation
    def staff(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is None:
            CostBaseStaffLine.objects.create(
                cost_base=obj,
                role="Engineer",
                annual_salary=Decimal("600000"),
                social_cost_rate=Decimal("0.25"),
                fte=Decimal("0.5"),
                indirect_rate_per_fte=Decimal("200000"),
            )


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    resource = factory.SubFactory(ResourceFactory)
    valid_from = datetime.date(2026, 1, 1)
    valid_to = datetime.date(2026, 12, 31)


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    unit = PriceUnit.HOUR
    tier = PriceTier.EXTERNAL_ECONOMIC
    price = Decimal("577.50")


def hourly_price_list(resource, *, valid_from, valid_to, internal, non_economic, economic) -> PriceList:
    price_list = PriceListFactory(resource=resource, valid_from=valid_from, valid_to=valid_to)
    for tier, price in (
        (PriceTier.INTERNAL, internal),
        (PriceTier.EXTERNAL_NON_ECONOMIC, non_economic),
        (PriceTier.EXTERNAL_ECONOMIC, economic),
    ):
        PriceListItemFactory(price_list=price_list, tier=tier, unit=PriceUnit.HOUR, price=Decimal(price))
    return price_list


class CollaborationAgreementFactory(factory.django.DjangoModelFactory):
    """An approved agreement on collaboration research with Eksempel AS, valid from 2020 on, naming
    `participants` (a list of users)."""

    class Meta:
        model = CollaborationAgreement
        skip_postgeneration_save = True

    facility = factory.SubFactory(FacilityFactory)
    title = factory.Sequence(lambda n: f"Samarbeidsprosjekt {n}")
    partner_name = "Eksempel AS"
    partner_org_number = "988077917"
    valid_from = datetime.date(2020, 1, 1)
    effective_collaboration = True
    shared_risk = True
    may_publish = True
    status = AgreementStatus.APPROVED
    decided_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def participants(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.participants.set(extracted)
