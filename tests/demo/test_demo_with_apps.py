"""The demo register as `run.py demo` loads it: with every app's receivers connected."""

import datetime

import pytest
from django.utils import timezone

from catalogue.models import Resource
from pricing.models import PriceList

pytestmark = [pytest.mark.django_db, pytest.mark.with_app_receivers]


def test_every_bookable_demo_resource_has_a_current_price_list(load):
    load("--with-demo-users")
    bookable = Resource.objects.filter(bookable=True, facility__institution__is_demo=True)
    assert bookable.count() > 50
    priced = set(PriceList.objects.filter(resource__in=bookable).values_list("resource_id", flat=True))
    assert priced == set(bookable.values_list("id", flat=True))


def test_the_demo_has_completed_uses_for_the_accounting_pages(load):
    from accounting import selectors as accounting_selectors
    from booking.models import Booking
    from catalogue.models import Facility
    from reporting.demo import BOOKING_PURPOSE  # the statistics' year of made-up use is another demo

    load("--with-demo-users")
    first_count = Booking.objects.filter(status="completed").exclude(purpose=BOOKING_PURPOSE).count()
    load("--with-demo-users")  # idempotent
    completed = Booking.objects.filter(status="completed").exclude(purpose=BOOKING_PURPOSE)
    assert completed.count() == first_count > 0  # six, fewer in the first days of January
    assert {b.price_tier for b in completed} <= {"external_economic", "internal"}
    facility_ids = list(
        Facility.objects.filter(managers__user__email="demo.leder.uio@example.org").values_list("id", flat=True)
    )
    first = min(b.start for b in completed).date()
    last = max(b.start for b in completed).date()
    basis = accounting_selectors.invoice_basis(facility_ids=facility_ids, first_day=first, last_day=last)
    assert {payer.org_number for payer in basis.payers} >= {"988077917"}
    in_basis = Booking.objects.filter(
        status="completed", resource__facility_id__in=facility_ids, start__date__gte=first, start__date__lte=last
    )
    assert basis.total_amount == sum(b.charged_total_amount for b in in_basis)


@pytest.mark.parametrize(
    "email, tier",
    [
        ("demo.uverifisert@example.org", "external_economic"),  # claims UiO, not verified: renting is economic
        ("demo.forsker.uio@example.org", "internal"),  # verified at UiO
        ("demo.forsker.ntnu@example.org", "external_economic"),  # verified elsewhere, no collaboration agreement
    ],
)
def test_the_quote_api_gives_the_tier_of_the_verified_affiliation(load, email, tier):
    from rest_framework.test import APIClient

    from accounts.models import User

    load("--with-demo-users")
    resource = Resource.objects.filter(
        bookable=True, facility__institution__slug="uio", price_lists__isnull=False
    ).first()
    client = APIClient()
    client.force_authenticate(User.objects.get(email=email))
    day = timezone.localdate() + datetime.timedelta(days=7)
    response = client.get(
        f"/api/v1/resources/{resource.pk}/quote/",
        {"access_model": "rental", "start": f"{day}T09:00:00+01:00", "end": f"{day}T10:00:00+01:00"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["tier"] == tier
