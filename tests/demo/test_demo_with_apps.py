"""The demo register as `run.py demo` loads it: with every app's receivers connected."""

import pytest

from catalogue.models import Resource
from pricing.models import PriceList

pytestmark = [pytest.mark.django_db, pytest.mark.with_app_receivers]


def test_every_bookable_demo_resource_has_a_current_price_list(load):
    load("--with-demo-users")
    bookable = Resource.objects.filter(bookable=True, facility__institution__is_demo=True)
    assert bookable.count() > 50
    priced = set(PriceList.objects.filter(resource__in=bookable).values_list("resource_id", flat=True))
    assert priced == set(bookable.values_list("id", flat=True))
