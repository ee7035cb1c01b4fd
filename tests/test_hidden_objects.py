"""Existence is never revealed by the order of checks: under /api/, an object someone may not see (another
person's booking, organisation, membership, affiliation claim, token, intake request or agreement; a draft
facility with its resources, contacts, accounts and external calendars) answers exactly as a missing id and as an
id beyond any database key: the same 404 problem, byte for byte.

Who may see an object but not act on it is told so (403): that reveals nothing they could not read already.
"""

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.choices import AffiliationState, MembershipRole, MembershipState
from accounts.models import Affiliation, OrganisationMembership
from accounts.services import api_token_create
from booking.choices import BookingStatus
from calendars.models import ExternalCalendar
from catalogue.choices import PublicationStatus
from intake import services as intake_services
from tests.booking.factories import BookingFactory
from tests.factories import (
    AcademicUserFactory,
    ContactPersonFactory,
    FacilityFactory,
    FacilityManagerFactory,
    ResourceFactory,
    UserFactory,
)
from tests.intake.factories import IntakeRequestFactory
from tests.pricing.factories import CollaborationAgreementFactory

pytestmark = pytest.mark.django_db

MISSING = 987654321
# Addresses where anonymous callers are asked to authenticate first (401); the register answers them 404.
AUTHENTICATED = (
    "/api/v1/bookings/", "/api/v1/organisations/", "/api/v1/affiliations/", "/api/v1/auth/", "/api/v1/accounting/",
    "/api/v1/intake/", "/api/v1/pricing/", "/quote/", "/external-calendars/",
)  # fmt: skip
OUT_OF_RANGE = 2**63  # one more than the largest key PostgreSQL holds
SOON = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)).replace(microsecond=0)
MOVE = {"start": SOON.isoformat(), "end": (SOON + datetime.timedelta(hours=1)).isoformat(), "reason": "Flyttet"}

# (method, address with {id} for the hidden object, a body that passes the input checks). The body is valid, so
# that a view that checks input before it looks the object up is tested on the lookup, not on the input.
BOOKING = [
    ("get", "/api/v1/bookings/{id}/", None),
    ("post", "/api/v1/bookings/{id}/approve/", {"reason": "OK"}),
    ("post", "/api/v1/bookings/{id}/reject/", {"reason": "Nei"}),
    ("post", "/api/v1/bookings/{id}/cancel/", {"reason": "Syk"}),
    ("post", "/api/v1/bookings/{id}/move/", MOVE),
    ("post", "/api/v1/bookings/{id}/complete/", None),
    ("post", "/api/v1/bookings/{id}/no-show/", {"reason": "Kom ikke"}),
    ("post", "/api/v1/bookings/{id}/adjust-use/", {"used_minutes": 30, "reason": "Kortere"}),
    ("post", "/api/v1/bookings/decide/", {"ids": ["{id}"], "decision": "approve", "reason": "OK"}),
]
ACCOUNTS = [
    ("get", "/api/v1/organisations/{id}/", None),
    ("post", "/api/v1/organisations/{id}/recheck/", None),
]
MEMBERSHIP = [
    ("post", "/api/v1/organisations/memberships/{id}/decision/", {"approve": True}),
    ("post", "/api/v1/organisations/memberships/{id}/role/", {"role": "admin"}),
]
AFFILIATION = [("post", "/api/v1/affiliations/{id}/decision/", {"approve": True})]
TOKEN = [("delete", "/api/v1/auth/tokens/{id}/", None)]
DRAFT_FACILITY = [
    ("get", "/api/v1/facilities/{id}/", None),
    ("patch", "/api/v1/facilities/{id}/", {"city": "Bergen"}),
    ("post", "/api/v1/facilities/{id}/publish/", None),
    ("post", "/api/v1/facilities/{id}/verify/", None),
    *[
        ("get", f"/api/v1/accounting/facilities/{{id}}/{report}/", None)
        for report in ("state-aid", "revenue", "invoice-basis", "ehf")
    ],
]
DRAFT_RESOURCE = [
    ("get", "/api/v1/resources/{id}/", None),
    ("patch", "/api/v1/resources/{id}/", {"name": "Nytt navn"}),
    ("delete", "/api/v1/resources/{id}/", None),
    ("get", "/api/v1/resources/{id}/availability/", None),
    ("get", "/api/v1/resources/{id}/prices/", None),
    ("get", "/api/v1/resources/{id}/quote/?start=2027-03-01T10:00:00%2B01:00&end=2027-03-01T11:00:00%2B01:00", None),
    ("get", "/api/v1/resources/{id}/external-calendars/", None),
    ("post", "/api/v1/resources/{id}/external-calendars/", {"url": "https://example.org/b.ics", "name": "B"}),
    ("delete", "/api/v1/resources/{id}/external-calendars/{calendar}/", None),
]
DRAFT_CONTACT = [
    ("get", "/api/v1/contacts/{id}/", None),
    ("patch", "/api/v1/contacts/{id}/", {"role": "Leder"}),
    ("delete", "/api/v1/contacts/{id}/", None),
]
INTAKE_REQUEST = [
    ("get", "/api/v1/intake/requests/{id}/", None),
    ("post", "/api/v1/intake/requests/{id}/messages/", {"message": "Hei"}),
    ("post", "/api/v1/intake/requests/{id}/withdraw/", {"reason": "Trenger det ikke"}),
    ("post", "/api/v1/intake/requests/{id}/request-info/", {"message": "Hvor mange prøver?"}),
    ("post", "/api/v1/intake/requests/{id}/assign/", {"institution": 1}),
    ("post", "/api/v1/intake/requests/{id}/close/", {"reason": "Ferdig"}),
    *[
        ("post", f"/api/v1/intake/requests/{{id}}/{step}/", None)
        for step in ("route", "decline", "accept", "decide", "refer")
    ],
]
AGREEMENT = [
    ("post", "/api/v1/pricing/agreements/{id}/approve/", {"reason": "OK"}),
    ("post", "/api/v1/pricing/agreements/{id}/reject/", {"reason": "Nei"}),
    ("post", "/api/v1/pricing/agreements/{id}/participants/", {"email": "ny@example.org"}),
    ("post", "/api/v1/pricing/agreements/{id}/end/", {"last_day": "2030-01-01"}),
]


@pytest.fixture
def hidden(db):
    """Objects that belong to `owner` or to a draft facility, none of which `stranger` may see."""

    class Hidden:
        pass

    h = Hidden()
    h.owner = UserFactory(company_name="Eier AS", org_number="974760673")
    published = FacilityFactory()
    h.booking = BookingFactory(user=h.owner, resource=ResourceFactory(facility=published), start=SOON,
                               end=SOON + datetime.timedelta(hours=2), status=BookingStatus.PENDING)  # fmt: skip
    h.organisation = OrganisationMembership.objects.get(user=h.owner).organisation
    newcomer = UserFactory(org_number="")
    h.membership = OrganisationMembership.objects.create(
        organisation=h.organisation, user=newcomer, role=MembershipRole.MEMBER, state=MembershipState.PENDING
    )
    h.affiliation = Affiliation.objects.get(user=AcademicUserFactory(affiliation_verified=False))
    assert h.affiliation.state == AffiliationState.PENDING
    h.token, _key = api_token_create(user=h.owner, name="Eierens")
    h.draft = FacilityFactory(status=PublicationStatus.DRAFT)
    FacilityManagerFactory(facility=h.draft)
    h.draft_resource = ResourceFactory(facility=h.draft)
    h.calendar = ExternalCalendar.objects.create(resource=h.draft_resource, url="https://example.org/a.ics", name="A")
    h.draft_contact = ContactPersonFactory(facility=h.draft)
    h.request = IntakeRequestFactory(requester=h.owner)
    h.agreement = CollaborationAgreementFactory(facility=h.draft)
    h.api_key, _key = intake_services.api_client_create(
        name="Eiers nøkkel", kind="cluster", scopes=["intake:read"], organisation=h.organisation, created_by=h.owner
    )
    h.stranger = UserFactory(company_name="Fremmed AS", org_number="923609016")
    return h


ROWS = [
    *[(row, "booking") for row in BOOKING],
    *[(row, "organisation") for row in ACCOUNTS],
    *[(row, "membership") for row in MEMBERSHIP],
    *[(row, "affiliation") for row in AFFILIATION],
    *[(row, "token") for row in TOKEN],
    *[(row, "draft") for row in DRAFT_FACILITY],
    *[(row, "draft_resource") for row in DRAFT_RESOURCE],
    *[(row, "draft_contact") for row in DRAFT_CONTACT],
    *[(row, "request") for row in INTAKE_REQUEST],
    *[(row, "agreement") for row in AGREEMENT],
]


def _answer(client, method: str, address: str, body, object_id, calendar_id) -> tuple[int, str, bytes]:
    address = address.replace("{id}", str(object_id)).replace("{calendar}", str(calendar_id))
    if isinstance(body, dict) and body.get("ids") == ["{id}"]:
        body = {**body, "ids": [object_id]}
    response = getattr(client, method)(address, body, format="json") if body else getattr(client, method)(address)
    return response.status_code, response["Content-Type"], response.content


@pytest.mark.parametrize("who", ["stranger", "anonymous"])
@pytest.mark.parametrize(("row", "kind"), ROWS, ids=[f"{row[0]} {row[1]}" for row, _kind in ROWS])
def test_a_hidden_object_answers_as_a_missing_one(hidden, who, row, kind):
    method, address, body = row
    client = APIClient()
    if who == "stranger":
        client.force_authenticate(hidden.stranger)
    existing = getattr(hidden, kind).pk
    calendar = hidden.calendar.pk
    hidden_answer = _answer(client, method, address, body, existing, calendar)
    missing_answer = _answer(client, method, address, body, MISSING, calendar)
    beyond_answer = _answer(client, method, address, body, OUT_OF_RANGE, calendar)
    assert hidden_answer == missing_answer, hidden_answer
    listed = address == "/api/v1/bookings/decide/"  # ids in the body: an unknown one is a 400 naming `ids`
    if not listed:  # (a number beyond any key in a list is refused as input, before any lookup)
        assert beyond_answer == missing_answer, beyond_answer
    assert hidden_answer[1] == "application/problem+json"
    signing_in = any(part in address for part in AUTHENTICATED)
    expected = 401 if who == "anonymous" and signing_in else 400 if listed else 404
    assert hidden_answer[0] == expected, hidden_answer


@pytest.mark.parametrize(
    ("method", "address", "body"),
    [
        ("post", "/api/v1/bookings/{id}/approve/", {"reason": "OK"}),
        ("post", "/api/v1/bookings/{id}/move/", MOVE),
    ],
)
def test_whoever_sees_a_booking_but_may_not_act_on_it_is_told_so(hidden, method, address, body):
    client = APIClient()
    client.force_authenticate(hidden.owner)
    status, content_type, content = _answer(client, method, address, body, hidden.booking.pk, None)
    assert (status, content_type) == (403, "application/problem+json"), content


def test_the_portal_answers_a_strangers_booking_or_organisation_as_missing_too(client, hidden):
    client.force_login(hidden.stranger)
    for address in (
        f"/bookings/{hidden.booking.pk}/",
        f"/accounts/organisations/{hidden.organisation.pk}/",
    ):
        assert client.get(address).status_code == 404, address


# (address, body naming the hidden object by `{id}`, its kind): an id in a body is looked up as one in the path.
REFERENCES = [
    (
        "/api/v1/bookings/",
        {
            "resource": "{id}",
            "start": MOVE["start"],
            "end": MOVE["end"],
            "activity": "economic",
            "access_model": "rental",
        },
        "draft_resource",
    ),  # fmt: skip
    ("/api/v1/contacts/", {"facility": "{id}", "name": "Ny Kontakt", "email": "ny@example.org"}, "draft"),
    ("/api/v1/resources/", {"facility": "{id}", "name": "Nytt instrument", "kind": "instrument"}, "draft"),
    (
        "/api/v1/pricing/agreements/",
        {
            "facility": "{id}",
            "title": "Samarbeid",
            "partner_name": "Eier AS",
            "valid_from": "2027-01-01",
            "effective_collaboration": True,
            "shared_risk": True,
            "may_publish": True,
        },
        "draft",
    ),  # fmt: skip
]


@pytest.mark.parametrize(("address", "body", "kind"), REFERENCES, ids=[row[0] for row in REFERENCES])
def test_a_hidden_object_named_in_a_body_answers_as_a_missing_one(hidden, address, body, kind):
    client = APIClient()
    client.force_authenticate(hidden.stranger)

    def answer(object_id):
        data = {name: object_id if value == "{id}" else value for name, value in body.items()}
        response = client.post(address, data, format="json")
        return response.status_code, response.content.replace(str(object_id).encode(), b"{id}")  # DRF quotes it

    assert answer(getattr(hidden, kind).pk) == answer(MISSING), answer(getattr(hidden, kind).pk)


@pytest.mark.parametrize(
    ("address", "form", "kind"),
    [
        ("/accounts/affiliations/{id}/decide/", {"decision": "approve"}, "affiliation"),
        ("/accounts/organisations/memberships/{id}/decide/", {"decision": "approve"}, "membership"),
        ("/accounts/organisations/memberships/{id}/role/", {"role": "admin"}, "membership"),
        ("/accounts/organisations/{id}/recheck/", {}, "organisation"),
        ("/intake/organisations/{id}/keys/", {"name": "Ny", "scopes": ["intake:read"]}, "organisation"),
        ("/intake/keys/{id}/rotate/", {}, "api_key"),
        ("/intake/keys/{id}/revoke/", {}, "api_key"),
        ("/intake/keys/{id}/webhook/", {"url": ""}, "api_key"),
    ],
)
@pytest.mark.parametrize("valid", [True, False])
def test_the_portals_decisions_answer_a_strangers_object_as_missing(client, hidden, address, form, kind, valid):
    client.force_login(hidden.stranger)
    data = form if valid else {}
    hidden_answer = client.post(address.replace("{id}", str(getattr(hidden, kind).pk)), data)
    missing_answer = client.post(address.replace("{id}", str(MISSING)), data)
    assert hidden_answer.status_code == missing_answer.status_code == 404
