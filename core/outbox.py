"""The outgoing-mail outbox of every app: e-mails are written in the transaction of the change they tell about and
sent after the commit, with leases, retries and a periodic sweep.

An app registers each kind of e-mail it sends in its AppConfig.ready() (`email_kind_register("booking.confirmed",
render)`), and queues one with `email_queue(kind=..., object_id=...)` where it makes the change. The row holds
the kind, the object's id and a small payload; `render(object_id, payload)` makes the messages when they are sent,
from the data as it is then, and returns an empty list when there is nothing to send (the object is gone). Core
imports no app: it only knows the kinds that were registered.
"""

import datetime
import logging
import smtplib
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from core.db import savepoint_in_a_transaction
from core.models import OutgoingEmail
from core.queue import task_drain_after_commit

logger = logging.getLogger(__name__)

Renderer = Callable[[int, dict], list[EmailMessage]]

EMAIL_SENDING_TASK = "core.tasks.send_due_emails"

EMAIL_BATCH_SECONDS = 1.0  # the sending task is queued at most once a second per web process

EMAIL_MAX_ATTEMPTS = 5

EMAIL_RETRY_SECONDS = 60  # then 2, 4 and 8 minutes; the sweep runs every minute

EMAIL_LEASE_SECONDS = 600  # an e-mail taken by a sender that died is due again after this

EMAIL_GIVE_UP_HOURS = 24  # an e-mail the mail server could not take for this long is given up

_renderers: dict[str, Renderer] = {}


def email_kind_register(kind: str, render: Renderer) -> None:
    """Make `kind` an e-mail that can be queued; `render(object_id, payload)` returns its messages at send time
    (an empty list when there is nothing to send). Called from the owning app's AppConfig.ready()."""
    known = _renderers.get(kind)
    if known is not None and known is not render:
        raise ValueError(f"The e-mail kind {kind!r} is already registered by {known.__module__}.")
    _renderers[kind] = render


def email_kinds() -> list[str]:
    """Every registered kind of e-mail."""
    return sorted(_renderers)


class QueuedEmail(NamedTuple):
    """One e-mail to queue: its registered kind, the id of the object it is about, and a small JSON payload."""

    kind: str
    object_id: int
    payload: dict | None = None


def email_queue(*, kind: str, object_id: int, payload: dict | None = None) -> None:
    """Put one e-mail in the outbox, in the caller's transaction; it is sent after the commit."""
    emails_queue(emails=[QueuedEmail(kind, object_id, payload)])


def emails_queue(*, emails: Iterable[QueuedEmail]) -> None:
    """Put e-mails in the outbox with one INSERT, in the caller's transaction; they are sent after the commit.

    The sending task is queued at most once a second per process (see core.queue.task_drain_after_commit). If the
    broker cannot take it, this process sends these e-mails itself after the commit.
    """
    rows = []
    for email in emails:
        if email.kind not in _renderers:
            raise LookupError(f"No e-mail kind {email.kind!r} is registered (email_kind_register in AppConfig.ready).")
        rows.append(OutgoingEmail(kind=email.kind, object_id=email.object_id, payload=email.payload or {}))
    if not rows:
        return
    OutgoingEmail.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    task_drain_after_commit(
        EMAIL_SENDING_TASK,
        within=EMAIL_BATCH_SECONDS,
        if_unreachable=lambda: outbox_send_due(ids=None if None in ids else ids),
    )


def email_send(*, kind: str, object_id: int, payload: dict | None = None, connection=None) -> int:
    """Make the messages of one e-mail and send them now, over `connection` (an open connection to the mail
    server) if given; how many were sent. The outbox sends each row with this; so may a task of an earlier
    release that names one e-mail."""
    render = _renderers.get(kind)
    if render is None:  # a kind of a newer release, in a worker not yet updated: a failure of this e-mail, retried
        raise LookupError(f"No e-mail kind {kind!r} is registered.")
    messages = render(object_id, payload or {})
    for message in messages:
        if not message.recipients():
            raise ValueError(f"The e-mail {kind} {object_id} has a message without a recipient.")
    if not messages:
        return 0
    (connection or get_connection()).send_messages(messages)
    return len(messages)


def _refused_for_good(error: Exception) -> bool:
    """This e-mail's own failure: the mail server refused it for good (5xx for its recipients or its content), or
    it could not be made (a rendering error). Anything else – the network, DNS, TLS, a 4xx "try later", a server
    that hangs up – is the mail server's trouble, and every e-mail waits for it alike."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return not isinstance(error, OSError)


def _claim_due_emails(*, ids: list[int] | None, batch: int) -> tuple[list[OutgoingEmail], datetime.datetime]:
    """Take up to `batch` due e-mails, oldest first, and the time their lease runs out: a short transaction locks
    them (a parallel sender skips them, PostgreSQL) and moves their `send_after` to the end of the lease, so that
    they are sent outside any transaction. If the sender dies, what it had not sent is due again after the lease."""
    now = timezone.now()
    leased = now + datetime.timedelta(seconds=EMAIL_LEASE_SECONDS)
    with transaction.atomic():
        due = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(send_after__lte=now)
        if ids is not None:
            due = due.filter(pk__in=ids)
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
        logger.exception("E-mail %s given up after %d attempts", email, attempts)
        mine.delete()
        return
    logger.warning("E-mail %s failed; trying again later", email, exc_info=True)
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
                "E-mail %s given up: the mail server could not take it for %d hours", email, EMAIL_GIVE_UP_HOURS
            )
            email.delete()
        mine.update(send_after=retry_at)


def outbox_send_due(*, ids: list[int] | None = None, batch: int = 100) -> int:
    """Send the due e-mails of the outbox, oldest first, over one connection to the mail server per batch; returns
    how many were done (sent, or with nothing left to send).

    Each e-mail is deleted as soon as it is sent, so a failure later in the batch never sends it again (inside a
    caller's transaction only when that commits). An e-mail refused for good is tried again after 1, 2, 4 and 8
    minutes, then given up and logged; when the mail server cannot be reached, the whole batch waits a minute,
    without counting it against the e-mails. With `ids`, only those rows (the web process sending its own when the
    broker is down).
    """
    sent = 0
    while True:
        claimed, leased = _claim_due_emails(ids=ids, batch=batch)
        if not claimed:
            return sent
        held = {email.pk: leased for email in claimed}
        mail_connection = get_connection()
        try:
            mail_connection.open()
        except Exception:
            logger.warning("The mail server cannot be reached; %d e-mails wait", len(held), exc_info=True)
            _wait_for_the_mail_server(held)
            return sent
        try:
            for email in claimed:
                lease = _renew_lease(email, held.pop(email.pk))
                if lease is None:
                    continue
                try:
                    with savepoint_in_a_transaction():
                        email_send(
                            kind=email.kind,
                            object_id=email.object_id,
                            payload=email.payload,
                            connection=mail_connection,
                        )
                except Exception as error:
                    if not _refused_for_good(error):
                        logger.warning("The mail server failed; %d e-mails wait", len(held) + 1, exc_info=True)
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
