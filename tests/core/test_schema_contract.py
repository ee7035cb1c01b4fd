"""The schema is the contract for successful answers too: the 2xx bodies of the main journeys, which random fuzzing
seldom reaches (its ids mostly name nothing), validate against the published schema (required members, nullable,
formats, enums)."""

import datetime

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from schemathesis.core.transport import Response

from accounts.services import api_token_create
from tests.booking.factories import BookingPolicyFactory
from tests.factories import FacilityManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

SOON = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=10)).replace(
    hour=9, minute=0, second=0, microsecond=0
)


@pytest.fixture(scope="module")
def contract(django_db_blocker):
    with django_db_blocker.unblock():
        raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(raw)


def as_schemathesis(response, method: str, address: str) -> Response:
    """A Django test response as the response schemathesis validates."""
    return Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=requests.Request(method.upper(), f"http://testserver{address}").prepare(),
        elapsed=0.0,
        verify=True,
    )


def check(contract, client, method: str, address: str, template: str, body=None, *, status: int = 200) -> dict:
    response = (
        getattr(client, method)(address, body, format="json") if body is not None else getattr(client, method)(address)
    )
    assert response.status_code == status, response.content
    contract[template][method.upper()].validate_response(as_schemathesis(response, method, address))
    return response.json() if response.content else {}


def test_a_booking_journey_answers_as_the_schema_says(contract):
    policy = BookingPolicyFactory()
    resource = policy.resource
    customer = UserFactory(company_name="Biotek AS", org_number="988077917")
    manager = FacilityManagerFactory(facility=resource.facility).user
    client, managing = APIClient(), APIClient()
    client.force_authenticate(customer)
    managing.force_authenticate(manager)
    body = {"resource": resource.pk, "start": SOON.isoformat(), "end": (SOON + datetime.timedelta(hours=1)).isoformat(),
            "activity": "economic", "access_model": "rental"}  # fmt: skip
    made = check(contract, client, "post", "/api/v1/bookings/", "/api/v1/bookings/", body, status=201)
    one = f"/api/v1/bookings/{made['id']}/"
    check(contract, client, "get", one, "/api/v1/bookings/{id}/")
    check(contract, client, "get", "/api/v1/bookings/", "/api/v1/bookings/")
    check(contract, managing, "get", "/api/v1/bookings/", "/api/v1/bookings/")  # with who booked
    check(contract, managing, "get", one, "/api/v1/bookings/{id}/")
    later = {"start": (SOON + datetime.timedelta(hours=2)).isoformat(),
             "end": (SOON + datetime.timedelta(hours=3)).isoformat(), "reason": "Flyttet"}  # fmt: skip
    check(contract, managing, "post", one + "move/", "/api/v1/bookings/{id}/move/", later)
    check(contract, client, "post", one + "cancel/", "/api/v1/bookings/{id}/cancel/", {"reason": "Syk"})
    series = {**body, "repeat": "weekly", "count": 3}
    check(contract, client, "post", "/api/v1/bookings/", "/api/v1/bookings/", series, status=201)
    window = f"?start={SOON.date().isoformat()}"
    check(contract, client, "get", f"/api/v1/resources/{resource.pk}/availability/{window}",
          "/api/v1/resources/{id}/availability/")  # fmt: skip
    check(contract, client, "get", f"/api/v1/availability/{window}", "/api/v1/availability/")


def test_the_register_and_the_accounts_of_a_person_answer_as_the_schema_says(contract):
    policy = BookingPolicyFactory()
    facility = policy.resource.facility
    person = UserFactory(company_name="Biotek AS", org_number="988077917")
    client = APIClient()
    client.force_authenticate(person)
    for address, template in [
        ("/api/v1/institutions/", "/api/v1/institutions/"),
        (f"/api/v1/institutions/{facility.institution_id}/", "/api/v1/institutions/{id}/"),
        ("/api/v1/facilities/", "/api/v1/facilities/"),
        (f"/api/v1/facilities/{facility.pk}/", "/api/v1/facilities/{id}/"),
        ("/api/v1/resources/", "/api/v1/resources/"),
        (f"/api/v1/resources/{policy.resource_id}/", "/api/v1/resources/{id}/"),
        (f"/api/v1/resources/{policy.resource_id}/prices/", "/api/v1/resources/{id}/prices/"),
        ("/api/v1/organisations/", "/api/v1/organisations/"),
        ("/api/v1/pricing/agreements/", "/api/v1/pricing/agreements/"),
        ("/api/v1/intake/requests/", "/api/v1/intake/requests/"),
    ]:
        check(contract, client, "get", address, template)
    _token, _key = api_token_create(user=person, name="Laptop")
    tokens = check(contract, client, "get", "/api/v1/auth/tokens/", "/api/v1/auth/tokens/")
    assert [token["name"] for token in tokens] == ["Laptop"]
    organisation = check(contract, client, "get", "/api/v1/organisations/", "/api/v1/organisations/")[0]
    check(contract, client, "get", f"/api/v1/organisations/{organisation['organisation']['id']}/",
          "/api/v1/organisations/{id}/")  # fmt: skip


def test_a_managers_register_and_accounts_answer_as_the_schema_says(contract):
    policy = BookingPolicyFactory()
    facility = policy.resource.facility
    manager = FacilityManagerFactory(facility=facility).user
    client = APIClient()
    client.force_authenticate(manager)
    facility_path = f"/api/v1/facilities/{facility.pk}/"
    check(contract, client, "patch", facility_path, "/api/v1/facilities/{id}/", {"city": "Bergen"})
    check(contract, client, "post", facility_path + "verify/", "/api/v1/facilities/{id}/verify/", {})
    contact = {"facility": facility.pk, "name": "Kari Kontakt", "email": "kari@example.org", "role": "Leder"}
    made = check(contract, client, "post", "/api/v1/contacts/", "/api/v1/contacts/", contact, status=201)
    check(contract, client, "patch", f"/api/v1/contacts/{made['id']}/", "/api/v1/contacts/{id}/", {"role": "Sjef"})
    resource = {"facility": facility.pk, "name": "Nytt mikroskop", "kind": "instrument"}
    made = check(contract, client, "post", "/api/v1/resources/", "/api/v1/resources/", resource, status=201)
    one = f"/api/v1/resources/{made['id']}/"
    check(contract, client, "patch", one, "/api/v1/resources/{id}/", {"bookable": False})
    check(contract, client, "delete", one, "/api/v1/resources/{id}/", status=204)
    check(contract, client, "get", f"/api/v1/resources/{policy.resource_id}/external-calendars/",
          "/api/v1/resources/{id}/external-calendars/")  # fmt: skip
    for report in ("state-aid", "revenue", "invoice-basis"):
        check(contract, client, "get", f"/api/v1/accounting/facilities/{facility.pk}/{report}/",
              f"/api/v1/accounting/facilities/{{id}}/{report}/")  # fmt: skip
    check(contract, client, "get", f"/api/v1/pricing/institutions/{facility.institution_id}/vat-table/",
          "/api/v1/pricing/institutions/{id}/vat-table/")  # fmt: skip


def test_a_new_token_answers_as_the_schema_says(contract):
    from tests.factories import PASSWORD

    person = UserFactory()
    body = {"email": person.email, "password": PASSWORD, "name": "Laptop"}
    check(contract, APIClient(), "post", "/api/v1/auth/token/", "/api/v1/auth/token/", body)


def test_a_booking_without_a_price_answers_as_the_schema_says(contract):
    """Found by the fuzzer on the demo register: a booking without a price has an empty VAT category."""
    from tests.booking.factories import BookingFactory

    booking = BookingFactory()
    assert booking.vat_category == ""
    client = APIClient()
    client.force_authenticate(booking.user)
    check(contract, client, "get", f"/api/v1/bookings/{booking.pk}/", "/api/v1/bookings/{id}/")
    check(contract, client, "get", "/api/v1/bookings/", "/api/v1/bookings/")
