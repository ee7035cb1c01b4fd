"""Every app's e-mails go through core's outbox: written with the change, sent by a Celery task after the commit.

What a user would notice: the e-mail arrives even when the task message was lost or its sender died, a mail server
that is down delays it but does not lose it, two sending tasks never send it twice, and the changes of one second
cost one message whose task still sends them all. The e-mails here are of a kind the test registers ("tests.note",
addressed by its payload); the apps' own kinds are tested with their apps.
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
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone

from core import outbox
from core.models import OutgoingEmail
from core.outbox import QueuedEmail, email_kind_register, email_queue, emails_queue, outbox_send_due
from tests.broker import real_worker, wait_for

pytestmark = pytest.mark.django_db

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"

NOTE = "tests.note"


def render_note(object_id: int, payload: dict) -> list[EmailMessage]:
    """The test kind: a note to `payload["to"]` (none without one); `payload["database_error"]` breaks it."""
    if payload.get("database_error"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
    if not payload.get("to"):
        return []
    return [EmailMessage(subject=f"Note {object_id}", body=payload.get("body", "A note."), to=[payload["to"]])]


@pytest.fixture(autouse=True)
def note_kind():
    email_kind_register(NOTE, render_note)


def address(index: int) -> str:
    return f"person-{index}@example.org"


def waiting(count: int, **payload) -> list[str]:
    """`count` notes in the outbox whose task message was lost (as a web request leaves them when the broker drops
    the message): rows only, nothing queued. Their recipients."""
    recipients = [address(index) for index in range(count)]
    for index, to in enumerate(recipients):
        OutgoingEmail.objects.create(kind=NOTE, object_id=index, payload={"to": to, **payload})
    return recipients


def test_an_email_is_sent_after_the_commit_and_not_before(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            email_queue(kind=NOTE, object_id=7, payload={"to": "ola@example.org", "body": "Hei"})
            assert mail.outbox == []
            assert list(OutgoingEmail.objects.values_list("kind", "object_id")) == [(NOTE, 7)]
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [(["ola@example.org"], "Note 7", "Hei")]
    assert not OutgoingEmail.objects.exists()


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with contextlib.suppress(RuntimeError), transaction.atomic():
            email_queue(kind=NOTE, object_id=1, payload={"to": "ola@example.org"})
            raise RuntimeError("rolled back")
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_the_email_survives_a_lost_task_and_the_sweep_sends_it_once():
    """The task message never ran (the on-commit callback is dropped here): the sweep still sends the e-mail."""
    email_queue(kind=NOTE, object_id=1, payload={"to": "ola@example.org"})
    assert mail.outbox == []
    assert outbox_send_due() == 1
    assert [m.to for m in mail.outbox] == [["ola@example.org"]]
    assert outbox_send_due() == 0 and len(mail.outbox) == 1


def test_many_emails_are_written_with_one_insert_and_sent_together(django_capture_on_commit_callbacks):
    from django.test.utils import CaptureQueriesContext

    notes = [QueuedEmail(NOTE, index, {"to": address(index)}) for index in range(3)]
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        emails_queue(emails=notes)
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["INSERT"]
    assert len(callbacks) == 1
    callbacks[0]()
    assert sorted(m.to[0] for m in mail.outbox) == [address(index) for index in range(3)]


def test_the_email_is_made_when_it_is_sent_from_the_data_as_it_is_then():
    """A renderer that finds nothing to send (its object is gone, in the apps) sends nothing and leaves no row."""
    email_queue(kind=NOTE, object_id=1, payload={})
    assert outbox_send_due() == 1
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_an_unknown_kind_is_refused_when_it_is_queued():
    with pytest.raises(LookupError, match="tests.unknown"):
        email_queue(kind="tests.unknown", object_id=1)
    assert not OutgoingEmail.objects.exists()


def test_two_apps_cannot_claim_one_kind():
    with pytest.raises(ValueError, match="already registered"):
        email_kind_register(NOTE, lambda object_id, payload: [])
    assert NOTE in outbox.email_kinds()


def test_a_kind_a_worker_does_not_know_yet_is_tried_again_later():
    """A web process of a newer release queued a kind this worker does not know: retried, not lost at once."""
    OutgoingEmail.objects.create(kind="tests.from_a_newer_release", object_id=1)
    assert outbox_send_due() == 0
    assert OutgoingEmail.objects.get().attempts == 1


def render_to_nobody(object_id: int, payload: dict) -> list[EmailMessage]:
    return [EmailMessage(subject="To nobody", body="...", to=[])]


def test_a_message_without_a_recipient_is_an_error_of_its_renderer():
    email_kind_register("tests.nobody", render_to_nobody)
    OutgoingEmail.objects.create(kind="tests.nobody", object_id=1)
    assert outbox_send_due() == 0
    assert OutgoingEmail.objects.get().attempts == 1


def test_a_mail_server_that_is_down_delays_the_emails_and_they_are_sent_later(caplog):
    caplog.set_level(logging.WARNING, logger="core.outbox")
    waiting(2)
    with mock.patch(LOCMEM_SEND, side_effect=smtplib.SMTPServerDisconnected("down")) as send:
        assert outbox_send_due() == 0
    assert send.call_count == 1  # the second e-mail was not tried against a server that is down
    rows = list(OutgoingEmail.objects.all())
    assert [email.attempts for email in rows] == [0, 0]  # the server's trouble, not the e-mails'
    assert all(email.send_after > timezone.now() + datetime.timedelta(seconds=50) for email in rows)
    assert "The mail server failed; 2 e-mails wait" in caplog.text
    assert outbox_send_due() == 0  # not yet due
    OutgoingEmail.objects.update(send_after=timezone.now())  # a minute later
    assert outbox_send_due() == 2
    assert len(mail.outbox) == 2 and not OutgoingEmail.objects.exists()


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
    waiting(3)
    with mock.patch("socket.create_connection", side_effect=error) as connect:
        assert outbox_send_due() == 0
    assert connect.call_count == 1
    assert list(OutgoingEmail.objects.values_list("attempts", flat=True)) == [0, 0, 0]


def test_an_outage_of_the_mail_server_loses_nothing_for_a_day_and_is_logged_after(settings, caplog):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST = SMTP["EMAIL_BACKEND"], SMTP["EMAIL_HOST"]
    caplog.set_level(logging.WARNING, logger="core.outbox")
    waiting(3)
    clock = [timezone.now()]
    with (
        mock.patch("socket.create_connection", side_effect=ConnectionRefusedError(111, "refused")),
        mock.patch("django.utils.timezone.now", side_effect=lambda: clock[0]),
    ):
        for _ in range(60):  # the sweep, every minute for an hour
            clock[0] += datetime.timedelta(seconds=61)
            outbox_send_due()
        assert OutgoingEmail.objects.count() == 3
        clock[0] += datetime.timedelta(hours=outbox.EMAIL_GIVE_UP_HOURS)
        outbox_send_due()
    assert not OutgoingEmail.objects.exists()
    assert "given up: the mail server could not take it for 24 hours" in caplog.text


def test_a_try_later_answer_is_the_servers_trouble_not_the_emails():
    (to,) = waiting(1)
    busy = smtplib.SMTPRecipientsRefused({to: (451, b"try again later")})
    with mock.patch(LOCMEM_SEND, side_effect=busy):
        assert outbox_send_due() == 0
    assert OutgoingEmail.objects.get().attempts == 0


@pytest.mark.django_db(transaction=True)
def test_no_database_transaction_is_open_while_the_mail_server_is_talked_to():
    waiting(1)
    seen = []
    real_send = LocmemBackend.send_messages

    def record(self, messages):
        seen.append(connection.in_atomic_block)
        return real_send(self, messages)

    with mock.patch(LOCMEM_SEND, record):
        assert outbox_send_due() == 1
    assert seen == [False]


class SenderDied(BaseException):
    """The worker process is killed while it sends (nothing in it gets to handle that)."""


def test_a_sender_that_dies_leaves_its_emails_for_after_the_lease():
    waiting(1)
    with mock.patch(LOCMEM_SEND, side_effect=SenderDied), pytest.raises(SenderDied):
        outbox_send_due()
    assert outbox_send_due() == 0  # another sender does not take it meanwhile
    lease_over = timezone.now() + datetime.timedelta(seconds=outbox.EMAIL_LEASE_SECONDS + 1)
    with mock.patch("django.utils.timezone.now", return_value=lease_over):
        assert outbox_send_due() == 1
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_that_outlasts_its_lease_sends_nothing_twice(monkeypatch):
    """A slow mail server (0.6 s per e-mail) and a lease of 1 s: the sweep that starts while the first sender is
    still at work takes what the lease let go of, and each e-mail still goes out once."""
    monkeypatch.setattr(outbox, "EMAIL_LEASE_SECONDS", 1)
    recipients = waiting(4)
    real_send = LocmemBackend.send_messages

    def slow_send(self, messages):
        time.sleep(0.6)
        return real_send(self, messages)

    def run(delay):
        try:
            time.sleep(delay)
            outbox_send_due()
        finally:
            connection.close()

    with mock.patch(LOCMEM_SEND, slow_send):
        threads = [threading.Thread(target=run, args=(delay,)) for delay in (0, 1.3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(recipients)
    assert not OutgoingEmail.objects.exists()


def test_a_database_error_while_sending_one_email_neither_stops_nor_repeats_the_others():
    """The failing e-mail is retried later; the one sent before it is not sent again."""
    OutgoingEmail.objects.create(kind=NOTE, object_id=1, payload={"to": "ola@example.org"})
    OutgoingEmail.objects.create(kind=NOTE, object_id=2, payload={"to": "kari@example.org", "database_error": True})
    assert outbox_send_due() == 1
    assert outbox_send_due() == 0
    assert [m.to for m in mail.outbox] == [["ola@example.org"]]
    assert OutgoingEmail.objects.get().attempts == 1


def test_an_email_refused_for_good_is_tried_after_1_2_4_and_8_minutes_then_given_up_and_logged(caplog):
    caplog.set_level(logging.WARNING, logger="core.outbox")
    (to,) = waiting(1)
    refused = smtplib.SMTPRecipientsRefused({to: (550, b"no such user")})
    waits = []
    with mock.patch(LOCMEM_SEND, side_effect=refused):
        for attempt in range(1, 6):
            before = timezone.now()
            outbox_send_due()
            if attempt < 5:
                email = OutgoingEmail.objects.get()
                assert email.attempts == attempt
                waits.append(round((email.send_after - before).total_seconds() / 60))
                OutgoingEmail.objects.update(send_after=timezone.now())
    assert waits == [1, 2, 4, 8]
    assert not OutgoingEmail.objects.exists()
    assert "given up after 5 attempts" in caplog.text
    assert mail.outbox == []


def test_one_failing_email_does_not_hold_back_the_others():
    first, second = waiting(2)
    real_send = LocmemBackend.send_messages

    def refuse_the_first(self, messages):
        if messages[0].to == [first]:
            raise smtplib.SMTPRecipientsRefused({first: (550, b"no")})
        return real_send(self, messages)

    with mock.patch(LOCMEM_SEND, refuse_the_first):
        assert outbox_send_due() == 1
    assert [m.to for m in mail.outbox] == [[second]]
    assert OutgoingEmail.objects.get().attempts == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locking", [True, False], ids=["rows locked", "control: no locks"])
def test_two_sending_tasks_at_once_send_each_email_once(locking):
    """Two workers drain the outbox at the same moment (real connections). The clock stands still, so that both
    would take the same lease; the control without the row locks shows that the test sees a double send when there
    is one."""
    from django.db.models import QuerySet

    recipients = waiting(12)
    real_send = LocmemBackend.send_messages
    start = threading.Barrier(2)
    now = timezone.now()

    def slow_send(self, messages):
        time.sleep(0.02)  # a mail server takes a while: both tasks are busy at once
        return real_send(self, messages)

    def drain():
        try:
            start.wait()
            outbox_send_due()
        finally:
            connection.close()

    real_update = QuerySet.update

    def slow_update(self, **kwargs):
        time.sleep(0.05)  # between reading the due rows and taking them: the other sender reads meanwhile
        return real_update(self, **kwargs)

    without_locks = mock.patch.object(QuerySet, "select_for_update", lambda self, **kwargs: self)
    with (
        mock.patch(LOCMEM_SEND, slow_send),
        mock.patch.object(QuerySet, "update", slow_update),
        mock.patch("django.utils.timezone.now", return_value=now),
        without_locks if not locking else contextlib.nullcontext(),
    ):
        threads = [threading.Thread(target=drain) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    sent = sorted(m.to[0] for m in mail.outbox)
    if locking:
        assert sent == sorted(recipients)
    else:
        assert len(sent) > len(recipients), "the control should have sent some e-mails twice"
    assert not OutgoingEmail.objects.exists()


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_emails_committed_while_the_task_waits_are_sent_by_it():
    """A real worker on Redis, no beat: the first commit queues the task, the next ones (within the second) queue
    nothing; the task starts after its countdown and sends all three. Without the countdown it would run before
    the later e-mails were committed, and they would wait for the sweep (which does not run here)."""
    recipients = [address(index) for index in range(3)]
    with real_worker():
        began = time.monotonic()
        for index, to in enumerate(recipients):
            email_queue(kind=NOTE, object_id=index, payload={"to": to})  # each in its own transaction
            time.sleep(0.3)
        assert time.monotonic() - began < outbox.EMAIL_BATCH_SECONDS + 0.5, "too slow to test the countdown"
        wait_for(lambda: len(mail.outbox) >= 3, seconds=10)
    assert sorted(m.to[0] for m in mail.outbox) == recipients
    assert not OutgoingEmail.objects.exists()


def test_the_admin_lists_what_waits_and_how_often_it_failed(client):
    from tests.factories import UserFactory

    OutgoingEmail.objects.create(kind=NOTE, object_id=42, payload={"to": "ola@example.org"}, attempts=3)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/core/outgoingemail/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    content = page.content.decode()
    assert "tests.note" in content and "42" in content and "Failed attempts" in content
