"""Service orders (staff-run work at an agreed price): those who keep the facility mark them delivered or cancel
them, on the managers' page and in the API, and nobody else can; someone else's order is a 404."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from booking import policies, services
from booking.choices import ServiceOrderStatus
from booking.models import ServiceOrder
from core.errors import ConflictError, DomainError
from tests.booking.factories import ServiceOrderFactory
from tests.booking.test_policies import KEEPERS, ROLES, World
from tests.factories import AcademicUserFactory, FacilityManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


class OrderWorld(World):
    def __init__(self):
        super().__init__()
        self.order = ServiceOrderFactory(resource=self.resource, user=self.owner)


@pytest.fixture
def world(db):
    return OrderWorld()


EXPECTED = {
    "view": KEEPERS | {"owner"},
    "deliver": KEEPERS,
    "cancel": KEEPERS,
}
POLICY_OF = {
    "view": policies.can_view_service_order,
    "deliver": policies.can_deliver_service_order,
    "cancel": policies.can_cancel_service_order,
}
SERVICE_OF = {"deliver": services.service_order_deliver, "cancel": services.service_order_cancel}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", EXPECTED)
def test_the_policy_matrix(role, action, world):
    assert POLICY_OF[action](world.user(role), world.order) is (role in EXPECTED[action])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", SERVICE_OF)
def test_the_services_refuse_whom_the_policy_refuses(role, action, world):
    user = world.user(role)
    if role in EXPECTED[action]:
        order = SERVICE_OF[action](order=world.order, actor=user, note="OK")
        assert order.status == {"deliver": "delivered", "cancel": "cancelled"}[action]
        assert order.closed_by == user and order.note == "OK"
    else:
        with pytest.raises(PermissionDenied):
            SERVICE_OF[action](order=world.order, actor=user)
        world.order.refresh_from_db()
        assert world.order.status == ServiceOrderStatus.ORDERED


def test_delivered_keeps_when_and_only_ordered_work_can_be_delivered_or_cancelled(world):
    manager = world.user("facility_manager")
    when = datetime.datetime(2026, 5, 4, 12, tzinfo=datetime.UTC)
    order = services.service_order_deliver(order=world.order, actor=manager, note="Rapport sendt", now=when)
    assert (order.status, order.delivered_at, order.note) == ("delivered", when, "Rapport sendt")
    for service in SERVICE_OF.values():
        with pytest.raises(ConflictError):
            service(order=order, actor=manager)


def test_cancelled_keeps_when_and_an_empty_note_stays_empty(world):
    manager = world.user("facility_manager")
    when = datetime.datetime(2026, 5, 4, 12, tzinfo=datetime.UTC)
    order = services.service_order_cancel(order=world.order, actor=manager, note=None, now=when)
    order.refresh_from_db()
    assert (order.status, order.cancelled_at, order.delivered_at, order.note) == ("cancelled", when, None, "")


# --- the managers' page ----------------------------------------------------------------------------------------


def _page(world):
    return reverse("booking:facility_orders", args=[world.facility.pk])


def test_the_page_lists_ordered_and_delivered_orders_without_a_query_per_row(world):
    manager = world.user("facility_manager")
    client = Client()
    client.force_login(manager)
    ServiceOrderFactory(resource=world.resource, status="delivered", delivered_at=world.order.created_at)
    ServiceOrderFactory(resource=world.resource, status="cancelled", description="Avlyst arbeid")
    with CaptureQueriesContext(connection) as few:
        client.get(_page(world))
    for _ in range(5):
        ServiceOrderFactory(resource=world.resource, user=UserFactory())
    with CaptureQueriesContext(connection) as many:
        response = client.get(_page(world))
    assert response.status_code == 200
    assert len(many) == len(few)
    assert response.content.count(b'id="order-') == 7  # the cancelled one is not listed
    assert b"Avlyst arbeid" not in response.content
    assert "5 prøve".encode() in response.content  # the unit in Bokmål
    assert b"12\xc2\xa0500,00" in response.content or b"12 500,00" in response.content  # total with VAT


def test_the_facility_page_links_the_orders_page_for_its_managers(world):
    client = Client()
    client.force_login(world.user("facility_manager"))
    use_page = client.get(reverse("booking:facility_use", args=[world.facility.pk]))
    assert _page(world).encode() in use_page.content


def test_a_manager_delivers_with_a_note_on_the_page(world):
    client = Client(enforce_csrf_checks=False)
    client.force_login(world.user("facility_manager"))
    response = client.post(_page(world), {"order": world.order.pk, "action": "deliver", "note": "Levert 4. mai"})
    assert response.status_code == 302
    world.order.refresh_from_db()
    assert (world.order.status, world.order.note) == ("delivered", "Levert 4. mai")
    again = client.post(_page(world), {"order": world.order.pk, "action": "deliver"})
    assert again.status_code == 409


def test_the_page_needs_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("facility_manager"))
    response = client.post(_page(world), {"order": world.order.pk, "action": "deliver"})
    assert response.status_code == 403
    world.order.refresh_from_db()
    assert world.order.status == "ordered"


@pytest.mark.parametrize("role, status", [("owner", 403), ("manager_elsewhere", 403), ("company_user", 403)])
def test_others_cannot_use_the_page(world, role, status):
    client = Client()
    client.force_login(world.user(role))
    assert client.get(_page(world)).status_code == status
    assert client.post(_page(world), {"order": world.order.pk, "action": "deliver"}).status_code == status
    world.order.refresh_from_db()
    assert world.order.status == "ordered"


def test_an_order_of_another_facility_cannot_be_delivered_through_this_page(world):
    elsewhere = ServiceOrderFactory()
    client = Client()
    client.force_login(world.user("facility_manager"))
    response = client.post(_page(world), {"order": elsewhere.pk, "action": "deliver"})
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "ordered"


def test_bad_input_on_the_page_is_a_400_not_a_500(world):
    client = Client()
    client.force_login(world.user("facility_manager"))
    assert client.post(_page(world), {"order": "x", "action": "deliver"}).status_code == 400
    assert client.post(_page(world), {"order": world.order.pk, "action": "explode"}).status_code == 400


# --- the API ---------------------------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_list_holds_own_orders_and_those_of_kept_facilities(world):
    elsewhere = ServiceOrderFactory()
    owner_ids = [o["id"] for o in _api(world.owner).get("/api/v1/service-orders/").json()["results"]]
    manager_ids = [
        o["id"] for o in _api(world.user("facility_manager")).get("/api/v1/service-orders/").json()["results"]
    ]
    stranger = _api(world.user("company_user")).get("/api/v1/service-orders/").json()["results"]
    assert owner_ids == [world.order.pk] and manager_ids == [world.order.pk] and stranger == []
    assert elsewhere.pk not in owner_ids + manager_ids


def test_a_manager_delivers_through_the_api(world):
    response = _api(world.user("institution_admin")).post(
        f"/api/v1/service-orders/{world.order.pk}/deliver/", {"note": "Ferdig"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["note"], body["net_amount"]) == ("delivered", "Ferdig", "10000.00")
    assert body["delivered_at"]


@pytest.mark.parametrize("role, status", [("owner", 403), ("company_user", 404), ("manager_elsewhere", 404)])
def test_others_cannot_deliver_through_the_api_and_get_a_problem(world, role, status):
    response = _api(world.user(role)).post(f"/api/v1/service-orders/{world.order.pk}/deliver/")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    world.order.refresh_from_db()
    assert world.order.status == "ordered"


def test_delivering_twice_is_a_409_problem_and_bad_input_a_400(world):
    client = _api(world.user("facility_manager"))
    client.post(f"/api/v1/service-orders/{world.order.pk}/deliver/")
    again = client.post(f"/api/v1/service-orders/{world.order.pk}/deliver/")
    assert again.status_code == 409 and again.json()["code"] == "not_ordered"
    other = ServiceOrderFactory(resource=world.resource)
    too_long = client.post(f"/api/v1/service-orders/{other.pk}/deliver/", {"note": "x" * 2001}, format="json")
    assert too_long.status_code == 400 and "note" in str(too_long.json())


def test_the_schema_documents_the_service_order_endpoints(world):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code != 200:
        pytest.skip("schema address differs")
    paths = schema.json()["paths"]
    assert "get" in paths["/api/v1/service-orders/"]
    deliver = paths["/api/v1/service-orders/{id}/deliver/"]["post"]
    assert {"200", "403", "404", "409"} <= set(deliver["responses"])


def test_unused_manager_of_another_facility_sees_nothing(world):
    other = FacilityManagerFactory().user
    assert _api(other).get(f"/api/v1/service-orders/{world.order.pk}/").status_code == 404
    assert Decimal(
        _api(world.owner).get(f"/api/v1/service-orders/{world.order.pk}/").json()["total_amount"]
    ) == Decimal("12500.00")


def test_the_page_speaks_bokmal(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    client.force_login(world.user("facility_manager"))
    html = client.get(_page(world)).content.decode()
    assert "Tjenesteoppdrag ved" in html and "Merk som levert" in html and "Avbestill oppdraget" in html
    client.post(_page(world), {"order": world.order.pk, "action": "deliver"})
    again = client.post(_page(world), {"order": world.order.pk, "action": "deliver"}).content.decode()
    assert "bare bestilt arbeid kan merkes som levert" in again


# --- the person who ordered: told by e-mail, and sees the order on My bookings --------------------------------


@pytest.mark.parametrize(
    ("action", "language", "subject", "says"),
    [
        ("deliver", "nb", "Tjenestebestillingen din er levert", "invoiced"),
        ("deliver", "en", "Your order is delivered", "It is invoiced at the agreed price."),
        ("cancel", "nb", "Tjenestebestillingen din er avlyst", "charged"),
        ("cancel", "en", "Your order is cancelled", "Nothing is charged for it."),
    ],
)
def test_who_ordered_is_told_in_their_language_when_it_is_delivered_or_cancelled(
    world, action, language, subject, says, django_capture_on_commit_callbacks
):
    from django.core import mail

    world.owner.language = language
    world.owner.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        SERVICE_OF[action](order=world.order, actor=world.user("facility_manager"), note="Rapport i posten")
    assert [message.to for message in mail.outbox] == [[world.owner.email]]
    message = mail.outbox[0]
    assert message.subject.startswith(subject) and world.order.resource.name in message.subject
    assert f"{world.order.pk}" in message.body and "Rapport i posten" in message.body
    if language == "en":
        assert says in message.body


def test_a_refused_close_tells_nobody(world, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(PermissionDenied):
            services.service_order_deliver(order=world.order, actor=UserFactory())
    assert mail.outbox == []


def test_who_ordered_sees_their_orders_and_their_state_on_my_bookings(world):
    delivered = ServiceOrderFactory(resource=world.resource, user=world.owner, description="Analyse av 12 prøver")
    services.service_order_deliver(order=delivered, actor=world.user("facility_manager"), note="Rapport sendt")
    someone_elses = ServiceOrderFactory(resource=world.resource, user=UserFactory(), description="Noe annet")
    client = Client()
    client.force_login(world.owner)
    page = client.get(reverse("booking:my_bookings"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Mine tjenestebestillinger" in page
    assert "Analyse av 12 prøver" in page and "Rapport sendt" in page and "Levert" in page
    assert f"Tjenestebestilling nr. {world.order.pk}" in page and "Bestilt" in page
    assert someone_elses.description not in page


# --- placing an order (an accepted quote): the guard, the refusals, what is stored ------------------------------


def _order(world, **changes):
    values = {
        "resource": world.resource, "user": world.owner, "access_model": "service", "quantity": Decimal("3"),
        "unit": "sample", "agreed_net_amount": Decimal("4500"), "description": "Sekvensering av 3 prøver",
        "reference": "Forespørsel 17",
    }  # fmt: skip
    return services.service_order_create(**{**values, **changes})


def test_an_order_is_stored_at_the_agreed_price_with_the_companys_terms(world):
    order = _order(world)
    order.refresh_from_db()
    assert (order.description, order.reference, order.user, order.status) == (
        "Sekvensering av 3 prøver", "Forespørsel 17", world.owner, "ordered",
    )  # fmt: skip
    assert (order.price_tier, order.activity, order.price_unit, order.quantity, order.unit_price) == (
        "external_economic", "economic", "sample", Decimal("3.00"), Decimal("1500.00"),
    )  # fmt: skip
    assert (order.net_amount, order.vat_rate, order.vat_amount, order.total_amount, order.currency) == (
        Decimal("4500.00"), Decimal("0.2500"), Decimal("1125.00"), Decimal("5625.00"), "NOK",
    )  # fmt: skip
    assert (order.vat_category, order.collaboration_agreement) == ("S", None)


def test_research_at_the_own_institution_is_ordered_internally_without_vat_and_says_why(world):
    researcher = AcademicUserFactory(institution=world.institution)
    order = _order(world, user=researcher, agreed_net_amount=Decimal("900"))
    order.refresh_from_db()
    assert (order.price_tier, order.vat_amount, order.total_amount) == ("internal", Decimal("0.00"), Decimal("900.00"))
    assert order.vat_category != "S" and order.vat_reason_code and order.vat_reason
    assert order.payer_institution == world.institution


def test_a_long_reference_is_cut_to_what_the_order_keeps(world):
    order = _order(world, reference="R" * 250)
    order.refresh_from_db()
    assert order.reference == "R" * 200


def test_only_staff_run_work_can_be_ordered(world):
    with pytest.raises(DomainError) as refused:
        _order(world, access_model="rental")
    assert (refused.value.field, refused.value.code) == ("access_model", "invalid_access_model")
    assert not ServiceOrder.objects.exclude(pk=world.order.pk).exists()


@pytest.mark.parametrize("quantity", [None, Decimal("0"), Decimal("-1")])
def test_an_order_says_how_much(world, quantity):
    with pytest.raises(DomainError) as refused:
        _order(world, quantity=quantity)
    assert (refused.value.field, refused.value.code) == ("quantity", "required")
    assert not ServiceOrder.objects.exclude(pk=world.order.pk).exists()


def test_half_a_day_of_work_can_be_ordered(world):
    order = _order(world, quantity=Decimal("0.5"), unit="day", agreed_net_amount=Decimal("3000"))
    assert (order.quantity, order.price_unit, order.unit_price) == (Decimal("0.5"), "day", Decimal("6000.00"))


def test_collaboration_research_is_ordered_under_the_agreement_that_covers_the_person(world):
    from tests.pricing.factories import CollaborationAgreementFactory

    agreement = CollaborationAgreementFactory(facility=world.facility, participants=[world.owner])
    order = _order(world, access_model="collaboration")
    order.refresh_from_db()
    assert order.collaboration_agreement == agreement
    assert (order.activity, order.vat_amount) == ("non_economic", Decimal("0.00"))
