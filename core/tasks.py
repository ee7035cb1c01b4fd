"""Celery tasks: thin wrappers that take ids and call core's services."""

from celery import shared_task

from core import outbox


@shared_task(name="core.tasks.send_due_emails")
def send_due_emails() -> int:
    """Send what waits in the outbox: queued after each commit that wrote e-mails, and every minute by beat for
    what a lost message or a failed attempt left behind."""
    return outbox.outbox_send_due()
