"""Use that becomes chargeable: confirmed bookings are completed on their own after their end; until
BOOKING_USE_ADJUSTMENT_WORKING_DAYS working days after it (Norwegian holidays excluded) the facility's managers may
record a no-show or the time actually used (priced again), on a page per facility and through the API."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from booking import services
from booking.choices import BookingStatus
from booking.models import Booking
from catalogue.choices import InstitutionRoleKind
from core.errors import ConflictError, DomainError
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory
from tests.factories import FacilityManagerFactory, InstitutionRoleFactory, UserFactory
from tests.helpers import oslo
from tests.pricing.factories import hourly_price_list

pytestmark = pytest.mark.django_db

D = Decimal
PRICE = {
    "price_tier": "external_economic", "price_unit": "hour", "unit_price": D("1000.00"), "quantity": D("2.00"),
    "net_amount": D("2000.00"), "vat_rate": D("0.2500"), "vat_amount": D("500.00"), "total_amount": D("2500.00"),
}  # fmt: skip
# Wednesday before Easter 2027: Thursday 25, Friday 26 and Monday 29 March are holidays, so five working days after
# 10:00 that day end on Monday 5 April at 10:00.
BEFORE_EASTER = oslo(2027, 3, 24, 8)
WINDOW_CLOSES = oslo(2027, 4, 5, 10)


def booking(resource, user, start, hours=2, status=BookingStatus.CONFIRMED, **fields):
    return BookingFactory(resource=resource, user=user, start=start, hours=hours, status=status, **{**PRICE, **fields})


# --- The periodic completion -----------------------------------------------------------------------------------

# (status, hours from its end to now: positive when it has ended) -> status after bookings_complete_due
COMPLETION = [
    (BookingStatus.CONFIRMED, 1, BookingStatus.COMPLETED),
    (BookingStatus.CONFIRMED, 0, BookingStatus.COMPLETED),  # at its very end
    (BookingStatus.CONFIRMED, -1, BookingStatus.CONFIRMED),  # still running
    (BookingStatus.PENDING, 24, BookingStatus.PENDING),  # never confirmed: it expires, it is never completed
    (BookingStatus.CANCELLED, 24, BookingStatus.CANCELLED),
    (BookingStatus.NO_SHOW, 24, BookingStatus.NO_SHOW),
    (BookingStatus.REJECTED, 24, BookingStatus.REJECTED),
]


@pytest.mark.parametrize("status, ended_hours_ago, after", COMPLETION)
def test_ended_confirmed_bookings_are_completed_on_their_own(resource, company_user, status, ended_hours_ago, after):
    made = booking(resource, company_user, oslo(2027, 1, 4, 9), status=status)
    now = made.end + datetime.timedelta(hours=ended_hours_ago)
    completed = services.bookings_complete_due(now=now)
    made.refresh_from_db()
    assert made.status == after
    assert completed == (1 if after == BookingStatus.COMPLETED and status != after else 0)
    if after == BookingStatus.COMPLETED:
        assert made.charged_total_amount == D("2500.00") and made.charge_state == "chargeable"
        assert made.events.last().actor is None  # Labtorget did it
    elif status in (BookingStatus.PENDING, BookingStatus.CONFIRMED):
        assert made.charged_total_amount is None and made.charge_state == "not_yet_chargeable"


def test_the_celery_task_completes_what_has_ended(resource, company_user):
    from booking.tasks import complete_ended_bookings

    ended = booking(resource, company_user, days_ahead(-2))
    running = booking(resource, company_user, days_ahead(2))
    assert complete_ended_bookings.delay().get(disable_sync_subtasks=False) == 1
    assert Booking.objects.get(pk=ended.pk).status == "completed"
    assert Booking.objects.get(pk=running.pk).status == "confirmed"


# --- The correction window -------------------------------------------------------------------------------------


def no_show(made, actor, now):
    return services.booking_no_show_mark(booking=made, actor=actor, now=now)


def adjust(made, actor, now):
    return services.booking_use_adjust(booking=made, actor=actor, end=made.start + datetime.timedelta(hours=1),
                                       reason="Stopped early", now=now)  # fmt: skip


def complete_a_no_show(made, actor, now):
    Booking.objects.filter(pk=made.pk).update(status=BookingStatus.NO_SHOW)
    return services.booking_complete(booking=made, actor=actor, now=now)


@pytest.mark.parametrize("action", [no_show, adjust, complete_a_no_show])
@pytest.mark.parametrize(
    "now, allowed",
    [
        (BEFORE_EASTER + datetime.timedelta(hours=2), True),  # just after the end
        (oslo(2027, 3, 29, 12), True),  # Easter Monday: a holiday, not counted
        (WINDOW_CLOSES - datetime.timedelta(minutes=1), True),
        (WINDOW_CLOSES, False),  # five working days after the end
        (oslo(2027, 4, 30, 9), False),
    ],
)
def test_a_no_show_or_the_used_time_is_recorded_within_the_window_only(resource, company_user, manager, action, now,
                                                                        allowed):  # fmt: skip
    made = booking(resource, company_user, BEFORE_EASTER, status=BookingStatus.COMPLETED)
    if allowed:
        assert action(made, manager, now).status in ("no_show", "completed")
        return
    with pytest.raises(ConflictError) as error:
        action(made, manager, now)
    assert (error.value.code, error.value.field) == ("use_window_closed", "status")
    before = Booking.objects.get(pk=made.pk)
    assert before.end == BEFORE_EASTER + datetime.timedelta(hours=2) and not before.events.exists()


def test_the_window_setting_counts_working_days(resource, company_user, manager, settings):
    settings.BOOKING_USE_ADJUSTMENT_WORKING_DAYS = 1
    made = booking(resource, company_user, BEFORE_EASTER, status=BookingStatus.COMPLETED)
    with pytest.raises(ConflictError):  # the next working day is Tuesday 30 March
        no_show(made, manager, oslo(2027, 3, 30, 10))
    assert no_show(made, manager, oslo(2027, 3, 30, 9, 59)).status == "no_show"


@pytest.mark.parametrize(
    "status, starts_in_hours, error",
    [
        (BookingStatus.CONFIRMED, 2, "not_started"),  # a no-show is known only once the booking has started
        (BookingStatus.PENDING, -5, "not_confirmed"),
        (BookingStatus.CANCELLED, -5, "not_confirmed"),
        (BookingStatus.NO_SHOW, -5, "not_confirmed"),
    ],
)
def test_only_started_confirmed_or_completed_bookings_are_no_shows(resource, company_user, manager, status,
                                                                   starts_in_hours, error):  # fmt: skip
    now = oslo(2027, 1, 4, 12)
    made = booking(resource, company_user, now + datetime.timedelta(hours=starts_in_hours), status=status)
    with pytest.raises(DomainError) as refused:
        no_show(made, manager, now)
    assert refused.value.code == error


def test_a_no_show_is_charged_the_booked_price(resource, company_user, manager):
    made = booking(resource, company_user, oslo(2027, 1, 4, 9))
    marked = no_show(made, manager, oslo(2027, 1, 4, 9, 30))
    assert (marked.status, marked.charged_total_amount, marked.charge_state) == ("no_show", D("2500.00"), "chargeable")


# --- The used time, priced again -------------------------------------------------------------------------------


@pytest.fixture
def priced(resource):
    hourly_price_list(resource, valid_from=datetime.date(2020, 1, 1), valid_to=None, internal="100",
                      non_economic="800", economic="1000")  # fmt: skip
    return resource


@pytest.mark.parametrize(
    "used_minutes, net, vat, total",
    [
        (90, "1500.00", "375.00", "1875.00"),
        (120, "2000.00", "500.00", "2500.00"),
        (150, "2500.00", "625.00", "3125.00"),
    ],
)
def test_the_used_time_is_priced_again_by_pricing(priced, company_user, manager, used_minutes, net, vat, total):
    made = booking(priced, company_user, oslo(2027, 1, 4, 9))
    adjusted = services.booking_use_adjust(
        booking=made, actor=manager, end=made.start + datetime.timedelta(minutes=used_minutes),
        reason="Instrument fault", now=oslo(2027, 1, 5, 9),
    )  # fmt: skip
    assert adjusted.status == "completed" and adjusted.end == made.start + datetime.timedelta(minutes=used_minutes)
    assert (adjusted.net_amount, adjusted.vat_amount, adjusted.total_amount) == (D(net), D(vat), D(total))
    assert (adjusted.charged_net_amount, adjusted.charged_total_amount) == (D(net), D(total))
    event = adjusted.events.last()
    assert (event.action, event.reason, event.details["charged_total"]) == ("use_adjusted", "Instrument fault", total)


@pytest.mark.parametrize(
    "end_after_start, reason, field, code",
    [
        (datetime.timedelta(0), "x", "end", "end_before_start"),
        (datetime.timedelta(hours=-1), "x", "end", "end_before_start"),
        (datetime.timedelta(days=3), "x", "end", "in_the_future"),
        (datetime.timedelta(hours=1), "  ", "reason", "reason_required"),
    ],
)
def test_an_adjustment_needs_a_used_time_that_took_place_and_a_reason(priced, company_user, manager, end_after_start,
                                                                      reason, field, code):  # fmt: skip
    made = booking(priced, company_user, oslo(2027, 1, 4, 9))
    with pytest.raises(DomainError) as error:
        services.booking_use_adjust(booking=made, actor=manager, end=made.start + end_after_start, reason=reason,
                                    now=oslo(2027, 1, 5, 9))  # fmt: skip
    assert (error.value.field, error.value.code) == (field, code)


# --- Who may: the same policies for the API and the page ------------------------------------------------------

ROLES = {
    "the facility's manager": lambda resource, owner: FacilityManagerFactory(facility=resource.facility).user,
    "the institution's admin": lambda resource, owner: (
        InstitutionRoleFactory(institution=resource.facility.institution, role=InstitutionRoleKind.ADMIN).user
    ),
    "the person who booked": lambda resource, owner: owner,
    "a manager elsewhere": lambda resource, owner: FacilityManagerFactory().user,
    "anyone else": lambda resource, owner: UserFactory(),
    "nobody signed in": lambda resource, owner: None,
}
ACTIONS = {
    "complete": {},
    "no-show": {"reason": "Did not come"},
    "adjust-use": {"used_minutes": 60, "reason": "Stopped early"},
}
# Who may act: the facility's managers and their institution's admins; the person who booked sees the booking and
# is refused (403), anyone else signed in does not find it (404, as a missing one), and nobody signed in is asked
# to sign in (401/403).
EXPECTED = {
    "the facility's manager": 200,
    "the institution's admin": 200,
    "the person who booked": 403,
    "a manager elsewhere": 404,
    "anyone else": 404,
    "nobody signed in": (401, 403),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_record_use_through_the_api(priced, company_user, role, action):
    resource = priced
    made = booking(resource, company_user, days_ahead(-1, 9))
    actor = ROLES[role](resource, company_user)
    client = APIClient()
    if actor is not None:
        client.force_authenticate(actor)
    response = client.post(f"/api/v1/bookings/{made.pk}/{action}/", ACTIONS[action], format="json")
    expected = EXPECTED[role]
    assert response.status_code in (expected if isinstance(expected, tuple) else (expected,)), response.content
    made.refresh_from_db()
    if expected == 200:
        assert made.status == ("no_show" if action == "no-show" else "completed")
        assert response.json()["charge_state"] == "chargeable"
    else:
        assert made.status == "confirmed"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason": "x"}, "used_minutes"),  # neither used_minutes nor end
        ({"used_minutes": 60, "end": "2027-01-04T10:00:00+01:00", "reason": "x"}, "used_minutes"),  # both
        ({"used_minutes": 0, "reason": "x"}, "used_minutes"),
        ({"used_minutes": "an hour", "reason": "x"}, "used_minutes"),
        ({"end": "2027-01-04T10:00:00", "reason": "x"}, "end"),  # no UTC offset
        ({"used_minutes": 60}, "reason"),
    ],
)
def test_adjust_use_names_the_field_of_bad_input(resource, company_user, manager, body, field):
    made = booking(resource, company_user, days_ahead(-1, 9))
    client = APIClient()
    client.force_authenticate(manager)
    response = client.post(f"/api/v1/bookings/{made.pk}/adjust-use/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_adjust_use_takes_the_end_of_the_use(priced, company_user, manager):
    made = booking(priced, company_user, days_ahead(-1, 9))
    client = APIClient()
    client.force_authenticate(manager)
    end = made.start + datetime.timedelta(minutes=45)
    response = client.post(f"/api/v1/bookings/{made.pk}/adjust-use/", {"end": end.isoformat(), "reason": "Fault"},
                           format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    made.refresh_from_db()
    assert made.end == end and made.status == "completed"


def test_after_the_window_the_api_answers_409(resource, company_user, manager):
    made = booking(resource, company_user, days_ahead(-30, 9), status=BookingStatus.COMPLETED)
    client = APIClient()
    client.force_authenticate(manager)
    response = client.post(f"/api/v1/bookings/{made.pk}/no-show/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "use_window_closed"


def test_the_openapi_schema_documents_the_three_actions(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for action in ("complete", "no-show", "adjust-use"):
        operation = schema["paths"][f"/api/v1/bookings/{{id}}/{action}/"]["post"]
        assert operation["summary"] and {"200", "400", "403", "409"} <= set(operation["responses"])
    adjust_body = schema["paths"]["/api/v1/bookings/{id}/adjust-use/"]["post"]["requestBody"]
    assert "UseAdjust" in str(adjust_body)


# --- The manager's page ----------------------------------------------------------------------------------------


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_what_ended_within_the_window_and_nothing_else(resource, company_user, manager):
    ended = booking(resource, company_user, days_ahead(-1, 9))
    done = booking(resource, company_user, days_ahead(-2, 9), status=BookingStatus.COMPLETED)
    long_ago = booking(resource, company_user, days_ahead(-40, 9), status=BookingStatus.COMPLETED)
    coming = booking(resource, company_user, days_ahead(3, 9))
    pending = booking(resource, company_user, days_ahead(-1, 13), status=BookingStatus.PENDING)
    page = page_client(manager).get(f"/bookings/facility/{resource.facility.pk}/use/")
    assert page.status_code == 200
    listed = [row["booking"].pk for row in page.context["rows"]]
    assert listed == [done.pk, ended.pk]
    assert {long_ago.pk, coming.pk, pending.pk}.isdisjoint(listed)


@pytest.mark.parametrize(
    "who, status", [("anyone else", 403), ("a manager elsewhere", 403), ("the person who booked", 403)]
)
def test_only_the_facilitys_managers_see_the_page(resource, company_user, who, status):
    actor = ROLES[who](resource, company_user)
    assert page_client(actor).get(f"/bookings/facility/{resource.facility.pk}/use/").status_code == status


def test_bulk_actions_on_the_page(priced, company_user, manager):
    first = booking(priced, company_user, days_ahead(-1, 9))
    second = booking(priced, company_user, days_ahead(-1, 12))
    third = booking(priced, company_user, days_ahead(-2, 9))
    client = page_client(manager)
    url = f"/bookings/facility/{priced.facility.pk}/use/"

    assert client.post(url, {"ids": [first.pk, second.pk], "action": "no_show", "reason": "Away"}).status_code == 302
    assert {b.status for b in Booking.objects.filter(pk__in=[first.pk, second.pk])} == {"no_show"}
    adjusted = client.post(url, {"ids": [third.pk], "action": "adjust", "reason": "Fault", f"used_{third.pk}": "30"})
    assert adjusted.status_code == 302
    third.refresh_from_db()
    assert (third.status, third.charged_net_amount) == ("completed", D("500.00"))
    back = client.post(url, {"ids": [first.pk], "action": "complete"})
    assert back.status_code == 302 and Booking.objects.get(pk=first.pk).status == "completed"


@pytest.mark.parametrize(
    "post, error",
    [
        ({"action": "adjust", "reason": "Fault"}, "used_"),  # no minutes given
        ({"action": "adjust", "used": "30"}, "reason"),  # no reason
        ({"action": "explode", "used": "30"}, "action"),
    ],
)
def test_bad_bulk_input_changes_nothing_and_says_why(priced, company_user, manager, post, error):
    first = booking(priced, company_user, days_ahead(-1, 9))
    second = booking(priced, company_user, days_ahead(-1, 12))
    data = {"ids": [first.pk, second.pk], **{k: v for k, v in post.items() if k != "used"}}
    if "used" in post:
        data[f"used_{first.pk}"] = post["used"]  # the second has none
    response = page_client(manager).post(f"/bookings/facility/{priced.facility.pk}/use/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert {b.status for b in Booking.objects.filter(pk__in=[first.pk, second.pk])} == {"confirmed"}


# --- What the booking's page says --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, charged, says, never",
    [
        (BookingStatus.PENDING, None, "Ikke fakturerbar ennå", "Fakturert"),
        (BookingStatus.CONFIRMED, None, "Ikke fakturerbar ennå", "Fakturert"),
        (BookingStatus.COMPLETED, D("2500.00"), "Fakturerbar", "Fakturert"),
        (BookingStatus.NO_SHOW, D("2500.00"), "Fakturerbar", "Fakturert"),
        (BookingStatus.CANCELLED, D("2500.00"), "Fakturerbar", "Fakturert"),
        (BookingStatus.CANCELLED, D("0.00"), "Ikke belastet", "Fakturerbar"),
        (BookingStatus.REJECTED, None, "Ikke belastet", "Fakturerbar"),
    ],
)
def test_the_booking_page_says_truthfully_whether_it_is_chargeable(resource, company_user, status, charged, says,
                                                                   never):  # fmt: skip
    made = booking(resource, company_user, days_ahead(3, 9), status=status, charged_net_amount=charged,
                   charged_vat_amount=charged, charged_total_amount=charged)  # fmt: skip
    page = page_client(company_user).get(f"/bookings/{made.pk}/").content.decode()
    state = page.split('id="charge-state"')[1].split("</p>")[0]
    assert says in state and never not in page


# --- A moved booking costs what its new time costs -------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, hours_after, net",
    [
        ({}, 4, "4000.00"),  # two hours more at 1000 an hour
        ({}, 1, "1000.00"),
        # a price agreed in intake: a fixed amount without a price list, as the company accepted it
        ({"price_unit": "fixed", "unit_price": D("2000.00"), "quantity": D("1")}, 4, "2000.00"),
    ],
)
def test_a_moved_booking_is_priced_for_its_new_time(priced, company_user, manager, fields, hours_after, net):
    made = booking(priced, company_user, days_ahead(3, 9), **fields)
    start = days_ahead(4, 9)
    moved = services.booking_move(
        booking=made, actor=manager, start=start, end=start + datetime.timedelta(hours=hours_after)
    )
    moved.refresh_from_db()
    assert moved.net_amount == D(net)
    assert moved.total_amount == D(net) * D("1.25")
