"""Booking e-mails go through an outbox table: written with the booking, sent by a Celery task after the commit.

What a user would notice: the e-mail arrives even when the task message was lost or its sender died, a mail server
that is down delays it but does not lose it, two sending tasks never send it twice, and the bookings of one second
cost one message whose task still sends them all.
"""

import contextlib
import datetime
import logging
import smtplib
import socket
import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.utils import timezone

from booking import emails as booking_emails
from booking import services
from booking.models import Booking, OutgoingEmail
from booking.services import outbox
from core.errors import ConflictError
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.broker import real_worker, wait_for
from tests.factories import FacilityManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def book(resource, user, day=3, hour=10):
    return services.booking_create(
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


def test_a_mail_server_that_is_down_delays_the_emails_and_they_are_sent_later(company_user, other_user, caplog):
    caplog.set_level(logging.WARNING, logger="booking.services")
    policy = BookingPolicyFactory()
    book(policy.resource, company_user, hour=10)
    book(policy.resource, other_user, hour=12)
    with mock.patch(LOCMEM_SEND, side_effect=smtplib.SMTPServerDisconnected("down")) as send:
        assert services.send_queued_emails() == 0
    assert send.call_count == 1  # the second e-mail was not tried against a server that is down
    waiting = list(OutgoingEmail.objects.all())
    assert [email.attempts for email in waiting] == [0, 0]  # the server's trouble, not the e-mails'
    assert all(email.send_after > timezone.now() + datetime.timedelta(seconds=50) for email in waiting)
    assert "The mail server failed; 2 booking e-mails wait" in caplog.text
    assert services.send_queued_emails() == 0  # not yet due
    OutgoingEmail.objects.update(send_after=timezone.now())  # a minute later
    assert services.send_queued_emails() == 2
    assert len(mail.outbox) == 2 and not OutgoingEmail.objects.exists()


def _queue(count: int) -> list:
    """`count` bookings stored as a web request stores them, their e-mails waiting in the outbox."""
    resource = BookingPolicyFactory().resource
    users = [UserFactory() for _ in range(count)]
    for index, user in enumerate(users):
        booking = services.booking_create(
            resource=resource, user=user, start=days_ahead(3 + index, 10), end=days_ahead(3 + index, 11),
            activity="economic", access_model="rental", notify=False,
        )  # fmt: skip
        OutgoingEmail.objects.create(booking=booking, kind="confirmed")
    return users


SMTP = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "mail.example.org"}


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        socket.gaierror(-2, "Name or service not known"),
        OSError(113, "No route to host"),
    ],
    ids=["refused", "timeout", "dns", "no-route"],
)
def test_a_mail_server_that_cannot_be_reached_is_tried_once_per_batch(settings, error):
    """The real SMTP backend, with the network failing: one connection attempt, and no e-mail charged for it."""
    settings.EMAIL_BACKEND, settings.EMAIL_HOST = SMTP["EMAIL_BACKEND"], SMTP["EMAIL_HOST"]
    _queue(3)
    with mock.patch("socket.create_connection", side_effect=error) as connect:
        assert services.send_queued_emails() == 0
    assert connect.call_count == 1
    assert list(OutgoingEmail.objects.values_list("attempts", flat=True)) == [0, 0, 0]


def test_an_outage_of_the_mail_server_loses_nothing_for_a_day_and_is_logged_after(settings, caplog):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST = SMTP["EMAIL_BACKEND"], SMTP["EMAIL_HOST"]
    caplog.set_level(logging.WARNING, logger="booking.services")
    _queue(3)
    clock = [timezone.now()]
    with (
        mock.patch("socket.create_connection", side_effect=ConnectionRefusedError(111, "refused")),
        mock.patch("django.utils.timezone.now", side_effect=lambda: clock[0]),
    ):
        for _ in range(60):  # the sweep, every minute for an hour
            clock[0] += datetime.timedelta(seconds=61)
            services.send_queued_emails()
        assert OutgoingEmail.objects.count() == 3
        clock[0] += datetime.timedelta(hours=services.EMAIL_GIVE_UP_HOURS)
        services.send_queued_emails()
    assert not OutgoingEmail.objects.exists()
    assert "given up: the mail server could not take it for 24 hours" in caplog.text


def test_a_try_later_answer_is_the_servers_trouble_not_the_emails(company_user):
    book(BookingPolicyFactory().resource, company_user)
    busy = smtplib.SMTPRecipientsRefused({company_user.email: (451, b"try again later")})
    with mock.patch(LOCMEM_SEND, side_effect=busy):
        assert services.send_queued_emails() == 0
    assert OutgoingEmail.objects.get().attempts == 0


@pytest.mark.django_db(transaction=True)
def test_no_database_transaction_is_open_while_the_mail_server_is_talked_to():
    _queue(1)
    seen = []
    real_send = LocmemBackend.send_messages

    def record(self, messages):
        seen.append(connection.in_atomic_block)
        return real_send(self, messages)

    with mock.patch(LOCMEM_SEND, record):
        assert services.send_queued_emails() == 1
    assert seen == [False]


def test_a_sender_that_dies_leaves_its_emails_for_after_the_lease(resource, company_user):
    book(resource, company_user)
    claimed, _leased = outbox._claim_due_emails(booking_ids=None, batch=100)  # ... and then dies
    assert len(claimed) == 1
    assert services.send_queued_emails() == 0  # another sender does not take it meanwhile
    lease_over = timezone.now() + datetime.timedelta(seconds=services.EMAIL_LEASE_SECONDS + 1)
    with mock.patch("django.utils.timezone.now", return_value=lease_over):
        assert services.send_queued_emails() == 1
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_that_outlasts_its_lease_sends_nothing_twice(monkeypatch):
    """A slow mail server (0.6 s per e-mail) and a lease of 1 s: the sweep that starts while the first sender is
    still at work takes what the lease let go of, and each e-mail still goes out once."""
    monkeypatch.setattr(outbox, "EMAIL_LEASE_SECONDS", 1)
    users = _queue(4)
    real_send = LocmemBackend.send_messages

    def slow_send(self, messages):
        time.sleep(0.6)
        return real_send(self, messages)

    def run(delay):
        try:
            time.sleep(delay)
            services.send_queued_emails()
        finally:
            connection.close()

    with mock.patch(LOCMEM_SEND, slow_send):
        threads = [threading.Thread(target=run, args=(delay,)) for delay in (0, 1.3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert not OutgoingEmail.objects.exists()


def test_a_database_error_while_sending_one_email_neither_stops_nor_repeats_the_others(company_user, other_user):
    """The failing e-mail is retried later; the one sent before it is not sent again."""
    policy = BookingPolicyFactory()
    book(policy.resource, company_user, hour=10)
    book(policy.resource, other_user, hour=12)
    real_send = booking_emails.send_booking_email

    def second_breaks(booking_id, kind, **options):
        if Booking.objects.get(pk=booking_id).user == other_user:
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM no_such_table")
        return real_send(booking_id, kind, **options)

    with mock.patch.object(booking_emails, "send_booking_email", second_breaks):
        assert services.send_queued_emails() == 1
        assert services.send_queued_emails() == 0
    assert [m.to for m in mail.outbox] == [[company_user.email]]
    assert OutgoingEmail.objects.get().attempts == 1


def test_an_email_refused_for_good_is_given_up_after_five_attempts_and_logged(resource, company_user, caplog):
    caplog.set_level(logging.WARNING, logger="booking.services")
    book(resource, company_user)
    refused = smtplib.SMTPRecipientsRefused({company_user.email: (550, b"no such user")})
    with mock.patch(LOCMEM_SEND, side_effect=refused):
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
@pytest.mark.parametrize("locking", [True, False], ids=["rows locked", "control: no locks, no lease check"])
def test_two_sending_tasks_at_once_send_each_email_once(locking):
    """Two workers drain the outbox at the same moment (real connections); the control without the row locks and
    the lease check before each e-mail shows that the test sees a double send when there is one."""
    from django.db.models import QuerySet

    users = _queue(12)
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

    real_update = QuerySet.update

    def slow_update(self, **kwargs):
        time.sleep(0.05)  # between reading the due rows and taking them: the other sender reads meanwhile
        return real_update(self, **kwargs)

    without_locks = mock.patch.object(QuerySet, "select_for_update", lambda self, **kwargs: self)
    without_lease_check = mock.patch.object(outbox, "_renew_lease", lambda email, leased: leased)
    with (
        mock.patch(LOCMEM_SEND, slow_send),
        mock.patch.object(QuerySet, "update", slow_update),
        without_locks if not locking else contextlib.nullcontext(),
        without_lease_check if not locking else contextlib.nullcontext(),
    ):
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
def test_bookings_committed_while_the_task_waits_are_sent_by_it():
    """A real worker on Redis, no beat: the first booking queues the task, the next ones (within the second) queue
    nothing; the task starts after its countdown and sends all three. Without the countdown it would run before
    the later bookings were committed, and their e-mails would wait for the sweep (which does not run here)."""
    resource = BookingPolicyFactory().resource
    users = [UserFactory() for _ in range(3)]
    with real_worker():
        began = time.monotonic()
        for index, user in enumerate(users):
            book(resource, user, day=3 + index)
            time.sleep(0.3)
        assert time.monotonic() - began < services.EMAIL_BATCH_SECONDS + 0.5, "too slow to test the countdown"
        wait_for(lambda: len(mail.outbox) >= 3, seconds=10)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert not OutgoingEmail.objects.exists()


class _Task:
    """Stands for a Celery task in front of a broker: records what is queued, or fails as an unreachable one."""

    name = "test.drain"

    def __init__(self, *, reachable=True, hold=None):
        self.reachable, self.hold, self.queued = reachable, hold, []

    def apply_async(self, args=(), countdown=None):
        if self.hold is not None:
            self.hold.wait(timeout=10)
        if not self.reachable:
            from kombu.exceptions import OperationalError

            raise OperationalError("unreachable")
        self.queued.append(countdown)


@pytest.fixture
def non_eager():
    from config import celery

    celery._last_drain_queued.clear()
    previous = celery.app.conf.task_always_eager
    celery.app.conf.update(task_always_eager=False)
    try:
        yield celery
    finally:
        celery.app.conf.update(task_always_eager=previous)
        celery._last_drain_queued.clear()


def test_the_task_is_queued_once_a_second_with_a_countdown(non_eager):
    task = _Task()
    for _ in range(5):
        non_eager._queue_drain(task, 1.0, lambda: pytest.fail("the broker is reachable"))
    assert task.queued == [1.0]
    with mock.patch("time.monotonic", return_value=time.monotonic() + 1.01):
        non_eager._queue_drain(task, 1.0, lambda: None)
    assert task.queued == [1.0, 1.0]


def test_with_the_broker_down_every_commit_sends_its_own_emails_even_at_the_same_moment(non_eager):
    """Two threads of one web process commit while the broker hangs and then fails: neither is skipped."""
    hold = threading.Event()
    task = _Task(reachable=False, hold=hold)
    sent = []
    threads = [
        threading.Thread(target=non_eager._queue_drain, args=(task, 1.0, lambda name=name: sent.append(name)))
        for name in ("A", "B")
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    hold.set()
    for thread in threads:
        thread.join()
    assert sorted(sent) == ["A", "B"]
