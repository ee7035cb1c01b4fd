import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from booking import services
from booking.choices import BookingStatus
from booking.models import Booking, BookingEvent
from booking.services import changes
from core.errors import ConflictError, DomainError
from core.outbox import outbox_send_due
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory, ClosureFactory, QualificationFactory
from tests.factories import AcademicUserFactory, FacilityManagerFactory
from tests.helpers import OSLO, oslo

pytestmark = pytest.mark.django_db


def book(resource, user, start, end, **kwargs):
    kwargs.setdefault("access_model", "rental")
    return services.booking_create(resource=resource, user=user, start=start, end=end, **kwargs)


def test_a_free_slot_is_confirmed_at_once_with_payer_and_history(resource, company_user):
    booking = book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.payer_name == "Biotek AS"
    assert booking.payer_org_number == "988077917"
    assert booking.payer_institution is None
    event = booking.events.get()
    assert (event.actor, event.action, event.to_status) == (company_user, "confirmed", "confirmed")


def test_an_academic_user_pays_through_the_institution(resource, academic_user):
    booking = book(resource, academic_user, days_ahead(3, 10), days_ahead(3, 12))
    assert booking.payer_institution == academic_user.institution
    assert booking.payer_name == academic_user.institution.name


# (kind, the institution typed, the institution verified): who pays. Internal use is always paid by the owning
# institution, which the verified affiliation names; a company pays as itself whatever institution it typed.
@pytest.mark.parametrize(
    "kind, typed, verified, payer",
    [
        ("academic", "owner", "owner", "owner"),
        ("academic", "other", "owner", "owner"),  # verified here, typed another one since
        ("academic", "other", None, "person"),  # unverified: the typed institution never pays (accounts.payer_for)
        ("company", "owner", "owner", "company"),
    ],
)
def test_the_payer_follows_the_verified_affiliation(resource, kind, typed, verified, payer):
    from accounts.models import Affiliation
    from tests.factories import InstitutionFactory, UserFactory

    institutions = {"owner": resource.facility.institution, "other": InstitutionFactory()}
    factory = AcademicUserFactory if kind == "academic" else UserFactory
    user = factory(institution=institutions[typed], affiliation_verified=False, company_name="Biotek AS")
    Affiliation.objects.filter(user=user).delete()
    if verified:
        Affiliation.objects.create(
            user=user, institution=institutions[verified], state="verified", method="admin", claimed_at=timezone.now()
        )
    booking = book(resource, user, days_ahead(3, 10), days_ahead(3, 12))
    if payer == "company":
        assert (booking.payer_institution, booking.payer_name) == (None, "Biotek AS")
    elif payer == "person":
        assert booking.payer_institution is None
    else:
        assert booking.payer_institution == institutions[payer]


def test_the_price_snapshot_is_copied_from_the_pricing_quote(resource, company_user, monkeypatch):
    from decimal import Decimal

    from pricing import terms
    from pricing.selectors import BookingTerms, Quote

    quote = Quote("external_economic", "hour", Decimal("1000"), Decimal("2"), Decimal("2000"), Decimal("0.25"),
                  Decimal("500"), Decimal("2500"), "NOK", 7)  # fmt: skip
    found = BookingTerms(terms.ECONOMIC_USE, terms.DEFAULT_VAT["sale"], None)
    monkeypatch.setattr(changes, "booking_price", lambda **kwargs: (found, quote))
    booking = book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    booking.refresh_from_db()
    assert (booking.net_amount, booking.total_amount, booking.price_list_id) == (2000, 2500, 7)
    assert (booking.activity, booking.vat_category, booking.collaboration_agreement) == ("economic", "S", None)
    # nothing is chargeable before the booking has taken place
    assert (booking.charged_net_amount, booking.charged_vat_amount, booking.charged_total_amount) == (None, None, None)


def test_the_first_request_stored_wins_and_the_loser_gets_alternatives_without_identity(
    resource, company_user, other_user
):
    book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    with pytest.raises(ConflictError) as caught:
        book(resource, other_user, days_ahead(3, 11), days_ahead(3, 13))
    body = caught.value.as_dict()
    assert body["code"] == "slot_taken"
    assert body["alternatives"], "nearest free alternatives are offered"
    first = body["alternatives"][0]
    start = datetime.datetime.fromisoformat(first["start"])
    end = datetime.datetime.fromisoformat(first["end"])
    assert end - start == datetime.timedelta(hours=2)
    assert start >= days_ahead(3, 12) or end <= days_ahead(3, 10)
    assert "Biotek" not in str(body) and company_user.email not in str(body)
    assert Booking.objects.count() == 1


def test_the_changeover_buffer_keeps_the_next_slot_free():
    policy = BookingPolicyFactory(buffer_minutes=60)
    user = AcademicUserFactory()
    book(policy.resource, user, days_ahead(3, 8), days_ahead(3, 10))
    with pytest.raises(ConflictError):
        book(policy.resource, user, days_ahead(3, 10, 30), days_ahead(3, 12))
    after_buffer = book(policy.resource, user, days_ahead(3, 11), days_ahead(3, 12))
    assert after_buffer.blocked_until == days_ahead(3, 13)


def test_cancelled_bookings_release_the_slot(resource, company_user, other_user):
    first = book(resource, company_user, days_ahead(5, 10), days_ahead(5, 12))
    services.booking_cancel(booking=first, actor=company_user)
    assert book(resource, other_user, days_ahead(5, 10), days_ahead(5, 12)).status == "confirmed"


@pytest.mark.parametrize(
    ("start", "end", "code", "field"),
    [
        (days_ahead(3, 10, 15), days_ahead(3, 12), "slot_granularity", "start"),
        (days_ahead(3, 10), days_ahead(3, 10, 0), "end_before_start", "end"),
        (days_ahead(3, 10), days_ahead(3, 18, 30), "max_length", "end"),
        (days_ahead(3, 5), days_ahead(3, 8), "opening_hours", "start"),
        (days_ahead(3, 18), days_ahead(3, 20), "opening_hours", "start"),
        (days_ahead(500, 10), days_ahead(500, 12), "max_advance", "start"),
    ],
)
def test_rules_are_named_when_broken(resource, company_user, start, end, code, field):
    with pytest.raises(DomainError) as caught:
        book(resource, company_user, start, end)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_minimum_length():
    policy = BookingPolicyFactory(min_length_minutes=120)
    with pytest.raises(DomainError) as caught:
        book(policy.resource, AcademicUserFactory(), days_ahead(3, 10), days_ahead(3, 11))
    assert caught.value.code == "min_length"


def test_minimum_notice(resource, company_user):
    now = oslo(2027, 1, 4, 9, 30)
    with pytest.raises(DomainError) as caught:
        book(resource, company_user, oslo(2027, 1, 4, 10), oslo(2027, 1, 4, 11), now=now)
    assert caught.value.code == "min_notice"
    assert book(resource, company_user, oslo(2027, 1, 4, 11), oslo(2027, 1, 4, 12), now=now).pk


def test_opening_hours_follow_local_time_on_weekdays():
    policy = BookingPolicyFactory(opening={0: [(datetime.time(8), datetime.time(16))]})  # Mondays only
    now = oslo(2027, 1, 1, 8)
    user = AcademicUserFactory()
    assert book(policy.resource, user, oslo(2027, 1, 4, 8), oslo(2027, 1, 4, 16), now=now).pk  # a Monday
    with pytest.raises(DomainError) as caught:
        book(policy.resource, user, oslo(2027, 1, 5, 8), oslo(2027, 1, 5, 10), now=now)  # a Tuesday
    assert caught.value.code == "opening_hours"


def test_a_maintenance_closure_blocks_everyone_and_says_only_unavailable(resource, academic_user):
    ClosureFactory(resource=resource, start=days_ahead(4, 8), end=days_ahead(4, 14))
    with pytest.raises(ConflictError) as caught:
        book(resource, academic_user, days_ahead(4, 10), days_ahead(4, 12))
    body = caught.value.as_dict()
    assert body["code"] == "unavailable"
    assert "vendor" not in str(body) and "maintenance" not in str(body).lower()


def test_preparedness_reserve_is_never_bookable_by_external_users(resource, company_user):
    ClosureFactory(resource=resource, kind="preparedness", start=days_ahead(4, 8), end=days_ahead(4, 14))
    external_academic = AcademicUserFactory()
    for user in (company_user, external_academic):
        with pytest.raises(ConflictError):
            book(resource, user, days_ahead(4, 10), days_ahead(4, 12))
    internal = AcademicUserFactory(institution=resource.facility.institution)
    assert book(resource, internal, days_ahead(4, 10), days_ahead(4, 12)).status == "confirmed"


def test_qualification_is_required_and_checked_for_expiry(company_user):
    policy = BookingPolicyFactory(requires_qualification=True)
    with pytest.raises(DomainError) as caught:
        book(policy.resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    assert caught.value.code == "qualification_required"
    assert f"/resources/{policy.resource.pk}/training/" in caught.value.extra["request_training_url"]
    expired = QualificationFactory(
        user=company_user, resource=policy.resource, expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    with pytest.raises(DomainError):
        book(policy.resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    expired.expires_on = days_ahead(30).date()
    expired.save()
    assert book(policy.resource, company_user, days_ahead(3, 10), days_ahead(3, 12)).status == "confirmed"


def test_approval_keeps_the_request_pending_and_holding_the_slot(company_user, other_user):
    policy = BookingPolicyFactory(requires_approval=True, approval_deadline_hours=48)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    pending = book(policy.resource, company_user, days_ahead(5, 10), days_ahead(5, 12))
    assert pending.status == "pending" and pending.expires_at is not None
    with pytest.raises(ConflictError):
        book(policy.resource, other_user, days_ahead(5, 10), days_ahead(5, 12))
    with pytest.raises(PermissionDenied):
        services.booking_approve(booking=pending, actor=other_user)
    approved = services.booking_approve(booking=pending, actor=manager)
    assert approved.status == "confirmed"
    assert list(approved.events.values_list("action", "actor")) == [
        ("requested", company_user.pk),
        ("approved", manager.pk),
    ]


def test_rejection_needs_a_reason_and_frees_the_slot(company_user, other_user):
    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    pending = book(policy.resource, company_user, days_ahead(5, 10), days_ahead(5, 12))
    with pytest.raises(DomainError) as caught:
        services.booking_reject(booking=pending, actor=manager, reason=" ")
    assert caught.value.field == "reason"
    rejected = services.booking_reject(booking=pending, actor=manager, reason="Instrumentet er reservert for kurs")
    assert rejected.status == "rejected"
    assert rejected.events.last().reason == "Instrumentet er reservert for kurs"
    assert book(policy.resource, other_user, days_ahead(5, 10), days_ahead(5, 12)).status == "pending"


def test_many_requests_are_approved_at_once(company_user):
    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    ids = [book(policy.resource, company_user, days_ahead(5, h), days_ahead(5, h + 1)).pk for h in (8, 10, 12)]
    services.bookings_decide(booking_ids=ids, actor=manager, approve=True)
    assert set(Booking.objects.values_list("status", flat=True)) == {"confirmed"}


def test_pending_holds_expire_and_release_their_slot(company_user, other_user, django_capture_on_commit_callbacks):
    policy = BookingPolicyFactory(requires_approval=True, approval_deadline_hours=24)
    pending = book(policy.resource, company_user, days_ahead(5, 10), days_ahead(5, 12))
    outbox_send_due()  # "request received"
    mail.outbox.clear()
    assert services.pending_bookings_expire(now=pending.expires_at - datetime.timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pending_bookings_expire(now=pending.expires_at) == 1
    pending.refresh_from_db()
    assert pending.status == "expired"
    assert pending.events.last().action == "expired"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [company_user.email]
    assert mail.outbox[0].subject.startswith("Bestillingsforespørsel utløpt")
    assert book(policy.resource, other_user, days_ahead(5, 10), days_ahead(5, 12)).status == "pending"


def test_users_cancel_their_own_bookings_and_managers_any_at_their_facility(resource, company_user, manager):
    """What a late cancellation costs is in test_cancellation_charges.py."""
    own = book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    assert services.booking_cancel(booking=own, actor=company_user).status == "cancelled"
    booking = book(resource, company_user, days_ahead(4, 10), days_ahead(4, 12))
    late = days_ahead(4, 10) - datetime.timedelta(hours=2)
    cancelled = services.booking_cancel(booking=booking, actor=manager, reason="Service", now=late)
    assert cancelled.status == "cancelled"
    assert cancelled.events.last().actor == manager
    with pytest.raises(ConflictError):
        services.booking_cancel(booking=booking, actor=manager)


def test_a_stranger_cannot_cancel(resource, company_user, other_user):
    booking = book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, actor=other_user)


def test_a_manager_moves_a_booking_and_history_keeps_both_times(resource, company_user, manager):
    booking = book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    BookingFactory(resource=resource, start=days_ahead(4, 10), end=days_ahead(4, 12))
    with pytest.raises(ConflictError):
        services.booking_move(booking=booking, actor=manager, start=days_ahead(4, 11), end=days_ahead(4, 13))
    moved = services.booking_move(booking=booking, actor=manager, start=days_ahead(3, 13), end=days_ahead(3, 15))
    assert (moved.start, moved.end) == (days_ahead(3, 13), days_ahead(3, 15))
    event = moved.events.last()
    assert event.action == "moved" and event.details["from"]["start"].startswith(
        days_ahead(3, 10).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H")
    )


def test_complete_and_no_show(resource, company_user, manager):
    booking = BookingFactory(resource=resource, user=company_user, start=days_ahead(-2, 10), end=days_ahead(-2, 12))
    assert services.booking_complete(booking=booking, actor=manager).status == "completed"
    other = BookingFactory(resource=resource, user=company_user, start=days_ahead(-1, 10), end=days_ahead(-1, 12))
    assert services.booking_no_show_mark(booking=other, actor=manager).status == "no_show"


# --- recurring series across the clock changes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "change"),
    [
        (oslo(2026, 10, 19, 9), datetime.date(2026, 10, 25)),  # summer time ends 2026
        (oslo(2027, 3, 22, 9), datetime.date(2027, 3, 28)),  # summer time starts 2027
        (oslo(2027, 10, 25, 9), datetime.date(2027, 10, 31)),  # summer time ends 2027
    ],
)
def test_weekly_series_keeps_local_time_across_clock_changes(first, change):
    occurrences = services.recurrence_expand(
        start=first, end=first + datetime.timedelta(hours=2), frequency="weekly", count=3, zone=OSLO
    )
    local = [(s.astimezone(OSLO), e.astimezone(OSLO)) for s, e in occurrences]
    assert [(s.hour, e.hour) for s, e in local] == [(9, 11)] * 3
    utc_hours = {s.hour for s, _ in occurrences}
    assert len(utc_hours) == 2, "the UTC hour shifts by one across the change"
    assert local[0][0].date() < change < local[1][0].date()


def test_daily_series_with_end_date_across_spring_2027_is_stored(company_user):
    policy = BookingPolicyFactory()
    now = oslo(2027, 3, 1, 8)
    result = services.booking_series_create(
        resource=policy.resource, user=company_user, start=oslo(2027, 3, 26, 9), end=oslo(2027, 3, 26, 11),
        frequency="daily", until=datetime.date(2027, 3, 30), activity="economic", access_model="rental", now=now,
    )  # fmt: skip
    assert len(result.created) == 5
    assert {b.start.astimezone(OSLO).hour for b in result.created} == {9}
    assert {b.start.astimezone(datetime.UTC).hour for b in result.created} == {7, 8}
    assert len({b.recurrence_group for b in result.created}) == 1


def test_all_or_nothing_series_stores_nothing_when_one_date_is_taken(company_user, other_user):
    policy = BookingPolicyFactory()
    now = oslo(2027, 10, 1, 8)
    BookingFactory(resource=policy.resource, start=oslo(2027, 11, 1, 9), end=oslo(2027, 11, 1, 10))
    with pytest.raises(ConflictError):
        services.booking_series_create(
            resource=policy.resource, user=company_user, start=oslo(2027, 10, 25, 9), end=oslo(2027, 10, 25, 11),
            frequency="weekly", count=3, activity="economic", access_model="rental", now=now,
        )  # fmt: skip
    assert Booking.objects.filter(user=company_user).count() == 0


def test_skip_conflicts_series_stores_the_rest_and_reports_the_skipped_date(company_user):
    policy = BookingPolicyFactory()
    now = oslo(2027, 10, 1, 8)
    BookingFactory(resource=policy.resource, start=oslo(2027, 11, 1, 9), end=oslo(2027, 11, 1, 10))
    result = services.booking_series_create(
        resource=policy.resource, user=company_user, start=oslo(2027, 10, 25, 9), end=oslo(2027, 10, 25, 11),
        frequency="weekly", count=3, mode="skip_conflicts", activity="economic", access_model="rental", now=now,
    )  # fmt: skip
    assert [b.start.astimezone(OSLO).date() for b in result.created] == [
        datetime.date(2027, 10, 25),
        datetime.date(2027, 11, 8),
    ]
    assert result.skipped[0]["code"] == "slot_taken"


def test_every_change_is_in_the_history(resource, company_user, manager):
    booking = book(resource, company_user, days_ahead(3, 10), days_ahead(3, 12))
    services.booking_move(booking=booking, actor=manager, start=days_ahead(3, 13), end=days_ahead(3, 15))
    services.booking_cancel(booking=booking, actor=manager, reason="Stengt")
    assert list(BookingEvent.objects.filter(booking=booking).values_list("action", flat=True)) == [
        "confirmed",
        "moved",
        "cancelled",
    ]


def test_a_use_that_took_place_is_recorded_as_completed_and_priced(resource, company_user, manager):
    from booking.choices import BookingAction

    start = days_ahead(-3, 9)
    booking = services.completed_use_record(
        resource=resource, user=company_user, start=start, end=start + datetime.timedelta(hours=2),
        activity="economic", access_model="rental", actor=manager,
    )  # fmt: skip
    assert booking.status == "completed" and booking.payer_org_number == "988077917"
    assert booking.events.get().action == BookingAction.COMPLETED and booking.events.get().actor == manager
    with pytest.raises(DomainError) as caught:
        services.completed_use_record(
            resource=resource, user=company_user, start=days_ahead(1, 9), end=days_ahead(1, 10),
            activity="economic", access_model="rental",
        )  # fmt: skip
    assert caught.value.field == "end"
