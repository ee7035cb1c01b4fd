"""The server decides the activity, tier and VAT of a booking (issue 16): a company that asks for non-economic
rental is refused on `activity`; left to the server it is priced as economic with 25 % VAT and counts in the
state-aid share; collaboration research under an approved agreement is non-economic, records the agreement and
is outside the scope of VAT."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounting import selectors as accounting_selectors
from booking import services
from booking.models import Booking
from tests.booking.conftest import days_ahead
from tests.pricing.factories import CollaborationAgreementFactory, hourly_price_list

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def priced(resource):
    hourly_price_list(
        resource, valid_from=timezone.localdate(), valid_to=None, internal="100", non_economic="800", economic="1000"
    )
    return resource


def post(user, resource, **fields):
    api = APIClient()
    api.force_authenticate(user)
    body = {"resource": resource.pk, "start": days_ahead(3, 10).isoformat(), "end": days_ahead(3, 12).isoformat(),
            "access_model": "rental", **fields}  # fmt: skip
    return api.post("/api/v1/bookings/", body, format="json")


def test_a_company_asking_for_non_economic_rental_is_refused_on_the_activity(priced, company_user):
    response = post(company_user, priced, activity="non_economic")
    assert response.status_code == 400
    assert response.json()["code"] == "activity_not_allowed" and "activity" in response.json()
    assert not Booking.objects.exists()


def test_a_company_renting_pays_the_economic_price_with_vat_and_counts_as_economic(priced, company_user):
    response = post(company_user, priced)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["activity"], body["price_tier"], body["vat_category"]) == ("economic", "external_economic", "S")
    assert (body["net_amount"], body["vat_amount"], body["total_amount"]) == ("2000.00", "500.00", "2500.00")
    assert body["collaboration_agreement"] is None

    services.bookings_complete_due(now=days_ahead(3, 13))
    year = days_ahead(3).year
    shares = accounting_selectors.state_aid_shares(resources=type(priced).objects.filter(pk=priced.pk), year=year)
    assert shares[0].economic_hours == D("2.00")


def test_collaboration_research_under_an_agreement_is_non_economic_outside_the_scope(priced, company_user):
    refused = post(company_user, priced, access_model="collaboration")
    assert refused.status_code == 400 and "collaboration_agreement" in refused.json()
    agreement = CollaborationAgreementFactory(facility=priced.facility, participants=[company_user])
    response = post(company_user, priced, access_model="collaboration")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["activity"], body["price_tier"], body["vat_category"]) == (
        "non_economic",
        "external_non_economic",
        "O",
    )
    assert (body["total_amount"], body["collaboration_agreement"]) == ("1600.00", agreement.pk)
    assert body["vat_reason"].startswith("Utenfor merverdiavgiftsloven")

    services.bookings_complete_due(now=days_ahead(3, 13))
    shares = accounting_selectors.state_aid_shares(
        resources=type(priced).objects.filter(pk=priced.pk), year=days_ahead(3).year
    )
    assert shares[0].economic_hours == D("0.00")


def test_the_booking_page_has_no_activity_and_books_under_the_agreement(client, priced, company_user):
    agreement = CollaborationAgreementFactory(facility=priced.facility, participants=[company_user])
    client.force_login(company_user)
    page = client.get(f"/resources/{priced.pk}/book/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="activity"' not in page and 'name="collaboration_agreement"' in page
    start = days_ahead(3, 10).replace(tzinfo=None)
    response = client.post(
        f"/resources/{priced.pk}/book/",
        {"start": start.strftime("%Y-%m-%dT%H:%M"), "end": (start + datetime.timedelta(hours=2)).strftime(
            "%Y-%m-%dT%H:%M"), "access_model": "collaboration", "collaboration_agreement": agreement.pk},
    )  # fmt: skip
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.activity, booking.collaboration_agreement, booking.vat_category) == (
        "non_economic",
        agreement,
        "O",
    )
    detail = client.get(f"/bookings/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert str(agreement) in detail and "Outside the scope of VAT" in detail
