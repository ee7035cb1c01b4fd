"""The portal's booking detail page (price, charges, history; cancel and move) and managers' list of bookings."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from booking import services
from booking.choices import BookingStatus
from booking.models import Booking
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory
from tests.factories import FacilityManagerFactory, InstitutionRoleFactory, UserFactory
from tests.helpers import datetime_local

pytestmark = pytest.mark.django_db

PRICE = {
    "price_tier": "external_economic", "price_unit": "hour", "unit_price": Decimal("1000.00"),
    "quantity": Decimal("2.00"), "net_amount": Decimal("2000.00"), "vat_rate": Decimal("0.2500"),
    "vat_amount": Decimal("500.00"), "total_amount": Decimal("2500.00"),
}  # fmt: skip


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def soon() -> datetime.datetime:
    """A start three to four hours from now on the half-hour grid: inside the 24-hour cancellation deadline."""
    moment = timezone.now() + datetime.timedelta(hours=3)
    return moment.replace(minute=30 if moment.minute < 30 else 0, second=0, microsecond=0) + (
        datetime.timedelta(hours=1) if moment.minute >= 30 else datetime.timedelta()
    )


@pytest.fixture
def customer(db):
    return UserFactory(company_name="Biotek AS", org_number="988077917")


@pytest.fixture
def facility_policy(db):
    return BookingPolicyFactory(cancellation_deadline_hours=24)


@pytest.fixture
def booking(facility_policy, customer):
    """A confirmed, priced booking five days ahead, with the history row the service would have written."""
    booking = BookingFactory(
        resource=facility_policy.resource, user=customer, start=days_ahead(5, 10), end=days_ahead(5, 12),
        payer_name="Biotek AS", payer_org_number="988077917", **PRICE,
    )  # fmt: skip
    booking.events.create(actor=customer, action="confirmed", to_status="confirmed")
    return booking


@pytest.fixture
def late_booking(facility_policy, customer):
    start = soon()
    return BookingFactory(
        resource=facility_policy.resource, user=customer, start=start, end=start + datetime.timedelta(hours=2), **PRICE
    )


def user_for(role, booking):
    facility = booking.resource.facility
    return {
        "anonymous": lambda: None,
        "owner": lambda: booking.user,
        "other_customer": lambda: UserFactory(company_name="Konkurrent AS"),
        "facility_manager": lambda: FacilityManagerFactory(facility=facility).user,
        "manager_elsewhere": lambda: FacilityManagerFactory().user,
        "institution_admin": lambda: InstitutionRoleFactory(institution=facility.institution, role="admin").user,
    }[role]()


# role: (may view, may cancel, may move)
MATRIX = {
    "anonymous": (False, False, False),
    "owner": (True, True, False),
    "other_customer": (False, False, False),
    "facility_manager": (True, True, True),
    "manager_elsewhere": (False, False, False),
    "institution_admin": (True, True, True),
}


def denied(response, role) -> bool:
    """Sent to log in; told no when the booking is theirs to see; not found (as a missing one) when it is not."""
    if role == "anonymous":
        return response.status_code == 302 and "/login" in response["Location"]
    return response.status_code == (403 if MATRIX[role][0] else 404)


@pytest.mark.parametrize("role", MATRIX)
def test_who_may_see_the_booking_page(role, booking):
    may_view = MATRIX[role][0]
    response = client_for(user_for(role, booking)).get(f"/bookings/{booking.pk}/")
    if may_view:
        assert response.status_code == 200
        assert booking.resource.name in response.content.decode()
    else:
        assert denied(response, role)


@pytest.mark.parametrize("role", MATRIX)
def test_who_may_cancel_from_the_page(role, booking):
    may_cancel = MATRIX[role][1]
    response = client_for(user_for(role, booking)).post(
        f"/bookings/{booking.pk}/", {"action": "cancel", "cancel-reason": "Trenger ikke tiden"}
    )
    booking.refresh_from_db()
    if may_cancel:
        assert response.status_code == 302 and response["Location"] == f"/bookings/{booking.pk}/"
        assert booking.status == BookingStatus.CANCELLED
    else:
        assert denied(response, role)
        assert booking.status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("role", MATRIX)
def test_who_may_move_from_the_page(role, booking):
    may_move = MATRIX[role][2]
    old_start = booking.start
    response = client_for(user_for(role, booking)).post(
        f"/bookings/{booking.pk}/",
        {"action": "move",
         "move-start": datetime_local(days_ahead(6, 13)), "move-end": datetime_local(days_ahead(6, 15))},
    )
    booking.refresh_from_db()
    if may_move:
        assert response.status_code == 302
        assert booking.start == days_ahead(6, 13)
    else:
        assert denied(response, role)
        assert booking.start == old_start


def test_the_customer_sees_no_move_form_and_the_manager_sees_both(booking):
    owner_page = client_for(booking.user).get(f"/bookings/{booking.pk}/").content.decode()
    assert 'value="cancel"' in owner_page and 'value="move"' not in owner_page
    assert "cancel-charge_late" not in owner_page
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    manager_page = client_for(manager).get(f"/bookings/{booking.pk}/").content.decode()
    assert 'value="cancel"' in manager_page and 'value="move"' in manager_page
    assert "cancel-charge_late" in manager_page


def test_the_page_shows_price_snapshot_and_payer(booking):
    body = client_for(booking.user).get(f"/bookings/{booking.pk}/").content.decode()
    assert (
        "kr\u00a02\u00a0500,00" in body
        and "kr\u00a01\u00a0000,00 / time × 2" in body
        and "Ekstern, økonomisk" in body
        and "25 %" in body
    )
    assert "Biotek AS" in body and "988077917" in body
    assert "Historikk" in body


def test_a_manager_cancels_late_without_charge(late_booking):
    manager = FacilityManagerFactory(facility=late_booking.resource.facility).user
    client = client_for(manager)
    response = client.post(
        f"/bookings/{late_booking.pk}/", {"action": "cancel", "cancel-reason": "Instrumentet er i stykker"}
    )
    assert response.status_code == 302
    late_booking.refresh_from_db()
    assert late_booking.status == BookingStatus.CANCELLED
    assert late_booking.charged_total_amount == Decimal("0.00")
    page = client.get(f"/bookings/{late_booking.pk}/").content.decode()
    assert "Bestillingen er avbestilt." in page and "Instrumentet er i stykker" in page


def test_a_manager_charges_the_late_fee_when_the_user_asked_late(late_booking):
    manager = FacilityManagerFactory(facility=late_booking.resource.facility).user
    client = client_for(manager)
    client.post(
        f"/bookings/{late_booking.pk}/",
        {"action": "cancel", "cancel-reason": "Kunden ringte i dag", "cancel-charge_late": "on"},
    )
    late_booking.refresh_from_db()
    assert late_booking.status == BookingStatus.CANCELLED
    assert late_booking.charged_total_amount == Decimal("2500.00")
    page = client.get(f"/bookings/{late_booking.pk}/").content.decode()
    assert "faktureres for sen avbestilling" in page
    assert "Fakturerbart: kr\u00a02\u00a0500,00" in page  # the history keeps what is charged


def test_the_customer_is_warned_before_a_charged_cancellation_and_pays_it(late_booking):
    client = client_for(late_booking.user)
    page = client.get(f"/bookings/{late_booking.pk}/").content.decode()
    assert "Avbestillingsfristen er passert: avbestiller du nå, faktureres det (kr\u00a02\u00a0500,00)." in page
    # The charge box is for managers only: a customer cannot waive (or add) a fee by sending it.
    client.post(f"/bookings/{late_booking.pk}/", {"action": "cancel"})
    late_booking.refresh_from_db()
    assert late_booking.status == BookingStatus.CANCELLED
    assert late_booking.charged_total_amount == Decimal("2500.00")


def test_the_customer_cancels_in_time_for_free(booking):
    page = client_for(booking.user).get(f"/bookings/{booking.pk}/").content.decode()
    assert "fristen er passert" not in page
    client_for(booking.user).post(f"/bookings/{booking.pk}/", {"action": "cancel", "cancel-charge_late": "on"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.charged_total_amount == Decimal("0.00")


def test_cancelling_twice_is_a_clear_error_not_a_crash(booking):
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    client = client_for(manager)
    client.post(f"/bookings/{booking.pk}/", {"action": "cancel"})
    again = client.post(f"/bookings/{booking.pk}/", {"action": "cancel"})
    # The form is gone once the booking is cancelled; a stale form posted again gets the rule, not a 500.
    assert again.status_code == 409
    assert "Bare ventende eller bekreftede bestillinger kan avbestilles." in again.content.decode()


def test_a_manager_moves_a_booking_and_the_history_shows_it(booking):
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    client = client_for(manager)
    response = client.post(
        f"/bookings/{booking.pk}/",
        {"action": "move",
         "move-start": datetime_local(days_ahead(6, 13)), "move-end": datetime_local(days_ahead(6, 15)),
         "move-reason": "Service på instrumentet"},
    )  # fmt: skip
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.start, booking.end) == (days_ahead(6, 13), days_ahead(6, 15))
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Bestillingen er flyttet." in page
    assert "Service på instrumentet" in page
    assert "Flyttet fra" in page and days_ahead(5, 10).strftime("%H:%M") in page


def test_a_move_onto_a_taken_slot_shows_alternatives_but_not_who_holds_it(booking, facility_policy):
    rival = UserFactory(company_name="Konkurrent AS")
    BookingFactory(resource=facility_policy.resource, user=rival, start=days_ahead(6, 10), end=days_ahead(6, 12))
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    response = client_for(manager).post(
        f"/bookings/{booking.pk}/",
        {"action": "move",
         "move-start": datetime_local(days_ahead(6, 10)), "move-end": datetime_local(days_ahead(6, 12))},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Nærmeste ledige alternativer" in body
    assert f"/bookings/{booking.pk}/?start=" in body  # each alternative fills in the move form
    assert rival.email not in body and "Konkurrent AS" not in body
    booking.refresh_from_db()
    assert booking.start == days_ahead(5, 10)


def test_a_move_breaking_a_rule_names_the_field(booking):
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    response = client_for(manager).post(
        f"/bookings/{booking.pk}/",
        {"action": "move",
         "move-start": datetime_local(days_ahead(6, 10, 10)), "move-end": datetime_local(days_ahead(6, 12))},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_move-start_error"><li>Bestillinger starter og slutter på et rutenett på 30 minutter.' in body
    bad = client_for(manager).post(f"/bookings/{booking.pk}/", {"action": "move", "move-start": "tomorrow"})
    assert bad.status_code == 400


def test_the_customer_sees_the_facility_not_the_staff_in_the_history(booking):
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    services.booking_move(
        booking=booking, actor=manager, start=days_ahead(6, 13), end=days_ahead(6, 15), reason="Service"
    )
    services.booking_cancel(booking=booking, actor=manager, reason="Stengt")
    owner_page = client_for(booking.user).get(f"/bookings/{booking.pk}/").content.decode()
    assert manager.email not in owner_page and manager.last_name not in owner_page
    assert owner_page.count("Fasiliteten") >= 2 and "<td>Du</td>" in owner_page
    assert "Bekreftet → Avbestilt" in owner_page
    manager_page = client_for(manager).get(f"/bookings/{booking.pk}/").content.decode()
    assert manager_page.count(manager.get_full_name()) >= 2


def test_the_page_speaks_english_too(booking):
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    services.booking_move(booking=booking, actor=manager, start=days_ahead(6, 13), end=days_ahead(6, 15))
    page = client_for(booking.user).get(f"/bookings/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "History" in page and "<td>The facility</td>" in page and "<td>You</td>" in page
    assert "Moved from" in page and "Cancel booking" in page and manager.email not in page


def test_an_unknown_action_is_a_400_and_changes_nothing(booking):
    response = client_for(booking.user).post(f"/bookings/{booking.pk}/", {"action": "delete"})
    assert response.status_code == 400 and "Ukjent handling." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_move_form_starts_from_the_booking_in_local_time(booking):
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    page = client_for(manager).get(f"/bookings/{booking.pk}/").content.decode()
    assert f'name="move-start" value="{datetime_local(days_ahead(5, 10))}"' in page


def test_expiry_shows_as_the_platform(facility_policy, customer):
    booking = BookingFactory(
        resource=facility_policy.resource, user=customer, status="pending", start=days_ahead(5, 10),
        end=days_ahead(5, 12), expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )  # fmt: skip
    services.pending_bookings_expire()
    page = client_for(customer).get(f"/bookings/{booking.pk}/").content.decode()
    assert "Labtorget (automatisk)" in page


def test_the_detail_page_does_not_query_per_history_row(booking, django_assert_max_num_queries):
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    for hour in (10, 12, 14, 16):
        services.booking_move(booking=booking, actor=manager, start=days_ahead(7, hour), end=days_ahead(7, hour + 2))
    client = client_for(manager)
    client.get(f"/bookings/{booking.pk}/")
    # Session, user, the booking, two manager checks (view, move), the managed facilities (menu and history),
    # the history, the menu's other role checks (screener, manager, institution admin for the affiliation claims),
    # the demo banner.
    with django_assert_max_num_queries(12) as captured:
        client.get(f"/bookings/{booking.pk}/")
    few = len(captured.captured_queries)
    for hour in (8, 10, 12, 14):
        services.booking_move(booking=booking, actor=manager, start=days_ahead(8, hour), end=days_ahead(8, hour + 2))
    with django_assert_max_num_queries(few):
        client.get(f"/bookings/{booking.pk}/")


def test_a_booking_of_a_resource_without_calendar_rules_still_has_a_page(customer):
    booking = BookingFactory(user=customer, start=days_ahead(5, 10), end=days_ahead(5, 12))  # no policy, no price
    page = client_for(customer).get(f"/bookings/{booking.pk}/")
    assert page.status_code == 200 and "Ressursen hadde ingen prisliste" in page.content.decode()
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    moved = client_for(manager).post(
        f"/bookings/{booking.pk}/",
        {"action": "move",
         "move-start": datetime_local(days_ahead(6, 10)), "move-end": datetime_local(days_ahead(6, 12))},
    )
    assert moved.status_code == 400 and "Denne ressursen tilbys ikke for booking på nett." in moved.content.decode()


def test_unknown_booking_is_404(customer):
    assert client_for(customer).get("/bookings/999999/").status_code == 404


# --- the managers' list ---------------------------------------------------------------------------------------


@pytest.fixture
def two_facilities(customer):
    mine = BookingPolicyFactory()
    also_mine = BookingPolicyFactory()
    elsewhere = BookingPolicyFactory()
    manager = FacilityManagerFactory(facility=mine.resource.facility).user
    FacilityManagerFactory(user=manager, facility=also_mine.resource.facility)
    return manager, mine.resource, also_mine.resource, elsewhere.resource


def test_managers_see_upcoming_bookings_of_their_facilities_only(two_facilities, customer):
    manager, mine, also_mine, elsewhere = two_facilities
    shown = BookingFactory(resource=mine, user=customer, start=days_ahead(3, 10), end=days_ahead(3, 12),
                           payer_name="Biotek AS", **PRICE)  # fmt: skip
    pending = BookingFactory(resource=also_mine, user=customer, status="pending", start=days_ahead(4, 10),
                             end=days_ahead(4, 12))  # fmt: skip
    BookingFactory(resource=mine, user=customer, start=days_ahead(-3, 10), end=days_ahead(-3, 12))  # past
    BookingFactory(resource=mine, user=customer, status="cancelled", start=days_ahead(5, 10), end=days_ahead(5, 12))
    foreign = BookingFactory(resource=elsewhere, start=days_ahead(3, 10), end=days_ahead(3, 12))
    page = client_for(manager).get("/bookings/facility/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"/bookings/{shown.pk}/" in body and f"/bookings/{pending.pk}/" in body
    assert (
        body.count('href="/bookings/')
        - body.count('href="/bookings/mine')
        - body.count('href="/bookings/queue')
        - body.count('href="/bookings/facility')
        - body.count('href="/bookings/feeds')
        == 2
    )
    assert customer.get_full_name() in body and "Biotek AS" in body and "2\u00a0500" in body
    assert f"/bookings/{foreign.pk}/" not in body and foreign.user.email not in body


def test_the_list_filters_by_facility_period_and_status(two_facilities, customer):
    manager, mine, also_mine, elsewhere = two_facilities
    first = BookingFactory(resource=mine, user=customer, start=days_ahead(3, 10), end=days_ahead(3, 12))
    second = BookingFactory(resource=also_mine, user=customer, status="pending", start=days_ahead(10, 10),
                            end=days_ahead(10, 12))  # fmt: skip
    client = client_for(manager)
    by_facility = client.get("/bookings/facility/", {"facility": mine.facility.pk}).content.decode()
    assert f"/bookings/{first.pk}/" in by_facility and f"/bookings/{second.pk}/" not in by_facility
    period = {"starts_from": days_ahead(9).date().isoformat(), "starts_to": days_ahead(11).date().isoformat()}
    by_period = client.get("/bookings/facility/", period).content.decode()
    assert f"/bookings/{second.pk}/" in by_period and f"/bookings/{first.pk}/" not in by_period
    by_status = client.get("/bookings/facility/", {"status": "pending"}).content.decode()
    assert f"/bookings/{second.pk}/" in by_status and f"/bookings/{first.pk}/" not in by_status
    # A facility the manager does not manage is not a choice: a clear error, not somebody else's bookings.
    other = client.get("/bookings/facility/", {"facility": elsewhere.facility.pk})
    assert other.status_code == 200 and f"/bookings/{first.pk}/" not in other.content.decode()
    backwards = client.get("/bookings/facility/", {"starts_from": "2027-02-01", "starts_to": "2027-01-01"})
    assert "Perioden kan ikke slutte før den begynner." in backwards.content.decode()


def test_the_list_is_paged_without_a_query_per_row(two_facilities, customer, django_assert_max_num_queries):
    manager, mine, also_mine, elsewhere = two_facilities
    client = client_for(manager)
    BookingFactory(resource=mine, user=customer, start=days_ahead(3, 8), end=days_ahead(3, 9))
    client.get("/bookings/facility/")
    # Session, user, managed facilities, count, the menu's role checks (institution admin included), demo banner,
    # facility choices, the page.
    with django_assert_max_num_queries(11) as captured:
        client.get("/bookings/facility/")
    few = len(captured.captured_queries)
    Booking.objects.bulk_create(
        Booking(resource=resource, user=UserFactory(), start=start, end=start + datetime.timedelta(minutes=30),
                blocked_until=start + datetime.timedelta(minutes=30), status="confirmed", activity="economic",
                access_model="rental")
        for day in range(4, 20)
        for resource in (mine, also_mine)
        for start in (days_ahead(day, 9), days_ahead(day, 11))
    )  # fmt: skip
    with django_assert_max_num_queries(few):
        first_page = client.get("/bookings/facility/")
    body = first_page.content.decode()
    assert "Side 1 av 2" in body and "page=2" in body
    second_page = client.get("/bookings/facility/", {"page": 2}).content.decode()
    assert "Side 2 av 2" in second_page


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 403), ("facility_manager", 200), ("institution_admin", 200), ("manager_elsewhere", 200)],
)
def test_the_list_is_for_managers(role, status, booking):
    response = client_for(user_for(role, booking)).get("/bookings/facility/")
    assert response.status_code == status
    if status == 200 and role == "manager_elsewhere":
        assert f"/bookings/{booking.pk}/" not in response.content.decode()


def test_anonymous_users_are_sent_to_log_in_for_the_list():
    response = Client().get("/bookings/facility/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_detail_page_is_linked_from_my_bookings_the_queue_and_the_menu(facility_policy, customer):
    pending = BookingFactory(resource=facility_policy.resource, user=customer, status="pending",
                             start=days_ahead(3, 10), end=days_ahead(3, 12))  # fmt: skip
    assert f"/bookings/{pending.pk}/" in client_for(customer).get("/bookings/mine/").content.decode()
    manager = FacilityManagerFactory(facility=facility_policy.resource.facility).user
    queue = client_for(manager).get("/bookings/queue/").content.decode()
    assert f"/bookings/{pending.pk}/" in queue and "Bestillinger ved mine fasiliteter" in queue
    assert 'href="/bookings/facility/"' in client_for(manager).get("/").content.decode()
    assert 'href="/bookings/facility/"' not in client_for(customer).get("/").content.decode()
