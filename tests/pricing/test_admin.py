import datetime

import pytest

from pricing.models import PriceList
from tests.factories import UserFactory
from tests.pricing.factories import CostBaseFactory, hourly_price_list


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_pages_open(admin_client, resource):
    cost_base = CostBaseFactory(resource=resource)
    price_list = hourly_price_list(
        resource, valid_from=datetime.date(2026, 1, 1), valid_to=None, internal="1", non_economic="2", economic="600"
    )
    for url in (
        "/admin/pricing/costbase/",
        f"/admin/pricing/costbase/{cost_base.pk}/change/",
        "/admin/pricing/pricelist/",
        f"/admin/pricing/pricelist/{price_list.pk}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_admin_refuses_an_overlapping_price_list(admin_client, resource):
    hourly_price_list(
        resource, valid_from=datetime.date(2026, 1, 1), valid_to=None, internal="1", non_economic="2", economic="600"
    )
    response = admin_client.post(
        "/admin/pricing/pricelist/add/",
        {
            "resource": resource.pk,
            "valid_from": "2026-06-01",
            "valid_to": "",
            "note": "",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert PriceList.objects.count() == 1


@pytest.mark.parametrize("price, saved", [("577.49", False), ("577.50", True)])
def test_admin_refuses_an_economic_price_below_full_cost(admin_client, resource, price, saved):
    CostBaseFactory(resource=resource, year=2026)  # 550.00 NOK/h, floor 577.50 with the 5 % minimum margin
    admin_client.post(
        "/admin/pricing/pricelist/add/",
        {
            "resource": resource.pk,
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "note": "",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-unit": "hour",
            "items-0-tier": "external_economic",
            "items-0-price": price,
        },
    )
    assert PriceList.objects.exists() is saved
