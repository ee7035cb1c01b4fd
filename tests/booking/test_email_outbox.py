"""Booking e-mails go through core's outbox: written with the booking, sent by a Celery task after the commit.

The outbox's own behaviour (leases, retries, a mail server that is down) is tested in tests/core/test_outbox.py;
here, that a booking writes the right e-mails with it, and that they are made and sent from the booking.
"""

import importlib
import time

import pytest
from django.core import mail

from booking import services
from booking.models import Booking
from core import outbox
from core.errors import ConflictError
from core.models import OutgoingEmail
from core.outbox import outbox_send_due
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.broker import real_worker, wait_for
from tests.factories import FacilityManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


def book(resource, user, day=3, hour=10):
    return services.booking_create(
        resource=resource, user=user, start=days_ahead(day, hour), end=days_ahead(day, hour + 1),
        activity="economic", access_model="rental",
    )  # fmt: skip


def test_the_email_is_stored_with_the_booking_and_survives_a_lost_task(resource, company_user):
    """The task message never ran (its on-commit callback is dropped here): the sweep still sends the e-mail."""
    booking = book(resource, company_user)
    assert mail.outbox == []
    assert list(OutgoingEmail.objects.values_list("kind", "object_id")) == [("booking.confirmed", booking.pk)]
    assert outbox_send_due() == 1
    assert mail.outbox[0].to == [company_user.email]
    assert f"booking-{booking.pk}.ics" == mail.outbox[0].attachments[0][0]
    assert not OutgoingEmail.objects.exists()
    assert outbox_send_due() == 0 and len(mail.outbox) == 1


def test_a_request_queues_the_users_and_the_managers_email(company_user):
    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility, user=UserFactory(language="en")).user
    booking = book(policy.resource, company_user)
    assert sorted(OutgoingEmail.objects.values_list("kind", "object_id")) == [
        ("booking.requested", booking.pk),
        ("booking.to_managers", booking.pk),
    ]
    assert outbox_send_due() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([company_user.email, manager.email])


def test_a_refused_booking_leaves_nothing_in_the_outbox(resource, company_user, other_user):
    book(resource, company_user)
    with pytest.raises(ConflictError):
        book(resource, other_user)
    assert OutgoingEmail.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_booking_and_its_emails_are_stored_together_or_not_at_all(resource, company_user, monkeypatch):
    """On PostgreSQL the booking is stored by one statement and its e-mails by the next, outside any caller's
    transaction: when writing the e-mails fails, the booking is not left behind without them."""
    from django.db.models import QuerySet

    def refuse(self, *args, **kwargs):
        raise RuntimeError("the outbox insert failed")

    monkeypatch.setattr(QuerySet, "bulk_create", refuse)
    with pytest.raises(RuntimeError):
        book(resource, company_user)
    monkeypatch.undo()
    assert not Booking.objects.exists() and not OutgoingEmail.objects.exists()


def test_a_booking_email_is_made_from_the_booking_as_it_is_when_sent(resource, company_user):
    """The row names the booking, not the message: a reason added before the e-mail goes out is in it."""
    booking = book(resource, company_user)
    Booking.objects.filter(pk=booking.pk).update(decision_reason="Ta med egen labfrakk")
    outbox_send_due()
    assert "Ta med egen labfrakk" in mail.outbox[0].body


def test_a_deleted_booking_sends_nothing_and_leaves_no_row(resource, company_user):
    booking = book(resource, company_user)
    booking.delete()
    assert outbox_send_due() == 1
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_bookings_committed_while_the_task_waits_are_sent_by_it():
    """A real worker on Redis, no beat: the first booking queues the task, the next ones (within the second) queue
    nothing; the task starts after its countdown and sends all three."""
    resource = BookingPolicyFactory().resource
    users = [UserFactory() for _ in range(3)]
    with real_worker():
        began = time.monotonic()
        for index, user in enumerate(users):
            book(resource, user, day=3 + index)
            time.sleep(0.3)
        assert time.monotonic() - began < outbox.EMAIL_BATCH_SECONDS + 0.5, "too slow to test the countdown"
        wait_for(lambda: len(mail.outbox) >= 3, seconds=10)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert not OutgoingEmail.objects.exists()


def test_tasks_of_the_previous_release_still_send_what_they_name(company_user):
    """Messages queued under the old task names during a deploy (by web processes of the previous release) are
    still sent, through core's sender."""
    from celery import current_app

    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    booking = services.booking_create(
        resource=policy.resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 11),
        activity="economic", access_model="rental", notify=False,
    )  # fmt: skip
    importlib.import_module("booking.tasks")  # registers the old task names, as a worker does at start

    tasks = current_app.tasks
    sent = tasks["booking.tasks.send_booking_email"].delay(booking.pk, "requested")
    assert sent.get(disable_sync_subtasks=False) == 1
    assert tasks["booking.tasks.send_request_to_managers"].delay(booking.pk).get(disable_sync_subtasks=False) == 1
    assert [m.to for m in mail.outbox] == [[company_user.email], [manager.email]]
    services.booking_reject(booking=booking, actor=manager, reason="Ikke nå")  # its e-mail waits in the outbox
    assert tasks["booking.tasks.send_queued_emails"].delay().get(disable_sync_subtasks=False) == 1
    assert mail.outbox[-1].to == [company_user.email] and "Ikke nå" in mail.outbox[-1].body
