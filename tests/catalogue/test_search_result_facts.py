"""Each search result says how it is booked, what it costs the person looking ("from" price) and whom to
contact, for a whole page of results in a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.booking.factories import BookingPolicyFactory, ClosureFactory
from tests.factories import (
    AcademicUserFactory,
    ContactPersonFactory,
    FacilityFactory,
    ResourceFactory,
    UserFactory,
)
from tests.pricing.factories import PriceListFactory, PriceListItemFactory, hourly_price_list

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def facility_with(*, policies=(), prices=None, name="Flowcytometrilab"):
    facility = FacilityFactory(name=name)
    for requires_approval in policies:
        resource = ResourceFactory(facility=facility, bookable=True)
        BookingPolicyFactory(resource=resource, requires_approval=requires_approval)
    if prices:
        resource = ResourceFactory(facility=facility)
        hourly_price_list(resource, valid_from=datetime.date(2000, 1, 1), valid_to=None, **prices)
    return facility


def result_of(facility, viewer=None) -> str:
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    page = client.get("/search/", {"q": facility.name}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return page.split(f'href="/facilities/{facility.slug}/"', 1)[1].split("</article>", 1)[0]


@pytest.mark.parametrize(
    ("policies", "says"),
    [
        ((False,), "Bookable now"),
        ((True, False), "Bookable now"),  # one resource at once is enough
        ((True,), "Book by request"),
        ((), "By agreement with the contact person"),
    ],
)
def test_how_a_result_is_booked(policies, says):
    assert says in result_of(facility_with(policies=policies))


def test_a_bookable_result_says_when_it_is_next_free():
    facility = facility_with(policies=(False,))
    row = result_of(facility)
    assert "Next free time: " in row


def test_a_result_fully_taken_says_it_has_no_free_time_and_one_by_agreement_says_nothing_of_it():
    taken = facility_with(policies=(True,), name="Fullbooket lab")
    resource = taken.resources.get()
    now = timezone.now()
    ClosureFactory(resource=resource, start=now - datetime.timedelta(days=1), end=now + datetime.timedelta(days=30))
    assert "No free time in the next 14 days" in result_of(taken)
    assert "free time" not in result_of(facility_with(name="Avtalelab")).lower()


PRICES = {"internal": "100", "non_economic": "800", "economic": "1000"}


@pytest.mark.parametrize(
    ("viewer", "says"),
    [
        (None, f"From NOK{NBSP}1,000.00 per hour excl. VAT (NOK{NBSP}1,250.00 incl. VAT)"),  # external price
        ("company", f"From NOK{NBSP}1,000.00 per hour excl. VAT (NOK{NBSP}1,250.00 incl. VAT)"),
        # Outside the owning institution, non-economic use needs an approved collaboration agreement (issue 16):
        # without one an academic from elsewhere pays the external economic price, with VAT.
        ("academic elsewhere", f"From NOK{NBSP}1,000.00 per hour excl. VAT (NOK{NBSP}1,250.00 incl. VAT)"),
        ("academic here", f"From NOK{NBSP}100.00 per hour (no VAT)"),
    ],
)
def test_the_from_price_is_the_one_the_viewer_pays(viewer, says):
    facility = facility_with(prices=PRICES)
    person = {
        None: None,
        "company": UserFactory(),
        "academic elsewhere": AcademicUserFactory(),
        "academic here": AcademicUserFactory(institution=facility.institution),
    }[viewer]
    assert says in result_of(facility, person)


def test_a_result_without_a_price_list_shows_no_price_and_names_the_contact():
    facility = facility_with()
    ContactPersonFactory(facility=facility, name="Ola Kontakt", email="ola@example.org", is_primary=True)
    row = result_of(facility)
    assert "From " not in row
    assert "Ola Kontakt" in row and 'href="mailto:ola@example.org"' in row


def test_the_facts_cost_the_same_queries_for_two_results_or_twelve():
    def queries_for(count):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for index in range(count):
            facility_with(policies=(True,), prices=PRICES, name=f"Sekvenseringslab {count} {index}")
        with CaptureQueriesContext(connection) as captured:
            Client().get("/search/", {"q": f"Sekvenseringslab {count}"})
        return len(captured)

    assert queries_for(2) == queries_for(12)


def test_the_facility_page_says_how_it_is_booked_and_its_from_price_above_the_contact():
    facility = facility_with(policies=(True,), prices=PRICES)
    page = Client().get(f"/facilities/{facility.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    top = page.split('id="contact-heading"', 1)[0]
    assert "Book by request" in top
    assert f"From NOK{NBSP}1,000.00 per hour excl. VAT (NOK{NBSP}1,250.00 incl. VAT)" in top
    assert 'href="#prices-heading"' in top


def priced_resource(facility, *, unit="hour", price, valid_from=datetime.date(2000, 1, 1), valid_to=None, **extra):
    """A resource of `facility` with one external economic price (what a visitor pays) in `unit`."""
    resource = ResourceFactory(facility=facility, **extra)
    price_list = PriceListFactory(resource=resource, valid_from=valid_from, valid_to=valid_to)
    PriceListItemFactory(price_list=price_list, unit=unit, price=Decimal(price))
    return resource


@pytest.mark.parametrize("prices", [("800", "1000"), ("1000", "800"), ("1000", "800", "900")])
def test_the_from_price_is_the_lowest_of_the_facilitys_resources_whichever_comes_first(prices):
    facility = FacilityFactory(name="Massespektrometrilab")
    for price in prices:
        priced_resource(facility, price=price)
    assert f"From NOK{NBSP}800.00 per hour excl. VAT" in result_of(facility)


def test_an_hourly_price_comes_before_a_cheaper_price_per_sample_or_an_unknown_unit():
    facility = FacilityFactory(name="Massespektrometrilab")
    priced_resource(facility, unit="sample", price="300")
    priced_resource(facility, unit="week", price="200")  # not a unit of the portal's (data from elsewhere)
    priced_resource(facility, price="1000")
    assert f"From NOK{NBSP}1,000.00 per hour excl. VAT" in result_of(facility)


def test_a_price_in_a_unit_the_portal_does_not_know_is_still_shown():
    facility = FacilityFactory(name="Massespektrometrilab")
    priced_resource(facility, unit="week", price="5000")
    assert f"From NOK{NBSP}5,000.00 per week excl. VAT" in result_of(facility)


def test_the_from_price_leaves_out_deactivated_resources_and_lists_not_in_force_today():
    today = timezone.localdate()
    facility = FacilityFactory(name="Massespektrometrilab")
    priced_resource(facility, price="100", is_active=False)
    priced_resource(facility, price="200", valid_to=today - datetime.timedelta(days=1))  # ended yesterday
    # a resource whose current list is followed by a cheaper one from next month: today's price counts
    current = priced_resource(facility, price="1000", valid_to=today + datetime.timedelta(days=30))
    coming = PriceListFactory(resource=current, valid_from=today + datetime.timedelta(days=31), valid_to=None)
    PriceListItemFactory(price_list=coming, unit="hour", price=Decimal("300"))
    assert f"From NOK{NBSP}1,000.00 per hour excl. VAT" in result_of(facility)


def test_a_facility_whose_only_list_has_ended_or_not_begun_shows_no_price():
    today = timezone.localdate()
    ended = FacilityFactory(name="Massespektrometrilab Nord")
    priced_resource(ended, price="200", valid_to=today - datetime.timedelta(days=1))
    coming = FacilityFactory(name="Massespektrometrilab Sør")
    priced_resource(coming, price="300", valid_from=today + datetime.timedelta(days=1))
    assert "From " not in result_of(ended)
    assert "From " not in result_of(coming)
