"""Celery tasks: thin wrappers that take primary keys and call the services."""

from celery import shared_task

from booking import services
from core import outbox


@shared_task(name="booking.tasks.expire_pending_bookings")
def expire_pending_bookings() -> int:
    return services.pending_bookings_expire()


@shared_task(name="booking.tasks.complete_ended_bookings")
def complete_ended_bookings() -> int:
    return services.bookings_complete_due()


@shared_task(name="booking.tasks.send_reminders")
def send_reminders() -> int:
    return services.booking_reminders_send()


# Tasks of the releases before core's outbox, kept for one release so that messages queued under these names (by
# web processes of the previous release during a deploy, or retries waiting their turn) are still sent.
@shared_task(name="booking.tasks.send_queued_emails")
def send_queued_emails() -> int:
    return outbox.outbox_send_due()


@shared_task(name="booking.tasks.send_booking_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_booking_email(booking_id: int, kind: str) -> int:
    return outbox.email_send(kind=f"booking.{kind}", object_id=booking_id)


@shared_task(name="booking.tasks.send_request_to_managers", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_request_to_managers(booking_id: int) -> int:
    return outbox.email_send(kind="booking.to_managers", object_id=booking_id)
