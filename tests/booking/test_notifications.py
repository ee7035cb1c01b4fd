import datetime

import pytest
from django.core import mail
from icalendar import Calendar

from booking import services
from core.outbox import outbox_send_due
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.broker import real_worker, unreachable_broker, wait_for
from tests.factories import FacilityManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


def book(resource, user, day=3):
    return services.booking_create(
        resource=resource, user=user, start=days_ahead(day, 10), end=days_ahead(day, 12), activity="economic",
        access_model="rental",
    )  # fmt: skip


def test_emails_are_queued_on_commit_not_before(resource, company_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        book(resource, company_user)
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_a_rolled_back_booking_sends_nothing(resource, company_user, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                book(resource, company_user)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert mail.outbox == []


def test_confirmation_in_english_with_an_ics_attachment(resource, django_capture_on_commit_callbacks):
    user = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(resource, user)
    message = mail.outbox[0]
    assert message.subject.startswith("Booking confirmed")
    assert "Your booking is confirmed." in message.body
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype == "text/calendar"
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == booking.start
    assert str(event["uid"]).startswith(f"booking-{booking.pk}@")


def test_request_rejection_and_cancellation_in_bokmal(company_user, django_capture_on_commit_callbacks):
    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    with django_capture_on_commit_callbacks(execute=True):
        pending = book(policy.resource, company_user)
        services.booking_reject(booking=pending, actor=manager, reason="Instrumentet er på service")
        again = book(policy.resource, company_user, day=4)
        services.booking_cancel(booking=again, actor=company_user)
    subjects = [m.subject for m in mail.outbox]
    assert subjects[0].startswith("Bestillingsforespørsel mottatt")
    assert subjects[1].startswith("Bestillingsforespørsel avslått")
    assert "Instrumentet er på service" in mail.outbox[1].body
    assert subjects[3].startswith("Bestilling avbestilt")
    cancelled = Calendar.from_ical(mail.outbox[3].attachments[0][1])
    assert str(cancelled.walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_reminder_the_day_before_is_sent_once(resource, company_user, django_capture_on_commit_callbacks):
    booking = book(resource, company_user, day=3)
    day_before = days_ahead(2, 9)
    outbox_send_due()  # the confirmation
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.booking_reminders_send(now=day_before) == 1
        assert services.booking_reminders_send(now=day_before + datetime.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1 and booking.resource.name in mail.outbox[0].subject


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_sends_the_confirmation_through_redis():
    """The task goes through Redis to a worker thread, after the booking transaction commits."""
    resource = BookingPolicyFactory().resource
    user = UserFactory(language="en")
    with real_worker():
        booking = book(resource, user)
        wait_for(lambda: mail.outbox, seconds=30)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert f"booking-{booking.pk}.ics" == mail.outbox[0].attachments[0][0]


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_neither_fails_the_booking_nor_loses_the_email(caplog):
    """The booking is committed before the task is queued: the user gets 201 and the e-mail goes out anyway."""
    import logging

    from rest_framework.test import APIClient

    caplog.set_level(logging.WARNING, logger="core.queue")  # a Celery test worker may have raised the root level

    with unreachable_broker():
        resource = BookingPolicyFactory().resource
        client = APIClient()
        client.force_authenticate(UserFactory(language="en"))
        response = client.post(
            "/api/v1/bookings/",
            {"resource": resource.pk, "start": days_ahead(3, 10).isoformat(), "end": days_ahead(3, 12).isoformat(),
             "activity": "economic", "access_model": "rental"},
            format="json",
        )  # fmt: skip
    assert response.status_code == 201
    assert len(mail.outbox) == 1 and f"booking-{response.json()['id']}.ics" == mail.outbox[0].attachments[0][0]
    assert "broker is unreachable" in caplog.text


def test_managers_hear_of_a_request_in_their_own_language(company_user, django_capture_on_commit_callbacks):
    policy = BookingPolicyFactory(requires_approval=True)
    english = FacilityManagerFactory(facility=policy.resource.facility, user=UserFactory(language="en")).user
    bokmal = FacilityManagerFactory(facility=policy.resource.facility, user=UserFactory(language="nb")).user
    FacilityManagerFactory(user=UserFactory(email="elsewhere@example.org"))  # manages another facility
    with django_capture_on_commit_callbacks(execute=True):
        book(policy.resource, company_user)
    to_managers = {message.to[0]: message for message in mail.outbox if message.to[0] != company_user.email}
    assert set(to_managers) == {english.email, bokmal.email}
    assert to_managers[english.email].subject == f"New booking request: {policy.resource.name}"
    assert "waits for your answer" in to_managers[english.email].body
    assert to_managers[bokmal.email].subject == f"Ny bestillingsforespørsel: {policy.resource.name}"
    assert "Biotek AS" in to_managers[bokmal.email].body and "/bookings/queue/" in to_managers[bokmal.email].body


def test_without_managers_the_institution_admins_hear_of_a_request(company_user, django_capture_on_commit_callbacks):
    from catalogue.choices import InstitutionRoleKind
    from tests.factories import InstitutionRoleFactory

    policy = BookingPolicyFactory(requires_approval=True)
    admin = InstitutionRoleFactory(
        institution=policy.resource.facility.institution, role=InstitutionRoleKind.ADMIN
    ).user
    with django_capture_on_commit_callbacks(execute=True):
        book(policy.resource, company_user)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([company_user.email, admin.email])


def test_confirmed_bookings_do_not_disturb_the_managers(
    resource, company_user, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(resource, company_user)
    assert [message.to[0] for message in mail.outbox] == [company_user.email]


def test_the_attachment_names_an_organizer_and_a_cancellation_has_a_higher_sequence(
    resource, company_user, django_capture_on_commit_callbacks
):
    from booking.models import Booking

    with django_capture_on_commit_callbacks(execute=True):
        booking = book(resource, company_user)
    # SEQUENCE counts seconds since the booking was made: let it have been made five minutes ago.
    Booking.objects.filter(pk=booking.pk).update(created_at=booking.created_at - datetime.timedelta(minutes=5))
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=company_user)
    first, cancelled = (Calendar.from_ical(m.attachments[0][1]) for m in mail.outbox[:2])
    event, cancel_event = first.walk("VEVENT")[0], cancelled.walk("VEVENT")[0]
    assert str(cancelled["method"]) == "CANCEL" and str(cancel_event["status"]) == "CANCELLED"
    assert str(cancel_event["uid"]) == str(event["uid"])
    assert int(cancel_event["sequence"]) > int(event["sequence"])
    assert str(cancel_event["organizer"]).startswith("mailto:no-reply@")
