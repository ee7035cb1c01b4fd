"""Celery tasks: thin wrappers that take primary keys and call emails or services."""

from celery import shared_task
from django.conf import settings

from intake import emails, services
from intake.models import IntakeRequest, RequestEvent, RequestMessage, Routing, WebhookDelivery


@shared_task
def send_confirmation_email(request_id: int) -> None:
    emails.confirmation(IntakeRequest.objects.get(pk=request_id))


@shared_task
def send_status_email(event_id: int) -> None:
    emails.status_changed(RequestEvent.objects.select_related("request").get(pk=event_id))


@shared_task
def send_message_email(message_id: int) -> None:
    emails.message_added(RequestMessage.objects.select_related("request").get(pk=message_id))


@shared_task
def send_routing_emails(routing_ids: list[int]) -> None:
    for routing in Routing.objects.filter(pk__in=routing_ids).select_related("request", "facility"):
        emails.routed(routing)


@shared_task
def send_queue_email(request_id: int) -> None:
    emails.in_queue(IntakeRequest.objects.get(pk=request_id))


@shared_task
def send_deadline_email(request_id: int, kind: str) -> None:
    emails.deadline(IntakeRequest.objects.get(pk=request_id), kind)


@shared_task
def send_deadline_reminders() -> int:
    return services.deadline_reminders_send()


@shared_task
def escalate_overdue_requests() -> int:
    return services.deadline_escalations_send()


@shared_task
def close_unconfirmed_requests() -> int:
    return services.unconfirmed_requests_close()


@shared_task(bind=True, max_retries=None)
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


@shared_task
def requeue_unqueued_webhooks() -> int:
    return services.requeue_unqueued_webhooks()
