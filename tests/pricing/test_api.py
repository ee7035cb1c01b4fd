import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pricing.choices import PriceTier, PriceUnit, TermsReason
from tests.factories import ResourceFactory
from tests.pricing.factories import PriceListItemFactory, hourly_price_list

CALCULATOR = "/api/v1/pricing/tdi-calculator/"

VALID = {
    "area_m2": "20",
    "area_rate_per_m2": "3004",
    "equipment_cost": "2000000",
    "depreciation_years": "10",
    "research_council_funded": True,
    "service_contracts": "50000",
    "consumables": "30000",
    "other_direct_costs": "9920",
    "staff": [{"annual_salary": "600000", "social_cost_rate": "0.25", "fte": "0.5", "indirect_rate_per_fte": "200000"}],
    "capacity_units": "1500",
    "internal_share": "0.35",
    "margin": "0.05",
}


@pytest.fixture
def api():
    return APIClient()


def test_calculator_needs_no_login_and_returns_the_worked_example(db, api):
    response = api.post(CALCULATOR, VALID, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["annual_full_cost"] == "825000.00"
    assert body["full_cost_unit_price"] == "550.00"
    assert body["external_non_economic_unit_price"] == "416.67"
    assert body["internal_unit_price"] == "145.83"
    assert body["external_economic_unit_price"] == "577.50"
    assert body["external_economic_unit_price_incl_vat"] == "721.88"
    assert body["currency"] == "NOK"
    assert [line["key"] for line in body["breakdown"]][:2] == ["area", "depreciation"]
    assert {line["key"]: line["amount"] for line in body["breakdown"]}["staff_1_indirect"] == "100000.00"


@pytest.mark.parametrize("field", [name for name in VALID if name != "staff"] + ["staff"])
def test_calculator_missing_input_names_the_field(db, api, field):
    body = {name: value for name, value in VALID.items() if name != field}
    response = api.post(CALCULATOR, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "field, value",
    [
        ("area_m2", "-1"),
        ("area_rate_per_m2", "-0.01"),
        ("equipment_cost", "-5"),
        ("depreciation_years", "-1"),
        ("service_contracts", "-1"),
        ("consumables", "-1"),
        ("other_direct_costs", "-1"),
        ("capacity_units", "0"),
        ("capacity_units", "-10"),
        ("margin", "-0.01"),
        ("internal_share", "1.5"),
        ("internal_share", "-0.1"),
        ("area_m2", "many"),
        ("research_council_funded", "perhaps"),
    ],
)
def test_calculator_bad_input_names_the_field(db, api, field, value):
    response = api.post(CALCULATOR, {**VALID, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("field", ["annual_salary", "social_cost_rate", "fte", "indirect_rate_per_fte"])
def test_calculator_negative_staff_input_names_the_staff_field(db, api, field):
    staff = [{**VALID["staff"][0], field: "-1"}]
    response = api.post(CALCULATOR, {**VALID, "staff": staff}, format="json")
    assert response.status_code == 400
    assert field in response.json()["staff"]["0"]  # DRF names the line by its index


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"area_m2": "99999999", "area_rate_per_m2": "99999999"}, "area_m2"),
        ({"capacity_units": "0.0001", "equipment_cost": "99999999999"}, "capacity_units"),
        ({"margin": "99999999999"}, "margin"),
        (
            {"staff": [{**VALID["staff"][0], "annual_salary": "99999999999", "fte": "99999999"}]},
            "staff[0].annual_salary",
        ),
    ],
)
def test_calculator_figures_too_large_to_price_are_a_400_naming_the_field(db, api, changes, field):
    response = api.post(CALCULATOR, {**VALID, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_calculator_zero_depreciation_years_with_equipment_names_the_field(db, api):
    response = api.post(CALCULATOR, {**VALID, "depreciation_years": "0"}, format="json")
    assert response.status_code == 400
    assert "depreciation_years" in response.json()


@pytest.fixture
def priced_resource(resource):
    hourly_price_list(
        resource,
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31),
        internal="40",
        non_economic="110",
        economic="140",
    )
    return resource


def quote_url(resource, **params):
    query = {"start": "2026-03-02T09:00:00+01:00", "end": "2026-03-02T11:00:00+01:00", "access_model": "rental"}
    query.update(params)
    return f"/api/v1/resources/{resource.pk}/quote/", {k: v for k, v in query.items() if v is not None}


def test_quote_for_the_signed_in_company_user(api, priced_resource, company_user):
    api.force_authenticate(company_user)
    url, params = quote_url(priced_resource)
    response = api.get(url, params)
    assert response.status_code == 200
    assert response.json() == {
        "tier": "external_economic",
        "unit": "hour",
        "unit_price": "140.00",
        "quantity": "2.00",
        "net_amount": "280.00",
        "vat_rate": "0.2500",
        "vat_amount": "70.00",
        "total_amount": "350.00",
        "currency": "NOK",
        "price_list_id": priced_resource.price_lists.get().pk,
        "activity": "economic",
        "reason": "economic_use",
        "reason_text": str(TermsReason.ECONOMIC_USE.label),
        "vat_category": "S",
        "vat_reason_code": "",
        "vat_reason": "",
        "collaboration_agreement": None,
    }


def test_quote_for_an_internal_academic_is_internal_without_vat(api, priced_resource, internal_academic):
    api.force_authenticate(internal_academic)
    url, params = quote_url(priced_resource)  # whatever the access model: internal use
    body = api.get(url, params).json()
    assert (body["tier"], body["net_amount"], body["vat_amount"], body["total_amount"]) == (
        "internal",
        "80.00",
        "0.00",
        "80.00",
    )


def test_a_user_cannot_pick_their_tier(api, priced_resource, company_user):
    api.force_authenticate(company_user)
    url, params = quote_url(priced_resource, tier="internal")
    assert api.get(url, params).json()["tier"] == "external_economic"


def test_a_company_naming_non_economic_rental_gets_400_on_activity(api, priced_resource, company_user):
    api.force_authenticate(company_user)
    url, params = quote_url(priced_resource, activity="non_economic")
    response = api.get(url, params)
    assert response.status_code == 400
    assert response.json()["code"] == "activity_not_allowed" and "activity" in response.json()


def test_quote_needs_login(api, priced_resource):
    url, params = quote_url(priced_resource)
    assert api.get(url, params).status_code in (401, 403)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": None}, "start"),
        ({"end": None}, "end"),
        ({"access_model": None}, "access_model"),
        ({"access_model": "charity"}, "access_model"),
        ({"access_model": "collaboration"}, "collaboration_agreement"),
        ({"collaboration_agreement": "0"}, "collaboration_agreement"),
        ({"start": "yesterday"}, "start"),
        ({"end": "2026-03-02T08:00:00+01:00"}, "end"),
        ({"activity": "charity"}, "activity"),
        ({"samples": "0"}, "samples"),
        ({"samples": "9" * 30}, "samples"),
        ({"start": "0001-01-01T00:00:00+01:00"}, "start"),
        ({"start": "0001-01-01T00:00", "end": "9999-12-31T23:59"}, "start"),  # no offset: DRF overflowed here
        ({"end": "9999-12-31T23:59"}, "end"),
        ({"end": "9999-12-31T23:59:00+01:00"}, "end"),
        ({"end": "2027-03-03T11:00:00+01:00"}, "end"),
    ],
)
def test_quote_bad_input_names_the_field(api, priced_resource, company_user, params, field):
    api.force_authenticate(company_user)
    url, query = quote_url(priced_resource, **params)
    response = api.get(url, query)
    assert response.status_code == 400
    assert field in response.json()


def test_quote_without_price_list_is_404(api, resource, company_user):
    api.force_authenticate(company_user)
    url, params = quote_url(resource)
    assert api.get(url, params).status_code == 404


def test_quote_for_unknown_resource_is_404(api, company_user, db):
    api.force_authenticate(company_user)
    assert api.get("/api/v1/resources/999999/quote/", {"access_model": "rental"}).status_code == 404


def test_public_prices_with_and_without_vat(api, resource, django_assert_max_num_queries):
    today = timezone.localdate()
    hourly_price_list(resource, valid_from=today, valid_to=None, internal="40", non_economic="110", economic="140")
    with django_assert_max_num_queries(4):
        response = api.get(f"/api/v1/resources/{resource.pk}/prices/")
    assert response.status_code == 200
    [price_list] = response.json()
    items = {item["tier"]: item for item in price_list["items"]}
    assert items["external_economic"]["price"] == "140.00"
    assert items["external_economic"]["price_incl_vat"] == "175.00"
    assert items["external_non_economic"]["price_incl_vat"] == "110.00"
    assert items["internal"]["vat_rate"] == "0.0000"


def test_price_list_api_filters_by_resource_without_a_query_per_row(api, db, django_assert_max_num_queries):
    resources = [ResourceFactory() for _ in range(5)]
    for resource in resources:
        price_list = hourly_price_list(
            resource, valid_from=datetime.date(2026, 1, 1), valid_to=None, internal="1", non_economic="2", economic="3"
        )
        PriceListItemFactory(
            price_list=price_list, tier=PriceTier.EXTERNAL_ECONOMIC, unit=PriceUnit.DAY, price=Decimal(20)
        )
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/pricing/price-lists/")
    assert response.json()["count"] == 5
    response = api.get("/api/v1/pricing/price-lists/", {"resource": resources[0].pk, "valid_on": "2026-06-01"})
    [price_list] = response.json()["results"]
    assert len(price_list["items"]) == 4
    assert api.get("/api/v1/pricing/price-lists/", {"valid_on": "2025-06-01"}).json()["count"] == 0


@pytest.mark.parametrize("query", [{"facility": "9" * 30}, {"facility": "-1"}, {"valid_on": "2026-13-01"}])
def test_price_list_api_bad_filter_is_a_400_naming_it(api, db, query):
    response = api.get("/api/v1/pricing/price-lists/", query)
    assert response.status_code == 400
    assert set(query) <= set(response.json())


def test_prices_and_quotes_of_draft_facilities_are_hidden(api, resource, company_user):
    resource.facility.status = "draft"
    resource.facility.save()
    hourly_price_list(
        resource, valid_from=datetime.date(2026, 1, 1), valid_to=None, internal="1", non_economic="2", economic="3"
    )
    assert api.get(f"/api/v1/resources/{resource.pk}/prices/").status_code == 404
    assert api.get("/api/v1/pricing/price-lists/").json()["count"] == 0
    api.force_authenticate(company_user)
    url, params = quote_url(resource)
    assert api.get(url, params).status_code == 404


def test_naive_times_are_read_as_oslo_time(api, priced_resource, company_user):
    api.force_authenticate(company_user)
    url, params = quote_url(priced_resource, start="2026-03-02T09:00:00", end="2026-03-02T10:30:00")
    assert api.get(url, params).json()["quantity"] == "1.50"
