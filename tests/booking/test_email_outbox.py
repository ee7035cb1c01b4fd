"""Booking e-mails go through an outbox table: written with the booking, sent by a Celery task after the commit.

What a user would notice: the e-mail arrives even when the task message was lost, a mail server that is down delays
it but does not lose it, two sending tasks never send it twice, and many bookings in one second cost one message.
"""

import datetime
import logging
import os
import smtplib
import threading
import time
import uuid
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.utils import timezone

from booking import services
from booking.models import OutgoingEmail
from config.errors import ConflictError
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.broker import reset_connections
from tests.factories import FacilityManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def book(resource, user, day=3, hour=10):
    return services.create_booking(
        resource=resource, user=user, start=days_ahead(day, hour), end=days_ahead(day, hour + 1),
        activity="economic", access_model="rental",
    )  # fmt: skip


def test_the_email_is_stored_with_the_booking_and_survives_a_lost_task(resource, company_user):
    """The task message never ran (its on-commit callback is dropped here): the sweep still sends the e-mail."""
    booking = book(resource, company_user)
    assert mail.outbox == []
    assert list(OutgoingEmail.objects.values_list("booking_id", "kind")) == [(booking.pk, "confirmed")]
    assert services.send_queued_emails() == 1
    assert mail.outbox[0].to == [company_user.email]
    assert not OutgoingEmail.objects.exists()
    assert services.send_queued_emails() == 0 and len(mail.outbox) == 1


def test_a_request_queues_the_users_and_the_managers_email(company_user):
    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility, user=UserFactory(language="en")).user
    booking = book(policy.resource, company_user)
    assert sorted(OutgoingEmail.objects.values_list("booking_id", "kind")) == [
        (booking.pk, "requested"),
        (booking.pk, "to_managers"),
    ]
    assert services.send_queued_emails() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([company_user.email, manager.email])


def test_a_refused_booking_leaves_nothing_in_the_outbox(resource, company_user, other_user):
    book(resource, company_user)
    with pytest.raises(ConflictError):
        book(resource, other_user)
    assert OutgoingEmail.objects.count() == 1


def test_a_mail_server_that_is_down_delays_the_email_and_it_is_sent_later(resource, company_user, caplog):
    caplog.set_level(logging.WARNING, logger="booking.services")
    book(resource, company_user)
    with mock.patch(LOCMEM_SEND, side_effect=smtplib.SMTPServerDisconnected("down")):
        assert services.send_queued_emails() == 0
    waiting = OutgoingEmail.objects.get()
    assert waiting.attempts == 1 and waiting.send_after > timezone.now() + datetime.timedelta(seconds=50)
    assert "trying again later" in caplog.text
    assert services.send_queued_emails() == 0  # not yet due
    OutgoingEmail.objects.update(send_after=timezone.now())  # a minute later
    assert services.send_queued_emails() == 1
    assert len(mail.outbox) == 1 and not OutgoingEmail.objects.exists()


def test_an_email_that_keeps_failing_is_given_up_after_five_attempts_and_logged(resource, company_user, caplog):
    caplog.set_level(logging.WARNING, logger="booking.services")
    book(resource, company_user)
    with mock.patch(LOCMEM_SEND, side_effect=smtplib.SMTPServerDisconnected("down")):
        for attempt in range(1, 6):
            services.send_queued_emails()
            if attempt < 5:
                assert OutgoingEmail.objects.get().attempts == attempt
                OutgoingEmail.objects.update(send_after=timezone.now())
    assert not OutgoingEmail.objects.exists()
    assert "given up after 5 attempts" in caplog.text
    assert mail.outbox == []


def test_one_failing_email_does_not_hold_back_the_others(company_user, other_user):
    policy = BookingPolicyFactory()
    book(policy.resource, company_user, hour=10)
    book(policy.resource, other_user, hour=12)
    real_send = LocmemBackend.send_messages

    def refuse_the_first_user(self, messages):
        if messages[0].to == [company_user.email]:
            raise smtplib.SMTPRecipientsRefused({company_user.email: (550, b"no")})
        return real_send(self, messages)

    with mock.patch(LOCMEM_SEND, refuse_the_first_user):
        assert services.send_queued_emails() == 1
    assert [m.to for m in mail.outbox] == [[other_user.email]]
    assert OutgoingEmail.objects.get().attempts == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locking", [True, False], ids=["rows locked", "control: without locking"])
def test_two_sending_tasks_at_once_send_each_email_once(locking):
    """Two workers drain the outbox at the same moment (real connections); the control without the row locks shows
    that the test sees a double send when there is one."""
    from django.db.models import QuerySet

    resource = BookingPolicyFactory().resource
    users = [UserFactory() for _ in range(12)]
    for index, user in enumerate(users):  # stored as a web request stores them, but not sent yet
        booking = services.create_booking(
            resource=resource, user=user, start=days_ahead(3 + index, 10), end=days_ahead(3 + index, 11),
            activity="economic", access_model="rental", notify=False,
        )  # fmt: skip
        OutgoingEmail.objects.create(booking=booking, kind="confirmed")
    real_send = LocmemBackend.send_messages
    start = threading.Barrier(2)

    def slow_send(self, messages):
        time.sleep(0.02)  # a mail server takes a while: both tasks are busy at once
        return real_send(self, messages)

    def drain():
        try:
            start.wait()
            services.send_queued_emails()
        finally:
            connection.close()

    patches = [mock.patch(LOCMEM_SEND, slow_send)]
    if not locking:
        patches.append(mock.patch.object(QuerySet, "select_for_update", lambda self, **kwargs: self))
    with patches[0], (patches[1] if len(patches) > 1 else mock.MagicMock()):
        threads = [threading.Thread(target=drain) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    recipients = sorted(m.to[0] for m in mail.outbox)
    if locking:
        assert recipients == sorted(u.email for u in users)
    else:
        assert len(recipients) > len(users), "the control should have sent some e-mails twice"
    assert not OutgoingEmail.objects.exists()


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_many_bookings_in_a_second_queue_one_task_that_sends_every_email():
    """With a real Redis: five bookings queue one message, which a real worker runs after the last commit."""
    from celery.contrib.testing.worker import start_worker
    from kombu import Connection

    from config.celery import app

    broker = os.environ["LABTORGET_TEST_BROKER_URL"]
    keys = ("broker_url", "task_always_eager", "result_backend", "task_default_queue")
    previous = {key: app.conf.get(key) for key in keys}
    queue = f"booking-test-{uuid.uuid4().hex}"
    app.conf.update(broker_url=broker, task_always_eager=False, result_backend=None, task_default_queue=queue)
    reset_connections(app)
    try:
        resource = BookingPolicyFactory().resource
        users = [UserFactory() for _ in range(5)]
        for index, user in enumerate(users):
            book(resource, user, day=3 + index)
        with Connection(broker) as conn:
            assert conn.default_channel.client.llen(queue) == 1
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            for _ in range(300):  # up to 30 s
                if len(mail.outbox) >= 5:
                    break
                time.sleep(0.1)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
        assert not OutgoingEmail.objects.exists()
    finally:
        app.conf.update(previous)
        reset_connections(app)
        with Connection(broker) as conn:
            conn.default_channel.client.delete(queue)
