"""The booking e-mail outbox: e-mails are written in the booking's transaction and sent after the commit,
with leases, retries and a periodic sweep."""

import datetime
import logging
import smtplib

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from booking import emails as booking_emails
from booking.models import (
    OutgoingEmail,
)
from config.celery import drain_after_commit
from core.db import savepoint_in_a_transaction

logger = logging.getLogger(__name__)


EMAIL_BATCH_SECONDS = 1.0  # the e-mail task is queued at most once a second per web process


EMAIL_MAX_ATTEMPTS = 5


EMAIL_RETRY_SECONDS = 60  # then 2, 4 and 8 minutes; the sweep runs every minute


EMAIL_LEASE_SECONDS = 600  # an e-mail taken by a sender that died is due again after this


EMAIL_GIVE_UP_HOURS = 24  # an e-mail the mail server could not take for this long is given up


TO_MANAGERS = "to_managers"


def email_kinds(kind: str) -> list[str]:
    return [kind, TO_MANAGERS] if kind == "requested" else [kind]  # the managers answer a request


def email_queue(booking_id: int, kind: str) -> None:
    """Put the e-mail in the outbox, in the caller's transaction; it is sent after the commit."""
    outbox_write(booking_id, email_kinds(kind))
    emails_send_after_commit(booking_id)


def outbox_write(booking_id: int, kinds: list[str]) -> None:
    OutgoingEmail.objects.bulk_create([OutgoingEmail(booking_id=booking_id, kind=kind) for kind in kinds])


def emails_send_after_commit(booking_id: int) -> None:
    from booking import tasks

    drain_after_commit(
        tasks.send_queued_emails,
        within=EMAIL_BATCH_SECONDS,
        if_unreachable=lambda: send_queued_emails(booking_ids=[booking_id]),
    )


def _deliver(email: OutgoingEmail, mail_connection) -> None:
    if email.kind == TO_MANAGERS:
        booking_emails.send_request_to_managers(email.booking_id, connection=mail_connection)
    else:
        booking_emails.send_booking_email(email.booking_id, email.kind, connection=mail_connection)


def _refused_for_good(error: Exception) -> bool:
    """This e-mail's own failure: the mail server refused it for good (5xx for its recipients or its content), or
    it could not be made (a rendering error). Anything else – the network, DNS, TLS, a 4xx "try later", a server
    that hangs up – is the mail server's trouble, and every e-mail waits for it alike."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return not isinstance(error, OSError)


def _claim_due_emails(*, booking_ids: list[int] | None, batch: int) -> tuple[list[OutgoingEmail], datetime.datetime]:
    """Take up to `batch` due e-mails, oldest first, and the time their lease runs out: a short transaction locks
    them (a parallel sender skips them, PostgreSQL) and moves their `send_after` to the end of the lease, so that
    they are sent outside any transaction. If the sender dies, what it had not sent is due again after the lease."""
    now = timezone.now()
    leased = now + datetime.timedelta(seconds=EMAIL_LEASE_SECONDS)
    with transaction.atomic():
        due = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(send_after__lte=now)
        if booking_ids is not None:
            due = due.filter(booking_id__in=booking_ids)
        claimed = list(due.order_by("send_after", "id")[:batch])
        OutgoingEmail.objects.filter(pk__in=[email.pk for email in claimed]).update(send_after=leased)
    return claimed, leased


def _renew_lease(email: OutgoingEmail, leased: datetime.datetime) -> datetime.datetime | None:
    """Right before sending: a fresh lease for this e-mail, or None when its lease ran out and another sender has
    taken it meanwhile (then that sender sends it, not this one)."""
    renewed = timezone.now() + datetime.timedelta(seconds=EMAIL_LEASE_SECONDS)
    taken = OutgoingEmail.objects.filter(pk=email.pk, send_after=leased).update(send_after=renewed)
    return renewed if taken else None


def _failed(email: OutgoingEmail, held: datetime.datetime) -> None:
    """This e-mail failed on its own: try again after 1, 2, 4 and 8 minutes, then give up and log it."""
    attempts = email.attempts + 1
    mine = OutgoingEmail.objects.filter(pk=email.pk, send_after=held)
    if attempts >= EMAIL_MAX_ATTEMPTS:
        logger.exception("Booking e-mail %s given up after %d attempts", email, attempts)
        mine.delete()
        return
    logger.warning("Booking e-mail %s failed; trying again later", email, exc_info=True)
    retry_at = timezone.now() + datetime.timedelta(seconds=EMAIL_RETRY_SECONDS * 2 ** (attempts - 1))
    mine.update(attempts=attempts, send_after=retry_at)


def _wait_for_the_mail_server(held: dict[int, datetime.datetime]) -> None:
    """The mail server cannot take e-mails now: all those held wait a minute, without counting an attempt; only one
    that has waited EMAIL_GIVE_UP_HOURS since it was written is given up."""
    now = timezone.now()
    too_old = now - datetime.timedelta(hours=EMAIL_GIVE_UP_HOURS)
    retry_at = now + datetime.timedelta(seconds=EMAIL_RETRY_SECONDS)
    by_lease: dict[datetime.datetime, list[int]] = {}
    for pk, lease in held.items():  # two leases at most: the batch's, and the one renewed for the failed e-mail
        by_lease.setdefault(lease, []).append(pk)
    for lease, pks in by_lease.items():
        mine = OutgoingEmail.objects.filter(pk__in=pks, send_after=lease)
        for email in mine.filter(created_at__lt=too_old):
            logger.error(
                "Booking e-mail %s given up: the mail server could not take it for %d hours", email, EMAIL_GIVE_UP_HOURS
            )
            email.delete()
        mine.update(send_after=retry_at)


def send_queued_emails(*, booking_ids: list[int] | None = None, batch: int = 100) -> int:
    """Send the due e-mails of the outbox, oldest first, over one connection to the mail server per batch; returns
    how many were sent.

    Each e-mail is deleted as soon as it is sent, so a failure later in the batch never sends it again (inside a
    caller's transaction only when that commits). An e-mail refused for good is tried again after 1, 2, 4 and 8
    minutes, then given up and logged; when the mail server cannot be reached, the whole batch waits a minute,
    without counting it against the e-mails. With `booking_ids`, only those bookings' e-mails (the web process
    sending its own when the broker is down).
    """
    sent = 0
    while True:
        claimed, leased = _claim_due_emails(booking_ids=booking_ids, batch=batch)
        if not claimed:
            return sent
        held = {email.pk: leased for email in claimed}
        mail_connection = get_connection()
        try:
            mail_connection.open()
        except Exception:
            logger.warning("The mail server cannot be reached; %d booking e-mails wait", len(held), exc_info=True)
            _wait_for_the_mail_server(held)
            return sent
        try:
            for email in claimed:
                lease = _renew_lease(email, held.pop(email.pk))
                if lease is None:
                    continue
                try:
                    with savepoint_in_a_transaction():
                        _deliver(email, mail_connection)
                except Exception as error:
                    if not _refused_for_good(error):
                        logger.warning("The mail server failed; %d booking e-mails wait", len(held) + 1, exc_info=True)
                        _wait_for_the_mail_server({email.pk: lease, **held})
                        return sent
                    _failed(email, lease)
                else:
                    OutgoingEmail.objects.filter(pk=email.pk).delete()
                    sent += 1
        finally:
            mail_connection.close()
        if len(claimed) < batch:
            return sent
