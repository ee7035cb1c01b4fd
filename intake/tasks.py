"""Celery tasks: thin wrappers that take primary keys and call services. The e-mails go through core's outbox."""

from celery import shared_task
from django.conf import settings

from core import outbox
from intake import emails, selectors, services
from intake.models import WebhookDelivery


@shared_task(name="intake.tasks.send_deadline_reminders")
def send_deadline_reminders() -> int:
    return services.deadline_reminders_send()


@shared_task(name="intake.tasks.escalate_overdue_requests")
def escalate_overdue_requests() -> int:
    return services.deadline_escalations_send()


@shared_task(name="intake.tasks.close_unconfirmed_requests")
def close_unconfirmed_requests() -> int:
    return services.unconfirmed_requests_close()


@shared_task(name="intake.tasks.check_responders")
def check_responders() -> list[str]:
    """Daily: log the queues and facilities nobody would answer for (the admin shows the same on its pages)."""
    import logging

    lines = selectors.responder_gap_lines(selectors.responder_gaps(), only_defects=True)
    for line in lines:
        logging.getLogger("intake.responders").warning(line)
    return lines


@shared_task(name="intake.tasks.deliver_webhook", bind=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> bool:
    """One attempt; on failure Celery retries with exponential back-off until INTAKE_WEBHOOK_MAX_ATTEMPTS."""
    while True:
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        if services.webhook_attempt(delivery=delivery):
            return True
        delivery.refresh_from_db()
        if delivery.attempts >= settings.INTAKE_WEBHOOK_MAX_ATTEMPTS:
            return False
        if not self.request.is_eager:
            raise self.retry(countdown=services.webhook_backoff_seconds(delivery.attempts))
        # Without a broker (development, tests) there is no queue to wait in: the next attempt is made at once.


@shared_task(name="intake.tasks.requeue_unqueued_webhooks")
def requeue_unqueued_webhooks() -> int:
    return services.unqueued_webhooks_requeue()


# The tasks of one e-mail each, from the releases before core's outbox: kept for one release so that messages
# queued under these names (by web processes of the previous release during a deploy) are still sent.
@shared_task(name="intake.tasks.send_confirmation_email")
def send_confirmation_email(request_id: int) -> int:
    return outbox.email_send(kind=emails.CONFIRMATION, object_id=request_id)


@shared_task(name="intake.tasks.send_status_email")
def send_status_email(event_id: int) -> int:
    return outbox.email_send(kind=emails.STATUS_CHANGED, object_id=event_id)


@shared_task(name="intake.tasks.send_message_email")
def send_message_email(message_id: int) -> int:
    return outbox.email_send(kind=emails.MESSAGE_ADDED, object_id=message_id)


@shared_task(name="intake.tasks.send_routing_emails")
def send_routing_emails(routing_ids: list[int]) -> int:
    return sum(outbox.email_send(kind=emails.ROUTED, object_id=routing_id) for routing_id in routing_ids)


@shared_task(name="intake.tasks.send_queue_email")
def send_queue_email(request_id: int) -> int:
    return outbox.email_send(kind=emails.IN_QUEUE, object_id=request_id)


@shared_task(name="intake.tasks.send_deadline_email")
def send_deadline_email(request_id: int, kind: str) -> int:
    deadline_kind = emails.DEADLINE_REMINDER if kind == "reminder" else emails.DEADLINE_ESCALATION
    return outbox.email_send(kind=deadline_kind, object_id=request_id)
