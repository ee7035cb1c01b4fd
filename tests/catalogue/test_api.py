import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CategoryFactory,
    ContactPersonFactory,
    FacilityFactory,
    InstitutionFactory,
    ResourceFactory,
)


def _facilities(count, institution=None):
    institution = institution or InstitutionFactory()
    categories = [CategoryFactory(), CategoryFactory()]
    facilities = FacilityFactory.create_batch(count, institution=institution)
    for facility in facilities:
        facility.categories.set(categories)
        ContactPersonFactory(facility=facility)
        ContactPersonFactory(facility=facility, is_primary=False)
    return facilities


def _count_queries(api_client, params):
    with CaptureQueriesContext(connection) as captured:
        response = api_client.get("/api/v1/facilities/", params)
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()


def test_list_of_100_facilities_costs_a_constant_number_of_queries(db, api_client, django_assert_max_num_queries):
    _facilities(10)
    ten, body = _count_queries(api_client, {"page_size": 100})
    assert body["count"] == 10
    _facilities(90)
    with django_assert_max_num_queries(ten):
        response = api_client.get("/api/v1/facilities/", {"page_size": 100})
    assert response.json()["count"] == 100 and len(response.json()["results"]) == 100
    assert ten <= 4  # count, the page, its categories, its contacts


def test_list_is_paginated(db, api_client):
    _facilities(3)
    body = api_client.get("/api/v1/facilities/", {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2 and "page=2" in body["next"]
    row = body["results"][0]
    assert row["primary_contact"]["is_primary"] is True
    assert row["access_models"] == ["rental", "service"] and row["is_stale"] is False


def test_facility_detail_has_contacts_and_resources(db, api_client):
    facility = FacilityFactory()
    ContactPersonFactory(facility=facility, name="Kari Kontakt", email="kari@example.org")
    ResourceFactory(facility=facility, name="Konfokalmikroskop", bookable=True)
    ResourceFactory(facility=facility, name="Pensjonert", is_active=False)
    body = api_client.get(f"/api/v1/facilities/{facility.pk}/").json()
    assert [contact["email"] for contact in body["contacts"]] == ["kari@example.org"]
    assert [(resource["name"], resource["bookable"]) for resource in body["resources"]] == [("Konfokalmikroskop", True)]


def test_resources_list_filters(db, api_client):
    uio = InstitutionFactory(slug="uio")
    facility = FacilityFactory(institution=uio)
    ResourceFactory(facility=facility, name="Bookbar", bookable=True)
    ResourceFactory(facility=facility, name="Tjeneste", bookable=False, kind="service")
    ResourceFactory(name="Annen", bookable=True)
    ResourceFactory(facility=FacilityFactory(status="draft"), name="I utkast")

    def names(**params):
        response = api_client.get("/api/v1/resources/", params)
        assert response.status_code == 200
        return {row["name"] for row in response.json()["results"]}

    assert names() == {"Bookbar", "Tjeneste", "Annen"}
    assert names(bookable="true") == {"Bookbar", "Annen"}
    assert names(institution="uio") == {"Bookbar", "Tjeneste"}
    assert names(facility=facility.pk, kind="service") == {"Tjeneste"}


def test_institutions_list(db, api_client):
    InstitutionFactory(name="Universitetet i Bergen", slug="uib")
    body = api_client.get("/api/v1/institutions/").json()
    assert body["count"] == 1 and body["results"][0]["slug"] == "uib"


def test_publish_without_primary_contact_is_a_400_naming_the_field(db, api_client):
    from tests.factories import FacilityManagerFactory

    facility = FacilityFactory(status="draft")
    api_client.force_authenticate(FacilityManagerFactory(facility=facility).user)
    response = api_client.post(f"/api/v1/facilities/{facility.pk}/publish/")
    assert response.status_code == 400
    assert "contacts" in response.json()


def test_verify_through_api(db, api_client):
    from tests.factories import FacilityManagerFactory

    facility = FacilityFactory(last_verified=None)
    api_client.force_authenticate(FacilityManagerFactory(facility=facility).user)
    body = api_client.post(f"/api/v1/facilities/{facility.pk}/verify/").json()
    assert body["is_stale"] is False and body["last_verified"]


def test_bad_write_is_a_400_naming_the_field(db, api_client):
    from tests.factories import FacilityManagerFactory

    facility = FacilityFactory()
    api_client.force_authenticate(FacilityManagerFactory(facility=facility).user)
    response = api_client.patch(f"/api/v1/facilities/{facility.pk}/", {"web_address": "not a url"}, format="json")
    assert response.status_code == 400 and "web_address" in response.json()
    contact = {"facility": facility.pk, "name": "X", "email": "nope"}
    response = api_client.post("/api/v1/contacts/", contact, format="json")
    assert response.status_code == 400 and "email" in response.json()


def test_openapi_schema_and_docs(db, client, capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/facilities/", "/api/v1/resources/", "/api/v1/institutions/"])
def test_anonymous_reads_are_public(db, api_client, path):
    assert api_client.get(path).status_code == 200


def test_a_listed_facility_is_exactly_what_its_declared_fields_give(db, api_client):
    """The list writes its rows out by hand (for speed); they must stay what DRF's field-by-field answer gives, for
    a facility with everything and one with nothing optional."""
    import datetime

    from rest_framework import serializers

    from catalogue import selectors
    from catalogue.api.serializers import FacilitySerializer

    full = _facilities(1)[0]
    full.last_verified = datetime.date(2026, 3, 1)
    full.offers_service = full.offers_rental = True
    full.web_address, full.accreditation, full.campus = "https://example.org/lab", "ISO 17025", "Gaustad"
    full.save()
    bare = FacilityFactory(institution=InstitutionFactory(region=""), last_verified=None)
    ids = [full.pk, bare.pk]
    for facility in selectors.facilities_in_order(ids):
        fast = FacilitySerializer(facility).data
        declared = serializers.ModelSerializer.to_representation(FacilitySerializer(), facility)
        assert fast == dict(declared)
    listed = api_client.get("/api/v1/facilities/", {"page_size": 200}).json()["results"]
    by_id = {row["id"]: row for row in listed}
    assert by_id[full.pk]["primary_contact"]["is_primary"] is True
    assert len(by_id[full.pk]["categories"]) == 2 and by_id[bare.pk]["primary_contact"] is None
