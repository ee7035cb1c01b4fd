import datetime

from django.utils import timezone

from catalogue.choices import ResourceKind
from catalogue.signals import demo_register_loaded
from pricing import selectors
from pricing.choices import CapacityUnit
from pricing.models import CostBase, PriceList
from tests.factories import InstitutionFactory, ResourceFactory, UserFactory


def test_demo_resources_get_cost_bases_and_price_lists_so_quotes_work(db):
    instrument = ResourceFactory(kind=ResourceKind.INSTRUMENT)
    demo_institution = InstitutionFactory(is_demo=True)
    service = ResourceFactory(kind=ResourceKind.SERVICE, bookable=False, facility__institution=demo_institution)
    real_resource = ResourceFactory()
    demo_register_loaded.send(sender=None, resources=[instrument], with_demo_users=False)
    demo_register_loaded.send(sender=None, resources=[instrument], with_demo_users=False)  # idempotent
    assert not CostBase.objects.filter(resource=real_resource).exists()

    year = timezone.localdate().year
    assert CostBase.objects.filter(resource=instrument).count() == 2
    assert PriceList.objects.filter(resource=instrument).count() == 2
    assert set(PriceList.objects.filter(resource=service).values_list("valid_from", flat=True)) == {
        datetime.date(year, 1, 1),
        datetime.date(year + 1, 1, 1),
    }
    assert selectors.annual_capacity_hours(resource=instrument, year=year) > 0
    assert CostBase.objects.get(resource=service, year=year).capacity_unit == CapacityUnit.SAMPLE

    company = UserFactory()
    start = timezone.make_aware(datetime.datetime(year, 6, 1, 10))
    for resource in (instrument, service):
        quote = selectors.booking_quote(
            resource=resource,
            user=company,
            access_model="rental",
            start=start,
            end=start + datetime.timedelta(hours=2),
        )
        assert quote is not None and quote.total_amount > quote.net_amount > 0
        cost_base = selectors.cost_base_for(resource=resource, year=year)
        assert quote.unit_price >= selectors.cost_base_result(cost_base).full_cost_unit_price  # never state aid
