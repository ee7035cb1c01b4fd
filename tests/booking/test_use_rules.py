"""The rules of recorded use (booking.services.use) as a manager and an invoice meet them: each refusal names its
field and code and changes nothing, each boundary (the start, this moment) is exact, what is charged is what the
booking says and stays stored, and the booking's history names who did what, why and at which charge. Each test
fails when its rule is changed the way mutation testing changed it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from booking import selectors, services
from booking.choices import BookingStatus
from booking.models import Booking
from core.errors import DomainError
from pricing.models import PriceList
from tests.booking.factories import BookingFactory
from tests.factories import AcademicUserFactory, ResourceFactory
from tests.helpers import oslo
from tests.pricing.factories import hourly_price_list

pytestmark = pytest.mark.django_db

D = Decimal
HOUR = datetime.timedelta(hours=1)
PRICE = {
    "price_tier": "external_economic", "price_unit": "hour", "unit_price": D("1000.00"), "quantity": D("2.00"),
    "net_amount": D("2000.00"), "vat_rate": D("0.2500"), "vat_amount": D("500.00"), "total_amount": D("2500.00"),
}  # fmt: skip
START = oslo(2027, 1, 4, 9)  # a Monday; the booking runs until 11:00
AFTER = oslo(2027, 1, 5, 9)  # the next day, well inside the correction window


def booking(resource, user, status=BookingStatus.CONFIRMED, start=START, **fields):
    return BookingFactory(resource=resource, user=user, start=start, hours=2, status=status, **{**PRICE, **fields})


@pytest.fixture
def priced(resource):
    hourly_price_list(resource, valid_from=datetime.date(2020, 1, 1), valid_to=None, internal="100",
                      non_economic="800", economic="1000")  # fmt: skip
    return resource


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def complete(made, actor, now=AFTER):
    return services.booking_complete(booking=made, actor=actor, now=now)


def no_show(made, actor, now=AFTER, reason=""):
    return services.booking_no_show_mark(booking=made, actor=actor, reason=reason, now=now)


def adjust(made, actor, now=AFTER, end=None, reason="Stopped early"):
    end = end or made.start + HOUR
    return services.booking_use_adjust(booking=made, actor=actor, end=end, reason=reason, now=now)


# --- what is refused, by field and code, and that nothing changes -----------------------------------------------

REFUSALS = [
    # (action, status of the booking, now, field, code)
    (complete, BookingStatus.PENDING, AFTER, "status", "not_confirmed"),  # never confirmed: it expires instead
    (complete, BookingStatus.CANCELLED, AFTER, "status", "not_confirmed"),
    (complete, BookingStatus.CONFIRMED, START - datetime.timedelta(minutes=1), "start", "not_started"),
    (no_show, BookingStatus.PENDING, AFTER, "status", "not_confirmed"),
    (no_show, BookingStatus.CONFIRMED, START - datetime.timedelta(minutes=1), "start", "not_started"),
    (adjust, BookingStatus.PENDING, AFTER, "status", "not_confirmed"),
    (adjust, BookingStatus.CANCELLED, AFTER, "status", "not_confirmed"),
    (adjust, BookingStatus.CONFIRMED, START - datetime.timedelta(minutes=1), "start", "not_started"),
]


@pytest.mark.parametrize(("action", "status", "now", "field", "code"), REFUSALS)
def test_each_refusal_names_its_field_and_code_and_changes_nothing(resource, company_user, manager, action, status,
                                                                   now, field, code):  # fmt: skip
    made = booking(resource, company_user, status=status)
    error = refused(lambda: action(made, manager, now=now))
    assert (error.field, error.code) == (field, code)
    stored = Booking.objects.get(pk=made.pk)
    assert (stored.status, stored.end, stored.charged_total_amount) == (status, made.end, None)
    assert not stored.events.exists()


@pytest.mark.parametrize("action", [complete, no_show, adjust])
def test_use_can_be_recorded_from_the_very_start_of_the_booking(resource, company_user, manager, action):
    made = booking(resource, company_user)
    end = START + datetime.timedelta(minutes=30) if action is adjust else None
    now = end if action is adjust else START
    kwargs = {"end": end} if action is adjust else {}
    assert action(made, manager, now=now, **kwargs).status in ("completed", "no_show")


def test_an_adjusted_use_may_end_at_this_very_moment(resource, company_user, manager):
    made = booking(resource, company_user)
    now = START + HOUR
    assert adjust(made, manager, now=now, end=now).end == now


def test_an_adjusted_end_without_utc_offset_is_refused_by_name(resource, company_user, manager):
    made = booking(resource, company_user)
    error = refused(lambda: adjust(made, manager, end=(START + HOUR).replace(tzinfo=None)))
    assert (error.field, error.code) == ("end", "naive_time")
    assert Booking.objects.get(pk=made.pk).status == BookingStatus.CONFIRMED


# --- what is charged, stored, and told in the history -------------------------------------------------------------


def test_completing_charges_the_booked_price_and_the_history_names_the_manager(resource, company_user, manager):
    made = complete(booking(resource, company_user), manager)
    stored = Booking.objects.get(pk=made.pk)
    charged = (stored.charged_net_amount, stored.charged_vat_amount, stored.charged_total_amount)
    assert charged == (D("2000.00"), D("500.00"), D("2500.00"))
    event = stored.events.get()
    assert (event.action, event.actor, event.details) == ("completed", manager, {"charged_total": "2500.00"})


def test_a_booking_without_a_price_is_completed_without_a_charge(resource, company_user, manager):
    made = booking(resource, company_user, **dict.fromkeys(("net_amount", "vat_amount", "total_amount"), None))
    complete(made, manager)
    stored = Booking.objects.get(pk=made.pk)
    assert (stored.status, stored.charged_total_amount) == ("completed", None)
    assert stored.events.get().details == {"charged_total": None}


def test_a_no_show_is_charged_and_the_history_says_who_and_why(resource, company_user, manager):
    no_show(booking(resource, company_user), manager, reason="  Did not come  ")
    stored = Booking.objects.get(status=BookingStatus.NO_SHOW)
    assert (stored.charged_vat_amount, stored.charged_total_amount) == (D("500.00"), D("2500.00"))
    event = stored.events.get()
    assert (event.action, event.actor, event.reason) == ("no_show", manager, "Did not come")
    assert event.details == {"charged_total": "2500.00"}


def test_a_no_show_without_a_reason_records_none(resource, company_user, manager):
    services.booking_no_show_mark(booking=booking(resource, company_user), actor=manager, now=AFTER)
    assert Booking.objects.get(status=BookingStatus.NO_SHOW).events.get().reason == ""


def test_the_used_time_is_priced_for_the_person_who_booked(priced, manager):
    """An academic of the resource's own institution doing research pays the internal price, also for the time
    actually used: the used time is priced on the terms the booking was made under (tier and VAT)."""
    academic = AcademicUserFactory(institution=priced.facility.institution)
    internal = {"price_tier": "internal", "vat_rate": D(0), "vat_amount": D(0), "total_amount": D("2000.00"),
                "vat_category": "O"}  # fmt: skip
    made = booking(priced, academic, activity="non_economic", **{**PRICE, **internal})
    adjust(made, manager, end=START + datetime.timedelta(minutes=90), reason="Fault")
    stored = Booking.objects.get(pk=made.pk)
    assert (stored.price_tier, stored.net_amount, stored.charged_total_amount) == ("internal", D("150.00"),
                                                                                  D("150.00"))  # fmt: skip
    assert stored.price_list_id == PriceList.objects.get(resource=priced).pk  # the list it was priced from again
    event = stored.events.get()
    assert (event.actor, event.reason) == (manager, "Fault")
    assert event.details == {
        "booked_end": "2027-01-04T10:00:00Z",
        "used_end": "2027-01-04T09:30:00Z",
        "charged_total": "150.00",
    }


def test_the_used_time_of_a_resource_without_a_price_list_has_no_price_at_all(resource, company_user, manager):
    adjust(booking(resource, company_user), manager)
    stored = Booking.objects.get(status=BookingStatus.COMPLETED)
    assert (stored.price_tier, stored.price_unit, stored.net_amount, stored.charged_total_amount) == ("", "", None,
                                                                                                     None)  # fmt: skip


def test_the_periodic_completion_records_the_charge_in_the_history(resource, company_user):
    made = booking(resource, company_user)
    assert services.bookings_complete_due(now=made.end) == 1
    event = Booking.objects.get(pk=made.pk).events.get()
    assert (event.actor, event.details) == (None, {"charged_total": "2500.00"})


# --- the manager's page in one go ---------------------------------------------------------------------------------


def test_the_bulk_actions_act_at_the_moment_given_with_the_reason_given(priced, company_user, manager):
    """The page passes its moment on: bookings in 2027 have not started by the real clock."""
    first, second, third = (booking(priced, company_user, start=START + datetime.timedelta(days=n)) for n in range(3))
    now = oslo(2027, 1, 7, 12)
    services.bookings_use_record(actor=manager, decisions=[(first.pk, "complete", None)], now=now)
    services.bookings_use_record(actor=manager, decisions=[(second.pk, "no_show", None)], reason="Away", now=now)
    used_end = third.start + HOUR
    services.bookings_use_record(actor=manager, decisions=[(third.pk, "adjust", used_end)], reason="Fault", now=now)
    stored = {b.pk: b for b in Booking.objects.all()}
    assert [stored[b.pk].status for b in (first, second, third)] == ["completed", "no_show", "completed"]
    assert stored[second.pk].events.get().reason == "Away"
    assert (stored[third.pk].end, stored[third.pk].events.get().reason) == (used_end, "Fault")


@pytest.mark.parametrize(
    ("decision", "field", "code"),
    [
        (lambda made: (999999, "complete", None), "ids", "not_found"),
        (lambda made: (made.pk, "adjust", None), "used_minutes", "required"),
        (lambda made: (made.pk, "explode", None), "action", "invalid_choice"),
    ],
)
def test_bad_bulk_decisions_name_the_field_and_change_nothing(resource, company_user, manager, decision, field, code):
    first = booking(resource, company_user)
    made = booking(resource, company_user, start=START + datetime.timedelta(days=1))
    decisions = [(first.pk, "complete", None), decision(made)]
    error = refused(lambda: services.bookings_use_record(actor=manager, decisions=decisions, now=AFTER))
    assert (error.field, error.code) == (field, code)
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}


# --- a use recorded afterwards (agreed by phone) ------------------------------------------------------------------


def test_a_use_recorded_afterwards_is_stored_as_given_and_priced_for_its_user(priced, manager):
    academic = AcademicUserFactory(institution=priced.facility.institution)
    start = oslo(2026, 11, 2, 9)
    recorded = services.completed_use_record(
        resource=priced, user=academic, start=start, end=start + 2 * HOUR, activity="non_economic",
        access_model="collaboration", purpose="Calibration", actor=manager,
    )  # fmt: skip
    stored = Booking.objects.get(pk=recorded.pk)
    assert (stored.activity, stored.access_model, stored.purpose) == ("non_economic", "collaboration", "Calibration")
    assert (stored.price_tier, stored.quantity, stored.net_amount) == ("internal", D("2.00"), D("200.00"))
    assert (stored.charged_net_amount, stored.charged_vat_amount, stored.charged_total_amount) == (
        D("200.00"), D("0.00"), D("200.00"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("length", "ends_in", "code"),
    [
        (datetime.timedelta(0), -HOUR, "end_before_start"),
        (-HOUR, -HOUR, "end_before_start"),
        (HOUR, HOUR, "not_ended"),
    ],
)
def test_a_use_recorded_afterwards_must_have_taken_place(resource, company_user, manager, length, ends_in, code):
    end = timezone.now() + ends_in
    fields = {"resource": resource, "user": company_user, "activity": "economic", "access_model": "rental"}
    error = refused(lambda: services.completed_use_record(start=end - length, end=end, actor=manager, **fields))
    assert (error.field, error.code) == ("end", code)
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("asked", "field", "code"),
    [
        ({"activity": "non_economic"}, "activity", "activity_not_allowed"),  # a company renting is economic
        ({"collaboration_agreement": 1}, "collaboration_agreement", "agreement_needs_collaboration"),
    ],
)
def test_a_use_recorded_afterwards_has_the_terms_of_its_facts_or_is_refused(
    resource, company_user, manager, asked, field, code
):
    """A use recorded after the fact is priced on the same terms as a booking: an activity or a collaboration
    agreement named for it must be what the verified facts give, else it is refused and nothing is stored."""
    end = timezone.now() - HOUR
    fields = {"resource": resource, "user": company_user, "access_model": "rental", "activity": "economic", **asked}
    error = refused(lambda: services.completed_use_record(start=end - HOUR, end=end, actor=manager, **fields))
    assert (error.field, error.code) == (field, code)
    assert not Booking.objects.exists()


def test_a_use_that_ended_this_very_moment_can_be_recorded(resource, company_user, manager, monkeypatch):
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)  # the clock stands still
    recorded = services.completed_use_record(
        resource=resource, user=company_user, start=moment - HOUR, end=moment, activity="economic",
        access_model="rental", actor=manager,
    )  # fmt: skip
    assert recorded.status == "completed"


# --- the manager's list of use still to record ---------------------------------------------------------------------


def test_the_list_holds_the_facilitys_bookings_until_the_window_closes_at_the_moment_given(resource, company_user):
    """Five working days after an end on the Wednesday before Easter 2027 is Monday 5 April, 10:00."""
    made = booking(resource, company_user, start=oslo(2027, 3, 24, 8))
    booking(ResourceFactory(), company_user, start=oslo(2027, 3, 24, 8))  # another facility's
    closes = oslo(2027, 4, 5, 10)
    listed = in_use_window(resource, closes - datetime.timedelta(minutes=1))
    assert listed == [made.pk]
    assert in_use_window(resource, closes) == []
    assert in_use_window(resource, oslo(2027, 3, 24, 7)) == []  # not started yet


def test_a_long_window_over_easter_keeps_the_booking_listed_to_its_last_minute(resource, company_user, settings):
    """Thirty working days after 24 March 2027 run 48 calendar days, to 11 May: Easter and 1 May are holidays."""
    settings.BOOKING_USE_ADJUSTMENT_WORKING_DAYS = 30
    made = booking(resource, company_user, start=oslo(2027, 3, 24, 8))
    assert in_use_window(resource, oslo(2027, 5, 11, 9, 59)) == [made.pk]
    assert in_use_window(resource, oslo(2027, 5, 11, 10)) == []


def in_use_window(resource, now):
    return [b.pk for b in selectors.bookings_in_use_window(facility=resource.facility, now=now)]


def test_bulk_decisions_are_taken_in_booking_number_order(resource, company_user, manager):
    """Whatever order the page posts them in, rows are locked lowest number first, as every writer locks them, so
    that two managers acting on the same bookings at once wait for each other instead of deadlocking."""
    first, second = booking(resource, company_user), booking(resource, company_user, start=START + 3 * HOUR)
    decisions = [(second.pk, "complete", None), (first.pk, "complete", None)]
    done = services.bookings_use_record(actor=manager, decisions=decisions, now=AFTER)
    assert [b.pk for b in done] == [first.pk, second.pk]


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_adjusted_use_without_a_reason_is_refused(resource, company_user, manager, reason):
    made = booking(resource, company_user)
    error = refused(lambda: adjust(made, manager, reason=reason))
    assert (error.field, error.code) == ("reason", "reason_required")
    assert Booking.objects.get(pk=made.pk).end == made.end
